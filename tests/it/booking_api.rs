//! Availability → booking round trips, concurrency, restarts, cancel and reschedule.

use hyper::{Method, StatusCode};
use serde_json::Value;

use crate::support::{TestServer, admin_header, booking};

const TUESDAY: &str = "2026-03-03";

fn starts(reply: &Value, key: &str) -> Vec<String> {
    reply[key]
        .as_array()
        .expect("a list of slots")
        .iter()
        .map(|slot| slot["start"].as_str().expect("start").to_string())
        .collect()
}

#[tokio::test]
async fn availability_then_booking_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;

    let day = server
        .get(&format!(
            "/api/availability?date={TUESDAY}&duration=30&timezone=Europe/Paris"
        ))
        .await;
    assert_eq!(day.status, StatusCode::OK);
    assert_eq!(day.body["date"], TUESDAY);
    assert_eq!(day.body["timezone"], "Europe/Paris");
    assert_eq!(day.body["duration"], 30);
    let all = starts(&day.body, "allSlots");
    // Tuesday in Paris (UTC+1) holds New York's 09:00–12:00 and 13:00–17:00 working hours.
    assert_eq!(
        all.first().map(String::as_str),
        Some("2026-03-03T15:00:00+01:00")
    );
    assert_eq!(all.len(), 26);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "allSlots are by start");
    let suggestions = day.body["suggestions"].as_array().expect("suggestions");
    assert!(!suggestions.is_empty() && suggestions.len() <= 5);
    for slot in suggestions {
        assert!(!slot["reasons"].as_array().expect("reasons").is_empty());
        assert!(slot["score"].as_i64().expect("score") >= 100 - 10);
    }

    let chosen = suggestions[0]["start"].as_str().expect("start").to_string();
    let booked = server
        .post("/api/appointments", &booking(&chosen, "ada@example.com"))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let appointment = &booked.body["appointment"];
    assert_eq!(appointment["status"], "confirmed");
    assert_eq!(appointment["meetingType"], "consultation");
    assert_eq!(appointment["title"], "Consultation with Test Client");
    assert_eq!(appointment["purpose"], "Quarterly review");
    assert_eq!(appointment["user"]["email"], "ada@example.com");
    // Shown in the zone the client booked in.
    assert_eq!(appointment["start"], "2026-03-03T09:00:00-05:00");
    assert!(booked.body["calendarEvent"].is_null());
    let manage_url = appointment["manageUrl"].as_str().expect("manage url");
    let token = manage_url.rsplit('/').next().expect("token");
    assert!(manage_url.starts_with(&format!("{}/manage/", server.base)));
    assert!(token.len() >= 26, "a token carries at least 128 bits");

    let after = server
        .get(&format!(
            "/api/availability?date={TUESDAY}&duration=30&timezone=Europe/Paris"
        ))
        .await;
    assert!(
        !starts(&after.body, "allSlots").contains(&chosen),
        "the booked slot is gone"
    );

    let id = appointment["id"].as_str().expect("id");
    let by_token = server
        .get(&format!("/api/appointments/{id}?token={token}"))
        .await;
    assert_eq!(by_token.status, StatusCode::OK);
    assert_eq!(by_token.body["appointment"]["id"], id);
    let anonymous = server.get(&format!("/api/appointments/{id}")).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers.contains_key("www-authenticate"));
    let wrong = server
        .get(&format!("/api/appointments/{id}?token=abc"))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let admin = server
        .get_as_admin(&format!("/api/appointments/{id}"))
        .await;
    assert_eq!(admin.status, StatusCode::OK);
    let bad_admin = server
        .send(
            Method::GET,
            &format!("/api/appointments/{id}"),
            None,
            &[("authorization", "Basic ZG9taW5hOndyb25n")],
        )
        .await;
    assert_eq!(bad_admin.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_hundred_concurrent_bookings_of_one_slot_let_exactly_one_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = std::sync::Arc::new(TestServer::start(dir.path()).await);
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let server = std::sync::Arc::clone(&server);
            tokio::spawn(async move {
                let body = booking(
                    "2026-03-03T10:00:00-05:00",
                    &format!("racer{n}@example.com"),
                );
                server.post("/api/appointments", &body).await.status
            })
        })
        .collect();
    let mut created = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("task ran") {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, conflicts), (1, 99));
    let day = server
        .get_as_admin(&format!("/api/availability?date={TUESDAY}&duration=30"))
        .await;
    let all = starts(&day.body, "allSlots");
    assert!(
        !all.iter()
            .any(|start| start.starts_with("2026-03-03T10:00")),
        "{all:?}"
    );
}

#[tokio::test]
async fn a_restart_on_the_same_data_keeps_the_appointment_and_its_slot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T11:00:00-05:00", "kept@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let id = booked.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    server.stop().await;

    let server = TestServer::start(dir.path()).await;
    let read = server
        .get_as_admin(&format!("/api/appointments/{id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        read.body["appointment"]["start"],
        "2026-03-03T11:00:00-05:00"
    );
    let again = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T11:00:00-05:00", "late@example.com"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["reason"], "taken");
}

