//! The soak: the `kairos` binary beside this example runs as its own process on a temp
//! data dir (open round the clock, mail written to files, the per-address limits off
//! since every client here is 127.0.0.1) under a mixed load from CONCURRENCY clients for
//! SECONDS. One client in sixteen pipes invitations in through `kairos ingest-mail`, a
//! few a second (an MTA's pace); one in sixteen books, each booking cancelled again by
//! its manage token (so the calendar stays as full as it was), BOOKINGS a second in
//! all; the others read as fast as they are answered: availability, CalDAV
//! calendar-query and PROPFIND. With BOOKINGS `max`, every client books a fifth of the
//! time instead, as fast as it goes: a throughput test, in which the store grows by
//! some 2 GB a minute.
//!
//! Before the clock starts, the server is given a history (SOAK_HISTORY bookings,
//! default 30,000, each cancelled again, as fast as they go), so that the measured run
//! sees a store larger than its page cache, as a server that has run for a while does.
//!
//! Every answer is checked — a 5xx, a transport error, a timeout or a status the
//! request cannot get is an error — and the server's resident memory and the size of
//! its data dir are sampled every 5 s. The report gives p50/p99 per route, errors, and
//! memory after a warm-up of a fifth of the run and at its end.
//!
//! Run: `cargo build --release && cargo run --release --example soak -- [SECONDS]
//! [CONCURRENCY] [BOOKINGS]` (defaults 600, 32 and 50). Bounded: every request gives
//! up after 10 s, the clients stop at SECONDS, and the server is killed 30 s after that
//! at the latest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use chrono::{Duration as Span, NaiveDate, Utc};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::Rng as _;
use tokio::io::AsyncWriteExt as _;

const PASSWORD: &str = "soak-password";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// What an ingesting client waits between messages (an MTA's pace, not a flood).
const INGEST_PAUSE: Duration = Duration::from_millis(250);

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// How bookings are made.
#[derive(Clone, Copy)]
enum Writes {
    /// By the booking clients, this many a second in all.
    Paced(f64),
    /// By every client, a fifth of the time, as fast as it goes.
    Unpaced,
}

/// What the clients share.
struct Load {
    client: HttpClient,
    base: String,
    auth: String,
    config_file: PathBuf,
    binary: PathBuf,
    today: NaiveDate,
    sequence: AtomicU64,
    writes: Writes,
    /// How many clients book when bookings are paced.
    bookers: usize,
}

/// One answered (or failed) request of a route.
struct Sample {
    route: &'static str,
    latency: Duration,
    error: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args
        .next()
        .map_or(Ok(600), |a| a.parse())
        .context("SECONDS")?;
    let concurrency: usize = args
        .next()
        .map_or(Ok(32), |a| a.parse())
        .context("CONCURRENCY")?;
    let writes = match args.next().as_deref() {
        None => Writes::Paced(50.0),
        Some("max") => Writes::Unpaced,
        Some(rate) => match rate.parse::<f64>() {
            Ok(rate) if rate > 0.0 => Writes::Paced(rate),
            _ => bail!("BOOKINGS is a positive number a second, or `max`"),
        },
    };
    let binary = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("kairos"))
        .context("the target directory")?;
    if !binary.exists() {
        bail!(
            "{} is missing: run `cargo build --release` first",
            binary.display()
        );
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(
            binary,
            Duration::from_secs(seconds),
            concurrency,
            writes,
        ))
}

#[allow(clippy::disallowed_methods)] // the server reads the wall clock too
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn config(address: &str, data_dir: &Path, cache_mb: u64) -> String {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .map(|day| format!("    {day}: [\"00:00-24:00\"]\n"))
    .concat();
    format!(
        "server:\n  listen: \"{address}\"\n  rate_limit_per_minute: 0\n  failed_login_limit: 0\nstorage:\n  data_dir: \"{}\"\n  cache_mb: {cache_mb}\navailability:\n  working_hours:\n{days}  buffer_minutes: 0\n  minimum_notice_minutes: 0\n  horizon_days: 365\n  max_appointments_per_day: 48\nlog:\n  level: \"warn\"\n",
        data_dir.display()
    )
}

