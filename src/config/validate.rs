//! Validation: `RawConfig` → `Config`, each error naming its key.

use std::net::SocketAddr;
use std::time::Duration as StdDuration;

use chrono::Duration;
use chrono_tz::Tz;

use super::operations;
use super::raw::{RawAvailability, RawConfig, RawMeetingType, WEEKDAYS, default_meeting_types};
use super::{Config, ConfigError, MAX_MEETING_MINUTES, ScoringConfig, ServerConfig, invalid};
use crate::domain::{
    AvailabilityRules, EmailAddress, Host, MeetingType, WorkingHours, WorkingPeriod,
};
use crate::learn::Decay;
use crate::slots::ScoringWeights;

pub(super) fn bounded(key: &str, value: i64, min: i64, max: i64) -> Result<i64, ConfigError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(key, format!("{value} is outside {min}..={max}")))
    }
}

pub(super) fn minutes(key: &str, value: i64, min: i64, max: i64) -> Result<Duration, ConfigError> {
    bounded(key, value, min, max).map(Duration::minutes)
}

fn email(key: &str, value: &str) -> Result<EmailAddress, ConfigError> {
    EmailAddress::parse(value)
        .ok_or_else(|| invalid(key, format!("{value:?} is not an email address")))
}

impl RawConfig {
    pub(super) fn validate(self) -> Result<Config, ConfigError> {
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
        for (key, seconds) in [
            (
                "server.header_read_timeout_seconds",
                self.server.header_read_timeout_seconds,
            ),
            (
                "server.body_read_timeout_seconds",
                self.server.body_read_timeout_seconds,
            ),
        ] {
            if !(1..=3600).contains(&seconds) {
                return Err(invalid(key, "must be between 1 and 3600 seconds"));
            }
        }
        if self.server.failed_login_delay_ms > 60_000 {
            return Err(invalid(
                "server.failed_login_delay_ms",
                "must be at most 60000 (a minute)",
            ));
        }
        if !(1..=65_536).contains(&self.storage.cache_mb) {
            return Err(invalid("storage.cache_mb", "must be between 1 and 65536"));
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
        let follow_ups = self.follow_ups.validate(&meeting_types)?;
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
        let mail = self.mail.validate()?;
        tracing_subscriber::EnvFilter::try_new(&self.log.level)
            .map_err(|e| invalid("log.level", format!("{:?}: {e}", self.log.level)))?;
        Ok(Config {
            server: ServerConfig {
                listen,
                public_url,
                max_connections: self.server.max_connections,
                max_body_bytes: self.server.max_body_bytes,
                header_read_timeout: StdDuration::from_secs(
                    self.server.header_read_timeout_seconds,
                ),
                body_read_timeout: StdDuration::from_secs(self.server.body_read_timeout_seconds),
                shutdown_grace: StdDuration::from_secs(self.server.shutdown_grace_seconds),
                rate_limit_per_minute: self.server.rate_limit_per_minute,
                failed_login_limit: self.server.failed_login_limit,
                failed_login_delay: StdDuration::from_millis(self.server.failed_login_delay_ms),
                tls: self.server.tls.validate()?,
                trusted_proxies: operations::trusted_proxies(&self.server.trusted_proxies)?,
            },
            data_dir: self.storage.data_dir,
            store_cache_bytes: self.storage.cache_mb * 1024 * 1024,
            host,
            rules,
            meeting_types,
            scoring,
            learning: Decay {
                half_life: Duration::days(half_life_days),
            },
            mail,
            google: self.google.validate()?,
            reminders: self.reminders.validate()?,
            follow_ups,
            agenda: self.agenda.validate()?,
            log_level: self.log.level,
            log_format: operations::log_format(&self.log.format)?,
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
