//! The VEVENT of a Kairos appointment, as stored in the host's CalDAV `bookings`
//! calendar (no METHOD; RFC 4791 §4.1): UTC times, one organizer, one attendee.
//!
//! Must not know: the appointment's state machine, or iTIP methods.

use chrono::{DateTime, Utc};

use super::{ContentLines, param_value, utc};
use crate::domain::{EmailAddress, Interval};

/// A participant: address and display name.
#[derive(Debug, Clone, Copy)]
pub struct Participant<'a> {
    /// Mail address, written as a `mailto:` URI.
    pub email: &'a EmailAddress,
    /// Display name, written as `CN`.
    pub name: Option<&'a str>,
}

/// The attendee's answer (RFC 5545 §3.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartStat {
    /// Not answered yet.
    NeedsAction,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// Tentatively accepted.
    Tentative,
}

/// The event's STATUS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// It takes place.
    Confirmed,
    /// It was called off.
    Cancelled,
}

/// The plain fields of an appointment's VEVENT.
#[derive(Debug, Clone, Copy)]
pub struct AppointmentEvent<'a> {
    /// UID, stable for the appointment's life.
    pub uid: &'a str,
    /// SEQUENCE, raised on each significant change.
    pub sequence: u32,
    /// DTSTAMP: when this text was made.
    pub dtstamp: DateTime<Utc>,
    /// DTSTART/DTEND.
    pub interval: Interval,
    /// SUMMARY.
    pub summary: &'a str,
    /// DESCRIPTION.
    pub description: Option<&'a str>,
    /// ORGANIZER (the host).
    pub organizer: Participant<'a>,
    /// ATTENDEE (the client).
    pub attendee: Participant<'a>,
    /// The attendee's PARTSTAT.
    pub attendee_status: PartStat,
    /// STATUS.
    pub status: EventStatus,
    /// The video-call link (written as LOCATION, which every client shows, and as an
    /// RFC 7986 CONFERENCE).
    pub meeting_url: Option<&'a str>,
}

impl PartStat {
    /// As written in PARTSTAT.
    pub fn as_str(self) -> &'static str {
        match self {
            PartStat::NeedsAction => "NEEDS-ACTION",
            PartStat::Accepted => "ACCEPTED",
            PartStat::Declined => "DECLINED",
            PartStat::Tentative => "TENTATIVE",
        }
    }
}

/// The iTIP method of a message that carries an appointment (RFC 5546 §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// An invitation, or an update of one.
    Request,
    /// The event is called off.
    Cancel,
    /// An attendee's answer.
    Reply,
    /// An attendee proposes another time.
    Counter,
    /// The organizer turns an attendee's proposal down.
    DeclineCounter,
}

impl Method {
    /// As written in METHOD and in the MIME `method` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Reply => "REPLY",
            Method::Counter => "COUNTER",
            Method::DeclineCounter => "DECLINECOUNTER",
        }
    }

    /// The METHOD a calendar text declares, when it is one of these.
    pub fn of_calendar(text: &str) -> Option<Method> {
        let value = text
            .lines()
            .find_map(|line| line.strip_prefix("METHOD:"))?
            .trim();
        [
            Method::Request,
            Method::Cancel,
            Method::Reply,
            Method::Counter,
            Method::DeclineCounter,
        ]
        .into_iter()
        .find(|method| method.as_str().eq_ignore_ascii_case(value))
    }
}

/// The VCALENDAR holding the appointment's VEVENT, as stored in a calendar.
pub fn appointment(event: &AppointmentEvent<'_>) -> String {
    write_event(event, None)
}

/// The VCALENDAR of an iMIP message about the appointment: the same VEVENT under
/// `METHOD` (RFC 5546 §3.2.2 REQUEST, §3.2.5 CANCEL).
pub fn appointment_message(event: &AppointmentEvent<'_>, method: Method) -> String {
    write_event(event, Some(method))
}

fn write_event(event: &AppointmentEvent<'_>, method: Option<Method>) -> String {
    let mut lines = ContentLines::calendar();
    if let Some(method) = method {
        lines.line(&format!("METHOD:{}", method.as_str()));
    }
    lines.line("BEGIN:VEVENT");
    lines.text("UID", event.uid);
    lines.line(&format!("DTSTAMP:{}", utc(event.dtstamp)));
    lines.line(&format!("SEQUENCE:{}", event.sequence));
    lines.line(&format!("DTSTART:{}", utc(event.interval.start)));
    lines.line(&format!("DTEND:{}", utc(event.interval.end)));
    lines.text("SUMMARY", event.summary);
    if let Some(description) = event.description {
        lines.text("DESCRIPTION", description);
    }
    if let Some(url) = event.meeting_url {
        lines.text("LOCATION", url);
        lines.line(&format!(
            "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Video call:{url}"
        ));
    }
    lines.line(&address("ORGANIZER", &event.organizer, ""));
    let role = format!(
        ";ROLE=REQ-PARTICIPANT;PARTSTAT={}",
        event.attendee_status.as_str()
    );
    lines.line(&address("ATTENDEE", &event.attendee, &role));
    lines.line(match event.status {
        EventStatus::Confirmed => "STATUS:CONFIRMED",
        EventStatus::Cancelled => "STATUS:CANCELLED",
    });
    lines.line("TRANSP:OPAQUE");
    lines.line("END:VEVENT");
    lines.finish()
}

