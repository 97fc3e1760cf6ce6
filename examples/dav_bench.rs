//! A bounded loopback CalDAV benchmark, for Kairos and any other CalDAV server.
//!
//! Loads `--events` calendar objects into one calendar collection with PUT (unique UIDs,
//! `.ics` names, 10% weekly recurring, half in Europe/Berlin and half in
//! America/New_York with inline VTIMEZONEs, spread over three months from 2026-03-02),
//! timing the PUT rate; then measures each row at concurrency 1 and 8:
//!
//! | row              | request                                                        |
//! | ---------------- | -------------------------------------------------------------- |
//! | `query-week`     | REPORT calendar-query, Depth 1, getetag + calendar-data, VEVENT |
//! |                  | time-range 2026-04-13 to 2026-04-20 (UTC)                      |
//! | `query-month`    | the same over April 2026                                       |
//! | `freebusy-month` | REPORT free-busy-query over April 2026 (200, text/calendar)    |
//! | `propfind-d1`    | PROPFIND Depth 1 on the collection, getetag + resourcetype     |
//! | `sync-initial`   | REPORT sync-collection with an empty token, getetag            |
//!
//! Each row runs until `--seconds-per-row` has passed or `--max-requests` were sent,
//! whichever comes first. Before it, unmeasured warm-up requests (`--warmup`, default
//! 8, for at most `--warmup-seconds`) let servers that index on demand build their
//! indexes. Every answer's status is checked (207 for multistatus, 200 for free-busy,
//! 201/204 for PUT); other statuses, transport errors and time-outs are counted as
//! errors. Throughput counts good answers over the row's wall time; p50/p99 are over
//! good answers.
//!
//! Output: one tab-separated line per row on stdout, after a `#` header:
//! `label row concurrency requests req_per_s p50_ms p99_ms errors items`, where `items`
//! is what the first good warm-up answer held (multistatus responses, busy periods for
//! free-busy, objects created for `put`), so servers can be checked for doing the same
//! work. Progress and warnings go to stderr.
//!
//! Run: `cargo run --release --example dav_bench -- --url http://127.0.0.1:PORT/<calendar
//! collection>/ --user U --password P [--events 2000] [--seconds-per-row 10] [--label
//! NAME]` (`--help` lists the rest). Only loopback URLs are accepted (127.0.0.0/8, ::1,
//! localhost). `bench/dav/run.sh` runs Kairos, Radicale and Xandikos through it.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use base64::Engine as _;
use bytes::Bytes;
use chrono::{Duration as ChronoDuration, NaiveDate, NaiveDateTime};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::header::{AUTHORIZATION, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A request unanswered this long is an error and ends its worker's loop.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// First day of the data; events spread over `SPREAD_DAYS` from here.
const FIRST_DAY: (i32, u32, u32) = (2026, 3, 2);
/// About three months.
const SPREAD_DAYS: usize = 91;
/// The week the `query-week` row asks for (inside the data, after both DST changes).
const WEEK: (&str, &str) = ("20260413T000000Z", "20260420T000000Z");
/// The month the `query-month` and `freebusy-month` rows ask for.
const MONTH: (&str, &str) = ("20260401T000000Z", "20260501T000000Z");

#[derive(Parser, Debug)]
#[command(about = "Bounded loopback CalDAV benchmark")]
struct Args {
    /// The calendar collection, e.g. http://127.0.0.1:8080/dav/calendars/domina/personal/
    #[arg(long)]
    url: String,
    /// HTTP Basic user.
    #[arg(long)]
    user: String,
    /// HTTP Basic password.
    #[arg(long)]
    password: String,
    /// Calendar objects to PUT before measuring.
    #[arg(long, default_value_t = 2000)]
    events: usize,
    /// Time budget of each row at each concurrency.
    #[arg(long, default_value_t = 10.0)]
    seconds_per_row: f64,
    /// Request cap of each row at each concurrency.
    #[arg(long, default_value_t = 20_000)]
    max_requests: usize,
    /// Name printed in the first column.
    #[arg(long, default_value = "server")]
    label: String,
    /// Concurrent PUTs while loading.
    #[arg(long, default_value_t = 1)]
    put_concurrency: usize,
    /// Time cap of the loading phase; rows then run on what was loaded.
    #[arg(long, default_value_t = 400.0)]
    load_seconds: f64,
    /// Do not load: measure a collection loaded by an earlier run.
    #[arg(long, conflicts_with = "load_only")]
    skip_load: bool,
    /// Only load (and print the `put` line); measure no rows.
    #[arg(long)]
    load_only: bool,
    /// Only these rows (comma-separated names); all by default.
    #[arg(long)]
    rows: Option<String>,
    /// Unmeasured requests before each row (servers that index on demand, such as
    /// Xandikos after 5 queries of a kind, are measured warm)…
    #[arg(long, default_value_t = 8)]
    warmup: usize,
    /// …or fewer, once this many seconds have passed (at least one is sent).
    #[arg(long, default_value_t = 15.0)]
    warmup_seconds: f64,
    /// Concurrency levels each row is measured at.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
    concurrency: Vec<usize>,
}

/// Refuses anything but plain HTTP to a loopback address.
fn loopback_base(url: &str) -> anyhow::Result<String> {
    let uri: Uri = url
        .parse()
        .with_context(|| format!("{url:?} is not a URL"))?;
    ensure!(
        uri.scheme_str() == Some("http"),
        "only http:// URLs are benchmarked"
    );
    let host = uri.host().context("the URL has no host")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("refusing {host}: this benchmark only targets loopback addresses");
    }
    ensure!(
        uri.query().is_none(),
        "the collection URL must not carry a query"
    );
    let mut base = url.to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    Ok(base)
}

