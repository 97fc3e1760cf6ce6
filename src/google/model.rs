//! Google Calendar's JSON ⇄ Kairos, pure: what a Google event makes of the host's
//! time (busy, free, or gone), and the event an appointment becomes. Titles never
//! leave here: only the interval of a busy event is kept.
//!
//! Must not know: the network, the store, or the clock.

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;
use google_calendar3::api::{
    ConferenceData, ConferenceSolutionKey, CreateConferenceRequest, Event, EventAttendee,
    EventDateTime, EventExtendedProperties,
};

use crate::domain::{Appointment, Client, Interval};

/// A write to the host's Google calendar.
#[derive(Debug, Clone)]
pub enum GoogleWrite {
    /// The event, written or brought up to date (`known_id`: its Google id, if known).
    Upsert {
        /// The event as it should be.
        event: Box<Event>,
        /// Its Google id, when an earlier write learnt it.
        known_id: Option<String>,
    },
    /// The event with this iCalUID removed (already gone is fine).
    Remove {
        /// Its iCalUID.
        ical_uid: String,
        /// Its Google id, when known.
        known_id: Option<String>,
    },
}

/// What one event in a list of changes means for the host's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirrored {
    /// The event is gone (cancelled or deleted): whatever it made busy is free.
    Gone,
    /// It takes no time: transparent ("free" in Google's words), declined by the host,
    /// an all-day event when those do not count, or one without a usable time.
    Free,
    /// It makes the host busy for this time.
    Busy(Interval),
}

/// One change pulled from Google: the event's id, its iCalUID (to recognise events
/// Kairos wrote itself) and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Google's event id (unique within the calendar).
    pub id: String,
    /// The iCalendar UID, when Google gave one.
    pub ical_uid: Option<String>,
    /// What it means for the host's time.
    pub mirrored: Mirrored,
}

/// The event an appointment is in the host's Google calendar: its iCalUID is the
/// appointment's id (so writing it twice can never make two events), the client its
/// attendee, and a Meet link requested with the appointment's id (so asking twice
/// makes one call). No reminder mail: Kairos sends its own.
pub fn event_of(appointment: &Appointment, client: &Client, zone: Tz) -> Event {
    let at = |instant: DateTime<Utc>| EventDateTime {
        date_time: Some(instant),
        time_zone: Some(zone.name().to_string()),
        ..EventDateTime::default()
    };
    let id = appointment.id.as_str().to_string();
    Event {
        i_cal_uid: Some(id.clone()),
        summary: Some(appointment.title.clone()),
        description: (!appointment.purpose.is_empty()).then(|| appointment.purpose.clone()),
        start: Some(at(appointment.interval.start)),
        end: Some(at(appointment.interval.end)),
        attendees: Some(vec![EventAttendee {
            email: Some(client.email.as_str().to_string()),
            display_name: Some(client.name.clone()),
            response_status: Some("accepted".into()),
            ..EventAttendee::default()
        }]),
        conference_data: Some(ConferenceData {
            create_request: Some(CreateConferenceRequest {
                request_id: Some(id.clone()),
                conference_solution_key: Some(ConferenceSolutionKey {
                    type_: Some("hangoutsMeet".into()),
                }),
                ..CreateConferenceRequest::default()
            }),
            ..ConferenceData::default()
        }),
        extended_properties: Some(EventExtendedProperties {
            private: Some(
                [("kairosAppointment".to_string(), id)]
                    .into_iter()
                    .collect(),
            ),
            ..EventExtendedProperties::default()
        }),
        ..Event::default()
    }
}

/// The video-call link of a written event: its Meet link, else the first video entry
/// point of its conference.
pub fn meeting_url(event: &Event) -> Option<String> {
    event.hangout_link.clone().or_else(|| {
        event
            .conference_data
            .as_ref()?
            .entry_points
            .as_ref()?
            .iter()
            .find(|entry| entry.entry_point_type.as_deref() == Some("video"))?
            .uri
            .clone()
    })
}

/// How `event` counts, for a host in `zone` (all-day events are read in the event's
/// own zone when it names one, else the host's) and whether all-day events are busy.
pub fn change_of(event: &Event, zone: Tz, all_day_busy: bool) -> Option<Change> {
    let id = event.id.clone()?;
    Some(Change {
        id,
        ical_uid: event.i_cal_uid.clone(),
        mirrored: mirrored(event, zone, all_day_busy),
    })
}

