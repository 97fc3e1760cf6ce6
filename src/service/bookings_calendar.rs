//! The `bookings` calendar: every confirmed appointment rendered as a VEVENT (the host
//! organizer, the client attendee), and the host's edits of it applied as appointment
//! changes — a moved event is a reschedule, a deleted or cancelled one a cancel — each
//! journaled and queueing the client's notification in the outbox like any other
//! channel. New events are refused there: clients book; the host's own events go in
//! `personal`.

use chrono::{DateTime, Duration, Utc};

use super::cache::Members;
use super::calendars::CalendarProblem;
use super::{Access, Scheduler, ServiceError};
use crate::config::MAX_MEETING_MINUTES;
use crate::domain::calendar::booking_resource;
use crate::domain::{
    Appointment, AppointmentId, CalendarResource, Client, ClientAnswer, Interval, RuleViolation,
};
use crate::ical::CalendarObject;
use crate::ical::write::{self, AppointmentEvent, EventStatus, PartStat, Participant};
use crate::slots::Busy;
use crate::store::{Condition, Notice, Written};

fn not_an_appointment(message: &str) -> ServiceError {
    ServiceError::Calendar(CalendarProblem::NotAnAppointment(message.to_string()))
}

/// The strong ETag of an appointment's rendering: it changes whenever the appointment does.
fn etag(appointment: &Appointment) -> String {
    format!(
        "\"a{}-{}\"",
        appointment.sequence,
        appointment.updated_at.timestamp_micros()
    )
}

/// The members of the bookings calendar: the confirmed appointments, rendered.
pub(super) struct BookedMembers<'a>(pub(super) &'a Scheduler);

impl Members for BookedMembers<'_> {
    fn all(&self) -> Result<Vec<CalendarResource>, ServiceError> {
        self.0.booking_resources()
    }

    fn one(&self, name: &str) -> Result<Option<CalendarResource>, ServiceError> {
        self.0.booking_resource(name)
    }
}

impl Scheduler {
    /// The VEVENT text of `appointment` for `client`.
    pub(super) fn render_booking(
        &self,
        appointment: &Appointment,
        client: &Client,
    ) -> CalendarResource {
        let purpose = (!appointment.purpose.is_empty()).then_some(appointment.purpose.as_str());
        let text = write::appointment(&AppointmentEvent {
            meeting_url: appointment.meeting_url.as_deref(),
            uid: appointment.id.as_str(),
            sequence: appointment.sequence,
            dtstamp: appointment.updated_at,
            interval: appointment.interval,
            summary: &appointment.title,
            description: purpose,
            organizer: Participant {
                email: &self.host.email,
                name: Some(&self.host.name),
            },
            attendee: Participant {
                email: &client.email,
                name: Some(&client.name),
            },
            attendee_status: match appointment.client_answer {
                ClientAnswer::Accepted => PartStat::Accepted,
                ClientAnswer::Tentative => PartStat::Tentative,
            },
            status: if appointment.is_confirmed() {
                EventStatus::Confirmed
            } else {
                EventStatus::Cancelled
            },
        });
        CalendarResource {
            name: booking_resource(&appointment.id).into(),
            uid: appointment.id.to_string().into(),
            etag: etag(appointment).into(),
            text: text.into(),
            span: Some(crate::domain::calendar::Span {
                start: appointment.interval.start,
                end: Some(appointment.interval.end),
            }),
        }
    }

    /// Every confirmed appointment, rendered (read whole once; see [`Members`]).
    fn booking_resources(&self) -> Result<Vec<CalendarResource>, ServiceError> {
        let mut resources = Vec::new();
        for appointment in self.store.appointments()? {
            if let (true, Some(client)) = (
                appointment.is_confirmed(),
                self.store.client(&appointment.client_id)?,
            ) {
                resources.push(self.render_booking(&appointment, &client));
            }
        }
        resources.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(resources)
    }

    /// The confirmed appointment behind resource `name` of the bookings calendar.
    fn booked(&self, name: &str) -> Result<Option<(Appointment, Client)>, ServiceError> {
        let Some(id) = name.strip_suffix(".ics") else {
            return Ok(None);
        };
        let Some(appointment) = self.store.appointment(&AppointmentId::from_string(id))? else {
            return Ok(None);
        };
        if !appointment.is_confirmed() {
            return Ok(None);
        }
        Ok(self
            .store
            .client(&appointment.client_id)?
            .map(|client| (appointment, client)))
    }

