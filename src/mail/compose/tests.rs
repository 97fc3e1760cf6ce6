//! The notice's words and shape, checked on the formatted message.

use chrono::TimeZone;

use super::*;
use crate::domain::AppointmentChange;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 8, hour, minute, 0)
        .single()
        .expect("valid test time")
}

fn compose(change: &AppointmentChange, purpose: &str) -> String {
    let booking = EmailAddress::parse("book@kairos.example").expect("valid");
    let client = EmailAddress::parse("ada@example.com").expect("valid");
    let message = appointment_notice(
        &Letterhead {
            host_name: "Domina",
            booking_address: &booking,
            booking_url: "https://kairos.example/",
        },
        &AppointmentNotice {
            meeting_url: Some("https://meet.example/abc-defg-hij"),
            reminder: None,
            change,
            client_name: "Ada",
            client_email: &client,
            title: "Consultation with Ada",
            purpose,
            interval: Interval::new(at(15, 0), at(15, 30)).expect("non-empty"),
            zone: chrono_tz::Europe::Berlin,
            manage_url: "https://kairos.example/manage/t0ken",
            calendar: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
            method: Method::Request,
            replaces_their_invitation: false,
        },
        "<outbox-1.domina@kairos.example>",
        at(9, 0),
    )
    .expect("composes");
    String::from_utf8(message.formatted()).expect("utf-8")
}

#[test]
fn times_are_written_in_the_readers_zone_with_its_name() {
    let interval = Interval::new(at(6, 30), at(7, 0)).expect("non-empty");
    // 2026-03-08 is the day New York moves to daylight time.
    assert_eq!(
        when(interval, chrono_tz::America::New_York),
        "Sunday 8 March 2026, 01:30–03:00 EDT (America/New_York)"
    );
    let overnight = Interval::new(at(22, 0), at(23, 30)).expect("non-empty");
    assert_eq!(
        when(overnight, chrono_tz::Asia::Tokyo),
        "Monday 9 March 2026, 07:00–08:30 JST (Asia/Tokyo)"
    );
    let across_midnight = Interval::new(at(22, 30), at(23, 30)).expect("non-empty");
    assert_eq!(
        when(across_midnight, chrono_tz::Europe::Berlin),
        "Sunday 8 March 2026, 23:30–Monday 9 March 2026, 00:30 CET (Europe/Berlin)"
    );
}

#[test]
fn a_notice_carries_its_headers_and_the_calendar_part() {
    let text = compose(&AppointmentChange::Booked, "Tax return");
    for header in [
        "From: Domina <book@kairos.example>",
        "Reply-To: Domina <book@kairos.example>",
        "To: Ada <ada@example.com>",
        "Subject: Confirmed: Consultation with Ada",
        "Message-ID: <outbox-1.domina@kairos.example>",
        "Date: Sun, 08 Mar 2026 09:00:00 +0000",
    ] {
        assert!(text.contains(header), "{header} missing in\n{text}");
    }
    assert!(text.contains("text/calendar; method=REQUEST; charset=utf-8"));
    assert!(text.contains("filename=\"invite.ics\""));
}

#[test]
fn what_the_client_typed_is_escaped_in_html_and_kept_in_text() {
    let raw = compose(&AppointmentChange::Booked, "<script>alert(1)</script>");
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("parses");
    let html = message.body_html(0).expect("an HTML part");
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script"),
        "{html}"
    );
    let text = message.body_text(0).expect("a text part");
    assert!(text.contains("About: <script>alert(1)</script>"), "{text}");
}

#[test]
fn a_move_shows_the_old_time_and_a_cancellation_offers_the_booking_page() {
    let from = Interval::new(at(13, 0), at(13, 30)).expect("non-empty");
    let moved = compose(&AppointmentChange::Rescheduled { from }, "");
    let message = mail_parser::MessageParser::default()
        .parse(moved.as_bytes())
        .expect("parses");
    let text = message.body_text(0).expect("text");
    assert!(
        text.contains("(was Sunday 8 March 2026, 14:00–14:30 CET (Europe/Berlin))"),
        "{text}"
    );
    assert!(!text.contains("About:"), "no purpose, no line");
    let cancelled = compose(&AppointmentChange::Cancelled, "");
    let message = mail_parser::MessageParser::default()
        .parse(cancelled.as_bytes())
        .expect("parses");
    let text = message.body_text(0).expect("text");
    assert!(
        text.contains("To book another time: https://kairos.example/"),
        "{text}"
    );
    assert!(!text.contains("manage/t0ken"), "{text}");
}
