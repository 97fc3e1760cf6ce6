//! The real `kairos` binary under the crash test: its configuration (open all day,
//! mail to an `SmtpSink`, the Google mirror at a `FakeGoogle`, no rate limit), starting
//! it on the same data directory, SIGKILLing it, a plain HTTP client for it that never
//! waits without bound, and `kairos ingest-mail` as an MTA would run it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Method;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::AsyncWriteExt as _;
use tokio::process::{Child, Command};

use crate::support::fake_google::FakeGoogle;
use crate::support::smtp_sink::SmtpSink;

/// The admin password of the process under test.
pub const PASSWORD: &str = "crash-test-password";
/// Longest wait for one HTTP answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// Longest wait for a start (the store opened, `/healthz` answering).
const START_WITHIN: Duration = Duration::from_secs(40);

/// The configuration: every day open around the clock, no buffer or notice, no daily
/// limit to speak of, mail looked at every second and tried again within 2 s, the
/// spool every 50 ms, Google pulled every second, no scheduled mail.
fn config(
    address: &str,
    state: &Path,
    credentials: &Path,
    sink: &SmtpSink,
    google: &FakeGoogle,
) -> String {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .map(|day| format!("    {day}: [\"00:00-24:00\"]\n"))
    .concat();
    format!(
        "server:\n  listen: \"{address}\"\n  rate_limit_per_minute: 0\n  shutdown_grace_seconds: 2\n\
         storage:\n  data_dir: \"{state}\"\n\
         availability:\n  working_hours:\n{days}  buffer_minutes: 0\n  minimum_notice_minutes: 0\n  max_appointments_per_day: 1000\n  horizon_days: 30\n\
         mail:\n  transport: \"smtp\"\n  smtp:\n    host: \"127.0.0.1\"\n    port: {port}\n    security: \"none\"\n  max_retry_seconds: 2\n  poll_seconds: 1\n  inbox_poll_millis: 50\n  sender_limit_per_hour: 10000\n\
         google:\n  enabled: true\n  credentials_file: \"{credentials}\"\n  poll_interval_seconds: 1\n  base_url: \"{base}\"\n  token_url: \"{token}\"\n\
         reminders:\n  before_minutes: []\n  schedule: \"off\"\n\
         follow_ups:\n  schedule: \"off\"\n\
         agenda:\n  schedule: \"off\"\n\
         log:\n  level: \"info\"\n",
        state = state.display(),
        credentials = credentials.display(),
        port = sink.port,
        base = google.base_url(),
        token = google.token_url(),
    )
}

/// A plain HTTP client of the process: a new connection per request (a pooled one
/// may belong to a killed process), every answer awaited at most [`ANSWER_WITHIN`].
#[derive(Clone)]
pub struct Http {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// `Basic …` for the admin of the process under test.
pub fn admin() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("domina:{PASSWORD}"))
    )
}

impl Http {
    fn new(address: &str) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build_http();
        Self {
            base: format!("http://{address}"),
            client,
        }
    }

    /// Sends a request; the status and body, or why there was no answer (the process
    /// was killed, refused the connection, or took too long).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Result<(u16, String), String> {
        let mut builder = hyper::Request::builder()
            .method(Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?)
            .uri(format!("{}{path}", self.base));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
        };
        tokio::time::timeout(ANSWER_WITHIN, exchange)
            .await
            .map_err(|_| "no answer in time".to_string())?
    }
}

/// The process under test and everything it is started with.
pub struct Rig {
    address: String,
    config_file: PathBuf,
    state: PathBuf,
    logs: PathBuf,
    child: Option<Child>,
    /// How many times it was started.
    pub starts: usize,
    /// How many times it was SIGKILLed.
    pub kills: usize,
}