/// A row: what is sent, and the status a good answer has.
struct Row {
    name: &'static str,
    method: &'static str,
    depth: &'static str,
    body: String,
    expected: StatusCode,
    /// How `items` is counted in an answer.
    count: fn(&[u8]) -> usize,
}

fn calendar_query(range: (&str, &str)) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{}" end="{}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"#,
        range.0, range.1
    )
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "query-week",
            method: "REPORT",
            depth: "1",
            body: calendar_query(WEEK),
            expected: StatusCode::MULTI_STATUS,
            count: count_responses,
        },
        Row {
            name: "query-month",
            method: "REPORT",
            depth: "1",
            body: calendar_query(MONTH),
            expected: StatusCode::MULTI_STATUS,
            count: count_responses,
        },
        Row {
            name: "freebusy-month",
            method: "REPORT",
            depth: "1",
            body: format!(
                r#"<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="{}" end="{}"/>
</C:free-busy-query>
"#,
                MONTH.0, MONTH.1
            ),
            expected: StatusCode::OK,
            count: count_busy_periods,
        },
        Row {
            name: "propfind-d1",
            method: "PROPFIND",
            depth: "1",
            body: r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>
"#
            .to_string(),
            expected: StatusCode::MULTI_STATUS,
            count: count_responses,
        },
        Row {
            name: "sync-initial",
            method: "REPORT",
            depth: "0",
            body: r#"<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>
"#
            .to_string(),
            expected: StatusCode::MULTI_STATUS,
            count: count_responses,
        },
    ]
}

/// `</response>` elements, whatever the DAV namespace prefix.
fn count_responses(body: &[u8]) -> usize {
    // memmem, so that counting costs the client little next to reading the answer.
    let mut count = 0;
    for at in memchr::memmem::find_iter(body, b"response>") {
        // Walk back over an optional `prefix:` to the `</`.
        let mut start = at;
        if start > 0 && body[start - 1] == b':' {
            start -= 1;
            while start > 0 && body[start - 1].is_ascii_alphanumeric() {
                start -= 1;
            }
        }
        if start >= 2 && &body[start - 2..start] == b"</" {
            count += 1;
        }
    }
    count
}

/// Periods on the (unfolded) FREEBUSY lines of a VFREEBUSY.
fn count_busy_periods(body: &[u8]) -> usize {
    let text = String::from_utf8_lossy(body)
        .replace("\r\n ", "")
        .replace("\n ", "");
    text.lines()
        .filter(|line| {
            line.get(..8)
                .is_some_and(|head| head.eq_ignore_ascii_case("FREEBUSY"))
        })
        .map(|line| {
            line.split_once(':')
                .map_or(0, |(_, v)| v.split(',').count())
        })
        .sum()
}

const BERLIN: &str = "BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
";