fn mirrored(event: &Event, zone: Tz, all_day_busy: bool) -> Mirrored {
    if event.status.as_deref() == Some("cancelled") {
        return Mirrored::Gone;
    }
    if event.transparency.as_deref() == Some("transparent") {
        return Mirrored::Free;
    }
    let declined = event.attendees.iter().flatten().any(|attendee| {
        attendee.self_ == Some(true) && attendee.response_status.as_deref() == Some("declined")
    });
    if declined {
        return Mirrored::Free;
    }
    let (Some(start), Some(end)) = (&event.start, &event.end) else {
        return Mirrored::Free;
    };
    let all_day = start.date_time.is_none();
    if all_day && !all_day_busy {
        return Mirrored::Free;
    }
    match (instant(start, zone), instant(end, zone)) {
        (Some(start), Some(end)) => {
            Interval::new(start, end).map_or(Mirrored::Free, Mirrored::Busy)
        }
        _ => Mirrored::Free,
    }
}

/// The instant an event boundary names: its date-time, or the start of its date in
/// its own zone (all-day events).
fn instant(at: &EventDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    if let Some(at) = at.date_time {
        return Some(at);
    }
    let date: NaiveDate = at.date?;
    let zone = at
        .time_zone
        .as_deref()
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(zone);
    zone.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|start| start.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::New_York;
    use google_calendar3::api::EventAttendee;

    use super::*;

    fn timed(start: &str, end: &str) -> Event {
        let at = |text: &str| EventDateTime {
            date_time: Some(text.parse().expect("RFC 3339")),
            ..EventDateTime::default()
        };
        Event {
            id: Some("e1".into()),
            i_cal_uid: Some("e1@google.com".into()),
            status: Some("confirmed".into()),
            start: Some(at(start)),
            end: Some(at(end)),
            ..Event::default()
        }
    }

    fn interval(start: &str, end: &str) -> Interval {
        Interval::new(
            start.parse().expect("RFC 3339"),
            end.parse().expect("RFC 3339"),
        )
        .expect("non-empty")
    }

    #[test]
    fn an_opaque_event_is_busy_and_keeps_no_title() {
        let mut event = timed("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z");
        event.summary = Some("Dentist".into());
        let change = change_of(&event, New_York, true).expect("an id");
        assert_eq!(
            change.mirrored,
            Mirrored::Busy(interval("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z"))
        );
        assert!(!format!("{change:?}").contains("Dentist"));
    }

    #[test]
    fn transparent_declined_and_cancelled_events_take_no_time() {
        let mut free = timed("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z");
        free.transparency = Some("transparent".into());
        assert_eq!(mirrored(&free, New_York, true), Mirrored::Free);

        let mut declined = timed("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z");
        declined.attendees = Some(vec![
            EventAttendee {
                email: Some("someone@example.com".into()),
                response_status: Some("accepted".into()),
                ..EventAttendee::default()
            },
            EventAttendee {
                email: Some("domina@example.com".into()),
                self_: Some(true),
                response_status: Some("declined".into()),
                ..EventAttendee::default()
            },
        ]);
        assert_eq!(mirrored(&declined, New_York, true), Mirrored::Free);

        let mut cancelled = timed("2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z");
        cancelled.status = Some("cancelled".into());
        assert_eq!(mirrored(&cancelled, New_York, true), Mirrored::Gone);
    }

    #[test]
    fn an_all_day_event_is_busy_from_midnight_to_midnight_when_configured() {
        let day = |date: &str| EventDateTime {
            date: Some(date.parse().expect("a date")),
            ..EventDateTime::default()
        };
        let event = Event {
            id: Some("holiday".into()),
            start: Some(day("2026-03-04")),
            end: Some(day("2026-03-05")),
            ..Event::default()
        };
        assert_eq!(
            mirrored(&event, New_York, true),
            Mirrored::Busy(interval("2026-03-04T05:00:00Z", "2026-03-05T05:00:00Z"))
        );
        assert_eq!(mirrored(&event, New_York, false), Mirrored::Free);
    }
}
