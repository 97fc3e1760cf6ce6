//! The `kairos` command: parses arguments, loads configuration, calls the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use kairos::config::{Config, LogFormat, Source};
use tokio::net::TcpListener;

/// The process's allocator. Under a steady stream of bookings glibc's malloc kept
/// memory the store had freed (sled's half-megabyte log buffers land among small
/// long-lived allocations once glibc raises its mmap threshold): resident memory
/// reached ten times the live heap, 1.4 GiB for about 120 MB after two minutes of
/// `examples/soak.rs`. jemalloc gives freed pages back; the same load stays under
/// 200 MiB, with a quarter more requests served.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Kairos: self-hosted, calendar-native appointment scheduling.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./config.yaml, else the built-in demo configuration).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the booking API (the default).
    Serve,
    /// Put one RFC 5322 message (on standard input) into the inbound spool; exits 0
    /// only once it is safely on disk. For use as an MTA pipe; works while the server
    /// is down.
    IngestMail,
    /// Read what clients write about times: JSON Lines on standard input, one JSON
    /// answer per line on standard output (the protocol of the nlp benchmark,
    /// ../shared/bench/nlp/README.md). Needs no configuration or data directory.
    ParseTime,
    /// Write a backup of the whole store (every record, as one JSON document) to
    /// standard output. The server must be stopped: the store is read at one state.
    Export,
    /// Restore a backup written by `kairos export` into the store (storage.data_dir).
    /// The whole file is checked before anything is written; a store that already
    /// holds records is left alone unless --replace is given. The server must be
    /// stopped.
    Import {
        /// The backup file (`-`: standard input).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace whatever the store holds.
        #[arg(long)]
        replace: bool,
    },
    /// Give Kairos access to the host's Google calendars: prints a consent page to
    /// open, waits for Google's answer on 127.0.0.1, and writes the credentials file
    /// for google.credentials_file. Needs no configuration.
    GoogleAuth {
        /// The OAuth client file (JSON) of a desktop app from Google Cloud.
        #[arg(long, value_name = "FILE")]
        client_secret: PathBuf,
        /// Where to write the credentials (readable by its owner only).
        #[arg(long, value_name = "FILE", default_value = "google-credentials.json")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Commands that need no configuration.
    let standalone = match &cli.command {
        Some(Command::ParseTime) => Some(parse_time()),
        Some(Command::GoogleAuth { client_secret, out }) => Some(google_auth(client_secret, out)),
        _ => None,
    };
    if let Some(outcome) = standalone {
        return match outcome {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kairos: {error:#}");
                ExitCode::FAILURE
            }
        };
    }
    let source = match &cli.config {
        Some(path) => Source::File(path),
        None => Source::Default,
    };
    let config = match Config::load(source, &|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("kairos: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.log_level, config.log_format);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::IngestMail => ingest_mail(&config),
        Command::Export => export(&config),
        Command::Import { file, replace } => import(&config, &file, replace),
        Command::ParseTime => parse_time(),
        Command::GoogleAuth { client_secret, out } => google_auth(&client_secret, &out),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kairos: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(level: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // A log line that cannot be written is dropped: by default the subscriber reports
    // it with `eprintln!`, which panics when stderr is a closed pipe (a log collector
    // gone) and would take the server (or a task of it) down.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
    match format {
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            logs.with_ansi(colour).init();
        }
        // One object per line: time, level, target, message and the event's fields.
        LogFormat::Json => logs.json().flatten_event(true).with_ansi(false).init(),
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listen = config.server.listen;
        let listener = TcpListener::bind(listen).await.with_context(|| {
            format!("cannot listen on {listen} (server.listen / KAIROS_LISTEN)")
        })?;
        kairos::app::run(config, listener, shutdown_signal()).await
    })
}

fn ingest_mail(config: &Config) -> anyhow::Result<()> {
    use std::io::Read as _;
    let mut message = Vec::new();
    std::io::stdin()
        .take(kairos::mail::inbound::MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut message)
        .context("reading the message from standard input")?;
    let spool = kairos::mail::inbound::Spool::open(&config.data_dir).with_context(|| {
        format!(
            "opening the spool under {} (storage.data_dir / KAIROS_DATA_DIR)",
            config.data_dir.display()
        )
    })?;
    let now = kairos::domain::Clock::now(&kairos::domain::SystemClock);
    let name = spool
        .deliver(&message, now)
        .context("spooling the message")?;
    tracing::info!("spooled {name}");
    Ok(())
}

fn export(config: &Config) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let summary = kairos::app::export_store(config, &mut out)?;
    eprintln!(
        "kairos: exported {} records in {} trees",
        summary.records, summary.trees
    );
    Ok(())
}

fn import(config: &Config, file: &std::path::Path, replace: bool) -> anyhow::Result<()> {
    use std::io::Read as _;
    let mut document = Vec::new();
    if file == std::path::Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut document)
            .context("reading the backup from standard input")?;
    } else {
        document = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    }
    let mode = if replace {
        kairos::store::ImportMode::Replace
    } else {
        kairos::store::ImportMode::IntoEmpty
    };
    let summary = kairos::app::import_store(config, &document, mode).map_err(|error| {
        let not_empty = error.chain().any(|cause| {
            matches!(
                cause.downcast_ref(),
                Some(kairos::store::BackupError::NotEmpty { .. })
            )
        });
        if not_empty {
            anyhow::anyhow!(
                "{error:#}. To replace it, stop the server and run `kairos import --replace FILE`"
            )
        } else {
            error
        }
    })?;
    eprintln!(
        "kairos: imported {} records in {} trees",
        summary.records, summary.trees
    );
    Ok(())
}

/// Answers each line of standard input on standard output. Answers are flushed per
/// line when a person types them, in one go when a program pipes them.
fn parse_time() -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let interactive = std::io::stdin().is_terminal();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", kairos::nlp::protocol::answer(&line)).context("writing an answer")?;
        if interactive {
            out.flush().context("writing an answer")?;
        }
    }
    out.flush().context("writing the answers")?;
    Ok(())
}

fn google_auth(client_secret: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(kairos::google::consent::run(
        client_secret,
        out,
        &mut |text| {
            println!("{text}");
        },
    ))
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives while the server starts
/// is not lost (nor does it kill the process outright).
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            (Err(error), _) | (_, Err(error)) => {
                tracing::error!(%error, "cannot listen for Ctrl-C and SIGTERM");
                std::future::pending::<()>().await;
            }
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
