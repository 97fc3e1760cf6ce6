//! The Google mirror, pulled from FakeGoogle (a real HTTP server on loopback speaking
//! the Calendar API's JSON): a full listing then changes by sync token, pages, an
//! expired token (410) relisted in full, transparent, declined and cancelled events
//! taking no time, titles kept out of free/busy, and failures tried again.

use std::sync::Arc;
use std::time::Duration;

use kairos::config::{Config, GoogleConfig, GoogleCredentials, Secret};
use kairos::domain::SettableClock;
use serde_json::{Value, json};

use crate::support::fake_google::{FakeGoogle, Fault};
use crate::support::{TestServer, monday_morning};

pub(crate) fn mirror_of(fake: &FakeGoogle) -> GoogleConfig {
    GoogleConfig {
        credentials: GoogleCredentials::AuthorizedUser {
            client_id: "kairos-test.apps.example".into(),
            client_secret: Secret::new("client-secret"),
            refresh_token: Secret::new("refresh-token"),
        },
        calendars: vec!["primary".into()],
        push_calendar: "primary".into(),
        poll_interval: Duration::from_millis(100),
        all_day_busy: true,
        base_url: fake.base_url(),
        token_url: fake.token_url(),
        watch_url: None,
    }
}

fn event(id: &str, start: &str, end: &str) -> Value {
    json!({
        "kind": "calendar#event",
        "id": id,
        "iCalUID": format!("{id}@google.com"),
        "status": "confirmed",
        "summary": format!("Private matter {id}"),
        "start": {"dateTime": start},
        "end": {"dateTime": end},
    })
}

/// The host's published free/busy for Tuesday 2 … Saturday 7 March.
async fn free_busy(server: &TestServer) -> String {
    let reply = server
        .dav(
            "GET",
            "/freebusy/domina.vfb?start=2026-03-02&end=2026-03-07",
            None,
            &[],
            false,
        )
        .await;
    reply.text.replace("\r\n ", "")
}

/// Waits up to 10 s until free/busy satisfies `check`.
async fn until(server: &TestServer, what: &str, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..400 {
        let text = free_busy(server).await;
        if check(&text) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what}:\n{}", free_busy(server).await);
}