    /// Resource `name` of the bookings calendar.
    pub(super) fn booking_resource(
        &self,
        name: &str,
    ) -> Result<Option<CalendarResource>, ServiceError> {
        Ok(self
            .booked(name)?
            .map(|(appointment, client)| self.render_booking(&appointment, &client)))
    }

    /// A PUT into the bookings calendar.
    pub(super) async fn put_booking(
        &self,
        name: &str,
        object: &CalendarObject,
        condition: &Condition,
    ) -> Result<Written, ServiceError> {
        let current = self.booked(name)?;
        if !condition.holds(
            current
                .as_ref()
                .map(|(appointment, _)| etag(appointment))
                .as_deref(),
        ) {
            return Err(ServiceError::Calendar(CalendarProblem::PreconditionFailed));
        }
        if object.is_recurring() {
            return Err(not_an_appointment(
                "appointments do not repeat; book each one",
            ));
        }
        let everything = Interval {
            start: DateTime::<Utc>::MIN_UTC,
            end: DateTime::<Utc>::MAX_UTC,
        };
        let Some(occurrence) = object
            .occurrences(everything, self.host.zone)
            .into_iter()
            .next()
        else {
            return Err(not_an_appointment("the event has no time"));
        };
        match current {
            Some((appointment, _)) if object.is_cancelled() => {
                let cancelled = self.cancel(&appointment.id, &Access::Admin).await?;
                Ok(Written {
                    etag: etag(&cancelled.appointment),
                    created: false,
                })
            }
            Some((appointment, _)) => {
                let moved = self.move_by_host(&appointment, occurrence.interval).await?;
                Ok(Written {
                    etag: etag(&moved),
                    created: false,
                })
            }
            None => Err(not_an_appointment(
                "appointments are booked by clients; put your own events in the personal calendar",
            )),
        }
    }

    /// The host moves an appointment in her calendar: she may leave working hours, but
    /// not land on other busy time, nor make it longer than the longest meeting (the
    /// booking transactions look a day either side for what could overlap).
    async fn move_by_host(
        &self,
        appointment: &Appointment,
        interval: Interval,
    ) -> Result<Appointment, ServiceError> {
        if interval == appointment.interval {
            return Ok(appointment.clone());
        }
        if interval.duration() > Duration::minutes(MAX_MEETING_MINUTES) {
            return Err(not_an_appointment(&format!(
                "an appointment lasts at most {} hours",
                MAX_MEETING_MINUTES / 60
            )));
        }
        let picture = self.busy_picture(interval, Some(&appointment.id))?;
        let taken = |busy: &Busy| {
            if busy.is_free(interval) {
                Ok(())
            } else {
                Err(RuleViolation::Taken)
            }
        };
        taken(&picture.busy).map_err(|violation| ServiceError::SlotUnavailable {
            violation,
            alternatives: Vec::new(),
        })?;
        let check = |booked: &[Interval]| {
            taken(&Busy::new(
                booked,
                &picture.external,
                self.rules.buffer,
                self.rules.zone,
            ))
        };
        let record = |scope, appt: &Appointment, pattern: &mut crate::learn::BookingPattern| {
            self.record(scope, appt, pattern)
        };
        match self.store.reschedule(
            &appointment.id,
            interval,
            self.clock.now(),
            Notice::Client,
            check,
            record,
        )? {
            Ok(moved) => {
                self.store.flush().await?;
                Ok(moved)
            }
            Err(crate::store::Refusal::Rule(violation)) => Err(ServiceError::SlotUnavailable {
                violation,
                alternatives: Vec::new(),
            }),
            Err(crate::store::Refusal::Cancelled) => Err(ServiceError::Cancelled),
            Err(_) => Err(ServiceError::NotFound("appointment")),
        }
    }

    /// A DELETE in the bookings calendar cancels the appointment.
    pub(super) async fn cancel_booking(
        &self,
        name: &str,
        condition: &Condition,
    ) -> Result<(), ServiceError> {
        let Some((appointment, _)) = self.booked(name)? else {
            return Err(ServiceError::NotFound("calendar object"));
        };
        if !condition.holds(Some(&etag(&appointment))) {
            return Err(ServiceError::Calendar(CalendarProblem::PreconditionFailed));
        }
        self.cancel(&appointment.id, &Access::Admin).await?;
        Ok(())
    }
}
