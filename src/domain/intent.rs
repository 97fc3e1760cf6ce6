//! Intents: side effects a state change owes the outside world (a mail to the client,
//! later a Google write). They are committed to the outbox in the same transaction as
//! the change, and delivered by a job with retries, so none is lost or sent twice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{AppointmentId, Farewell, Interval, InvitationAnswer};

/// What changed about an appointment, as the client should hear it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum AppointmentChange {
    /// It was booked.
    Booked,
    /// It moved; `from` is where it was.
    Rescheduled {
        /// The previous time.
        from: Interval,
    },
    /// It was cancelled.
    Cancelled,
}

/// One side effect to carry out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "intent")]
pub enum Intent {
    /// Tell the client about a change to their appointment.
    NotifyClient {
        /// Which appointment.
        appointment: AppointmentId,
        /// What happened to it.
        #[serde(flatten)]
        change: AppointmentChange,
    },
    /// Answer an invitation sent to the booking address (accepted or declined).
    AnswerInvitation(Box<InvitationAnswer>),
    /// Close a negotiation in which every time offered was turned down.
    Farewell(Box<Farewell>),
    /// Remind the client of their appointment, this long before it.
    Remind {
        /// Which appointment.
        appointment: AppointmentId,
        /// How long before its start, in minutes.
        minutes_before: u32,
    },
    /// Offer the client a follow-up meeting after their appointment.
    FollowUp {
        /// The appointment that took place.
        appointment: AppointmentId,
    },
    /// Send the host her agenda of a day.
    Agenda {
        /// The day, in her zone.
        date: NaiveDate,
    },
    /// Bring the host's Google calendar up to date with this appointment: its event
    /// written (once: the iCalUID is the appointment's id), moved, or removed.
    MirrorToGoogle {
        /// Which appointment.
        appointment: AppointmentId,
    },
    /// Ask again which of the times offered (outbox entry `offer`) a reply meant.
    Clarify {
        /// The offer's outbox entry.
        offer: u64,
        /// The reply that could not be read, for In-Reply-To.
        in_reply_to: Option<String>,
    },
}

/// Where an outbox entry stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Delivery {
    /// Not yet carried out.
    Pending,
    /// Carried out.
    Delivered {
        /// When.
        at: DateTime<Utc>,
    },
    /// Given up on; the host sees it.
    Failed {
        /// Why.
        reason: String,
    },
}

/// An intent in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Monotonic id; also the idempotency key of its delivery.
    pub id: u64,
    /// What to do.
    pub intent: Intent,
    /// When it was committed.
    pub created_at: DateTime<Utc>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Where it stands.
    pub delivery: Delivery,
    /// Not to be tried again before this (set after a failed attempt).
    #[serde(default)]
    pub retry_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, if it did.
    #[serde(default)]
    pub last_error: Option<String>,
}

impl OutboxEntry {
    /// True when it waits for delivery and may be tried at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.delivery == Delivery::Pending && self.retry_at.is_none_or(|at| at <= now)
    }
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// Carried out at this time.
    Delivered(DateTime<Utc>),
    /// Failed for a reason that may pass (a server down, a time-out): try again at
    /// `retry_at`.
    Deferred {
        /// What went wrong.
        error: String,
        /// When to try again.
        retry_at: DateTime<Utc>,
    },
    /// Failed for good (the address was refused); the host sees it.
    Failed(String),
}
