//! Reminders before appointments, with a settable clock: each comes once, at its time,
//! across restarts; none is sent for a moment that passed before the booking; across a
//! daylight-saving change the minutes before are real minutes, not wall-clock ones.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone as _;
use chrono_tz::America::New_York;
use hyper::StatusCode;
use kairos::config::Config;
use kairos::domain::{SettableClock, WorkingPeriod};

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
    start_with(dir, sink, clock, |_| {}).await
}

/// As `start`, the configuration then adjusted by `adjust`.
async fn start_with(
    dir: &std::path::Path,
    sink: &SmtpSink,
    clock: Arc<SettableClock>,
    adjust: impl FnOnce(&mut Config),
) -> TestServer {
    let to_sink = sink.configure();
    TestServer::start_with(dir, clock, move |config: &mut Config| {
        to_sink(config);
        config.reminders.schedule = Some(every_second());
        config.rules.minimum_notice = chrono::Duration::zero();
        adjust(config);
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

/// Waits up to 10 s for `count` reminders; the reminders so far.
async fn until(sink: &SmtpSink, count: usize) -> Vec<String> {
    let mut sent = Vec::new();
    for _ in 0..400 {
        sent = reminders(sink);
        if sent.len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    sent
}

/// The mail's text part as read: quoted-printable soft line breaks joined, `=XX` bytes
/// decoded.
fn text_of(mail: &str) -> String {
    let joined = mail.replace("=\r\n", "");
    let mut bytes = Vec::with_capacity(joined.len());
    let raw = joined.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (raw[i], hex) {
            (b'=', Some(byte)) => {
                bytes.push(byte);
                i += 3;
            }
            (byte, _) => {
                bytes.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
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

fn utc(month: u32, day: u32, hour: u32, minute: u32, second: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .with_ymd_and_hms(2026, month, day, hour, minute, second)
        .single()
        .expect("a time")
}

#[tokio::test]
async fn reminders_across_the_fall_back_count_real_minutes_before_the_second_0130() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Friday 30 October, before both reminders' moments.
    let clock = Arc::new(SettableClock::new(utc(10, 30, 12, 0, 0)));
    let server = start_with(dir.path(), &sink, Arc::clone(&clock), |config| {
        config.reminders.before_minutes = vec![1440, 60];
        // Open in the small hours of Sunday 1 November, when 01:00–02:00 comes twice
        // (EDT, then EST) in New York.
        let small_hours = WorkingPeriod::parse("00:00-04:00").expect("a period");
        config.rules.working_hours = std::mem::take(&mut config.rules.working_hours)
            .with_day(chrono::Weekday::Sun, vec![small_hours]);
        config.rules.horizon = chrono::Duration::days(30);
    })
    .await;
    // The second 01:30: 06:30 UTC.
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-11-01T01:30:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    assert_eq!(
        booked.body["appointment"]["start"], "2026-11-01T01:30:00-05:00",
        "{:?}",
        booked.body
    );

    // A day before is 24 real hours before, 06:30 UTC on Saturday (02:30 EDT), not
    // 01:30 EDT (05:30 UTC), which a wall-clock day before would give.
    clock.set(utc(10, 31, 6, 29, 30));
    assert!(
        after(&sink, 1500).await.is_empty(),
        "not a wall-clock day before"
    );
    clock.set(utc(10, 31, 6, 30, 30));
    let sent = until(&sink, 1).await;
    assert_eq!(sent.len(), 1, "the day-before reminder");
    let mail = text_of(&sent[0]);
    assert!(
        mail.contains("A reminder: your appointment is in 24 hours."),
        "{mail}"
    );
    assert!(
        mail.contains("Sunday 1 November 2026, 01:30\u{2013}02:00 EST (America/New_York)"),
        "{mail}"
    );

    // An hour before is 05:30 UTC: the first 01:30 (EDT). A wall-clock hour before
    // (00:30 EDT, 04:30 UTC) has long passed at 01:29:30 EDT, and still nothing.
    clock.set(utc(11, 1, 5, 29, 30));
    assert_eq!(
        after(&sink, 1500).await.len(),
        1,
        "not a wall-clock hour before"
    );
    clock.set(utc(11, 1, 5, 30, 30));
    let sent = until(&sink, 2).await;
    assert_eq!(sent.len(), 2, "the hour-before reminder");
    let mail = text_of(&sent[1]);
    assert!(
        mail.contains("A reminder: your appointment is in 1 hour."),
        "{mail}"
    );
    assert!(
        mail.contains("Sunday 1 November 2026, 01:30\u{2013}02:00 EST (America/New_York)"),
        "{mail}"
    );
    assert_eq!(after(&sink, 1500).await.len(), 2, "each once");
    server.stop().await;
}
