//! Configuration: `RawConfig` mirrors config.yaml (unknown keys refused), environment
//! overrides are applied to it, and validation turns it into the typed `Config` each
//! subsystem takes its own section of. Every error names the key it is about.
//!
//! Must not know: how the server, store or engine use the values.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use crate::domain::{AvailabilityRules, Host, MeetingType};
use crate::learn::Decay;
use crate::slots::ScoringWeights;

use raw::RawConfig;

/// The documented default configuration, compiled in.
pub const DEFAULT_YAML: &str = include_str!("../../config.yaml");

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// YAML syntax, an unknown key, or a value of the wrong type.
    #[error("{origin}: {key}: {message}")]
    Parse {
        /// File name or "built-in default".
        origin: String,
        /// Dotted key path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value that parses but makes no sense.
    #[error("{key}: {message}")]
    Invalid {
        /// Dotted key path.
        key: String,
        /// What is wrong.
        message: String,
    },
}

pub(crate) fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

/// The HTTP server's section.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Base of the links handed out, without a trailing slash.
    pub public_url: String,
    /// Connections served at once.
    pub max_connections: usize,
    /// Time a client has to send a request's head (from connecting, or from the end
    /// of its previous response on a kept-alive connection).
    pub header_read_timeout: StdDuration,
    /// Time a request body has to arrive in whole.
    pub body_read_timeout: StdDuration,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Time in-flight requests get at shutdown.
    pub shutdown_grace: StdDuration,
    /// Requests a minute one address may make to the booking, chat and manage
    /// endpoints (0: no limit).
    pub rate_limit_per_minute: usize,
    /// Wrong passwords one address may try in 15 minutes before its logins are
    /// refused with 429 (0: no limit).
    pub failed_login_limit: usize,
    /// How long the answer to a first wrong password waits; each further one from the
    /// same address waits twice as long, up to 32 times this.
    pub failed_login_delay: StdDuration,
    /// Built-in TLS, when configured.
    pub tls: Option<TlsFiles>,
    /// Proxies whose X-Forwarded-For names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// How outgoing mail leaves the machine.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// Each message written as an `.eml` file under `<data_dir>/mail/sent` (nothing is
    /// sent).
    File,
    /// Handed to an SMTP server.
    Smtp(SmtpConfig),
}

/// The SMTP server mail is handed to.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name (also checked against its TLS certificate).
    pub host: String,
    /// Port.
    pub port: u16,
    /// How the connection is protected.
    pub security: MailSecurity,
    /// User and password, when the server wants them.
    pub credentials: Option<(String, Secret)>,
}

/// The IMAP mailbox at a mail provider that mail to the booking address is fetched
/// from (instead of, or beside, an MTA piping it to `kairos ingest-mail`).
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// Host name (also checked against its TLS certificate).
    pub host: String,
    /// Port.
    pub port: u16,
    /// How the connection is protected.
    pub security: MailSecurity,
    /// Login name.
    pub user: String,
    /// Password.
    pub password: Secret,
    /// The folder mail arrives in.
    pub folder: String,
    /// PEM certificates trusted in addition to the public roots (a private CA).
    pub ca_file: Option<PathBuf>,
    /// Time between looks when the server cannot announce new mail (IMAP IDLE), and
    /// the longest a single IDLE lasts.
    pub poll: StdDuration,
}

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte.
    Tls,
    /// No protection: for a relay on the same machine.
    None,
}

/// Outgoing mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// How it leaves.
    pub transport: MailTransport,
    /// Longest wait between two attempts at a message that failed for a passing reason.
    pub max_retry: StdDuration,
    /// Time between looks at the outbox when nothing signals new mail.
    pub poll: StdDuration,
    /// Time between looks at the inbound spool.
    pub inbox_poll: StdDuration,
    /// Act on a message only when its Authentication-Results (if any) vouch for the
    /// From domain.
    pub require_authentication: bool,
    /// Most messages acted on per sender and hour.
    pub sender_limit_per_hour: u32,
    /// How long a time proposed by COUNTER is kept for the organizer.
    pub counter_hold: chrono::Duration,
    /// The IMAP mailbox to fetch mail from, when there is one.
    pub imap: Option<ImapConfig>,
}

/// The mirror of the host's Google Calendar (off unless configured).
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    /// How Kairos signs in to Google.
    pub credentials: GoogleCredentials,
    /// The calendars whose busy time is pulled (`primary` is the host's own).
    pub calendars: Vec<String>,
    /// The calendar appointments are written to.
    pub push_calendar: String,
    /// Time between pulls.
    pub poll_interval: StdDuration,
    /// Whether all-day events make the whole day busy.
    pub all_day_busy: bool,
    /// The Calendar API's base URL (ends with `/`).
    pub base_url: String,
    /// The OAuth token endpoint.
    pub token_url: String,
    /// A public https URL Google may notify of changes (`events.watch`), if any.
    pub watch_url: Option<String>,
}

