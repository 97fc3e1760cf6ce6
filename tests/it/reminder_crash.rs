//! A reminder queued and then caught mid-delivery by a SIGKILL of the real `kairos`
//! process: after the restart it is delivered exactly once — the store remembers the
//! decision (no second queueing) and the unsettled outbox entry (no loss).

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use chrono_tz::America::New_York;

use crate::support::smtp_sink::{Received, SinkMode, SmtpSink};
use crate::support::{booking, post_raw};

/// How long after the booking its reminder comes due.
const LEAD: Span = Span::seconds(5);

/// The configuration of the real binary: open all day every day, bookable at once,
/// reminders an hour and two before, looked for every second, mail to `sink`, the other
/// scheduled jobs off.
fn config(address: &str, state: &Path, sink: &SmtpSink) -> String {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .map(|day| format!("    {day}: [\"00:00-24:00\"]\n"))
    .concat();
    format!(
        "server:\n  listen: \"{address}\"\nstorage:\n  data_dir: \"{}\"\navailability:\n  working_hours:\n{days}  buffer_minutes: 0\n  minimum_notice_minutes: 0\nmail:\n  transport: \"smtp\"\n  smtp:\n    host: \"127.0.0.1\"\n    port: {}\n    security: \"none\"\n  poll_seconds: 1\nreminders:\n  before_minutes: [60, 120]\n  schedule: \"* * * * * *\"\nfollow_ups:\n  schedule: \"off\"\nagenda:\n  schedule: \"off\"\nlog:\n  level: \"warn\"\n",
        state.display(),
        sink.port,
    )
}

/// The wall clock the `kairos` process reads.
#[allow(clippy::disallowed_methods)] // the `kairos` process reads the wall clock too
fn wall_now() -> DateTime<Utc> {
    Utc::now()
}

/// A start an hour (or two) plus `LEAD` from `now`, to the second, whose 30 minutes end
/// on the same day in the host's zone (working hours end at midnight). Its reminder that
/// many hours before comes due `LEAD` after `now`; the other one's moment is either past
/// before the booking (never sent) or an hour away.
fn start_after(now: DateTime<Utc>) -> DateTime<Utc> {
    [60, 120]
        .into_iter()
        .map(|minutes| {
            // Whole seconds, rounded up: the reminder's moment falls after `now + LEAD`.
            let seconds = now.timestamp() + 1 + (Span::minutes(minutes) + LEAD).num_seconds();
            DateTime::from_timestamp(seconds, 0).expect("a time")
        })
        .find(|start| {
            let last = *start + Span::minutes(30) - Span::seconds(1);
            start.with_timezone(&New_York).date_naive()
                == last.with_timezone(&New_York).date_naive()
        })
        .expect("one of two starts an hour apart ends on its day")
}

fn reminders(messages: &[Received]) -> Vec<Received> {
    messages
        .iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|subject| subject.starts_with("Reminder:"))
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_reminder_killed_between_its_queueing_and_delivery_is_mailed_once_after_restart() {
    let sink = SmtpSink::start().await;
    // The reminder's SMTP conversation hangs after its message was sent, unanswered:
    // queued, handed to the mail server, not yet accepted. Other mail goes through.
    sink.set_mode(SinkMode::Hold("Reminder:"));
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let config_file = dir.path().join("kairos.yaml");
    std::fs::write(
        &config_file,
        config(&address, &dir.path().join("state"), &sink),
    )
    .expect("written");
    let spawn = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_kairos"))
            .arg("serve")
            .arg("--config")
            .arg(&config_file)
            .env_remove("KAIROS_LISTEN")
            .env_remove("KAIROS_DATA_DIR")
            .env_remove("RUST_LOG")
            .env("KAIROS_ADMIN_PASSWORD", "kill-test")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("kairos starts")
    };
    let ready = || async {
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("kairos did not listen on {address}");
    };
    let mut child = spawn();
    ready().await;

    // Booked now; its reminder comes due `LEAD` later, after the booking.
    let start = start_after(wall_now());
    let start_text = start
        .with_timezone(&New_York)
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let (status, body) = post_raw(
        &address,
        "/api/appointments",
        &booking(&start_text, "ada@example.com"),
    )
    .await;
    assert_eq!(status, 201, "{start_text}: {body}");

    // The reminder was queued (its decision and outbox entry committed together) and
    // its delivery is under way: the sink holds its message, unanswered.
    let mut held = Vec::new();
    for _ in 0..1_200 {
        held = reminders(&sink.held());
        if !held.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        held.len(),
        1,
        "the reminder of {start_text}, due {}s after its booking, was queued and its delivery hangs",
        LEAD.num_seconds()
    );
    assert!(
        reminders(&sink.received()).is_empty(),
        "nothing accepted before the kill"
    );

    // Killed (SIGKILL: nothing flushed or finished) mid-delivery; the mail server comes
    // back to accepting; the same data directory is started again.
    child.kill().await.expect("killed");
    sink.set_mode(SinkMode::Accept);
    let mut child = spawn();
    ready().await;

    let mut sent = Vec::new();
    for _ in 0..1_200 {
        sent = reminders(&sink.received());
        if !sent.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(sent.len(), 1, "the reminder, delivered after the restart");
    // Several more runs of the every-second job: no second reminder.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent = reminders(&sink.received());
    assert_eq!(sent.len(), 1, "exactly one reminder");
    assert_eq!(
        sent[0].header("Message-ID"),
        held[0].header("Message-ID"),
        "the same message sent again"
    );
    assert_eq!(sent[0].to, ["ada@example.com"]);
    assert_eq!(
        reminders(&sink.held()).len(),
        1,
        "held only before the kill"
    );
    child.kill().await.ok();
}
