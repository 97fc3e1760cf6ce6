//! Appointments written to the host's Google calendar through the outbox: one event
//! per appointment whatever goes wrong — 429/5xx answers, answers lost after the write,
//! a restart mid-delivery, the process killed mid-delivery — each with a Meet link kept
//! on the appointment; a move patches the event, a cancellation deletes it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Span, NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use hyper::StatusCode;
use kairos::config::{Config, GoogleConfig, GoogleCredentials, Secret};
use kairos::domain::SettableClock;
use serde_json::Value;

use crate::support::fake_google::{FakeGoogle, Fault};
use crate::support::{TestServer, booking, monday_morning, post_raw};

fn mirror_of(fake: &FakeGoogle) -> GoogleConfig {
    GoogleConfig {
        credentials: GoogleCredentials::AuthorizedUser {
            client_id: "kairos-test.apps.example".into(),
            client_secret: Secret::new("client-secret"),
            refresh_token: Secret::new("refresh-token"),
        },
        calendars: vec!["primary".into()],
        push_calendar: "primary".into(),
        poll_interval: Duration::from_secs(3600),
        all_day_busy: true,
        base_url: fake.base_url(),
        token_url: fake.token_url(),
        watch_url: None,
    }
}

async fn start_mirrored(dir: &Path, fake: &FakeGoogle) -> TestServer {
    let mirror = mirror_of(fake);
    let clock = Arc::new(SettableClock::new(monday_morning()));
    TestServer::start_with(dir, clock, move |config: &mut Config| {
        config.google = Some(mirror);
        // Room for many bookings, and retries that come due quickly.
        config.rules.max_per_day = 16;
        config.rules.horizon = Span::days(120);
        config.rules.buffer = Span::zero();
        config.mail.max_retry = Duration::from_secs(1);
        config.mail.poll = Duration::from_millis(100);
        // Hundreds of bookings from one address in seconds.
        config.server.rate_limit_per_minute = 0;
    })
    .await
}

/// `count` booking starts, half-hourly through working hours on weekdays from
/// Tuesday 3 March.
fn starts(count: usize) -> Vec<String> {
    let mut starts = Vec::new();
    let mut day = NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date");
    while starts.len() < count {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            for (hour, minute) in (9..12).chain(13..17).flat_map(|h| [(h, 0), (h, 30)]) {
                let local = day.and_hms_opt(hour, minute, 0).expect("a time");
                let at = New_York
                    .from_local_datetime(&local)
                    .single()
                    .expect("unambiguous");
                starts.push(at.to_rfc3339());
            }
        }
        day += Span::days(1);
    }
    starts.truncate(count);
    starts
}

