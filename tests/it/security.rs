//! The security sweep: every route of the router, walked without credentials and with
//! wrong ones, answers 401, 403 or 404 unless it is public (the booking page and API,
//! the public free/busy, health) or opened by its own secret (manage and offer links,
//! which a wrong token does not open); HTML carries the security headers; wrong
//! passwords are throttled per address.

use hyper::StatusCode;

use crate::support::{TestServer, booking};

/// What a request without the right credentials may get.
#[derive(Clone, Copy, Debug)]
enum Guard {
    /// Open to anyone: any answer but 401 and 5xx.
    Public,
    /// Needs the admin credentials, a manage token or the page's own secret.
    Closed,
}

/// The sweep, one route a line: who may call it, the request, and the arm of the routing
/// table it exercises (as written in src/routes.rs). `{id}` is a booked appointment,
/// `{user}` its client, `{wrong}` a token of the right shape that opens nothing.
const SWEEP: &str = r#"
public | PROPFIND | /.well-known/caldav                  | -           | (_, [".well-known", "caldav"])
public | GET      | /freebusy/domina.vfb                 | -           | (Method::GET, ["freebusy", file])
public | GET      | /healthz                             | -           | (Method::GET, ["healthz"])
closed | GET      | /metrics                             | -           | (Method::GET, ["metrics"])
closed | POST     | /google/notify                       | -           | (Method::POST, ["google", "notify"])
public | GET      | /                                    | -           | (Method::GET, [""])
closed | GET      | /admin                               | -           | (Method::GET, ["admin"])
closed | GET      | /admin/export/appointments.csv       | -           | (Method::GET, ["admin", "export", file])
closed | POST     | /admin/appointments/{id}/cancel      | form        | (Method::POST, ["admin", "appointments", id, what @ ("cancel" | "no-show")])
closed | POST     | /admin/appointments/{id}/no-show     | form        | (Method::POST, ["admin", "appointments", id, what @ ("cancel" | "no-show")])
closed | POST     | /admin/outbox/1/retry                | form        | (Method::POST, ["admin", "outbox", id, "retry"])
public | GET      | /static/kairos.js                    | -           | (Method::GET, ["static", "kairos.js"])
closed | POST     | /book                                | form        | (Method::POST, ["book"])
closed | GET      | /manage/{wrong}                      | -           | (Method::GET, ["manage", token])
closed | GET      | /manage/{wrong}/event.ics            | -           | (Method::GET, ["manage", token, "event.ics"])
closed | POST     | /manage/{wrong}/cancel               | form        | (Method::POST, ["manage", token, "cancel"])
closed | POST     | /manage/{wrong}/reschedule           | form        | (Method::POST, ["manage", token, "reschedule"])
closed | GET      | /offers/{wrong}                      | -           | (Method::GET, ["offers", token])
closed | GET      | /offers/{wrong}/1                    | -           | (Method::GET, ["offers", token, n])
closed | POST     | /offers/{wrong}/1                    | form        | (Method::POST, ["offers", token, n])
public | GET      | /api/availability?date=2026-03-04&duration=30&timezone=UTC | - | (Method::GET, ["api", "availability"])
public | POST     | /api/appointments                    | -           | (Method::POST, ["api", "appointments"])
public | POST     | /api/chat                            | chat        | (Method::POST, ["api", "chat"])
closed | GET      | /api/appointments/{id}               | -           | (Method::GET, ["api", "appointments", id])
closed | GET      | /api/appointments/{id}?token={wrong} | -           | (Method::GET, ["api", "appointments", id])
closed | POST     | /api/appointments/{id}/cancel?token={wrong} | -    | (Method::POST, ["api", "appointments", id, "cancel"])
closed | POST     | /api/appointments/{id}/reschedule    | reschedule  | (Method::POST, ["api", "appointments", id, "reschedule"])
closed | GET      | /api/users/{user}/preferences        | -           | (Method::GET, ["api", "users", id, "preferences"])
closed | PUT      | /api/users/{user}/preferences?token={wrong} | preferences | (Method::PUT, ["api", "users", id, "preferences"])
closed | GET      | /api/users/{user}/patterns           | -           | (Method::GET, ["api", "users", id, "patterns"])
"#;

/// Everything under /dav/ is closed, whatever the method and path.
const DAV_PATHS: [&str; 5] = [
    "/dav/",
    "/dav/principals/domina/",
    "/dav/calendars/domina/",
    "/dav/calendars/domina/bookings/",
    "/dav/calendars/domina/new/",
];
const DAV_METHODS: [&str; 14] = [
    "OPTIONS",
    "PROPFIND",
    "PROPPATCH",
    "REPORT",
    "GET",
    "HEAD",
    "PUT",
    "DELETE",
    "MKCOL",
    "MKCALENDAR",
    "POST",
    "MOVE",
    "COPY",
    "LOCK",
];