async fn run(
    binary: PathBuf,
    duration: Duration,
    concurrency: usize,
    writes: Writes,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = format!("127.0.0.1:{port}");
    let config_file = dir.path().join("kairos.yaml");
    // SOAK_CACHE_MB sets the server's `storage.cache_mb`.
    let cache_mb = match std::env::var("SOAK_CACHE_MB") {
        Ok(value) => value.parse().context("SOAK_CACHE_MB")?,
        Err(_) => 64,
    };
    let state = dir.path().join("state");
    std::fs::write(&config_file, config(&address, &state, cache_mb))?;
    // SOAK_WRAPPER (e.g. `heaptrack`) runs the server under a profiler.
    let mut server = match std::env::var("SOAK_WRAPPER") {
        Ok(wrapper) => {
            let mut command = tokio::process::Command::new(wrapper);
            command.arg(&binary);
            command
        }
        Err(_) => tokio::process::Command::new(&binary),
    };
    let mut server = server
        .args(["serve", "--config"])
        .arg(&config_file)
        .env("KAIROS_ADMIN_PASSWORD", PASSWORD)
        .env_remove("KAIROS_LISTEN")
        .env_remove("KAIROS_DATA_DIR")
        .env_remove("RUST_LOG")
        .kill_on_drop(true)
        .spawn()
        .context("starting kairos")?;
    let pid = server.id().context("the server's pid")?;
    let load = Arc::new(Load {
        client: Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(concurrency)
            .build_http(),
        base: format!("http://{address}"),
        auth: {
            use base64::Engine as _;
            let pair = format!("domina:{PASSWORD}");
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        },
        config_file,
        binary,
        today: today(),
        sequence: AtomicU64::new(0),
        writes,
        bookers: (0..concurrency)
            .filter(|n| role(*n) == Role::Booker)
            .count(),
    });
    wait_ready(&load).await?;
    let pace = match writes {
        Writes::Paced(rate) => format!("{rate} bookings a second"),
        Writes::Unpaced => "bookings as fast as they go".into(),
    };
    println!(
        "kairos {pid} on {address}; {concurrency} clients for {} s, {pace}",
        duration.as_secs()
    );

    // SOAK_HISTORY: bookings made before the clock starts (see `make_history`).
    let history = match std::env::var("SOAK_HISTORY") {
        Ok(value) => value.parse().context("SOAK_HISTORY")?,
        Err(_) => 30_000,
    };
    make_history(&load, concurrency, history, pid, &state).await?;

    let started = Instant::now();
    let memory = tokio::spawn(sample_memory(pid, state, started, duration));
    let clients: Vec<_> = (0..concurrency)
        .map(|n| tokio::spawn(client_loop(Arc::clone(&load), n, started + duration)))
        .collect();
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await?);
    }
    let memory = memory.await?;
    let elapsed = started.elapsed();
    let backlog = backlog(&load).await;
    server.kill().await.ok();
    report(&samples, &memory, elapsed, duration);
    println!("at the end: {backlog}");
    Ok(())
}

/// Gives the server a history before the measured run: `count` bookings, each
/// cancelled again, made by all the clients as fast as they go. A server that has run
/// for a while holds more records than its store's page cache (`storage.cache_mb`);
/// a soak that began on an empty store would measure that cache filling up.
async fn make_history(
    load: &Arc<Load>,
    concurrency: usize,
    count: u64,
    pid: u32,
    state: &Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let claimed = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..concurrency)
        .map(|_| {
            let (load, claimed) = (Arc::clone(load), Arc::clone(&claimed));
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while claimed.fetch_add(1, Ordering::Relaxed) < count {
                    book_and_cancel(&load, &mut samples).await;
                }
                samples
            })
        })
        .collect();
    for client in clients {
        if let Some(error) = client.await?.into_iter().find_map(|sample| sample.error) {
            bail!("while making the history: {error}");
        }
    }
    println!(
        "history: {count} bookings, each cancelled, in {:.0} s; resident {:.1} MiB, data dir {:.1} MiB",
        started.elapsed().as_secs_f64(),
        mib(resident_bytes(pid).unwrap_or(0)),
        mib(directory_bytes(state))
    );
    Ok(())
}

