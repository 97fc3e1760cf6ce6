//! Booking, reading, rescheduling and cancelling appointments. The rules are checked
//! once before the transaction (for a quick, complete answer) and again inside it on
//! the appointments the transaction itself read, which is what makes double booking
//! impossible whatever the timing.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use rand::RngCore;

use super::availability::meeting_length;
use super::{Access, Scheduler, ServiceError, invalid};
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Channel, Client, ClientAnswer, ClientId,
    EmailAddress, Interval, ManageToken, MeetingType, RuleViolation,
};
use crate::learn::BookingPattern;
use crate::slots::Busy;
use crate::store::{ClientRef, Notice, PatternScope, Refusal};

/// Longest purpose text kept.
const MAX_PURPOSE_CHARS: usize = 2000;
/// Longest name kept.
const MAX_NAME_CHARS: usize = 200;

/// Who a booking is for.
#[derive(Debug, Clone)]
pub enum Who {
    /// A known client.
    Known(ClientId),
    /// Someone identified by name and address (new or returning).
    Person {
        /// Name as given.
        name: String,
        /// Address.
        email: EmailAddress,
    },
}

/// A request to book.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    /// For whom.
    pub who: Who,
    /// Requested start.
    pub start: DateTime<Utc>,
    /// Length in minutes; default: the meeting type's.
    pub duration_minutes: Option<i64>,
    /// Meeting type id; default: the first configured.
    pub meeting_type: Option<String>,
    /// What it is about.
    pub purpose: String,
    /// The client's zone.
    pub zone: Tz,
    /// Where the request came from.
    pub channel: Channel,
    /// When the client first asked, when known (for the dashboard's time to book).
    pub asked_at: Option<DateTime<Utc>>,
}

/// A booked (or read) appointment with its client.
#[derive(Debug, Clone)]
pub struct Booking {
    /// The appointment.
    pub appointment: Appointment,
    /// Its client.
    pub client: Client,
}

fn clean_name(name: &str) -> Result<String, ServiceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("invalid_name", "name", "a name is needed"));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(invalid(
            "invalid_name",
            "name",
            format!("a name is at most {MAX_NAME_CHARS} characters, on one line"),
        ));
    }
    Ok(name.to_string())
}