const NEW_YORK: &str = "BEGIN:VTIMEZONE\r
TZID:America/New_York\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
TZNAME:EDT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
TZNAME:EST\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
END:STANDARD\r
END:VTIMEZONE\r
";

/// Event `i` of `n`: its resource name and text. Even `i` are in Berlin, odd in New York;
/// pairs `i / 2 ≡ 0 (mod 10)` recur weekly (10%, both zones).
fn event(i: usize, n: usize) -> anyhow::Result<(String, String)> {
    let (year, month, day) = FIRST_DAY;
    let first = NaiveDate::from_ymd_opt(year, month, day).context("the first day")?;
    let offset = i64::try_from(i * SPREAD_DAYS / n.max(1))?;
    let hour = u32::try_from(7 + (i * 7) % 12)?;
    let minute = u32::try_from((i % 4) * 15)?;
    let start: NaiveDateTime = (first + ChronoDuration::days(offset))
        .and_hms_opt(hour, minute, 0)
        .context("a start time")?;
    let minutes = 30 + 30 * i64::try_from(i % 3)?;
    let end = start + ChronoDuration::minutes(minutes);
    let (tzid, vtimezone) = if i.is_multiple_of(2) {
        ("Europe/Berlin", BERLIN)
    } else {
        ("America/New_York", NEW_YORK)
    };
    let rrule = if (i / 2).is_multiple_of(10) {
        "RRULE:FREQ=WEEKLY\r\n"
    } else {
        ""
    };
    let format = "%Y%m%dT%H%M%S";
    let text = format!(
        "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Kairos//dav_bench//EN\r
{vtimezone}BEGIN:VEVENT\r
UID:dav-bench-{i:05}@kairos.example\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID={tzid}:{}\r
DTEND;TZID={tzid}:{}\r
{rrule}SUMMARY:Bench event {i}\r
DESCRIPTION:Loaded by the Kairos CalDAV benchmark\r
END:VEVENT\r
END:VCALENDAR\r
",
        start.format(format),
        end.format(format),
    );
    Ok((format!("dav-bench-{i:05}.ics"), text))
}

/// Everything a worker needs to send requests.
struct Target {
    client: HttpClient,
    base: String,
    authorization: HeaderValue,
}

impl Target {
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> anyhow::Result<Request<Full<Bytes>>> {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes())?)
            .uri(format!("{}{path}", self.base))
            .header(AUTHORIZATION, self.authorization.clone());
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        Ok(builder.body(Full::new(Bytes::from(body.to_string())))?)
    }

    /// Sends `request`, reading the whole answer, within `REQUEST_TIMEOUT`.
    async fn send(&self, request: Request<Full<Bytes>>) -> anyhow::Result<(StatusCode, Bytes)> {
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .context("no answer within the request time-out")?
    }
}

/// What one measured loop found.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    /// The first unexpected answer, for the log.
    first_error: Option<String>,
    /// When the last answer arrived.
    last: Option<Instant>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last = self.last.max(other.last);
    }

    /// Records one exchange.
    fn record(
        &mut self,
        started: Instant,
        outcome: &anyhow::Result<(StatusCode, Bytes)>,
        good: &[StatusCode],
    ) {
        let now = Instant::now();
        self.last = Some(now);
        match outcome {
            Ok((status, _)) if good.contains(status) => self.latencies.push(now - started),
            Ok((status, body)) => {
                self.errors += 1;
                self.first_error.get_or_insert_with(|| {
                    let text = String::from_utf8_lossy(body);
                    format!("{status}: {}", text.chars().take(300).collect::<String>())
                });
            }
            Err(failure) => {
                self.errors += 1;
                self.first_error
                    .get_or_insert_with(|| format!("{failure:#}"));
            }
        }
    }
}

/// The nearest-rank `q` quantile of sorted `latencies`, in milliseconds (NaN if none).
fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.max(1) - 1)
        .map_or(f64::NAN, |latency| latency.as_secs_f64() * 1000.0)
}

