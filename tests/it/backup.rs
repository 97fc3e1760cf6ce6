//! `kairos export` and `kairos import` through the real binary: a store filled through
//! the server comes back whole on another data directory (appointments and their manage
//! links, preferences, calendars, the admin password, the outbox), the file round-trips
//! byte for byte, and every refusal leaves the target as it was.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use base64::Engine as _;
use chrono_tz::America::New_York;
use hyper::{Method, StatusCode};
use kairos::domain::SettableClock;
use kairos::service::{AdminCredentials, PasswordOrigin};
use kairos::store::Store;

use crate::support::{TestServer, booking, monday_morning};

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1\r\nDTSTAMP:20260301T120000Z\r\nDTSTART;TZID=America/New_York:20260303T140000\r\nDTEND;TZID=America/New_York:20260303T150000\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const EVENT_PATH: &str = "/dav/calendars/domina/personal/dentist.ics";

/// `kairos` with a configuration naming `data_dir` and nothing from the environment.
fn kairos(data_dir: &Path) -> Command {
    let config = data_dir.with_extension("yaml");
    std::fs::write(
        &config,
        format!(
            "storage:\n  data_dir: \"{}\"\nlog:\n  level: \"warn\"\n",
            data_dir.display()
        ),
    )
    .expect("config written");
    let mut command = Command::new(env!("CARGO_BIN_EXE_kairos"));
    command
        .arg("--config")
        .arg(config)
        .env_remove("RUST_LOG")
        .env_remove("KAIROS_LISTEN")
        .env_remove("KAIROS_DATA_DIR");
    command
}

fn export(data_dir: &Path) -> Output {
    kairos(data_dir).arg("export").output().expect("runs")
}

/// The export of `data_dir`, which must succeed.
fn exported(data_dir: &Path) -> Vec<u8> {
    let output = export(data_dir);
    assert!(output.status.success(), "{}", stderr(&output));
    output.stdout
}

/// An export's trees but the outbox.
fn without_outbox(export: &[u8]) -> serde_json::Value {
    let mut document: serde_json::Value = serde_json::from_slice(export).expect("JSON");
    document["trees"]
        .as_array_mut()
        .expect("trees")
        .retain(|tree| tree["name"] != "outbox");
    document
}

