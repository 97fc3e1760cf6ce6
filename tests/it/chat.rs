//! The booking assistant, `POST /api/chat`: free text in, times out; it keeps length,
//! purpose and the chosen time across messages, and what it settles books as is.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;

async fn say(server: &TestServer, session: Option<&str>, text: &str) -> Value {
    let mut body = json!({"text": text, "timezone": "America/New_York"});
    if let Some(session) = session {
        body["sessionId"] = json!(session);
    }
    let reply = server.post("/api/chat", &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK, "{text}: {:?}", reply.body);
    reply.body
}

fn starts(answer: &Value) -> Vec<String> {
    answer["slots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|slot| slot["start"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_assistant_reads_words_keeps_the_booking_and_hands_it_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;

    // (Monday 2 March.) "Next Tuesday" is 10 March; afternoons; 45 minutes.
    let first = say(&server, None, "next Tuesday afternoon for 45 minutes").await;
    let session = first["sessionId"].as_str().expect("a session").to_string();
    let offered = starts(&first);
    assert_eq!(offered.len(), 3, "{first}");
    for (start, slot) in offered
        .iter()
        .zip(first["slots"].as_array().expect("slots"))
    {
        assert!(start.starts_with("2026-03-10T1"), "{start}");
        let hour: u32 = start[11..13].parse().expect("an hour");
        assert!(hour >= 12, "afternoon: {start}");
        let end = slot["end"].as_str().expect("an end");
        let length = chrono::DateTime::parse_from_rfc3339(end).expect("RFC 3339")
            - chrono::DateTime::parse_from_rfc3339(start).expect("RFC 3339");
        assert_eq!(length.num_minutes(), 45);
    }
    assert_eq!(first["booking"]["duration"], 45);
    assert_eq!(
        first["quickActions"],
        json!(["Tomorrow", "Next week", "Pick date"])
    );

    let about = say(&server, Some(&session), "It's about my tax return").await;
    assert_eq!(about["booking"]["purpose"], "my tax return");

    let chosen = say(&server, Some(&session), "option 2").await;
    assert_eq!(chosen["booking"]["startTime"], offered[1].as_str());
    assert_eq!(chosen["sessionId"], session.as_str());

    let shorter = say(&server, Some(&session), "actually make it 30 minutes").await;
    assert_eq!(shorter["booking"]["duration"], 30);
    assert!(!starts(&shorter).is_empty(), "{shorter}");

    let tomorrow = say(&server, Some(&session), "tomorrow at 3").await;
    assert_eq!(
        starts(&tomorrow).first().map(String::as_str),
        Some("2026-03-03T15:00:00-05:00"),
        "{tomorrow}"
    );
    assert!(
        tomorrow["reply"]
            .as_str()
            .is_some_and(|r| r.contains("is free"))
    );

    let lost = say(&server, Some(&session), "blorp zzz").await;
    assert!(
        lost["reply"]
            .as_str()
            .is_some_and(|r| r.contains("did not understand"))
    );
    assert_eq!(lost["slots"], json!([]));
    assert_eq!(lost["booking"]["purpose"], "my tax return", "kept");

    // What the conversation settled books as is.
    let take = say(&server, Some(&session), "the first one").await;
    let booking = &take["booking"];
    let booked = server
        .post(
            "/api/appointments",
            &json!({
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "startTime": booking["startTime"],
                "duration": booking["duration"],
                "meetingType": booking["meetingType"],
                "purpose": booking["purpose"],
                "timezone": booking["timezone"],
            })
            .to_string(),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
    assert_eq!(
        booked.body["appointment"]["start"],
        "2026-03-03T15:00:00-05:00"
    );
    assert_eq!(booked.body["appointment"]["duration"], 30);
    assert_eq!(booked.body["appointment"]["purpose"], "my tax return");

    // Bad input is refused with a code.
    for body in [
        json!({"text": "   "}),
        json!({"text": "tomorrow", "timezone": "Mars/Olympus"}),
        json!({"words": "tomorrow"}),
    ] {
        let refused = server.post("/api/chat", &body.to_string()).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(refused.body["error"].is_string());
    }
    server.stop().await;
}

#[tokio::test]
async fn one_address_over_its_rate_gets_429_and_the_rest_of_the_server_still_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = std::sync::Arc::new(kairos::domain::SettableClock::new(
        crate::support::monday_morning(),
    ));
    let server = TestServer::start_with(dir.path(), clock, |config| {
        config.server.rate_limit_per_minute = 5;
    })
    .await;
    for n in 0..5 {
        let reply = server
            .post(
                "/api/chat",
                &json!({"text": format!("tomorrow at {}", n + 9)}).to_string(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let refused = server
        .post("/api/chat", &json!({"text": "tomorrow"}).to_string())
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body["error"], "rate_limited");
    assert!(refused.headers.contains_key("retry-after"));
    let page = server.dav("GET", "/", None, &[], false).await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the booking page too"
    );
    // What does not book or change a booking is not counted.
    assert_eq!(server.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(
        server
            .get("/api/availability?date=2026-03-03&timezone=America/New_York")
            .await
            .status,
        StatusCode::OK
    );
    server.stop().await;
}
