//! A bounded loopback load run: starts Kairos in-process on `127.0.0.1:0` with a temp
//! data dir and round-the-clock availability, then measures
//! (a) bookings per second, 8 concurrent clients booking distinct slots, and
//! (b) latency of `GET /api/availability` on days that hold bookings.
//! Everything stops after two minutes whatever happens; a plain-text report is printed.
//!
//! Run: `cargo run --release --example load`. Client and server share one tokio
//! runtime (and the machine's cores), so the figures are for comparison between runs,
//! not a capacity claim.

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

/// Concurrent clients in each phase.
const CLIENTS: usize = 8;
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

type HttpClient = Client<HttpConnector, Full<Bytes>>;
/// Builds the request for slot index `i`.
type MakeRequest = Arc<dyn Fn(usize) -> anyhow::Result<Request<Full<Bytes>>> + Send + Sync>;

/// One answered request.
struct Sample {
    latency: StdDuration,
    status: StatusCode,
    /// Slots in an availability answer (0 for bookings).
    slots: usize,
    body: Bytes,
}

/// What one phase measured.
struct Phase {
    samples: Vec<Sample>,
    elapsed: StdDuration,
}

/// Demo config, data in `data_dir`, bookable every minute of every day for a year.
fn config(data_dir: &std::path::Path) -> anyhow::Result<Config> {
    let mut config = Config::demo();
    config.data_dir = data_dir.to_path_buf();
    let all_day = WorkingPeriod::parse("00:00-24:00").context("parsing 00:00-24:00")?;
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    config.rules.working_hours = days
        .into_iter()
        .fold(WorkingHours::default(), |hours, day| {
            hours.with_day(day, vec![all_day])
        });
    config.rules.buffer = Duration::zero();
    config.rules.minimum_notice = Duration::zero();
    config.rules.horizon = Duration::days(365);
    config.rules.max_per_day = 1000;
    Ok(config)
}

/// Sends `request` and reads the whole answer.
async fn send(
    client: &HttpClient,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(StatusCode, Bytes)> {
    let response = client.request(request).await.context("sending a request")?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .context("reading an answer")?
        .to_bytes();
    Ok((status, body))
}

/// Waits until the server answers `/healthz`, so start-up is not measured.
async fn wait_ready(client: &HttpClient, base: &str, deadline: Instant) -> anyhow::Result<()> {
    loop {
        let request = Request::get(format!("{base}/healthz")).body(Full::new(Bytes::new()))?;
        if let Ok((StatusCode::OK, _)) = send(client, request).await {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Client `k` of `CLIENTS` sends requests `k, k + CLIENTS, …` below `total` until the deadline.
async fn worker(
    client: HttpClient,
    k: usize,
    total: usize,
    make: MakeRequest,
    deadline: Instant,
) -> anyhow::Result<Vec<Sample>> {
    let mut samples = Vec::with_capacity(total / CLIENTS + 1);
    let stop = tokio::time::Instant::from_std(deadline);
    for i in (k..total).step_by(CLIENTS) {
        let request = make(i)?;
        let started = Instant::now();
        let Ok(answer) = tokio::time::timeout_at(stop, send(&client, request)).await else {
            break;
        };
        let (status, body) = answer?;
        let latency = started.elapsed();
        let slots = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| {
                value
                    .get("allSlots")
                    .and_then(|all| all.as_array())
                    .map(Vec::len)
            })
            .unwrap_or(0);
        samples.push(Sample {
            latency,
            status,
            slots,
            body,
        });
    }
    Ok(samples)
}

/// Runs `total` requests from `CLIENTS` concurrent clients.
async fn phase(
    client: &HttpClient,
    total: usize,
    make: MakeRequest,
    deadline: Instant,
) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|k| {
            tokio::spawn(worker(
                client.clone(),
                k,
                total,
                Arc::clone(&make),
                deadline,
            ))
        })
        .collect();
    let mut samples = Vec::with_capacity(total);
    for handle in handles {
        samples.extend(handle.await.context("a client task panicked")??);
    }
    Ok(Phase {
        samples,
        elapsed: started.elapsed(),
    })
}

/// POST /api/appointments for slot `i`: `first + i·spacing`, 30 minutes, client `i mod 8`.
fn booking_request(base: String, first: DateTime<Utc>) -> MakeRequest {
    Arc::new(move |i| {
        let k = i % CLIENTS;
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

/// The nearest-rank `q` quantile of sorted `latencies`, in milliseconds.
fn quantile_ms(sorted: &[StdDuration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
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
        "  requests   {done} of {asked} sent; {good} x {}; other statuses {others:?}",
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
        latencies
            .last()
            .map_or(f64::NAN, |l| l.as_secs_f64() * 1000.0)
    );
    if let Some(bad) = phase.samples.iter().find(|s| s.status != expected) {
        println!(
            "  first unexpected answer: {}",
            String::from_utf8_lossy(&bad.body)
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let deadline = Instant::now() + TIME_CAP;
    let data_dir = tempfile::tempdir().context("creating a temp data dir")?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(kairos::app::run(
        config(data_dir.path())?,
        listener,
        async {
            let _ = stopped.await;
        },
    ));

    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    wait_ready(&client, &base, deadline).await?;

    // Two days ahead at 00:00 UTC: inside the horizon, never in the past.
    let today = SystemClock.now().date_naive();
    let first_day = today
        .checked_add_days(chrono::Days::new(2))
        .context("a date in range")?;
    let first = first_day
        .and_hms_opt(0, 0, 0)
        .context("midnight exists")?
        .and_utc();
    let bookings = phase(
        &client,
        BOOKINGS,
        booking_request(base.clone(), first),
        deadline,
    )
    .await?;

    // Whole Paris days strictly inside the booked span.
    let booked_days = (BOOKINGS as i64 * BOOKING_SPACING_MINUTES / (24 * 60)) as usize;
    let days = booked_days.saturating_sub(2).max(1);
    let queries = phase(
        &client,
        QUERIES,
        availability_request(base.clone(), first_day, days),
        deadline,
    )
    .await?;

    println!(
        "Kairos loopback load run ({CLIENTS} concurrent clients, keep-alive HTTP/1.1, cap {} s)",
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
    let slots: usize = queries.samples.iter().map(|s| s.slots).sum();
    println!(
        "  slots      {:.1} per answer on average",
        slots as f64 / queries.samples.len().max(1) as f64
    );

    drop(client);
    let _ = stop.send(());
    server.await.context("the server task panicked")??;
    println!("server stopped cleanly");
    Ok(())
}
