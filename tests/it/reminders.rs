//! Reminders before appointments, with a settable clock: each comes once, at its time,
//! across restarts; none is sent for a moment that passed before the booking.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone as _;
use chrono_tz::America::New_York;
use hyper::StatusCode;
use kairos::config::Config;
use kairos::domain::SettableClock;

use crate::support::smtp_sink::SmtpSink;
use crate::support::{TestServer, booking, every_second, monday_morning};

fn at(day: u32, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    New_York
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("a time")
        .with_timezone(&chrono::Utc)
}

async fn start(dir: &std::path::Path, sink: &SmtpSink, clock: Arc<SettableClock>) -> TestServer {
    let to_sink = sink.configure();
    TestServer::start_with(dir, clock, move |config: &mut Config| {
        to_sink(config);
        config.reminders.schedule = Some(every_second());
        config.rules.minimum_notice = chrono::Duration::zero();
    })
    .await
}

fn reminders(sink: &SmtpSink) -> Vec<String> {
    sink.received()
        .iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|subject| subject.starts_with("Reminder:"))
        })
        .map(|mail| mail.data.clone())
        .collect()
}

/// Waits `ms`, then the reminders so far.
async fn after(sink: &SmtpSink, ms: u64) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    reminders(sink)
}

#[tokio::test]
async fn each_reminder_comes_once_at_its_time_across_a_restart() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-04T10:00:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);

    clock.set(at(3, 9, 59));
    assert!(after(&sink, 1500).await.is_empty(), "not yet");
    clock.set(at(3, 10, 0) + chrono::Duration::seconds(30));
    let mut sent = Vec::new();
    for _ in 0..400 {
        sent = reminders(&sink);
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(sent.len(), 1, "the day-before reminder");
    let mail = &sent[0];
    assert!(
        mail.contains("A reminder: your appointment is in 24 hours."),
        "{mail}"
    );
    assert!(mail.contains("/manage/"), "the manage link");
    assert!(mail.contains("text/calendar"), "the event for the calendar");
    assert_eq!(after(&sink, 1500).await.len(), 1, "once");

    // Restarted at the same moment: nothing is sent again.
    server.stop().await;
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    assert_eq!(
        after(&sink, 1500).await.len(),
        1,
        "not again after a restart"
    );

    // The hour before.
    clock.set(at(4, 9, 0) + chrono::Duration::seconds(30));
    let mut sent = Vec::new();
    for _ in 0..400 {
        sent = reminders(&sink);
        if sent.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(sent.len(), 2);
    assert!(sent[1].contains("A reminder: your appointment is in 1 hour."));

    // Booked half an hour ahead: both moments passed before the booking.
    clock.set(at(4, 13, 0));
    let soon = server
        .post(
            "/api/appointments",
            &booking("2026-03-04T13:30:00-05:00", "grace@example.com"),
        )
        .await;
    assert_eq!(soon.status, StatusCode::CREATED, "{:?}", soon.body);
    assert_eq!(
        after(&sink, 1500).await.len(),
        2,
        "no reminder for a moment already past"
    );
    server.stop().await;
}
