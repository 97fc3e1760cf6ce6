//! Replies in words to an offer of times. One naming an option books it, with Kairos as
//! organizer; a refusal of all is closed politely; unreadable words are set aside and
//! the client asked again; only the person offered may answer, and the offer is found
//! by thread or by its reply address alone. One naming a time: a stated time is booked
//! when free and answered with new times near it when not ("Tuesday at 10" is taken,
//! "Thursday at 3 works" is not); a stretch ("Thursday afternoon") gets the best free
//! times within it (keeping to the hours named: "any morning next week"), which can
//! be chosen in turn; a day refused ("I cannot do Tuesday") gets times on others.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use kairos::domain::SettableClock;

use crate::invitations::{
    bookings_in_calendar, calendar_of, files, fixture, ingest, outlook_asks_for_a_taken_time,
    plain_reply, settled, text_of, with_subject,
};
use crate::support::smtp_sink::{Received, SmtpSink};
use crate::support::{TestServer, booking, monday_morning};

/// The newest message to `to`, waiting up to 10 s for the `count`th message overall.
async fn newest_to(sink: &SmtpSink, count: usize, to: &str) -> Received {
    let received = sink.wait_for(count, 10).await;
    assert_eq!(received.len(), count, "messages so far");
    received
        .iter()
        .rev()
        .find(|mail| mail.to == [to])
        .cloned()
        .unwrap_or_else(|| panic!("nothing to {to}"))
}

/// The (date, start time) of each numbered time an offer lists ("1. Monday 9 March
/// 2026, 09:00–09:30 EDT (America/New_York)").
fn listed(words: &str) -> Vec<(NaiveDate, NaiveTime)> {
    words
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let (number, rest) = line.split_once(". ")?;
            number.parse::<u32>().ok()?;
            let (date, time) = rest.split_once(", ")?;
            Some((
                NaiveDate::parse_from_str(date, "%A %-d %B %Y").ok()?,
                NaiveTime::parse_from_str(time.get(..5)?, "%H:%M").ok()?,
            ))
        })
        .collect()
}

#[tokio::test]
async fn a_stated_time_is_booked_when_free_and_answered_with_times_near_it_when_not() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, hyper::StatusCode::CREATED);
    ingest(dir.path(), &fixture("outlook-request.eml"));
    let received = sink.wait_for(3, 10).await;
    let offer = with_subject(&received, "Declined: Quarterly review (other times inside)");
    let offer_id = offer.header("Message-ID").expect("an id");

    // Tuesday at 10 is the taken time itself: new times near it, nothing booked.
    ingest(
        dir.path(),
        plain_reply(
            "grace@contoso.example",
            &offer_id,
            "Can we do Tuesday at 10 instead?",
        )
        .as_bytes(),
    );
    let renewed = newest_to(&sink, 4, "grace@contoso.example").await;
    assert_eq!(
        renewed.header("Subject").as_deref(),
        Some("Declined: Quarterly review (other times inside)")
    );
    assert_eq!(listed(&text_of(&renewed)).len(), 3, "{}", text_of(&renewed));
    assert_eq!(bookings_in_calendar(&server).await, 1);

    // "Thursday at 3 works": free, so booked, with Kairos as organizer.
    let renewed_id = renewed.header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply(
            "grace@contoso.example",
            &renewed_id,
            "Thursday at 3 works for me",
        )
        .as_bytes(),
    );
    let invitation = newest_to(&sink, 5, "grace@contoso.example").await;
    let (method, calendar) = calendar_of(&invitation);
    assert_eq!(method.as_deref(), Some("REQUEST"));
    assert!(
        calendar.contains("DTSTART:20260305T200000Z")
            || calendar.contains("DTSTART;TZID=America/New_York:20260305T150000"),
        "Thursday 15:00 in New York:\n{calendar}"
    );
    assert_eq!(bookings_in_calendar(&server).await, 2);
    server.stop().await;
}

