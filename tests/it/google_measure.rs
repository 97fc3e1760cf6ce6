//! Measurements of the Google mirror, not tests: run them by name, in release,
//!
//!     cargo test --release --test it google_mirror_measure -- --ignored --nocapture
//!
//! How long a change in Google takes to reach `/api/availability` (pull every second,
//! and on a change notification), and how many appointments per second the outbox
//! writes to FakeGoogle with 8 calls in flight (on loopback, and with 50 ms added to
//! every answer as a network to Google would).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use kairos::config::{Config, GoogleConfig, GoogleCredentials, Secret};
use kairos::domain::SettableClock;
use serde_json::json;

use crate::support::fake_google::FakeGoogle;
use crate::support::{TestServer, booking, monday_morning};

fn mirror_of(fake: &FakeGoogle, poll: Duration) -> GoogleConfig {
    GoogleConfig {
        credentials: GoogleCredentials::AuthorizedUser {
            client_id: "kairos-test.apps.example".into(),
            client_secret: Secret::new("client-secret"),
            refresh_token: Secret::new("refresh-token"),
        },
        calendars: vec!["primary".into()],
        push_calendar: "primary".into(),
        poll_interval: poll,
        all_day_busy: true,
        base_url: fake.base_url(),
        token_url: fake.token_url(),
        watch_url: None,
    }
}

fn percentile(sorted: &[u128], p: f64) -> u128 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Milliseconds from each of `rounds` changes in Google (an hour made busy on a
/// weekday at 10:00) to `/api/availability` no longer offering 10:00 that day;
/// `notify` tells Kairos of each change as Google's channel would.
async fn change_latency(
    server: &TestServer,
    fake: &FakeGoogle,
    rounds: usize,
    notify: Option<&str>,
) -> Vec<u128> {
    let mut taken = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
    for round in 0..rounds {
        while chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            day += Span::days(1);
        }
        let date = day.format("%Y-%m-%d").to_string();
        let path = format!("/api/availability?date={date}&timezone=America/New_York");
        let ten = format!("{date}T10:00:00-0");
        let offered = |body: &serde_json::Value| {
            body["allSlots"].as_array().is_some_and(|slots| {
                slots
                    .iter()
                    .any(|s| s["start"].as_str().is_some_and(|t| t.starts_with(&ten)))
            })
        };
        assert!(
            offered(&server.get(&path).await.body),
            "10:00 free on {date}"
        );
        let at = |hour: u32| {
            let local = day.and_hms_opt(hour, 0, 0).expect("a time");
            chrono::TimeZone::from_local_datetime(&chrono_tz::America::New_York, &local)
                .single()
                .expect("unambiguous")
                .to_rfc3339()
        };
        let started = Instant::now();
        fake.put_event(
            "primary",
            json!({
                "id": format!("m{round}-{date}"),
                "status": "confirmed",
                "start": {"dateTime": at(10)},
                "end": {"dateTime": at(11)},
            }),
        );
        if let Some(token) = notify {
            server
                .dav(
                    "POST",
                    "/google/notify",
                    None,
                    &[
                        ("X-Goog-Channel-Token", token),
                        ("X-Goog-Resource-State", "exists"),
                    ],
                    false,
                )
                .await;
        }
        while offered(&server.get(&path).await.body) {
            tokio::time::sleep(Duration::from_millis(2)).await;
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the change arrived: {:?}",
                fake.requests()
                    .iter()
                    .rev()
                    .take(3)
                    .map(|r| (r.path.clone(), r.query.clone()))
                    .collect::<Vec<_>>()
            );
        }
        taken.push(started.elapsed().as_millis());
        day += Span::days(1);
    }
    taken.sort_unstable();
    taken
}

/// Appointments per second written to FakeGoogle: `count` bookings made while every
/// write fails, then the failures stop and the clock moves past their retry time.
async fn pushes_per_second(latency: Duration) -> f64 {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mirror = mirror_of(&fake, Duration::from_secs(3600));
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
        config.google = Some(mirror);
        config.rules.max_per_day = 16;
        config.rules.horizon = Span::days(120);
        config.rules.buffer = Span::zero();
        config.mail.max_retry = Duration::from_secs(1);
        config.mail.poll = Duration::from_millis(20);
        config.server.rate_limit_per_minute = 0;
    })
    .await;
    fake.fail_writes(10);
    let count = 300;
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
    let mut made = 0;
    while made < count {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            for hour in [9, 10, 11, 13, 14, 15, 16] {
                for minute in [0, 30] {
                    if made == count {
                        break;
                    }
                    let local = day.and_hms_opt(hour, minute, 0).expect("a time");
                    let start = chrono::TimeZone::from_local_datetime(
                        &chrono_tz::America::New_York,
                        &local,
                    )
                    .single()
                    .expect("unambiguous")
                    .to_rfc3339();
                    let reply = server
                        .post(
                            "/api/appointments",
                            &booking(&start, &format!("c{made}@example.com")),
                        )
                        .await;
                    assert_eq!(reply.status, hyper::StatusCode::CREATED, "{start}");
                    made += 1;
                }
            }
        }
        day += Span::days(1);
    }
    // Every write has failed once and waits for its retry.
    tokio::time::sleep(Duration::from_millis(500)).await;
    fake.fail_writes(0);
    fake.set_latency(latency);
    let started = Instant::now();
    server.clock.advance(Span::seconds(5));
    while fake.events("primary").len() < count {
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(started.elapsed() < Duration::from_secs(120), "all written");
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    server.stop().await;
    rate
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a test: run it by name"]
async fn google_mirror_measure() {
    for (mode, poll, notify) in [
        ("pull every 1 s", Duration::from_secs(1), false),
        ("notification", Duration::from_secs(3600), true),
    ] {
        let fake = FakeGoogle::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(SettableClock::new(monday_morning()));
        let mut mirror = mirror_of(&fake, poll);
        let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
            if notify {
                mirror.watch_url = Some(format!("{}/google/notify", config.server.public_url));
            }
            config.google = Some(mirror);
        })
        .await;
        // The first, full pull.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let token = fake
            .channels()
            .first()
            .and_then(|c| c["token"].as_str().map(str::to_string));
        let taken = change_latency(&server, &fake, 20, token.as_deref()).await;
        println!(
            "Google change → /api/availability ({mode}): p50 {} ms, p95 {} ms, max {} ms",
            percentile(&taken, 0.5),
            percentile(&taken, 0.95),
            taken[taken.len() - 1]
        );
        server.stop().await;
    }
    for latency in [Duration::ZERO, Duration::from_millis(50)] {
        let rate = pushes_per_second(latency).await;
        println!(
            "appointments written to FakeGoogle, 8 in flight, {} ms added per call: {rate:.0}/s",
            latency.as_millis()
        );
    }
}