#[tokio::test]
async fn google_busy_time_is_pulled_in_full_then_by_sync_token_and_relisted_after_410() {
    let fake = FakeGoogle::start().await;
    // Tuesday 14:00–15:00 New York is busy; 15:00–16:00 is marked free; Wednesday
    // 10:00 was declined by the host; 300 more events make the listing take pages.
    fake.put_event(
        "primary",
        event("busy1", "2026-03-03T19:00:00Z", "2026-03-03T20:00:00Z"),
    );
    let mut transparent = event("free1", "2026-03-03T20:00:00Z", "2026-03-03T21:00:00Z");
    transparent["transparency"] = json!("transparent");
    fake.put_event("primary", transparent);
    let mut declined = event("declined1", "2026-03-04T15:00:00Z", "2026-03-04T16:00:00Z");
    declined["attendees"] =
        json!([{"email": "domina@kairos.example", "self": true, "responseStatus": "declined"}]);
    fake.put_event("primary", declined);
    for n in 0..300 {
        let day = 10 + n % 15;
        fake.put_event(
            "primary",
            event(
                &format!("later{n}"),
                &format!("2026-04-{day:02}T13:00:00Z"),
                &format!("2026-04-{day:02}T13:30:00Z"),
            ),
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let mirror = mirror_of(&fake);
    let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
        config.google = Some(mirror);
    })
    .await;

    let shown = until(&server, "Tuesday 14:00 busy", |text| {
        text.contains("20260303T190000Z/20260303T200000Z")
    })
    .await;
    assert!(
        !shown.contains("20260303T200000Z/20260303T210000Z"),
        "transparent: {shown}"
    );
    assert!(!shown.contains("20260304T150000Z"), "declined: {shown}");
    assert!(!shown.contains("Private matter"), "no titles: {shown}");
    // What Kairos publishes agrees with Google's own free/busy for the same days.
    let google = fake
        .free_busy("primary", "2026-03-02T00:00:00Z", "2026-03-07T00:00:00Z")
        .await;
    assert_eq!(
        google,
        [(
            "2026-03-03T19:00:00Z".to_string(),
            "2026-03-03T20:00:00Z".to_string()
        )],
        "Google's own answer: the busy hour only"
    );
    let lists: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/events"))
        .collect();
    assert!(lists.len() >= 2, "a second page was asked for");
    assert!(lists[1].query.contains("pageToken=p250"), "{:?}", lists[1]);
    assert!(
        lists.iter().all(|r| r
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bearer "))),
        "signed in"
    );

    // A change arrives by sync token; a cancelled event frees its time.
    fake.put_event(
        "primary",
        event("busy2", "2026-03-05T16:00:00Z", "2026-03-05T17:00:00Z"),
    );
    fake.cancel_event("primary", "busy1");
    let shown = until(&server, "the change pulled", |text| {
        text.contains("20260305T160000Z/20260305T170000Z")
    })
    .await;
    assert!(!shown.contains("20260303T190000Z"), "cancelled: {shown}");
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.query.contains("syncToken=t")),
        "pulled by sync token"
    );

    // Failures are tried again; an expired token starts a full listing.
    fake.fail_next(&[
        Fault::Status(503),
        Fault::Drop,
        Fault::Slow(Duration::from_millis(200)),
        Fault::Status(429),
    ]);
    fake.expire_sync_tokens();
    fake.put_event(
        "primary",
        event("busy3", "2026-03-06T14:00:00Z", "2026-03-06T15:00:00Z"),
    );
    let shown = until(&server, "relisted after 410", |text| {
        text.contains("20260306T140000Z/20260306T150000Z")
    })
    .await;
    assert!(
        shown.contains("20260305T160000Z/20260305T170000Z"),
        "{shown}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_service_account_signs_in_with_an_assertion_for_its_subject() {
    let fake = FakeGoogle::start().await;
    fake.put_event(
        "primary",
        event("busy1", "2026-03-03T19:00:00Z", "2026-03-03T20:00:00Z"),
    );
    let key = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/google/service-account.json"),
    )
    .expect("the fixture key");
    let mut mirror = mirror_of(&fake);
    mirror.credentials = GoogleCredentials::ServiceAccount {
        key_json: Secret::new(key),
        subject: Some("domina@kairos.example".into()),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
        config.google = Some(mirror);
    })
    .await;
    until(&server, "pulled with the service account", |text| {
        text.contains("20260303T190000Z/20260303T200000Z")
    })
    .await;
    let token = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("a token request");
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(token.body.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        form.get("grant_type").map(String::as_str),
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    let assertion = form.get("assertion").expect("a signed assertion");
    let claims = assertion.split('.').nth(1).expect("a JWT");
    use base64::Engine as _;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims.trim_end_matches('='))
            .expect("base64url"),
    )
    .expect("JSON claims");
    assert_eq!(
        claims["iss"],
        "kairos-mirror@kairos-test.iam.gserviceaccount.example"
    );
    assert_eq!(claims["sub"], "domina@kairos.example");
    assert_eq!(claims["aud"], fake.token_url().as_str());
    assert!(
        claims["scope"]
            .as_str()
            .is_some_and(|scope| scope.contains("auth/calendar")),
        "{claims}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_google_notification_pulls_at_once_and_a_forged_one_is_refused() {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let mut mirror = mirror_of(&fake);
    // Only a notification can explain a pull within the test's time.
    mirror.poll_interval = Duration::from_secs(3600);
    let server = TestServer::start_with(dir.path(), clock, move |config: &mut Config| {
        mirror.watch_url = Some(format!("{}/google/notify", config.server.public_url));
        config.google = Some(mirror);
    })
    .await;
    let mut channel = None;
    for _ in 0..400 {
        channel = fake.channels().into_iter().next();
        if channel.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let channel = channel.expect("Kairos opened a notification channel");
    let address = channel["address"].as_str().expect("an address").to_string();
    assert_eq!(address, format!("{}/google/notify", server.base));
    let token = channel["token"].as_str().expect("a token").to_string();
    let path = address.trim_start_matches(&server.base).to_string();

    let forged = server
        .dav(
            "POST",
            &path,
            None,
            &[
                ("X-Goog-Channel-Token", "guessed"),
                ("X-Goog-Resource-State", "exists"),
            ],
            false,
        )
        .await;
    assert_eq!(forged.status, hyper::StatusCode::FORBIDDEN);

    fake.put_event(
        "primary",
        event("busy9", "2026-03-04T18:00:00Z", "2026-03-04T19:00:00Z"),
    );
    let notified = std::time::Instant::now();
    let told = server
        .dav(
            "POST",
            &path,
            None,
            &[
                ("X-Goog-Channel-ID", channel["id"].as_str().unwrap_or("")),
                ("X-Goog-Channel-Token", &token),
                ("X-Goog-Resource-State", "exists"),
            ],
            false,
        )
        .await;
    assert_eq!(told.status, hyper::StatusCode::OK, "{}", told.text);
    until(&server, "pulled on notification", |text| {
        text.contains("20260304T180000Z/20260304T190000Z")
    })
    .await;
    eprintln!(
        "Google change → free/busy after a notification: {} ms",
        notified.elapsed().as_millis()
    );
    server.stop().await;
}

#[tokio::test]
async fn google_auth_trades_the_consent_code_for_a_refresh_token_with_pkce() {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let client_file = dir.path().join("client.json");
    std::fs::write(
        &client_file,
        json!({"installed": {
            "client_id": "kairos-desktop.apps.example",
            "client_secret": "desktop-secret",
            "auth_uri": "https://accounts.example/o/oauth2/auth",
            "token_uri": fake.token_url(),
        }})
        .to_string(),
    )
    .expect("written");
    let out = dir.path().join("google-credentials.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kairos"))
        .arg("google-auth")
        .arg("--client-secret")
        .arg(&client_file)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kairos starts");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let consent = loop {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the consent page is printed")
            .expect("readable")
            .expect("a line");
        if let Some(url) = line.trim().strip_prefix("https://accounts.example/") {
            break url::Url::parse(&format!("https://accounts.example/{url}")).expect("a URL");
        }
    };
    let params: std::collections::HashMap<String, String> =
        consent.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "kairos-desktop.apps.example");
    assert_eq!(params["access_type"], "offline");
    assert_eq!(params["code_challenge_method"], "S256");
    assert!(params["scope"].contains("auth/calendar"));
    // Google sends the browser back to the loopback listener with the code.
    let redirect = url::Url::parse(&params["redirect_uri"]).expect("a redirect URI");
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    let mut browser =
        tokio::net::TcpStream::connect(("127.0.0.1", redirect.port().expect("a port")))
            .await
            .expect("the listener answers");
    let code = crate::support::fake_google::CONSENT_CODE.replace('/', "%2F");
    browser
        .write_all(
            format!(
                "GET /?code={code}&state={}&scope=calendar HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                params["state"]
            )
            .as_bytes(),
        )
        .await
        .expect("sent");
    let mut page = String::new();
    browser.read_to_string(&mut page).await.expect("a page");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("it ends")
        .expect("it ran");
    assert!(status.success());
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(saved["type"], "authorized_user");
    assert_eq!(saved["refresh_token"], "fake-refresh-from-consent");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
    // The verifier sent matches the challenge shown (PKCE).
    let exchange = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/token")
        .expect("the code was traded");
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(exchange.body.as_bytes())
            .into_owned()
            .collect();
    use base64::Engine as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, form["code_verifier"].as_bytes());
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref()),
        params["code_challenge"]
    );
}