/// Prints a result line.
fn print_line(
    label: &str,
    row: &str,
    concurrency: usize,
    tally: &mut Tally,
    elapsed: Duration,
    items: usize,
) {
    tally.latencies.sort_unstable();
    let good = tally.latencies.len();
    let rate = good as f64 / elapsed.as_secs_f64().max(1e-9);
    println!(
        "{label}\t{row}\t{concurrency}\t{}\t{rate:.1}\t{:.2}\t{:.2}\t{}\t{items}",
        good + tally.errors,
        quantile_ms(&tally.latencies, 0.50),
        quantile_ms(&tally.latencies, 0.99),
        tally.errors,
    );
    if let Some(error) = &tally.first_error {
        eprintln!("[{label}] {row} c={concurrency}: first error: {error}");
    }
}

/// PUTs every event, `concurrency` at a time, until done or `budget` has passed.
async fn load(
    target: &Arc<Target>,
    n: usize,
    concurrency: usize,
    budget: Duration,
) -> anyhow::Result<(Tally, Duration)> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + budget;
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let target = Arc::clone(target);
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n || Instant::now() >= deadline {
                    break;
                }
                let (name, text) = event(i, n)?;
                let request = target.request(
                    "PUT",
                    &name,
                    &[
                        ("content-type", "text/calendar; charset=utf-8"),
                        ("if-none-match", "*"),
                    ],
                    &text,
                )?;
                let sent = Instant::now();
                let outcome = target.send(request).await;
                let timed_out = outcome.is_err();
                tally.record(
                    sent,
                    &outcome,
                    &[StatusCode::CREATED, StatusCode::NO_CONTENT],
                );
                if timed_out {
                    break;
                }
            }
            anyhow::Ok(tally)
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        total.merge(worker.await.context("a PUT worker panicked")??);
    }
    let elapsed = total.last.map_or(started.elapsed(), |last| last - started);
    Ok((total, elapsed))
}

/// Runs `row` from `concurrency` workers until the budget or the request cap is spent.
async fn measure(
    target: &Arc<Target>,
    row: &Arc<Row>,
    concurrency: usize,
    budget: Duration,
    cap: usize,
) -> anyhow::Result<(Tally, Duration)> {
    let sent = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + budget;
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let target = Arc::clone(target);
        let row = Arc::clone(row);
        let sent = Arc::clone(&sent);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < cap {
                let request = target.request(
                    row.method,
                    "",
                    &[
                        ("depth", row.depth),
                        ("content-type", "application/xml; charset=utf-8"),
                    ],
                    &row.body,
                )?;
                let began = Instant::now();
                let outcome = target.send(request).await;
                let failed = outcome.is_err();
                tally.record(began, &outcome, &[row.expected]);
                if failed {
                    // A transport error or time-out: this worker stops rather than
                    // hammer a server that has stopped answering.
                    break;
                }
            }
            anyhow::Ok(tally)
        }));
    }
    let mut total = Tally::default();
    for worker in workers {
        total.merge(worker.await.context("a worker panicked")??);
    }
    let elapsed = total.last.map_or(started.elapsed(), |last| last - started);
    Ok((total, elapsed))
}

