//! `/metrics` in the Prometheus text format: requests by route and status with their
//! latency, job rounds, the outbox's depth and age, Google's sync lag, the spool's
//! depth — behind the admin credentials, with no token in a label.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use hyper::StatusCode;
use kairos::config::Config;
use kairos::domain::SettableClock;

use crate::google::mirror_of;
use crate::support::fake_google::FakeGoogle;
use crate::support::smtp_sink::{SinkMode, SmtpSink};
use crate::support::{TestServer, booking, monday_morning};

/// The value of the sample written exactly as `series` (name and labels).
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics(server: &TestServer) -> String {
    let reply = server.dav("GET", "/metrics", None, &[], true).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    reply.text
}

/// Polls `/metrics` until `check` holds (up to 10 s).
async fn until(server: &TestServer, check: impl Fn(&str) -> bool) -> String {
    let mut page = String::new();
    for _ in 0..400 {
        page = metrics(server).await;
        if check(&page) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("metrics never got there:\n{page}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_outbox_waiting_and_its_age() {
    let sink = SmtpSink::start().await;
    sink.set_mode(SinkMode::Defer);
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), sink.configure()).await;

    let refused = server.dav("GET", "/metrics", None, &[], false).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let manage = booked.body["appointment"]["manageUrl"]
        .as_str()
        .expect("a manage link")
        .trim_start_matches(&server.base)
        .to_string();
    let token = manage.rsplit('/').next().expect("a token").to_string();
    assert_eq!(server.get(&manage).await.status, StatusCode::OK);
    assert_eq!(
        server.get("/no/such/page").await.status,
        StatusCode::NOT_FOUND
    );
    let listing = server
        .dav(
            "PROPFIND",
            "/dav/calendars/domina/",
            None,
            &[("depth", "1")],
            true,
        )
        .await;
    assert_eq!(listing.status.as_u16(), 207);

    // The confirmation is deferred by the mail server: it waits, and ages with the clock.
    let page = until(&server, |page| {
        sample(page, r#"kairos_outbox_waiting{kind="mail"}"#).is_some_and(|n| n >= 1.0)
            && sample(page, r#"kairos_job_runs_total{job="outbox"}"#).is_some_and(|n| n >= 1.0)
    })
    .await;
    clock.advance(Span::seconds(90));
    let aged = metrics(&server).await;
    let age = sample(&aged, "kairos_outbox_oldest_age_seconds").expect("the age");
    assert!(age >= 90.0, "{age}");

    for series in [
        r#"kairos_http_requests_total{route="/api/appointments",method="POST",status="201"}"#,
        r#"kairos_http_requests_total{route="/manage/{token}",method="GET",status="200"}"#,
        r#"kairos_http_requests_total{route="unmatched",method="GET",status="404"}"#,
        r#"kairos_http_requests_total{route="/dav",method="PROPFIND",status="207"}"#,
        r#"kairos_http_requests_total{route="/metrics",method="GET",status="401"}"#,
    ] {
        assert_eq!(sample(&page, series), Some(1.0), "{series}\n{page}");
    }
    let healthz = r#"kairos_http_request_duration_seconds_count{route="/healthz",method="GET"}"#;
    assert!(sample(&page, healthz).is_some_and(|n| n >= 1.0), "{page}");
    let inf = r#"kairos_http_request_duration_seconds_bucket{route="/api/appointments",method="POST",le="+Inf"}"#;
    assert_eq!(sample(&page, inf), Some(1.0), "{page}");
    assert!(sample(&page, r#"kairos_job_runs_total{job="inbound"}"#).is_some_and(|n| n >= 1.0));
    assert_eq!(
        sample(&page, r#"kairos_job_failures_total{job="outbox"}"#),
        Some(0.0)
    );
    assert_eq!(sample(&page, "kairos_spool_waiting"), Some(0.0));
    assert_eq!(sample(&page, "kairos_outbox_failed"), Some(0.0));
    assert!(sample(&page, "process_resident_memory_bytes").is_some_and(|n| n > 1e6));
    assert!(!page.contains(&token), "no token in a label");
    assert!(
        !page.contains("kairos_google_sync_lag_seconds"),
        "Google is off"
    );
}

#[tokio::test]
async fn metrics_show_how_long_ago_google_was_pulled() {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let mirror = mirror_of(&fake);
    let server = TestServer::start_with(
        dir.path(),
        Arc::clone(&clock),
        move |config: &mut Config| {
            config.google = Some(mirror);
        },
    )
    .await;
    let lag = "kairos_google_sync_lag_seconds";
    until(&server, |page| sample(page, lag).is_some()).await;
    // Google stops answering; the pulls fail and the mirror falls behind.
    fake.fail_next(&[crate::support::fake_google::Fault::Status(503); 50]);
    let page = until(&server, |page| {
        sample(page, r#"kairos_job_failures_total{job="google-pull"}"#).is_some_and(|n| n >= 1.0)
    })
    .await;
    assert!(sample(&page, r#"kairos_job_runs_total{job="google-pull"}"#).is_some_and(|n| n >= 2.0));
    clock.advance(Span::seconds(600));
    let behind = sample(&metrics(&server).await, lag).expect("the lag");
    assert!(behind >= 600.0, "{behind}");
}