/// One request of the sweep.
struct Route {
    arm: String,
    method: String,
    path: String,
    body: &'static str,
    guard: Guard,
}

fn body(name: &str) -> &'static str {
    match name {
        "form" => "form=forged&startTime=2026-03-03T11:00:00-05:00",
        "chat" => r#"{"message": "hello"}"#,
        "reschedule" => r#"{"startTime": "2026-03-03T11:00:00-05:00"}"#,
        "preferences" => r#"{"bufferMinutes": 5}"#,
        _ => "",
    }
}

fn routes(id: &str, user: &str, wrong: &str) -> Vec<Route> {
    let fill = |text: &str| {
        text.replace("{id}", id)
            .replace("{user}", user)
            .replace("{wrong}", wrong)
    };
    let mut routes: Vec<Route> = SWEEP
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.splitn(5, " | ").map(str::trim).collect();
            let [guard, method, path, name, arm] = cells[..] else {
                panic!("a line of the sweep has five cells: {line}");
            };
            Route {
                arm: arm.to_string(),
                method: method.to_string(),
                path: fill(path),
                body: body(name),
                guard: if guard == "public" {
                    Guard::Public
                } else {
                    Guard::Closed
                },
            }
        })
        .collect();
    for path in DAV_PATHS
        .iter()
        .map(|p| p.to_string())
        .chain([format!("/dav/calendars/domina/bookings/{id}.ics")])
    {
        for method in DAV_METHODS {
            routes.push(Route {
                arm: "dav".into(),
                method: method.into(),
                path: path.clone(),
                body: "",
                guard: Guard::Closed,
            });
        }
    }
    routes
}

/// The arms of `Router::route`, as written.
fn router_arms() -> Vec<String> {
    let source = include_str!("../../src/routes.rs");
    let body = source
        .split_once("let answer = match")
        .and_then(|(_, rest)| rest.split_once("(_, segments) =>"))
        .expect("the routing table in src/routes.rs")
        .0;
    body.lines()
        .filter_map(|line| {
            line.trim()
                .split_once(" => ")
                .map(|(arm, _)| arm.to_string())
        })
        .filter(|arm| arm.starts_with('('))
        .collect()
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

#[test]
fn the_sweep_covers_every_arm_of_the_routing_table() {
    let routes = routes("apt_x", "usr_x", "x");
    let covered: Vec<&str> = routes.iter().map(|r| r.arm.as_str()).collect();
    let arms = router_arms();
    assert!(arms.len() > 20, "found the arms: {arms:?}");
    for arm in &arms {
        assert!(
            covered.contains(&arm.as_str()),
            "the route {arm} is not in the security sweep"
        );
    }
}

#[tokio::test]
async fn every_route_refuses_missing_and_wrong_credentials_unless_public() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with(
        dir.path(),
        std::sync::Arc::new(kairos::domain::SettableClock::new(
            crate::support::monday_morning(),
        )),
        |config| {
            config.server.failed_login_limit = 0;
            config.server.failed_login_delay = std::time::Duration::ZERO;
            config.server.rate_limit_per_minute = 0;
        },
    )
    .await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let appointment = &booked.body["appointment"];
    let id = appointment["id"].as_str().expect("an id");
    let user = appointment["user"]["id"].as_str().expect("a client id");
    let token = appointment["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .expect("a token");
    // Same length and alphabet as the real token, differing in the last character.
    let mut wrong = token.to_string();
    let last = if wrong.ends_with('a') { "b" } else { "a" };
    wrong.replace_range(wrong.len() - 1.., last);

    let wrong_password = basic("domina", "not-the-password");
    let wrong_user = basic("mallory", crate::support::ADMIN_PASSWORD);
    for route in routes(id, user, &wrong) {
        let credentials: [Option<&str>; 3] = [None, Some(&wrong_password), Some(&wrong_user)];
        for credential in credentials {
            let mut headers = vec![("content-type", "application/json")];
            if let Some(credential) = credential {
                headers.push(("authorization", credential));
            }
            let body = (!route.body.is_empty()).then_some(route.body);
            let reply = server
                .dav(&route.method, &route.path, body, &headers, false)
                .await;
            let status = reply.status;
            let what = format!(
                "{} {} ({}) {}: {}",
                route.method,
                route.path,
                if credential.is_some() {
                    "wrong credentials"
                } else {
                    "no credentials"
                },
                status,
                reply.text
            );
            assert!(!status.is_server_error(), "{what}");
            assert!(
                !reply.text.contains("ada@example.com"),
                "leaks the client: {what}"
            );
            match (route.guard, credential) {
                (Guard::Closed, _) => assert!(matches!(status.as_u16(), 401 | 403 | 404), "{what}"),
                (Guard::Public, None) => assert_ne!(status, StatusCode::UNAUTHORIZED, "{what}"),
                (Guard::Public, Some(_)) => {}
            }
            if status == StatusCode::UNAUTHORIZED && route.arm == "dav" {
                assert!(
                    reply
                        .header("www-authenticate")
                        .is_some_and(|v| v.starts_with("Basic")),
                    "a DAV 401 asks for Basic credentials: {what}"
                );
            }
        }
    }
    // The appointment is untouched by all of it.
    let after = server
        .get(&format!("/api/appointments/{id}?token={token}"))
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["appointment"]["status"], "confirmed");
    assert_eq!(
        after.body["appointment"]["start"],
        "2026-03-03T09:00:00-05:00"
    );
}