fn clean_purpose(purpose: &str) -> Result<String, ServiceError> {
    let purpose = purpose.trim();
    let bad_control = purpose
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if purpose.chars().count() > MAX_PURPOSE_CHARS || bad_control {
        return Err(invalid(
            "invalid_purpose",
            "purpose",
            format!("the purpose is at most {MAX_PURPOSE_CHARS} characters of text"),
        ));
    }
    Ok(purpose.to_string())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

impl Scheduler {
    /// Books a time, or says why not with alternatives.
    pub async fn book(&self, request: BookingRequest) -> Result<Booking, ServiceError> {
        self.book_telling(request, |_| Notice::Client).await
    }

    /// As [`Self::book`], with `notice` deciding who is told of the new appointment
    /// and how.
    pub(super) async fn book_telling(
        &self,
        request: BookingRequest,
        notice: impl FnOnce(&Appointment) -> Notice,
    ) -> Result<Booking, ServiceError> {
        let kind = self.meeting_type(request.meeting_type.as_deref())?.clone();
        let duration = meeting_length(request.duration_minutes, &kind)?;
        let purpose = clean_purpose(&request.purpose)?;
        let (client_ref, known, name) = match &request.who {
            Who::Known(id) => {
                let client = self
                    .store
                    .client(id)?
                    .ok_or_else(|| invalid("unknown_user", "userId", format!("no client {id}")))?;
                let name = client.name.clone();
                (ClientRef::Known(id.clone()), Some(client), name)
            }
            Who::Person { name, email } => {
                let name = clean_name(name)?;
                let known = self.store.client_by_email(email)?;
                let new_id = ClientId::from_random(random_bytes());
                (
                    ClientRef::ByEmail {
                        new_id,
                        name: name.clone(),
                        email: email.clone(),
                    },
                    known,
                    name,
                )
            }
        };
        let interval = Interval::starting_at(request.start, duration)
            .ok_or_else(|| invalid("invalid_duration", "duration", "duration must be positive"))?;
        let now = self.clock.now();
        let picture = self.busy_picture(interval, None)?;
        if let Err(violation) = self.engine(&picture.busy, &kind).check(interval) {
            return Err(self.unavailable(
                violation,
                interval,
                &kind,
                known.as_ref(),
                request.zone,
                None,
            )?);
        }
        let appointment = Appointment {
            id: AppointmentId::from_random(random_bytes()),
            client_id: ClientId::from_string(""),
            meeting_type: kind.id.clone(),
            title: format!("{} with {name}", kind.name),
            purpose,
            interval,
            client_zone: request.zone,
            status: AppointmentStatus::Confirmed,
            manage_token: ManageToken::from_random(random_bytes()),
            channel: request.channel,
            created_at: now,
            updated_at: now,
            sequence: 0,
            client_answer: ClientAnswer::Accepted,
            meeting_url: None,
            google_event_id: None,
            no_show: false,
            // A claim from the page: believed only when it is in the last month.
            asked_at: request
                .asked_at
                .filter(|at| *at <= now && now - *at <= chrono::Duration::days(30)),
        };
        let notice = notice(&appointment);
        let check = |booked: &[Interval]| {
            self.check_in_transaction(booked, &picture.external, &kind, interval)
        };
        let outcome = self.store.book(
            appointment,
            client_ref,
            notice,
            check,
            |scope, appt, pattern| self.record(scope, appt, pattern),
        )?;
        match outcome {
            Ok(booked) => {
                self.store.flush().await?;
                Ok(Booking {
                    appointment: booked.appointment,
                    client: booked.client,
                })
            }
            Err(Refusal::Rule(violation)) => Err(self.unavailable(
                violation,
                interval,
                &kind,
                known.as_ref(),
                request.zone,
                None,
            )?),
            Err(Refusal::UnknownClient) => Err(invalid("unknown_user", "userId", "no such client")),
            Err(Refusal::NotFound | Refusal::Cancelled) => {
                Err(ServiceError::NotFound("appointment"))
            }
        }
    }

    /// The rule check run inside a store transaction, on the appointments it read.
    fn check_in_transaction(
        &self,
        booked: &[Interval],
        external: &[Interval],
        kind: &MeetingType,
        interval: Interval,
    ) -> Result<(), RuleViolation> {
        let busy = Busy::new(booked, external, self.rules.buffer, self.rules.zone);
        self.engine(&busy, kind).check(interval)
    }

    /// Adds a booking to the client's pattern (in the client's zone) or the global one (host zone).
    pub(super) fn record(
        &self,
        scope: PatternScope,
        appointment: &Appointment,
        pattern: &mut BookingPattern,
    ) {
        let zone = match scope {
            PatternScope::Client => appointment.client_zone,
            PatternScope::Global => self.rules.zone,
        };
        let start = appointment.interval.start.with_timezone(&zone);
        pattern.record(
            start.weekday(),
            start.hour(),
            appointment.updated_at,
            self.decay,
        );
    }

    fn unavailable(
        &self,
        violation: RuleViolation,
        interval: Interval,
        kind: &MeetingType,
        client: Option<&Client>,
        zone: Tz,
        except: Option<&AppointmentId>,
    ) -> Result<ServiceError, ServiceError> {
        let alternatives = self.alternatives(interval, kind, client, zone, except)?;
        Ok(ServiceError::SlotUnavailable {
            violation,
            alternatives,
        })
    }

    /// The appointment `id`, if `access` may see it.
    pub fn appointment(
        &self,
        id: &AppointmentId,
        access: &Access,
    ) -> Result<Booking, ServiceError> {
        let appointment = self.stored(id)?;
        self.authorize(&appointment, access)?;
        self.with_client(appointment)
    }

    fn stored(&self, id: &AppointmentId) -> Result<Appointment, ServiceError> {
        self.store
            .appointment(id)?
            .ok_or(ServiceError::NotFound("appointment"))
    }

    fn authorize(&self, appointment: &Appointment, access: &Access) -> Result<(), ServiceError> {
        match access {
            Access::Admin => Ok(()),
            Access::Token(token) if appointment.manage_token.matches(token) => Ok(()),
            Access::Token(_) => Err(ServiceError::Forbidden),
            Access::Anonymous => Err(ServiceError::Unauthorized),
        }
    }

    fn with_client(&self, appointment: Appointment) -> Result<Booking, ServiceError> {
        let client = self
            .store
            .client(&appointment.client_id)?
            .ok_or(ServiceError::NotFound("client"))?;
        Ok(Booking {
            appointment,
            client,
        })
    }

    /// Cancels the appointment `id`; cancelling twice is harmless.
    pub async fn cancel(
        &self,
        id: &AppointmentId,
        access: &Access,
    ) -> Result<Booking, ServiceError> {
        let current = self.stored(id)?;
        self.authorize(&current, access)?;
        self.cancel_telling(id, Notice::Client).await
    }

    /// Cancels the appointment `id` (no access check), telling whom `notice` says.
    pub(super) async fn cancel_telling(
        &self,
        id: &AppointmentId,
        notice: Notice,
    ) -> Result<Booking, ServiceError> {
        let cancelled = self
            .store
            .cancel(id, self.clock.now(), notice)?
            .ok_or(ServiceError::NotFound("appointment"))?;
        self.store.flush().await?;
        self.with_client(cancelled)
    }

    /// Moves the appointment `id` to start at `start`, keeping its length; atomically,
    /// so it holds either its old time or its new one, never both or neither.
    pub async fn reschedule(
        &self,
        id: &AppointmentId,
        access: &Access,
        start: DateTime<Utc>,
    ) -> Result<Booking, ServiceError> {
        let current = self.stored(id)?;
        self.authorize(&current, access)?;
        self.reschedule_telling(current, start, |_| Notice::Client)
            .await
    }

    /// Moves `current` to start at `start` (no access check), telling whom `notice`
    /// says (given the moved appointment).
    pub(super) async fn reschedule_telling(
        &self,
        current: Appointment,
        start: DateTime<Utc>,
        notice: impl FnOnce(&Appointment) -> Notice,
    ) -> Result<Booking, ServiceError> {
        let interval =
            Interval::starting_at(start, current.interval.duration().max(Duration::minutes(1)))
                .expect("invariant: stored appointments have a positive length");
        self.move_telling(current, interval, notice).await
    }

    /// Moves `current` to `interval`, which may also change its length (within the
    /// limits any booking has), telling whom `notice` says.
    pub(super) async fn move_telling(
        &self,
        current: Appointment,
        interval: Interval,
        notice: impl FnOnce(&Appointment) -> Notice,
    ) -> Result<Booking, ServiceError> {
        let id = &current.id;
        if !current.is_confirmed() {
            return Err(ServiceError::Cancelled);
        }
        let kind = self.meeting_type(Some(&current.meeting_type))?.clone();
        if interval.duration() != current.interval.duration() {
            meeting_length(Some(interval.duration().num_minutes()), &kind)?;
        }
        let client = self.store.client(&current.client_id)?;
        let zone = current.client_zone;
        let picture = self.busy_picture(interval, Some(id))?;
        if let Err(violation) = self.engine(&picture.busy, &kind).check(interval) {
            return Err(self.unavailable(
                violation,
                interval,
                &kind,
                client.as_ref(),
                zone,
                Some(id),
            )?);
        }
        let check = |booked: &[Interval]| {
            self.check_in_transaction(booked, &picture.external, &kind, interval)
        };
        let record = |scope, appt: &Appointment, pattern: &mut BookingPattern| {
            self.record(scope, appt, pattern)
        };
        let notice = notice(&current);
        match self
            .store
            .reschedule(id, interval, self.clock.now(), notice, check, record)?
        {
            Ok(moved) => {
                self.store.flush().await?;
                self.with_client(moved)
            }
            Err(Refusal::Rule(violation)) => Err(self.unavailable(
                violation,
                interval,
                &kind,
                client.as_ref(),
                zone,
                Some(id),
            )?),
            Err(Refusal::Cancelled) => Err(ServiceError::Cancelled),
            Err(Refusal::NotFound | Refusal::UnknownClient) => {
                Err(ServiceError::NotFound("appointment"))
            }
        }
    }
}
