//! Use cases: offer availability, book, read, reschedule and cancel appointments, keep
//! client preferences, report booking patterns, check admin credentials. Orchestrates
//! the pure modules (`slots`, `learn`, `domain`) and the `store`; every state change is
//! one store transaction, flushed to disk before it is acknowledged.
//!
//! Must not know: HTTP, HTML, JSON field names, or any network I/O. Busy time other
//! than Kairos's own appointments arrives through [`BusySource`].

mod admin;
mod agenda;
mod analytics;
mod availability;
mod booking;
mod bookings_calendar;
mod cache;
mod calendar_busy;
mod calendars;
mod chat;
mod clients;
mod free_busy;
mod google_mirror;
mod invitations;
mod mail_in;
mod manage;
mod offer_links;
mod offers;
mod outbox;
mod proposals;
mod reminders;
mod series;
mod stated_times;
mod telemetry;

pub use admin::{AdminCredentials, PasswordOrigin, generate_password};
pub use analytics::{CHANNELS, Dashboard, GoogleConflict, LEAD_TIMES, TopClient, WeekRow};
pub use availability::{Availability, AvailabilityQuery, ClientLookup};
pub use booking::{Booking, BookingRequest, Who};
pub use cache::CalendarSnapshot;
pub use calendars::{CalendarProblem, CalendarState, Matches, SyncAnswer, builtin_calendars};
pub use chat::{ChatAnswer, QUICK_ACTIONS};
pub use clients::Patterns;
pub use free_busy::FreeBusyReply;
pub use google_mirror::MirrorReport;
pub use mail_in::{MailOutcome, Received};
pub use manage::Managed;
pub use offer_links::OfferPage;
pub use outbox::Prepared;
pub use telemetry::{GOOGLE_PULL, JobRecord, OutboxDepth, Telemetry};

use std::sync::Arc;

use crate::config::{Config, ScoringConfig};
use crate::domain::{
    Appointment, AvailabilityRules, Clock, Host, Interval, MeetingType, RuleViolation,
};
use crate::learn::Decay;
use crate::slots::Slot;
use crate::store::{Store, StoreError};

/// Busy time from outside Kairos's own appointments: a mirrored calendar, the host's
/// personal CalDAV calendar. Everything that feeds availability comes through here.
pub trait BusySource: Send + Sync {
    /// A short name for logs ("google", "personal").
    fn name(&self) -> &str;
    /// Busy intervals overlapping `range`.
    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError>;
}

/// A busy source could not answer.
#[derive(Debug, thiserror::Error)]
#[error("busy source {source_name} failed: {message}")]
pub struct BusyError {
    /// Which source.
    pub source_name: String,
    /// What went wrong.
    pub message: String,
}