#[tokio::test]
async fn html_pages_carry_the_security_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "ada@example.com"),
        )
        .await;
    let manage = booked.body["appointment"]["manageUrl"]
        .as_str()
        .expect("a manage link")
        .trim_start_matches(&server.base)
        .to_string();
    let admin = crate::support::admin_header();
    let pages: [(&str, Vec<(&str, &str)>); 4] = [
        ("/", vec![]),
        (&manage, vec![]),
        ("/admin", vec![("authorization", admin.as_str())]),
        ("/offers/nothing-here", vec![]),
    ];
    for (path, headers) in pages {
        let reply = server.dav("GET", path, None, &headers, false).await;
        assert!(
            reply
                .header("content-type")
                .is_some_and(|v| v.starts_with("text/html")),
            "{path}: {:?}",
            reply.header("content-type")
        );
        let policy = reply.header("content-security-policy").unwrap_or_default();
        let script = policy
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src"))
            .unwrap_or_default();
        assert_eq!(script, "script-src 'self'", "{path}: no inline script");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
    }
}

#[test]
fn templates_have_no_inline_script_or_event_handler() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut stack = vec![dir];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "html") {
                continue;
            }
            seen += 1;
            let text = std::fs::read_to_string(&path).expect("a template");
            for (n, tag) in text.match_indices("<script").map(|(n, _)| (n, &text[n..])) {
                let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                assert!(
                    tag.contains(" src="),
                    "{}:{n}: inline script",
                    path.display()
                );
            }
            let lower = text.to_ascii_lowercase();
            for handler in [
                " onclick=",
                " onload=",
                " onsubmit=",
                " onchange=",
                " oninput=",
                " onerror=",
                "javascript:",
            ] {
                assert!(!lower.contains(handler), "{}: {handler}", path.display());
            }
        }
    }
    assert!(seen > 3, "templates found: {seen}");
}

#[tokio::test]
async fn wrong_passwords_are_refused_per_address_once_over_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with(
        dir.path(),
        std::sync::Arc::new(kairos::domain::SettableClock::new(
            crate::support::monday_morning(),
        )),
        |config| {
            config.server.failed_login_limit = 3;
            config.server.failed_login_delay = std::time::Duration::from_millis(5);
        },
    )
    .await;
    let wrong = basic("domina", "guess");
    for _ in 0..3 {
        let reply = server
            .dav(
                "PROPFIND",
                "/dav/",
                None,
                &[("authorization", &wrong), ("depth", "0")],
                false,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused from this address, before it is checked.
    for (method, path) in [("PROPFIND", "/dav/"), ("GET", "/admin")] {
        let reply = server
            .dav(method, path, None, &[("depth", "0")], true)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{method} {path}"
        );
        assert!(
            reply.text.contains("too_many_failed_logins"),
            "{}",
            reply.text
        );
        let wait: u64 = reply
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=900).contains(&wait), "{wait}");
    }
    // Requests without credentials are served as before.
    let public = server.get("/healthz").await;
    assert_eq!(public.status, StatusCode::OK);
    let challenge = server.dav("PROPFIND", "/dav/", None, &[], false).await;
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_rate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with(
        dir.path(),
        std::sync::Arc::new(kairos::domain::SettableClock::new(
            crate::support::monday_morning(),
        )),
        |config| {
            config.server.rate_limit_per_minute = 2;
            config.server.trusted_proxies = vec!["127.0.0.1/32".parse().expect("a network")];
        },
    )
    .await;
    let page = |client: &'static str| {
        let server = &server;
        async move {
            server
                .dav("GET", "/", None, &[("x-forwarded-for", client)], false)
                .await
                .status
        }
    };
    assert_eq!(page("203.0.113.1").await, StatusCode::OK);
    assert_eq!(page("203.0.113.1").await, StatusCode::OK);
    assert_eq!(page("203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(page("203.0.113.2").await, StatusCode::OK, "another client");
    // A client cannot pick its own address by prepending to the header.
    assert_eq!(
        page("198.51.100.7, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
