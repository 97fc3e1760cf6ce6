//! The JSON shapes of the API: slots and appointments, times in RFC 3339 with the offset
//! of the reader's zone.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::service::Booking;
use crate::slots::Slot;

/// RFC 3339 in `zone`, to the second, with its offset.
pub fn time(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// `{"start","end","score","reasons"}`.
pub fn slot(slot: &Slot, zone: Tz) -> Value {
    json!({
        "start": time(slot.interval.start, zone),
        "end": time(slot.interval.end, zone),
        "score": slot.score,
        "reasons": slot.reasons,
    })
}

/// The appointment's event in the host's Google calendar: written by the outbox, so
/// `pending` until Google has it (then its id and Meet link are known).
pub fn calendar_event(appointment: &crate::domain::Appointment, calendar: &str) -> Value {
    json!({
        "calendar": calendar,
        "iCalUID": appointment.id,
        "id": appointment.google_event_id,
        "status": if appointment.google_event_id.is_some() { "written" } else { "pending" },
        "meetingUrl": appointment.meeting_url,
    })
}

/// The appointment object, times in the client's zone.
pub fn appointment(booking: &Booking, manage_url: &str) -> Value {
    let appointment = &booking.appointment;
    let zone = appointment.client_zone;
    json!({
        "id": appointment.id,
        "status": appointment.status.as_str(),
        "title": appointment.title,
        "meetingType": appointment.meeting_type,
        "start": time(appointment.interval.start, zone),
        "end": time(appointment.interval.end, zone),
        "duration": appointment.interval.duration().num_minutes(),
        "timezone": zone.name(),
        "purpose": appointment.purpose,
        "user": {
            "id": booking.client.id,
            "name": booking.client.name,
            "email": booking.client.email,
        },
        "manageUrl": manage_url,
        "meetingUrl": appointment.meeting_url,
    })
}
