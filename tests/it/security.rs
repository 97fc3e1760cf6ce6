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

/// One route: the arm of the routing table it exercises (as written in src/routes.rs),
/// and a request to it.
struct Route {
    arm: &'static str,
    method: &'static str,
    path: String,
    body: &'static str,
    guard: Guard,
}

fn route(arm: &'static str, method: &'static str, path: String, guard: Guard) -> Route {
    Route {
        arm,
        method,
        path,
        body: "",
        guard,
    }
}

/// The sweep over a booked appointment `id` of client `user`; `wrong` is a token
/// of the right shape that opens nothing.
fn routes(id: &str, user: &str, wrong: &str) -> Vec<Route> {
    use Guard::{Closed, Public};
    let form = "form=forged&startTime=2026-03-03T11:00:00-05:00";
    let mut routes = vec![
        route(
            r#"(_, [".well-known", "caldav"])"#,
            "PROPFIND",
            "/.well-known/caldav".into(),
            Public,
        ),
        route(
            r#"(Method::GET, ["freebusy", file])"#,
            "GET",
            "/freebusy/domina.vfb".into(),
            Public,
        ),
        route(
            r#"(Method::GET, ["healthz"])"#,
            "GET",
            "/healthz".into(),
            Public,
        ),
        route(
            r#"(Method::POST, ["google", "notify"])"#,
            "POST",
            "/google/notify".into(),
            Closed,
        ),
        route(r#"(Method::GET, [""])"#, "GET", "/".into(), Public),
        route(
            r#"(Method::GET, ["admin"])"#,
            "GET",
            "/admin".into(),
            Closed,
        ),
        route(
            r#"(Method::GET, ["admin", "export", file])"#,
            "GET",
            "/admin/export/appointments.csv".into(),
            Closed,
        ),
        route(
            r#"(Method::POST, ["admin", "appointments", id, what @ ("cancel" | "no-show")])"#,
            "POST",
            format!("/admin/appointments/{id}/cancel"),
            Closed,
        ),
        route(
            r#"(Method::POST, ["admin", "appointments", id, what @ ("cancel" | "no-show")])"#,
            "POST",
            format!("/admin/appointments/{id}/no-show"),
            Closed,
        ),
        route(
            r#"(Method::POST, ["admin", "outbox", id, "retry"])"#,
            "POST",
            "/admin/outbox/1/retry".into(),
            Closed,
        ),
        route(
            r#"(Method::GET, ["static", "kairos.js"])"#,
            "GET",
            "/static/kairos.js".into(),
            Public,
        ),
        Route {
            body: form,
            ..route(
                r#"(Method::POST, ["book"])"#,
                "POST",
                "/book".into(),
                Closed,
            )
        },
        route(
            r#"(Method::GET, ["manage", token])"#,
            "GET",
            format!("/manage/{wrong}"),
            Closed,
        ),
        route(
            r#"(Method::GET, ["manage", token, "event.ics"])"#,
            "GET",
            format!("/manage/{wrong}/event.ics"),
            Closed,
        ),
        Route {
            body: form,
            ..route(
                r#"(Method::POST, ["manage", token, "cancel"])"#,
                "POST",
                format!("/manage/{wrong}/cancel"),
                Closed,
            )
        },
        Route {
            body: form,
            ..route(
                r#"(Method::POST, ["manage", token, "reschedule"])"#,
                "POST",
                format!("/manage/{wrong}/reschedule"),
                Closed,
            )
        },
        route(
            r#"(Method::GET, ["offers", token])"#,
            "GET",
            format!("/offers/{wrong}"),
            Closed,
        ),
        route(
            r#"(Method::GET, ["offers", token, n])"#,
            "GET",
            format!("/offers/{wrong}/1"),
            Closed,
        ),
        Route {
            body: form,
            ..route(
                r#"(Method::POST, ["offers", token, n])"#,
                "POST",
                format!("/offers/{wrong}/1"),
                Closed,
            )
        },
        route(
            r#"(Method::GET, ["api", "availability"])"#,
            "GET",
            "/api/availability?date=2026-03-04&duration=30&timezone=UTC".into(),
            Public,
        ),
        Route {
            body: r#"{"message": "hello"}"#,
            ..route(
                r#"(Method::POST, ["api", "chat"])"#,
                "POST",
                "/api/chat".into(),
                Public,
            )
        },
        route(
            r#"(Method::GET, ["api", "appointments", id])"#,
            "GET",
            format!("/api/appointments/{id}"),
            Closed,
        ),
        route(
            r#"(Method::GET, ["api", "appointments", id])"#,
            "GET",
            format!("/api/appointments/{id}?token={wrong}"),
            Closed,
        ),
        route(
            r#"(Method::POST, ["api", "appointments", id, "cancel"])"#,
            "POST",
            format!("/api/appointments/{id}/cancel?token={wrong}"),
            Closed,
        ),
        Route {
            body: r#"{"startTime": "2026-03-03T11:00:00-05:00"}"#,
            ..route(
                r#"(Method::POST, ["api", "appointments", id, "reschedule"])"#,
                "POST",
                format!("/api/appointments/{id}/reschedule"),
                Closed,
            )
        },
        route(
            r#"(Method::GET, ["api", "users", id, "preferences"])"#,
            "GET",
            format!("/api/users/{user}/preferences"),
            Closed,
        ),
        Route {
            body: r#"{"bufferMinutes": 5}"#,
            ..route(
                r#"(Method::PUT, ["api", "users", id, "preferences"])"#,
                "PUT",
                format!("/api/users/{user}/preferences?token={wrong}"),
                Closed,
            )
        },
        route(
            r#"(Method::GET, ["api", "users", id, "patterns"])"#,
            "GET",
            format!("/api/users/{user}/patterns"),
            Closed,
        ),
    ];
    // Booking is public; sent without a body it is a 400, not a 401.
    routes.push(route(
        r#"(Method::POST, ["api", "appointments"])"#,
        "POST",
        "/api/appointments".into(),
        Public,
    ));
    // Everything under /dav/, whatever the method.
    let dav_paths = [
        "/dav/".to_string(),
        "/dav/principals/domina/".into(),
        "/dav/calendars/domina/".into(),
        "/dav/calendars/domina/bookings/".into(),
        format!("/dav/calendars/domina/bookings/{id}.ics"),
        "/dav/calendars/domina/new/".into(),
    ];
    let dav_methods = [
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
    for path in &dav_paths {
        for method in dav_methods {
            routes.push(route("dav", method, path.clone(), Guard::Closed));
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
    let covered: Vec<&str> = routes("apt_x", "usr_x", "x")
        .iter()
        .map(|r| r.arm)
        .collect();
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
                .dav(route.method, &route.path, body, &headers, false)
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
