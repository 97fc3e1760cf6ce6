//! The one-click links in an offer of other times: each opens the offer's page (an
//! unguessable address), which books nothing until the visitor confirms with a POST;
//! one offer books once; a time taken meanwhile is said so, with the others left.

use std::sync::Arc;

use hyper::StatusCode;
use kairos::domain::SettableClock;

use crate::invitations::{bookings_in_calendar, calendar_of, text_of, with_subject};
use crate::support::smtp_sink::SmtpSink;
use crate::support::{RawReply, TestServer, booking, monday_morning};

/// The path of each "Book it:" link in an offer's words, in order.
pub(crate) fn links(words: &str, base: &str) -> Vec<String> {
    words
        .lines()
        .filter_map(|line| line.trim().strip_prefix("Book it: "))
        .map(|link| link.trim().trim_start_matches(base).to_string())
        .collect()
}

/// Requests `path`; a POST goes as the offer's page would send it, with the page's
/// secret (read from the page first).
pub(crate) async fn page(server: &TestServer, method: &str, path: &str) -> RawReply {
    if method != "POST" {
        return server.dav(method, path, None, &[], false).await;
    }
    let offer = path.rsplit_once('/').map_or(path, |(offer, _)| offer);
    let shown = server.dav("GET", offer, None, &[], false).await;
    let secret = shown
        .text
        .split("name=\"form\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .to_string();
    server
        .dav(
            "POST",
            path,
            Some(&format!("form={secret}")),
            &[("content-type", "application/x-www-form-urlencoded")],
            false,
        )
        .await
}

#[tokio::test]
async fn an_offer_link_shows_the_times_and_books_one_only_when_confirmed() {
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
    assert_eq!(taken.status, StatusCode::CREATED);
    crate::invitations::ingest(
        dir.path(),
        &crate::invitations::fixture("outlook-request.eml"),
    );
    let received = sink.wait_for(3, 10).await;
    let offer = with_subject(&received, "Declined: Quarterly review (other times inside)");
    let links = links(&text_of(offer), &server.base);
    assert_eq!(links.len(), 3, "{}", text_of(offer));
    let (first, second) = (&links[0], &links[1]);
    assert!(
        second.starts_with("/offers/") && second.ends_with("/2"),
        "{second}"
    );

    // Opening a link (as a mail scanner would) books nothing.
    let shown = page(&server, "GET", second).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(shown.header("referrer-policy"), Some("no-referrer"));
    assert!(shown.text.contains("Quarterly review"), "{}", shown.text);
    assert_eq!(shown.text.matches("method=\"post\"").count(), 3);
    assert_eq!(bookings_in_calendar(&server).await, 1);

    // A forged or altered address finds nothing.
    let offer_path = second.trim_end_matches("/2");
    let forged = format!("{}x", offer_path);
    assert_eq!(
        page(&server, "GET", &forged).await.status,
        StatusCode::NOT_FOUND
    );
    let counted = offer_path.replacen(|c: char| c.is_ascii_digit(), "9", 1);
    assert_eq!(
        page(&server, "GET", &counted).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        page(&server, "POST", &format!("{offer_path}/7"))
            .await
            .status,
        StatusCode::CONFLICT,
        "no seventh time"
    );

    // A post without the page's secret (from another site) books nothing.
    let forged_post = server.dav("POST", second, None, &[], false).await;
    assert_eq!(forged_post.status, StatusCode::FORBIDDEN);
    assert_eq!(bookings_in_calendar(&server).await, 1);

    // Confirming books it, and the page then says so.
    let booked = page(&server, "POST", second).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER);
    assert_eq!(booked.header("location"), Some(offer_path));
    let after = page(&server, "GET", offer_path).await;
    assert!(after.text.contains("Booked for"), "{}", after.text);
    assert_eq!(bookings_in_calendar(&server).await, 2);
    let received = sink.wait_for(4, 10).await;
    let invitation = received.last().expect("the invitation to Grace");
    assert_eq!(invitation.to, ["grace@contoso.example"]);
    let (method, _) = calendar_of(invitation);
    assert_eq!(method.as_deref(), Some("REQUEST"));

    // Another click on the same offer (from a tab still open) books nothing more.
    let secret = shown
        .text
        .split("name=\"form\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page's secret")
        .to_string();
    let again = server
        .dav(
            "POST",
            first,
            Some(&format!("form={secret}")),
            &[("content-type", "application/x-www-form-urlencoded")],
            false,
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(bookings_in_calendar(&server).await, 2);
    server.stop().await;
}

#[tokio::test]
async fn a_time_taken_meanwhile_is_said_so_with_the_others_left_to_choose() {
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
    assert_eq!(taken.status, StatusCode::CREATED);
    crate::invitations::ingest(
        dir.path(),
        &crate::invitations::fixture("google-request.eml"),
    );
    let received = sink.wait_for(2, 10).await;
    let offer = received.last().expect("the offer");
    let words = text_of(offer);
    let links = links(&words, &server.base);
    assert_eq!(links.len(), 3, "{words}");
    // Someone takes the first time on the booking API before Ada clicks.
    let first_start = offer_start(&words);
    let grabbed = server
        .post(
            "/api/appointments",
            &booking(&first_start, "eve@example.com"),
        )
        .await;
    assert_eq!(grabbed.status, StatusCode::CREATED, "{:?}", grabbed.body);
    let refused = page(&server, "POST", &links[0]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.text.contains("can no longer be booked"),
        "{}",
        refused.text
    );
    let booked = page(&server, "POST", &links[1]).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.text);
    server.stop().await;
}

/// The first offered time's start (RFC 3339), read from the offer's words, which list
/// it as "1. Tuesday 3 March 2026, 10:30–11:00 EST (America/New_York)".
fn offer_start(words: &str) -> String {
    let line = words
        .lines()
        .find_map(|line| line.trim().strip_prefix("1. "))
        .expect("a first time");
    let (date, rest) = line.split_once(", ").expect("date, time");
    let time = &rest[..5];
    let date = chrono::NaiveDate::parse_from_str(date, "%A %-d %B %Y").expect("a date");
    let local = date.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").expect("time"));
    let zoned = chrono::TimeZone::from_local_datetime(&chrono_tz::America::New_York, &local)
        .single()
        .expect("unambiguous");
    zoned.to_rfc3339()
}