/// Waits up to 60 s until `check` holds for FakeGoogle's events, moving `server`'s
/// clock on a second every 50 ms so that deferred writes come due.
async fn until(
    server: &TestServer,
    fake: &FakeGoogle,
    what: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..1_200 {
        let events = fake.events("primary");
        if check(&events) {
            return events;
        }
        server.clock.advance(Span::seconds(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: {} events", fake.events("primary").len());
}

#[tokio::test]
async fn every_appointment_becomes_one_google_event_with_a_meet_link_whatever_fails() {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_mirrored(dir.path(), &fake).await;
    fake.fail_writes(3);
    // Two answers lost after Google wrote the event: the retry must not make another.
    fake.fail_next(&[Fault::LoseAnswer, Fault::LoseAnswer]);
    let mut ids = Vec::new();
    for (n, start) in starts(200).iter().enumerate() {
        let booked = server
            .post(
                "/api/appointments",
                &booking(start, &format!("client{n}@example.com")),
            )
            .await;
        assert_eq!(
            booked.status,
            StatusCode::CREATED,
            "{start}: {:?}",
            booked.body
        );
        let id = booked.body["appointment"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        assert_eq!(booked.body["calendarEvent"]["iCalUID"], id.as_str());
        assert_eq!(booked.body["calendarEvent"]["calendar"], "primary");
        ids.push(id);
        // Stopped and started again mid-delivery: what is queued is not lost.
        if n == 120 {
            server.stop().await;
            let restarted = start_mirrored(dir.path(), &fake).await;
            return finish(restarted, fake, ids, n + 1).await;
        }
    }
    unreachable!("the restart returns");
}

async fn finish(server: TestServer, fake: FakeGoogle, mut ids: Vec<String>, from: usize) {
    for (n, start) in starts(200).iter().enumerate().skip(from) {
        let booked = server
            .post(
                "/api/appointments",
                &booking(start, &format!("client{n}@example.com")),
            )
            .await;
        assert_eq!(
            booked.status,
            StatusCode::CREATED,
            "{start}: {:?}",
            booked.body
        );
        ids.push(
            booked.body["appointment"]["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    let events = until(&server, &fake, "200 events", |events| events.len() >= 200).await;
    assert_eq!(events.len(), 200, "one event per appointment");
    let uids: HashSet<&str> = events
        .iter()
        .filter_map(|event| event["iCalUID"].as_str())
        .collect();
    assert_eq!(uids, ids.iter().map(String::as_str).collect::<HashSet<_>>());
    assert!(
        events.iter().all(|event| event["hangoutLink"].is_string()),
        "each with a Meet link"
    );
    // The link is kept on the appointment (its manage view shows it).
    let first = &ids[0];
    let event = events
        .iter()
        .find(|event| event["iCalUID"] == first.as_str())
        .expect("the first appointment's event");
    // Google may hold the event before Kairos has its answer (an answer lost, the
    // retry still waiting): wait for the outbox to settle, moving the clock on.
    let mut admin = server
        .get_as_admin(&format!("/api/appointments/{first}"))
        .await;
    for _ in 0..400 {
        if admin.body["appointment"]["meetingUrl"].is_string() {
            break;
        }
        server.clock.advance(Span::seconds(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
        admin = server
            .get_as_admin(&format!("/api/appointments/{first}"))
            .await;
    }
    assert_eq!(
        admin.body["appointment"]["meetingUrl"], event["hangoutLink"],
        "{:?}",
        admin.body
    );

    // Moved: the same event, patched. Cancelled: deleted.
    fake.fail_writes(0);
    let token = admin.body["appointment"]["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("token")
        .to_string();
    let new_start = "2026-06-10T10:00:00-04:00";
    let moved = server
        .post(
            &format!("/api/appointments/{first}/reschedule?token={token}"),
            &format!(r#"{{"startTime": "{new_start}"}}"#),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    until(&server, &fake, "the move patched", |events| {
        events.iter().any(|event| {
            event["iCalUID"] == first.as_str()
                && event["start"]["dateTime"].as_str() == Some("2026-06-10T14:00:00Z")
        })
    })
    .await;
    // The move's mail carries the link (Google is written first in a round), and so
    // does the host's calendar.
    let link = event["hangoutLink"].as_str().expect("a link").to_string();
    let sent = server.data_dir().join("mail").join("sent");
    let mut told = false;
    for _ in 0..200 {
        told = std::fs::read_dir(&sent)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|file| std::fs::read_to_string(file.path()).ok())
            .any(|mail| mail.contains("10 June") && mail.contains(&format!("Video call: {link}")));
        if told {
            break;
        }
        server.clock.advance(Span::seconds(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(told, "the move's mail names the video call {link}");
    let resource = server
        .dav(
            "GET",
            &format!("/dav/calendars/domina/bookings/{first}.ics"),
            None,
            &[],
            true,
        )
        .await;
    assert!(
        resource
            .text
            .replace("\r\n ", "")
            .contains(&format!("LOCATION:{link}")),
        "{}",
        resource.text
    );
    let second = &ids[1];
    let second_token = server
        .get_as_admin(&format!("/api/appointments/{second}"))
        .await
        .body["appointment"]["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("token")
        .to_string();
    let cancelled = server
        .post(
            &format!("/api/appointments/{second}/cancel?token={second_token}"),
            "",
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let events = until(&server, &fake, "the cancel deleted", |events| {
        events.len() == 199
    })
    .await;
    assert!(
        events
            .iter()
            .all(|event| event["iCalUID"] != second.as_str())
    );
    assert_eq!(
        events
            .iter()
            .filter(|event| event["iCalUID"] == first.as_str())
            .count(),
        1
    );
    server.stop().await;
}

/// The next Monday after today, by the wall clock the binary runs on.
#[allow(clippy::disallowed_methods)] // the `kairos` process reads the wall clock too
fn next_monday() -> NaiveDate {
    let today = chrono::Utc::now().with_timezone(&New_York).date_naive();
    let ahead = 8 - chrono::Datelike::weekday(&today).number_from_monday();
    today + Span::days(i64::from(ahead))
}

#[tokio::test]
async fn a_killed_server_writes_each_appointment_once_after_it_restarts() {
    let fake = FakeGoogle::start().await;
    // Slow answers (each write done at once, answered 300 ms later), so that writes
    // are in flight when the process is killed.
    fake.set_latency(Duration::from_millis(300));
    let dir = tempfile::tempdir().expect("temp dir");
    let credentials = dir.path().join("google.json");
    std::fs::write(
        &credentials,
        r#"{"type": "authorized_user", "client_id": "id", "client_secret": "secret", "refresh_token": "refresh"}"#,
    )
    .expect("written");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let address = format!("127.0.0.1:{port}");
    let config = dir.path().join("kairos.yaml");
    std::fs::write(
        &config,
        format!(
            "server:\n  listen: \"{address}\"\nstorage:\n  data_dir: \"{}\"\navailability:\n  buffer_minutes: 0\n  horizon_days: 120\n  max_appointments_per_day: 16\nmail:\n  max_retry_seconds: 1\n  poll_seconds: 1\ngoogle:\n  enabled: true\n  credentials_file: \"{}\"\n  base_url: \"{}\"\n  token_url: \"{}\"\n  poll_interval_seconds: 3600\nlog:\n  level: \"warn\"\n",
            dir.path().join("state").display(),
            credentials.display(),
            fake.base_url(),
            fake.token_url(),
        ),
    )
    .expect("written");
    let spawn = || {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_kairos"))
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .env_remove("KAIROS_LISTEN")
            .env_remove("KAIROS_DATA_DIR")
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

    let count = 60;
    let mut ids = HashSet::new();
    let monday = next_monday();
    for n in 0..count {
        let day = monday + Span::days((n / 14) as i64);
        let slot = n % 14;
        let (hour, minute) = ([9, 10, 11, 13, 14, 15, 16][slot / 2], (slot % 2) * 30);
        let local = day.and_hms_opt(hour, minute as u32, 0).expect("a time");
        let start = New_York
            .from_local_datetime(&local)
            .single()
            .expect("unambiguous")
            .to_rfc3339();
        let (status, body) = post_raw(
            &address,
            "/api/appointments",
            &booking(&start, &format!("k{n}@example.com")),
        )
        .await;
        assert_eq!(status, 201, "{start}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        ids.insert(body["appointment"]["id"].as_str().expect("id").to_string());
    }
    // Killed (SIGKILL: nothing is flushed or finished) while writes are under way.
    for _ in 0..400 {
        if !fake.events("primary").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().await.expect("killed");
    let written_before = fake.events("primary").len();
    assert!(
        written_before < count,
        "the kill came mid-delivery ({written_before} written)"
    );

    fake.set_latency(Duration::ZERO);
    let mut child = spawn();
    ready().await;
    for _ in 0..1_200 {
        if fake.events("primary").len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A moment more: nothing further may come.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = fake.events("primary");
    assert_eq!(
        events.len(),
        count,
        "each appointment once ({written_before} before the kill)"
    );
    let uids: HashSet<String> = events
        .iter()
        .filter_map(|event| event["iCalUID"].as_str().map(str::to_string))
        .collect();
    assert_eq!(uids, ids);
    child.kill().await.ok();
}