/// `NAME;CN=…<params>:mailto:address`.
fn address(name: &str, who: &Participant<'_>, params: &str) -> String {
    let cn = who
        .name
        .map(|n| format!(";CN={}", param_value(n)))
        .unwrap_or_default();
    format!("{name}{cn}{params}:mailto:{}", who.email)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use icalendar::Component;

    use super::*;
    use crate::ical::CalendarObject;

    fn at(hour: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 3, 30)
            .and_then(|date| date.and_hms_opt(hour, 0, 0))
            .expect("valid test time")
            .and_utc()
    }

    fn write(summary: &str, description: Option<&str>, status: EventStatus) -> String {
        let host = EmailAddress::parse("domina@example.com").expect("valid");
        let client = EmailAddress::parse("client@example.org").expect("valid");
        appointment(&AppointmentEvent {
            meeting_url: None,
            uid: "appt-42@kairos",
            sequence: 2,
            dtstamp: at(7),
            interval: Interval::new(at(8), at(9)).expect("non-empty"),
            summary,
            description,
            organizer: Participant {
                email: &host,
                name: Some("Domina"),
            },
            attendee: Participant {
                email: &client,
                name: Some("Roe, Richard \"Rick\""),
            },
            attendee_status: PartStat::Accepted,
            status,
        })
    }

    #[test]
    fn the_event_carries_every_field_in_strict_form() {
        let text = write("Consultation", None, EventStatus::Confirmed);
        let unfolded = text.replace("\r\n ", "");
        for line in [
            "UID:appt-42@kairos",
            "SEQUENCE:2",
            "DTSTAMP:20260330T070000Z",
            "DTSTART:20260330T080000Z",
            "DTEND:20260330T090000Z",
            "SUMMARY:Consultation",
            "ORGANIZER;CN=Domina:mailto:domina@example.com",
            "ATTENDEE;CN=\"Roe, Richard 'Rick'\";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:client@example.org",
            "STATUS:CONFIRMED",
        ] {
            assert!(
                unfolded.contains(&format!("\r\n{line}\r\n")),
                "{line} missing in\n{text}"
            );
        }
        assert!(!text.contains("METHOD") && !text.contains("DESCRIPTION"));
        assert!(write("x", None, EventStatus::Cancelled).contains("\r\nSTATUS:CANCELLED\r\n"));
        let stored = CalendarObject::parse(&text).expect("a valid CalDAV resource");
        assert_eq!(stored.attendees().len(), 1);
    }

    #[test]
    fn folded_and_escaped_text_round_trips_through_the_icalendar_parser() {
        let summary = "Größenänderung; Beratung, Teil 2 \\ Folge – ".repeat(4);
        let description = "Erste Zeile\nZweite Zeile: mit Doppelpunkt, Komma; Semikolon \\ Backslash\n日本語のテキスト".repeat(2);
        let text = write(&summary, Some(&description), EventStatus::Confirmed);
        assert!(text.split("\r\n").all(|line| line.len() <= 75), "{text}");
        let parsed: icalendar::Calendar = text.parse().expect("icalendar parses it");
        let event = parsed.components[0].as_event().expect("a VEVENT");
        assert_eq!(event.get_summary(), Some(summary.as_str()));
        assert_eq!(event.get_description(), Some(description.as_str()));
        assert_eq!(event.get_uid(), Some("appt-42@kairos"));
        let ours = CalendarObject::parse(&text).expect("valid");
        assert_eq!(ours.summary(), Some(summary.as_str()));
    }

    #[test]
    fn an_imip_message_carries_the_same_event_under_its_method() {
        let stored = write("Consultation", None, EventStatus::Confirmed);
        let host = EmailAddress::parse("domina@example.com").expect("valid");
        let client = EmailAddress::parse("client@example.org").expect("valid");
        let event = AppointmentEvent {
            meeting_url: None,
            uid: "appt-42@kairos",
            sequence: 2,
            dtstamp: at(7),
            interval: Interval::new(at(8), at(9)).expect("non-empty"),
            summary: "Consultation",
            description: None,
            organizer: Participant {
                email: &host,
                name: Some("Domina"),
            },
            attendee: Participant {
                email: &client,
                name: Some("Roe, Richard \"Rick\""),
            },
            attendee_status: PartStat::Accepted,
            status: EventStatus::Confirmed,
        };
        let request = appointment_message(&event, Method::Request);
        assert!(
            request.contains("\r\nPRODID:")
                && request.contains("\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n")
        );
        assert_eq!(request.replace("METHOD:REQUEST\r\n", ""), stored);
        let cancel = appointment_message(&event, Method::Cancel);
        assert!(cancel.contains("\r\nMETHOD:CANCEL\r\n"));
    }
}
