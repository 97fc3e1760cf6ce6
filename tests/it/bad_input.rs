//! Every kind of bad input gets a 4xx with a machine-readable code, and nothing is stored.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;

fn valid() -> Value {
    json!({
        "name": "Grace",
        "email": "grace@example.com",
        "startTime": "2026-03-03T10:00:00-05:00",
        "duration": 30,
        "meetingType": "consultation",
        "purpose": "Budget",
        "timezone": "America/New_York",
    })
}

fn with(field: &str, value: Value) -> String {
    let mut body = valid();
    body[field] = value;
    body.to_string()
}

fn without(field: &str) -> String {
    let mut body = valid();
    body.as_object_mut().expect("object").remove(field);
    body.to_string()
}

#[tokio::test]
async fn bad_booking_requests_are_400_and_store_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let availability = "/api/availability?date=2026-03-03&duration=30&timezone=America/New_York";
    let before = server.get(availability).await.body;

    let cases: Vec<(String, &str, Option<&str>)> = vec![
        (
            with("timezone", json!("Mars/Olympus_Mons")),
            "invalid_timezone",
            Some("timezone"),
        ),
        (
            with("startTime", json!("next tuesday")),
            "invalid_time",
            Some("startTime"),
        ),
        (
            with("startTime", json!("2026-03-03T25:00:00-05:00")),
            "invalid_time",
            Some("startTime"),
        ),
        (
            with("startTime", json!(20260303)),
            "invalid_time",
            Some("startTime"),
        ),
        (
            with("startTime", json!("2026-03-08T02:30:00")),
            "invalid_time",
            Some("startTime"),
        ),
        (
            with("duration", json!(0)),
            "invalid_duration",
            Some("duration"),
        ),
        (
            with("duration", json!(-30)),
            "invalid_duration",
            Some("duration"),
        ),
        (
            with("duration", json!(481)),
            "invalid_duration",
            Some("duration"),
        ),
        (
            with("duration", json!("30")),
            "invalid_duration",
            Some("duration"),
        ),
        (
            with("duration", json!(29.5)),
            "invalid_duration",
            Some("duration"),
        ),
        (
            with("meetingType", json!("massage")),
            "unknown_meeting_type",
            Some("meetingType"),
        ),
        (
            with("email", json!("grace@")),
            "invalid_email",
            Some("email"),
        ),
        (
            with("email", json!("not an address")),
            "invalid_email",
            Some("email"),
        ),
        (with("name", json!("   ")), "invalid_name", Some("name")),
        (
            with("purpose", json!("x".repeat(2001))),
            "invalid_purpose",
            Some("purpose"),
        ),
        (
            with("userId", json!("usr_nobody")),
            "unknown_user",
            Some("userId"),
        ),
        (
            with("colour", json!("blue")),
            "unknown_field",
            Some("colour"),
        ),
        (without("startTime"), "missing_field", Some("startTime")),
        (without("email"), "missing_field", Some("email")),
        ("{\"name\": \"Grace\",".to_string(), "invalid_json", None),
        ("[]".to_string(), "invalid_json", None),
        ("".to_string(), "invalid_json", None),
        ("null".to_string(), "invalid_json", None),
    ];
    for (body, code, field) in &cases {
        let reply = server.post("/api/appointments", body).await;
        let shown: String = body.chars().take(80).collect();
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{shown} → {}",
            reply.body
        );
        assert_eq!(reply.body["error"], *code, "{shown} → {}", reply.body);
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        if let Some(field) = field {
            assert_eq!(reply.body["field"], *field, "{shown} → {}", reply.body);
        }
    }

    let huge = format!("{{\"name\":\"{}\"}}", "a".repeat(1024 * 1024 + 1));
    let reply = server.post("/api/appointments", &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["error"], "body_too_large");

    let after = server.get(availability).await.body;
    assert_eq!(before, after, "no bad request took a slot");
    let grace = server
        .get_as_admin("/api/availability?date=2026-03-03&email=grace@example.com")
        .await;
    assert_eq!(grace.status, StatusCode::OK);
}

#[tokio::test]
async fn extreme_but_well_formed_times_are_answered_not_crashed_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    for date in ["0001-01-01", "9999-12-31", "2026-03-08", "2026-11-01"] {
        let reply = server
            .get(&format!(
                "/api/availability?date={date}&timezone=Pacific/Kiritimati"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{date}");
    }
    for (start, reason) in [
        ("9999-12-31T10:00:00Z", "beyond_horizon"),
        ("0001-01-01T10:00:00Z", "in_the_past"),
    ] {
        let reply = server
            .post("/api/appointments", &with("startTime", json!(start)))
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{start}");
        assert_eq!(reply.body["reason"], reason, "{start}");
        assert!(
            !reply.body["alternatives"]
                .as_array()
                .expect("alternatives")
                .is_empty(),
            "{start}"
        );
    }
}

#[tokio::test]
async fn bad_availability_queries_are_400() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let cases = [
        ("/api/availability", "missing_field"),
        ("/api/availability?date=2026-02-30", "invalid_date"),
        ("/api/availability?date=03/03/2026", "invalid_date"),
        (
            "/api/availability?date=2026-03-03&timezone=Nowhere/City",
            "invalid_timezone",
        ),
        (
            "/api/availability?date=2026-03-03&duration=0",
            "invalid_duration",
        ),
        (
            "/api/availability?date=2026-03-03&duration=481",
            "invalid_duration",
        ),
        (
            "/api/availability?date=2026-03-03&duration=half",
            "invalid_duration",
        ),
        (
            "/api/availability?date=2026-03-03&meetingType=massage",
            "unknown_meeting_type",
        ),
        (
            "/api/availability?date=2026-03-03&email=nope",
            "invalid_email",
        ),
        (
            "/api/availability?date=2026-03-03&colour=blue",
            "unknown_field",
        ),
        (
            "/api/availability?date=2026-03-03&date=2026-03-04",
            "duplicate_field",
        ),
    ];
    for (path, code) in cases {
        let reply = server.get(path).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(reply.body["error"], code, "{path}");
    }
}

#[tokio::test]
async fn a_browser_on_another_site_cannot_post_to_kairos() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = crate::support::TestServer::start(dir.path()).await;
    let body = crate::support::booking("2026-03-03T10:00:00-05:00", "csrf@example.com");
    for origin in ["https://evil.example", "null"] {
        let refused = server
            .send(
                hyper::Method::POST,
                "/api/appointments",
                Some(&body),
                &[("origin", origin), ("content-type", "text/plain")],
            )
            .await;
        assert_eq!(refused.status, hyper::StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(refused.body["error"], "cross_origin");
    }
    // Kairos's own pages, and clients that are not browsers, are served.
    let own = server.base.clone();
    let booked = server
        .send(
            hyper::Method::POST,
            "/api/appointments",
            Some(&body),
            &[("origin", &own)],
        )
        .await;
    assert_eq!(
        booked.status,
        hyper::StatusCode::CREATED,
        "{:?}",
        booked.body
    );
    server.stop().await;
}
