//! Booking by invitation: a message piped through `kairos ingest-mail` lands in the
//! spool, the server answers it — REPLY ACCEPTED and an appointment when the time is
//! free, REPLY DECLINED with alternatives when it is not — each invitation once, and
//! messages it cannot use are set aside with the reason.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use kairos::config::Config;
use kairos::domain::SettableClock;
use mail_parser::{MessageParser, MimeHeaders};

use crate::support::smtp_sink::{Received, SmtpSink};
use crate::support::{TestServer, monday_morning};

pub(crate) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mail")
            .join(name),
    )
    .expect("fixture")
}

/// Runs `kairos ingest-mail` with `message` on standard input, as an MTA pipe would.
pub(crate) fn ingest(data_dir: &Path, message: &[u8]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kairos"))
        .arg("ingest-mail")
        .env("KAIROS_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kairos runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message)
        .expect("message written");
    let output = child.wait_with_output().expect("kairos ends");
    assert!(
        output.status.success(),
        "ingest-mail failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(crate) fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub(crate) async fn settled(spool: &Path, count: usize) {
    for _ in 0..400 {
        let done = files(&spool.join("cur")).len()
            + files(&spool.join("failed"))
                .iter()
                .filter(|name| !name.ends_with(".reason"))
                .count();
        if done >= count && files(&spool.join("new")).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the spool did not settle: {:?}", files(&spool.join("new")));
}

/// The calendar part of a received message, unfolded.
pub(crate) fn calendar_of(mail: &Received) -> (Option<String>, String) {
    let message = MessageParser::default()
        .parse(mail.data.as_bytes())
        .expect("parses");
    let part = message
        .parts
        .iter()
        .find(|part| {
            part.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    let method = part
        .content_type()
        .and_then(|c| c.attribute("method"))
        .map(str::to_string);
    let text = part
        .text_contents()
        .unwrap_or_default()
        .replace("\r\n ", "");
    (method, text)
}

/// Books Tuesday 10:00 for someone else, then spools Grace's Outlook invitation for
/// that time; returns the three messages sent: the booking's, the REPLY DECLINED
/// with alternatives and the COUNTER.
pub(crate) async fn outlook_asks_for_a_taken_time(
    server: &TestServer,
    sink: &SmtpSink,
    data_dir: &Path,
) -> Vec<Received> {
    let taken = server
        .post(
            "/api/appointments",
            &crate::support::booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, hyper::StatusCode::CREATED);
    ingest(data_dir, &fixture("outlook-request.eml"));
    sink.wait_for(3, 10).await
}

/// A reply in plain words to message `answered` (a Message-ID), from `from`.
pub(crate) fn plain_reply(from: &str, answered: &str, words: &str) -> String {
    format!(
        "From: {from}\r\nTo: book@kairos.example\r\nSubject: Re: your invitation\r\nMessage-ID: <reply-{}@example.org>\r\nIn-Reply-To: {answered}\r\nReferences: {answered}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{words}\r\n\r\nOn Mon, 2 Mar 2026, Domina <book@kairos.example> wrote:\r\n> These times are free:\r\n>   1. Tuesday\r\n",
        words.len()
    )
}

/// The message among `received` whose Subject is `subject`.
pub(crate) fn with_subject<'a>(received: &'a [Received], subject: &str) -> &'a Received {
    received
        .iter()
        .find(|mail| mail.header("Subject").as_deref() == Some(subject))
        .unwrap_or_else(|| panic!("no {subject:?} among {} messages", received.len()))
}

pub(crate) fn text_of(mail: &Received) -> String {
    MessageParser::default()
        .parse(mail.data.as_bytes())
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default()
}

#[tokio::test]
async fn invitations_are_accepted_when_free_declined_with_alternatives_when_not_and_answered_once()
{
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let spool = dir.path().join("mail").join("inbox");

    // Google: Tuesday 10:00 New York is free.
    ingest(dir.path(), &fixture("google-request.eml"));
    let received = sink.wait_for(1, 10).await;
    assert_eq!(received.len(), 1);
    let accepted = &received[0];
    assert_eq!(accepted.to, ["ada@gmail.example"]);
    assert_eq!(
        accepted.header("In-Reply-To").as_deref(),
        Some("<calendar-2b9c1d3e-5a77-4e0e-9a43-0c6c1fa1b001@google.example>")
    );
    assert_eq!(
        accepted.header("Subject").as_deref(),
        Some("Accepted: Tax return")
    );
    let (method, calendar) = calendar_of(accepted);
    assert_eq!(method.as_deref(), Some("REPLY"));
    for line in [
        "METHOD:REPLY",
        "UID:7kukuqrfedlm2f9t0vr42q6ngg@google.com",
        "DTSTART;TZID=America/New_York:20260303T100000",
        "ORGANIZER;CN=Ada Lovelace:mailto:ada@gmail.example",
        "ATTENDEE;CN=Domina;PARTSTAT=ACCEPTED:mailto:book@kairos.example",
    ] {
        assert!(
            calendar.contains(&format!("{line}\r\n")),
            "{line} in\n{calendar}"
        );
    }
    assert!(text_of(accepted).contains("/manage/"), "the manage link");
    // The appointment is in the host's bookings calendar.
    let listing = server
        .dav(
            "PROPFIND",
            "/dav/calendars/domina/bookings/",
            None,
            &[("Depth", "1")],
            true,
        )
        .await;
    assert_eq!(
        listing.text.matches("<D:response>").count(),
        2,
        "{}",
        listing.text
    );

    // Outlook asks for the same time (16:00 in Berlin): declined, with alternatives,
    // and (Outlook understands one) a COUNTER proposing the best of them.
    ingest(dir.path(), &fixture("outlook-request.eml"));
    let received = sink.wait_for(3, 10).await;
    assert_eq!(received.len(), 3);
    let declined = with_subject(&received, "Declined: Quarterly review (other times inside)");
    let counter = with_subject(&received, "New time proposed: Quarterly review");
    let (method, proposal) = calendar_of(counter);
    assert_eq!(method.as_deref(), Some("COUNTER"));
    assert!(proposal.contains("METHOD:COUNTER\r\n"), "{proposal}");
    assert!(
        text_of(counter).contains("held for you until"),
        "{}",
        text_of(counter)
    );
    assert_eq!(declined.to, ["grace@contoso.example"]);
    let (method, calendar) = calendar_of(declined);
    assert_eq!(method.as_deref(), Some("REPLY"));
    assert!(
        calendar.contains("ATTENDEE;CN=Domina;PARTSTAT=DECLINED:mailto:book@kairos.example\r\n"),
        "{calendar}"
    );
    assert!(
        calendar.contains("TZID:W. Europe Standard Time"),
        "the VTIMEZONE is copied"
    );
    let words = text_of(declined);
    assert!(
        words.contains("cannot make Tuesday 3 March 2026, 10:00–10:30 EST"),
        "{words}"
    );
    for choice in ["  1. ", "  2. ", "  3. "] {
        assert!(words.contains(choice), "three alternatives in\n{words}");
    }
    assert!(words.contains("Book it: http://"), "{words}");
    assert!(
        words.contains("Reply 1, 2 or 3, or tell me another time."),
        "{words}"
    );

    // The same Google invitation again (a client resending): answered once only.
    ingest(dir.path(), &fixture("google-request.eml"));
    // Something that is not an invitation at all: set aside with the reason.
    ingest(
        dir.path(),
        b"From: someone@example.com\r\nTo: book@kairos.example\r\nSubject: hello\r\n\r\nAre you free next week?\r\n",
    );
    settled(&spool, 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.received().len(),
        3,
        "no second answer to the same invitation"
    );
    assert_eq!(files(&spool.join("cur")).len(), 3);
    let failed = files(&spool.join("failed"));
    assert_eq!(failed.len(), 2, "{failed:?}");
    let reason_file = failed
        .iter()
        .find(|f| f.ends_with(".reason"))
        .expect("a reason");
    let reason = std::fs::read_to_string(spool.join("failed").join(reason_file)).expect("reason");
    assert_eq!(
        reason,
        "the message carries no calendar object and answers no offer Kairos made\n"
    );
    assert!(
        files(&spool.join("cur"))
            .iter()
            .all(|name| name.ends_with(":2,S"))
    );
    server.stop().await;
}

#[tokio::test]
async fn messages_spooled_while_the_server_is_down_are_answered_when_it_starts() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    ingest(dir.path(), &fixture("google-attachment-only.eml"));
    let spool = dir.path().join("mail").join("inbox");
    assert_eq!(files(&spool.join("new")).len(), 1, "waiting in new/");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let received = sink.wait_for(1, 10).await;
    assert_eq!(received.len(), 1);
    let (_, calendar) = calendar_of(&received[0]);
    assert!(calendar.contains("PARTSTAT=ACCEPTED"), "{calendar}");
    settled(&spool, 1).await;
    server.stop().await;
}

/// A plain iMIP message from client `number`: `method` for event `uid` at its
/// `sequence`, from `start` to `end` (UTC, `YYYYMMDDTHHMMSSZ`).
fn itip_message(
    number: usize,
    uid: &str,
    method: &str,
    sequence: u32,
    start: &str,
    end: &str,
) -> String {
    let organizer = format!("client{number}@example.org");
    let calendar = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Load//EN\r\nMETHOD:{method}\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260302T120000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Meeting {number}\r\nORGANIZER;CN=Client {number}:mailto:{organizer}\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:book@kairos.example\r\nSEQUENCE:{sequence}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    format!(
        "From: Client {number} <{organizer}>\r\nTo: book@kairos.example\r\nSubject: Meeting {number}\r\nMessage-ID: <{method}-{sequence}-{uid}>\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8; method={method}\r\n\r\n{calendar}"
    )
}

/// An invitation from client `number` for `start`–`end`.
fn invitation(number: usize, start: &str, end: &str) -> String {
    itip_message(
        number,
        &format!("load-{number}@example.org"),
        "REQUEST",
        0,
        start,
        end,
    )
}

/// The ids of the appointments in the host's bookings calendar.
async fn booked_ids(server: &TestServer) -> Vec<String> {
    let listing = server
        .dav(
            "PROPFIND",
            "/dav/calendars/domina/bookings/",
            None,
            &[("Depth", "1")],
            true,
        )
        .await;
    listing
        .text
        .split("<D:href>/dav/calendars/domina/bookings/")
        .skip(1)
        .filter_map(|rest| rest.split(".ics</D:href>").next())
        .filter(|id| !id.contains('<'))
        .map(str::to_string)
        .collect()
}

pub(crate) async fn bookings_in_calendar(server: &TestServer) -> usize {
    booked_ids(server).await.len()
}

#[tokio::test]
async fn an_update_moves_the_appointment_a_repeat_is_ignored_and_a_cancel_frees_the_time() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let spool = dir.path().join("mail").join("inbox");
    let uid = "update-1@example.org";
    let tuesday = ("20260303T150000Z", "20260303T153000Z");
    let wednesday = ("20260304T160000Z", "20260304T163000Z");

    ingest(
        dir.path(),
        itip_message(7, uid, "REQUEST", 0, tuesday.0, tuesday.1).as_bytes(),
    );
    assert_eq!(sink.wait_for(1, 10).await.len(), 1);
    assert_eq!(bookings_in_calendar(&server).await, 1);

    // The organizer moves it to Wednesday: accepted again, the appointment moves.
    ingest(
        dir.path(),
        itip_message(7, uid, "REQUEST", 1, wednesday.0, wednesday.1).as_bytes(),
    );
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2);
    let (_, calendar) = calendar_of(&received[1]);
    assert!(calendar.contains("PARTSTAT=ACCEPTED"), "{calendar}");
    assert!(
        calendar.contains("SEQUENCE:1\r\n") && calendar.contains("DTSTART:20260304T160000Z"),
        "{calendar}"
    );
    let resource = server
        .dav("REPORT", "/dav/calendars/domina/bookings/", Some(r#"<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>"#), &[("Depth", "1")], true)
        .await;
    assert!(
        resource.text.contains("DTSTART:20260304T160000Z"),
        "{}",
        resource.text
    );

    // Made an hour long (as calendar users stretch an event): moved as well.
    ingest(
        dir.path(),
        itip_message(7, uid, "REQUEST", 2, wednesday.0, "20260304T170000Z").as_bytes(),
    );
    let received = sink.wait_for(3, 10).await;
    assert_eq!(received.len(), 3);
    let (_, calendar) = calendar_of(&received[2]);
    assert!(
        calendar.contains("PARTSTAT=ACCEPTED") && calendar.contains("DTEND:20260304T170000Z"),
        "{calendar}"
    );
    assert_eq!(bookings_in_calendar(&server).await, 1);

    // The same update again, and the original: nothing new to say.
    ingest(
        dir.path(),
        itip_message(7, uid, "REQUEST", 1, wednesday.0, wednesday.1).as_bytes(),
    );
    ingest(
        dir.path(),
        itip_message(7, uid, "REQUEST", 0, tuesday.0, tuesday.1).as_bytes(),
    );
    // The organizer calls it off: the time is free again, and nobody is mailed.
    ingest(
        dir.path(),
        itip_message(7, uid, "CANCEL", 3, wednesday.0, wednesday.1).as_bytes(),
    );
    settled(&spool, 6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 3);
    assert_eq!(bookings_in_calendar(&server).await, 0);
    // A cancellation from someone else is not obeyed.
    ingest(
        dir.path(),
        itip_message(8, "other@example.org", "REQUEST", 0, tuesday.0, tuesday.1).as_bytes(),
    );
    assert_eq!(sink.wait_for(4, 10).await.len(), 4);
    let forged = itip_message(8, "other@example.org", "CANCEL", 1, tuesday.0, tuesday.1).replace(
        "From: Client 8 <client8@example.org>",
        "From: Mallory <mallory@example.net>",
    );
    ingest(dir.path(), forged.as_bytes());
    settled(&spool, 8).await;
    assert_eq!(
        bookings_in_calendar(&server).await,
        1,
        "a forged cancel changes nothing"
    );
    server.stop().await;
}

/// From spooling to the answer accepted by SMTP, for 100 invitations spooled at once
/// (half of them asking for times already taken). Prints p50/p95; run with
/// `cargo test --release --test it invitation_latency -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement, not a test: run it by name"]
async fn invitation_latency() {
    use kairos::mail::inbound::Spool;
    const COUNT: usize = 100;
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), sink.configure()).await;
    let spool = Spool::open(dir.path()).expect("spool");
    // 50 distinct half hours on weekdays from Tuesday (10:00–16:00 New York, in UTC),
    // each asked for twice: one invitation gets it, the other is declined.
    let mut slots = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).expect("date");
    while slots.len() < COUNT / 2 {
        if !matches!(
            chrono::Datelike::weekday(&day),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        ) {
            for hour in [15, 16, 18, 19, 20] {
                let start = day.and_hms_opt(hour, 0, 0).expect("time");
                slots.push((start, start + chrono::Duration::minutes(30)));
            }
        }
        day += chrono::Duration::days(1);
    }
    let format = |t: chrono::NaiveDateTime| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut spooled = std::collections::HashMap::new();
    let started = std::time::Instant::now();
    for number in 0..COUNT {
        let (start, end) = slots[number % slots.len()];
        let message = invitation(number, &format(start), &format(end));
        spool
            .deliver(message.as_bytes(), kairos::domain::Clock::now(&*clock))
            .expect("spooled");
        spooled.insert(
            format!("<REQUEST-0-load-{number}@example.org>"),
            std::time::Instant::now(),
        );
    }
    let received = sink.wait_for(COUNT, 120).await;
    let total = started.elapsed();
    assert_eq!(received.len(), COUNT, "every invitation answered");
    let mut latencies: Vec<f64> = received
        .iter()
        .map(|mail| {
            let original = mail.header("In-Reply-To").expect("In-Reply-To");
            let at = spooled[&original];
            (mail.at - at).as_secs_f64() * 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let accepted = received
        .iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.starts_with("Accepted"))
        })
        .count();
    println!(
        "{COUNT} invitations spooled at once: {accepted} accepted, {} declined; all answered in {:.0} ms; spool → SMTP p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        COUNT - accepted,
        total.as_secs_f64() * 1000.0,
        latencies[COUNT / 2],
        latencies[COUNT * 95 / 100],
        latencies[COUNT - 1]
    );
    server.stop().await;
}

