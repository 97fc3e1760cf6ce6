//! `GET /metrics`: what an operator's Prometheus scrapes, behind the admin credentials
//! (Prometheus sends them with `basic_auth`). Requests by route and status with their
//! latency, each background job's rounds and failures, the outbox's depth and the age
//! of its oldest entry, how long ago Google was last pulled, the inbound spool's depth,
//! and the process's resident memory.

use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderValue};

use super::errors::service;
use super::{Answer, Context};
use crate::http::metrics::{Exposition, RequestMetrics, resident_memory_bytes};
use crate::http::{Request, Response};

/// The page.
pub fn get(context: &Context, request: &Request, requests: &RequestMetrics) -> Answer {
    super::admin_only(context, request, "metrics need the admin credentials")?;
    let scheduler = &context.scheduler;
    let zone = scheduler.host().zone;
    let outbox = scheduler.outbox_depth().map_err(|e| service(e, zone))?;
    let mut page = Exposition::default();
    requests.write(&mut page);

    let jobs = scheduler.telemetry().jobs();
    page.family(
        "kairos_job_runs_total",
        "counter",
        "Rounds a background job ran.",
    );
    for (job, record) in &jobs {
        page.sample("kairos_job_runs_total", &[("job", job)], record.runs as f64);
    }
    let name = "kairos_job_failures_total";
    page.family(name, "counter", "Rounds of a background job that failed.");
    for (job, record) in &jobs {
        page.sample(name, &[("job", job)], record.failures as f64);
    }
    let name = "kairos_job_last_success_timestamp_seconds";
    page.family(
        name,
        "gauge",
        "When a background job last ran without failing.",
    );
    for (job, record) in &jobs {
        if let Some(at) = record.last_success {
            page.sample(name, &[("job", job)], at.timestamp_millis() as f64 / 1000.0);
        }
    }

    let name = "kairos_outbox_waiting";
    page.family(
        name,
        "gauge",
        "Outbox entries waiting to be delivered, by kind.",
    );
    page.sample(name, &[("kind", "mail")], outbox.waiting_mail as f64);
    page.sample(name, &[("kind", "google")], outbox.waiting_google as f64);
    page.single(
        "kairos_outbox_failed",
        "gauge",
        "Outbox entries given up on (retry them from /admin).",
        outbox.failed as f64,
    );
    page.single(
        "kairos_outbox_oldest_age_seconds",
        "gauge",
        "Age of the oldest waiting outbox entry (0 when none waits).",
        outbox.oldest_age_seconds,
    );
    if let Some(lag) = scheduler.google_sync_lag_seconds() {
        page.single(
            "kairos_google_sync_lag_seconds",
            "gauge",
            "Seconds since the Google calendars were last pulled without error.",
            lag,
        );
    }
    page.single(
        "kairos_spool_waiting",
        "gauge",
        "Inbound messages waiting in the spool after the last round.",
        scheduler.telemetry().spool_waiting() as f64,
    );
    if let Some(bytes) = resident_memory_bytes() {
        page.single(
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            bytes as f64,
        );
    }
    Ok(text(page.into_text()))
}

fn text(body: String) -> Response {
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
