//! The composition root: open the store (with the built-in calendars), set up admin
//! credentials, build the use cases with their busy sources and the router, start the
//! background jobs, serve until shutdown, stop the jobs, flush. The caller binds the listener, so tests
//! serve on `127.0.0.1:0`.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::dav::DavContext;
use crate::domain::{Clock, SystemClock};
use crate::google::client::GoogleClient;
use crate::http::{self, TlsFile, Transport};
use crate::jobs::google::GooglePullJob;
use crate::jobs::imap::ImapJob;
use crate::jobs::inbound::InboundJob;
use crate::jobs::outbox::OutboxJob;
use crate::jobs::scheduled::{self, ScheduledJobs};
use crate::mail::imap::ImapInbox;
use crate::mail::inbound::Spool;
use crate::mail::smtp::Mailer;
use crate::routes::{Guards, Router};
use crate::service::{AdminCredentials, PasswordOrigin, Scheduler, builtin_calendars};
use crate::store::{BackupSummary, ImportMode, Store};
use crate::web::Context;

/// Serves `config` on `listener` with the wall clock until `shutdown` completes.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    run_with_clock(config, listener, shutdown, Arc::new(SystemClock)).await
}

/// As [`run`], reading time from `clock`.
pub async fn run_with_clock(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let transport = transport(&config)?;
    let db_dir = store_dir(&config);
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {} (storage.data_dir / KAIROS_DATA_DIR)",
            config.data_dir.display()
        )
    })?;
    let store = Store::open_with_cache(&db_dir, config.host.zone, config.store_cache_bytes)
        .with_context(|| {
            format!(
                "cannot open the store in {} (storage.data_dir / KAIROS_DATA_DIR)",
                db_dir.display()
            )
        })?;
    let env_password = config
        .admin_password
        .as_ref()
        .map(|secret| secret.expose().to_string());
    let (admin, origin) = AdminCredentials::setup(&config.host.id, env_password, &store)?;
    announce_password(&config.host.id, &origin);

    store.ensure_calendars(&builtin_calendars(&config.host.name))?;
    let scheduler = Arc::new(Scheduler::new(&config, store.clone(), Arc::clone(&clock)));
    let mailer = Mailer::new(&config.mail.transport, &config.data_dir)?;
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let google = match &config.google {
        Some(google) => {
            let client = GoogleClient::new(google).await.with_context(|| {
                "cannot use the Google credentials (google.credentials_file)".to_string()
            })?;
            store.push_to_google(true);
            Some((Arc::new(client), google))
        }
        None => None,
    };
    let mut outbox = OutboxJob::new(Arc::clone(&scheduler), mailer, config.mail.max_retry);
    if let Some((client, google)) = &google {
        outbox = outbox.with_google(Arc::clone(client), google.push_calendar.clone());
    }
    let outbox = tokio::spawn(outbox.run(config.mail.poll, stopped(jobs_stopped.clone())));
    let spool = Spool::open(&config.data_dir).with_context(|| {
        format!(
            "cannot open the inbound spool under {} (storage.data_dir / KAIROS_DATA_DIR)",
            config.data_dir.display()
        )
    })?;
    let mut jobs = vec![("outbox", outbox)];
    let scheduled = ScheduledJobs::start(
        Arc::clone(&scheduler),
        scheduled::planned(&config),
        config.host.zone,
    )
    .await
    .context("starting the scheduled jobs")?;
    {
        let stop = stopped(jobs_stopped.clone());
        jobs.push((
            "scheduled",
            tokio::spawn(async move {
                stop.await;
                scheduled.stop().await;
            }),
        ));
    }
    if let Some((client, google)) = &google {
        let job = GooglePullJob::new(
            Arc::clone(client),
            Arc::clone(&scheduler),
            google,
            scheduler.google_wake(),
        );
        jobs.push((
            "google",
            tokio::spawn(job.run(stopped(jobs_stopped.clone()))),
        ));
    }
    if let Some(imap) = &config.mail.imap {
        let inbox = ImapInbox::new(imap.clone(), &config.data_dir, Arc::clone(&clock));
        jobs.push((
            "imap",
            tokio::spawn(ImapJob::new(inbox, spool.clone()).run(stopped(jobs_stopped.clone()))),
        ));
    }
    jobs.push((
        "inbound",
        tokio::spawn(
            InboundJob::new(Arc::clone(&scheduler), spool)
                .run(config.mail.inbox_poll, stopped(jobs_stopped)),
        ),
    ));
    let admin = Arc::new(admin);
    let body = http::BodyLimit {
        max_bytes: config.server.max_body_bytes,
        timeout: config.server.body_read_timeout,
    };
    let router = Arc::new(Router::new(
        Context {
            scheduler: Arc::clone(&scheduler),
            admin: Arc::clone(&admin),
            body,
        },
        DavContext {
            scheduler,
            admin,
            body,
        },
        Guards {
            limiter: http::RateLimiter::new(config.server.rate_limit_per_minute),
            logins: http::LoginThrottle::new(
                config.server.failed_login_limit,
                config.server.failed_login_delay,
            ),
            trusted_proxies: config.server.trusted_proxies.clone(),
        },
    ));
    let address = listener.local_addr()?;
    let data_dir =
        std::fs::canonicalize(&config.data_dir).unwrap_or_else(|_| config.data_dir.clone());
    tracing::info!(
        host = %config.host.id,
        "Kairos listening on {}://{address}",
        transport.scheme()
    );
    tracing::info!("data in {}", data_dir.display());

    let limits = http::ConnectionLimits {
        max_connections: fitting_connections(config.server.max_connections),
        header_read_timeout: config.server.header_read_timeout,
        grace: config.server.shutdown_grace,
    };
    http::serve(listener, transport, router, limits, shutdown).await;

    let _ = stop_jobs.send(true);
    for (name, job) in jobs {
        if let Err(error) = job.await {
            tracing::error!("the {name} job ended abnormally: {error}");
        }
    }
    store
        .flush()
        .await
        .context("flushing the store at shutdown")?;
    tracing::info!("stopped; store flushed");
    Ok(())
}