#[tokio::test]
async fn unauthenticated_looping_and_excess_mail_is_not_acted_on() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let configure = sink.configure();
    let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
        configure(config);
        config.mail.sender_limit_per_hour = 2;
    })
    .await;
    let spool = dir.path().join("mail").join("inbox");
    let mut forged = b"Authentication-Results: mx.kairos.example; spf=fail smtp.mailfrom=gmail.example; dkim=none; dmarc=fail (p=REJECT) header.from=gmail.example\r\n".to_vec();
    forged.extend(fixture("google-request.eml"));
    ingest(dir.path(), &forged);
    let looped = itip_message(
        9,
        "loop@example.org",
        "REQUEST",
        0,
        "20260303T150000Z",
        "20260303T153000Z",
    )
    .replace(
        "Message-ID: <REQUEST-0-loop@example.org>",
        "Message-ID: <outbox-12.domina@kairos.example>",
    );
    ingest(dir.path(), looped.as_bytes());
    settled(&spool, 2).await;
    assert_eq!(
        bookings_in_calendar(&server).await,
        0,
        "neither was acted on"
    );
    // Three invitations from one sender within the hour: the third is not answered.
    for (n, day) in ["20260303", "20260304", "20260305"].iter().enumerate() {
        let message = itip_message(
            5,
            &format!("burst-{n}@example.org"),
            "REQUEST",
            0,
            &format!("{day}T160000Z"),
            &format!("{day}T163000Z"),
        );
        ingest(dir.path(), message.as_bytes());
    }
    settled(&spool, 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2, "two answers, then the limit");
    assert_eq!(bookings_in_calendar(&server).await, 2);
    server.stop().await;
}

