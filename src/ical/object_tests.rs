//! Parsing and validation of calendar object resources, over the fixtures of
//! `tests/fixtures/ics` and inline variations.

use super::*;
use crate::ical::fixtures;

#[test]
fn every_valid_fixture_parses_with_its_kind_uid_and_summary() {
    let cases = [
        (
            fixtures::APPLE_RECURRING_WITH_OVERRIDE,
            "8F3C2A41-6B7D-4E0A-9C1E-2D5B7A9F0E13",
            "Weekly planning",
        ),
        (
            fixtures::GOOGLE_ALLDAY,
            "2b7kq0v3m4c1d9e8f6g5h4j3k2@google.com",
            "Weekend away",
        ),
        (
            fixtures::OUTLOOK_WINDOWS_TZID,
            "040000008200E00074C5B7101A82E00800000000D0F2C1E5A1B0DC01000000000000000010000000B7E3C5A1F0D94E4C8A2B6D1E3F5A7C90",
            "Quarterly review",
        ),
        (
            fixtures::THUNDERBIRD_RDATE_EXDATE,
            "5d1f7c2e-3a4b-4c8d-9e0f-a1b2c3d4e5f6",
            "Standup",
        ),
        (
            fixtures::EXCHANGE_FREETEXT_TZID,
            "040000008200E00074C5B7101A82E0080000000060A8B9E1C4AADC01000000000000000010000000F1E2D3C4B5A69788",
            "Office hours",
        ),
        (
            fixtures::HANDWRITTEN_FLOATING_LF,
            "floating-lunch@example.org",
            "Lunch, wherever I am",
        ),
    ];
    for (text, uid, summary) in cases {
        let object = CalendarObject::parse(text).unwrap_or_else(|e| panic!("{uid}: {e}"));
        assert_eq!(object.kind(), ComponentKind::Event, "{uid}");
        assert_eq!(object.uid(), uid);
        assert_eq!(object.summary(), Some(summary), "{uid}");
        assert_eq!(object.raw(), text, "{uid}: the text is kept byte for byte");
    }
}

#[test]
fn invalid_fixtures_are_refused_with_the_reason_and_line() {
    assert_eq!(
        CalendarObject::parse(fixtures::HANDWRITTEN_INVALID_NO_UID).map(|o| o.uid().to_string()),
        Err(IcalError::MissingUid {
            line: 4,
            component: "VEVENT".into()
        })
    );
    assert_eq!(
        CalendarObject::parse(fixtures::HANDWRITTEN_INVALID_MIXED_UIDS)
            .map(|o| o.uid().to_string()),
        Err(IcalError::MultipleUids {
            line: 11,
            first: "first@example.org".into(),
            second: "second@example.org".into()
        })
    );
}

fn calendar(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//EN\r\n{body}END:VCALENDAR\r\n")
}

#[test]
fn resource_preconditions_of_rfc_4791_are_enforced() {
    let event = |uid: &str, extra: &str| {
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20260301T090000Z\r\n{extra}END:VEVENT\r\n")
    };
    let todo = "BEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\n";
    let cases: Vec<(String, IcalError)> = vec![
        (calendar(""), IcalError::Empty),
        (
            calendar(
                "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
            ),
            IcalError::Empty,
        ),
        (
            calendar(&format!("{}{todo}", event("a", ""))),
            IcalError::MixedComponents {
                line: 8,
                first: "VEVENT".into(),
                second: "VTODO".into(),
            },
        ),
        (
            calendar("BEGIN:VAVAILABILITY\r\nUID:a\r\nEND:VAVAILABILITY\r\n"),
            IcalError::Unsupported {
                line: 4,
                component: "VAVAILABILITY".into(),
            },
        ),
        (
            calendar(&format!("{}{}", event("a", ""), event("a", ""))),
            IcalError::DuplicateInstance { line: 8 },
        ),
        (
            calendar("BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n"),
            IcalError::MissingStart { line: 4 },
        ),
        (
            calendar(&event(
                "a",
                "DTEND;TZID=Nowhere/Special:20260301T100000\r\n",
            )),
            IcalError::UnknownTimeZone {
                line: 7,
                tzid: "Nowhere/Special".into(),
            },
        ),
        (
            format!("{}{}", calendar(""), calendar("")),
            IcalError::NotOneCalendar,
        ),
        (event("a", ""), IcalError::NotOneCalendar),
    ];
    for (text, expected) in cases {
        assert_eq!(CalendarObject::parse(&text).err(), Some(expected), "{text}");
    }
}

#[test]
fn other_component_types_and_overrides_are_accepted() {
    let todo = calendar(
        "BEGIN:VTODO\r\nUID:t\r\nSUMMARY:File taxes\r\nDUE:20260415T170000Z\r\nEND:VTODO\r\n",
    );
    assert_eq!(
        CalendarObject::parse(&todo).map(|o| o.kind()),
        Ok(ComponentKind::Todo)
    );
    let journal =
        calendar("BEGIN:VJOURNAL\r\nUID:j\r\nDTSTART;VALUE=DATE:20260301\r\nEND:VJOURNAL\r\n");
    assert_eq!(
        CalendarObject::parse(&journal).map(|o| o.kind()),
        Ok(ComponentKind::Journal)
    );
    let only_override = calendar(
        "BEGIN:VEVENT\r\nUID:o\r\nRECURRENCE-ID:20260302T090000Z\r\nDTSTART:20260302T100000Z\r\nSUMMARY:Just this one\r\nEND:VEVENT\r\n",
    );
    let object =
        CalendarObject::parse(&only_override).expect("an object may hold only an override");
    assert_eq!(object.summary(), Some("Just this one"));
}

#[test]
fn organizer_and_attendees_read_mailto_in_any_case() {
    let outlook = CalendarObject::parse(fixtures::OUTLOOK_WINDOWS_TZID).expect("valid");
    assert_eq!(
        outlook.organizer().map(|e| e.to_string()),
        Some("jane.doe@example.com".into())
    );
    assert_eq!(
        outlook
            .attendees()
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        ["richard.roe@example.org"]
    );
    let floating = CalendarObject::parse(fixtures::HANDWRITTEN_FLOATING_LF).expect("valid");
    assert_eq!(
        floating.organizer().map(|e| e.to_string()),
        Some("sam@example.org".into())
    );
}

#[test]
fn transparency_and_recurrence_are_reported() {
    for (text, transparent, recurring) in [
        (fixtures::GOOGLE_ALLDAY, true, false),
        (fixtures::APPLE_RECURRING_WITH_OVERRIDE, false, true),
        (fixtures::THUNDERBIRD_RDATE_EXDATE, false, true),
        (fixtures::OUTLOOK_WINDOWS_TZID, false, false),
    ] {
        let object = CalendarObject::parse(text).expect("valid fixture");
        assert_eq!(object.is_transparent(), transparent, "{}", object.uid());
        assert_eq!(object.is_recurring(), recurring, "{}", object.uid());
    }
}

#[test]
fn malformed_text_reports_the_line_of_the_original_text() {
    let text = "BEGIN:VCALENDAR\r\nX-LONG:a\r\n b\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-03-01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        CalendarObject::parse(text).err(),
        Some(IcalError::InvalidValue {
            line: 6,
            property: "DTSTART".into(),
            value: "2026-03-01".into()
        })
    );
}
