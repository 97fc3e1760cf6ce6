//! What the real `kairos` process writes to its log at info level while it is booked,
//! managed, logged into (rightly and wrongly) and sent mail: one line per request, and
//! never a password, a credential, a manage token, what a booking is about or what
//! an email says.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;

use crate::support::{booking, free_port, post_raw};

const PASSWORD: &str = "log-test-password-4711";
const PURPOSE: &str = "Confidential merger of Acme and Globex";
const MAIL_BODY: &str = "Private words: the vault code is 8124";

async fn request(address: &str, head: &str) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream
        .write_all(format!("{head}\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("an answer");
    answer
}

/// 10:00 in New York on a Wednesday one to two weeks from now (the wall clock the
/// process reads): within the demo host's hours and booking horizon.
#[allow(clippy::disallowed_methods)] // the `kairos` process reads the wall clock too
fn bookable_start() -> String {
    use chrono::{Datelike as _, Weekday};
    let mut day = (chrono::Utc::now() + chrono::Duration::days(7)).date_naive();
    while day.weekday() != Weekday::Wed {
        day = day.succ_opt().expect("a day");
    }
    let start = day
        .and_hms_opt(10, 0, 0)
        .and_then(|at| at.and_local_timezone(chrono_tz::America::New_York).single())
        .expect("10:00 exists");
    start.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[tokio::test]
async fn the_info_log_names_requests_but_no_secret_token_purpose_or_mail_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let address = format!("127.0.0.1:{}", free_port());
    let config_file = dir.path().join("kairos.yaml");
    std::fs::write(
        &config_file,
        format!(
            "server:\n  listen: \"{address}\"\n  failed_login_delay_ms: 0\nstorage:\n  data_dir: \"{}\"\nmail:\n  poll_seconds: 1\nlog:\n  level: \"info\"\n",
            dir.path().join("state").display()
        ),
    )
    .expect("written");
    let log_file = dir.path().join("kairos.log");
    let command = |args: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kairos"));
        command
            .args(args)
            .arg("--config")
            .arg(&config_file)
            .env_remove("KAIROS_LISTEN")
            .env_remove("KAIROS_DATA_DIR")
            .env_remove("RUST_LOG")
            .env("KAIROS_ADMIN_PASSWORD", PASSWORD)
            .kill_on_drop(true);
        command
    };
    let log = std::fs::File::create(&log_file).expect("log file");
    let mut server = command(&["serve"])
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .expect("kairos starts");
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(&address).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    // A booking about something private, then its manage link and API view.
    let mut body: serde_json::Value =
        serde_json::from_str(&booking(&bookable_start(), "ada@example.com")).expect("json");
    body["purpose"] = PURPOSE.into();
    let (status, answer) = post_raw(&address, "/api/appointments", &body.to_string()).await;
    assert_eq!(status, 201, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).expect("json");
    let id = answer["appointment"]["id"].as_str().expect("an id");
    let manage = answer["appointment"]["manageUrl"].as_str().expect("a link");
    let token = manage.rsplit('/').next().expect("a token");
    let path = manage.split_once(&address).expect("on this server").1;
    assert!(
        request(&address, &format!("GET {path} HTTP/1.1"))
            .await
            .starts_with("HTTP/1.1 200")
    );
    let view = format!("GET /api/appointments/{id}?token={token} HTTP/1.1");
    assert!(request(&address, &view).await.starts_with("HTTP/1.1 200"));

    // The admin logs in rightly and wrongly.
    let right = basic("domina", PASSWORD);
    let wrong = basic("domina", "wrong-password-0815");
    let admin = format!("GET /admin HTTP/1.1\r\nAuthorization: Basic {right}");
    assert!(request(&address, &admin).await.starts_with("HTTP/1.1 200"));
    let guess = format!("PROPFIND /dav/ HTTP/1.1\r\nDepth: 0\r\nAuthorization: Basic {wrong}");
    assert!(request(&address, &guess).await.starts_with("HTTP/1.1 401"));

    // A mail arrives through the MTA pipe and is processed.
    let mail = format!(
        "From: Bob <bob@example.com>\r\nTo: book@example.com\r\nSubject: Re: our meeting\r\nMessage-ID: <log-test@example.com>\r\nDate: Tue, 3 Mar 2026 09:00:00 -0500\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{MAIL_BODY}\r\nThursday at 3 works.\r\n"
    );
    let mut ingest = command(&["ingest-mail"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ingest-mail starts");
    let mut stdin = ingest.stdin.take().expect("stdin");
    stdin.write_all(mail.as_bytes()).await.expect("written");
    drop(stdin);
    let ingested = ingest.wait_with_output().await.expect("ingest-mail ends");
    assert!(ingested.status.success());
    let ingest_log = String::from_utf8_lossy(&ingested.stderr).into_owned();
    let spool = dir.path().join("state/mail/inbox");
    for _ in 0..400 {
        let waiting = std::fs::read_dir(spool.join("new")).map_or(0, Iterator::count);
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill().await.expect("stopped");

    let log = std::fs::read_to_string(&log_file).expect("the log") + &ingest_log;
    assert!(
        log.contains("/api/appointments") && log.contains("/manage/…"),
        "one line per request, the manage token masked:\n{log}"
    );
    for secret in [
        PASSWORD,
        right.as_str(),
        wrong.as_str(),
        "wrong-password-0815",
        token,
        PURPOSE,
        "vault code",
        "Thursday at 3",
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}
