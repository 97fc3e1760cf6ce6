//! Outgoing mail: every appointment change reaches the client over real SMTP (the
//! `SmtpSink`) or as an `.eml` file, in the iMIP shape, once; passing failures are
//! retried, refusals are not, and nothing is lost across a restart.

use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use kairos::config::Config;
use kairos::domain::SettableClock;
use mail_parser::{MessageParser, MimeHeaders};

use crate::support::smtp_sink::{SinkMode, SmtpSink};
use crate::support::{TestServer, booking, monday_morning};

const SLOT: &str = "2026-03-03T10:00:00-05:00";

fn through(sink: &SmtpSink) -> impl FnOnce(&mut Config) + use<> {
    sink.configure()
}

/// What a received message says: (content type of each part, calendar text).
struct Parsed {
    parts: Vec<String>,
    calendar: String,
    text: String,
    attachment: Option<String>,
}

fn parse(raw: &str) -> Parsed {
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parsable message");
    let mut parsed = Parsed {
        parts: Vec::new(),
        calendar: String::new(),
        text: message.body_text(0).unwrap_or_default().to_string(),
        attachment: None,
    };
    for part in &message.parts {
        let Some(kind) = part.content_type() else {
            continue;
        };
        let name = format!(
            "{}/{}{}",
            kind.ctype(),
            kind.subtype().unwrap_or(""),
            kind.attribute("method")
                .map(|m| format!("; method={m}"))
                .unwrap_or_default()
        );
        if name.starts_with("text/calendar") {
            parsed.calendar = part.text_contents().unwrap_or_default().to_string();
        }
        if let Some(file) = part.attachment_name() {
            parsed.attachment = Some(file.to_string());
        }
        parsed.parts.push(name);
    }
    parsed
}

async fn book(server: &TestServer, email: &str) -> (String, String) {
    let booked = server
        .post("/api/appointments", &booking(SLOT, email))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let appointment = &booked.body["appointment"];
    let id = appointment["id"].as_str().expect("id").to_string();
    let token = appointment["manageUrl"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_string();
    (id, token)
}

fn calendar_line<'a>(message: &'a Parsed, name: &str) -> Option<&'a str> {
    message
        .calendar
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
}

#[tokio::test]
async fn a_booking_and_its_cancellation_reach_the_client_as_imip_mail() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, through(&sink)).await;
    let (id, token) = book(&server, "ada@example.com").await;

    let received = sink.wait_for(1, 10).await;
    assert_eq!(received.len(), 1, "one mail for one booking");
    let mail = &received[0];
    assert_eq!(mail.from, "book@kairos.example");
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Domina <book@kairos.example>")
    );
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Confirmed: Consultation with Test Client")
    );
    let message_id = mail.header("Message-ID").expect("a Message-ID");
    assert!(message_id.starts_with("<outbox-") && message_id.ends_with("@kairos.example>"));
    let parsed = parse(&mail.data);
    assert_eq!(
        parsed.parts,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar; method=REQUEST",
            "application/ics",
        ]
    );
    assert_eq!(parsed.attachment.as_deref(), Some("invite.ics"));
    assert_eq!(calendar_line(&parsed, "METHOD"), Some("REQUEST"));
    assert_eq!(calendar_line(&parsed, "UID"), Some(id.as_str()));
    assert_eq!(calendar_line(&parsed, "DTSTART"), Some("20260303T150000Z"));
    assert!(
        parsed
            .calendar
            .contains("ORGANIZER;CN=Domina:mailto:book@kairos.example"),
        "{}",
        parsed.calendar
    );
    // The time in the client's zone, with the zone named; the manage link.
    assert!(
        parsed
            .text
            .contains("Tuesday 3 March 2026, 10:00–10:30 EST (America/New_York)"),
        "{}",
        parsed.text
    );
    assert!(
        parsed
            .text
            .contains(&format!("{}/manage/{token}", server.base))
    );

    let cancelled = server
        .post(&format!("/api/appointments/{id}/cancel?token={token}"), "")
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2);
    let cancel = parse(&received[1].data);
    assert!(
        cancel
            .parts
            .contains(&"text/calendar; method=CANCEL".to_string())
    );
    assert_eq!(calendar_line(&cancel, "METHOD"), Some("CANCEL"));
    assert_eq!(calendar_line(&cancel, "STATUS"), Some("CANCELLED"));
    assert_eq!(calendar_line(&cancel, "UID"), Some(id.as_str()));
    assert_eq!(cancel.attachment.as_deref(), Some("cancel.ics"));
    assert_ne!(received[1].header("Message-ID"), Some(message_id));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2, "each change is sent once");
}

#[tokio::test]
async fn mail_waits_while_smtp_defers_and_goes_out_once_when_it_accepts() {
    let sink = SmtpSink::start().await;
    sink.set_mode(SinkMode::Defer);
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), through(&sink)).await;
    book(&server, "ada@example.com").await;
    wait_until(|| sink.attempts() >= 1).await;
    // Not due again before its wait (30 s) is over, however often the job looks.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.attempts(), 1, "no retry before the wait is over");
    sink.set_mode(SinkMode::Accept);
    clock.advance(chrono::Duration::seconds(31));
    let received = sink.wait_for(1, 10).await;
    assert_eq!(received.len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    clock.advance(chrono::Duration::hours(2));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1, "delivered once, then settled");
}

#[tokio::test]
async fn a_refused_address_is_given_up_on_not_retried() {
    let sink = SmtpSink::start().await;
    sink.set_mode(SinkMode::Reject);
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), through(&sink)).await;
    book(&server, "nobody@example.com").await;
    wait_until(|| sink.attempts() >= 1).await;
    sink.set_mode(SinkMode::Accept);
    clock.advance(chrono::Duration::hours(3));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(sink.attempts(), 1);
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn mail_queued_while_smtp_is_down_survives_a_restart() {
    let sink = SmtpSink::start().await;
    sink.set_mode(SinkMode::Defer);
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), through(&sink)).await;
    let (id, _) = book(&server, "ada@example.com").await;
    wait_until(|| sink.attempts() >= 1).await;
    server.stop().await;

    sink.set_mode(SinkMode::Accept);
    clock.advance(chrono::Duration::minutes(5));
    let restarted = TestServer::start_with(dir.path(), Arc::clone(&clock), through(&sink)).await;
    let received = sink.wait_for(1, 10).await;
    assert_eq!(received.len(), 1);
    assert_eq!(
        calendar_line(&parse(&received[0].data), "UID"),
        Some(id.as_str())
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 1);
    restarted.stop().await;
}

#[tokio::test]
async fn the_default_transport_writes_each_message_as_an_eml_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let (id, _) = book(&server, "ada@example.com").await;
    let sent = dir.path().join("mail").join("sent");
    let mut files = Vec::new();
    for _ in 0..200 {
        files = std::fs::read_dir(&sent)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read_to_string(&files[0]).expect("readable");
    let parsed = parse(&raw);
    assert_eq!(calendar_line(&parsed, "UID"), Some(id.as_str()));
    assert_eq!(calendar_line(&parsed, "METHOD"), Some("REQUEST"));
    server.stop().await;
}

async fn wait_until(done: impl Fn() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("condition not reached in 10 s");
}
