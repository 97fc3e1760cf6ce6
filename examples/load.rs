//! A bounded loopback load run: starts Kairos in-process on `127.0.0.1:0` with a temp
//! data dir and round-the-clock availability, then measures
//! (a) bookings per second, 8 concurrent clients booking distinct slots, and
//! (b) latency of `GET /api/availability` on days that hold bookings.
//! Everything stops after two minutes whatever happens; a plain-text report is printed.
//!
//! Run: `cargo run --release --example load [-- CLIENTS]` (default 8 clients). The
//! server runs on a thread and tokio runtime of its own, so a server that stops
//! answering cannot stall the measuring side: a request unanswered for 10 s ends its
//! client's loop and is reported, and a server that does not stop within 15 s is
//! reported and left behind. Client and server share the machine's cores, so the
//! figures are for comparison between runs, not a capacity claim.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc, Weekday};
use http_body_util::{BodyExt, Full};
use hyper::header::CONTENT_TYPE;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kairos::config::Config;
use kairos::domain::{Clock, SystemClock, WorkingHours, WorkingPeriod};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Concurrent clients in each phase, unless given as the first argument.
const DEFAULT_CLIENTS: usize = 8;
/// Bookings made in phase (a).
const BOOKINGS: usize = 2_000;
/// Availability requests made in phase (b).
const QUERIES: usize = 2_000;
/// Bookings are one hour apart, so every booked day keeps free slots between them.
const BOOKING_SPACING_MINUTES: i64 = 60;
/// Meeting length, minutes.
const MEETING_MINUTES: i64 = 30;
/// The whole run stops after this, finished or not.
const TIME_CAP: StdDuration = StdDuration::from_secs(120);
/// A request unanswered this long means the server has stalled.
const STALL: StdDuration = StdDuration::from_secs(10);
/// How long the server is given to stop.
const STOP_WAIT: StdDuration = StdDuration::from_secs(15);

type HttpClient = Client<HttpConnector, Full<Bytes>>;
/// Builds the request for slot index `i`.
type MakeRequest = Arc<dyn Fn(usize) -> anyhow::Result<Request<Full<Bytes>>> + Send + Sync>;

/// One answered request.
struct Sample {
    latency: StdDuration,
    /// When the answer was complete.
    answered: Instant,
    status: StatusCode,
    /// Slots in an availability answer (0 for bookings).
    slots: usize,
    body: Bytes,
}

/// What one client measured.
#[derive(Default)]
struct Outcome {
    samples: Vec<Sample>,
    /// Its last request went unanswered for `STALL` (which ended its loop).
    stalled: bool,
}

/// What one phase measured.
struct Phase {
    samples: Vec<Sample>,
    /// Clients that stopped on an unanswered request.
    stalled: usize,
    /// Wall time, up to the last answer when clients stalled.
    elapsed: StdDuration,
}

/// Demo config, data in `data_dir`, bookable every minute of every day for a year.
fn config(data_dir: &std::path::Path) -> anyhow::Result<Config> {
    let mut config = Config::demo();
    config.data_dir = data_dir.to_path_buf();
    let all_day = WorkingPeriod::parse("00:00-24:00").context("parsing 00:00-24:00")?;
    let mut hours = WorkingHours::default();
    let mut day = Weekday::Mon;
    for _ in 0..7 {
        hours = hours.with_day(day, vec![all_day]);
        day = day.succ();
    }
    config.rules.working_hours = hours;
    config.rules.buffer = Duration::zero();
    config.rules.minimum_notice = Duration::zero();
    config.rules.horizon = Duration::days(365);
    config.rules.max_per_day = 1000;
    // One client address sends the whole load.
    config.server.rate_limit_per_minute = 0;
    Ok(config)
}

/// Starts Kairos with `config` on `listener` on a thread and runtime of its own; it
/// stops when `stopped` fires and sends its result on the returned channel.
fn start_server(
    config: Config,
    listener: std::net::TcpListener,
    stopped: oneshot::Receiver<()>,
) -> anyhow::Result<oneshot::Receiver<anyhow::Result<()>>> {
    let (done, result) = oneshot::channel();
    let serve = move || -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let listener = TcpListener::from_std(listener)?;
            let shutdown = async {
                let _ = stopped.await;
            };
            kairos::app::run(config, listener, shutdown).await
        })
    };
    std::thread::Builder::new()
        .name("kairos-server".into())
        .spawn(move || {
            let _ = done.send(serve());
        })?;
    Ok(result)
}

