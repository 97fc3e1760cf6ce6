//! The host's dashboard: what happened (the activity log, written as things happen)
//! and how things stand (appointments, the outbox, the Google mirror), summed up for
//! one period — bookings per week by channel, the two booking funnels, time to book,
//! conflict, cancellation and no-show rates, when meetings fall, how far ahead they
//! are booked, and who books most — plus the host's own actions on it: cancel,
//! mark a no-show, retry a failed delivery.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Timelike};

use super::Access;
use super::{Scheduler, ServiceError};
use crate::domain::{Activity, Appointment, Channel, Interval};
use crate::store::Backlog;

/// The channels, in the order the dashboard shows them.
pub const CHANNELS: [Channel; 5] = [
    Channel::Page,
    Channel::Chat,
    Channel::Invitation,
    Channel::Caldav,
    Channel::Api,
];

/// Lead-time buckets: (label, up to this many days ahead).
pub const LEAD_TIMES: [(&str, i64); 6] = [
    ("same day", 1),
    ("1–2 days", 3),
    ("3–7 days", 8),
    ("1–2 weeks", 15),
    ("2–4 weeks", 29),
    ("later", i64::MAX),
];

/// Weeks the dashboard looks back.
pub const WEEKS: i64 = 12;

/// One week's bookings.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekRow {
    /// Its Monday, in the host's zone.
    pub monday: NaiveDate,
    /// Bookings per channel, in [`CHANNELS`] order.
    pub by_channel: [u32; 5],
}

/// A client who books often.
#[derive(Debug, Clone, PartialEq)]
pub struct TopClient {
    /// Their name.
    pub name: String,
    /// Their address.
    pub email: String,
    /// Bookings in the period.
    pub bookings: u32,
}

/// An appointment the Google mirror found overlapping the host's own Google events.
#[derive(Debug, Clone)]
pub struct GoogleConflict {
    /// The appointment.
    pub appointment: Appointment,
    /// The Google busy time it overlaps.
    pub busy: Interval,
}

/// The dashboard's figures.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// The period's first day (a Monday) and the day it was computed.
    pub from: NaiveDate,
    /// Bookings per week by channel, oldest first.
    pub weeks: Vec<WeekRow>,
    /// Booking page: opened → time chosen → booked (page and assistant).
    pub page_funnel: [u32; 3],
    /// Invitations: received → accepted as sent / answered with other times → booked.
    pub invitation_funnel: [u32; 4],
    /// Median time from first asking to booked, where known.
    pub median_time_to_book: Option<Duration>,
    /// Bookings whose time to book is known.
    pub timed_bookings: u32,
    /// Invitations answered with other times ÷ invitations.
    pub conflict_rate: Option<f64>,
    /// Bookings in the period.
    pub bookings: u32,
    /// Cancellations in the period.
    pub cancellations: u32,
    /// No-shows marked ÷ meetings held in the period.
    pub no_show_rate: Option<f64>,
    /// No-shows marked in the period.
    pub no_shows: u32,
    /// Meetings in the period that have taken place.
    pub meetings_held: u32,
    /// Confirmed meetings in the period by weekday (Monday first) × hour, her zone.
    pub heatmap: [[u32; 24]; 7],
    /// Bookings by how far ahead they were made, in [`LEAD_TIMES`] order.
    pub lead_times: [u32; 6],
    /// Who books most, most first (at most ten).
    pub top_clients: Vec<TopClient>,
}

impl Scheduler {
    /// Logs `activity` as happening now. The dashboard is not worth failing a visit
    /// for: a log that cannot be written is reported and passed over.
    pub fn note(&self, activity: Activity) {
        if let Err(error) = self.store.log_activity(self.clock.now(), activity) {
            tracing::warn!(%error, "an activity could not be logged");
        }
    }

    /// The dashboard for the last [`WEEKS`] weeks.
    pub fn dashboard(&self) -> Result<Dashboard, ServiceError> {
        let now = self.clock.now();
        let zone = self.rules.zone;
        let today = self.rules.local_date(now);
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let from = monday - Duration::weeks(WEEKS - 1);
        // A day's slack for the zone; what falls before `from` is skipped below.
        let since = now - Duration::weeks(WEEKS) - Duration::days(8);
        let mut board = Dashboard {
            from,
            weeks: (0..WEEKS)
                .map(|week| WeekRow {
                    monday: from + Duration::weeks(week),
                    by_channel: [0; 5],
                })
                .collect(),
            ..Dashboard::default()
        };
        let mut times_to_book = Vec::new();
        let mut per_client: HashMap<crate::domain::ClientId, u32> = HashMap::new();
        for recorded in self.store.activity_since(since)? {
            if recorded.at.with_timezone(&zone).date_naive() < from {
                continue;
            }
            match recorded.activity {
                Activity::PageViewed => board.page_funnel[0] += 1,
                Activity::TimeChosen => board.page_funnel[1] += 1,
                Activity::InvitationReceived => board.invitation_funnel[0] += 1,
                Activity::InvitationAccepted => board.invitation_funnel[1] += 1,
                Activity::AlternativesOffered => board.invitation_funnel[2] += 1,
                Activity::Cancelled { .. } => board.cancellations += 1,
                Activity::NoShow { .. } => board.no_shows += 1,
                Activity::Moved { .. } => {}
                Activity::Booked {
                    client,
                    channel,
                    start,
                    asked_at,
                    ..
                } => {
                    board.bookings += 1;
                    let day = recorded.at.with_timezone(&zone).date_naive();
                    let week = ((day - from).num_days() / 7) as usize;
                    let lane = CHANNELS.iter().position(|c| *c == channel).unwrap_or(4);
                    if let Some(row) = board.weeks.get_mut(week) {
                        row.by_channel[lane] += 1;
                    }
                    match channel {
                        Channel::Page | Channel::Chat => board.page_funnel[2] += 1,
                        Channel::Invitation => board.invitation_funnel[3] += 1,
                        Channel::Caldav | Channel::Api => {}
                    }
                    if let Some(asked) = asked_at.filter(|asked| *asked <= recorded.at) {
                        times_to_book.push(recorded.at - asked);
                    }
                    let ahead = (start - recorded.at).num_seconds().max(0) / 86_400;
                    let bucket = LEAD_TIMES
                        .iter()
                        .position(|(_, days)| ahead < *days)
                        .unwrap_or(LEAD_TIMES.len() - 1);
                    board.lead_times[bucket] += 1;
                    *per_client.entry(client).or_default() += 1;
                }
            }
        }
        board.timed_bookings = times_to_book.len() as u32;
        board.median_time_to_book = median(&mut times_to_book);
        board.conflict_rate = ratio(board.invitation_funnel[2], board.invitation_funnel[0]);
        for (_, interval) in self.store.booked_between(from, today)? {
            let local = interval.start.with_timezone(&zone);
            let weekday = local.weekday().num_days_from_monday() as usize;
            board.heatmap[weekday][local.hour() as usize] += 1;
            if interval.end <= now {
                board.meetings_held += 1;
            }
        }
        board.no_show_rate = ratio(board.no_shows, board.meetings_held);
        let mut top: Vec<(crate::domain::ClientId, u32)> = per_client.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        for (id, bookings) in top.into_iter().take(10) {
            if let Some(client) = self.store.client(&id)? {
                board.top_clients.push(TopClient {
                    name: client.name,
                    email: client.email.as_str().to_string(),
                    bookings,
                });
            }
        }
        Ok(board)
    }

