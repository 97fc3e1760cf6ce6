//! Configuration: `RawConfig` mirrors config.yaml (unknown keys refused), environment
//! overrides are applied to it, and validation turns it into the typed `Config` each
//! subsystem takes its own section of. Every error names the key it is about.
//!
//! Must not know: how the server, store or engine use the values.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use chrono::{Duration, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::{
    AvailabilityRules, EmailAddress, Host, MeetingType, WorkingHours, WorkingPeriod,
};
use crate::learn::Decay;
use crate::slots::ScoringWeights;

/// The documented default configuration, compiled in.
pub const DEFAULT_YAML: &str = include_str!("../config.yaml");

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

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    server: RawServer,
    storage: RawStorage,
    host: RawHost,
    availability: RawAvailability,
    meeting_types: Option<Vec<RawMeetingType>>,
    scoring: RawScoring,
    learning: RawLearning,
    log: RawLog,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    listen: String,
    public_url: Option<String>,
    max_connections: usize,
    max_body_bytes: usize,
    shutdown_grace_seconds: u64,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            max_connections: 1024,
            max_body_bytes: 1024 * 1024,
            shutdown_grace_seconds: 10,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStorage {
    data_dir: PathBuf,
}

impl Default for RawStorage {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawHost {
    id: String,
    name: String,
    email: String,
    booking_address: String,
    timezone: String,
}

impl Default for RawHost {
    fn default() -> Self {
        Self {
            id: "domina".into(),
            name: "Domina".into(),
            email: "domina@kairos.example".into(),
            booking_address: "book@kairos.example".into(),
            timezone: "America/New_York".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawAvailability {
    working_hours: BTreeMap<String, Vec<String>>,
    buffer_minutes: i64,
    minimum_notice_minutes: i64,
    horizon_days: i64,
    max_appointments_per_day: usize,
    slot_step_minutes: i64,
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

impl Default for RawAvailability {
    fn default() -> Self {
        let office = vec!["09:00-12:00".to_string(), "13:00-17:00".to_string()];
        let working_hours = WEEKDAYS
            .iter()
            .map(|(name, day)| {
                let weekend = matches!(day, Weekday::Sat | Weekday::Sun);
                (
                    name.to_string(),
                    if weekend { Vec::new() } else { office.clone() },
                )
            })
            .collect();
        Self {
            working_hours,
            buffer_minutes: 15,
            minimum_notice_minutes: 120,
            horizon_days: 30,
            max_appointments_per_day: 6,
            slot_step_minutes: 15,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeetingType {
    id: String,
    name: String,
    duration_minutes: i64,
    #[serde(default)]
    minimum_notice_minutes: Option<i64>,
}

fn default_meeting_types() -> Vec<RawMeetingType> {
    let kind = |id: &str, name: &str, minutes, notice| RawMeetingType {
        id: id.into(),
        name: name.into(),
        duration_minutes: minutes,
        minimum_notice_minutes: notice,
    };
    vec![
        kind("consultation", "Consultation", 30, None),
        kind("follow-up", "Follow-up", 15, None),
        kind("urgent", "Urgent", 30, Some(30)),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawScoring {
    base: i32,
    preferred_time: i32,
    full_buffer: i32,
    history_match: i32,
    back_to_back: i32,
    suggestions: usize,
    alternatives: usize,
}

impl Default for RawScoring {
    fn default() -> Self {
        let weights = ScoringWeights::default();
        Self {
            base: weights.base,
            preferred_time: weights.preferred_time,
            full_buffer: weights.full_buffer,
            history_match: weights.history_match,
            back_to_back: weights.back_to_back,
            suggestions: 5,
            alternatives: 3,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLearning {
    half_life_days: i64,
}

impl Default for RawLearning {
    fn default() -> Self {
        Self { half_life_days: 90 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLog {
    level: String,
}

impl Default for RawLog {
    fn default() -> Self {
        Self {
            level: "info".into(),
        }
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
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Time in-flight requests get at shutdown.
    pub shutdown_grace: StdDuration,
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
    /// Log filter.
    pub log_level: String,
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

fn bounded(key: &str, value: i64, min: i64, max: i64) -> Result<i64, ConfigError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(key, format!("{value} is outside {min}..={max}")))
    }
}

fn minutes(key: &str, value: i64, min: i64, max: i64) -> Result<Duration, ConfigError> {
    bounded(key, value, min, max).map(Duration::minutes)
}

fn email(key: &str, value: &str) -> Result<EmailAddress, ConfigError> {
    EmailAddress::parse(value)
        .ok_or_else(|| invalid(key, format!("{value:?} is not an email address")))
}

impl RawConfig {
    fn validate(self) -> Result<Config, ConfigError> {
        let listen: SocketAddr = self.server.listen.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!(
                    "{:?} is not host:port (e.g. 127.0.0.1:8080)",
                    self.server.listen
                ),
            )
        })?;
        let public_url = match self.server.public_url {
            Some(url) => {
                let parsed = url::Url::parse(&url)
                    .map_err(|e| invalid("server.public_url", format!("{url:?}: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid("server.public_url", "must be an http or https URL"));
                }
                url.trim_end_matches('/').to_string()
            }
            None => format!("http://{listen}"),
        };
        if self.server.max_connections == 0 {
            return Err(invalid("server.max_connections", "must be at least 1"));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(invalid("server.max_body_bytes", "must be at least 1024"));
        }
        let zone: Tz = self.host.timezone.parse().map_err(|_| {
            invalid(
                "host.timezone",
                format!("{:?} is not an IANA time zone", self.host.timezone),
            )
        })?;
        let valid_id = !self.host.id.is_empty()
            && self
                .host
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid_id {
            return Err(invalid(
                "host.id",
                "must be non-empty lower-case letters, digits, '-' or '_'",
            ));
        }
        if self.host.name.trim().is_empty() {
            return Err(invalid("host.name", "must not be empty"));
        }
        let host = Host {
            id: self.host.id,
            name: self.host.name,
            email: email("host.email", &self.host.email)?,
            booking_address: email("host.booking_address", &self.host.booking_address)?,
            zone,
        };
        let rules = self.availability.validate(zone)?;
        let meeting_types =
            validate_meeting_types(self.meeting_types.unwrap_or_else(default_meeting_types))?;
        let scoring = ScoringConfig {
            weights: ScoringWeights {
                base: self.scoring.base,
                preferred_time: self.scoring.preferred_time,
                full_buffer: self.scoring.full_buffer,
                history_match: self.scoring.history_match,
                back_to_back: self.scoring.back_to_back,
            },
            suggestions: self.scoring.suggestions,
            alternatives: self.scoring.alternatives,
        };
        if !(1..=50).contains(&scoring.suggestions) {
            return Err(invalid("scoring.suggestions", "must be within 1..=50"));
        }
        if scoring.alternatives > 20 {
            return Err(invalid("scoring.alternatives", "must be within 0..=20"));
        }
        let half_life_days = bounded(
            "learning.half_life_days",
            self.learning.half_life_days,
            1,
            3650,
        )?;
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| invalid("log.level", format!("{:?}: {e}", self.log.level)))?;
        Ok(Config {
            server: ServerConfig {
                listen,
                public_url,
                max_connections: self.server.max_connections,
                max_body_bytes: self.server.max_body_bytes,
                shutdown_grace: StdDuration::from_secs(self.server.shutdown_grace_seconds),
            },
            data_dir: self.storage.data_dir,
            host,
            rules,
            meeting_types,
            scoring,
            learning: Decay {
                half_life: Duration::days(half_life_days),
            },
            log_level: self.log.level,
            admin_password: None,
        })
    }
}

impl RawAvailability {
    fn validate(self, zone: Tz) -> Result<AvailabilityRules, ConfigError> {
        let mut working_hours = WorkingHours::default();
        for (name, periods) in &self.working_hours {
            let key = format!("availability.working_hours.{name}");
            let Some((_, weekday)) = WEEKDAYS.iter().find(|(day, _)| day == name) else {
                return Err(invalid(key, "not a weekday (monday … sunday)"));
            };
            let mut parsed = Vec::with_capacity(periods.len());
            for (index, text) in periods.iter().enumerate() {
                let period = WorkingPeriod::parse(text).ok_or_else(|| {
                    invalid(
                        format!("{key}[{index}]"),
                        format!("{text:?} is not HH:MM-HH:MM with the start before the end"),
                    )
                })?;
                parsed.push(period);
            }
            parsed.sort_by_key(|period| period.start);
            let overlapping = parsed
                .windows(2)
                .any(|pair| pair[0].end.is_none_or(|end| end > pair[1].start));
            if overlapping {
                return Err(invalid(key, "working periods overlap"));
            }
            working_hours = working_hours.with_day(*weekday, parsed);
        }
        let max_per_day = self.max_appointments_per_day;
        if max_per_day == 0 {
            return Err(invalid(
                "availability.max_appointments_per_day",
                "must be at least 1",
            ));
        }
        Ok(AvailabilityRules {
            zone,
            working_hours,
            buffer: minutes("availability.buffer_minutes", self.buffer_minutes, 0, 240)?,
            minimum_notice: minutes(
                "availability.minimum_notice_minutes",
                self.minimum_notice_minutes,
                0,
                60 * 24 * 30,
            )?,
            horizon: Duration::days(bounded(
                "availability.horizon_days",
                self.horizon_days,
                1,
                3650,
            )?),
            max_per_day,
            step: minutes(
                "availability.slot_step_minutes",
                self.slot_step_minutes,
                5,
                240,
            )?,
        })
    }
}

/// The longest meeting Kairos books.
pub const MAX_MEETING_MINUTES: i64 = 8 * 60;

fn validate_meeting_types(raw: Vec<RawMeetingType>) -> Result<Vec<MeetingType>, ConfigError> {
    if raw.is_empty() {
        return Err(invalid(
            "meeting_types",
            "at least one meeting type is needed",
        ));
    }
    let mut types: Vec<MeetingType> = Vec::with_capacity(raw.len());
    for (index, kind) in raw.into_iter().enumerate() {
        let key = format!("meeting_types[{index}]");
        let valid_id = !kind.id.is_empty()
            && kind
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid_id {
            return Err(invalid(
                format!("{key}.id"),
                "must be non-empty lower-case letters, digits, '-' or '_'",
            ));
        }
        if types.iter().any(|existing| existing.id == kind.id) {
            return Err(invalid(
                format!("{key}.id"),
                format!("{:?} is listed twice", kind.id),
            ));
        }
        let notice = kind
            .minimum_notice_minutes
            .map(|value| {
                minutes(
                    &format!("{key}.minimum_notice_minutes"),
                    value,
                    0,
                    60 * 24 * 30,
                )
            })
            .transpose()?;
        types.push(MeetingType {
            duration: minutes(
                &format!("{key}.duration_minutes"),
                kind.duration_minutes,
                5,
                MAX_MEETING_MINUTES,
            )?,
            id: kind.id,
            name: kind.name,
            minimum_notice: notice,
        });
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_shipped_file_is_the_demo_host() {
        let config = Config::demo();
        assert_eq!(config.host.id, "domina");
        assert_eq!(config.host.booking_address.as_str(), "book@kairos.example");
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.server.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.rules.max_per_day, 6);
        assert_eq!(config.rules.working_hours.periods(Weekday::Mon).len(), 2);
        assert!(config.rules.working_hours.periods(Weekday::Sat).is_empty());
        let urgent = config.meeting_type("urgent").expect("urgent exists");
        assert_eq!(urgent.minimum_notice, Some(Duration::minutes(30)));
        assert_eq!(config.meeting_types[0].id, "consultation");
    }

    #[test]
    fn the_shipped_file_matches_the_built_in_defaults() {
        let from_file = Config::demo();
        let from_nothing = Config::from_yaml("empty", "{}", &no_env).expect("defaults are valid");
        assert_eq!(
            format!("{:?}", from_file.rules),
            format!("{:?}", from_nothing.rules)
        );
        assert_eq!(from_file.meeting_types, from_nothing.meeting_types);
        assert_eq!(
            format!("{:?}", from_file.scoring),
            format!("{:?}", from_nothing.scoring)
        );
        assert_eq!(from_file.host, from_nothing.host);
        assert_eq!(from_file.server.public_url, from_nothing.server.public_url);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let error = Config::from_yaml("test.yaml", "server:\n  listne: 1.2.3.4:5\n", &no_env)
            .expect_err("refused");
        let text = error.to_string();
        assert!(
            text.contains("server.listne") || text.contains("listne"),
            "{text}"
        );
        assert!(text.starts_with("test.yaml: server"), "{text}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            ("host:\n  timezone: Mars/Olympus\n", "host.timezone"),
            (
                "availability:\n  working_hours:\n    monday: [\"12:00-09:00\"]\n",
                "availability.working_hours.monday[0]",
            ),
            (
                "availability:\n  working_hours:\n    funday: []\n",
                "availability.working_hours.funday",
            ),
            (
                "availability:\n  buffer_minutes: -5\n",
                "availability.buffer_minutes",
            ),
            ("server:\n  listen: nowhere\n", "server.listen"),
            ("meeting_types: []\n", "meeting_types"),
            (
                "meeting_types:\n  - {id: a, name: A, duration_minutes: 600}\n",
                "meeting_types[0].duration_minutes",
            ),
            ("host:\n  email: not-an-address\n", "host.email"),
        ];
        for (yaml, key) in cases {
            let text = Config::from_yaml("t", yaml, &no_env)
                .expect_err(yaml)
                .to_string();
            assert!(text.contains(key), "{yaml} → {text}");
        }
    }

    #[test]
    fn environment_overrides_listen_and_data_dir() {
        let env = |name: &str| match name {
            "KAIROS_LISTEN" => Some("127.0.0.1:9999".to_string()),
            "KAIROS_DATA_DIR" => Some("/tmp/kairos-x".to_string()),
            _ => None,
        };
        let config = Config::from_yaml("t", DEFAULT_YAML, &env).expect("valid");
        assert_eq!(config.server.listen.port(), 9999);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/kairos-x"));
        assert_eq!(config.server.public_url, "http://127.0.0.1:9999");
    }
}
