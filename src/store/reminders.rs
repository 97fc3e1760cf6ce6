//! Reminders queued: one per appointment, offset and start time, recorded in the same
//! transaction as its outbox entry, so a reminder is queued exactly once however
//! often (or concurrently) the job looks, across restarts — and a moved appointment
//! gets its reminders again for its new time.

use chrono::{DateTime, Utc};
use sled::Transactional;

use super::tx::{TxResult, finish};
use super::{Store, StoreError, outbox};
use crate::domain::{AppointmentId, Intent, Interval};

fn key(id: &AppointmentId, minutes_before: u32, interval: &Interval) -> Vec<u8> {
    format!(
        "{}\0{minutes_before}\0{}",
        id.as_str(),
        interval.start.timestamp()
    )
    .into_bytes()
}

impl Store {
    /// Queues the reminders in `due` (appointment, its time, minutes before) that were
    /// not queued before, each with its record, in one transaction; then flushes.
    /// Returns how many were queued.
    pub async fn queue_reminders(
        &self,
        due: &[(AppointmentId, Interval, u32)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if due.is_empty() {
            return Ok(0);
        }
        let result = (&self.reminders, &self.outbox).transaction(
            |(reminders, outbox)| -> TxResult<usize, ()> {
                let mut queued = 0;
                for (id, interval, minutes_before) in due {
                    let key = key(id, *minutes_before, interval);
                    if reminders.get(&key)?.is_some() {
                        continue;
                    }
                    reminders.insert(key, now.to_rfc3339().as_bytes())?;
                    let intent = Intent::Remind {
                        appointment: id.clone(),
                        minutes_before: *minutes_before,
                    };
                    outbox::enqueue(outbox, intent, now)?;
                    queued += 1;
                }
                Ok(queued)
            },
        );
        let queued: Result<usize, ()> = finish(result)?;
        self.flush().await?;
        Ok(queued.unwrap_or(0))
    }
}
