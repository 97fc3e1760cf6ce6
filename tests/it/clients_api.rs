//! Client preferences and learned patterns over the API, and how they shape suggestions.

use hyper::{Method, StatusCode};

use crate::support::{TestServer, admin_header, booking};

#[tokio::test]
async fn preferences_are_kept_and_shape_suggestions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "pat@example.com"),
        )
        .await;
    let user = booked.body["appointment"]["user"]["id"]
        .as_str()
        .expect("user id")
        .to_string();
    let token = booked.body["appointment"]["manageUrl"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_string();

    let anonymous = server.get(&format!("/api/users/{user}/preferences")).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let empty = server
        .get(&format!("/api/users/{user}/preferences?token={token}"))
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(
        empty.body["preferences"]["preferredDays"],
        serde_json::json!([])
    );

    let prefs = r#"{"preferred_days":["Thursday"],"preferred_time_slots":["afternoon"],"buffer_minutes":30,"advance_booking_days":7,"timezone":"Europe/Paris"}"#;
    let put = server
        .send(
            Method::PUT,
            &format!("/api/users/{user}/preferences?token={token}"),
            Some(prefs),
            &[],
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let read = server
        .get_as_admin(&format!("/api/users/{user}/preferences"))
        .await;
    assert_eq!(
        read.body["preferences"]["preferredDays"],
        serde_json::json!(["Thursday"])
    );
    assert_eq!(read.body["preferences"]["timezone"], "Europe/Paris");

    let bad = server
        .send(
            Method::PUT,
            &format!("/api/users/{user}/preferences?token={token}"),
            Some(r#"{"preferredDays":["Someday"]}"#),
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = server
        .send(
            Method::PUT,
            &format!("/api/users/{user}/preferences?token={token}"),
            Some(r#"{"favouriteColour":"blue"}"#),
            &[],
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_field"))
    );

    // Thursday afternoon in Paris is Thursday morning in New York (UTC+1 vs UTC-5).
    let day = server
        .get(&format!(
            "/api/availability?date=2026-03-05&timezone=Europe/Paris&userId={user}"
        ))
        .await;
    let best = &day.body["suggestions"][0];
    assert_eq!(best["score"], 100 + 30 + 20, "{best}");
    assert!(
        best["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("prefer"),
        "{best}"
    );
    assert!(
        best["start"]
            .as_str()
            .expect("start")
            .starts_with("2026-03-05T15:"),
        "{best}"
    );
}

#[tokio::test]
async fn patterns_follow_bookings_and_need_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let mut token = String::new();
    let mut user = String::new();
    for day in ["03", "10", "17"] {
        let reply = server
            .post(
                "/api/appointments",
                &booking(&format!("2026-03-{day}T14:00:00"), "habit@example.com"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        user = reply.body["appointment"]["user"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        token = reply.body["appointment"]["manageUrl"]
            .as_str()
            .expect("url")
            .rsplit('/')
            .next()
            .expect("token")
            .to_string();
    }
    let patterns = server
        .get(&format!("/api/users/{user}/patterns?token={token}"))
        .await;
    assert_eq!(patterns.status, StatusCode::OK);
    assert_eq!(patterns.body["bookings"], 3);
    assert_eq!(patterns.body["predicted"][0]["weekday"], "Tuesday");
    assert_eq!(patterns.body["predicted"][0]["hour"], 14);
    assert!(
        patterns.body["predicted"][0]["confidence"]
            .as_f64()
            .expect("confidence")
            > 0.5
    );

    let other = server
        .post(
            "/api/appointments",
            &booking("2026-03-04T09:00:00-05:00", "other@example.com"),
        )
        .await;
    let other_token = other.body["appointment"]["manageUrl"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_string();
    let foreign = server
        .get(&format!("/api/users/{user}/patterns?token={other_token}"))
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let auth = admin_header();
    let admin = server
        .send(
            Method::GET,
            &format!("/api/users/{user}/patterns"),
            None,
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(admin.status, StatusCode::OK);

    // The habit now leads the client's suggestions on another Tuesday.
    let day = server
        .get(&format!(
            "/api/availability?date=2026-03-24&timezone=America/New_York&userId={user}"
        ))
        .await;
    let best = &day.body["suggestions"][0];
    assert!(
        best["start"]
            .as_str()
            .expect("start")
            .starts_with("2026-03-24T14:"),
        "{best}"
    );
    assert!(
        best["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r == "Matches your usual Tuesday afternoons"),
        "{best}"
    );
}
