//! Connections that hold a place without using it: a client that connects and says
//! nothing, one that trickles its request head (slowloris) or its body, and ten
//! thousand idle connections at once — none of them stops new clients from being served.

use std::sync::Arc;
use std::time::Duration;

use kairos::domain::SettableClock;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{TestServer, free_port, monday_morning};

async fn server_with(
    adjust: impl FnOnce(&mut kairos::config::Config),
) -> (TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, adjust).await;
    (server, dir)
}

fn address(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (up to `within`); what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut answer)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&answer).into_owned())
}

/// One whole request on a fresh connection; the status line.
async fn status_line(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let head = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("sent");
    let answer = until_closed(&mut stream, Duration::from_secs(20))
        .await
        .expect("answered");
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_silent_connection_and_a_trickled_head_are_closed_after_the_header_timeout() {
    let (server, _dir) = server_with(|config| {
        config.server.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let address = address(&server);
    let mut silent = TcpStream::connect(&address).await.expect("connects");
    let mut trickling = TcpStream::connect(&address).await.expect("connects");
    trickling
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .expect("sent");
    let trickle = async {
        // One header byte every 100 ms: the head never completes in time.
        for byte in
            b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter()
        {
            if trickling.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), trickling.read_to_end(&mut rest))
            .await
            .is_ok()
    };
    let (silent_closed, trickle_closed) =
        tokio::join!(until_closed(&mut silent, Duration::from_secs(10)), trickle);
    assert_eq!(silent_closed.as_deref(), Some(""), "closed without a word");
    assert!(trickle_closed, "the slow head was cut off");
    assert_eq!(status_line(&address, "/healthz").await, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let (server, _dir) = server_with(|config| {
        config.server.body_read_timeout = Duration::from_secs(1);
    })
    .await;
    let address = address(&server);
    let mut stream = TcpStream::connect(&address).await.expect("connects");
    let head = format!(
        "POST /api/appointments HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{{\"name\": \"Slow"
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    let answer = until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
}

#[tokio::test]
async fn a_place_held_by_an_idle_connection_is_freed_for_a_waiting_client() {
    let (server, _dir) = server_with(|config| {
        config.server.max_connections = 3;
        config.server.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let address = address(&server);
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(&address).await.expect("connects"));
    }
    // A fourth client waits in the listen queue until an idle place is let go.
    let line = tokio::time::timeout(Duration::from_secs(20), status_line(&address, "/healthz"))
        .await
        .expect("served once the idle connections timed out");
    assert_eq!(line, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn ten_thousand_idle_connections_do_not_stop_new_clients() {
    const IDLE: usize = 10_000;
    // This process holds the idle connections; the server runs as its own process.
    let limit = rlimit::increase_nofile_limit(IDLE as u64 + 1_000).expect("the file limit");
    assert!(
        limit >= IDLE as u64 + 500,
        "this test needs {IDLE} sockets; the file limit here is {limit} (ulimit -Hn)"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let address = format!("127.0.0.1:{}", free_port());
    let config_file = dir.path().join("kairos.yaml");
    std::fs::write(
        &config_file,
        format!(
            "server:\n  listen: \"{address}\"\n  header_read_timeout_seconds: 120\nstorage:\n  data_dir: \"{}\"\nlog:\n  level: \"warn\"\n",
            dir.path().join("state").display()
        ),
    )
    .expect("written");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kairos"))
        .arg("serve")
        .arg("--config")
        .arg(&config_file)
        .env_remove("KAIROS_LISTEN")
        .env_remove("KAIROS_DATA_DIR")
        .env_remove("RUST_LOG")
        .env("KAIROS_ADMIN_PASSWORD", "idle-test")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("kairos starts");
    for _ in 0..400 {
        if TcpStream::connect(&address).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    // Half say nothing, half send an unfinished request head.
    let mut idle = Vec::with_capacity(IDLE);
    for n in 0..IDLE {
        let mut stream = TcpStream::connect(&address).await.expect("connects");
        if n % 2 == 1 {
            stream.write_all(b"GET / HTTP/1.1\r\n").await.expect("sent");
        }
        idle.push(stream);
    }
    // New clients are served while all of them are held.
    for path in ["/healthz", "/", "/healthz"] {
        let line = tokio::time::timeout(Duration::from_secs(30), status_line(&address, path))
            .await
            .expect("served while ten thousand connections idle");
        assert!(line.starts_with("HTTP/1.1 200"), "{path}: {line}");
    }
    // The idle connections are still open (the server did not shed them to cope).
    let mut open = 0;
    for stream in &idle {
        let mut probe = [0u8; 1];
        match stream.try_read(&mut probe) {
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => open += 1,
            _ => {}
        }
    }
    assert_eq!(open, IDLE, "every idle connection is still held");
    drop(idle);
    child.kill().await.ok();
}
