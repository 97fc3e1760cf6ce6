//! The calendar texts the interleaving tests send: the host's personal events and her
//! app's edits of appointments (CalDAV), inviters' REQUEST and CANCEL, clients' REPLY
//! and COUNTER (iTIP by mail).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::New_York;

use crate::domain::rules::day_interval;
use crate::domain::{AppointmentId, Interval};

pub(super) fn organizer_address(organizer: usize) -> String {
    format!("organizer{organizer}@example.org")
}

pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

pub(super) fn calendar(method: Option<&str>, prodid: &str, event: &[String]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        format!("PRODID:{prodid}"),
    ];
    lines.extend(method.map(|method| format!("METHOD:{method}")));
    lines.push("BEGIN:VEVENT".to_string());
    lines.extend(event.iter().cloned());
    lines.extend([
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
        String::new(),
    ]);
    lines.join("\r\n")
}

/// A personal event and the busy time it makes (an all-day one: the New York day).
pub(super) fn personal_event(
    event: usize,
    start: DateTime<Utc>,
    length: Duration,
    all_day: bool,
) -> (String, Interval) {
    let uid = format!("UID:personal-{event}@example.org");
    let dtstamp = format!("DTSTAMP:{}", stamp(start));
    if all_day {
        let date = start.with_timezone(&New_York).date_naive();
        let next = date.succ_opt().expect("valid");
        let text = calendar(
            None,
            "-//Kairos tests//EN",
            &[
                uid,
                dtstamp,
                format!("DTSTART;VALUE=DATE:{}", date.format("%Y%m%d")),
                format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
                "SUMMARY:Away".to_string(),
            ],
        );
        return (text, day_interval(New_York, date));
    }
    let busy = Interval::starting_at(start, length).expect("positive length");
    let text = calendar(
        None,
        "-//Kairos tests//EN",
        &[
            uid,
            dtstamp,
            format!("DTSTART:{}", stamp(busy.start)),
            format!("DTEND:{}", stamp(busy.end)),
            "SUMMARY:Private".to_string(),
        ],
    );
    (text, busy)
}

/// The bookings calendar's event of appointment `id` as the host's app writes it back.
pub(super) fn booking_event(
    id: &AppointmentId,
    start: DateTime<Utc>,
    length: Duration,
    cancelled: bool,
) -> String {
    let mut event = vec![
        format!("UID:{id}"),
        format!("DTSTAMP:{}", stamp(start)),
        format!("DTSTART:{}", stamp(start)),
        format!("DTEND:{}", stamp(start + length)),
        "SUMMARY:Appointment".to_string(),
    ];
    if cancelled {
        event.push("STATUS:CANCELLED".to_string());
    }
    calendar(None, "-//Kairos tests//EN", &event)
}

/// An inviter's REQUEST or CANCEL. Inviter 0 writes like Thunderbird (Kairos answers
/// it with a COUNTER and holds the time it proposes).
pub(super) fn invitation(
    organizer: usize,
    sequence: u32,
    method: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> String {
    let prodid = if organizer == 0 {
        "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN"
    } else {
        "-//Kairos tests//EN"
    };
    let mut event = vec![
        format!("UID:invitation-{organizer}@example.org"),
        format!("SEQUENCE:{sequence}"),
        "DTSTAMP:20260302T130000Z".to_string(),
        format!("DTSTART:{}", stamp(start)),
        "SUMMARY:Meeting".to_string(),
        format!("ORGANIZER:mailto:{}", organizer_address(organizer)),
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:book@kairos.example".to_string(),
    ];
    if end > start {
        event.push(format!("DTEND:{}", stamp(end)));
    }
    if method == "CANCEL" {
        event.push("STATUS:CANCELLED".to_string());
    }
    calendar(Some(method), prodid, &event)
}
