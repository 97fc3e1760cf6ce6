//! The server's life: graceful shutdown that lets requests in flight finish, and the
//! `kairos` binary's start-up errors, logging and SIGTERM handling.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use hyper::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{TestServer, booking};

#[tokio::test]
async fn a_request_in_flight_at_shutdown_completes_and_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let address = server.base.trim_start_matches("http://").to_string();
    let body = booking("2026-03-03T10:00:00-05:00", "inflight@example.com");
    let (head, tail) = body.split_at(body.len() / 2);

    // Send the headers and half the body, then ask the server to stop.
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connects");
    let request = format!(
        "POST /api/appointments HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("writes");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopping.is_finished(),
        "the server waits for the request in flight"
    );

    stream
        .write_all(tail.as_bytes())
        .await
        .expect("writes the rest");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("reads the answer");
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    stopping.await.expect("stopped");

    // The booking survived the stop.
    let server = TestServer::start(dir.path()).await;
    let again = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "other@example.com"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

fn kairos() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kairos"));
    command
        .env_remove("RUST_LOG")
        .env_remove("KAIROS_LISTEN")
        .env_remove("KAIROS_DATA_DIR");
    command
}

#[test]
fn an_unknown_config_key_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.yaml");
    std::fs::write(
        &path,
        "server:\n  listen: \"127.0.0.1:0\"\navailability:\n  bufer_minutes: 10\n",
    )
    .expect("writes");
    let output = kairos()
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("availability.bufer_minutes"), "{stderr}");

    let missing = kairos()
        .args(["--config", "/nonexistent/kairos.yaml"])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/kairos.yaml"));
}

#[test]
fn the_binary_serves_logs_where_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("state");
    let mut child = kairos()
        .arg("serve")
        .env("KAIROS_LISTEN", "127.0.0.1:0")
        .env("KAIROS_DATA_DIR", &data)
        .env("KAIROS_ADMIN_PASSWORD", "from-the-environment")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines();
    let mut listening = None;
    let mut data_logged = false;
    for line in lines.by_ref().take(50) {
        let line = line.expect("utf-8 log");
        if let Some(at) = line.find("listening on http://") {
            listening = Some(
                line[at + "listening on http://".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
        }
        data_logged |= line.contains("data in") && line.contains("state");
        if listening.is_some() && data_logged {
            break;
        }
    }
    let address = listening.expect("logs where it listens");
    assert!(data_logged, "logs where its data lives");
    let mut stream = std::net::TcpStream::connect(&address).expect("connects");
    use std::io::{Read, Write};
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let exit = child.wait().expect("exits");
    assert!(exit.success(), "{exit:?} {rest:?}");
    assert!(
        rest.iter().any(|line| line.contains("store flushed")),
        "{rest:?}"
    );
    assert!(data.join("db").exists());
}
