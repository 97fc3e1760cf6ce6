//! Follow-ups after meetings and the host's daily agenda, with a settable clock: each
//! comes once, at its time, across restarts; the agenda keeps to 07:00 in the host's
//! zone across a daylight-saving change.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone as _;
use chrono_tz::America::New_York;
use hyper::StatusCode;
use kairos::config::{Config, Schedule};
use kairos::domain::SettableClock;
use mail_parser::MessageParser;

use crate::support::smtp_sink::SmtpSink;
use crate::support::{TestServer, booking, every_second, monday_morning};

fn at(month: u32, day: u32, hour: u32, minute: u32) -> chrono::DateTime<chrono::Utc> {
    New_York
        .with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .expect("a time")
        .with_timezone(&chrono::Utc)
}

async fn start(dir: &std::path::Path, sink: &SmtpSink, clock: Arc<SettableClock>) -> TestServer {
    let to_sink = sink.configure();
    TestServer::start_with(dir, clock, move |config: &mut Config| {
        to_sink(config);
        config.reminders.schedule = None;
        config.follow_ups.schedule = Some(every_second());
        config.agenda.schedule = Some(Schedule::parse("0 0 7 * * *").expect("valid"));
        config.agenda.looks = every_second();
        config.rules.minimum_notice = chrono::Duration::zero();
    })
    .await
}

fn with_subject(sink: &SmtpSink, prefix: &str) -> Vec<String> {
    sink.received()
        .iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|subject| subject.starts_with(prefix))
        })
        .map(|mail| readable(&mail.data))
        .collect()
}

/// The subject and the text part, decoded.
fn readable(data: &str) -> String {
    let message = MessageParser::default()
        .parse(data.as_bytes())
        .expect("a message");
    format!(
        "Subject: {}\nTo: {}\n\n{}",
        message.subject().unwrap_or_default(),
        data.lines()
            .find_map(|line| line.strip_prefix("To: "))
            .unwrap_or_default(),
        message.body_text(0).unwrap_or_default()
    )
}

/// Waits until `count` mails with `prefix` arrived (or 10 s passed), then a little
/// more so that one too many would show; returns them.
async fn settled(sink: &SmtpSink, prefix: &str, count: usize) -> Vec<String> {
    for _ in 0..400 {
        if with_subject(sink, prefix).len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    with_subject(sink, prefix)
}

#[tokio::test]
async fn a_follow_up_is_offered_once_after_the_meeting_unless_booked_again() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    for (start, email) in [
        ("2026-03-03T10:00:00-05:00", "ada@example.com"),
        ("2026-03-03T11:00:00-05:00", "grace@example.com"),
        ("2026-03-20T11:00:00-04:00", "grace@example.com"),
    ] {
        let booked = server
            .post("/api/appointments", &booking(start, email))
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    }
    // Half an hour after Ada's meeting ended: not yet.
    clock.set(at(3, 3, 11, 0));
    assert!(settled(&sink, "Follow-up", 1).await.is_empty(), "not yet");

    // An hour after both ended: Ada is offered a follow-up; Grace has booked again.
    clock.set(at(3, 3, 12, 31));
    let sent = settled(&sink, "Follow-up", 1).await;
    assert_eq!(sent.len(), 1, "one follow-up");
    let mail = &sent[0];
    assert!(mail.contains("ada@example.com"), "to Ada: {mail}");
    assert!(mail.contains("Quarterly review"), "names the meeting");
    assert!(
        mail.contains("type=follow-up"),
        "links book the follow-up type"
    );
    assert_eq!(mail.matches("Book it: ").count(), 3, "three times: {mail}");
    assert_eq!(mail.matches("&start=").count(), 3, "each linked: {mail}");
    assert!(
        mail.contains("(America/New_York)"),
        "times in her zone, named"
    );

    // A restart changes nothing.
    server.stop().await;
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    assert_eq!(settled(&sink, "Follow-up", 2).await.len(), 1, "not again");

    // A link from the mail opens the booking page at the details step.
    let link = mail
        .split("Book it: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a link in the text part");
    let path = link
        .split_once("127.0.0.1")
        .map(|(_, rest)| rest)
        .expect("ours");
    let path = &path[path.find('/').expect("a path")..];
    let page = server.dav("GET", path, None, &[], false).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    assert!(
        page.text.contains("name=\"email\""),
        "the details step: {}",
        page.text
    );
    server.stop().await;
}

#[tokio::test]
async fn the_agenda_comes_at_seven_her_time_once_a_day_across_a_dst_change() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    for start in [
        "2026-03-06T10:00:00-05:00",
        "2026-03-06T14:00:00-05:00",
        "2026-03-09T09:00:00-04:00",
    ] {
        let booked = server
            .post("/api/appointments", &booking(start, "ada@example.com"))
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    }
    clock.set(at(3, 6, 6, 59));
    assert!(
        settled(&sink, "Your agenda", 1).await.is_empty(),
        "not before seven"
    );
    clock.set(at(3, 6, 7, 0) + chrono::Duration::seconds(20));
    let sent = settled(&sink, "Your agenda", 1).await;
    assert_eq!(sent.len(), 1);
    let agenda = &sent[0];
    assert!(agenda.contains("Friday 6 March 2026"), "{agenda}");
    assert!(agenda.contains("2 appointments"), "{agenda}");
    assert!(
        agenda.contains("10:00") && agenda.contains("14:00"),
        "her times"
    );
    assert!(agenda.contains("Quarterly review"), "with their purposes");
    assert!(
        agenda.contains("To: Domina") || agenda.contains("domina"),
        "to the host"
    );

    server.stop().await;
    let server = start(dir.path(), &sink, Arc::clone(&clock)).await;
    assert_eq!(
        settled(&sink, "Your agenda", 2).await.len(),
        1,
        "once a day"
    );

    // Clocks went forward on Sunday 8 March: seven o'clock is now 11:00 UTC, not 12:00.
    clock.set(at(3, 9, 6, 59));
    assert_eq!(
        settled(&sink, "Your agenda", 2).await.len(),
        1,
        "not at 06:59 EDT"
    );
    clock.set(
        chrono::Utc
            .with_ymd_and_hms(2026, 3, 9, 11, 0, 20)
            .single()
            .expect("a time"),
    );
    let sent = settled(&sink, "Your agenda", 2).await;
    assert_eq!(sent.len(), 2, "at 07:00 EDT");
    assert!(sent[1].contains("Monday 9 March 2026") && sent[1].contains("1 appointment"));
    assert!(sent[1].contains("09:00"), "{}", sent[1]);
    server.stop().await;
}
