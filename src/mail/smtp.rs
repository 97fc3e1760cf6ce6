//! Handing a message over: to an SMTP server (`mail.transport: smtp`), or as an `.eml`
//! file under `<data_dir>/mail/sent` (`file`, the default, so a fresh install sends
//! nothing by accident). Each failure says whether trying again may help.
//!
//! Must not know: the outbox, retries, or what the message says.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailSecurity, MailTransport};

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendFailure {
    /// It may go through later (connection refused, time-out, a 4xx answer, a full
    /// disk).
    #[error("{0}")]
    Passing(String),
    /// It never will (a 5xx answer: the address or the message was refused).
    #[error("{0}")]
    Permanent(String),
}

/// Where messages go.
#[derive(Clone)]
pub enum Mailer {
    /// `.eml` files in a directory.
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// The transport `config` names; the file transport writes under
    /// `<data_dir>/mail/sent`, created here.
    pub fn new(config: &MailTransport, data_dir: &Path) -> anyhow::Result<Self> {
        Ok(match config {
            MailTransport::File => {
                let dir = data_dir.join("mail").join("sent");
                let dir = &dir;
                std::fs::create_dir_all(dir).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot create {} (mail.transport: file): {e}",
                        dir.display()
                    )
                })?;
                Mailer::File(AsyncFileTransport::new(dir), dir.clone())
            }
            MailTransport::Smtp(smtp) => {
                let builder = match smtp.security {
                    MailSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                    MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .map_err(|e| anyhow::anyhow!("mail.smtp.host {:?}: {e}", smtp.host))?,
                    MailSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .map_err(|e| anyhow::anyhow!("mail.smtp.host {:?}: {e}", smtp.host))?
                    }
                };
                let mut builder = builder.port(smtp.port).timeout(Some(SMTP_TIMEOUT));
                if let Some((user, password)) = &smtp.credentials {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        password.expose().to_string(),
                    ));
                }
                Mailer::Smtp(builder.build())
            }
        })
    }

    /// Hands `message` over.
    pub async fn send(&self, message: Message) -> Result<(), SendFailure> {
        match self {
            Mailer::File(transport, dir) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendFailure::Passing(format!("writing to {}: {e}", dir.display()))),
            Mailer::Smtp(transport) => transport.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendFailure::Permanent(e.to_string())
                } else {
                    SendFailure::Passing(e.to_string())
                }
            }),
        }
    }
}