/// What a use case can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A request value is wrong; `field` names it, `code` classifies it.
    #[error("{field}: {message}")]
    Invalid {
        /// Machine-readable code (`invalid_duration`).
        code: &'static str,
        /// The request field.
        field: &'static str,
        /// What a person reads.
        message: String,
    },
    /// The time cannot be booked; here are some that can.
    #[error("{}", .violation.message())]
    SlotUnavailable {
        /// The rule it breaks.
        violation: RuleViolation,
        /// Bookable times near it, best first.
        alternatives: Vec<Slot>,
    },
    /// No such thing, or not visible with the credentials given.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// No credentials were given for something that needs them.
    #[error("credentials required")]
    Unauthorized,
    /// The credentials given do not grant this.
    #[error("these credentials do not grant access")]
    Forbidden,
    /// The appointment is cancelled and cannot change.
    #[error("the appointment is cancelled")]
    Cancelled,
    /// A CalDAV request about calendars cannot be honoured.
    #[error(transparent)]
    Calendar(#[from] CalendarProblem),
    /// A sync token this calendar never issued.
    #[error("unknown sync token")]
    UnknownSyncToken,
    /// Busy time could not be read, so no answer would be trustworthy.
    #[error(transparent)]
    BusyUnavailable(#[from] BusyError),
    /// The store failed.
    #[error(transparent)]
    Storage(#[from] StoreError),
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        code,
        field,
        message: message.into(),
    }
}

/// Who is asking to see or change an appointment or a client's data.
#[derive(Debug, Clone)]
pub enum Access {
    /// The host, with admin credentials.
    Admin,
    /// Someone holding a manage token.
    Token(String),
    /// Nobody in particular.
    Anonymous,
}

/// The scheduling use cases over one store.
pub struct Scheduler {
    store: Store,
    clock: Arc<dyn Clock>,
    host: Host,
    rules: AvailabilityRules,
    meeting_types: Vec<MeetingType>,
    scoring: ScoringConfig,
    decay: Decay,
    public_url: String,
    busy_sources: Vec<Arc<dyn BusySource>>,
    caches: Arc<cache::Caches>,
    mail: mail_in::MailPolicy,
    /// Taken while a choice from an offer is made, so one offer yields one booking.
    offers_taken: tokio::sync::Mutex<()>,
    /// Busy time mirrored from Google (also among `busy_sources`).
    google_busy: Arc<google_mirror::GoogleBusy>,
    /// The Google calendar appointments are written to, when the mirror is on.
    google_calendar: Option<String>,
    /// Told when Google notifies a change: the pull job pulls at once.
    google_wake: Arc<tokio::sync::Notify>,
    /// The meeting type a follow-up offers.
    follow_up_kind: String,
    /// What the background jobs report, for `/metrics`.
    telemetry: Telemetry,
}

impl Scheduler {
    /// Use cases over `store` with the rules of `config`, reading time from `clock`.
    /// The host's own calendars feed availability from the start.
    pub fn new(config: &Config, store: Store, clock: Arc<dyn Clock>) -> Self {
        let caches = Arc::new(cache::Caches::default());
        let calendars =
            calendar_busy::CalendarBusy::new(store.clone(), config.host.zone, Arc::clone(&caches));
        let held = invitations::HeldTimes::new(store.clone(), Arc::clone(&clock));
        let series = series::busy_source(store.clone(), config.host.zone);
        let google_busy = Arc::new(google_mirror::GoogleBusy::new(store.clone()));
        let google: Arc<dyn BusySource> = google_busy.clone();
        Self {
            busy_sources: vec![Arc::new(calendars), Arc::new(held), series, google],
            google_busy,
            google_calendar: config.google.as_ref().map(|g| g.push_calendar.clone()),
            google_wake: Arc::new(tokio::sync::Notify::new()),
            caches,
            store,
            clock,
            host: config.host.clone(),
            rules: config.rules.clone(),
            meeting_types: config.meeting_types.clone(),
            scoring: config.scoring,
            decay: config.learning,
            public_url: config.server.public_url.clone(),
            mail: mail_in::MailPolicy::new(&config.mail),
            offers_taken: tokio::sync::Mutex::new(()),
            follow_up_kind: config.follow_ups.meeting_type.clone(),
            telemetry: Telemetry::default(),
        }
    }

    /// Adds a source of busy time (a mirrored or CalDAV calendar).
    pub fn with_busy_source(mut self, source: Arc<dyn BusySource>) -> Self {
        self.busy_sources.push(source);
        self
    }

    /// The base of the links Kairos hands out, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The Google calendar appointments are written to, when the mirror is on.
    pub fn google_calendar(&self) -> Option<&str> {
        self.google_calendar.as_deref()
    }

    /// The kinds of meeting that can be booked, the default first.
    pub fn meeting_types(&self) -> &[MeetingType] {
        &self.meeting_types
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The store (for shutdown flushing and health checks).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The client's manage link for `appointment`.
    pub fn manage_url(&self, appointment: &Appointment) -> String {
        format!("{}/manage/{}", self.public_url, appointment.manage_token)
    }

    /// The meeting type `id`, or the default (first) one when `None`.
    fn meeting_type(&self, id: Option<&str>) -> Result<&MeetingType, ServiceError> {
        match id {
            None => self.meeting_types.first().ok_or_else(|| {
                invalid(
                    "unknown_meeting_type",
                    "meetingType",
                    "no meeting types are configured",
                )
            }),
            Some(id) => self
                .meeting_types
                .iter()
                .find(|kind| kind.id == id)
                .ok_or_else(|| {
                    let known: Vec<&str> = self
                        .meeting_types
                        .iter()
                        .map(|kind| kind.id.as_str())
                        .collect();
                    invalid(
                        "unknown_meeting_type",
                        "meetingType",
                        format!("unknown meeting type {id:?}; offered: {}", known.join(", ")),
                    )
                }),
        }
    }
}

#[cfg(test)]
mod interleavings_tests;
#[cfg(test)]
mod offer_tests;
#[cfg(test)]
mod tests;