/// Where the store lives: `<storage.data_dir>/db`.
pub fn store_dir(config: &Config) -> PathBuf {
    config.data_dir.join("db")
}

/// Writes a backup of the whole store to `out` (`kairos export`); the server must be
/// stopped.
pub fn export_store(config: &Config, out: &mut dyn Write) -> anyhow::Result<BackupSummary> {
    let dir = store_dir(config);
    crate::store::export(&dir, out).with_context(|| {
        format!(
            "exporting the store in {} (storage.data_dir / KAIROS_DATA_DIR)",
            dir.display()
        )
    })
}

/// Restores a backup into the store (`kairos import`); the server must be stopped.
/// Changes nothing when it fails.
pub fn import_store(
    config: &Config,
    document: &[u8],
    mode: ImportMode,
) -> anyhow::Result<BackupSummary> {
    let dir = store_dir(config);
    crate::store::import(&dir, document, mode).with_context(|| {
        format!(
            "importing into the store in {} (storage.data_dir / KAIROS_DATA_DIR)",
            dir.display()
        )
    })
}

/// Plain HTTP, or TLS from `server.tls`'s files (errors name the key of the file).
fn transport(config: &Config) -> anyhow::Result<Transport> {
    let Some(files) = &config.server.tls else {
        return Ok(Transport::Plain);
    };
    Transport::tls_from_pem_files(&files.cert_file, &files.key_file).map_err(|error| {
        let key = match error.file() {
            TlsFile::Certificate => "server.tls.cert_file",
            TlsFile::Key => "server.tls.key_file",
            TlsFile::Both => "server.tls",
        };
        anyhow::anyhow!("{key}: {error}")
    })
}

/// Resolves once `flag` turns true (or its sender is gone).
async fn stopped(mut flag: tokio::sync::watch::Receiver<bool>) {
    let _ = flag.wait_for(|stop| *stop).await;
}

fn announce_password(user: &str, origin: &PasswordOrigin) {
    match origin {
        PasswordOrigin::Environment => tracing::info!("admin password from KAIROS_ADMIN_PASSWORD"),
        PasswordOrigin::Stored => tracing::info!(
            "admin password: the one generated at first start (set KAIROS_ADMIN_PASSWORD to replace it)"
        ),
        // Printed straight to the terminal, once, never through the log pipeline.
        PasswordOrigin::Generated(password) => eprintln!(
            "\n  Admin credentials (shown only this once; only a hash is kept):\n    user:     {user}\n    password: {password}\n  Set KAIROS_ADMIN_PASSWORD to choose your own.\n"
        ),
    }
}

/// `wanted` connections, or fewer when the process may not open that many files (each
/// connection is one; the store, the spool and the jobs need some more). The soft limit
/// is raised towards the hard one first: many systems start processes at 1024.
fn fitting_connections(wanted: usize) -> usize {
    const RESERVE: usize = 256;
    let needed = u64::try_from(wanted.saturating_add(RESERVE)).unwrap_or(u64::MAX);
    let Ok(limit) = rlimit::increase_nofile_limit(needed) else {
        return wanted;
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let fitting = limit.saturating_sub(RESERVE).max(1);
    if wanted > fitting {
        tracing::warn!(
            "server.max_connections is {wanted} but the process may open only {limit} files; serving {fitting} connections at once (raise LimitNOFILE / ulimit -n)"
        );
        return fitting;
    }
    wanted
}
