//! The host's dashboard: admin credentials only; figures checked against a history
//! with known answers; the host's actions (no-show, cancel) recorded; every table as
//! CSV; and a render over 10,000 appointments.

use std::sync::Arc;

use chrono::TimeZone as _;
use chrono_tz::America::New_York;
use hyper::{Method, StatusCode};
use kairos::domain::{
    Appointment, AppointmentId, AppointmentStatus, Channel, ClientAnswer, ClientId, EmailAddress,
    Interval, ManageToken, SettableClock,
};
use kairos::learn::BookingPattern;
use kairos::store::{ClientRef, MirrorBatch, Notice, Store};

use crate::invitations::{text_of, with_subject};
use crate::support::smtp_sink::{SinkMode, SmtpSink};
use crate::support::{TestServer, admin_header, booking, monday_morning};

fn at(day: u32, hour: u32) -> chrono::DateTime<chrono::Utc> {
    New_York
        .with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .expect("a time")
        .with_timezone(&chrono::Utc)
}

async fn as_admin(server: &TestServer, path: &str) -> String {
    let reply = server
        .dav(
            "GET",
            path,
            None,
            &[("authorization", &admin_header())],
            false,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
    reply.text
}

fn hidden_secret(html: &str) -> String {
    let start = html.find("name=\"form\" value=\"").expect("a form") + 19;
    html[start..]
        .split('"')
        .next()
        .expect("a value")
        .to_string()
}

#[tokio::test]
async fn the_dashboard_is_the_hosts_and_its_figures_add_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), |_| {}).await;

    let anonymous = server.send(Method::GET, "/admin", None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let empty = as_admin(&server, "/admin").await;
    assert!(empty.contains("No data yet"), "an empty store renders");

    // Two visits to the booking page; three bookings by two clients; one cancelled.
    for _ in 0..2 {
        let page = server.dav("GET", "/", None, &[], false).await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let mut ids = Vec::new();
    for (start, email) in [
        ("2026-03-03T10:00:00-05:00", "ada@example.com"),
        ("2026-03-05T14:00:00-05:00", "ada@example.com"),
        ("2026-03-04T11:00:00-05:00", "grace@example.com"),
    ] {
        let booked = server
            .post("/api/appointments", &booking(start, email))
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{:?}", booked.body);
        ids.push(
            booked.body["appointment"]["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    let dashboard = as_admin(&server, "/admin").await;
    let secret = hidden_secret(&dashboard);
    let form = format!("form={secret}");
    let headers = [
        ("authorization", admin_header()),
        (
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        ),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cancel = format!("/admin/appointments/{}/cancel", ids[2]);
    let cancelled = server
        .dav("POST", &cancel, Some(&form), &headers, false)
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.text
    );

    // A no-show can be marked only once the meeting has begun.
    let no_show = format!("/admin/appointments/{}/no-show", ids[0]);
    let early = server
        .dav("POST", &no_show, Some(&form), &headers, false)
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "not before it begins");
    let forged = server
        .dav("POST", &no_show, Some("form=forged"), &headers, false)
        .await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "the form's secret is checked"
    );
    clock.set(at(6, 9));
    let marked = server
        .dav("POST", &no_show, Some(&form), &headers, false)
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.text);

    let figures = as_admin(&server, "/admin/export/figures.csv").await;
    assert!(figures.contains("Bookings,3\r\n"), "{figures}");
    assert!(figures.contains("Cancellations,1\r\n"), "{figures}");
    // Held: Ada's two meetings (Grace's was cancelled); one missed.
    assert!(
        figures.contains("No-show rate,50.0 % (1 of 2 held)"),
        "{figures}"
    );
    let funnel = as_admin(&server, "/admin/export/funnel.csv").await;
    assert!(funnel.contains("page,opened,2\r\n"), "{funnel}");
    let weekly = as_admin(&server, "/admin/export/weekly.csv").await;
    assert!(weekly.starts_with("week,page,chat,invitation,caldav,api\r\n"));
    assert!(weekly.contains("2026-03-02,0,0,0,0,3\r\n"), "{weekly}");
    let clients = as_admin(&server, "/admin/export/clients.csv").await;
    let rows: Vec<&str> = clients.lines().collect();
    assert_eq!(rows[1], "Test Client,ada@example.com,2", "{clients}");
    let heatmap = as_admin(&server, "/admin/export/heatmap.csv").await;
    let tuesday = heatmap
        .lines()
        .find(|line| line.starts_with("Tue"))
        .expect("Tuesday");
    assert_eq!(
        tuesday.split(',').nth(11),
        Some("1"),
        "Tuesday 10:00: {heatmap}"
    );
    let leads = as_admin(&server, "/admin/export/lead-times.csv").await;
    assert!(
        leads.contains("1–2 days,2\r\n") && leads.contains("3–7 days,1\r\n"),
        "{leads}"
    );
    let page = as_admin(&server, "/admin").await;
    assert!(
        page.contains("<svg") && page.contains("No-show"),
        "charts and the mark"
    );
    server.stop().await;
}

fn seeded(n: u32, now: chrono::DateTime<chrono::Utc>) -> Appointment {
    let day = i64::from(n % 120) - 60;
    let start =
        now + chrono::Duration::days(day) + chrono::Duration::minutes(i64::from(n % 16) * 30);
    let mut token = [0u8; 32];
    token[..4].copy_from_slice(&n.to_be_bytes());
    let channels = [
        Channel::Page,
        Channel::Chat,
        Channel::Api,
        Channel::Invitation,
    ];
    Appointment {
        id: AppointmentId::from_string(format!("seeded{n}")),
        client_id: ClientId::from_string(""),
        meeting_type: "consultation".into(),
        title: format!("Consultation with client {}", n % 300),
        purpose: "Seeded".into(),
        interval: Interval::starting_at(start, chrono::Duration::minutes(30)).expect("valid"),
        client_zone: New_York,
        status: AppointmentStatus::Confirmed,
        manage_token: ManageToken::from_random(token),
        channel: channels[(n % 4) as usize],
        created_at: now - chrono::Duration::days(i64::from(n % 80)),
        updated_at: now - chrono::Duration::days(i64::from(n % 80)),
        sequence: 0,
        client_answer: ClientAnswer::Accepted,
        meeting_url: None,
        google_event_id: None,
        no_show: false,
        asked_at: None,
    }
}

#[tokio::test]
async fn the_dashboard_renders_over_ten_thousand_appointments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = monday_morning();
    {
        let store = Store::open(&dir.path().join("db"), New_York).expect("store");
        for n in 0..10_000u32 {
            let client = ClientRef::ByEmail {
                new_id: ClientId::from_string(format!("c{}", n % 300)),
                name: format!("Client {}", n % 300),
                email: EmailAddress::parse(&format!("client{}@example.com", n % 300))
                    .expect("address"),
            };
            store
                .book::<BookingPattern, _, _>(
                    seeded(n, now),
                    client,
                    Notice::Client,
                    |_| Ok(()),
                    |_, _, _| {},
                )
                .expect("stored")
                .expect("booked");
        }
        store.flush().await.expect("flushed");
    }
    let clock = Arc::new(SettableClock::new(now));
    let server = TestServer::start_with(dir.path(), clock, |_| {}).await;
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let page = as_admin(&server, "/admin").await;
        times.push(started.elapsed());
        assert!(page.contains("<svg"));
    }
    times.sort();
    println!(
        "/admin with 10,000 appointments: median {:?} of {times:?}",
        times[2]
    );
    let weekly = as_admin(&server, "/admin/export/weekly.csv").await;
    let total: u32 = weekly
        .lines()
        .skip(1)
        .flat_map(|line| {
            line.split(',')
                .skip(1)
                .map(|n| n.parse::<u32>().expect("a count"))
        })
        .sum();
    assert!(total > 0, "seeded bookings counted: {weekly}");
    server.stop().await;
}

