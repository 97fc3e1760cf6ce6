//! Mail for the booking address fetched from an IMAP mailbox at a mail provider. Each
//! message that arrived since the last look is copied into the inbound spool — the one
//! place mail is processed from — then the highest UID copied is recorded in
//! `<data_dir>/mail/imap.state`, and the message is flagged `\Seen` on the server.
//! Nothing is deleted there. Between looks the connection waits in IDLE when the
//! server offers it, so new mail is fetched as it arrives.
//!
//! A crash between spooling a message and recording its UID fetches it again: the
//! spool then holds it twice, and processing is idempotent (the same invitation is
//! answered once), so nothing is lost and nothing is answered twice.
//!
//! Must not know: what a message means, or the store.

use std::fmt::Debug;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use futures_util::TryStreamExt as _;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::inbound::{MAX_MESSAGE_BYTES, Spool, SpoolError};
use crate::config::{ImapConfig, MailSecurity};
use crate::domain::Clock;

/// Longest wait for one exchange with the server.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a look at the mailbox failed. The connection is dropped; the next look
/// reconnects.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The server could not be reached.
    #[error("connecting to {address}: {source}")]
    Connect {
        /// host:port.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error("TLS: {0}")]
    Tls(String),
    /// The server refused or answered something unusable.
    #[error("IMAP: {0}")]
    Protocol(#[from] async_imap::error::Error),
    /// The server did not answer in time.
    #[error("the server did not answer within {} s", EXCHANGE_TIMEOUT.as_secs())]
    TimedOut,
    /// The spool or the state file could not be written.
    #[error("{0}")]
    Spool(#[from] SpoolError),
    /// The state file could not be read or written.
    #[error("{action} {path}: {source}")]
    State {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A byte stream to the server: plain TCP or TLS over it.
trait Wire: AsyncRead + AsyncWrite + Unpin + Send + Sync + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + Debug> Wire for T {}

type Connection = Session<Box<dyn Wire>>;

/// Where the last look left off: the folder's UIDVALIDITY and the highest UID copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Watermark {
    validity: u32,
    last_uid: u32,
}

/// An IMAP mailbox read into the spool.
pub struct ImapInbox {
    config: ImapConfig,
    state_path: PathBuf,
    connection: Option<Open>,
    clock: Arc<dyn Clock>,
}

/// A logged-in connection with the folder selected.
struct Open {
    session: Connection,
    validity: u32,
    /// The UID the next message will get, as the folder announced when selected.
    uid_next: u32,
    idle: bool,
}

impl ImapInbox {
    /// The mailbox `config` names, its progress kept under `data_dir`; `clock` dates
    /// the spooled copies.
    pub fn new(config: ImapConfig, data_dir: &Path, clock: Arc<dyn Clock>) -> Self {
        Self {
            config,
            state_path: data_dir.join("mail").join("imap.state"),
            connection: None,
            clock,
        }
    }

    /// Copies every message that arrived since the last look into `spool`; returns how
    /// many were copied. On an error the connection is dropped.
    pub async fn fetch_new(&mut self, spool: &Spool) -> Result<usize, ImapError> {
        let result = self.fetch_new_on_connection(spool).await;
        if result.is_err() {
            self.connection = None;
        }
        result
    }

    async fn fetch_new_on_connection(&mut self, spool: &Spool) -> Result<usize, ImapError> {
        if self.connection.is_none() {
            self.connection = Some(self.open().await?);
        }
        let account = self.account();
        let saved = read_state(&self.state_path, &account)?;
        let Some(open) = self.connection.as_mut() else {
            return Ok(0);
        };
        // Drained so the announcements of new mail do not pile up.
        while open.session.unsolicited_responses.try_recv().is_ok() {}
        let (uids, mut watermark) = match saved {
            Some(mark) if mark.validity == open.validity => {
                let query = format!("UID {}:*", mark.last_uid.saturating_add(1));
                let found = within(open.session.uid_search(query)).await??;
                // `n:*` always matches the newest message, even one below n.
                (
                    found
                        .into_iter()
                        .filter(|uid| *uid > mark.last_uid)
                        .collect(),
                    mark,
                )
            }
            // First look, or the folder was rebuilt and its UIDs renumbered: what is
            // not yet seen is new; what was processed before carries \Seen.
            _ => {
                let found = within(open.session.uid_search("UNSEEN")).await??;
                let mark = Watermark {
                    validity: open.validity,
                    last_uid: open.uid_next.saturating_sub(1),
                };
                (found.into_iter().collect::<Vec<_>>(), mark)
            }
        };
        let mut uids: Vec<u32> = uids;
        uids.sort_unstable();
        let mut copied = 0;
        for uid in uids {
            if self.copy_one(uid, spool).await? {
                copied += 1;
            }
            watermark.last_uid = watermark.last_uid.max(uid);
            write_state(&self.state_path, &account, watermark)?;
            self.flag_seen(uid).await?;
        }
        write_state(&self.state_path, &account, watermark)?;
        Ok(copied)
    }

    /// Copies message `uid` into the spool; false when it is too large to take (it
    /// stays on the server, unseen, for the host to read).
    async fn copy_one(&mut self, uid: u32, spool: &Spool) -> Result<bool, ImapError> {
        let Some(open) = self.connection.as_mut() else {
            return Ok(false);
        };
        let sizes: Vec<_> = within(async {
            open.session
                .uid_fetch(uid.to_string(), "(UID RFC822.SIZE)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        let size = sizes.iter().find_map(|fetch| fetch.size).unwrap_or(0) as usize;
        if size > MAX_MESSAGE_BYTES {
            tracing::warn!(
                uid,
                size,
                "message too large for the spool; left unseen in the mailbox"
            );
            return Ok(false);
        }
        let fetched: Vec<_> = within(async {
            open.session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        let Some(body) = fetched.iter().find_map(|fetch| fetch.body()) else {
            // Expunged between the search and the fetch: nothing to copy.
            return Ok(false);
        };
        match spool.deliver(body, self.clock.now()) {
            Ok(name) => {
                tracing::info!(uid, spooled = %name, "fetched from IMAP");
                Ok(true)
            }
            Err(SpoolError::Empty | SpoolError::TooLarge(_)) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    async fn flag_seen(&mut self, uid: u32) -> Result<(), ImapError> {
        let Some(open) = self.connection.as_mut() else {
            return Ok(());
        };
        within(async {
            open.session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await??;
        Ok(())
    }

    /// Waits until the server announces new mail (IDLE), or for the poll interval when
    /// it cannot. Returns early on neither: the caller races it against shutdown.
    pub async fn wait_for_mail(&mut self) -> Result<(), ImapError> {
        let Some(open) = self.connection.take() else {
            tokio::time::sleep(self.config.poll).await;
            return Ok(());
        };
        if !open.idle {
            self.connection = Some(open);
            tokio::time::sleep(self.config.poll).await;
            return Ok(());
        }
        let Open {
            session,
            validity,
            uid_next,
            idle,
        } = open;
        let mut handle = session.idle();
        within(handle.init()).await??;
        {
            let (announcement, _stop) = handle.wait_with_timeout(self.config.poll);
            announcement.await?;
        }
        let session = within(handle.done()).await??;
        self.connection = Some(Open {
            session,
            validity,
            uid_next,
            idle,
        });
        Ok(())
    }

    /// Connects, logs in and selects the folder.
    async fn open(&self) -> Result<Open, ImapError> {
        let config = &self.config;
        let address = format!("{}:{}", config.host, config.port);
        let tcp = within(TcpStream::connect(&address))
            .await?
            .map_err(|source| ImapError::Connect {
                address: address.clone(),
                source,
            })?;
        tcp.set_nodelay(true).ok();
        let wire: Box<dyn Wire> = match config.security {
            MailSecurity::Tls => Box::new(self.tls(tcp).await?),
            MailSecurity::None | MailSecurity::StartTls => Box::new(tcp),
        };
        let mut client = Client::new(wire);
        within(client.read_response())
            .await?
            .map_err(|e| ImapError::Protocol(async_imap::error::Error::Io(e)))?;
        if config.security == MailSecurity::StartTls {
            within(client.run_command_and_check_ok("STARTTLS", None)).await??;
            let wire = client.into_inner();
            // The plain stream is a boxed TcpStream; TLS is layered over the box.
            client = Client::new(Box::new(self.tls(wire).await?));
        }
        let mut session = within(client.login(&config.user, config.password.expose()))
            .await?
            .map_err(|(error, _)| error)?;
        let idle = within(session.capabilities()).await??.has_str("IDLE");
        let mailbox = within(session.select(&config.folder)).await??;
        let validity = mailbox.uid_validity.unwrap_or(0);
        let uid_next = mailbox.uid_next.unwrap_or(1);
        tracing::info!(
            host = %config.host,
            folder = %config.folder,
            idle,
            "IMAP mailbox opened"
        );
        Ok(Open {
            session,
            validity,
            uid_next,
            idle,
        })
    }

    async fn tls<S: Wire + 'static>(
        &self,
        stream: S,
    ) -> Result<tokio_rustls::client::TlsStream<S>, ImapError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(file) = &self.config.ca_file {
            use rustls_pki_types::pem::PemObject as _;
            let certificates = rustls_pki_types::CertificateDer::pem_file_iter(file)
                .map_err(|e| ImapError::Tls(format!("{}: {e}", file.display())))?;
            for certificate in certificates {
                let certificate =
                    certificate.map_err(|e| ImapError::Tls(format!("{}: {e}", file.display())))?;
                roots
                    .add(certificate)
                    .map_err(|e| ImapError::Tls(format!("{}: {e}", file.display())))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ImapError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from(self.config.host.clone())
            .map_err(|e| ImapError::Tls(format!("{}: {e}", self.config.host)))?;
        within(TlsConnector::from(Arc::new(tls)).connect(name, stream))
            .await?
            .map_err(|e| ImapError::Tls(e.to_string()))
    }

    /// The account and folder the state file belongs to.
    fn account(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.config.user, self.config.host, self.config.port, self.config.folder
        )
    }
}

async fn within<T>(exchange: impl std::future::Future<Output = T>) -> Result<T, ImapError> {
    tokio::time::timeout(EXCHANGE_TIMEOUT, exchange)
        .await
        .map_err(|_| ImapError::TimedOut)
}

/// The watermark recorded for `account`, if any. The file holds the account on its
/// first line and `<uidvalidity> <last uid>` on its second.
fn read_state(path: &Path, account: &str) -> Result<Option<Watermark>, ImapError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ImapError::State {
                action: "reading",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut lines = text.lines();
    if lines.next() != Some(account) {
        return Ok(None);
    }
    let mut numbers = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(str::parse::<u32>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(validity)), Some(Ok(last_uid))) => Ok(Some(Watermark { validity, last_uid })),
        _ => Ok(None),
    }
}

/// Records `mark` durably: written beside the file, synced, renamed over it.
fn write_state(path: &Path, account: &str, mark: Watermark) -> Result<(), ImapError> {
    let state_error = |action: &'static str| {
        let path = path.to_path_buf();
        move |source| ImapError::State {
            action,
            path,
            source,
        }
    };
    let partial = path.with_extension("state.partial");
    let mut file = fs::File::create(&partial).map_err(state_error("creating"))?;
    writeln!(file, "{account}\n{} {}", mark.validity, mark.last_uid)
        .map_err(state_error("writing"))?;
    file.sync_all().map_err(state_error("syncing"))?;
    fs::rename(&partial, path).map_err(state_error("renaming"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watermark_survives_a_restart_and_belongs_to_its_account() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("imap.state");
        let account = "book@imap.example.com:993/INBOX";
        assert_eq!(read_state(&path, account).expect("read"), None);
        let mark = Watermark {
            validity: 1_700_000_000,
            last_uid: 42,
        };
        write_state(&path, account, mark).expect("write");
        assert_eq!(read_state(&path, account).expect("read"), Some(mark));
        // Another account or folder starts afresh.
        assert_eq!(
            read_state(&path, "book@imap.example.com:993/Bookings").expect("read"),
            None
        );
        fs::write(&path, format!("{account}\nnot numbers\n")).expect("write");
        assert_eq!(read_state(&path, account).expect("read"), None);
    }
}