async fn wait_ready(load: &Load) -> anyhow::Result<()> {
    for _ in 0..400 {
        if send(load, Method::GET, "/healthz", None, &[]).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("kairos did not answer /healthz")
}

/// Sends a request; the status and body, or why there is none.
async fn send(
    load: &Load,
    method: Method,
    path: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> anyhow::Result<(StatusCode, Bytes)> {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{}{path}", load.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    let answer = tokio::time::timeout(REQUEST_TIMEOUT, async {
        let response = load.client.request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok((status, body))
    })
    .await
    .context("no answer within 10 s")??;
    Ok(answer)
}

/// What a client does.
#[derive(PartialEq)]
enum Role {
    Ingester,
    Booker,
    Reader,
}

fn role(n: usize) -> Role {
    match n % 16 {
        15 => Role::Ingester,
        14 => Role::Booker,
        _ => Role::Reader,
    }
}

/// Requests until `until`, as client `n`'s role has it.
async fn client_loop(load: Arc<Load>, n: usize, until: Instant) -> Vec<Sample> {
    let mut samples = Vec::new();
    // A paced booker's next turn; each books `rate / bookers` times a second.
    let mut turn = Instant::now();
    while Instant::now() < until {
        let pick = rand::rng().random_range(0..100);
        match (role(n), load.writes) {
            (Role::Ingester, _) => {
                tokio::time::sleep(INGEST_PAUSE).await;
                timed(&mut samples, "ingest-mail", ingest(&load)).await;
            }
            (Role::Booker, Writes::Paced(rate)) => {
                tokio::time::sleep_until(turn.into()).await;
                turn = (turn + Duration::from_secs_f64(load.bookers as f64 / rate))
                    .max(Instant::now());
                book_and_cancel(&load, &mut samples).await;
            }
            (_, Writes::Unpaced) if pick < 20 => book_and_cancel(&load, &mut samples).await,
            (_, _) => match pick % 4 {
                0 | 1 => {
                    timed(&mut samples, "GET /api/availability", availability(&load)).await;
                }
                2 => {
                    timed(&mut samples, "REPORT calendar-query", calendar_query(&load)).await;
                }
                _ => {
                    timed(&mut samples, "PROPFIND depth 1", propfind(&load)).await;
                }
            },
        }
    }
    samples
}

/// Runs `request`, noting how long it took and how it went; its answer.
async fn timed<T>(
    samples: &mut Vec<Sample>,
    route: &'static str,
    request: impl Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    let started = Instant::now();
    let outcome = request.await;
    samples.push(Sample {
        route,
        latency: started.elapsed(),
        error: outcome.as_ref().err().map(|e| format!("{e:#}")),
    });
    outcome.ok()
}

/// Books a random half hour and, when it was free, cancels it again by its manage
/// token: two routes, timed apart.
async fn book_and_cancel(load: &Load, samples: &mut Vec<Sample>) {
    let booked = timed(samples, "POST /api/appointments", book(load)).await;
    if let Some(Some((id, token))) = booked {
        timed(samples, "POST cancel", cancel(load, &id, &token)).await;
    }
}

fn expect(status: StatusCode, allowed: &[u16], body: &Bytes) -> anyhow::Result<()> {
    if allowed.contains(&status.as_u16()) {
        Ok(())
    } else {
        bail!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        )
    }
}

/// A random day of the next eight weeks.
fn some_day(load: &Load) -> NaiveDate {
    load.today + Span::days(rand::rng().random_range(1..56))
}

async fn availability(load: &Load) -> anyhow::Result<()> {
    let path = format!(
        "/api/availability?date={}&duration=30&timezone=Europe/Paris",
        some_day(load)
    );
    let (status, body) = send(load, Method::GET, &path, None, &[]).await?;
    expect(status, &[200], &body)
}

