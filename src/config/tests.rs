//! Configuration: the shipped file, defaults, errors naming keys, env overrides.

use super::*;
use chrono::{Duration, Weekday};

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn the_shipped_file_is_the_demo_host() {
    let config = Config::demo();
    assert_eq!(config.host.id, "domina");
    assert_eq!(config.host.booking_address.as_str(), "book@kairos.example");
    assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.server.public_url, "http://127.0.0.1:8080");
    assert_eq!(config.rules.max_per_day, 6);
    assert_eq!(config.rules.working_hours.periods(Weekday::Mon).len(), 2);
    assert!(config.rules.working_hours.periods(Weekday::Sat).is_empty());
    let urgent = config.meeting_type("urgent").expect("urgent exists");
    assert_eq!(urgent.minimum_notice, Some(Duration::minutes(30)));
    assert_eq!(config.meeting_types[0].id, "consultation");
}

#[test]
fn the_shipped_file_matches_the_built_in_defaults() {
    let from_file = Config::demo();
    let from_nothing = Config::from_yaml("empty", "{}", &no_env).expect("defaults are valid");
    assert_eq!(
        format!("{:?}", from_file.rules),
        format!("{:?}", from_nothing.rules)
    );
    assert_eq!(from_file.meeting_types, from_nothing.meeting_types);
    assert_eq!(
        format!("{:?}", from_file.scoring),
        format!("{:?}", from_nothing.scoring)
    );
    assert_eq!(from_file.host, from_nothing.host);
    for (file, nothing) in [
        (
            format!("{:?}", from_file.reminders),
            format!("{:?}", from_nothing.reminders),
        ),
        (
            format!("{:?}", from_file.follow_ups),
            format!("{:?}", from_nothing.follow_ups),
        ),
        (
            format!("{:?}", from_file.agenda),
            format!("{:?}", from_nothing.agenda),
        ),
    ] {
        assert_eq!(file, nothing);
    }
    assert_eq!(from_file.server.public_url, from_nothing.server.public_url);
}

#[test]
fn an_unknown_key_is_an_error_naming_it() {
    let error = Config::from_yaml("test.yaml", "server:\n  listne: 1.2.3.4:5\n", &no_env)
        .expect_err("refused");
    let text = error.to_string();
    assert!(
        text.contains("server.listne") || text.contains("listne"),
        "{text}"
    );
    assert!(text.starts_with("test.yaml: server"), "{text}");
}

#[test]
fn bad_values_name_their_key() {
    let cases = [
        ("host:\n  timezone: Mars/Olympus\n", "host.timezone"),
        (
            "availability:\n  working_hours:\n    monday: [\"12:00-09:00\"]\n",
            "availability.working_hours.monday[0]",
        ),
        (
            "availability:\n  working_hours:\n    funday: []\n",
            "availability.working_hours.funday",
        ),
        (
            "availability:\n  buffer_minutes: -5\n",
            "availability.buffer_minutes",
        ),
        ("server:\n  listen: nowhere\n", "server.listen"),
        ("meeting_types: []\n", "meeting_types"),
        (
            "meeting_types:\n  - {id: a, name: A, duration_minutes: 600}\n",
            "meeting_types[0].duration_minutes",
        ),
        ("host:\n  email: not-an-address\n", "host.email"),
        ("mail:\n  transport: pigeon\n", "mail.transport"),
        (
            "mail:\n  transport: smtp\n  smtp:\n    security: ssl\n",
            "mail.smtp.security",
        ),
        (
            "mail:\n  transport: smtp\n  smtp:\n    user: me\n",
            "mail.smtp.password_file",
        ),
        (
            "mail:\n  transport: smtp\n  smtp:\n    user: me\n    password_file: /nonexistent/kairos-pw\n",
            "mail.smtp.password_file",
        ),
        ("mail:\n  max_retry_seconds: 0\n", "mail.max_retry_seconds"),
        ("reminders:\n  schedule: hourly\n", "reminders.schedule"),
        ("agenda:\n  schedule: \"0 7 * * *\"\n", "agenda.schedule"),
        (
            "follow_ups:\n  meeting_type: coffee\n",
            "follow_ups.meeting_type",
        ),
        (
            "mail:\n  imap:\n    host: imap.example.com\n    user: me\n    password_file: /nonexistent/kairos-pw\n",
            "mail.imap.password_file",
        ),
        (
            "mail:\n  imap:\n    host: imap.example.com\n    user: me\n",
            "password_file",
        ),
        (
            "mail:\n  imap:\n    host: \"\"\n    user: me\n    password_file: /etc/hostname\n",
            "mail.imap.host",
        ),
        (
            "mail:\n  imap:\n    host: imap.example.com\n    security: ssl\n    user: me\n    password_file: /etc/hostname\n",
            "mail.imap.security",
        ),
    ];
    for (yaml, key) in cases {
        let text = Config::from_yaml("t", yaml, &no_env)
            .expect_err(yaml)
            .to_string();
        assert!(text.contains(key), "{yaml} → {text}");
    }
}

#[test]
fn environment_overrides_listen_and_data_dir() {
    let env = |name: &str| match name {
        "KAIROS_LISTEN" => Some("127.0.0.1:9999".to_string()),
        "KAIROS_DATA_DIR" => Some("/tmp/kairos-x".to_string()),
        _ => None,
    };
    let config = Config::from_yaml("t", DEFAULT_YAML, &env).expect("valid");
    assert_eq!(config.server.listen.port(), 9999);
    assert_eq!(config.data_dir, PathBuf::from("/tmp/kairos-x"));
    assert_eq!(config.server.public_url, "http://127.0.0.1:9999");
}

