//! The host's daily agenda: due at each moment her `agenda.schedule` names, in her
//! zone, and queued once per day. The decision is made here from the schedule itself
//! — the latest moment it names at or before now — so a server that was down at 07:00
//! sends it when it is back (within a few hours), and a change of daylight-saving time
//! moves nothing.

use chrono::{Duration, NaiveDate};
use croner::Cron;

use super::outbox::{Prepared, mailed};
use super::{Scheduler, ServiceError};
use crate::domain::{Appointment, OutboxEntry};
use crate::mail::compose::{self, Agenda, AgendaItem};
use crate::store::Scheduled;

/// An agenda that came due longer ago than this is not sent any more.
const AGENDA_STALE: Duration = Duration::hours(3);

impl Scheduler {
    /// Queues the agenda that `schedule` made due now, if any; returns how many (0 or 1)
    /// were queued.
    pub async fn queue_due_agenda(&self, schedule: &Cron) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let local = now.with_timezone(&self.rules.zone);
        let Ok(moment) = schedule.find_previous_occurrence(&local, true) else {
            return Ok(0);
        };
        if moment.with_timezone(&chrono::Utc) + AGENDA_STALE < now {
            return Ok(0);
        }
        let due = Scheduled::Agenda {
            date: moment.date_naive(),
        };
        Ok(self.store.queue_scheduled(&[due], now).await?)
    }

    /// The confirmed appointments of `date` (the host's day), by start.
    pub fn agenda(&self, date: NaiveDate) -> Result<Vec<Appointment>, ServiceError> {
        let mut appointments = Vec::new();
        for (id, _) in self.store.booked_between(date, date)? {
            if let Some(appointment) = self.store.appointment(&id)?
                && appointment.is_confirmed()
                && self.rules.local_date(appointment.interval.start) == date
            {
                appointments.push(appointment);
            }
        }
        appointments.sort_by_key(|appointment| appointment.interval.start);
        Ok(appointments)
    }
}

impl Scheduler {
    /// The host's agenda of `date`, as the day's appointments are now.
    pub(super) fn prepare_agenda(
        &self,
        entry: &OutboxEntry,
        date: NaiveDate,
    ) -> Result<Prepared, ServiceError> {
        let zone = self.rules.zone;
        let mut items = Vec::new();
        for appointment in self.agenda(date)? {
            let client = self.store.client(&appointment.client_id)?;
            let kind = self
                .meeting_types
                .iter()
                .find(|kind| kind.id == appointment.meeting_type)
                .map_or(appointment.meeting_type.clone(), |kind| kind.name.clone());
            let start = appointment.interval.start.with_timezone(&zone);
            let end = appointment.interval.end.with_timezone(&zone);
            items.push(AgendaItem {
                time: format!(
                    "{}–{} {}",
                    start.format("%H:%M"),
                    end.format("%H:%M"),
                    end.format("%Z")
                ),
                kind,
                client: client.map_or_else(
                    || "a former client".to_string(),
                    |client| format!("{} <{}>", client.name, client.email),
                ),
                purpose: appointment.purpose.clone(),
                meeting_url: appointment.meeting_url.clone(),
            });
        }
        let agenda = Agenda {
            to: &self.host.email,
            day: format!("{} ({})", date.format("%A %-d %B %Y"), zone.name()),
            items,
            admin_url: format!("{}/admin", self.public_url),
        };
        let booking_url = format!("{}/", self.public_url);
        Ok(mailed(compose::agenda(
            &self.letterhead(&booking_url),
            &agenda,
            &self.message_id(entry.id),
            self.clock.now(),
        )))
    }
}