    /// The confirmed appointments of the last `days_back` days and the next
    /// `upcoming` ones, by start, with their clients' names.
    pub fn appointments_around(
        &self,
        days_back: i64,
        upcoming: usize,
    ) -> Result<Vec<(Appointment, String)>, ServiceError> {
        let now = self.clock.now();
        let from = self.rules.local_date(now - Duration::days(days_back));
        let to = self.rules.local_date(now + self.rules.horizon);
        let mut booked = self.store.booked_between(from, to)?;
        booked.sort_by_key(|(_, interval)| interval.start);
        let past = booked.partition_point(|(_, interval)| interval.start <= now);
        booked.truncate(past + upcoming);
        let mut names: HashMap<crate::domain::ClientId, String> = HashMap::new();
        let mut listed = Vec::new();
        for (id, _) in booked {
            let Some(appointment) = self.store.appointment(&id)? else {
                continue;
            };
            let name = match names.get(&appointment.client_id) {
                Some(name) => name.clone(),
                None => {
                    let name = self
                        .store
                        .client(&appointment.client_id)?
                        .map_or_else(String::new, |client| client.name);
                    names.insert(appointment.client_id.clone(), name.clone());
                    name
                }
            };
            listed.push((appointment, name));
        }
        Ok(listed)
    }

    /// What waits in the outbox (the first `listed` entries) and what failed.
    pub fn outbox_backlog(&self, listed: usize) -> Result<Backlog, ServiceError> {
        Ok(self.store.outbox_backlog(listed)?)
    }

    /// Upcoming appointments that overlap the host's own Google events.
    pub fn google_conflicts(&self) -> Result<Vec<GoogleConflict>, ServiceError> {
        let now = self.clock.now();
        let busy = self.store.google_busy()?;
        if busy.is_empty() {
            return Ok(Vec::new());
        }
        let from = self.rules.local_date(now);
        let to = self.rules.local_date(now + self.rules.horizon);
        let mut conflicts = Vec::new();
        for (id, interval) in self.store.booked_between(from, to)? {
            if interval.end <= now {
                continue;
            }
            let Some(overlap) = busy.iter().find(|b| b.overlaps(&interval)) else {
                continue;
            };
            if let Some(appointment) = self.store.appointment(&id)? {
                conflicts.push(GoogleConflict {
                    appointment,
                    busy: *overlap,
                });
            }
        }
        conflicts.sort_by_key(|conflict| conflict.appointment.interval.start);
        Ok(conflicts)
    }

    /// The host marks that the client of appointment `id` did not come (only once it
    /// has begun). Returns the appointment.
    pub async fn mark_no_show(&self, id: &str) -> Result<Appointment, ServiceError> {
        let id = crate::domain::AppointmentId::from_string(id);
        let now = self.clock.now();
        match self.store.mark_no_show(&id, now).await? {
            Ok(appointment) => Ok(appointment),
            Err(NoShowRefusal::NotFound) => Err(ServiceError::NotFound("appointment")),
            Err(NoShowRefusal::NotBegun) => Err(super::invalid(
                "not_begun",
                "appointment",
                "a meeting can be marked missed only once it has begun",
            )),
            Err(NoShowRefusal::Cancelled) => Err(super::invalid(
                "cancelled",
                "appointment",
                "a cancelled meeting cannot be missed",
            )),
        }
    }

    /// The host cancels appointment `id`; the client is told.
    pub async fn cancel_as_host(&self, id: &str) -> Result<Appointment, ServiceError> {
        let id = crate::domain::AppointmentId::from_string(id);
        Ok(self.cancel(&id, &Access::Admin).await?.appointment)
    }

    /// Tries failed outbox entry `id` again.
    pub async fn retry_delivery(&self, id: u64) -> Result<(), ServiceError> {
        if self.store.retry_outbox(id).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("outbox entry"))
        }
    }
}

pub use crate::store::NoShowRefusal;

fn median(values: &mut [Duration]) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2
    })
}

fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}