#[tokio::test]
async fn the_hosts_changes_to_an_accepted_invitation_are_said_on_the_clients_event() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    ingest(dir.path(), &fixture("google-request.eml"));
    assert_eq!(sink.wait_for(1, 10).await.len(), 1, "accepted");
    let id = booked_ids(&server)
        .await
        .pop()
        .expect("the appointment's resource");
    let admin = crate::support::admin_header();
    let headers = [
        ("Authorization", admin.as_str()),
        ("Content-Type", "application/json"),
    ];

    // The host moves it: Ada gets a COUNTER for her own event, not a second event.
    let moved = server
        .send(
            hyper::Method::POST,
            &format!("/api/appointments/{id}/reschedule"),
            Some(r#"{"startTime": "2026-03-04T11:00:00-05:00"}"#),
            &headers,
        )
        .await;
    assert_eq!(moved.status, hyper::StatusCode::OK, "{}", moved.body);
    let received = sink.wait_for(2, 10).await;
    assert_eq!(received.len(), 2);
    let (method, calendar) = calendar_of(&received[1]);
    assert_eq!(method.as_deref(), Some("COUNTER"));
    assert!(
        calendar.contains("UID:7kukuqrfedlm2f9t0vr42q6ngg@google.com\r\n"),
        "{calendar}"
    );
    assert!(
        calendar.contains("DTSTART:20260304T160000Z\r\n"),
        "{calendar}"
    );
    assert!(text_of(&received[1]).contains("accept the attached proposal"));

    // The host cancels it: a REPLY DECLINED on Ada's event.
    let cancelled = server
        .send(
            hyper::Method::POST,
            &format!("/api/appointments/{id}/cancel"),
            None,
            &headers,
        )
        .await;
    assert_eq!(
        cancelled.status,
        hyper::StatusCode::OK,
        "{}",
        cancelled.body
    );
    let received = sink.wait_for(3, 10).await;
    assert_eq!(received.len(), 3);
    let (method, calendar) = calendar_of(&received[2]);
    assert_eq!(method.as_deref(), Some("REPLY"));
    assert!(
        calendar.contains("UID:7kukuqrfedlm2f9t0vr42q6ngg@google.com\r\n"),
        "{calendar}"
    );
    assert!(calendar.contains("PARTSTAT=DECLINED"), "{calendar}");
    assert!(text_of(&received[2]).contains("Domina had to cancel"));
    server.stop().await;
}

