//! Mail for the booking address kept at a mail provider: Kairos fetches it over IMAP
//! from a real Dovecot on loopback (TLS with a private CA, and STARTTLS), answers each
//! invitation once, flags it \Seen and leaves it in the mailbox. Ignored by default:
//! it needs Dovecot (Debian `dovecot-imapd`), which `.ci/run` installs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use kairos::config::{Config, ImapConfig, MailSecurity, Secret};
use kairos::domain::SettableClock;

use crate::support::dovecot::{self, Dovecot};
use crate::support::smtp_sink::{Received, SmtpSink};
use crate::support::{TestServer, monday_morning};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/mail")
            .join(name),
    )
    .expect("fixture")
}

fn mailbox(dovecot: &Dovecot, security: MailSecurity) -> ImapConfig {
    let port = match security {
        MailSecurity::Tls => dovecot.tls_port,
        MailSecurity::StartTls | MailSecurity::None => dovecot.plain_port,
    };
    ImapConfig {
        host: "localhost".into(),
        port,
        security,
        user: dovecot::USER.into(),
        password: Secret::new(dovecot::PASSWORD),
        folder: "INBOX".into(),
        ca_file: Some(dovecot.ca_file.clone()),
        // Long: mail arriving sooner than this was announced by IDLE.
        poll: Duration::from_secs(600),
    }
}

async fn start(dir: &Path, sink: &SmtpSink, imap: ImapConfig) -> TestServer {
    let to_sink = sink.configure();
    let clock = Arc::new(SettableClock::new(monday_morning()));
    TestServer::start_with(dir, clock, move |config: &mut Config| {
        to_sink(config);
        config.mail.imap = Some(imap);
    })
    .await
}

/// Waits up to 20 s until a message to `address` has arrived; returns all received.
async fn answered(sink: &SmtpSink, address: &str, dovecot: &Dovecot) -> Vec<Received> {
    for _ in 0..1_000 {
        let received = sink.received();
        if received
            .iter()
            .any(|mail| mail.to.iter().any(|to| to == address))
        {
            return received;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no answer to {address}; Dovecot's log:\n{}", dovecot.log());
}

fn messages_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.count())
        .unwrap_or(0)
}

#[tokio::test]
#[ignore = "needs Dovecot (Debian dovecot-imapd); .ci/run installs it"]
async fn imap_mail_is_fetched_once_answered_and_left_in_the_mailbox_seen() {
    let dovecot = Dovecot::start().await;
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let cur = dir.path().join("mail/inbox/cur");

    // Waiting in the mailbox before Kairos first looks: fetched over TLS and answered.
    dovecot.deliver(&fixture("google-request.eml")).await;
    let server = start(dir.path(), &sink, mailbox(&dovecot, MailSecurity::Tls)).await;
    answered(&sink, "ada@gmail.example", &dovecot).await;

    // Arriving while Kairos waits: announced by IDLE, answered long before a poll.
    dovecot.deliver(&fixture("thunderbird-request.eml")).await;
    answered(&sink, "alan@thunder.example", &dovecot).await;
    let before_restart = sink.received().len();
    assert_eq!(messages_in(&cur), 2, "both spooled and processed once");

    // Both are still in the mailbox, flagged \Seen.
    let mut session = dovecot.session().await;
    session.select("INBOX").await.expect("selects");
    let flags: Vec<bool> = session
        .uid_fetch("1:*", "FLAGS")
        .await
        .expect("fetches")
        .try_collect::<Vec<_>>()
        .await
        .expect("fetched")
        .iter()
        .map(|fetch| {
            fetch
                .flags()
                .any(|flag| matches!(flag, async_imap::types::Flag::Seen))
        })
        .collect();
    assert_eq!(flags, [true, true]);
    session.logout().await.ok();

    // Restarted over STARTTLS (another connection, so no saved position applies):
    // what is \Seen is not taken again; only the new message is.
    server.stop().await;
    let server = start(dir.path(), &sink, mailbox(&dovecot, MailSecurity::StartTls)).await;
    dovecot.deliver(&fixture("apple-request.eml")).await;
    let received = answered(&sink, "marie@icloud.example", &dovecot).await;
    assert_eq!(
        messages_in(&cur),
        3,
        "the earlier two were not fetched again"
    );
    assert!(
        received[before_restart..]
            .iter()
            .all(|mail| mail.to == ["marie@icloud.example"]),
        "only Marie was answered after the restart"
    );
    server.stop().await;
}
