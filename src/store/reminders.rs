//! Scheduled mail queued once: each reminder (per appointment, offset and start time),
//! each follow-up (per appointment and start time) and each daily agenda (per date) is
//! recorded in the same transaction as its outbox entry, so it is queued exactly once
//! however often (or concurrently) its job looks, across restarts — and a moved
//! appointment gets its reminders again for its new time.

use chrono::{DateTime, NaiveDate, Utc};
use sled::Transactional;

use super::tx::{TxResult, finish};
use super::{Store, StoreError, outbox};
use crate::domain::{AppointmentId, Intent, Interval};

/// Which scheduled mail, as recorded once sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduled {
    /// A reminder `minutes_before` the appointment's start.
    Reminder {
        /// Which appointment.
        appointment: AppointmentId,
        /// Its time when the reminder came due.
        interval: Interval,
        /// How long before its start.
        minutes_before: u32,
    },
    /// The follow-up after the appointment.
    FollowUp {
        /// Which appointment.
        appointment: AppointmentId,
        /// Its time when it took place.
        interval: Interval,
    },
    /// The host's agenda of a day.
    Agenda {
        /// The day, in her zone.
        date: NaiveDate,
    },
}

impl Scheduled {
    fn key(&self) -> Vec<u8> {
        match self {
            Self::Reminder {
                appointment,
                interval,
                minutes_before,
            } => format!(
                "{}\0{minutes_before}\0{}",
                appointment.as_str(),
                interval.start.timestamp()
            ),
            Self::FollowUp {
                appointment,
                interval,
            } => format!(
                "{}\0follow-up\0{}",
                appointment.as_str(),
                interval.start.timestamp()
            ),
            // A leading NUL: no appointment id starts so.
            Self::Agenda { date } => format!("\0agenda\0{date}"),
        }
        .into_bytes()
    }

    fn intent(&self) -> Intent {
        match self {
            Self::Reminder {
                appointment,
                minutes_before,
                ..
            } => Intent::Remind {
                appointment: appointment.clone(),
                minutes_before: *minutes_before,
            },
            Self::FollowUp { appointment, .. } => Intent::FollowUp {
                appointment: appointment.clone(),
            },
            Self::Agenda { date } => Intent::Agenda { date: *date },
        }
    }
}

impl Store {
    /// Queues each of `due` that was not queued before, each with its record, in one
    /// transaction; then flushes. Returns how many were queued.
    pub async fn queue_scheduled(
        &self,
        due: &[Scheduled],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if due.is_empty() {
            return Ok(0);
        }
        let result = (&self.reminders, &self.outbox).transaction(
            |(reminders, outbox)| -> TxResult<usize, ()> {
                let mut queued = 0;
                for scheduled in due {
                    let key = scheduled.key();
                    if reminders.get(&key)?.is_some() {
                        continue;
                    }
                    reminders.insert(key, now.to_rfc3339().as_bytes())?;
                    outbox::enqueue(outbox, scheduled.intent(), now)?;
                    queued += 1;
                }
                Ok(queued)
            },
        );
        let queued: Result<usize, ()> = finish(result)?;
        self.flush().await?;
        Ok(queued.unwrap_or(0))
    }

    /// True when `scheduled` was queued already.
    pub fn was_scheduled(&self, scheduled: &Scheduled) -> Result<bool, StoreError> {
        Ok(self.reminders.get(scheduled.key())?.is_some())
    }
}
