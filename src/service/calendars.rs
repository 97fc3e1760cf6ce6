//! The host's calendars as her calendar app sees them over CalDAV. Calendars are live
//! data: `bookings` is rendered from the appointments (moving one of its events is a
//! reschedule, deleting one a cancel, each journaled and notified through the outbox);
//! `personal` and calendars the host creates hold her own events, which are busy time
//! unless the calendar or event is transparent.

use chrono::{DateTime, Datelike, Utc};

use super::{Scheduler, ServiceError};
use crate::domain::calendar::{self, BOOKINGS, PERSONAL};
use crate::domain::{Calendar, CalendarResource, Interval};
use crate::ical::filter::{CalendarDataRequest, CompFilter};
use crate::ical::{CalendarObject, write};

use super::bookings_calendar::BookedMembers;
use super::cache::{CalendarSnapshot, Members};
use crate::store::{Condition, Store, Transfer, WriteRefusal, Written};
use std::sync::Arc;

/// Why a CalDAV request about calendars cannot be honoured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarProblem {
    /// The body is not a valid calendar object resource.
    #[error("invalid calendar data: {0}")]
    InvalidData(String),
    /// The calendar does not take this kind of component.
    #[error("this calendar does not take {0} components")]
    UnsupportedComponent(String),
    /// Another resource of the calendar has the same UID.
    #[error("the UID is already used by {existing}")]
    UidConflict {
        /// Calendar holding it.
        calendar: String,
        /// Resource holding it.
        existing: String,
    },
    /// If-Match / If-None-Match does not hold.
    #[error("the resource has changed")]
    PreconditionFailed,
    /// A calendar with this id exists.
    #[error("a calendar with this name exists")]
    Exists,
    /// `bookings` and `personal` cannot be removed.
    #[error("the {0} calendar cannot be deleted")]
    Builtin(String),
    /// The name cannot be used for a calendar.
    #[error("{0:?} cannot name a calendar")]
    InvalidName(String),
    /// What was asked of the bookings calendar is not an appointment change.
    #[error("{0}")]
    NotAnAppointment(String),
}

/// A calendar with its current journal position (ctag and sync token).
#[derive(Debug, Clone)]
pub struct CalendarState {
    /// Settings.
    pub calendar: Calendar,
    /// Sequence number of its last change.
    pub seq: u64,
    /// Its CALDAV:calendar-timezone: as set, else the host's zone.
    pub timezone: String,
}

/// The resources a calendar-query matched, in the calendar's snapshot.
pub struct Matches {
    snapshot: Arc<CalendarSnapshot>,
    indices: Vec<usize>,
}

impl Matches {
    /// How many matched.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// True when none did.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The matching resources, by name.
    pub fn iter(&self) -> impl Iterator<Item = &CalendarResource> {
        let resources = self.snapshot.resources();
        self.indices.iter().map(move |index| &resources[*index])
    }
}

/// What changed in a calendar since a sync token.
#[derive(Debug, Clone)]
pub struct SyncAnswer {
    /// The calendar's sequence number now (the next token).
    pub seq: u64,
    /// Each member changed since, by name: its current state, or `None` when it was
    /// removed.
    pub members: Vec<(Arc<str>, Option<CalendarResource>)>,
}

pub(super) fn problem(problem: CalendarProblem) -> ServiceError {
    ServiceError::Calendar(problem)
}

/// The built-in calendars, created at first start.
pub fn builtin_calendars(host_name: &str) -> [Calendar; 2] {
    let mut bookings = Calendar::new(BOOKINGS, &format!("{host_name} — bookings"));
    bookings.description = Some("Every appointment booked with Kairos".to_string());
    let mut personal = Calendar::new(PERSONAL, &format!("{host_name} — personal"));
    personal.description = Some("Your own events: they block booking time".to_string());
    [bookings, personal]
}

impl Scheduler {
    /// Every calendar with its journal position.
    pub fn calendars(&self) -> Result<Vec<CalendarState>, ServiceError> {
        self.store
            .calendars()?
            .into_iter()
            .map(|calendar| self.state(calendar))
            .collect()
    }

    /// One calendar with its journal position.
    pub fn calendar(&self, id: &str) -> Result<CalendarState, ServiceError> {
        let calendar = self
            .store
            .calendar(id)?
            .ok_or(ServiceError::NotFound("calendar"))?;
        self.state(calendar)
    }

    fn state(&self, calendar: Calendar) -> Result<CalendarState, ServiceError> {
        let seq = self.store.calendar_seq(&calendar.id)?;
        let timezone = calendar.timezone.clone().unwrap_or_else(|| {
            self.caches
                .vtimezone(self.host.zone, self.clock.now().year())
        });
        Ok(CalendarState {
            calendar,
            seq,
            timezone,
        })
    }