/// A credential for the Google Calendar API, read from `google.credentials_file`.
#[derive(Clone)]
pub enum GoogleCredentials {
    /// A service account's JSON key, acting as `subject` when domain-wide delegation
    /// is set up.
    ServiceAccount {
        /// The key file's JSON.
        key_json: Secret,
        /// The user to act for.
        subject: Option<String>,
    },
    /// An installed app's client and a user's refresh token (`kairos google-auth`).
    AuthorizedUser {
        /// OAuth client id.
        client_id: String,
        /// OAuth client secret.
        client_secret: Secret,
        /// The user's refresh token.
        refresh_token: Secret,
    },
}

impl std::fmt::Debug for GoogleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ServiceAccount { subject, .. } => f
                .debug_struct("ServiceAccount")
                .field("subject", subject)
                .finish_non_exhaustive(),
            Self::AuthorizedUser { client_id, .. } => f
                .debug_struct("AuthorizedUser")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
        }
    }
}

/// How suggestions are scored and how many are returned.
#[derive(Debug, Clone, Copy)]
pub struct ScoringConfig {
    /// Points per rule.
    pub weights: ScoringWeights,
    /// Suggestions per availability answer.
    pub suggestions: usize,
    /// Alternatives per refused booking.
    pub alternatives: usize,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// HTTP server.
    pub server: ServerConfig,
    /// State directory.
    pub data_dir: PathBuf,
    /// Bytes of the store kept in memory.
    pub store_cache_bytes: u64,
    /// Who is booked.
    pub host: Host,
    /// Her availability rules.
    pub rules: AvailabilityRules,
    /// Meeting types offered, the default first.
    pub meeting_types: Vec<MeetingType>,
    /// Suggestion scoring.
    pub scoring: ScoringConfig,
    /// Booking-pattern decay.
    pub learning: Decay,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// The Google Calendar mirror, when enabled.
    pub google: Option<GoogleConfig>,
    /// Reminders before appointments.
    pub reminders: RemindersConfig,
    /// Follow-ups after meetings.
    pub follow_ups: FollowUpsConfig,
    /// The host's daily agenda.
    pub agenda: AgendaConfig,
    /// Log filter.
    pub log_level: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// Admin password from `KAIROS_ADMIN_PASSWORD`, if set.
    pub admin_password: Option<Secret>,
}

/// A secret value: shown as `Secret(***)` by `Debug`, so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where configuration comes from.
pub enum Source<'a> {
    /// A file the user named: it must exist.
    File(&'a Path),
    /// `./config.yaml` when it exists, else the compiled-in default.
    Default,
}

impl Config {
    /// Loads from `source`, applying environment overrides read through `env`.
    pub fn load(
        source: Source<'_>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let (origin, text) = match source {
            Source::File(path) => (path.display().to_string(), read(path)?),
            Source::Default => {
                let path = Path::new("config.yaml");
                if path.exists() {
                    ("config.yaml".to_string(), read(path)?)
                } else {
                    ("built-in default".to_string(), DEFAULT_YAML.to_string())
                }
            }
        };
        Self::from_yaml(&origin, &text, env)
    }

    /// Parses `text` (named `origin` in errors), applies `env` overrides and validates.
    pub fn from_yaml(
        origin: &str,
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let deserializer = serde_norway::Deserializer::from_str(text);
        let mut raw: RawConfig = match serde_path_to_error::deserialize(deserializer) {
            Ok(raw) => raw,
            Err(error) => {
                let key = error.path().to_string();
                return Err(ConfigError::Parse {
                    origin: origin.to_string(),
                    key: if key == "." {
                        "(top level)".into()
                    } else {
                        key
                    },
                    message: error.into_inner().to_string(),
                });
            }
        };
        if let Some(listen) = env("KAIROS_LISTEN") {
            raw.server.listen = listen;
        }
        if let Some(dir) = env("KAIROS_DATA_DIR") {
            raw.storage.data_dir = PathBuf::from(dir);
        }
        if let Some(format) = env("KAIROS_LOG_FORMAT") {
            raw.log.format = format;
        }
        let mut config = raw.validate()?;
        config.admin_password = match env("KAIROS_ADMIN_PASSWORD") {
            Some(password) if password.is_empty() => {
                return Err(invalid(
                    "KAIROS_ADMIN_PASSWORD",
                    "is set but empty; unset it to have a password generated",
                ));
            }
            other => other.map(Secret::new),
        };
        Ok(config)
    }

    /// The demo configuration compiled into the binary (tests and examples start from it).
    pub fn demo() -> Self {
        Self::from_yaml("built-in default", DEFAULT_YAML, &|_| None)
            .expect("invariant: the shipped config.yaml is valid")
    }

    /// The meeting type with `id`.
    pub fn meeting_type(&self, id: &str) -> Option<&MeetingType> {
        self.meeting_types.iter().find(|kind| kind.id == id)
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The longest meeting Kairos books.
pub const MAX_MEETING_MINUTES: i64 = 8 * 60;

mod google;
mod jobs;
mod mail;
mod operations;
mod raw;

pub use jobs::{AgendaConfig, FollowUpsConfig, RemindersConfig, Schedule};
pub use operations::{LogFormat, TlsFiles};
mod validate;

#[cfg(test)]
mod tests;
