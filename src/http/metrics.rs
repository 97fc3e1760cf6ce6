//! Request counts and latency histograms, kept in memory and written in the Prometheus
//! text exposition format (version 0.0.4), with a small writer for the other families
//! a `/metrics` page shows. Requests are counted under the route the router names (a
//! template such as `/api/appointments/{id}`), never the raw path, so the number of
//! series stays bounded whatever clients ask for.
//!
//! Must not know: which routes exist or what the other figures mean.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use hyper::Method;

/// Upper bounds of the latency buckets, in seconds (`+Inf` is implied).
const BOUNDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default, Clone)]
struct Latency {
    /// Requests at or under each bound (not cumulative here; summed when written).
    buckets: [u64; BOUNDS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Default)]
struct Series {
    by_status: BTreeMap<(&'static str, &'static str, u16), u64>,
    latency: BTreeMap<(&'static str, &'static str), Latency>,
}

/// Requests answered, by route, method and status, and their latency by route and method.
#[derive(Default)]
pub struct RequestMetrics {
    series: Mutex<Series>,
}

/// `method` as a label: the methods Kairos knows by name, anything else as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 17] = [
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "DELETE",
        "OPTIONS",
        "PATCH",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "MKCALENDAR",
        "REPORT",
        "COPY",
        "MOVE",
        "LOCK",
        "UNLOCK",
        "ACL",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("OTHER")
}

impl RequestMetrics {
    /// Counts one request to `route` answered with `status` after `elapsed`.
    pub fn observe(
        &self,
        route: &'static str,
        method: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let seconds = elapsed.as_secs_f64();
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series.by_status.entry((route, method, status)).or_default() += 1;
        let latency = series.latency.entry((route, method)).or_default();
        if let Some(bucket) = BOUNDS.iter().position(|bound| seconds <= *bound) {
            latency.buckets[bucket] += 1;
        }
        latency.count += 1;
        latency.sum_seconds += seconds;
    }

    /// Writes `kairos_http_requests_total` and `kairos_http_request_duration_seconds`.
    pub fn write(&self, out: &mut Exposition) {
        let (by_status, latency) = {
            let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
            (series.by_status.clone(), series.latency.clone())
        };
        out.family(
            "kairos_http_requests_total",
            "counter",
            "Requests answered, by route, method and status.",
        );
        for ((route, method, status), count) in by_status {
            let status = status.to_string();
            let labels = [("route", route), ("method", method), ("status", &status)];
            out.sample("kairos_http_requests_total", &labels, count as f64);
        }
        let name = "kairos_http_request_duration_seconds";
        out.family(
            name,
            "histogram",
            "Time to answer a request, by route and method.",
        );
        for ((route, method), latency) in latency {
            let mut cumulative = 0;
            for (bound, in_bucket) in BOUNDS.iter().zip(latency.buckets) {
                cumulative += in_bucket;
                let le = bound.to_string();
                let labels = [("route", route), ("method", method), ("le", le.as_str())];
                out.sample(&format!("{name}_bucket"), &labels, cumulative as f64);
            }
            let labels = [("route", route), ("method", method), ("le", "+Inf")];
            out.sample(&format!("{name}_bucket"), &labels, latency.count as f64);
            let labels = [("route", route), ("method", method)];
            out.sample(&format!("{name}_sum"), &labels, latency.sum_seconds);
            out.sample(&format!("{name}_count"), &labels, latency.count as f64);
        }
    }
}

/// A page in the Prometheus text format, written family by family.
#[derive(Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts family `name` of `kind` (`counter`, `gauge`, `histogram`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    /// One sample of the current family.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (n, (label, value)) in labels.iter().enumerate() {
                if n > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", escape(value));
            }
            self.text.push('}');
        }
        let _ = writeln!(self.text, " {value}");
    }

    /// A family of one unlabelled sample.
    pub fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }

    /// The page.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// A label value with `\`, `"` and line feeds escaped, as the format asks.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// This process's resident memory in bytes (Linux: `/proc/self/status`), if known.
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_status_and_timed_in_cumulative_buckets() {
        let metrics = RequestMetrics::default();
        let ms = Duration::from_millis;
        metrics.observe("/healthz", "GET", 200, ms(2));
        metrics.observe("/healthz", "GET", 200, ms(30));
        metrics.observe("/healthz", "GET", 503, ms(20_000));
        let mut page = Exposition::default();
        metrics.write(&mut page);
        let text = page.into_text();
        for line in [
            "# TYPE kairos_http_requests_total counter",
            r#"kairos_http_requests_total{route="/healthz",method="GET",status="200"} 2"#,
            r#"kairos_http_requests_total{route="/healthz",method="GET",status="503"} 1"#,
            "# TYPE kairos_http_request_duration_seconds histogram",
            r#"kairos_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="0.001"} 0"#,
            r#"kairos_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="0.0025"} 1"#,
            r#"kairos_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="0.05"} 2"#,
            r#"kairos_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="10"} 2"#,
            r#"kairos_http_request_duration_seconds_bucket{route="/healthz",method="GET",le="+Inf"} 3"#,
            r#"kairos_http_request_duration_seconds_count{route="/healthz",method="GET"} 3"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line}\n{text}");
        }
    }

    #[test]
    fn label_values_are_escaped_and_unknown_methods_grouped() {
        let mut page = Exposition::default();
        page.sample("x", &[("job", "a\"b\\c\nd")], 1.5);
        assert_eq!(page.into_text(), "x{job=\"a\\\"b\\\\c\\nd\"} 1.5\n");
        let odd = Method::from_bytes(b"BREW").expect("a method");
        assert_eq!(method_label(&odd), "OTHER");
        assert_eq!(
            method_label(&Method::from_bytes(b"REPORT").expect("a method")),
            "REPORT"
        );
    }
}
