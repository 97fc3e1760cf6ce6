//! What an operator runs through the real binary: built-in TLS (HTTPS with HTTP/2 and
//! HTTP/1.1 by ALPN, plain HTTP refused on its port, start-up errors naming the key of
//! the file at fault) and JSON log lines.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper::{StatusCode, Version};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio_rustls::rustls;

/// A self-signed certificate for 127.0.0.1 and localhost, made now: (cert PEM, key PEM).
fn self_signed() -> (String, String) {
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let made = rcgen::generate_simple_self_signed(names).expect("a certificate");
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// `kairos serve` on a free loopback port with `config` (YAML) and a fresh data dir.
fn kairos(dir: &Path, config: &str) -> Command {
    let file = dir.join("kairos.yaml");
    std::fs::write(&file, config).expect("config written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_kairos"));
    command
        .arg("serve")
        .arg("--config")
        .arg(file)
        .env("KAIROS_LISTEN", "127.0.0.1:0")
        .env("KAIROS_DATA_DIR", dir.join("state"))
        .env("KAIROS_ADMIN_PASSWORD", "operations-test")
        .env_remove("RUST_LOG")
        .env_remove("KAIROS_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The TLS section naming `cert` and `key`, with JSON logs.
fn tls_config(cert: &Path, key: &Path) -> String {
    format!(
        "server:\n  tls:\n    cert_file: \"{}\"\n    key_file: \"{}\"\nlog:\n  format: \"json\"\n",
        cert.display(),
        key.display()
    )
}

/// Reads the child's JSON log lines (each must be one JSON object) until it says
/// where it listens; that address. The rest of its log is read (and dropped) on a
/// thread of its own, so that its writes never fail.
fn listening_address(child: &mut Child) -> String {
    let stderr = child.stderr.take().expect("piped");
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref().take(50) {
        let line = line.expect("UTF-8 logs");
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            event["level"].is_string() && event["timestamp"].is_string(),
            "{line}"
        );
        let message = event["message"].as_str().expect("a message");
        if let Some(address) = message.strip_prefix("Kairos listening on https://") {
            std::thread::spawn(move || lines.for_each(drop));
            return address.to_string();
        }
    }
    panic!("kairos did not say where it listens");
}

/// A client trusting only `cert_pem`, offering HTTP/1.1 and (with `http2`) HTTP/2 by
/// ALPN.
fn client(
    cert_pem: &str,
    http2: bool,
) -> Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Empty<Bytes>,
> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("a certificate");
    roots.add(cert).expect("a root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only()
        .enable_http1();
    let connector = if http2 {
        connector.enable_http2().build()
    } else {
        connector.build()
    };
    Client::builder(TokioExecutor::new()).build(connector)
}

/// A `kairos` process, killed when dropped (also when a test fails).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_speaks_https_with_h2_and_http1_and_refuses_plain_http() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = self_signed();
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, &cert).expect("written");
    std::fs::write(&key_file, &key).expect("written");
    let mut child = Running(
        kairos(dir.path(), &tls_config(&cert_file, &key_file))
            .spawn()
            .expect("kairos starts"),
    );
    let address = listening_address(&mut child.0);

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for (http2, version) in [(true, Version::HTTP_2), (false, Version::HTTP_11)] {
        let client = client(&cert, http2);
        let uri = format!("https://{address}/healthz");
        let (status, got, body) = runtime.block_on(async {
            let response = client
                .get(uri.parse().expect("a URI"))
                .await
                .expect("answers");
            let status = response.status();
            let got = response.version();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("a body")
                .to_bytes();
            (status, got, body)
        });
        assert_eq!((status, got), (StatusCode::OK, version), "{body:?}");
    }

    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = std::net::TcpStream::connect(&address).expect("connects");
    plain
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout set");
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("writes");
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[test]
fn a_server_whose_log_pipe_closed_keeps_serving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let mut child = Running(
        kairos(dir.path(), "log:\n  level: \"debug\"\n")
            .env("KAIROS_LISTEN", &address)
            .spawn()
            .expect("kairos starts"),
    );
    // The log's reader goes away after the first line (a log collector restarting).
    let stderr = child.0.stderr.take().expect("piped");
    let mut first = String::new();
    BufReader::new(stderr)
        .read_line(&mut first)
        .expect("a log line");
    let healthz = || {
        let mut stream = std::net::TcpStream::connect(&address).ok()?;
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .ok()?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let mut answers = 0;
    for _ in 0..200 {
        match healthz() {
            Some(answer) if answer.starts_with("HTTP/1.1 200") => answers += 1,
            _ if answers > 0 => panic!("the server stopped answering after {answers} answers"),
            _ => std::thread::sleep(std::time::Duration::from_millis(25)),
        }
        if answers == 20 {
            break;
        }
    }
    assert_eq!(
        answers, 20,
        "every request logged at debug, none can be written"
    );
    assert_eq!(child.0.try_wait().expect("a status"), None, "still running");
}

#[test]
fn tls_files_that_cannot_be_used_stop_start_up_naming_their_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = self_signed();
    let (_, other_key) = self_signed();
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let (cert_file, key_file) = (write("cert.pem", &cert), write("key.pem", &key));
    let missing = dir.path().join("missing.pem");
    let garbage = write("garbage.pem", "not a PEM file\n");
    let other_key = write("other-key.pem", &other_key);
    let cases = [
        (
            missing.clone(),
            key_file.clone(),
            "server.tls.cert_file: cannot read",
        ),
        (
            cert_file.clone(),
            missing,
            "server.tls.key_file: cannot read",
        ),
        (key_file.clone(), key_file.clone(), "server.tls.cert_file:"),
        (
            garbage.clone(),
            key_file.clone(),
            "holds no PEM certificate",
        ),
        (cert_file.clone(), garbage, "server.tls.key_file:"),
        (
            cert_file.clone(),
            cert_file.clone(),
            "holds no PEM private key",
        ),
        (
            cert_file,
            other_key,
            "server.tls: the certificate and key cannot be used together",
        ),
    ];
    for (cert, key, complaint) in cases {
        let config = tls_config(&cert, &key).replace("\"json\"", "\"text\"");
        let output = kairos(dir.path(), &config).output().expect("runs");
        assert!(!output.status.success(), "{complaint}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(complaint), "{complaint}: {stderr}");
    }
    let half = "server:\n  tls:\n    cert_file: \"c.pem\"\n";
    let output = kairos(dir.path(), half).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("server.tls.key_file"));
}
