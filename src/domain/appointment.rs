//! Appointments and their life cycle: confirmed → (rescheduled)* → cancelled.
//! A cancelled appointment is kept (history, analytics) but holds no time.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{AppointmentId, ClientId, Interval, ManageToken};

/// Where a booking came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The JSON API.
    Api,
    /// The booking page.
    Page,
    /// The chat assistant.
    Chat,
    /// An emailed invitation.
    Invitation,
    /// The host's calendar app over CalDAV.
    Caldav,
}

/// Whether an appointment holds its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppointmentStatus {
    /// Booked and holding its time.
    Confirmed,
    /// Called off; its time is free again.
    Cancelled,
}

impl AppointmentStatus {
    /// Lower-case name as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A booked meeting between the host and a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    /// Stable id.
    pub id: AppointmentId,
    /// Who booked.
    pub client_id: ClientId,
    /// The meeting type's id.
    pub meeting_type: String,
    /// "Consultation with Alice Example".
    pub title: String,
    /// What the client wants to talk about.
    pub purpose: String,
    /// When, in UTC.
    pub interval: Interval,
    /// The zone the client booked in; times shown to them use it.
    #[serde(with = "zone")]
    pub client_zone: Tz,
    /// Confirmed or cancelled.
    pub status: AppointmentStatus,
    /// Secret of the client's manage link.
    pub manage_token: ManageToken,
    /// Where the booking came from.
    pub channel: Channel,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Bumped on every change of time or status (iCalendar SEQUENCE).
    pub sequence: u32,
    /// What the client last answered to Kairos's invitation (booking implies
    /// acceptance; a calendar may answer tentatively).
    #[serde(default)]
    pub client_answer: ClientAnswer,
    /// The video-call link (Google Meet, made with the mirrored event).
    #[serde(default)]
    pub meeting_url: Option<String>,
    /// The id of its event in the host's Google calendar, once written.
    #[serde(default)]
    pub google_event_id: Option<String>,
    /// The host marked that the client did not come.
    #[serde(default)]
    pub no_show: bool,
    /// When the client first asked (booking page opened, conversation begun,
    /// invitation received), when known: the start of their time to book.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_at: Option<DateTime<Utc>>,
}

/// A client's answer to the invitation for their appointment, as their calendar sent
/// it (iTIP REPLY).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAnswer {
    /// Accepted (also what booking says).
    #[default]
    Accepted,
    /// Tentatively accepted.
    Tentative,
}

/// Why a change to an appointment is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// It was cancelled; a cancelled appointment cannot move.
    Cancelled,
}

impl Appointment {
    /// True while it holds its time.
    pub fn is_confirmed(&self) -> bool {
        self.status == AppointmentStatus::Confirmed
    }

    /// Cancels it. Cancelling a cancelled appointment changes nothing (idempotent).
    pub fn cancel(&mut self, now: DateTime<Utc>) {
        if self.is_confirmed() {
            self.status = AppointmentStatus::Cancelled;
            self.sequence += 1;
            self.updated_at = now;
        }
    }

    /// Moves it to `interval`.
    pub fn reschedule(
        &mut self,
        interval: Interval,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        if !self.is_confirmed() {
            return Err(TransitionError::Cancelled);
        }
        self.interval = interval;
        self.sequence += 1;
        self.updated_at = now;
        Ok(())
    }
}

pub(crate) mod zone {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zone: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(zone.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown time zone: {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn appointment() -> Appointment {
        let start = Utc
            .with_ymd_and_hms(2026, 3, 3, 15, 0, 0)
            .single()
            .expect("valid");
        Appointment {
            id: AppointmentId::from_random([1; 16]),
            client_id: ClientId::from_random([2; 16]),
            meeting_type: "consultation".into(),
            title: "Consultation with Alice".into(),
            purpose: String::new(),
            interval: Interval::starting_at(start, Duration::minutes(30)).expect("positive"),
            client_zone: chrono_tz::Europe::Paris,
            status: AppointmentStatus::Confirmed,
            manage_token: ManageToken::from_random([3; 32]),
            channel: Channel::Api,
            created_at: start - Duration::days(1),
            updated_at: start - Duration::days(1),
            sequence: 0,
            client_answer: ClientAnswer::Accepted,
            meeting_url: None,
            google_event_id: None,
            no_show: false,
            asked_at: None,
        }
    }

    #[test]
    fn cancel_is_idempotent_and_bumps_sequence_once() {
        let mut appt = appointment();
        let now = appt.created_at + Duration::hours(1);
        appt.cancel(now);
        appt.cancel(now);
        assert_eq!(appt.status, AppointmentStatus::Cancelled);
        assert_eq!(appt.sequence, 1);
    }

    #[test]
    fn a_cancelled_appointment_cannot_be_rescheduled() {
        let mut appt = appointment();
        let now = appt.created_at;
        appt.cancel(now);
        let later = appt.interval.widened(Duration::hours(1));
        assert_eq!(appt.reschedule(later, now), Err(TransitionError::Cancelled));
    }
}