#[tokio::test]
async fn a_stretch_gets_the_best_free_times_within_it_and_one_can_be_chosen() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, hyper::StatusCode::CREATED);
    ingest(dir.path(), &fixture("google-request.eml"));
    let offer = newest_to(&sink, 2, "ada@gmail.example").await;
    let offer_id = offer.header("Message-ID").expect("an id");

    ingest(
        dir.path(),
        plain_reply(
            "ada@gmail.example",
            &offer_id,
            "Thursday afternoon would suit me better",
        )
        .as_bytes(),
    );
    let times = newest_to(&sink, 3, "ada@gmail.example").await;
    assert_eq!(
        times.header("Subject").as_deref(),
        Some("Times for: Tax return")
    );
    let words = text_of(&times);
    assert!(
        words.contains("These are the best free times on Thursday 5 March"),
        "{words}"
    );
    let listed = listed(&words);
    assert_eq!(listed.len(), 3, "{words}");
    let thursday = NaiveDate::from_ymd_opt(2026, 3, 5).expect("a date");
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("a time");
    for (date, start) in &listed {
        assert_eq!(*date, thursday);
        assert!(*start >= noon, "{start} is in the afternoon");
    }

    // The first of them, in words.
    let times_id = times.header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply("ada@gmail.example", &times_id, "The first one please").as_bytes(),
    );
    let invitation = newest_to(&sink, 4, "ada@gmail.example").await;
    let (method, _) = calendar_of(&invitation);
    assert_eq!(method.as_deref(), Some("REQUEST"));
    let first = listed[0];
    let words = text_of(&invitation);
    assert!(
        words.contains(&first.0.format("%A %-d %B %Y").to_string())
            && words.contains(&first.1.format("%H:%M").to_string()),
        "{first:?} in\n{words}"
    );
    assert_eq!(bookings_in_calendar(&server).await, 2);
    server.stop().await;
}

#[tokio::test]
async fn a_daily_window_within_a_week_keeps_to_its_hours() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, hyper::StatusCode::CREATED);
    ingest(dir.path(), &fixture("google-request.eml"));
    let offer = newest_to(&sink, 2, "ada@gmail.example").await;
    let offer_id = offer.header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply("ada@gmail.example", &offer_id, "Any morning next week?").as_bytes(),
    );
    let times = newest_to(&sink, 3, "ada@gmail.example").await;
    let words = text_of(&times);
    assert!(
        words.contains("between Monday 9 March and Sunday 15 March, 08:00–12:00"),
        "{words}"
    );
    let next_week = NaiveDate::from_ymd_opt(2026, 3, 9).expect("a date")
        ..NaiveDate::from_ymd_opt(2026, 3, 16).expect("a date");
    let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("a time");
    let listed = listed(&words);
    assert_eq!(listed.len(), 3, "{words}");
    for (date, start) in &listed {
        assert!(next_week.contains(date), "{date} is next week");
        assert!(*start < noon, "{start} is in the morning");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_day_refused_gets_good_times_on_other_days() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, hyper::StatusCode::CREATED);
    ingest(dir.path(), &fixture("google-request.eml"));
    let offer = newest_to(&sink, 2, "ada@gmail.example").await;
    let tuesday = NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
    assert!(
        listed(&text_of(&offer))
            .iter()
            .any(|(date, _)| *date == tuesday),
        "the first offer has Tuesday times: {}",
        text_of(&offer)
    );
    let offer_id = offer.header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply(
            "ada@gmail.example",
            &offer_id,
            "Sorry, I cannot do Tuesday at all.",
        )
        .as_bytes(),
    );
    let times = newest_to(&sink, 3, "ada@gmail.example").await;
    let words = text_of(&times);
    assert!(
        words.contains("These are the best free times other than on Tuesday 3 March"),
        "{words}"
    );
    let listed = listed(&words);
    assert_eq!(listed.len(), 3, "{words}");
    assert!(listed.iter().all(|(date, _)| *date != tuesday), "{words}");
    assert_eq!(bookings_in_calendar(&server).await, 1);
    server.stop().await;
}