/// Books a random half hour: its id and manage token, or `None` when it was taken (409
/// is a right answer then).
async fn book(load: &Load) -> anyhow::Result<Option<(String, String)>> {
    let (hour, half) = {
        let mut rng = rand::rng();
        (rng.random_range(0..24), rng.random_range(0..2))
    };
    let start = some_day(load)
        .and_hms_opt(hour, 30 * half, 0)
        .context("a time")?
        .and_utc();
    let n = load.sequence.fetch_add(1, Ordering::Relaxed);
    let body = serde_json::json!({
        "name": format!("Soak Client {n}"),
        "email": format!("client{}@soak.example", n % 500),
        "startTime": start.to_rfc3339(),
        "duration": 30,
        "meetingType": "consultation",
        "purpose": "Soak",
        "timezone": "Europe/Paris",
    });
    let headers = [("content-type", "application/json")];
    let (status, answer) = send(
        load,
        Method::POST,
        "/api/appointments",
        Some(body.to_string()),
        &headers,
    )
    .await?;
    expect(status, &[201, 409], &answer)?;
    if status != StatusCode::CREATED {
        return Ok(None);
    }
    let booked: serde_json::Value = serde_json::from_slice(&answer)?;
    let id = booked["appointment"]["id"].as_str().context("an id")?;
    let token = booked["appointment"]["manageUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .context("a manage link")?;
    Ok(Some((id.to_string(), token.to_string())))
}

async fn cancel(load: &Load, id: &str, token: &str) -> anyhow::Result<()> {
    let path = format!("/api/appointments/{id}/cancel?token={token}");
    let (status, body) = send(load, Method::POST, &path, None, &[]).await?;
    expect(status, &[200], &body)
}

async fn calendar_query(load: &Load) -> anyhow::Result<()> {
    let day = some_day(load);
    let (from, to) = (day.format("%Y%m%d"), (day + Span::days(7)).format("%Y%m%d"));
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{from}T000000Z" end="{to}T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"#
    );
    let headers = [
        ("authorization", load.auth.as_str()),
        ("depth", "1"),
        ("content-type", "application/xml"),
    ];
    let method = Method::from_bytes(b"REPORT")?;
    let path = "/dav/calendars/domina/bookings/";
    let (status, answer) = send(load, method, path, Some(body), &headers).await?;
    expect(status, &[207], &answer)
}

async fn propfind(load: &Load) -> anyhow::Result<()> {
    let body = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">
  <D:prop><D:resourcetype/><D:displayname/><CS:getctag/><D:sync-token/></D:prop>
</D:propfind>"#;
    let headers = [
        ("authorization", load.auth.as_str()),
        ("depth", "1"),
        ("content-type", "application/xml"),
    ];
    let method = Method::from_bytes(b"PROPFIND")?;
    let path = "/dav/calendars/domina/";
    let (status, answer) = send(load, method, path, Some(body.into()), &headers).await?;
    expect(status, &[207], &answer)
}

/// An invitation for a random half hour, piped through `kairos ingest-mail`; done when
/// it exits 0 (the message is safely in the spool).
async fn ingest(load: &Load) -> anyhow::Result<()> {
    let n = load.sequence.fetch_add(1, Ordering::Relaxed);
    let start = some_day(load)
        .and_hms_opt(10, 0, 0)
        .context("a time")?
        .and_utc();
    let stamp = |at: chrono::DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
    let calendar = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kairos soak//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        &format!("UID:soak-{n}@soak.example"),
        &format!("DTSTAMP:{}", stamp(start - Span::days(1))),
        &format!("DTSTART:{}", stamp(start)),
        &format!("DTEND:{}", stamp(start + Span::minutes(30))),
        "SUMMARY:Soak invitation",
        &format!("ORGANIZER;CN=Guest {n}:mailto:guest{n}@soak.example"),
        &format!("ATTENDEE;PARTSTAT=ACCEPTED:mailto:guest{n}@soak.example"),
        "ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:book@kairos.example",
        "SEQUENCE:0",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    .join("\r\n");
    let message = format!(
        "From: Guest {n} <guest{n}@soak.example>\r\nTo: book@kairos.example\r\nSubject: Invitation {n}\r\nMessage-ID: <soak-{n}@soak.example>\r\nDate: Mon, 2 Mar 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\n{calendar}"
    );
    let mut child = tokio::process::Command::new(&load.binary)
        .args(["ingest-mail", "--config"])
        .arg(&load.config_file)
        .env_remove("KAIROS_DATA_DIR")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().context("stdin")?;
    stdin.write_all(message.as_bytes()).await?;
    drop(stdin);
    let status = tokio::time::timeout(REQUEST_TIMEOUT, child.wait()).await??;
    if !status.success() {
        bail!("ingest-mail exited with {status}");
    }
    Ok(())
}

