//! Mail to clients around their meetings, decided here and queued once by the store:
//! reminders — the moment `minutes before` a confirmed appointment has come and its
//! start has not, for each offset the host configured; one that came due before the
//! appointment was even booked is not sent (a booking an hour ahead gets no "24 hours
//! before") — and the follow-up after a meeting, offering another.

use chrono::Duration;

use super::outbox::{Prepared, mailed};
use super::{Scheduler, ServiceError};
use crate::domain::{AppointmentId, Interval, OutboxEntry};
use crate::mail::compose::{self, FollowUpOffer, OfferedLink};
use crate::slots;
use crate::store::Scheduled;

/// A follow-up that came due longer ago than this is no longer sent (after a long
/// outage, or when follow-ups were just turned on).
const FOLLOW_UP_STALE: Duration = Duration::days(2);

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
                due.push(Scheduled::Reminder {
                    appointment: id.clone(),
                    interval,
                    minutes_before: *minutes,
                });
            }
        }
        Ok(self.store.queue_scheduled(&due, now).await?)
    }

    /// Queues the follow-ups due now: `after` the end of each confirmed appointment
    /// that was not marked a no-show, unless the client has booked again since.
    pub async fn queue_due_follow_ups(&self, after: Duration) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let from = self
            .rules
            .local_date(now - after - FOLLOW_UP_STALE - Duration::days(1));
        let to = self.rules.local_date(now);
        let mut due = Vec::new();
        let mut booked_again = None;
        for (id, interval) in self.store.booked_between(from, to)? {
            let moment = interval.end + after;
            if moment > now || moment + FOLLOW_UP_STALE < now {
                continue;
            }
            let scheduled = Scheduled::FollowUp {
                appointment: id.clone(),
                interval,
            };
            if self.store.was_scheduled(&scheduled)? {
                continue;
            }
            let Some(appointment) = self.store.appointment(&id)? else {
                continue;
            };
            if appointment.no_show {
                continue;
            }
            let upcoming = match &booked_again {
                Some(clients) => clients,
                None => booked_again.insert(self.clients_with_upcoming()?),
            };
            if upcoming.contains(&appointment.client_id) {
                continue;
            }
            due.push(scheduled);
        }
        Ok(self.store.queue_scheduled(&due, now).await?)
    }

    /// The clients with a confirmed appointment still to come.
    fn clients_with_upcoming(
        &self,
    ) -> Result<std::collections::HashSet<crate::domain::ClientId>, ServiceError> {
        let now = self.clock.now();
        let from = self.rules.local_date(now);
        let to = self
            .rules
            .local_date(now + self.rules.horizon + Duration::days(1));
        let mut clients = std::collections::HashSet::new();
        for (id, interval) in self.store.booked_between(from, to)? {
            if interval.start <= now {
                continue;
            }
            if let Some(appointment) = self.store.appointment(&id)? {
                clients.insert(appointment.client_id);
            }
        }
        Ok(clients)
    }
}

/// How far ahead the follow-up's times are looked for.
const FOLLOW_UP_SEARCH: Duration = Duration::days(14);

impl Scheduler {
    /// The follow-up offer after appointment `id`: the best times for the follow-up
    /// meeting type in the coming two weeks, for this client, in their zone.
    pub(super) fn prepare_follow_up(
        &self,
        entry: &OutboxEntry,
        id: &AppointmentId,
    ) -> Result<Prepared, ServiceError> {
        let Some(appointment) = self.store.appointment(id)? else {
            return Ok(Prepared::Impossible(format!("appointment {id} is gone")));
        };
        let Some(client) = self.store.client(&appointment.client_id)? else {
            return Ok(Prepared::Impossible(format!(
                "the client of appointment {id} is gone"
            )));
        };
        if !appointment.is_confirmed() || appointment.no_show {
            return Ok(Prepared::Impossible(format!(
                "appointment {id} was cancelled or missed: no follow-up"
            )));
        }
        let kind = self.meeting_type(Some(&self.follow_up_kind))?;
        let zone = appointment.client_zone;
        let now = self.clock.now();
        let range = Interval {
            start: now,
            end: now + FOLLOW_UP_SEARCH.min(self.rules.horizon),
        };
        let picture = self.busy_picture(range, None)?;
        let engine = self.engine(&picture.busy, kind);
        let free = engine.available(range, kind.duration);
        let context = self.score_context(Some(&client), zone)?;
        let best = slots::best(&engine.score(&free, &context), self.scoring.alternatives);
        let page = |extra: String| {
            format!(
                "{}/?type={}&tz={}{extra}",
                self.public_url,
                encode(&kind.id),
                encode(zone.name())
            )
        };
        let times = best
            .iter()
            .map(|slot| OfferedLink {
                when: compose::when(slot.interval, zone),
                reasons: slot.reasons.join("; "),
                url: page(format!(
                    "&start={}",
                    encode(&slot.interval.start.with_timezone(&zone).to_rfc3339())
                )),
            })
            .collect();
        let offer = FollowUpOffer {
            to_name: &client.name,
            to: &client.email,
            purpose: &appointment.purpose,
            kind_name: &kind.name,
            times,
            booking_url: page(String::new()),
        };
        let booking_url = format!("{}/", self.public_url);
        Ok(mailed(compose::follow_up(
            &self.letterhead(&booking_url),
            &offer,
            &self.message_id(entry.id),
            now,
        )))
    }
}

/// `text` for a URL's query.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
