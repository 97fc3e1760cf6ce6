//! What the background work reports about itself for `/metrics`: each job's rounds and
//! failed rounds and when it last succeeded, how many messages wait in the inbound
//! spool, and — read from the store when asked — the outbox's depth and the age of its
//! oldest waiting entry. Counters only go up; the figures are read as a snapshot.
//!
//! Must not know: HTTP, the Prometheus format, or how a job does its work.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use super::{Scheduler, ServiceError};

/// The name the Google pull job reports under; its last success is the mirror's age.
pub const GOOGLE_PULL: &str = "google-pull";

/// One job's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobRecord {
    /// Rounds run.
    pub runs: u64,
    /// Rounds that failed.
    pub failures: u64,
    /// When a round last succeeded.
    pub last_success: Option<DateTime<Utc>>,
}

/// The reports of the background jobs.
#[derive(Debug, Default)]
pub struct Telemetry {
    jobs: Mutex<BTreeMap<&'static str, JobRecord>>,
    spool_waiting: AtomicU64,
}

/// The outbox as `/metrics` shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OutboxDepth {
    /// Mail waiting to be sent or tried again.
    pub waiting_mail: u64,
    /// Google writes waiting.
    pub waiting_google: u64,
    /// Entries given up on.
    pub failed: u64,
    /// Seconds since the oldest waiting entry was committed (0 when none waits).
    pub oldest_age_seconds: f64,
}

impl Telemetry {
    /// Notes a round of job `name` at `at`: succeeded or failed.
    pub fn job_ran(&self, name: &'static str, succeeded: bool, at: DateTime<Utc>) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let record = jobs.entry(name).or_default();
        record.runs += 1;
        if succeeded {
            record.last_success = Some(at);
        } else {
            record.failures += 1;
        }
    }

    /// Every job's record, by name.
    pub fn jobs(&self) -> BTreeMap<&'static str, JobRecord> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Notes how many inbound messages wait in the spool after a round.
    pub fn set_spool_waiting(&self, waiting: usize) {
        self.spool_waiting.store(
            u64::try_from(waiting).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Inbound messages waiting in the spool after the last round.
    pub fn spool_waiting(&self) -> u64 {
        self.spool_waiting.load(Ordering::Relaxed)
    }
}

impl Scheduler {
    /// The reports of the background jobs.
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// Notes a round of job `name`, now.
    pub fn job_ran(&self, name: &'static str, succeeded: bool) {
        self.telemetry.job_ran(name, succeeded, self.clock.now());
    }

    /// The outbox's depth and the age of its oldest waiting entry, now.
    pub fn outbox_depth(&self) -> Result<OutboxDepth, ServiceError> {
        let backlog = self.store.outbox_backlog(1)?;
        let oldest_age_seconds = backlog.waiting.first().map_or(0.0, |entry| {
            let age = self.clock.now() - entry.created_at;
            age.num_milliseconds().max(0) as f64 / 1000.0
        });
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Ok(OutboxDepth {
            waiting_mail: count(backlog.waiting_mail),
            waiting_google: count(backlog.waiting_google),
            failed: count(backlog.failed.len()),
            oldest_age_seconds,
        })
    }

    /// Seconds since the Google pull last succeeded, when the mirror is on and it has.
    pub fn google_sync_lag_seconds(&self) -> Option<f64> {
        self.google_calendar.as_ref()?;
        let last = self.telemetry.jobs().get(GOOGLE_PULL)?.last_success?;
        Some((self.clock.now() - last).num_milliseconds().max(0) as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn a_job_counts_rounds_and_failures_and_keeps_its_last_success() {
        let telemetry = Telemetry::default();
        let at = |minute| Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).single();
        telemetry.job_ran("outbox", true, at(0).expect("a time"));
        telemetry.job_ran("outbox", false, at(1).expect("a time"));
        telemetry.job_ran("inbound", true, at(2).expect("a time"));
        let jobs = telemetry.jobs();
        assert_eq!(
            jobs["outbox"],
            JobRecord {
                runs: 2,
                failures: 1,
                last_success: at(0),
            }
        );
        assert_eq!(jobs["inbound"].runs, 1);
        telemetry.set_spool_waiting(3);
        assert_eq!(telemetry.spool_waiting(), 3);
    }
}
