//! Test support: a real Kairos server on 127.0.0.1:0 with a temporary data directory
//! and a settable clock, and a small JSON client for it.

pub mod dovecot;
pub mod fake_google;
pub mod smtp_sink;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use http_body_util::{BodyExt, Full};
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kairos::config::{Config, Secret};
use kairos::domain::SettableClock;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The admin password every test server uses.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// Monday 2026-03-02 08:00 in New York: the tests' "now".
pub fn monday_morning() -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc)
}

/// A running server.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The clock the server reads.
    pub clock: Arc<SettableClock>,
    data_dir: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// A response: status, headers and the body parsed as JSON (Null when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Value,
}

impl TestServer {
    /// A server on a fresh data directory, the clock at [`monday_morning`].
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, Arc::new(SettableClock::new(monday_morning())), |_| {}).await
    }

    /// A server on `dir` reading `clock`, its demo configuration adjusted by `adjust`.
    pub async fn start_with(
        dir: &Path,
        clock: Arc<SettableClock>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::demo();
        config.data_dir = dir.to_path_buf();
        config.admin_password = Some(Secret::new(ADMIN_PASSWORD));
        config.server.shutdown_grace = std::time::Duration::from_secs(5);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let address = listener.local_addr().expect("bound");
        config.server.public_url = format!("http://{address}");
        // Scheduled mail that a test did not ask for would only confuse its count.
        config.follow_ups.schedule = None;
        config.agenda.schedule = None;
        adjust(&mut config);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server_clock: Arc<dyn kairos::domain::Clock> = clock.clone();
        let task = tokio::spawn(kairos::app::run_with_clock(
            config,
            listener,
            async {
                let _ = stopped.await;
            },
            server_clock,
        ));
        let client = Client::builder(TokioExecutor::new()).build_http();
        let mut server = Self {
            base: format!("http://{address}"),
            clock,
            data_dir: dir.to_path_buf(),
            shutdown: Some(shutdown),
            task: Some(task),
            client,
        };
        server.wait_until_healthy().await;
        server
    }

    async fn wait_until_healthy(&mut self) {
        // Up to 20 s: a loaded machine (CI building beside the tests) opens stores slowly.
        for _ in 0..800 {
            if self.task.as_ref().is_some_and(|task| task.is_finished()) {
                let task = self.task.take().expect("the server task");
                panic!("the test server stopped at start: {:?}", task.await);
            }
            let reply = self.try_send(Method::GET, "/healthz", None, &[]).await;
            if reply.is_ok_and(|reply| reply.status == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the test server did not become healthy");
    }

    /// Its data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the server gracefully and waits until its store is closed.
    pub async fn stop(mut self) -> PathBuf {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await
                .expect("server task did not panic")
                .expect("server stopped cleanly");
        }
        self.data_dir.clone()
    }

    async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<Bytes>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Sends a request and returns the reply.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.try_send(
            method,
            path,
            body.map(|b| Bytes::from(b.to_string())),
            headers,
        )
        .await
        .expect("the server answers")
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    /// GET with the admin credentials.
    pub async fn get_as_admin(&self, path: &str) -> Reply {
        let auth = admin_header();
        self.send(Method::GET, path, None, &[("authorization", &auth)])
            .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A raw response: status, headers and the body as text.
pub struct RawReply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub text: String,
}

impl RawReply {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

impl TestServer {
    /// Sends any method (PROPFIND, REPORT, …) with a text body; `admin` adds the
    /// admin credentials.
    pub async fn dav(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
        admin: bool,
    ) -> RawReply {
        let mut builder = hyper::Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("valid method"))
            .uri(format!("{}{path}", self.base));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if admin {
            builder = builder.header("authorization", admin_header());
        }
        let body = Bytes::from(body.unwrap_or_default().to_string());
        let request = builder.body(Full::new(body)).expect("valid request");
        let response = self
            .client
            .request(request)
            .await
            .expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        RawReply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// `Basic …` for the admin.
pub fn admin_header() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("domina:{ADMIN_PASSWORD}"))
    )
}

/// A booking body for `start` (RFC 3339) with this email.
pub fn booking(start: &str, email: &str) -> String {
    serde_json::json!({
        "name": "Test Client",
        "email": email,
        "startTime": start,
        "duration": 30,
        "meetingType": "consultation",
        "purpose": "Quarterly review",
        "timezone": "America/New_York",
    })
    .to_string()
}

/// POSTs `body` to `path` of the server at `address` over a plain connection (for a
/// `kairos` process, not a `TestServer`); the status and the body.
pub async fn post_raw(address: &str, path: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("the server answers");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A job schedule that runs every second.
pub fn every_second() -> kairos::config::Schedule {
    kairos::config::Schedule::parse("* * * * * *").expect("a valid schedule")
}

/// A loopback port nothing listens on yet (for a `kairos` process started by a test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