/// Fires `stop` and waits up to `STOP_WAIT` for the server's result.
async fn stop_server(
    stop: oneshot::Sender<()>,
    result: oneshot::Receiver<anyhow::Result<()>>,
) -> anyhow::Result<()> {
    let _ = stop.send(());
    match tokio::time::timeout(STOP_WAIT, result).await {
        Ok(Ok(served)) => {
            served.context("the server failed")?;
            println!("server stopped cleanly");
        }
        Ok(Err(_)) => anyhow::bail!("the server thread ended without a result"),
        Err(_) => println!(
            "server did NOT stop within {} s (stuck); left behind",
            STOP_WAIT.as_secs()
        ),
    }
    Ok(())
}

/// Sends `request` and reads the whole answer.
async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let response = client.request(request).await.context("sending a request")?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Waits until the server answers `/healthz`, so start-up is not measured.
async fn wait_ready(client: &HttpClient, base: &str, deadline: Instant) -> anyhow::Result<()> {
    loop {
        let request = Request::get(format!("{base}/healthz")).body(Full::new(Bytes::new()))?;
        let answer = tokio::time::timeout(STALL, send(client, request)).await;
        if let Ok(Ok((StatusCode::OK, _))) = answer {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Client `k` of `clients` sends requests `k, k + clients, …` below `total` until the
/// deadline, or until one goes unanswered for `STALL`.
async fn worker(
    client: HttpClient,
    (k, clients): (usize, usize),
    total: usize,
    make: MakeRequest,
    deadline: Instant,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    for i in (k..total).step_by(clients) {
        let request = make(i)?;
        let started = Instant::now();
        if started >= deadline {
            break;
        }
        let stop = tokio::time::Instant::from_std(deadline.min(started + STALL));
        let Ok(answer) = tokio::time::timeout_at(stop, send(&client, request)).await else {
            outcome.stalled = Instant::now() < deadline;
            break;
        };
        let (status, body) = answer?;
        let answered = Instant::now();
        let latency = answered - started;
        let slots = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value.get("allSlots")?.as_array().map(Vec::len))
            .unwrap_or(0);
        outcome.samples.push(Sample {
            latency,
            answered,
            status,
            slots,
            body,
        });
    }
    Ok(outcome)
}

/// Runs `total` requests from `clients` concurrent clients.
async fn phase(
    client: &HttpClient,
    clients: usize,
    total: usize,
    make: MakeRequest,
    deadline: Instant,
) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|k| {
            let make = Arc::clone(&make);
            tokio::spawn(worker(client.clone(), (k, clients), total, make, deadline))
        })
        .collect();
    let mut samples = Vec::with_capacity(total);
    let mut stalled = 0;
    for handle in handles {
        let outcome = handle.await.context("a client task panicked")??;
        samples.extend(outcome.samples);
        stalled += usize::from(outcome.stalled);
    }
    // Up to the last answer: a stalled client's wait is not throughput.
    let last = samples.iter().map(|s| s.answered).max().unwrap_or(started);
    let elapsed = if stalled > 0 {
        last - started
    } else {
        started.elapsed()
    };
    Ok(Phase {
        samples,
        stalled,
        elapsed,
    })
}

/// POST /api/appointments for slot `i`: `first + i·spacing`, 30 minutes, client `i mod clients`.
fn booking_request(base: String, first: DateTime<Utc>, clients: usize) -> MakeRequest {
    Arc::new(move |i| {
        let k = i % clients;
        let offset = i64::try_from(i)? * BOOKING_SPACING_MINUTES;
        let start = first + Duration::minutes(offset);
        let body = serde_json::json!({
            "name": format!("Load {k}"),
            "email": format!("load{k}@example.com"),
            "startTime": start.to_rfc3339_opts(SecondsFormat::Secs, true),
            "duration": MEETING_MINUTES,
            "timezone": "UTC",
        });
        Ok(Request::builder()
            .method(Method::POST)
            .uri(format!("{base}/api/appointments"))
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(&body)?)))?)
    })
}

/// GET /api/availability on one of `days` booked days after `first_day`, Paris dates.
fn availability_request(base: String, first_day: NaiveDate, days: usize) -> MakeRequest {
    Arc::new(move |i| {
        let offset = u64::try_from(1 + i % days)?;
        let date = first_day
            .checked_add_days(chrono::Days::new(offset))
            .context("a date in range")?;
        let uri = format!(
            "{base}/api/availability?date={date}&duration={MEETING_MINUTES}&timezone=Europe/Paris"
        );
        Ok(Request::get(uri).body(Full::new(Bytes::new()))?)
    })
}

