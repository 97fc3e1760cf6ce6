//! Free/busy: a calendar's busy time (free-busy-query), all of the host's busy time
//! (the public `/freebusy/<host>.vfb` and free/busy requests to the scheduling outbox).
//! Times only — never titles, attendees or descriptions.

use chrono::{DateTime, Utc};

use super::calendars::{CalendarProblem, problem};
use super::{Scheduler, ServiceError};
use crate::domain::Interval;
use crate::ical::filter::TimeRange;
use crate::ical::{CalendarObject, write};

/// One recipient's answer to a free/busy request (RFC 6638 §3.2.10).
#[derive(Debug, Clone)]
pub struct FreeBusyReply {
    /// `mailto:` URI of the recipient.
    pub recipient: String,
    /// iTIP request status (`2.0;Success`, `3.7;Invalid calendar user`).
    pub status: String,
    /// The VFREEBUSY reply, for a recipient whose time Kairos knows.
    pub calendar: Option<String>,
}

impl Scheduler {
    /// A VFREEBUSY of calendar `id`'s busy time within `range` (free-busy-query).
    pub fn calendar_free_busy(&self, id: &str, range: TimeRange) -> Result<String, ServiceError> {
        let range = bounded(range, self.clock.now());
        let calendar = self.calendar(id)?.calendar;
        let busy = if calendar.transparent {
            Vec::new()
        } else {
            let snapshot = self.calendar_resources(id)?;
            snapshot
                .resources()
                .iter()
                .enumerate()
                .filter(|(_, resource)| resource.span.is_some_and(|span| span.may_overlap(&range)))
                .filter_map(|(index, _)| snapshot.object(index, &self.caches.parsed))
                .flat_map(|object| object.occurrences(range, self.host.zone))
                .filter(|occurrence| !occurrence.transparent)
                .map(|occurrence| occurrence.interval)
                .collect()
        };
        Ok(write::freebusy(
            Some(&self.host.email),
            range,
            &busy,
            self.clock.now(),
        ))
    }

    /// All of the host's busy time within `range`: appointments and her busy calendars
    /// (what `/freebusy/<host>.vfb` and free/busy requests publish — times only).
    pub fn host_busy(&self, range: Interval) -> Result<Vec<Interval>, ServiceError> {
        let picture = self.busy_picture(range, None)?;
        Ok(picture.busy.intervals().to_vec())
    }

    /// From now to the end of the booking horizon.
    pub fn booking_window(&self) -> Interval {
        let now = self.clock.now();
        Interval {
            start: now,
            end: now + self.rules.horizon.max(chrono::Duration::minutes(1)),
        }
    }

    /// The host's VFREEBUSY for `range`, or over the booking window.
    pub fn host_free_busy(&self, range: Option<Interval>) -> Result<String, ServiceError> {
        let now = self.clock.now();
        let range = range.unwrap_or_else(|| self.booking_window());
        let busy = self.host_busy(range)?;
        Ok(write::freebusy(Some(&self.host.email), range, &busy, now))
    }

    /// Answers a VFREEBUSY REQUEST posted to the scheduling outbox.
    pub fn free_busy_request(&self, text: &str) -> Result<Vec<FreeBusyReply>, ServiceError> {
        let object = CalendarObject::parse(text)
            .map_err(|error| problem(CalendarProblem::InvalidData(error.to_string())))?;
        let everything = Interval {
            start: DateTime::<Utc>::MIN_UTC,
            end: DateTime::<Utc>::MAX_UTC,
        };
        let range = object
            .occurrences(everything, self.host.zone)
            .first()
            .map(|occurrence| occurrence.interval)
            .ok_or_else(|| {
                problem(CalendarProblem::InvalidData(
                    "the request has no DTSTART/DTEND".into(),
                ))
            })?;
        let ours = [&self.host.email, &self.host.booking_address];
        let mut replies = Vec::new();
        for attendee in object.attendees() {
            let recipient = format!("mailto:{attendee}");
            if ours.contains(&&attendee) {
                let calendar = self.host_free_busy(Some(range))?;
                replies.push(FreeBusyReply {
                    recipient,
                    status: "2.0;Success".into(),
                    calendar: Some(calendar),
                });
            } else {
                replies.push(FreeBusyReply {
                    recipient,
                    status: "3.7;Invalid calendar user".into(),
                    calendar: None,
                });
            }
        }
        Ok(replies)
    }
}

/// A time range made finite: an open end is a year away from `now`.
fn bounded(range: TimeRange, now: DateTime<Utc>) -> Interval {
    let start = range.start.unwrap_or(now);
    let end = range
        .end
        .unwrap_or(start + chrono::Duration::days(365))
        .max(start + chrono::Duration::seconds(1));
    Interval { start, end }
}
