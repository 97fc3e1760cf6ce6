//! The manage link's page, `/manage/<token>`: the appointment as the client sees it,
//! what they typed shown as text (never as markup, in the page or the mail), times to
//! move it to, and forms that work only with the page's own secret (CSRF).

use hyper::StatusCode;
use mail_parser::MessageParser;

use crate::support::{RawReply, TestServer};

fn booking_with_purpose(start: &str, purpose: &str) -> String {
    serde_json::json!({
        "name": "Mallory <b>Bold</b>",
        "email": "mallory@example.com",
        "startTime": start,
        "duration": 30,
        "meetingType": "consultation",
        "purpose": purpose,
        "timezone": "America/New_York",
    })
    .to_string()
}

async fn page(server: &TestServer, method: &str, path: &str, form: Option<&str>) -> RawReply {
    let headers: &[(&str, &str)] = if form.is_some() {
        &[("content-type", "application/x-www-form-urlencoded")]
    } else {
        &[]
    };
    server.dav(method, path, form, headers, false).await
}

/// The value of the hidden `name` field in `html`, and the first `start` offered.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    Some(html[at..].split('"').next()?.to_string())
}

#[tokio::test]
async fn the_manage_page_shows_escapes_moves_and_cancels_only_with_its_own_forms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let script = "<script>alert(1)</script>";
    let booked = server
        .post(
            "/api/appointments",
            &booking_with_purpose("2026-03-03T10:00:00-05:00", script),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let manage = booked.body["appointment"]["manageUrl"]
        .as_str()
        .expect("a manage link")
        .trim_start_matches(&server.base)
        .to_string();

    let shown = page(&server, "GET", &manage, None).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.text.contains("Tuesday 3 March 2026, 10:00"),
        "{}",
        shown.text
    );
    assert!(!shown.text.contains(script), "typed text is never markup");
    assert!(
        shown.text.contains("&#60;script&#62;alert(1)"),
        "shown as text: {}",
        shown.text
    );
    assert!(!shown.text.contains("<b>Bold</b>"));
    let secret = hidden(&shown.text, "form").expect("the forms carry a secret");
    let start = hidden(&shown.text, "start").expect("times to move to");

    // The confirmation mail shows it as text too.
    let sent = server.data_dir().join("mail").join("sent");
    let mut html = String::new();
    for _ in 0..200 {
        if let Some(file) = std::fs::read_dir(&sent)
            .into_iter()
            .flatten()
            .flatten()
            .next()
        {
            let raw = std::fs::read(file.path()).expect("readable");
            let message = MessageParser::default().parse(&raw).expect("a message");
            html = message
                .body_html(0)
                .map(|h| h.into_owned())
                .unwrap_or_default();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains(script), "{html}");

    // A form without the page's secret (another site's) changes nothing.
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("start", &start)
        .finish();
    for body in [encoded.clone(), format!("{encoded}&form=guess")] {
        let refused = page(
            &server,
            "POST",
            &format!("{manage}/reschedule"),
            Some(&body),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{body}");
    }
    let still = page(&server, "GET", &manage, None).await;
    assert!(still.text.contains("Tuesday 3 March 2026, 10:00"));

    // With it: moved, and the page says so.
    let moved = page(
        &server,
        "POST",
        &format!("{manage}/reschedule"),
        Some(&format!("{encoded}&form={secret}")),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(moved.header("location"), Some(manage.as_str()));
    let after = page(&server, "GET", &manage, None).await;
    let shown_time = |html: &str| {
        html.split("<strong>")
            .nth(1)
            .and_then(|rest| rest.split("</strong>").next())
            .unwrap_or("")
            .to_string()
    };
    assert!(shown_time(&shown.text).starts_with("Tuesday 3 March 2026, 10:00"));
    assert_ne!(shown_time(&after.text), shown_time(&shown.text), "moved");

    // Another day's free times.
    let thursday = page(&server, "GET", &format!("{manage}?date=2026-03-05"), None).await;
    assert_eq!(thursday.status, StatusCode::OK);
    assert!(
        thursday.text.contains("Free on Thursday 5 March 2026"),
        "{}",
        thursday.text
    );
    let wrong = page(&server, "GET", &format!("{manage}?date=soon"), None).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);

    // Cancelled.
    let cancelled = page(
        &server,
        "POST",
        &format!("{manage}/cancel"),
        Some(&format!("form={secret}")),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let after = page(&server, "GET", &manage, None).await;
    assert!(after.text.contains("cancelled"), "{}", after.text);
    assert!(after.text.contains("Book another time"));

    let unknown = page(&server, "GET", "/manage/not-a-token", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    server.stop().await;
}