impl Rig {
    /// Writes the configuration and the Google credentials under `dir`.
    pub fn new(dir: &Path, sink: &SmtpSink, google: &FakeGoogle) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let credentials = dir.join("google.json");
        std::fs::write(
            &credentials,
            r#"{"type": "authorized_user", "client_id": "crash", "client_secret": "secret", "refresh_token": "refresh"}"#,
        )
        .expect("credentials written");
        let state = dir.join("state");
        let config_file = dir.join("kairos.yaml");
        std::fs::write(
            &config_file,
            config(&address, &state, &credentials, sink, google),
        )
        .expect("configuration written");
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).expect("log directory");
        Self {
            address,
            config_file,
            state,
            logs,
            child: None,
            starts: 0,
            kills: 0,
        }
    }

    /// Its data directory.
    pub fn state(&self) -> &Path {
        &self.state
    }

    /// A client of it.
    pub fn http(&self) -> Http {
        Http::new(&self.address)
    }

    /// Starts it (its log in `logs/start-N.log`) and waits until `/healthz` answers.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "one process at a time");
        self.starts += 1;
        let log = self.logs.join(format!("start-{}.log", self.starts));
        let stderr = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kairos"))
            .arg("serve")
            .arg("--config")
            .arg(&self.config_file)
            .env_remove("KAIROS_LISTEN")
            .env_remove("KAIROS_DATA_DIR")
            .env_remove("RUST_LOG")
            .env("KAIROS_ADMIN_PASSWORD", PASSWORD)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("kairos starts");
        let http = self.http();
        let deadline = tokio::time::Instant::now() + START_WITHIN;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "start {} ended at once ({status}):\n{}",
                    self.starts,
                    log_tail(&log)
                );
            }
            if let Ok((200, _)) = http.send("GET", "/healthz", None, &[]).await {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "start {} did not answer /healthz within {START_WITHIN:?}:\n{}",
                self.starts,
                log_tail(&log)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.child = Some(child);
    }

    /// SIGKILLs it and waits until it is gone (its store lock released).
    pub async fn kill(&mut self) {
        let mut child = self.child.take().expect("a running process");
        child.kill().await.expect("killed");
        self.kills += 1;
    }

    /// The last lines of the newest log.
    pub fn last_log(&self) -> String {
        log_tail(&self.logs.join(format!("start-{}.log", self.starts)))
    }

    /// The WARN and ERROR lines of every start's log, told apart by their words
    /// (numbers and times left out), each with how often it came.
    pub fn warnings(&self) -> Vec<(usize, String)> {
        let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
        for start in 1..=self.starts {
            let text = std::fs::read_to_string(self.logs.join(format!("start-{start}.log")))
                .unwrap_or_default();
            for line in text.lines() {
                let Some(level) = [" WARN ", " ERROR "].iter().find(|l| line.contains(**l)) else {
                    continue;
                };
                let mut words = String::new();
                for c in line[line.find(level).unwrap_or(0)..].chars().take(110) {
                    // A run of digits (an id, a time) is one `#`.
                    if !c.is_ascii_digit() {
                        words.push(c);
                    } else if !words.ends_with('#') {
                        words.push('#');
                    }
                }
                *kinds.entry(words).or_default() += 1;
            }
        }
        let mut counted: Vec<(usize, String)> = kinds.into_iter().map(|(k, n)| (n, k)).collect();
        counted.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
        counted
    }

    /// Spools mail as an MTA would.
    pub fn ingester(&self) -> Ingester {
        Ingester {
            config_file: self.config_file.clone(),
        }
    }
}

/// `kairos ingest-mail` with the configuration of the process under test (it works
/// whether the server runs or not).
#[derive(Clone)]
pub struct Ingester {
    config_file: PathBuf,
}

impl Ingester {
    /// Runs `kairos ingest-mail` with `message` on standard input; true when it exited
    /// 0 (the message is safely in the spool).
    pub async fn ingest(&self, message: &[u8]) -> bool {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kairos"))
            .arg("ingest-mail")
            .arg("--config")
            .arg(&self.config_file)
            .env_remove("KAIROS_DATA_DIR")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("kairos ingest-mail runs");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(message).await.expect("message written");
        drop(stdin);
        let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
            .await
            .expect("ingest-mail ends within 30 s")
            .expect("ingest-mail ran");
        if !output.status.success() {
            eprintln!(
                "ingest-mail failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        output.status.success()
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