/// Unmeasured requests of `row`: up to `count`, for up to `seconds` (at least one).
/// Returns what the first good answer held (its `items`); 0 when none was good.
async fn warm_up(
    target: &Target,
    row: &Row,
    label: &str,
    count: usize,
    seconds: f64,
) -> anyhow::Result<usize> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds.max(0.0));
    let mut items = None;
    for sent in 0..count.max(1) {
        if sent > 0 && Instant::now() >= deadline {
            break;
        }
        let headers = [
            ("depth", row.depth),
            ("content-type", "application/xml; charset=utf-8"),
        ];
        let request = target.request(row.method, "", &headers, &row.body)?;
        match target.send(request).await {
            Ok((status, body)) if status == row.expected => {
                if items.is_none() {
                    let has_data = body.windows(12).any(|w| w == b"BEGIN:VEVENT");
                    if row.name.starts_with("query") && !has_data {
                        eprintln!(
                            "[{label}] WARNING: {} answer has no calendar data",
                            row.name
                        );
                    }
                    items = Some((row.count)(&body));
                }
            }
            Ok((status, body)) => {
                let text = String::from_utf8_lossy(&body);
                let head: String = text.chars().take(300).collect();
                eprintln!("[{label}] {} warm-up answered {status}: {head}", row.name);
                break;
            }
            Err(failure) => {
                eprintln!("[{label}] {} warm-up failed: {failure:#}", row.name);
                break;
            }
        }
    }
    Ok(items.unwrap_or(0))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = loopback_base(&args.url)?;
    ensure!(args.seconds_per_row > 0.0, "--seconds-per-row must be > 0");
    ensure!(
        args.concurrency.iter().all(|&c| (1..=64).contains(&c)),
        "--concurrency levels must be 1..=64"
    );
    let credentials = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", args.user, args.password));
    let target = Arc::new(Target {
        client: Client::builder(TokioExecutor::new()).build_http(),
        base,
        authorization: HeaderValue::from_str(&format!("Basic {credentials}"))?,
    });
    let label = args.label.as_str();
    println!("# label\trow\tconcurrency\trequests\treq_per_s\tp50_ms\tp99_ms\terrors\titems");

    if !args.skip_load {
        eprintln!(
            "[{label}] loading {} events into {}",
            args.events, target.base
        );
        let budget = Duration::from_secs_f64(args.load_seconds);
        let (mut tally, elapsed) = load(&target, args.events, args.put_concurrency, budget).await?;
        let created = tally.latencies.len();
        if created < args.events {
            eprintln!(
                "[{label}] WARNING: only {created} of {} events loaded",
                args.events
            );
        }
        print_line(
            label,
            "put",
            args.put_concurrency,
            &mut tally,
            elapsed,
            created,
        );
    }

    if args.load_only {
        return Ok(());
    }
    let wanted: Option<Vec<&str>> = args.rows.as_deref().map(|r| r.split(',').collect());
    let known: Vec<&str> = rows().iter().map(|row| row.name).collect();
    if let Some(unknown) = wanted.iter().flatten().find(|name| !known.contains(name)) {
        bail!("unknown row {unknown:?}; rows are {}", known.join(", "));
    }
    let budget = Duration::from_secs_f64(args.seconds_per_row);
    for row in rows() {
        if wanted.as_ref().is_some_and(|w| !w.contains(&row.name)) {
            continue;
        }
        let row = Arc::new(row);
        let items = warm_up(&target, &row, label, args.warmup, args.warmup_seconds).await?;
        for &concurrency in &args.concurrency {
            let (mut tally, elapsed) =
                measure(&target, &row, concurrency, budget, args.max_requests).await?;
            print_line(label, row.name, concurrency, &mut tally, elapsed, items);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted() {
        for ok in [
            "http://127.0.0.1:8080/dav/calendars/domina/personal/",
            "http://127.9.9.9:1/x",
            "http://[::1]:5232/domina/bench/",
            "http://localhost:5232/a/",
        ] {
            assert!(loopback_base(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.0.0.1:8080/",
            "http://192.168.1.1/",
            "http://example.com/",
            "https://127.0.0.1/",
            "http://[::2]/",
        ] {
            assert!(loopback_base(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn responses_are_counted_whatever_the_prefix() {
        let body = b"<D:multistatus><D:response>a</D:response><response>b</response>\
            <ns0:response>c</ns0:response><D:responsedescription/></D:multistatus>";
        assert_eq!(count_responses(body), 3);
    }

    #[test]
    fn busy_periods_are_counted_across_folds() {
        let body = b"BEGIN:VFREEBUSY\r\nFREEBUSY:20260401T100000Z/PT1H,\r\n 20260402T100000Z/PT1H\r\nFREEBUSY;FBTYPE=BUSY:20260403T100000Z/PT1H\r\nEND:VFREEBUSY\r\n";
        assert_eq!(count_busy_periods(body), 3);
    }

    #[test]
    fn a_tenth_recur_and_both_zones_are_used() {
        let n = 2000;
        let events: Vec<(String, String)> =
            (0..n).map(|i| event(i, n).expect("an event")).collect();
        let recurring = events
            .iter()
            .filter(|(_, t)| t.contains("RRULE:FREQ=WEEKLY\r\n"));
        assert_eq!(recurring.count(), n / 10);
        let berlin = events
            .iter()
            .filter(|(_, t)| t.contains("TZID=Europe/Berlin"));
        assert_eq!(berlin.count(), n / 2);
        assert!(
            events[n - 1]
                .1
                .contains("DTSTART;TZID=America/New_York:202605")
        );
    }
}