#[tokio::test]
async fn invitations_answered_with_other_times_count_as_conflicts_and_time_to_book() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), sink.configure()).await;
    let taken = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "someone@example.com"),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED);
    crate::invitations::ingest(
        dir.path(),
        &crate::invitations::fixture("outlook-request.eml"),
    );
    let received = sink.wait_for(3, 10).await;
    let offer = with_subject(&received, "Declined: Quarterly review (other times inside)");
    let links = crate::offer_pages::links(&text_of(offer), &server.base);
    // The client takes the second time two hours later.
    clock.set(monday_morning() + chrono::Duration::hours(2));
    let chosen = crate::offer_pages::page(&server, "POST", &links[1]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text);

    let funnel = as_admin(&server, "/admin/export/funnel.csv").await;
    for step in [
        "invitation,received,1\r\n",
        "invitation,accepted as sent,0\r\n",
        "invitation,other times offered,1\r\n",
        "invitation,booked,1\r\n",
    ] {
        assert!(funnel.contains(step), "{step} in {funnel}");
    }
    let figures = as_admin(&server, "/admin/export/figures.csv").await;
    assert!(figures.contains("Conflict rate"), "{figures}");
    assert!(
        figures.contains(",100.0 %\r\n"),
        "one invitation, one conflict: {figures}"
    );
    assert!(
        figures.contains("Median time to book,2.0 h (1 timed)"),
        "from the offer to the choice: {figures}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_failed_mail_is_retried_from_the_dashboard_and_google_conflicts_are_listed() {
    let sink = SmtpSink::start().await;
    sink.set_mode(SinkMode::Reject);
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let server = TestServer::start_with(dir.path(), Arc::clone(&clock), sink.configure()).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T10:00:00-05:00", "ada@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED);
    let mut page = String::new();
    for _ in 0..400 {
        page = as_admin(&server, "/admin").await;
        if page.contains("Failed: 1.") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        page.contains("Failed: 1."),
        "the refused mail is shown: {page}"
    );
    let retry = page
        .split("action=\"/admin/outbox/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/admin/outbox/{rest}"))
        .expect("a retry button");
    sink.set_mode(SinkMode::Accept);
    let form = format!("form={}", hidden_secret(&page));
    let auth = admin_header();
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let retried = server
        .dav("POST", &retry, Some(&form), &headers, false)
        .await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.text);
    let delivered = sink.wait_for(1, 10).await;
    assert_eq!(delivered.len(), 1, "sent once retried");
    let after = as_admin(&server, "/admin").await;
    assert!(after.contains("Failed: 0."), "{after}");
    assert!(after.contains("None: no appointment overlaps"));

    // The host's own Google event over the appointment shows as a conflict.
    let data = server.stop().await;
    {
        let store = Store::open(&data.join("db"), New_York).expect("store");
        let busy = Interval::starting_at(at(3, 10), chrono::Duration::hours(1)).expect("valid");
        let batch = MirrorBatch {
            full: true,
            events: vec![("dentist".into(), Some(busy))],
            sync_token: Some("t1".into()),
        };
        store
            .mirror_google("primary", &batch)
            .await
            .expect("mirrored");
    }
    let server = TestServer::start_with(dir.path(), clock, sink.configure()).await;
    let page = as_admin(&server, "/admin").await;
    let conflicts = page.split("Google conflicts").nth(1).expect("the section");
    assert!(
        conflicts.contains("Tue 3 Mar 2026, 10:00 EST"),
        "{conflicts}"
    );
    server.stop().await;
}
