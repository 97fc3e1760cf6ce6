//! Validation of the scheduled jobs' sections — `reminders:`, `follow_ups:` and
//! `agenda:` — each with its `schedule`: a cron expression with seconds
//! (`sec min hour day month weekday`) read in the host's zone, or `off`.

use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde::Deserialize;

use super::{ConfigError, invalid};
use crate::domain::MeetingType;

/// When a job runs: a cron expression with seconds, in the host's zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    expression: String,
    cron: Cron,
}

impl Schedule {
    /// Parses `expression` (six fields, seconds first).
    pub fn parse(expression: &str) -> Result<Self, String> {
        let cron = CronParser::builder()
            .seconds(Seconds::Required)
            .dom_and_dow(true)
            .build()
            .parse(expression)
            .map_err(|error| {
                format!("{expression:?} is not a cron expression with seconds ({error})")
            })?;
        Ok(Self {
            expression: expression.to_string(),
            cron,
        })
    }

    /// The expression as written.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The parsed expression.
    pub fn cron(&self) -> &Cron {
        &self.cron
    }
}

/// A `schedule` key: `off`, or a cron expression.
fn schedule(key: &str, text: &str) -> Result<Option<Schedule>, ConfigError> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    Schedule::parse(text.trim())
        .map(Some)
        .map_err(|message| invalid(key, format!("{message}; write `off` to turn the job off")))
}

/// Every minute, on the minute.
const EVERY_MINUTE: &str = "0 * * * * *";

/// Reminders sent to clients before their appointments.
#[derive(Debug, Clone)]
pub struct RemindersConfig {
    /// How long before each appointment, in minutes (empty: no reminders).
    pub before_minutes: Vec<u32>,
    /// When the job looks for reminders that have come due (`None`: off).
    pub schedule: Option<Schedule>,
}

/// The follow-up offered to a client after a meeting.
#[derive(Debug, Clone)]
pub struct FollowUpsConfig {
    /// When the job looks for meetings that ended (`None`: off).
    pub schedule: Option<Schedule>,
    /// How long after a meeting's end the follow-up is sent.
    pub after: chrono::Duration,
    /// The meeting type offered.
    pub meeting_type: String,
}

/// The host's daily agenda.
#[derive(Debug, Clone)]
pub struct AgendaConfig {
    /// When the agenda is due, in the host's zone (`None`: off).
    pub schedule: Option<Schedule>,
    /// When the job looks whether an agenda came due (every minute; tests look more
    /// often).
    pub looks: Schedule,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawReminders {
    before_minutes: Vec<u32>,
    schedule: String,
}

impl Default for RawReminders {
    fn default() -> Self {
        Self {
            before_minutes: vec![1440, 60],
            schedule: EVERY_MINUTE.into(),
        }
    }
}

impl RawReminders {
    pub(super) fn validate(self) -> Result<RemindersConfig, ConfigError> {
        if let Some(bad) = self
            .before_minutes
            .iter()
            .find(|m| !(1..=10_080).contains(*m))
        {
            return Err(invalid(
                "reminders.before_minutes",
                format!("{bad} is outside 1..=10080 (a week)"),
            ));
        }
        Ok(RemindersConfig {
            before_minutes: self.before_minutes,
            schedule: schedule("reminders.schedule", &self.schedule)?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawFollowUps {
    schedule: String,
    after_minutes: i64,
    meeting_type: String,
}

impl Default for RawFollowUps {
    fn default() -> Self {
        Self {
            schedule: "0 */5 * * * *".into(),
            after_minutes: 60,
            meeting_type: "follow-up".into(),
        }
    }
}

impl RawFollowUps {
    pub(super) fn validate(self, kinds: &[MeetingType]) -> Result<FollowUpsConfig, ConfigError> {
        let schedule = schedule("follow_ups.schedule", &self.schedule)?;
        if schedule.is_some() && !kinds.iter().any(|kind| kind.id == self.meeting_type) {
            let known: Vec<&str> = kinds.iter().map(|kind| kind.id.as_str()).collect();
            return Err(invalid(
                "follow_ups.meeting_type",
                format!(
                    "no meeting type {:?} (there are: {}); name one, or set follow_ups.schedule: off",
                    self.meeting_type,
                    known.join(", ")
                ),
            ));
        }
        let after =
            super::validate::minutes("follow_ups.after_minutes", self.after_minutes, 0, 10_080)?;
        Ok(FollowUpsConfig {
            schedule,
            after,
            meeting_type: self.meeting_type,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawAgenda {
    schedule: String,
}

impl Default for RawAgenda {
    fn default() -> Self {
        Self {
            schedule: "0 0 7 * * *".into(),
        }
    }
}

impl RawAgenda {
    pub(super) fn validate(self) -> Result<AgendaConfig, ConfigError> {
        Ok(AgendaConfig {
            schedule: schedule("agenda.schedule", &self.schedule)?,
            looks: Schedule::parse(EVERY_MINUTE).expect("invariant: a valid expression"),
        })
    }
}
