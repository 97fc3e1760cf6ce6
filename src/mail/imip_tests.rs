//! Each client's packing of an invitation, from tests/fixtures/mail.

use super::*;
use crate::ical::CalendarObject;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_calendar_part_is_found_however_the_client_packs_it() {
    let cases = [
        (
            "google-request.eml",
            Some("REQUEST"),
            "7kukuqrfedlm2f9t0vr42q6ngg@google.com",
        ),
        (
            "google-attachment-only.eml",
            None,
            "7kukuqrfedlm2f9t0vr42q6ngg@google.com",
        ),
        (
            "outlook-request.eml",
            Some("REQUEST"),
            "040000008200E00074C5B7101A82E00800000000C0A1F3D2A4AADC010000000000000000100000009D8F0E1B2C3D4E5F60718293A4B5C6D7",
        ),
        (
            "google-counter.eml",
            Some("REPLY"),
            "kairos-appointment-1@kairos.example",
        ),
    ];
    for (name, mime_method, uid) in cases {
        let extracted = extract(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(extracted.mime_method.as_deref(), mime_method, "{name}");
        let object = CalendarObject::parse(extracted.calendar.as_deref().expect("a calendar"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(object.uid(), uid, "{name}");
        assert!(!extracted.automatic, "{name}");
    }
}

#[test]
fn the_headers_say_who_sent_it() {
    let google = extract(&fixture("google-request.eml")).expect("extracts");
    assert_eq!(google.from.as_str(), "ada@gmail.example");
    assert_eq!(
        google.sender.as_ref().map(EmailAddress::as_str),
        Some("calendar-notification@google.example")
    );
    assert_eq!(
        google.message_id.as_deref(),
        Some("<calendar-2b9c1d3e-5a77-4e0e-9a43-0c6c1fa1b001@google.example>")
    );
    assert!(google.subject.starts_with("Invitation: Tax return"));
}

#[test]
fn messages_without_a_calendar_or_sender_and_automatic_ones_are_told_apart() {
    let plain =
        b"From: a@example.com\r\nTo: book@kairos.example\r\nSubject: hi\r\n\r\nJust text.\r\n";
    let plain = extract(plain).expect("extracts");
    assert_eq!(plain.calendar, None);
    assert_eq!(plain.text.trim(), "Just text.");
    let anonymous = b"To: book@kairos.example\r\nSubject: hi\r\n\r\nJust text.\r\n";
    assert_eq!(extract(anonymous), Err(ImipError::NoSender));
    let mut automatic = b"Auto-Submitted: auto-replied\r\n".to_vec();
    automatic.extend(fixture("google-request.eml"));
    assert!(extract(&automatic).expect("extracts").automatic);
}

#[test]
fn a_hostile_message_is_refused_without_harm() {
    let mut nested = String::from(
        "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n",
    );
    for depth in 0..300 {
        nested.push_str(&format!(
            "--b{depth}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
            depth + 1
        ));
    }
    let result = extract(nested.as_bytes());
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn authentication_results_vouch_only_for_an_aligned_domain() {
    let from = EmailAddress::parse("ada@mail.gmail.example").expect("valid");
    let said = |header: &str| authentication(&[header.to_string()], &from);
    assert_eq!(authentication(&[], &from), Authentication::Unchecked);
    assert_eq!(
        said(
            "mx.kairos.example; dkim=pass header.d=gmail.example header.s=s1; spf=pass smtp.mailfrom=ada@mail.gmail.example"
        ),
        Authentication::Passed,
        "a parent domain's signature aligns"
    );
    assert_eq!(
        said("mx.kairos.example; spf=pass; dmarc=pass (p=NONE) header.from=mail.gmail.example"),
        Authentication::Passed
    );
    for failing in [
        "mx.kairos.example; dkim=pass header.d=evil.example; dmarc=fail header.from=mail.gmail.example",
        "mx.kairos.example; dkim=fail header.d=gmail.example; spf=pass",
        "mx.kairos.example; dmarc=pass header.from=other.example",
        "mx.kairos.example; dkim=pass header.d=il.example",
    ] {
        assert!(
            matches!(said(failing), Authentication::Failed(_)),
            "{failing}"
        );
    }
}

#[test]
fn bulk_mail_counts_as_automatic() {
    let mut bulk = b"Precedence: bulk\r\n".to_vec();
    bulk.extend(fixture("google-request.eml"));
    assert!(extract(&bulk).expect("extracts").automatic);
    let mut checked =
        b"Authentication-Results: mx.kairos.example; dkim=pass header.d=gmail.example\r\n".to_vec();
    checked.extend(fixture("google-request.eml"));
    assert_eq!(
        extract(&checked).expect("extracts").authentication,
        Authentication::Passed
    );
}

#[test]
fn every_clients_message_reads_as_the_itip_it_carries() {
    use crate::itip::{self, Asked, Envelope};
    let booking = EmailAddress::parse("book@kairos.example").expect("valid");
    // (fixture, what it asks, its UID, the first instance's start in UTC)
    let cases = [
        (
            "google-request.eml",
            "invitation",
            "7kukuqrfedlm2f9t0vr42q6ngg@google.com",
            Some("2026-03-03 15:00"),
        ),
        (
            "google-attachment-only.eml",
            "invitation",
            "7kukuqrfedlm2f9t0vr42q6ngg@google.com",
            Some("2026-03-03 15:00"),
        ),
        (
            "outlook-request.eml",
            "invitation",
            "040000008200E00074C5B7101A82E00800000000C0A1F3D2A4AADC010000000000000000100000009D8F0E1B2C3D4E5F60718293A4B5C6D7",
            Some("2026-03-03 15:00"),
        ),
        (
            "apple-request.eml",
            "invitation",
            "6D2C8A1E-3F4B-4C5D-9E8F-0A1B2C3D4E5F",
            Some("2026-03-05 15:30"),
        ),
        (
            "thunderbird-request.eml",
            "invitation",
            "0f6c3d2e-9b8a-4c7d-8e5f-1a2b3c4d5e6f",
            Some("2026-03-06 19:00"),
        ),
        // Free-text TZID: the day after the US switch to daylight time, so UTC−4.
        (
            "exchange2003-request.eml",
            "invitation",
            "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5C601000000000000000010000000AABBCCDDEEFF00112233445566778899",
            Some("2026-03-09 15:00"),
        ),
        (
            "google-cancel.eml",
            "cancellation",
            "7kukuqrfedlm2f9t0vr42q6ngg@google.com",
            None,
        ),
        (
            "google-counter.eml",
            "COUNTER",
            "kairos-appointment-1@kairos.example",
            None,
        ),
        (
            "outlook-reply-no-organizer.eml",
            "answer ACCEPTED",
            "kairos-appointment-2@kairos.example",
            None,
        ),
    ];
    for (name, expected, uid, start) in cases {
        let mail = extract(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let object = CalendarObject::parse(mail.calendar.as_deref().expect("a calendar"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(object.uid(), uid, "{name}");
        let asked = itip::read(
            &object,
            mail.mime_method.as_deref(),
            &Envelope {
                from: &mail.from,
                sender: mail.sender.as_ref(),
            },
            &booking,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let kind = match &asked {
            Asked::Invitation(_) => "invitation".to_string(),
            Asked::Cancellation { .. } => "cancellation".to_string(),
            Asked::Answer { partstat, .. } => format!("answer {partstat}"),
            Asked::Proposal { .. } => "COUNTER".to_string(),
            Asked::Unsupported(other) => format!("{other:?}"),
        };
        assert_eq!(kind, expected, "{name}");
        if let Some(start) = start {
            let year = crate::domain::Interval::new(
                chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 1, 1, 0, 0, 0)
                    .single()
                    .expect("valid"),
                chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 1, 0, 0, 0)
                    .single()
                    .expect("valid"),
            )
            .expect("a year");
            let first = object.occurrences(year, chrono_tz::America::New_York);
            assert_eq!(
                first[0].interval.start.format("%Y-%m-%d %H:%M").to_string(),
                start,
                "{name}"
            );
            assert_eq!(first[0].interval.duration().num_minutes(), 30, "{name}");
        }
    }
}
