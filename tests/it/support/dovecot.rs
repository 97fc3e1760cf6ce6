//! A real Dovecot IMAP server (Debian `dovecot-imapd`) on loopback for one test: its
//! own configuration, a test certificate authority and server certificate made with
//! `openssl`, one user with a password, Maildir storage in a temporary directory.
//! Stopped when dropped.

use super::free_port;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

/// The one mail user.
pub const USER: &str = "book";
/// Its password.
pub const PASSWORD: &str = "dovecot-test-password";

/// A running Dovecot.
pub struct Dovecot {
    /// Port of the plain (and STARTTLS) listener.
    pub plain_port: u16,
    /// Port of the TLS listener.
    pub tls_port: u16,
    /// The test CA's certificate (PEM), which signed the server's.
    pub ca_file: PathBuf,
    dir: TempDir,
    child: Child,
}

/// Runs `program` with the whitespace-separated `args` in `dir`; it must succeed.
fn run(program: &str, args: &str, dir: &Path) {
    let args: Vec<&str> = args.split_whitespace().collect();
    let output = Command::new(program)
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not be started: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn output_of(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not be started: {e}"));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A CA and a server certificate for localhost / 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) {
    let key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    run(
        "openssl",
        &format!(
            "req -x509 {key} -keyout ca.key -out ca.pem -days 2 -subj /CN=Kairos-test-CA \
             -addext basicConstraints=critical,CA:TRUE \
             -addext keyUsage=critical,keyCertSign,cRLSign"
        ),
        dir,
    );
    run(
        "openssl",
        &format!("req {key} -keyout server.key -out server.csr -subj /CN=localhost"),
        dir,
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions written");
    run(
        "openssl",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
         -out server.pem -days 2 -extfile server.ext",
        dir,
    );
}

impl Dovecot {
    /// Starts Dovecot (`dovecot -F`) and waits until both listeners accept.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        // Dovecot's processes run as other users when started by root: let them in.
        run("chmod", &format!("0755 {}", root.display()), root);
        make_certificates(root);
        let mail = root.join("mail");
        std::fs::create_dir_all(&mail).expect("mail dir");
        run("chmod", &format!("0777 {}", mail.display()), root);
        std::fs::write(
            root.join("users"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .expect("users written");
        let is_root = output_of("id", &["-u"]) == "0";
        // Root runs Dovecot's helpers as its packaged users and the mail as nobody
        // (Dovecot refuses mail access as root); anyone else runs all of it as self.
        let (accounts, mail_uid, mail_gid) = if is_root {
            (String::new(), "65534".to_string(), "65534".to_string())
        } else {
            let me = output_of("id", &["-un"]);
            (
                format!("default_internal_user = {me}\ndefault_login_user = {me}\n"),
                output_of("id", &["-u"]),
                output_of("id", &["-g"]),
            )
        };
        let plain_port = free_port();
        let tls_port = free_port();
        let root_text = root.display();
        let config = format!(
            "protocols = imap
listen = 127.0.0.1
base_dir = {root_text}/run
state_dir = {root_text}/state
log_path = {root_text}/dovecot.log
{accounts}ssl = yes
ssl_cert = <{root_text}/server.pem
ssl_key = <{root_text}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root_text}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root_text}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root_text}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"
        );
        let config_file = root.join("dovecot.conf");
        std::fs::write(&config_file, config).expect("config written");
        let child = Command::new(dovecot_binary())
            .arg("-F")
            .arg("-c")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dovecot starts (Debian package dovecot-imapd)");
        let dovecot = Self {
            plain_port,
            tls_port,
            ca_file: root.join("ca.pem"),
            dir,
            child,
        };
        for port in [plain_port, tls_port] {
            dovecot.wait_for_port(port).await;
        }
        dovecot
    }

    async fn wait_for_port(&self, port: u16) {
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("Dovecot did not listen on {port}:\n{}", self.log());
    }

    /// Dovecot's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// A logged-in session over the plain listener, as another mail client would have.
    pub async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.plain_port))
            .await
            .expect("connects");
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .expect("greeting read")
            .expect("a greeting");
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(error, _)| error)
            .expect("logs in")
    }

    /// Puts `message` into INBOX, as the provider's mail server would on delivery.
    pub async fn deliver(&self, message: &[u8]) {
        let mut session = self.session().await;
        session
            .append("INBOX", None, None, message)
            .await
            .expect("appended");
        session.logout().await.ok();
    }
}

/// `dovecot` on the PATH, else where Debian puts it.
fn dovecot_binary() -> PathBuf {
    let packaged = PathBuf::from("/usr/sbin/dovecot");
    if packaged.exists() {
        packaged
    } else {
        PathBuf::from("dovecot")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
