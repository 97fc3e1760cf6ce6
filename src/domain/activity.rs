//! What happened, for the host's dashboard: each booking, move, cancellation and
//! no-show, each invitation and how it was answered, each visit to the booking page
//! and each time chosen there — recorded as it happens, never reconstructed later.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AppointmentId, Channel, ClientId};

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Activity {
    /// The booking page was opened (its first step).
    PageViewed,
    /// A visitor chose a time (the booking page's details step was shown for it).
    TimeChosen,
    /// An appointment was booked.
    Booked {
        /// Which.
        appointment: AppointmentId,
        /// For whom.
        client: ClientId,
        /// Through what.
        channel: Channel,
        /// When it starts.
        start: DateTime<Utc>,
        /// When the client first asked (page opened, conversation begun, invitation
        /// received), when known.
        #[serde(default)]
        asked_at: Option<DateTime<Utc>>,
    },
    /// An appointment moved.
    Moved {
        /// Which.
        appointment: AppointmentId,
    },
    /// An appointment was cancelled.
    Cancelled {
        /// Which.
        appointment: AppointmentId,
    },
    /// The host marked that the client did not come.
    NoShow {
        /// Which.
        appointment: AppointmentId,
    },
    /// A new invitation reached the booking address.
    InvitationReceived,
    /// An invitation was accepted as it stood.
    InvitationAccepted,
    /// An invitation's time was not free: other times were offered.
    AlternativesOffered,
}

/// An activity with the moment it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    #[serde(flatten)]
    pub activity: Activity,
}
