//! An attendee's REPLY to an invitation (RFC 5546 §3.2.3), "fat": every VEVENT of the
//! invitation copied as received (UID, SEQUENCE, RECURRENCE-ID, DTSTART/DTEND with the
//! VTIMEZONEs they name, SUMMARY, ORGANIZER, …), with DTSTAMP set to now and a single
//! ATTENDEE, the one answering, carrying its PARTSTAT. Clients that only match on UID
//! and clients that look for the whole event both find what they need. And an
//! attendee's COUNTER (§3.2.7): the same event proposed at another time.
//!
//! Must not know: why the answer is what it is, or how it is sent.

use chrono::{DateTime, Utc};

use super::{ContentLines, PartStat, Participant, escape_text, param_value, utc};
use crate::domain::Interval;
use crate::ical::CalendarObject;

/// Properties of the invitation's VEVENTs that the reply does not copy: it writes its
/// own DTSTAMP and ATTENDEE, and alarms and attachments are the organizer's business.
const NOT_COPIED: &[&str] = &[
    "DTSTAMP",
    "ATTENDEE",
    "ATTACH",
    "X-MICROSOFT-CDO-OWNERAPPTID",
];

/// The METHOD:REPLY calendar of `attendee` answering `invitation` with `answer`.
pub fn reply(
    invitation: &CalendarObject,
    attendee: &Participant<'_>,
    answer: PartStat,
    now: DateTime<Utc>,
) -> String {
    let mut lines = ContentLines::calendar();
    lines.line("METHOD:REPLY");
    let calendar = invitation.calendar();
    for zone in calendar.components.iter().filter(|c| c.name == "VTIMEZONE") {
        lines.component(zone);
    }
    let kind = invitation.kind().name();
    for event in calendar.components.iter().filter(|c| c.name == kind) {
        lines.line(&format!("BEGIN:{kind}"));
        for property in event
            .properties
            .iter()
            .filter(|p| !NOT_COPIED.contains(&p.name.as_str()))
        {
            lines.line(&property.text);
        }
        close_answer(&mut lines, kind, attendee, answer, now);
    }
    lines.finish()
}

/// The METHOD:COUNTER calendar of `attendee` proposing `proposed` for the (single)
/// event of `invitation`.
pub fn counter(
    invitation: &CalendarObject,
    attendee: &Participant<'_>,
    proposed: Interval,
    now: DateTime<Utc>,
) -> String {
    let mut lines = ContentLines::calendar();
    lines.line("METHOD:COUNTER");
    let kind = invitation.kind().name();
    let calendar = invitation.calendar();
    if let Some(event) = calendar.components.iter().find(|c| c.name == kind) {
        lines.line(&format!("BEGIN:{kind}"));
        let moved = ["DTSTART", "DTEND", "DURATION"];
        for property in event
            .properties
            .iter()
            .filter(|p| !NOT_COPIED.contains(&p.name.as_str()) && !moved.contains(&p.name.as_str()))
        {
            lines.line(&property.text);
        }
        lines.line(&format!("DTSTART:{}", utc(proposed.start)));
        lines.line(&format!("DTEND:{}", utc(proposed.end)));
        close_answer(&mut lines, kind, attendee, PartStat::Accepted, now);
    }
    lines.finish()
}

/// The organizer's METHOD:DECLINECOUNTER (RFC 5546 §3.2.8) to `proposal`, an
/// attendee's COUNTER: the event's UID, SEQUENCE, RECURRENCE-ID, ORGANIZER and
/// ATTENDEEs copied, DTSTAMP now, and `reason` as COMMENT.
pub fn decline_counter(proposal: &CalendarObject, reason: &str, now: DateTime<Utc>) -> String {
    const KEPT: &[&str] = &[
        "UID",
        "SEQUENCE",
        "RECURRENCE-ID",
        "ORGANIZER",
        "ATTENDEE",
        "SUMMARY",
    ];
    let mut lines = ContentLines::calendar();
    lines.line("METHOD:DECLINECOUNTER");
    let kind = proposal.kind().name();
    let calendar = proposal.calendar();
    if let Some(event) = calendar.components.iter().find(|c| c.name == kind) {
        lines.line(&format!("BEGIN:{kind}"));
        for property in event
            .properties
            .iter()
            .filter(|p| KEPT.contains(&p.name.as_str()))
        {
            lines.line(&property.text);
        }
        lines.line(&format!("DTSTAMP:{}", utc(now)));
        lines.line(&format!("COMMENT:{}", escape_text(reason)));
        lines.line(&format!("END:{kind}"));
    }
    lines.finish()
}

