//! The booking page without JavaScript: meeting → time (recommended ones with their
//! reasons, then all of the day's, in the zone asked for) → details → confirmation
//! (the manage page, with the .ics to add), counting the clicks and fields it takes,
//! and its weight; its form works only with the page's own secret.

use hyper::StatusCode;

use crate::support::{RawReply, TestServer};

async fn page(server: &TestServer, method: &str, path: &str, form: Option<&str>) -> RawReply {
    let headers: &[(&str, &str)] = if form.is_some() {
        &[("content-type", "application/x-www-form-urlencoded")]
    } else {
        &[]
    };
    server.dav(method, path, form, headers, false).await
}

/// The `href`s of the links in `html` that start with `prefix`, entities decoded.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| {
            href.replace("&amp;", "&")
                .replace("&#38;", "&")
                .replace("&#43;", "+")
        })
        .filter(|href| href.starts_with(prefix))
        .collect()
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
        .replace("&#43;", "+")
        .replace("&#58;", ":")
}

#[tokio::test]
async fn a_visitor_books_in_three_clicks_and_three_fields_without_javascript() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;

    // Step 1: the meeting.
    let landing = page(&server, "GET", "/", None).await;
    assert_eq!(landing.status, StatusCode::OK);
    assert!(landing.text.contains("Step 1 of 4"));
    assert!(
        landing.text.len() < 100_000,
        "light: {} bytes",
        landing.text.len()
    );
    let kind = links(&landing.text, "/?type=consultation")
        .into_iter()
        .next()
        .expect("the consultation");

    // Step 2: a time, in New York on Tuesday 3 March (click 1 was the meeting).
    // The visitor's zone is the host's here; a phone elsewhere sends its own `tz`.
    let day = format!("{kind}&date=2026-03-03");
    let times = page(&server, "GET", &day, None).await;
    assert_eq!(times.status, StatusCode::OK);
    assert!(times.text.contains("Step 2 of 4") && times.text.contains("Recommended times"));
    assert!(
        times.text.contains("Tuesday 3 March 2026"),
        "{}",
        times.text
    );
    // The week view: a column per day, from Tuesday on.
    let week = page(&server, "GET", &format!("{day}&view=week"), None).await;
    assert_eq!(week.status, StatusCode::OK);
    for column in ["Tue 3 Mar", "Wed 4 Mar", "Mon 9 Mar"] {
        assert!(week.text.contains(column), "{column}: {}", week.text);
    }
    assert!(
        links(
            &week.text,
            "/?type=consultation&tz=America/New_York&start=2026-03-04"
        )
        .len()
            > 3,
        "Wednesday's times"
    );
    let choice = links(
        &times.text,
        "/?type=consultation&tz=America/New_York&start=",
    )
    .into_iter()
    .next()
    .expect("a recommended time");

    // Step 3: details (click 2 was the time): three fields.
    let details = page(&server, "GET", &choice, None).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.text);
    assert!(details.text.contains("Step 3 of 4"));
    let fields =
        details.text.matches("<input id=").count() + details.text.matches("<textarea").count();
    assert_eq!(fields, 3, "name, email, purpose");
    let secret = hidden(&details.text, "form");
    let start = hidden(&details.text, "start");
    let form = |secret: &str, email: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("form", secret)
            .append_pair("type", "consultation")
            .append_pair("start", &start)
            .append_pair("tz", "America/New_York")
            .append_pair("name", "Ada Lovelace")
            .append_pair("email", email)
            .append_pair("purpose", "My tax return")
            .finish()
    };
    // Another site's form, and a mistyped address: nothing is booked; the typing is kept.
    let forged = page(
        &server,
        "POST",
        "/book",
        Some(&form("guess", "ada@example.com")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let mistyped = page(
        &server,
        "POST",
        "/book",
        Some(&form(&secret, "ada-at-example")),
    )
    .await;
    assert_eq!(mistyped.status, StatusCode::BAD_REQUEST);
    assert!(
        mistyped.text.contains("value=\"Ada Lovelace\""),
        "{}",
        mistyped.text
    );

    // Click 3: booked; step 4 is the manage page, with the .ics to add.
    let booked = page(
        &server,
        "POST",
        "/book",
        Some(&form(&secret, "ada@example.com")),
    )
    .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.text);
    let confirmation = booked
        .header("location")
        .expect("where it went")
        .to_string();
    assert!(confirmation.starts_with("/manage/") && confirmation.ends_with("?booked=1"));
    let shown = page(&server, "GET", &confirmation, None).await;
    assert!(shown.text.contains("Step 4 of 4") && shown.text.contains("ada@example.com"));
    let ics = links(&shown.text, "/manage/")
        .into_iter()
        .find(|href| href.ends_with("/event.ics"))
        .expect("an .ics link");
    let event = page(&server, "GET", &ics, None).await;
    assert_eq!(
        event.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert!(
        event.text.contains("BEGIN:VEVENT")
            && event
                .text
                .contains("SUMMARY:Consultation with Ada Lovelace")
    );

    // The same time again: taken, and the day's other times are offered.
    let again = page(
        &server,
        "POST",
        "/book",
        Some(&form(&secret, "grace@example.com")),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text.contains("was just taken") && again.text.contains("Step 2 of 4"));
    server.stop().await;
}

#[tokio::test]
async fn the_page_script_is_served_from_the_server_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let landing = page(&server, "GET", "/", None).await;
    assert!(landing.text.contains("<script src=\"/static/kairos.js\""));
    let policy = landing.header("content-security-policy").expect("a policy");
    assert!(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"));
    let script = page(&server, "GET", "/static/kairos.js", None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.text.contains("resolvedOptions().timeZone"));
    // A zone the visitor's browser names is honoured.
    let tokyo = page(
        &server,
        "GET",
        "/?type=consultation&tz=Asia/Tokyo&date=2026-03-04",
        None,
    )
    .await;
    assert!(
        tokyo
            .text
            .contains("<option value=\"Asia/Tokyo\" selected>"),
        "{}",
        tokyo.text
    );
    let unknown = page(&server, "GET", "/?type=consultation&tz=Mars/Olympus", None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn the_page_assistant_reads_words_and_carries_length_and_purpose_into_the_booking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let asked = page(
        &server,
        "GET",
        "/?type=consultation&tz=America/New_York&say=next+Tuesday+afternoon+for+45+minutes",
        None,
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.text.contains("These are the best times"),
        "{}",
        asked.text
    );
    let chat = hidden(&asked.text, "chat");
    assert!(!chat.is_empty(), "the conversation goes on");
    let about = page(
        &server,
        "GET",
        &format!(
            "/?type=consultation&tz=America/New_York&chat={chat}&say=it%27s+about+my+tax+return"
        ),
        None,
    )
    .await;
    assert!(about.text.contains("Noted"), "{}", about.text);
    let again = page(
        &server,
        "GET",
        &format!("/?type=consultation&tz=America/New_York&chat={chat}&say=option+1"),
        None,
    )
    .await;
    let pick = links(
        &again.text,
        "/?type=consultation&tz=America/New_York&start=",
    )
    .into_iter()
    .find(|href| href.contains("duration=45"))
    .unwrap_or_else(|| panic!("a time of 45 minutes: {}", again.text));
    assert!(pick.contains("purpose=my+tax+return"), "{pick}");
    let details = page(&server, "GET", &pick, None).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.text);
    assert!(
        details.text.contains("my tax return"),
        "the purpose is filled in"
    );
    assert_eq!(hidden(&details.text, "duration"), "45");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("form", &hidden(&details.text, "form"))
        .append_pair("type", "consultation")
        .append_pair("start", &hidden(&details.text, "start"))
        .append_pair("tz", "America/New_York")
        .append_pair("duration", "45")
        .append_pair("name", "Ada Lovelace")
        .append_pair("email", "ada@example.com")
        .append_pair("purpose", "my tax return")
        .finish();
    let booked = page(&server, "POST", "/book", Some(&form)).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.text);
    let shown = page(
        &server,
        "GET",
        booked.header("location").expect("where"),
        None,
    )
    .await;
    assert!(
        shown.text.contains("Tuesday 10 March 2026"),
        "{}",
        shown.text
    );
    let when = shown
        .text
        .split("<strong>Tuesday 10 March 2026, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the time");
    let (from, to) = when.split_once('–').expect("a range");
    let minutes = |hm: &str| {
        let (h, m) = hm.split_once(':').expect("h:m");
        h.parse::<i64>().expect("h") * 60 + m.parse::<i64>().expect("m")
    };
    assert_eq!(minutes(to) - minutes(from), 45, "{when}");
    server.stop().await;
}
