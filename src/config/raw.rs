//! The serde mirror of config.yaml: every section with its defaults, unknown keys
//! refused. Validation into typed values lives in `validate`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::Weekday;
use serde::Deserialize;

use super::jobs::{RawAgenda, RawFollowUps, RawReminders};
use super::operations::RawTls;
use crate::slots::ScoringWeights;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawConfig {
    pub(super) server: RawServer,
    pub(super) storage: RawStorage,
    pub(super) host: RawHost,
    pub(super) availability: RawAvailability,
    pub(super) meeting_types: Option<Vec<RawMeetingType>>,
    pub(super) scoring: RawScoring,
    pub(super) learning: RawLearning,
    pub(super) mail: RawMail,
    pub(super) google: RawGoogle,
    pub(super) reminders: RawReminders,
    pub(super) follow_ups: RawFollowUps,
    pub(super) agenda: RawAgenda,
    pub(super) log: RawLog,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawServer {
    pub(super) listen: String,
    pub(super) public_url: Option<String>,
    pub(super) max_connections: usize,
    pub(super) max_body_bytes: usize,
    pub(super) shutdown_grace_seconds: u64,
    pub(super) rate_limit_per_minute: usize,
    pub(super) failed_login_limit: usize,
    pub(super) failed_login_delay_ms: u64,
    pub(super) header_read_timeout_seconds: u64,
    pub(super) body_read_timeout_seconds: u64,
    pub(super) tls: RawTls,
    pub(super) trusted_proxies: Vec<String>,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            max_connections: 16_384,
            max_body_bytes: 1024 * 1024,
            shutdown_grace_seconds: 10,
            rate_limit_per_minute: 120,
            failed_login_limit: 20,
            failed_login_delay_ms: 250,
            header_read_timeout_seconds: 10,
            body_read_timeout_seconds: 30,
            tls: RawTls::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawStorage {
    pub(super) data_dir: PathBuf,
    pub(super) cache_mb: u64,
}

impl Default for RawStorage {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            cache_mb: 64,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawHost {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) booking_address: String,
    pub(super) timezone: String,
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
pub(super) struct RawAvailability {
    pub(super) working_hours: BTreeMap<String, Vec<String>>,
    pub(super) buffer_minutes: i64,
    pub(super) minimum_notice_minutes: i64,
    pub(super) horizon_days: i64,
    pub(super) max_appointments_per_day: usize,
    pub(super) slot_step_minutes: i64,
}

pub(super) const WEEKDAYS: [(&str, Weekday); 7] = [
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
pub(super) struct RawMeetingType {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) duration_minutes: i64,
    #[serde(default)]
    pub(super) minimum_notice_minutes: Option<i64>,
}

pub(super) fn default_meeting_types() -> Vec<RawMeetingType> {
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
pub(super) struct RawScoring {
    pub(super) base: i32,
    pub(super) preferred_time: i32,
    pub(super) full_buffer: i32,
    pub(super) history_match: i32,
    pub(super) back_to_back: i32,
    pub(super) suggestions: usize,
    pub(super) alternatives: usize,
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
pub(super) struct RawLearning {
    pub(super) half_life_days: i64,
}

impl Default for RawLearning {
    fn default() -> Self {
        Self { half_life_days: 90 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLog {
    pub(super) level: String,
    pub(super) format: String,
}

impl Default for RawLog {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: "text".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawMail {
    pub(super) transport: String,
    pub(super) smtp: RawSmtp,
    pub(super) max_retry_seconds: u64,
    pub(super) poll_seconds: u64,
    pub(super) inbox_poll_millis: u64,
    pub(super) require_authentication: bool,
    pub(super) sender_limit_per_hour: u32,
    pub(super) counter_hold_minutes: i64,
    pub(super) imap: Option<RawImap>,
}

impl Default for RawMail {
    fn default() -> Self {
        Self {
            transport: "file".into(),
            smtp: RawSmtp::default(),
            max_retry_seconds: 3600,
            poll_seconds: 30,
            inbox_poll_millis: 500,
            require_authentication: true,
            sender_limit_per_hour: 30,
            counter_hold_minutes: 1440,
            imap: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSmtp {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) security: String,
    pub(super) user: Option<String>,
    pub(super) password_file: Option<PathBuf>,
}

impl Default for RawSmtp {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            security: "starttls".into(),
            user: None,
            password_file: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImap {
    pub(super) host: String,
    pub(super) port: Option<u16>,
    #[serde(default = "RawImap::default_security")]
    pub(super) security: String,
    pub(super) user: String,
    pub(super) password_file: PathBuf,
    #[serde(default = "RawImap::default_folder")]
    pub(super) folder: String,
    #[serde(default)]
    pub(super) ca_file: Option<PathBuf>,
    #[serde(default = "RawImap::default_poll_seconds")]
    pub(super) poll_seconds: u64,
}

impl RawImap {
    fn default_security() -> String {
        "tls".into()
    }

    fn default_folder() -> String {
        "INBOX".into()
    }

    fn default_poll_seconds() -> u64 {
        300
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawGoogle {
    pub(super) enabled: bool,
    pub(super) credentials_file: Option<PathBuf>,
    pub(super) subject: Option<String>,
    pub(super) calendars: Vec<String>,
    pub(super) push_calendar: String,
    pub(super) poll_interval_seconds: u64,
    pub(super) all_day_busy: bool,
    pub(super) base_url: String,
    pub(super) token_url: String,
    pub(super) watch_url: Option<String>,
}

impl Default for RawGoogle {
    fn default() -> Self {
        Self {
            enabled: false,
            credentials_file: None,
            subject: None,
            calendars: vec!["primary".into()],
            push_calendar: "primary".into(),
            poll_interval_seconds: 60,
            all_day_busy: true,
            base_url: "https://www.googleapis.com/calendar/v3/".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            watch_url: None,
        }
    }
}