#[tokio::test]
async fn a_time_proposed_by_counter_is_held_for_the_organizer_who_can_take_it() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), sink.configure()).await;
    let received = outlook_asks_for_a_taken_time(&server, &sink, dir.path()).await;
    let counter = with_subject(&received, "New time proposed: Quarterly review");
    let (_, proposal) = calendar_of(counter);
    let start = proposal
        .lines()
        .find_map(|line| line.strip_prefix("DTSTART:"))
        .expect("a proposed start")
        .to_string();
    let end = proposal
        .lines()
        .find_map(|line| line.strip_prefix("DTEND:"))
        .expect("a proposed end")
        .to_string();
    let rfc3339 = chrono::NaiveDateTime::parse_from_str(&start, "%Y%m%dT%H%M%SZ")
        .expect("a UTC time")
        .and_utc()
        .to_rfc3339();

    // Held: nobody else gets it.
    let other = server
        .post(
            "/api/appointments",
            &crate::support::booking(&rfc3339, "other@example.com"),
        )
        .await;
    assert_eq!(other.status, hyper::StatusCode::CONFLICT, "{}", other.body);

    // Grace accepts the proposal: Outlook sends the event again at the new time.
    let uid = "040000008200E00074C5B7101A82E00800000000C0A1F3D2A4AADC010000000000000000100000009D8F0E1B2C3D4E5F60718293A4B5C6D7";
    let update = itip_message(0, uid, "REQUEST", 1, &start, &end)
        .replace("client0@example.org", "grace@contoso.example");
    ingest(dir.path(), update.as_bytes());
    let received = sink.wait_for(4, 10).await;
    assert_eq!(received.len(), 4);
    let accepted = &received[3];
    assert_eq!(
        accepted.header("Subject").as_deref(),
        Some("Accepted: Meeting 0")
    );
    assert_eq!(bookings_in_calendar(&server).await, 2);

    server.stop().await;
}
