//! `SmtpSink`: a real SMTP server on 127.0.0.1:0 that keeps every message it accepts,
//! with a switch to make it answer "try again later" (451), refuse for good (550) or
//! never answer a message at all, so tests can watch delivery, retries, failures and
//! crashes mid-delivery over a real SMTP conversation.

use std::sync::{Arc, Mutex};

use kairos::config::{Config, MailSecurity, MailTransport, SmtpConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How the sink answers a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkMode {
    /// 250: accepted and kept.
    Accept,
    /// 451 after DATA: a passing failure.
    Defer,
    /// 550 at RCPT: refused for good.
    Reject,
    /// A message whose Subject starts with this is read to its end and never answered:
    /// the conversation hangs, as with a stuck server, until the client goes away.
    /// Other messages are accepted.
    Hold(&'static str),
}

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// MAIL FROM.
    pub from: String,
    /// RCPT TO, each.
    pub to: Vec<String>,
    /// The message as sent (dot-stuffing undone, CRLF line ends).
    pub data: String,
    /// When the sink accepted it.
    pub at: std::time::Instant,
}

impl Received {
    /// The value of header `name` (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

#[derive(Default)]
struct State {
    mode: Option<SinkMode>,
    received: Vec<Received>,
    held: Vec<Received>,
    attempts: usize,
}

/// The sink; stops when dropped.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// A sink accepting everything.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("bound").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, Arc::clone(&shared)));
            }
        });
        Self { port, state, task }
    }

    /// A configuration change sending mail to this sink, with the mail jobs looking
    /// often (so tests do not wait).
    pub fn configure(&self) -> impl FnOnce(&mut Config) + use<> {
        let port = self.port;
        move |config: &mut Config| {
            config.mail.transport = MailTransport::Smtp(SmtpConfig {
                host: "127.0.0.1".into(),
                port,
                security: MailSecurity::None,
                credentials: None,
            });
            config.mail.poll = std::time::Duration::from_millis(50);
            config.mail.inbox_poll = std::time::Duration::from_millis(20);
        }
    }

    /// Changes how later messages are answered.
    pub fn set_mode(&self, mode: SinkMode) {
        self.state.lock().expect("sink state").mode = Some(mode);
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").received.clone()
    }

    /// Every message held unanswered so far (`SinkMode::Hold`).
    pub fn held(&self) -> Vec<Received> {
        self.state.lock().expect("sink state").held.clone()
    }

    /// How many messages were offered (DATA or RCPT reached), accepted or not.
    pub fn attempts(&self) -> usize {
        self.state.lock().expect("sink state").attempts
    }

    /// Waits up to `seconds` for at least `count` accepted messages; returns them.
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let received = self.received();
            if received.len() >= count || tokio::time::Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn converse(stream: TcpStream, state: Arc<Mutex<State>>) {
    // As mail servers do: answers go out at once, not held back by Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mode = || {
        state
            .lock()
            .expect("sink state")
            .mode
            .unwrap_or(SinkMode::Accept)
    };
    let mut from = String::new();
    let mut to = Vec::new();
    if write.write_all(b"220 sink.test ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_string();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let answer: String = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into(),
            "HELO" => "250 sink.test\r\n".into(),
            "MAIL" => {
                from = address(&command);
                to.clear();
                "250 OK\r\n".into()
            }
            "RCPT" => {
                if mode() == SinkMode::Reject {
                    state.lock().expect("sink state").attempts += 1;
                    "550 5.1.1 no such mailbox\r\n".into()
                } else {
                    to.push(address(&command));
                    "250 OK\r\n".into()
                }
            }
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                    data.push_str(unstuffed);
                }
                let message = Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                    at: std::time::Instant::now(),
                };
                // The answer, or `None` to hold the message unanswered.
                let answer = {
                    let mut state = state.lock().expect("sink state");
                    state.attempts += 1;
                    match state.mode.unwrap_or(SinkMode::Accept) {
                        SinkMode::Defer => Some("451 4.3.0 try again later\r\n"),
                        SinkMode::Hold(prefix)
                            if message
                                .header("Subject")
                                .is_some_and(|subject| subject.starts_with(prefix)) =>
                        {
                            state.held.push(message);
                            None
                        }
                        _ => {
                            state.received.push(message);
                            Some("250 OK queued\r\n")
                        }
                    }
                };
                let Some(answer) = answer else {
                    // Never answered: read on until the client hangs up.
                    loop {
                        line.clear();
                        match lines.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                    }
                };
                answer.into()
            }
            "RSET" | "NOOP" => "250 OK\r\n".into(),
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "502 not implemented\r\n".into(),
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The address inside `<…>` of a MAIL or RCPT command.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .unwrap_or_default()
}