/// What the server still had to do when the clients stopped, from its `/metrics`.
async fn backlog(load: &Load) -> String {
    let headers = [("authorization", load.auth.as_str())];
    let Ok((_, page)) = send(load, Method::GET, "/metrics", None, &headers).await else {
        return "no /metrics".into();
    };
    String::from_utf8_lossy(&page)
        .lines()
        .filter(|line| {
            line.starts_with("kairos_spool_waiting") || line.starts_with("kairos_outbox_waiting")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One look at the server: seconds since the start, resident bytes, bytes of its
/// data dir.
struct Look {
    at: f64,
    resident: u64,
    stored: u64,
}

/// A look every few seconds until the end; also printed as it is taken, so a long run
/// shows its course.
async fn sample_memory(
    pid: u32,
    state: PathBuf,
    started: Instant,
    duration: Duration,
) -> Vec<Look> {
    let mut looks = Vec::new();
    while started.elapsed() <= duration {
        if let Some(resident) = resident_bytes(pid) {
            let look = Look {
                at: started.elapsed().as_secs_f64(),
                resident,
                stored: directory_bytes(&state),
            };
            println!(
                "{:>5.0} s  resident {:>7.1} MiB  data dir {:>8.1} MiB",
                look.at,
                mib(look.resident),
                mib(look.stored)
            );
            looks.push(look);
        }
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
    looks
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// The bytes of the files under `dir`.
fn directory_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => directory_bytes(&entry.path()),
            Ok(_) => entry.metadata().map_or(0, |meta| meta.len()),
            Err(_) => 0,
        })
        .sum()
}

fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(samples: &[Sample], looks: &[Look], elapsed: Duration, duration: Duration) {
    let mut by_route: BTreeMap<&str, (Vec<Duration>, Vec<&str>)> = BTreeMap::new();
    for sample in samples {
        let entry = by_route.entry(sample.route).or_default();
        entry.0.push(sample.latency);
        if let Some(error) = &sample.error {
            entry.1.push(error);
        }
    }
    println!("\nroute                      requests    req/s     p50 ms     p99 ms   errors");
    let mut errors = 0;
    for (route, (mut latencies, failed)) in by_route {
        latencies.sort();
        errors += failed.len();
        println!(
            "{route:<24} {:>10} {:>8.1} {:>10.2} {:>10.2} {:>8}",
            latencies.len(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
            percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
            failed.len()
        );
        for error in failed.iter().take(3) {
            println!("    e.g. {error}");
        }
    }
    let warm = duration.as_secs_f64() / 5.0;
    let (Some(after_warm_up), Some(last)) =
        (looks.iter().find(|look| look.at >= warm), looks.last())
    else {
        println!("no memory samples");
        return;
    };
    let peak = looks.iter().map(|look| look.resident).max().unwrap_or(0);
    println!(
        "\n{} requests in {:.0} s, errors: {errors}",
        samples.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "resident memory: {:.1} MiB after the {warm:.0} s warm-up, {:.1} MiB at the end ({:+.1} %), peak {:.1} MiB",
        mib(after_warm_up.resident),
        mib(last.resident),
        (last.resident as f64 / after_warm_up.resident.max(1) as f64 - 1.0) * 100.0,
        mib(peak)
    );
    println!(
        "data dir: {:.1} MiB after the warm-up, {:.1} MiB at the end",
        mib(after_warm_up.stored),
        mib(last.stored)
    );
}
