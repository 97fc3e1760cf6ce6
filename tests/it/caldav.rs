//! CalDAV through the real server: discovery, collections, objects with ETags and
//! preconditions, reports, sync, free/busy, and the bookings calendar as live data.

use hyper::StatusCode;

use crate::support::{TestServer, booking};

const HOME: &str = "/dav/calendars/domina/";
const PERSONAL: &str = "/dav/calendars/domina/personal/";

/// A VEVENT on Tuesday 2026-03-03 from `start` to `end` (New York wall-clock hours).
fn event(uid: &str, start: &str, end: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T120000Z\r\nDTSTART;TZID=America/New_York:20260303T{start}00\r\nDTEND;TZID=America/New_York:20260303T{end}00\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn propfind(props: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
    )
}

#[tokio::test]
async fn nothing_leaks_without_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    for (method, path) in [
        ("PROPFIND", HOME),
        ("GET", "/dav/calendars/domina/personal/x.ics"),
        ("OPTIONS", "/dav/"),
        ("REPORT", PERSONAL),
    ] {
        let reply = server.dav(method, path, None, &[], false).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(
            reply
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Basic"))
        );
        assert!(reply.text.is_empty(), "{method} {path}: {}", reply.text);
    }
    let wrong = server
        .dav(
            "PROPFIND",
            HOME,
            None,
            &[("authorization", "Basic ZG9taW5hOm5vcGU=")],
            false,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn discovery_finds_the_principal_home_and_calendars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let well_known = server
        .dav("PROPFIND", "/.well-known/caldav", None, &[], false)
        .await;
    assert_eq!(well_known.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(well_known.header("location"), Some("/dav/"));

    let options = server.dav("OPTIONS", "/dav/", None, &[], true).await;
    assert_eq!(options.header("dav"), Some("1, 3, calendar-access"));

    let root = server
        .dav(
            "PROPFIND",
            "/dav/",
            Some(&propfind("<d:current-user-principal/><d:no-such-thing/>")),
            &[("depth", "0")],
            true,
        )
        .await;
    assert_eq!(root.status, StatusCode::MULTI_STATUS);
    assert!(
        root.text
            .contains("<D:href>/dav/principals/domina/</D:href>"),
        "{}",
        root.text
    );
    assert!(
        root.text.contains("404 Not Found"),
        "an unknown property is a 404 propstat: {}",
        root.text
    );

    let principal = server
        .dav(
            "PROPFIND",
            "/dav/principals/domina/",
            Some(&propfind("<c:calendar-home-set/><c:calendar-user-address-set/><d:displayname/><c:schedule-inbox-URL/><c:schedule-outbox-URL/><d:principal-URL/><d:supported-report-set/>")),
            &[("depth", "0")],
            true,
        )
        .await;
    for expected in [
        "/dav/calendars/domina/",
        "mailto:domina@kairos.example",
        "mailto:book@kairos.example",
        "Domina",
        "/dav/calendars/domina/inbox/",
        "/dav/calendars/domina/outbox/",
    ] {
        assert!(
            principal.text.contains(expected),
            "{expected} missing: {}",
            principal.text
        );
    }

    let home = server
        .dav("PROPFIND", HOME, Some(&propfind("<d:resourcetype/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><d:current-user-privilege-set/><c:max-resource-size/>")), &[("depth", "1")], true)
        .await;
    assert_eq!(home.status, StatusCode::MULTI_STATUS);
    for expected in [
        "/dav/calendars/domina/bookings/",
        PERSONAL,
        "/dav/calendars/domina/inbox/",
        "<C:calendar/>",
        "urn:kairos:sync:personal:",
        "<C:comp name=\"VEVENT\"/>",
        "<D:write/>",
    ] {
        assert!(
            home.text.contains(expected),
            "{expected} missing: {}",
            home.text
        );
    }
}

#[tokio::test]
async fn objects_have_strong_etags_and_preconditions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let path = format!("{PERSONAL}dentist.ics");
    let body = event("dentist-1", "1000", "1100", "Dentist");
    let created = server
        .dav(
            "PUT",
            &path,
            Some(&body),
            &[("content-type", "text/calendar"), ("if-none-match", "*")],
            true,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let etag = created.header("etag").expect("an ETag").to_string();
    assert!(etag.starts_with('"'), "strong ETag: {etag}");

    let got = server.dav("GET", &path, None, &[], true).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.text, body, "served back byte for byte");
    assert_eq!(got.header("etag"), Some(etag.as_str()));
    let unchanged = server
        .dav("GET", &path, None, &[("if-none-match", &etag)], true)
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);

    let again = server
        .dav("PUT", &path, Some(&body), &[("if-none-match", "*")], true)
        .await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);
    let stale = server
        .dav(
            "PUT",
            &path,
            Some(&body),
            &[("if-match", "\"stale\"")],
            true,
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let replaced = server
        .dav(
            "PUT",
            &path,
            Some(&event("dentist-1", "1000", "1130", "Dentist")),
            &[("if-match", &etag)],
            true,
        )
        .await;
    assert_eq!(replaced.status, StatusCode::NO_CONTENT);
    assert_ne!(replaced.header("etag"), Some(etag.as_str()));

    let clash = server
        .dav(
            "PUT",
            &format!("{PERSONAL}other.ics"),
            Some(&body),
            &[],
            true,
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert!(
        clash.text.contains("no-uid-conflict")
            && clash
                .text
                .contains("/dav/calendars/domina/personal/dentist.ics"),
        "{}",
        clash.text
    );

    let invalid = server
        .dav(
            "PUT",
            &format!("{PERSONAL}bad.ics"),
            Some("BEGIN:VCALENDAR\r\nnot really\r\n"),
            &[],
            true,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(
        invalid.text.contains("valid-calendar-data"),
        "{}",
        invalid.text
    );
    let no_uid = event("x", "1000", "1100", "No UID").replace("UID:x\r\n", "");
    let refused = server
        .dav(
            "PUT",
            &format!("{PERSONAL}no-uid.ics"),
            Some(&no_uid),
            &[],
            true,
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260301T120000Z\r\nSUMMARY:Taxes\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let unsupported = server
        .dav("PUT", &format!("{PERSONAL}todo.ics"), Some(todo), &[], true)
        .await;
    assert_eq!(unsupported.status, StatusCode::FORBIDDEN);
    assert!(unsupported.text.contains("supported-calendar-component"));

    let deleted = server
        .dav("DELETE", &path, None, &[("if-match", "\"stale\"")], true)
        .await;
    assert_eq!(deleted.status, StatusCode::PRECONDITION_FAILED);
    let deleted = server.dav("DELETE", &path, None, &[], true).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.dav("GET", &path, None, &[], true).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_personal_event_is_busy_time_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let slots = |reply: &crate::support::Reply| -> Vec<String> {
        reply.body["allSlots"]
            .as_array()
            .expect("slots")
            .iter()
            .map(|s| s["start"].as_str().expect("start").to_string())
            .collect()
    };
    let before = server
        .get("/api/availability?date=2026-03-03&timezone=America/New_York")
        .await;
    assert!(slots(&before).contains(&"2026-03-03T14:00:00-05:00".to_string()));
    let put = server
        .dav(
            "PUT",
            &format!("{PERSONAL}gym.ics"),
            Some(&event("gym", "1400", "1500", "Gym")),
            &[],
            true,
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    let after = server
        .get("/api/availability?date=2026-03-03&timezone=America/New_York")
        .await;
    let starts = slots(&after);
    assert!(
        !starts.iter().any(|s| s.starts_with("2026-03-03T14:")),
        "{starts:?}"
    );
    let refused = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T14:00:00-05:00", "x@example.com"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);

    // Free/busy shows the time, never the title.
    let vfb = server
        .dav(
            "GET",
            "/freebusy/domina.vfb?start=2026-03-03&end=2026-03-04",
            None,
            &[],
            false,
        )
        .await;
    assert_eq!(vfb.status, StatusCode::OK);
    assert!(
        vfb.header("content-type")
            .is_some_and(|v| v.starts_with("text/calendar"))
    );
    assert!(
        vfb.text.contains("BEGIN:VFREEBUSY")
            && vfb
                .text
                .contains("FREEBUSY;FBTYPE=BUSY:20260303T190000Z/20260303T200000Z"),
        "{}",
        vfb.text
    );
    assert!(!vfb.text.contains("Gym"));
    let bad = server
        .dav(
            "GET",
            "/freebusy/domina.vfb?start=yesterday",
            None,
            &[],
            false,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        server
            .dav("GET", "/freebusy/mallory.vfb", None, &[], false)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

fn href_of_booking(text: &str) -> String {
    let start = text
        .find("/dav/calendars/domina/bookings/apt_")
        .expect("a booking href");
    let end = start + text[start..].find('<').expect("href end");
    text[start..end].to_string()
}

#[tokio::test]
async fn the_bookings_calendar_is_live_and_editing_it_changes_appointments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let id = booked.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let list_bookings = async || {
        server
            .dav(
                "PROPFIND",
                "/dav/calendars/domina/bookings/",
                Some(&propfind("<d:getetag/>")),
                &[("depth", "1")],
                true,
            )
            .await
    };
    let listing = list_bookings().await;
    let href = href_of_booking(&listing.text);
    assert_eq!(href, format!("/dav/calendars/domina/bookings/{id}.ics"));
    let event = server.dav("GET", &href, None, &[], true).await;
    assert!(
        event
            .text
            .contains("ORGANIZER;CN=Domina:mailto:domina@kairos.example"),
        "{}",
        event.text
    );
    assert!(
        event
            .text
            .replace("\r\n ", "")
            .contains("PARTSTAT=ACCEPTED:mailto:ada@example.com"),
        "{}",
        event.text
    );
    assert!(
        event.text.contains("DTSTART:20260303T150000Z"),
        "{}",
        event.text
    );
    let etag = event.header("etag").expect("etag").to_string();

    // A personal event at 15:00 makes that time busy: moving the booking there is refused.
    server
        .dav(
            "PUT",
            &format!("{PERSONAL}call.ics"),
            Some(&self::event("call", "1500", "1600", "Call")),
            &[],
            true,
        )
        .await;
    let onto_busy = event
        .text
        .replace("DTSTART:20260303T150000Z", "DTSTART:20260303T200000Z")
        .replace("DTEND:20260303T153000Z", "DTEND:20260303T203000Z");
    let refused = server
        .dav("PUT", &href, Some(&onto_busy), &[("if-match", &etag)], true)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert!(refused.text.contains("slot-available"), "{}", refused.text);

    // Stretched over two days it is no appointment (the longest meeting is 8 hours).
    let stretched = event
        .text
        .replace("DTEND:20260303T153000Z", "DTEND:20260305T153000Z");
    let refused = server
        .dav("PUT", &href, Some(&stretched), &[("if-match", &etag)], true)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(
        refused.text.contains("valid-calendar-object-resource"),
        "{}",
        refused.text
    );

    // Moving it to 16:30 (after hours are the host's call) is a reschedule.
    let moved_text = event
        .text
        .replace("DTSTART:20260303T150000Z", "DTSTART:20260303T213000Z")
        .replace("DTEND:20260303T153000Z", "DTEND:20260303T220000Z");
    let moved = server
        .dav(
            "PUT",
            &href,
            Some(&moved_text),
            &[("if-match", &etag)],
            true,
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.text);
    let read = server
        .get_as_admin(&format!("/api/appointments/{id}"))
        .await;
    assert_eq!(
        read.body["appointment"]["start"],
        "2026-03-03T16:30:00-05:00"
    );
    // The collection, listed before, shows the move (it is brought forward by the
    // journal, not read again).
    let query = r#"<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260303T000000Z" end="20260304T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let found = server
        .dav(
            "REPORT",
            "/dav/calendars/domina/bookings/",
            Some(query),
            &[("depth", "1")],
            true,
        )
        .await;
    assert!(
        found.text.contains("DTSTART:20260303T213000Z")
            && !found.text.contains("DTSTART:20260303T150000Z"),
        "{}",
        found.text
    );
    let stale = server
        .dav("DELETE", &href, None, &[("if-match", &etag)], true)
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let new_event = server
        .dav(
            "PUT",
            "/dav/calendars/domina/bookings/new.ics",
            Some(&self::event("new", "0900", "0930", "Mine")),
            &[],
            true,
        )
        .await;
    assert_eq!(new_event.status, StatusCode::FORBIDDEN);

    let deleted = server.dav("DELETE", &href, None, &[], true).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let read = server
        .get_as_admin(&format!("/api/appointments/{id}"))
        .await;
    assert_eq!(read.body["appointment"]["status"], "cancelled");
    assert_eq!(
        server.dav("GET", &href, None, &[], true).await.status,
        StatusCode::NOT_FOUND
    );
    let listing = list_bookings().await;
    assert!(!listing.text.contains(&href), "{}", listing.text);

    // Each change queued the client's notification.
    server.stop().await;
    let store = kairos::store::Store::open(&dir.path().join("db"), chrono_tz::America::New_York)
        .expect("opens");
    let changes: Vec<String> = store
        .outbox()
        .expect("reads")
        .into_iter()
        .map(|entry| {
            serde_json::to_value(&entry.intent).expect("json")["change"]
                .as_str()
                .expect("change")
                .to_string()
        })
        .collect();
    assert_eq!(changes, ["booked", "rescheduled", "cancelled"]);
}

fn sync_body(token: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><sync-collection xmlns="DAV:"><sync-token>{token}</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>"#
    )
}

fn token_of(text: &str) -> String {
    let start = text.find("<D:sync-token>").expect("a token") + "<D:sync-token>".len();
    let end = start + text[start..].find('<').expect("token end");
    text[start..end].to_string()
}

#[tokio::test]
async fn sync_collection_reports_what_changed_since_a_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    for name in ["a", "b"] {
        server
            .dav(
                "PUT",
                &format!("{PERSONAL}{name}.ics"),
                Some(&event(name, "0900", "0930", name)),
                &[],
                true,
            )
            .await;
    }
    let initial = server
        .dav("REPORT", PERSONAL, Some(&sync_body("")), &[], true)
        .await;
    assert_eq!(initial.status, StatusCode::MULTI_STATUS, "{}", initial.text);
    assert!(initial.text.contains("personal/a.ics") && initial.text.contains("personal/b.ics"));
    let token = token_of(&initial.text);

    server
        .dav(
            "PUT",
            &format!("{PERSONAL}c.ics"),
            Some(&event("c", "1300", "1330", "c")),
            &[],
            true,
        )
        .await;
    server
        .dav("DELETE", &format!("{PERSONAL}a.ics"), None, &[], true)
        .await;
    let delta = server
        .dav("REPORT", PERSONAL, Some(&sync_body(&token)), &[], true)
        .await;
    assert!(delta.text.contains("personal/c.ics"), "{}", delta.text);
    assert!(
        !delta.text.contains("personal/b.ics"),
        "unchanged members are not repeated: {}",
        delta.text
    );
    let a_at = delta
        .text
        .find("personal/a.ics")
        .expect("the deleted member");
    assert!(delta.text[a_at..].contains("404"), "{}", delta.text);
    assert_ne!(token_of(&delta.text), token);

    let unknown = server
        .dav(
            "REPORT",
            PERSONAL,
            Some(&sync_body("urn:kairos:sync:personal:999")),
            &[],
            true,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert!(unknown.text.contains("valid-sync-token"));
}

#[tokio::test]
async fn calendar_query_multiget_and_free_busy_query() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    server
        .dav(
            "PUT",
            &format!("{PERSONAL}morning.ics"),
            Some(&event("m", "0900", "1000", "Morning")),
            &[],
            true,
        )
        .await;
    server
        .dav(
            "PUT",
            &format!("{PERSONAL}evening.ics"),
            Some(&event("e", "1800", "1900", "Evening")),
            &[],
            true,
        )
        .await;
    let query = r#"<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260303T130000Z" end="20260303T160000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let found = server
        .dav("REPORT", PERSONAL, Some(query), &[("depth", "1")], true)
        .await;
    assert_eq!(found.status, StatusCode::MULTI_STATUS, "{}", found.text);
    assert!(
        found.text.contains("morning.ics") && found.text.contains("SUMMARY:Morning"),
        "{}",
        found.text
    );
    assert!(!found.text.contains("evening.ics"), "{}", found.text);
    assert!(
        found.text.contains("&#13;"),
        "calendar-data keeps its CRLF: {}",
        found.text
    );

    let multiget = format!(
        r#"<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>{PERSONAL}evening.ics</D:href><D:href>{PERSONAL}missing.ics</D:href></C:calendar-multiget>"#
    );
    let got = server
        .dav("REPORT", PERSONAL, Some(&multiget), &[], true)
        .await;
    assert_eq!(got.status, StatusCode::MULTI_STATUS);
    let missing_at = got.text.find("missing.ics").expect("the missing href");
    assert!(got.text[missing_at..].contains("404"), "{}", got.text);

    let free_busy = r#"<?xml version="1.0"?><C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260303T000000Z" end="20260304T000000Z"/></C:free-busy-query>"#;
    let vfb = server
        .dav("REPORT", PERSONAL, Some(free_busy), &[], true)
        .await;
    assert_eq!(vfb.status, StatusCode::OK);
    assert!(
        vfb.text
            .contains("FREEBUSY;FBTYPE=BUSY:20260303T140000Z/20260303T150000Z"),
        "{}",
        vfb.text
    );
    assert!(
        vfb.text.contains("20260303T230000Z/20260304T000000Z"),
        "{}",
        vfb.text
    );
}

#[tokio::test]
async fn calendars_are_created_and_their_properties_patched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let mkcalendar = r#"<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Side projects</D:displayname><C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>"#;
    let created = server
        .dav(
            "MKCALENDAR",
            "/dav/calendars/domina/side/",
            Some(mkcalendar),
            &[],
            true,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let again = server
        .dav("MKCALENDAR", "/dav/calendars/domina/side/", None, &[], true)
        .await;
    assert_eq!(again.status, StatusCode::METHOD_NOT_ALLOWED);

    let patch = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Side work</D:displayname><A:calendar-color>#FF2968FF</A:calendar-color><A:calendar-order>3</A:calendar-order><C:calendar-description>Evenings</C:calendar-description></D:prop></D:set></D:propertyupdate>"#;
    let patched = server
        .dav(
            "PROPPATCH",
            "/dav/calendars/domina/side/",
            Some(patch),
            &[],
            true,
        )
        .await;
    assert_eq!(patched.status, StatusCode::MULTI_STATUS);
    assert!(
        patched.text.contains("200 OK") && !patched.text.contains("403"),
        "{}",
        patched.text
    );
    let read = server
        .dav(
            "PROPFIND",
            "/dav/calendars/domina/side/",
            Some(&propfind(
                "<d:displayname/><c:calendar-description/><c:schedule-calendar-transp/><c:calendar-timezone/>",
            )),
            &[("depth", "0")],
            true,
        )
        .await;
    assert!(
        read.text.contains("Side work")
            && read.text.contains("Evenings")
            && read.text.contains("<C:transparent/>")
            && read.text.contains("TZID:America/New_York"),
        "{}",
        read.text
    );
    let protected = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>X</D:displayname><D:getetag>"1"</D:getetag></D:prop></D:set></D:propertyupdate>"#;
    let refused = server
        .dav(
            "PROPPATCH",
            "/dav/calendars/domina/side/",
            Some(protected),
            &[],
            true,
        )
        .await;
    assert!(
        refused.text.contains("403") && refused.text.contains("424"),
        "{}",
        refused.text
    );

    // A transparent calendar's events do not block booking time.
    server
        .dav(
            "PUT",
            "/dav/calendars/domina/side/hobby.ics",
            Some(&event("h", "1300", "1400", "Hobby")),
            &[],
            true,
        )
        .await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T13:00:00-05:00", "y@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(
        server
            .dav("DELETE", "/dav/calendars/domina/personal/", None, &[], true)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .dav("DELETE", "/dav/calendars/domina/side/", None, &[], true)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn hostile_requests_are_refused_and_the_server_stays_healthy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol2;</D:displayname></D:prop></D:propfind>"#;
    assert_eq!(
        server
            .dav("PROPFIND", HOME, Some(bomb), &[], true)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    for path in [
        "/dav/calendars/domina/%2e%2e/%2e%2e/etc",
        "/dav/calendars/domina/personal/a%2fb.ics",
        "/dav/calendars/domina/personal/..%2f..%2fx",
    ] {
        let reply = server.dav("GET", path, None, &[], true).await;
        assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
    }
    let huge = "X".repeat(1024 * 1024 + 10);
    let too_big = server
        .dav(
            "PUT",
            &format!("{PERSONAL}huge.ics"),
            Some(&huge),
            &[],
            true,
        )
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.text.contains("max-resource-size"));
    let report = server
        .dav("REPORT", PERSONAL, Some("<not-xml"), &[], true)
        .await;
    assert_eq!(report.status, StatusCode::BAD_REQUEST);
    assert_eq!(server.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_outbox_answers_free_busy_requests() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    server
        .dav(
            "PUT",
            &format!("{PERSONAL}lunch.ics"),
            Some(&event("l", "1200", "1300", "Lunch")),
            &[],
            true,
        )
        .await;
    let request = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb-1\r\nDTSTAMP:20260301T120000Z\r\nDTSTART:20260303T000000Z\r\nDTEND:20260304T000000Z\r\nORGANIZER:mailto:colleague@example.com\r\nATTENDEE:mailto:domina@kairos.example\r\nATTENDEE:mailto:stranger@example.com\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    let reply = server
        .dav(
            "POST",
            "/dav/calendars/domina/outbox/",
            Some(request),
            &[("content-type", "text/calendar")],
            true,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.text.contains("schedule-response"));
    assert!(
        reply.text.contains("2.0;Success")
            && reply.text.contains("20260303T170000Z/20260303T180000Z"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("3.7;Invalid calendar user"));
}

#[tokio::test]
async fn collection_writes_follow_webdav_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    // Every collection in the home is a calendar, however it is made.
    let plain = server
        .dav("MKCOL", "/dav/calendars/domina/plain/", None, &[], true)
        .await;
    assert_eq!(plain.status, StatusCode::CREATED);
    let put = server
        .dav(
            "PUT",
            "/dav/calendars/domina/plain/e.ics",
            Some(&event("p", "0900", "0930", "P")),
            &[],
            true,
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    // Writes whose parent is missing conflict (RFC 4918 §9.3.1, §9.7.1).
    for (method, path) in [
        ("PUT", "/dav/calendars/domina/nowhere/e.ics"),
        ("MKCOL", "/dav/calendars/domina/nowhere/deeper/"),
        ("MKCALENDAR", "/dav/calendars/domina/nowhere/deeper/"),
    ] {
        let body = (method == "PUT").then(|| event("q", "0900", "0930", "Q"));
        let reply = server.dav(method, path, body.as_deref(), &[], true).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{method} {path}");
    }
    // A collection inside a calendar is refused; an unknown body type is 415.
    assert_eq!(
        server
            .dav("MKCOL", "/dav/calendars/domina/plain/sub/", None, &[], true)
            .await
            .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let odd = server
        .dav(
            "MKCOL",
            "/dav/calendars/domina/odd/",
            Some("afafafaf"),
            &[("content-type", "xyz/abc")],
            true,
        )
        .await;
    assert_eq!(odd.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let odd_inside = server
        .dav(
            "MKCOL",
            "/dav/calendars/domina/plain/sub/",
            Some("afafafaf"),
            &[("content-type", "xyz/abc")],
            true,
        )
        .await;
    assert_eq!(odd_inside.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let patch = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>X</D:displayname></D:prop></D:set></D:propertyupdate>"#;
    let missing = server
        .dav(
            "PROPPATCH",
            "/dav/calendars/domina/ghost/",
            Some(patch),
            &[],
            true,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn objects_are_copied_and_moved_between_the_hosts_calendars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    server
        .dav("MKCALENDAR", "/dav/calendars/domina/work/", None, &[], true)
        .await;
    let source = format!("{PERSONAL}trip.ics");
    server
        .dav(
            "PUT",
            &source,
            Some(&event("trip", "0900", "1000", "Trip")),
            &[],
            true,
        )
        .await;
    let destination = format!("{}/dav/calendars/domina/work/trip.ics", server.base);

    let copied = server
        .dav(
            "COPY",
            &source,
            None,
            &[("destination", &destination)],
            true,
        )
        .await;
    assert_eq!(copied.status, StatusCode::CREATED);
    let again = server
        .dav(
            "COPY",
            &source,
            None,
            &[("destination", &destination), ("overwrite", "F")],
            true,
        )
        .await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);
    let same_calendar = server
        .dav(
            "COPY",
            &source,
            None,
            &[("destination", &format!("{PERSONAL}twin.ics"))],
            true,
        )
        .await;
    assert_eq!(
        same_calendar.status,
        StatusCode::CONFLICT,
        "one UID per calendar"
    );

    let moved = server
        .dav(
            "MOVE",
            &source,
            None,
            &[("destination", "/dav/calendars/domina/work/trip2.ics")],
            true,
        )
        .await;
    assert_eq!(
        moved.status,
        StatusCode::CONFLICT,
        "work already holds this UID: {}",
        moved.text
    );
    server
        .dav(
            "DELETE",
            "/dav/calendars/domina/work/trip.ics",
            None,
            &[],
            true,
        )
        .await;
    let moved = server
        .dav(
            "MOVE",
            &source,
            None,
            &[("destination", "/dav/calendars/domina/work/trip2.ics")],
            true,
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.text);
    assert_eq!(
        server.dav("GET", &source, None, &[], true).await.status,
        StatusCode::NOT_FOUND
    );
    let arrived = server
        .dav(
            "GET",
            "/dav/calendars/domina/work/trip2.ics",
            None,
            &[],
            true,
        )
        .await;
    assert!(arrived.text.contains("SUMMARY:Trip"));

    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T13:00:00-05:00", "m@example.com"),
        )
        .await;
    let id = booked.body["appointment"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let out_of_bookings = server
        .dav(
            "MOVE",
            &format!("/dav/calendars/domina/bookings/{id}.ics"),
            None,
            &[("destination", "/dav/calendars/domina/work/x.ics")],
            true,
        )
        .await;
    assert_eq!(out_of_bookings.status, StatusCode::FORBIDDEN);
    let nowhere = server
        .dav(
            "MOVE",
            "/dav/calendars/domina/work/trip2.ics",
            None,
            &[("destination", "/dav/calendars/domina/gone/x.ics")],
            true,
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn recurring_events_are_matched_by_occurrence_and_expanded_in_utc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    // Weekly on Mondays 09:00 Berlin from 2026-03-02, the 16th skipped, the 23rd moved to 15:00.
    let weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260301T120000Z\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\nDTEND;TZID=Europe/Berlin:20260302T093000\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Berlin:20260316T090000\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260301T120000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260323T090000\r\nDTSTART;TZID=Europe/Berlin:20260323T150000\r\nDTEND;TZID=Europe/Berlin:20260323T153000\r\nSUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let put = server
        .dav(
            "PUT",
            &format!("{PERSONAL}standup.ics"),
            Some(weekly),
            &[],
            true,
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.text);

    let query = |start: &str, end: &str, expand: bool| {
        let data = if expand {
            format!(r#"<C:calendar-data><C:expand start="{start}" end="{end}"/></C:calendar-data>"#)
        } else {
            "<C:calendar-data/>".to_string()
        };
        format!(
            r#"<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>{data}</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#
        )
    };
    // The skipped Monday holds nothing; the moved one is found at its new time only.
    let skipped = server
        .dav(
            "REPORT",
            PERSONAL,
            Some(&query("20260316T000000Z", "20260317T000000Z", false)),
            &[("depth", "1")],
            true,
        )
        .await;
    assert!(!skipped.text.contains("standup.ics"), "{}", skipped.text);
    let old_slot = server
        .dav(
            "REPORT",
            PERSONAL,
            Some(&query("20260323T070000Z", "20260323T090000Z", false)),
            &[("depth", "1")],
            true,
        )
        .await;
    assert!(!old_slot.text.contains("standup.ics"), "{}", old_slot.text);
    let new_slot = server
        .dav(
            "REPORT",
            PERSONAL,
            Some(&query("20260323T130000Z", "20260323T150000Z", false)),
            &[("depth", "1")],
            true,
        )
        .await;
    assert!(new_slot.text.contains("standup.ics"), "{}", new_slot.text);

    // Expanded: one instance per occurrence, in UTC, without the VTIMEZONE or the rule;
    // 08:00Z before Berlin's change on 2026-03-29, 07:00Z after it.
    let expanded = server
        .dav(
            "REPORT",
            PERSONAL,
            Some(&query("20260301T000000Z", "20260501T000000Z", true)),
            &[("depth", "1")],
            true,
        )
        .await;
    let text = expanded.text.replace("&#13;", "");
    assert!(
        !text.contains("VTIMEZONE") && !text.contains("RRULE") && !text.contains("EXDATE"),
        "{text}"
    );
    for start in [
        "DTSTART:20260302T080000Z",
        "DTSTART:20260309T080000Z",
        "DTSTART:20260323T140000Z",
        "DTSTART:20260330T070000Z",
        "DTSTART:20260406T070000Z",
    ] {
        assert!(text.contains(start), "{start} missing: {text}");
    }
    assert!(!text.contains("DTSTART:20260316"), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 5, "{text}");

    // And the busy time follows the occurrences: Monday 2026-03-09 09:00 Berlin is
    // 04:00 in New York, outside working hours, but the moved one (15:00 Berlin =
    // 10:00 New York on 2026-03-23) blocks a booking.
    let refused = server
        .post(
            "/api/appointments",
            &booking("2026-03-23T10:00:00-04:00", "z@example.com"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
}