    /// Creates a calendar (MKCALENDAR).
    pub async fn create_calendar(&self, calendar: Calendar) -> Result<(), ServiceError> {
        if !calendar::is_valid_id(&calendar.id) {
            return Err(problem(CalendarProblem::InvalidName(calendar.id)));
        }
        if !self.store.create_calendar(&calendar)? {
            return Err(problem(CalendarProblem::Exists));
        }
        self.store.flush().await?;
        Ok(())
    }

    /// Changes a calendar's settings (PROPPATCH).
    pub async fn update_calendar(
        &self,
        id: &str,
        change: impl Fn(&mut Calendar),
    ) -> Result<Calendar, ServiceError> {
        let calendar = self
            .store
            .update_calendar(id, change)?
            .ok_or(ServiceError::NotFound("calendar"))?;
        self.store.flush().await?;
        Ok(calendar)
    }

    /// Deletes a calendar the host created, with its events.
    pub async fn delete_calendar(&self, id: &str) -> Result<(), ServiceError> {
        if id == BOOKINGS || id == PERSONAL {
            return Err(problem(CalendarProblem::Builtin(id.to_string())));
        }
        if !self.store.delete_calendar(id)? {
            return Err(ServiceError::NotFound("calendar"));
        }
        self.store.flush().await?;
        Ok(())
    }

    /// What changed in calendar `id` since `since` (all members when `None`).
    pub fn calendar_changes(
        &self,
        id: &str,
        since: Option<u64>,
    ) -> Result<SyncAnswer, ServiceError> {
        let state = self.calendar(id)?;
        let members = match since {
            None => self
                .calendar_resources(id)?
                .resources()
                .iter()
                .map(|resource| (resource.name.clone(), Some(resource.clone())))
                .collect(),
            Some(since) => {
                let changes = self
                    .store
                    .changes_since(id, since)?
                    .ok_or(ServiceError::UnknownSyncToken)?;
                let mut members = Vec::with_capacity(changes.len());
                for change in changes {
                    // A member changed and then removed reads as removed.
                    let current = if change.deleted {
                        None
                    } else {
                        self.calendar_resource(id, &change.resource).ok()
                    };
                    members.push((change.resource.into(), current));
                }
                members
            }
        };
        Ok(SyncAnswer {
            seq: state.seq,
            members,
        })
    }

    /// The resources of calendar `id`, by name (the bookings calendar rendered from
    /// the confirmed appointments).
    pub fn calendar_resources(&self, id: &str) -> Result<Arc<CalendarSnapshot>, ServiceError> {
        let (stored, bookings);
        let members: &dyn Members = if id == BOOKINGS {
            bookings = BookedMembers(self);
            &bookings
        } else {
            self.calendar(id)?;
            stored = StoredMembers {
                store: &self.store,
                calendar: id,
            };
            &stored
        };
        self.caches
            .snapshots
            .resources(&self.store, id, &self.caches.parsed, members)
    }

    /// One resource of calendar `id`.
    pub fn calendar_resource(
        &self,
        id: &str,
        name: &str,
    ) -> Result<CalendarResource, ServiceError> {
        let found = if id == BOOKINGS {
            self.booking_resource(name)?
        } else {
            self.store.resource(id, name)?
        };
        found.ok_or(ServiceError::NotFound("calendar object"))
    }

    /// Writes a resource (PUT). In `bookings` it moves, cancels or books an appointment.
    pub async fn put_calendar_resource(
        &self,
        id: &str,
        name: &str,
        text: &str,
        condition: &Condition,
    ) -> Result<Written, ServiceError> {
        let object = CalendarObject::parse(text)
            .map_err(|error| problem(CalendarProblem::InvalidData(error.to_string())))?;
        let calendar = self.calendar(id)?.calendar;
        let kind = object.kind().name();
        if !calendar
            .components
            .iter()
            .any(|accepted| accepted.eq_ignore_ascii_case(kind))
        {
            return Err(problem(CalendarProblem::UnsupportedComponent(
                kind.to_string(),
            )));
        }
        if id == BOOKINGS {
            return self.put_booking(name, &object, condition).await;
        }
        let resource = CalendarResource {
            name: name.into(),
            uid: object.uid().into(),
            etag: "".into(),
            text: text.into(),
            span: object.span(self.host.zone),
        };
        let written = match self.store.put_resource(id, &resource, condition)? {
            Ok(written) => written,
            Err(refusal) => return Err(write_refused(id, refusal)),
        };
        self.store.flush().await?;
        Ok(written)
    }

