//! Invitations sent to the booking address: how each was answered (so the same one is
//! never answered twice), and the answer owed to its organizer.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{AppointmentId, EmailAddress, Interval};

/// How an invitation (by UID) was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRecord {
    /// The event's UID.
    pub uid: String,
    /// The SEQUENCE answered.
    pub sequence: u32,
    /// The appointment it became, when accepted.
    pub appointment: Option<AppointmentId>,
    /// When it was answered.
    pub answered_at: DateTime<Utc>,
    /// The invitation's iCalendar text as last answered (the organizer's event, which
    /// a later answer from Kairos's side refers to); `None` for an answered offer.
    #[serde(default)]
    pub invitation: Option<String>,
    /// True while a recurring invitation is accepted: its meetings are the host's busy
    /// time, kept as the invitation (`invitation`), not as appointments.
    #[serde(default)]
    pub series: bool,
}

/// A time offered instead of the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedTime {
    /// When.
    pub interval: Interval,
    /// Why it is a good choice, in words.
    pub reasons: Vec<String>,
}

/// The answer owed to an invitation's organizer: the iTIP REPLY and the words around
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationAnswer {
    /// The organizer.
    pub to: EmailAddress,
    /// Their display name, if known.
    pub to_name: Option<String>,
    /// The invitation's SUMMARY.
    pub summary: String,
    /// The invitation's Message-ID, for In-Reply-To and References.
    pub in_reply_to: Option<String>,
    /// The METHOD:REPLY calendar.
    pub calendar: String,
    /// The appointment it became, when accepted.
    pub appointment: Option<AppointmentId>,
    /// The time asked for.
    pub asked: Option<Interval>,
    /// Why it was declined, in words (`None` when accepted).
    pub declined_because: Option<String>,
    /// Times offered instead, best first (when declined).
    pub alternatives: Vec<OfferedTime>,
    /// The zone times are written in for the organizer.
    #[serde(with = "super::appointment::zone")]
    pub zone: Tz,
    /// Set on a COUNTER: the first alternative is proposed, and held for the
    /// organizer until then.
    #[serde(default)]
    pub held_until: Option<DateTime<Utc>>,
    /// The UID of the invitation a time is held for, released when the organizer
    /// chooses one of the alternatives instead.
    #[serde(default)]
    pub held_for: Option<String>,
    /// For an accepted series: how many of its meetings within the booking horizon
    /// were found free.
    #[serde(default)]
    pub series_meetings: Option<usize>,
    /// For times found within a stretch the client named ("on Thursday 5 March"):
    /// the stretch, in words.
    #[serde(default)]
    pub within: Option<String>,
}

/// The close owed to someone who turned down every time offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Farewell {
    /// Who.
    pub to: EmailAddress,
    /// Their display name, if known.
    pub to_name: Option<String>,
    /// What the meeting was to be about.
    pub summary: String,
    /// The message they sent, for In-Reply-To and References.
    pub in_reply_to: Option<String>,
}
