//! A client answering Kairos's own invitation: a REPLY (tentative is shown, declined
//! cancels) or another time proposed (iTIP COUNTER, as Google sends it): a free time moves the appointment and the client gets
//! the updated invitation; a taken one is answered with DECLINECOUNTER and times near
//! it, and choosing one of those in plain words moves the same appointment.

use std::sync::Arc;

use hyper::StatusCode;
use kairos::domain::SettableClock;

use crate::invitations::{
    bookings_in_calendar, calendar_of, fixture, ingest, plain_reply, settled, text_of,
};
use crate::support::smtp_sink::SmtpSink;
use crate::support::{TestServer, booking, monday_morning};

/// Google's COUNTER for event `uid`, proposing `start`–`end` (UTC, iCalendar form).
fn counter(uid: &str, start: &str, end: &str) -> Vec<u8> {
    String::from_utf8(fixture("google-counter.eml"))
        .expect("UTF-8")
        .replace("kairos-appointment-1@kairos.example", uid)
        .replace("DTSTART:20260304T150000Z", &format!("DTSTART:{start}"))
        .replace("DTEND:20260304T153000Z", &format!("DTEND:{end}"))
        .replace("calendar-counter-1@", &format!("calendar-counter-{start}@"))
        .into_bytes()
}

async fn start_time(server: &TestServer, path: &str) -> serde_json::Value {
    server.get(path).await.body["appointment"]["start"].clone()
}

#[tokio::test]
async fn a_proposal_moves_the_appointment_when_free_and_is_declined_with_times_when_not() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let spool = dir.path().join("mail").join("inbox");
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "ada@gmail.example"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let id = booked.body["appointment"]["id"].as_str().expect("id");
    let manage = booked.body["appointment"]["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("token");
    let path = format!("/api/appointments/{id}?token={manage}");
    assert_eq!(sink.wait_for(1, 10).await.len(), 1, "the invitation");

    // Wednesday 10:00 is free: the appointment moves, and Ada's calendar is updated.
    ingest(
        dir.path(),
        &counter(id, "20260304T150000Z", "20260304T153000Z"),
    );
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2);
    let (method, calendar) = calendar_of(&received[1]);
    assert_eq!(method.as_deref(), Some("REQUEST"));
    assert!(calendar.contains("SEQUENCE:1"), "{calendar}");
    assert_eq!(
        start_time(&server, &path).await,
        "2026-03-04T10:00:00-05:00"
    );

    // Thursday 10:00 is taken: DECLINECOUNTER, with times near it in words.
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-05T10:00:00-05:00", "carol@example.com"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED);
    ingest(
        dir.path(),
        &counter(id, "20260305T150000Z", "20260305T153000Z"),
    );
    let received = sink.wait_for(4, 10).await;
    let declined = received
        .iter()
        .find(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.starts_with("Proposal declined:"))
        })
        .expect("a DECLINECOUNTER");
    assert_eq!(declined.to, ["ada@gmail.example"]);
    let (method, calendar) = calendar_of(declined);
    assert_eq!(method.as_deref(), Some("DECLINECOUNTER"));
    assert!(calendar.contains(&format!("UID:{id}")), "{calendar}");
    assert!(calendar.contains("METHOD:DECLINECOUNTER"), "{calendar}");
    assert_eq!(
        start_time(&server, &path).await,
        "2026-03-04T10:00:00-05:00"
    );
    let words = text_of(declined);
    let second = words
        .lines()
        .find_map(|line| line.trim().strip_prefix("2. "))
        .expect("a second time")
        .to_string();

    // "2" moves the same appointment there; nothing new is booked.
    let offer_id = declined.header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply("ada@gmail.example", &offer_id, "2 please").as_bytes(),
    );
    settled(&spool, 3).await;
    assert_eq!(bookings_in_calendar(&server).await, 2, "Ada's and Carol's");
    let moved = start_time(&server, &path).await;
    assert_ne!(moved, "2026-03-04T10:00:00-05:00", "moved to {second}");
    server.stop().await;
}

#[tokio::test]
async fn a_client_declining_kaiross_invitation_cancels_the_appointment() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let spool = dir.path().join("mail").join("inbox");
    let booked = server
        .post(
            "/api/appointments",
            &crate::support::booking("2026-03-03T10:00:00-05:00", "ada@example.com"),
        )
        .await;
    let id = booked.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(sink.wait_for(1, 10).await.len(), 1, "the invitation");
    // As Outlook answers: one ATTENDEE, no ORGANIZER.
    let reply = |from: &str, partstat: &str| {
        let calendar = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:{id}\r\nDTSTAMP:20260302T140000Z\r\nDTSTART:20260303T150000Z\r\nDTEND:20260303T153000Z\r\nSEQUENCE:0\r\nATTENDEE;PARTSTAT={partstat}:MAILTO:{from}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        format!(
            "From: {from}\r\nTo: book@kairos.example\r\nSubject: answer\r\nMessage-ID: <{partstat}-{from}>\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n{calendar}"
        )
    };
    ingest(dir.path(), reply("ada@example.com", "ACCEPTED").as_bytes());
    ingest(
        dir.path(),
        reply("mallory@example.net", "DECLINED").as_bytes(),
    );
    settled(&spool, 2).await;
    assert_eq!(
        bookings_in_calendar(&server).await,
        1,
        "neither cancels anything"
    );
    // A tentative answer is shown in the host's calendar.
    let attendee_line = |text: &str| {
        text.replace("\r\n ", "")
            .lines()
            .find(|line| line.starts_with("ATTENDEE") && line.contains("ada@example.com"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let event = format!("/dav/calendars/domina/bookings/{id}.ics");
    let shown = server.dav("GET", &event, None, &[], true).await.text;
    assert!(
        attendee_line(&shown).contains("PARTSTAT=ACCEPTED"),
        "{shown}"
    );
    ingest(dir.path(), reply("ada@example.com", "TENTATIVE").as_bytes());
    settled(&spool, 3).await;
    let shown = server.dav("GET", &event, None, &[], true).await.text;
    assert!(
        attendee_line(&shown).contains("PARTSTAT=TENTATIVE"),
        "{shown}"
    );
    ingest(dir.path(), reply("ada@example.com", "DECLINED").as_bytes());
    settled(&spool, 4).await;
    assert_eq!(
        bookings_in_calendar(&server).await,
        0,
        "her refusal cancels it"
    );
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2, "and she is told");
    let (method, _) = calendar_of(&received[1]);
    assert_eq!(method.as_deref(), Some("CANCEL"));
    server.stop().await;
}