    /// Deletes a resource (DELETE). In `bookings` it cancels the appointment.
    pub async fn delete_calendar_resource(
        &self,
        id: &str,
        name: &str,
        condition: &Condition,
    ) -> Result<(), ServiceError> {
        if id == BOOKINGS {
            return self.cancel_booking(name, condition).await;
        }
        if let Err(refusal) = self.store.delete_resource(id, name, condition)? {
            return Err(write_refused(id, refusal));
        }
        self.store.flush().await?;
        Ok(())
    }
}

impl Scheduler {
    /// Copies or moves a resource between (or within) the host's own calendars. The
    /// bookings calendar takes no part: an appointment is not an event to file elsewhere.
    pub async fn transfer_calendar_resource(
        &self,
        transfer: Transfer<'_>,
    ) -> Result<Written, ServiceError> {
        if transfer.from.0 == BOOKINGS || transfer.to.0 == BOOKINGS {
            return Err(problem(CalendarProblem::NotAnAppointment(
                "appointments cannot be copied or moved to other calendars".to_string(),
            )));
        }
        let source = self.calendar_resource(transfer.from.0, transfer.from.1)?;
        let target = self.calendar(transfer.to.0)?.calendar;
        if let Some(object) = self.caches.parsed.get(transfer.from.0, &source) {
            let kind = object.kind().name();
            if !target
                .components
                .iter()
                .any(|accepted| accepted.eq_ignore_ascii_case(kind))
            {
                return Err(problem(CalendarProblem::UnsupportedComponent(
                    kind.to_string(),
                )));
            }
        }
        let written = self
            .store
            .transfer_resource(transfer)?
            .map_err(|refusal| write_refused(transfer.to.0, refusal))?;
        self.store.flush().await?;
        Ok(written)
    }
}

fn write_refused(calendar: &str, refusal: WriteRefusal) -> ServiceError {
    match refusal {
        WriteRefusal::NoCalendar => ServiceError::NotFound("calendar"),
        WriteRefusal::NotFound => ServiceError::NotFound("calendar object"),
        WriteRefusal::PreconditionFailed => problem(CalendarProblem::PreconditionFailed),
        WriteRefusal::UidConflict { existing } => problem(CalendarProblem::UidConflict {
            calendar: calendar.to_string(),
            existing,
        }),
    }
}

/// The members of a stored calendar, as stored.
pub(super) struct StoredMembers<'a> {
    pub(super) store: &'a Store,
    pub(super) calendar: &'a str,
}

impl Members for StoredMembers<'_> {
    fn all(&self) -> Result<Vec<CalendarResource>, ServiceError> {
        Ok(self.store.resources(self.calendar)?)
    }

    fn one(&self, name: &str) -> Result<Option<CalendarResource>, ServiceError> {
        Ok(self.store.resource(self.calendar, name)?)
    }
}

impl Scheduler {
    /// The resources of calendar `id` that pass `filter` (calendar-query), lent from
    /// the calendar's snapshot.
    pub fn query_calendar(&self, id: &str, filter: &CompFilter) -> Result<Matches, ServiceError> {
        let zone = self.host.zone;
        let range = filter_range(filter);
        let snapshot = self.calendar_resources(id)?;
        let indices = snapshot
            .resources()
            .iter()
            .enumerate()
            .filter(|(_, resource)| match (range, resource.span) {
                // Quick refusal: the filter's time range cannot meet this resource.
                (Some(range), Some(span)) => span.may_overlap(&range),
                _ => true,
            })
            .filter(|(index, _)| {
                snapshot
                    .object(*index, &self.caches.parsed)
                    .is_some_and(|object| object.matches(filter, zone))
            })
            .map(|(index, _)| index)
            .collect();
        Ok(Matches { snapshot, indices })
    }

    /// The calendar-data of `resource` as a REPORT asked for it: expanded or with a
    /// limited recurrence set; `None` when the text as stored is the answer.
    pub fn calendar_data(
        &self,
        calendar: &str,
        resource: &CalendarResource,
        request: &CalendarDataRequest,
    ) -> Option<String> {
        if request.expand.is_none() && request.limit_recurrence_set.is_none() {
            return None;
        }
        let zone = self.host.zone;
        let object = self.caches.parsed.get(calendar, resource)?;
        if let Some(range) = &request.expand {
            return Some(write::expanded(&object, range, zone));
        }
        request
            .limit_recurrence_set
            .map(|range| write::limited_recurrence_set(&object, &range, zone))
    }
}

/// The time range a filter's VEVENT/VTODO comp-filter names, if it names one.
fn filter_range(filter: &CompFilter) -> Option<Interval> {
    filter.comp_filters.iter().find_map(|inner| {
        let range = inner.time_range?;
        Interval::new(
            range.start.unwrap_or(DateTime::<Utc>::MIN_UTC),
            range.end.unwrap_or(DateTime::<Utc>::MAX_UTC),
        )
    })
}