#[tokio::test]
async fn a_plain_words_reply_books_the_chosen_alternative_or_closes_politely() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let spool = dir.path().join("mail").join("inbox");
    // Tuesday 10:00 is taken, so Grace's invitation (Outlook) is declined with times.
    let received = outlook_asks_for_a_taken_time(&server, &sink, dir.path()).await;
    let offer = with_subject(&received, "Declined: Quarterly review (other times inside)");
    assert_eq!(offer.to, ["grace@contoso.example"]);
    let offer_id = offer.header("Message-ID").expect("an id");
    let offer_text = text_of(offer);
    let second = offer_text
        .lines()
        .find_map(|line| line.trim().strip_prefix("2. "))
        .expect("a second time")
        .to_string();

    // Someone else answering her offer is not obeyed; words Kairos cannot read are
    // set aside for the host.
    ingest(
        dir.path(),
        plain_reply("mallory@example.net", &offer_id, "2").as_bytes(),
    );
    ingest(
        dir.path(),
        plain_reply(
            "grace@contoso.example",
            &offer_id,
            "Could we talk about the agenda beforehand?",
        )
        .as_bytes(),
    );
    settled(&spool, 3).await;
    assert_eq!(bookings_in_calendar(&server).await, 1);
    let failed = files(&spool.join("failed"));
    assert_eq!(
        failed.len(),
        2,
        "the unreadable reply and its reason: {failed:?}"
    );
    // … and Grace is asked again, with the same times and the offer's address.
    let received = sink.wait_for(4, 10).await;
    let again = with_subject(&received, "Which time did you mean?");
    assert!(text_of(again).contains("I could not tell which time you meant"));
    assert!(
        again
            .header("Reply-To")
            .is_some_and(|to| to.contains("book+offer-")),
        "{:?}",
        again.header("Reply-To")
    );

    // "2 works for me": booked, and Kairos invites her to it.
    ingest(
        dir.path(),
        plain_reply("grace@contoso.example", &offer_id, "2 works for me, thanks").as_bytes(),
    );
    let received = sink.wait_for(5, 10).await;
    assert_eq!(received.len(), 5);
    let invitation = &received[4];
    assert_eq!(invitation.to, ["grace@contoso.example"]);
    let (method, calendar) = calendar_of(invitation);
    assert_eq!(method.as_deref(), Some("REQUEST"));
    assert!(
        calendar.contains("ORGANIZER;CN=Domina:mailto:book@kairos.example"),
        "{calendar}"
    );
    let words = text_of(invitation);
    assert!(
        words.contains("It replaces the invitation you sent"),
        "{words}"
    );
    let when = second.split(" (").next().expect("a time").to_string();
    assert!(
        words.contains(when.split(" EST").next().expect("time")),
        "{second} in\n{words}"
    );
    assert_eq!(bookings_in_calendar(&server).await, 2);
    // The same choice again books nothing more.
    ingest(
        dir.path(),
        plain_reply(
            "grace@contoso.example",
            &offer_id,
            "2 works for me, thanks!",
        )
        .as_bytes(),
    );
    settled(&spool, 5).await;
    assert_eq!(bookings_in_calendar(&server).await, 2);

    // Ada is offered times too, and turns them all down: a polite close.
    ingest(dir.path(), &fixture("google-request.eml"));
    let received = sink.wait_for(6, 10).await;
    let ada_offer = received[5].header("Message-ID").expect("an id");
    ingest(
        dir.path(),
        plain_reply(
            "ada@gmail.example",
            &ada_offer,
            "Sorry, none of these work for me.",
        )
        .as_bytes(),
    );
    let received = sink.wait_for(7, 10).await;
    assert_eq!(received.len(), 7);
    let close = &received[6];
    assert_eq!(close.to, ["ada@gmail.example"]);
    assert!(
        text_of(close).contains("none of those times suit you"),
        "{}",
        text_of(close)
    );
    assert!(text_of(close).contains("booking page"));
    server.stop().await;
}

#[tokio::test]
async fn an_answer_in_words_finds_its_offer_by_address_alone() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let received = outlook_asks_for_a_taken_time(&server, &sink, dir.path()).await;
    let offer = with_subject(&received, "Declined: Quarterly review (other times inside)");
    let reply_to = offer.header("Reply-To").expect("a Reply-To");
    let address = reply_to
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .expect("an address");
    assert!(
        address.starts_with("book+offer-") && address.ends_with("@kairos.example"),
        "{address}"
    );
    // An address with the offer's number but a made-up tag names nothing.
    let (named, domain) = address.rsplit_once('@').expect("an address");
    let (number, _tag) = named.rsplit_once('-').expect("a tag");
    let forged = format!(
        "From: Grace Hopper <grace@contoso.example>\r\nTo: <{number}-0123456789abcdef0123@{domain}>\r\nSubject: times\r\nMessage-ID: <forged@contoso.example>\r\nContent-Type: text/plain\r\n\r\nThe first one.\r\n"
    );
    ingest(dir.path(), forged.as_bytes());
    settled(&dir.path().join("mail").join("inbox"), 2).await;
    assert_eq!(bookings_in_calendar(&server).await, 1, "nothing booked");
    // A mail program that drops In-Reply-To: the address alone names the offer.
    let reply = format!(
        "From: Grace Hopper <grace@contoso.example>\r\nTo: Domina <{address}>\r\nSubject: times\r\nMessage-ID: <no-thread@contoso.example>\r\nContent-Type: text/plain\r\n\r\nThe first one.\r\n"
    );
    ingest(dir.path(), reply.as_bytes());
    let received = sink.wait_for(4, 10).await;
    assert_eq!(received.len(), 4);
    let (method, _) = calendar_of(&received[3]);
    assert_eq!(method.as_deref(), Some("REQUEST"), "booked, and invited");
    assert_eq!(bookings_in_calendar(&server).await, 2);
    server.stop().await;
}
