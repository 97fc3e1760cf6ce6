//! Reminders before appointments: which are due now — the moment `minutes before` a
//! confirmed appointment has come and its start has not — for each offset the host
//! configured. One that came due before the appointment was even booked is not sent
//! (a booking an hour ahead gets no "24 hours before"). The store queues each once.

use chrono::Duration;

use super::{Scheduler, ServiceError};

impl Scheduler {
    /// Queues the reminders due now, `before_minutes` before each appointment; returns
    /// how many were queued.
    pub async fn queue_due_reminders(&self, before_minutes: &[u32]) -> Result<usize, ServiceError> {
        let Some(furthest) = before_minutes.iter().max() else {
            return Ok(0);
        };
        let now = self.clock.now();
        let from = self.rules.local_date(now);
        let to = self
            .rules
            .local_date(now + Duration::minutes(i64::from(*furthest)) + Duration::days(1));
        let mut due = Vec::new();
        for (id, interval) in self.store.booked_between(from, to)? {
            if interval.start <= now {
                continue;
            }
            for minutes in before_minutes {
                let moment = interval.start - Duration::minutes(i64::from(*minutes));
                if moment > now {
                    continue;
                }
                let Some(appointment) = self.store.appointment(&id)? else {
                    continue;
                };
                // Booked (or moved) after the moment: that reminder has no sense.
                if appointment.updated_at > moment {
                    continue;
                }
                due.push((id.clone(), interval, *minutes));
            }
        }
        Ok(self.store.queue_reminders(&due, now).await?)
    }
}