/// Ends a copied component with the answer's own lines: DTSTAMP now, and the one
/// ATTENDEE answering.
fn close_answer(
    lines: &mut ContentLines,
    kind: &str,
    attendee: &Participant<'_>,
    answer: PartStat,
    now: DateTime<Utc>,
) {
    lines.line(&format!("DTSTAMP:{}", utc(now)));
    let cn = attendee
        .name
        .map(|name| format!(";CN={}", param_value(name)))
        .unwrap_or_default();
    lines.line(&format!(
        "ATTENDEE{cn};PARTSTAT={}:mailto:{}",
        answer.as_str(),
        attendee.email
    ));
    lines.line(&format!("END:{kind}"));
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::EmailAddress;

    const OUTLOOK_INVITE: &str = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nORGANIZER;CN=Ada Lovelace:mailto:ada@example.com\r\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=book@kairos.example:mailto:book@kairos.example\r\nATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com\r\nSUMMARY;LANGUAGE=en-US:Tax return\r\nDTSTART;TZID=W. Europe Standard Time:20260304T100000\r\nDTEND;TZID=W. Europe Standard Time:20260304T103000\r\nUID:040000008200E00074C5B7101A82E008000000001\r\nSEQUENCE:2\r\nDTSTAMP:20260301T120000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_reply_copies_the_event_and_answers_for_one_attendee() {
        let invitation = CalendarObject::parse(OUTLOOK_INVITE).expect("parses");
        let booking = EmailAddress::parse("book@kairos.example").expect("valid");
        let now = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid");
        let text = reply(
            &invitation,
            &Participant {
                email: &booking,
                name: Some("Domina"),
            },
            PartStat::Accepted,
            now,
        );
        for line in [
            "METHOD:REPLY",
            "TZID:W. Europe Standard Time",
            "UID:040000008200E00074C5B7101A82E008000000001",
            "SEQUENCE:2",
            "DTSTART;TZID=W. Europe Standard Time:20260304T100000",
            "DTEND;TZID=W. Europe Standard Time:20260304T103000",
            "ORGANIZER;CN=Ada Lovelace:mailto:ada@example.com",
            "SUMMARY;LANGUAGE=en-US:Tax return",
            "DTSTAMP:20260302T090000Z",
            "ATTENDEE;CN=Domina;PARTSTAT=ACCEPTED:mailto:book@kairos.example",
        ] {
            assert!(
                text.replace("\r\n ", "")
                    .contains(&format!("\r\n{line}\r\n")),
                "{line} missing in\n{text}"
            );
        }
        assert_eq!(
            text.matches("ATTENDEE").count(),
            1,
            "only the one answering"
        );
        assert!(!text.contains("VALARM"), "alarms stay with the organizer");
        assert!(
            !text.contains("20260301T120000Z"),
            "the old DTSTAMP is replaced"
        );
        assert!(!text.contains("METHOD:REQUEST"));
        let parsed = CalendarObject::parse(&text).expect("the reply is valid iCalendar");
        assert_eq!(parsed.uid(), invitation.uid());
    }

    #[test]
    fn a_counter_proposes_the_same_event_at_another_time() {
        let invitation = CalendarObject::parse(OUTLOOK_INVITE).expect("parses");
        let booking = EmailAddress::parse("book@kairos.example").expect("valid");
        let at = |hour| {
            Utc.with_ymd_and_hms(2026, 3, 5, hour, 0, 0)
                .single()
                .expect("valid")
        };
        let text = counter(
            &invitation,
            &Participant {
                email: &booking,
                name: Some("Domina"),
            },
            Interval::new(at(14), at(15)).expect("non-empty"),
            at(9),
        );
        let unfolded = text.replace("\r\n ", "");
        for line in [
            "METHOD:COUNTER",
            "UID:040000008200E00074C5B7101A82E008000000001",
            "SEQUENCE:2",
            "DTSTART:20260305T140000Z",
            "DTEND:20260305T150000Z",
            "ORGANIZER;CN=Ada Lovelace:mailto:ada@example.com",
        ] {
            assert!(
                unfolded.contains(&format!("\r\n{line}\r\n")),
                "{line} in\n{text}"
            );
        }
        assert!(!text.contains("TZID=W. Europe"), "the old times are gone");
        let parsed = CalendarObject::parse(&text).expect("valid iCalendar");
        assert_eq!(parsed.uid(), invitation.uid());
    }
}