#[test]
fn mail_is_written_to_files_unless_smtp_is_configured() {
    let config = Config::from_yaml("t", DEFAULT_YAML, &no_env).expect("valid");
    assert!(matches!(config.mail.transport, MailTransport::File));
    let dir = tempfile::tempdir().expect("temp dir");
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, "s3cret\nignored second line\n").expect("written");
    let yaml = format!(
        "mail:\n  transport: smtp\n  smtp:\n    host: mail.example.com\n    port: 465\n    security: tls\n    user: kairos\n    password_file: {}\n",
        password_file.display()
    );
    let config = Config::from_yaml("t", &yaml, &no_env).expect("valid");
    let MailTransport::Smtp(smtp) = config.mail.transport else {
        panic!("smtp expected");
    };
    assert_eq!((smtp.host.as_str(), smtp.port), ("mail.example.com", 465));
    assert_eq!(smtp.security, MailSecurity::Tls);
    let (user, password) = smtp.credentials.expect("credentials");
    assert_eq!((user.as_str(), password.expose()), ("kairos", "s3cret"));
    assert!(
        !format!("{password:?}").contains("s3cret"),
        "never in Debug output"
    );
}

#[test]
fn an_imap_mailbox_is_read_only_when_configured_with_its_password_from_a_file() {
    let config = Config::from_yaml("t", DEFAULT_YAML, &no_env).expect("valid");
    assert!(config.mail.imap.is_none());
    let dir = tempfile::tempdir().expect("temp dir");
    let password_file = dir.path().join("imap-password");
    std::fs::write(&password_file, "hunter2\n").expect("written");
    let yaml = |security: &str| {
        format!(
            "mail:\n  imap:\n    host: imap.example.com\n    security: {security}\n    user: book@example.com\n    password_file: {}\n",
            password_file.display()
        )
    };
    let imap = Config::from_yaml("t", &yaml("tls"), &no_env)
        .expect("valid")
        .mail
        .imap
        .expect("configured");
    assert_eq!((imap.port, imap.security), (993, MailSecurity::Tls));
    assert_eq!(
        (imap.folder.as_str(), imap.password.expose()),
        ("INBOX", "hunter2")
    );
    assert_eq!(imap.poll, std::time::Duration::from_secs(300));
    let imap = Config::from_yaml("t", &yaml("starttls"), &no_env)
        .expect("valid")
        .mail
        .imap
        .expect("configured");
    assert_eq!((imap.port, imap.security), (143, MailSecurity::StartTls));
}

#[test]
fn the_google_mirror_is_off_unless_enabled_with_credentials_it_can_read() {
    let config = Config::from_yaml("t", DEFAULT_YAML, &no_env).expect("valid");
    assert!(config.google.is_none());
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, json: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, json).expect("written");
        path
    };
    let enabled = |file: &std::path::Path| {
        format!(
            "google:\n  enabled: true\n  credentials_file: {}\n",
            file.display()
        )
    };
    let user = write(
        "user.json",
        r#"{"type": "authorized_user", "client_id": "id", "client_secret": "s3cret", "refresh_token": "r3fresh"}"#,
    );
    let google = Config::from_yaml("t", &enabled(&user), &no_env)
        .expect("valid")
        .google
        .expect("enabled");
    assert!(matches!(
        google.credentials,
        GoogleCredentials::AuthorizedUser { .. }
    ));
    assert_eq!(google.calendars, ["primary"]);
    assert!(
        !format!("{google:?}").contains("s3cret") && !format!("{google:?}").contains("r3fresh")
    );
    let service = write(
        "service.json",
        r#"{"type": "service_account", "client_email": "k@p.iam.example", "private_key": "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}"#,
    );
    let google = Config::from_yaml("t", &enabled(&service), &no_env)
        .expect("valid")
        .google
        .expect("enabled");
    assert!(matches!(
        google.credentials,
        GoogleCredentials::ServiceAccount { .. }
    ));
    let partial = write(
        "partial.json",
        r#"{"type": "authorized_user", "client_id": "id"}"#,
    );
    for (yaml, key) in [
        (
            "google:\n  enabled: true\n".to_string(),
            "google.credentials_file",
        ),
        (enabled(&partial), "google.credentials_file"),
        (
            enabled(&dir.path().join("missing.json")),
            "google.credentials_file",
        ),
        (
            format!("{}  watch_url: http://example.com/hook\n", enabled(&user)),
            "google.watch_url",
        ),
        (
            format!("{}  calendars: []\n", enabled(&user)),
            "google.calendars",
        ),
    ] {
        let text = Config::from_yaml("t", &yaml, &no_env)
            .expect_err(&yaml)
            .to_string();
        assert!(text.contains(key), "{yaml} → {text}");
    }
}

#[test]
fn scheduled_jobs_take_a_cron_schedule_or_off() {
    let config = Config::demo();
    let schedule = |s: &Option<Schedule>| s.as_ref().map(|s| s.expression().to_string());
    assert_eq!(
        schedule(&config.reminders.schedule).as_deref(),
        Some("0 * * * * *")
    );
    assert_eq!(
        schedule(&config.agenda.schedule).as_deref(),
        Some("0 0 7 * * *")
    );
    assert_eq!(config.follow_ups.meeting_type, "follow-up");
    let off = "reminders:\n  schedule: \"off\"\nfollow_ups:\n  schedule: \"off\"\n  meeting_type: coffee\nagenda:\n  schedule: \"OFF\"\n";
    let config = Config::from_yaml("t", off, &no_env).expect("off is valid");
    assert!(config.reminders.schedule.is_none());
    assert!(
        config.follow_ups.schedule.is_none(),
        "an unknown type is fine when off"
    );
    assert!(config.agenda.schedule.is_none());
}