fn import(data_dir: &Path, file: &Path, extra: &[&str]) -> Output {
    kairos(data_dir)
        .arg("import")
        .args(extra)
        .arg(file)
        .output()
        .expect("runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn basic(password: &str) -> String {
    let pair = format!("domina:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// A server on `data_dir` that takes the admin password stored there.
async fn server(data_dir: &Path) -> TestServer {
    let clock = Arc::new(SettableClock::new(monday_morning()));
    TestServer::start_with(data_dir, clock, |config| config.admin_password = None).await
}

/// What the source server showed, to be seen again on the imported store.
struct Seen {
    appointment_path: String,
    appointment: String,
    manage_path: String,
    preferences_path: String,
    preferences: serde_json::Value,
    event_etag: String,
}

/// Fills `data_dir` through a server: the admin password generated at first start, a
/// booking (with its confirmation in the outbox), a client's preferences, an event in
/// the personal calendar.
async fn fill(data_dir: &Path) -> (String, Seen) {
    let password = {
        let store = Store::open(&data_dir.join("db"), New_York).expect("opens");
        match AdminCredentials::setup("domina", None, &store).expect("set up") {
            (_, PasswordOrigin::Generated(password)) => password,
            _ => panic!("a fresh store generates the password"),
        }
    };
    let server = server(data_dir).await;
    let booked = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "pat@example.com"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let appointment = &booked.body["appointment"];
    let manage_url = appointment["manageUrl"].as_str().expect("manage URL");
    let token = manage_url.rsplit('/').next().expect("token");
    let id = appointment["id"].as_str().expect("id");
    let user = appointment["user"]["id"].as_str().expect("user id");
    let appointment_path = format!("/api/appointments/{id}?token={token}");
    let preferences_path = format!("/api/users/{user}/preferences?token={token}");
    let prefs = r#"{"preferredDays":["Thursday"],"preferredTimeSlots":["afternoon"],"timezone":"Europe/Paris"}"#;
    let put = server
        .send(Method::PUT, &preferences_path, Some(prefs), &[])
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let auth = basic(&password);
    let created = server
        .dav(
            "PUT",
            EVENT_PATH,
            Some(EVENT),
            &[("content-type", "text/calendar"), ("authorization", &auth)],
            false,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let seen = Seen {
        appointment: relative(&server, server.get(&appointment_path).await.body),
        appointment_path,
        manage_path: format!("/manage/{token}"),
        preferences: server.get(&preferences_path).await.body,
        preferences_path,
        event_etag: created.header("etag").expect("an ETag").to_string(),
    };
    server.stop().await;
    (password, seen)
}

/// `reply` with the links to `server` made relative (servers run on different ports).
fn relative(server: &TestServer, reply: serde_json::Value) -> String {
    reply.to_string().replace(&server.base, "")
}

fn outbox_ids(data_dir: &Path) -> Vec<(u64, String)> {
    let store = Store::open(&data_dir.join("db"), New_York).expect("opens");
    store
        .outbox()
        .expect("reads")
        .into_iter()
        .map(|entry| (entry.id, format!("{:?}", entry.intent)))
        .collect()
}

#[tokio::test]
async fn a_store_exported_and_imported_with_the_cli_serves_the_same_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    let (password, seen) = fill(&source).await;
    let backup_file = dir.path().join("backup.json");
    let backup = exported(&source);
    std::fs::write(&backup_file, &backup).expect("written");
    let source_outbox = outbox_ids(&source);
    assert!(!source_outbox.is_empty(), "the booking queued its mail");

    let imported = import(&target, &backup_file, &[]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stderr(&imported).contains("imported"),
        "{}",
        stderr(&imported)
    );
    assert_eq!(
        String::from_utf8_lossy(&exported(&target)),
        String::from_utf8_lossy(&backup),
        "export(import(export)) is the export"
    );
    assert_eq!(outbox_ids(&target), source_outbox);

    let server = server(&target).await;
    let auth = basic(&password);
    let appointment = server.get(&seen.appointment_path).await.body;
    assert_eq!(relative(&server, appointment), seen.appointment);
    assert_eq!(server.get(&seen.manage_path).await.status, StatusCode::OK);
    assert_eq!(
        server.get(&seen.preferences_path).await.body,
        seen.preferences
    );
    let event = server
        .dav("GET", EVENT_PATH, None, &[("authorization", &auth)], false)
        .await;
    assert_eq!(event.status, StatusCode::OK);
    assert_eq!(event.text, EVENT);
    assert_eq!(event.header("etag"), Some(seen.event_etag.as_str()));
    let admin = server
        .send(Method::GET, "/admin", None, &[("authorization", &auth)])
        .await;
    assert_eq!(admin.status, StatusCode::OK);
    let wrong = server
        .send(
            Method::GET,
            "/admin",
            None,
            &[("authorization", &basic("nope"))],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let again = server
        .post(
            "/api/appointments",
            &booking("2026-03-03T09:00:00-05:00", "other@example.com"),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "the imported booking holds its time"
    );
    let other = server
        .post(
            "/api/appointments",
            &booking("2026-03-04T09:00:00-05:00", "other@example.com"),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    server.stop().await;

    // The imported outbox is kept; what the new booking queued comes after it.
    let after = outbox_ids(&target);
    let highest = source_outbox
        .iter()
        .map(|(id, _)| *id)
        .max()
        .expect("entries");
    assert!(after.len() > source_outbox.len());
    for (id, intent) in &source_outbox {
        assert!(
            after.iter().any(|(i, s)| i == id && s == intent),
            "{id} kept"
        );
    }
    assert!(after.iter().filter(|(id, _)| *id > highest).count() >= 1);
}

#[tokio::test]
async fn refused_imports_and_exports_say_why_and_change_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    fill(&source).await;
    let backup = String::from_utf8(exported(&source)).expect("UTF-8");
    // The target holds a store of its own.
    server(&target).await.stop().await;
    let before = exported(&target);
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let cases = [
        (write("full.json", &backup), "already holds"),
        (
            write(
                "v2.json",
                &backup.replace(r#""version": 1"#, r#""version": 9"#),
            ),
            "backup version 9",
        ),
        (
            write("cut.json", &backup[..backup.len() * 2 / 3]),
            "not valid JSON at line",
        ),
    ];
    for (file, complaint) in &cases {
        let output = import(&target, file, &[]);
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains(complaint), "{complaint}: {message}");
        assert!(message.contains("storage.data_dir"), "{message}");
        assert_eq!(exported(&target), before, "{complaint}");
    }
    assert!(stderr(&import(&target, &cases[0].0, &[])).contains("--replace"));
    for (file, complaint) in &cases[1..] {
        let output = import(&target, file, &["--replace"]);
        assert!(!output.status.success(), "{complaint}");
        assert_eq!(exported(&target), before, "{complaint}");
    }

    // A running server holds the store: both commands stop at once, naming the key.
    let running = server(&target).await;
    let busy_export = export(&target);
    let busy_import = import(&target, &cases[0].0, &["--replace"]);
    for output in [busy_export, busy_import] {
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(
            message.contains("in use") && message.contains("storage.data_dir"),
            "{message}"
        );
    }
    running.stop().await;
    // The server itself may have delivered the waiting confirmation meanwhile (its
    // outbox job runs at start); everything else is as it was.
    assert_eq!(without_outbox(&exported(&target)), without_outbox(&before));

    let replaced = import(&target, &cases[0].0, &["--replace"]);
    assert!(replaced.status.success(), "{}", stderr(&replaced));
    assert_eq!(exported(&target), backup.as_bytes());
}