#[tokio::test]
async fn cancel_frees_the_slot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T13:00:00-05:00", "c@example.com"),
        )
        .await;
    let id = booked.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let token = booked.body["appointment"]["manageUrl"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_string();

    let refused = server
        .post(&format!("/api/appointments/{id}/cancel"), "")
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "the id alone cancels nothing"
    );
    let cancelled = server
        .post(&format!("/api/appointments/{id}/cancel?token={token}"), "")
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["appointment"]["status"], "cancelled");
    let twice = server
        .post(&format!("/api/appointments/{id}/cancel?token={token}"), "")
        .await;
    assert_eq!(twice.status, StatusCode::OK, "cancelling is idempotent");

    let rebooked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T13:00:00-05:00", "d@example.com"),
        )
        .await;
    assert_eq!(rebooked.status, StatusCode::CREATED, "{}", rebooked.body);
    let moved = server
        .post(
            &format!("/api/appointments/{id}/reschedule?token={token}"),
            r#"{"startTime":"2026-03-04T13:00:00-05:00"}"#,
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT);
    assert_eq!(moved.body["error"], "appointment_cancelled");
}

#[tokio::test]
async fn reschedule_moves_the_appointment_atomically() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let first = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "a@example.com"),
        )
        .await;
    let second = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T14:00:00-05:00", "b@example.com"),
        )
        .await;
    assert_eq!(
        (first.status, second.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    let id = first.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let auth = admin_header();
    let headers = [("authorization", auth.as_str())];

    let onto_taken = server
        .send(
            Method::POST,
            &format!("/api/appointments/{id}/reschedule"),
            Some(r#"{"startTime":"2026-03-03T14:00:00-05:00"}"#),
            &headers,
        )
        .await;
    assert_eq!(onto_taken.status, StatusCode::CONFLICT);
    assert_eq!(onto_taken.body["reason"], "taken");
    assert!(
        !onto_taken.body["alternatives"]
            .as_array()
            .expect("alternatives")
            .is_empty()
    );
    let unchanged = server
        .get_as_admin(&format!("/api/appointments/{id}"))
        .await;
    assert_eq!(
        unchanged.body["appointment"]["start"],
        "2026-03-03T10:00:00-05:00"
    );

    // A wall-clock time is read in the client's zone. Moving by 15 minutes overlaps
    // the appointment's own old time, which must not block it.
    let nudged = server
        .send(
            Method::POST,
            &format!("/api/appointments/{id}/reschedule"),
            Some(r#"{"startTime":"2026-03-03T10:15:00"}"#),
            &headers,
        )
        .await;
    assert_eq!(nudged.status, StatusCode::OK, "{}", nudged.body);
    let moved = server
        .send(
            Method::POST,
            &format!("/api/appointments/{id}/reschedule"),
            Some(r#"{"startTime":"2026-03-03T15:00:00-05:00"}"#),
            &headers,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        moved.body["appointment"]["start"],
        "2026-03-03T15:00:00-05:00"
    );

    let old_time = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "c@example.com"),
        )
        .await;
    assert_eq!(old_time.status, StatusCode::CREATED, "the old time is free");
    let new_time = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T15:00:00-05:00", "d@example.com"),
        )
        .await;
    assert_eq!(
        new_time.status,
        StatusCode::CONFLICT,
        "the new time is held"
    );
}

#[tokio::test]
async fn times_that_break_a_rule_get_409_with_alternatives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    // Fill Wednesday to the daily limit of six.
    for (n, hour) in [9, 10, 11, 13, 14, 15].iter().enumerate() {
        let reply = server
            .post(
                "/api/appointments",
                &booking(
                    &format!("2026-03-04T{hour:02}:00:00-05:00"),
                    &format!("w{n}@example.com"),
                ),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let cases = [
        ("2026-03-03T07:00:00-05:00", "outside_working_hours"),
        ("2026-03-03T12:00:00-05:00", "outside_working_hours"),
        ("2026-03-07T10:00:00-05:00", "outside_working_hours"),
        ("2026-03-02T07:00:00-05:00", "in_the_past"),
        ("2026-03-02T09:30:00-05:00", "inside_notice"),
        ("2026-04-06T10:00:00-04:00", "beyond_horizon"),
        ("2026-03-04T16:15:00-05:00", "daily_limit_reached"),
    ];
    for (start, reason) in cases {
        let reply = server
            .post("/api/appointments", &booking(start, "rules@example.com"))
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{start}");
        assert_eq!(reply.body["error"], "slot_unavailable", "{start}");
        assert_eq!(reply.body["reason"], reason, "{start}");
        let alternatives = reply.body["alternatives"].as_array().expect("alternatives");
        assert!(
            !alternatives.is_empty() && alternatives.len() <= 3,
            "{start}: {alternatives:?}"
        );
        assert!(alternatives.iter().all(|slot| {
            slot["start"].as_str().expect("start").ends_with("-05:00")
                || slot["start"].as_str().expect("start").ends_with("-04:00")
        }));
    }
    // Time moves on: Tuesday 10:00 is bookable on Monday, not on Tuesday at 11:00.
    let tuesday_ten = booking("2026-03-03T10:00:00-05:00", "later@example.com");
    server
        .clock
        .set(crate::support::monday_morning() + chrono::Duration::hours(27));
    let reply = server.post("/api/appointments", &tuesday_ten).await;
    assert_eq!(reply.body["reason"], "in_the_past");
    server.clock.set(crate::support::monday_morning());
    // Urgent meetings need only 30 minutes of notice.
    let mut urgent: Value =
        serde_json::from_str(&booking("2026-03-02T09:00:00-05:00", "urgent@example.com"))
            .expect("json");
    urgent["meetingType"] = "urgent".into();
    let reply = server.post("/api/appointments", &urgent.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn health_unknown_paths_and_wrong_methods() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    assert_eq!(server.get("/healthz").await.status, StatusCode::OK);
    let missing = server.get("/api/nothing").await;
    assert_eq!(
        (missing.status, missing.body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let wrong = server
        .send(Method::DELETE, "/api/appointments", None, &[])
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
}
