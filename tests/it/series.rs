//! Recurring invitations: a weekly series is accepted only when each of its meetings
//! within the booking horizon is free, and then keeps all of them from other bookings;
//! one taken meeting declines it, naming that meeting, with times near it; an update
//! is decided again and a cancellation frees the time.

use std::sync::Arc;

use hyper::StatusCode;
use kairos::domain::SettableClock;

use crate::invitations::{calendar_of, fixture, ingest, text_of};
use crate::support::smtp_sink::SmtpSink;
use crate::support::{TestServer, booking, monday_morning};

fn weekly() -> String {
    String::from_utf8(fixture("google-weekly-request.eml")).expect("UTF-8")
}

/// The weekly invitation as its organizer changes it: a new SEQUENCE and Message-ID,
/// and `edit` applied to the text.
fn weekly_changed(sequence: u32, edit: impl Fn(String) -> String) -> Vec<u8> {
    edit(weekly())
        .replace("SEQUENCE:0", &format!("SEQUENCE:{sequence}"))
        .replace(
            "calendar-5f0e8a21-0c4b",
            &format!("calendar-5f0e8a21-{sequence:04}"),
        )
        .replace("DTSTAMP:20260302T121000Z", "DTSTAMP:20260302T130000Z")
        .into_bytes()
}

async fn book_status(server: &TestServer, start: &str, email: &str) -> StatusCode {
    server
        .post("/api/appointments", &booking(start, email))
        .await
        .status
}

#[tokio::test]
async fn a_series_is_accepted_only_when_every_meeting_in_the_horizon_is_free() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;

    // The third Wednesday at 11:00 is taken: the series is declined, naming that
    // meeting, with times near it.
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-18T11:00:00-04:00", "bob@example.com"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED);
    let taken_id = taken.body["appointment"]["id"].as_str().expect("id");
    let taken_token = taken.body["appointment"]["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("manage token");
    ingest(dir.path(), &fixture("google-weekly-request.eml"));
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2, "the booking's mail and the answer");
    let declined = &received[1];
    assert_eq!(declined.to, ["ada@gmail.example"]);
    let (_, calendar) = calendar_of(declined);
    assert!(calendar.contains("PARTSTAT=DECLINED"), "{calendar}");
    assert!(
        calendar.contains("RRULE:FREQ=WEEKLY;BYDAY=WE"),
        "{calendar}"
    );
    let words = text_of(declined);
    assert!(words.contains("Wednesday 18 March, 11:00"), "{words}");
    assert!(words.contains("1. "), "alternatives offered: {words}");

    // Freed, the same series sent again (a new version) is accepted, and every
    // Wednesday at 11:00 is then busy — also beyond the horizon as time goes on.
    let cancelled = server
        .post(
            &format!("/api/appointments/{taken_id}/cancel?token={taken_token}"),
            "",
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    ingest(dir.path(), &weekly_changed(1, |text| text));
    let received = sink.wait_for(4, 10).await;
    let accepted = received
        .iter()
        .rev()
        .find(|mail| mail.to == ["ada@gmail.example"])
        .expect("an answer to Ada");
    let (method, calendar) = calendar_of(accepted);
    assert_eq!(method.as_deref(), Some("REPLY"));
    assert!(calendar.contains("PARTSTAT=ACCEPTED"), "{calendar}");
    assert!(text_of(accepted).contains("All 4 of its meetings"));
    for wednesday in ["2026-03-11T11:00:00-04:00", "2026-03-25T11:00:00-04:00"] {
        assert_eq!(
            book_status(&server, wednesday, "carol@example.com").await,
            StatusCode::CONFLICT,
            "{wednesday} is the series'"
        );
    }

    // Moved to 14:00: decided again; 11:00 is free, 14:00 is not.
    ingest(
        dir.path(),
        &weekly_changed(2, |text| {
            text.replace("T110000", "T140000")
                .replace("T114500", "T144500")
        }),
    );
    sink.wait_for(5, 10).await;
    assert_eq!(
        book_status(&server, "2026-03-11T14:00:00-04:00", "carol@example.com").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        book_status(&server, "2026-03-11T11:00:00-04:00", "carol@example.com").await,
        StatusCode::CREATED
    );

    // Cancelled by Ada: its time is free again.
    ingest(
        dir.path(),
        &weekly_changed(3, |text| {
            text.replace("METHOD:REQUEST", "METHOD:CANCEL")
                .replace("method=REQUEST", "method=CANCEL")
                .replace("STATUS:CONFIRMED", "STATUS:CANCELLED")
        }),
    );
    for _ in 0..200 {
        if book_status(&server, "2026-03-25T14:00:00-04:00", "dan@example.com").await
            == StatusCode::CREATED
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the cancelled series still holds its time");
}