/// The nearest-rank `q` quantile of sorted `latencies`, in milliseconds (NaN if none).
fn quantile_ms(sorted: &[StdDuration], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    let at = sorted.get(rank.max(1) - 1);
    at.map_or(f64::NAN, |latency| latency.as_secs_f64() * 1000.0)
}

/// Prints one phase's lines; `expected` is the status every answer should have.
fn report(title: &str, unit: &str, asked: usize, phase: &Phase, expected: StatusCode) {
    let done = phase.samples.len();
    let mut latencies: Vec<StdDuration> = phase.samples.iter().map(|s| s.latency).collect();
    latencies.sort_unstable();
    let mut others: BTreeMap<u16, usize> = BTreeMap::new();
    for sample in phase.samples.iter().filter(|s| s.status != expected) {
        *others.entry(sample.status.as_u16()).or_insert(0) += 1;
    }
    let good = done - others.values().sum::<usize>();
    let seconds = phase.elapsed.as_secs_f64();
    println!("{title}");
    println!(
        "  requests   {done} of {asked} answered; {good} x {}; other statuses {others:?}",
        expected.as_u16()
    );
    println!(
        "  wall time  {seconds:.2} s, {:.1} {unit}/s",
        good as f64 / seconds
    );
    println!(
        "  latency    p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        quantile_ms(&latencies, 0.50),
        quantile_ms(&latencies, 0.99),
        quantile_ms(&latencies, 1.0)
    );
    if phase.stalled > 0 {
        println!(
            "  STALLED    {} clients got no answer within {} s and stopped",
            phase.stalled,
            STALL.as_secs()
        );
    }
    if let Some(bad) = phase.samples.iter().find(|s| s.status != expected) {
        println!(
            "  first unexpected answer: {}",
            String::from_utf8_lossy(&bad.body)
        );
    }
}

/// The number of concurrent clients: the first argument, else `DEFAULT_CLIENTS`.
fn clients_from_args() -> anyhow::Result<usize> {
    let Some(text) = std::env::args().nth(1) else {
        return Ok(DEFAULT_CLIENTS);
    };
    let clients: usize = text
        .parse()
        .with_context(|| format!("{text:?} is not a number of clients"))?;
    anyhow::ensure!(clients > 0, "at least one client is needed");
    Ok(clients)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let clients = clients_from_args()?;
    let deadline = Instant::now() + TIME_CAP;
    let data_dir = tempfile::tempdir().context("creating a temp data dir")?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let result = start_server(config(data_dir.path())?, listener, stopped)?;

    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    wait_ready(&client, &base, deadline).await?;

    // Two days ahead at 00:00 UTC: inside the horizon, never in the past.
    let today = SystemClock.now().date_naive();
    let first_day = today
        .checked_add_days(chrono::Days::new(2))
        .context("a date in range")?;
    let first = first_day
        .and_hms_opt(0, 0, 0)
        .context("midnight")?
        .and_utc();
    let make = booking_request(base.clone(), first, clients);
    let bookings = phase(&client, clients, BOOKINGS, make, deadline).await?;

    // Whole Paris days strictly inside the booked span.
    let booked_minutes = BOOKINGS as i64 * BOOKING_SPACING_MINUTES;
    let days = usize::try_from(booked_minutes / (24 * 60))?
        .saturating_sub(2)
        .max(1);
    let make = availability_request(base.clone(), first_day, days);
    let queries = phase(&client, clients, QUERIES, make, deadline).await?;

    println!(
        "Kairos loopback load run ({clients} concurrent clients, keep-alive HTTP/1.1, cap {} s)",
        TIME_CAP.as_secs()
    );
    report(
        &format!(
            "(a) POST /api/appointments: distinct 30-min slots {BOOKING_SPACING_MINUTES} min apart from {first}"
        ),
        "bookings",
        BOOKINGS,
        &bookings,
        StatusCode::CREATED,
    );
    report(
        &format!(
            "(b) GET /api/availability?duration=30&timezone=Europe/Paris over {days} booked days"
        ),
        "requests",
        QUERIES,
        &queries,
        StatusCode::OK,
    );
    let answers = queries.samples.len().max(1) as f64;
    let slots: usize = queries.samples.iter().map(|s| s.slots).sum();
    println!(
        "  slots      {:.1} per answer on average",
        slots as f64 / answers
    );

    drop(client);
    stop_server(stop, result).await
}
