//! The host's Google calendars as busy time: each pulled batch of changes is kept in
//! the store (intervals only, never titles), feeds availability, free/busy and CalDAV
//! free-busy through [`GoogleBusy`], and is checked against confirmed appointments —
//! a Google event over one never removes either; the host is told.

use std::sync::{Arc, Mutex};

use chrono::Duration;

use super::{BusyError, BusySource, Scheduler, ServiceError};
use crate::domain::{AppointmentId, Interval};
use crate::google::model::{Change, Mirrored};
use crate::store::{MirrorBatch, Store};

/// What a pull changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MirrorReport {
    /// Events that make the host busy now.
    pub busy: usize,
    /// Events that take no time, or are gone.
    pub free: usize,
    /// Events Kairos wrote itself (its appointments), not counted twice.
    pub own: usize,
    /// Busy events over a confirmed appointment.
    pub conflicts: usize,
}

impl Scheduler {
    /// The token Google's change notifications must carry (a keyed tag: nobody else
    /// can make Kairos pull).
    pub fn google_channel_token(&self) -> Result<String, ServiceError> {
        self.link_tag(b"google-watch")
    }

    /// A change notification from Google carrying `token`: when it is Kairos's, the
    /// pull job is woken; false when it is not.
    pub fn google_notified(&self, token: &str) -> Result<bool, ServiceError> {
        let expected = self.google_channel_token()?;
        let genuine = super::admin::constant_time_eq(expected.as_bytes(), token.as_bytes());
        if genuine {
            self.google_wake.notify_one();
        }
        Ok(genuine)
    }

    /// What the pull job waits on besides its timer.
    pub fn google_wake(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.google_wake)
    }

    /// The token to pull `calendar`'s next changes with.
    pub fn google_sync_token(&self, calendar: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.store.google_sync_token(calendar)?)
    }

    /// Keeps a batch of `calendar`'s changes (`full`: everything it has) and the token
    /// for the next.
    pub async fn mirror_google(
        &self,
        calendar: &str,
        full: bool,
        changes: &[Change],
        sync_token: Option<String>,
    ) -> Result<MirrorReport, ServiceError> {
        let mut report = MirrorReport::default();
        let mut events = Vec::with_capacity(changes.len());
        for change in changes {
            let own = change
                .ical_uid
                .as_deref()
                .map(AppointmentId::from_string)
                .map(|id| self.store.appointment(&id))
                .transpose()?
                .flatten()
                .is_some();
            let busy = match &change.mirrored {
                Mirrored::Busy(interval) if !own => Some(*interval),
                _ => None,
            };
            match (&busy, own) {
                (_, true) => report.own += 1,
                (Some(interval), false) => {
                    report.busy += 1;
                    if self.warn_of_conflicts(calendar, &change.id, *interval)? {
                        report.conflicts += 1;
                    }
                }
                (None, false) => report.free += 1,
            }
            events.push((change.id.clone(), busy));
        }
        let batch = MirrorBatch {
            full,
            events,
            sync_token,
        };
        self.store.mirror_google(calendar, &batch).await?;
        self.google_busy.forget();
        Ok(report)
    }

    /// Logs a Google event that lies over a confirmed appointment; true when one does.
    /// Neither is removed: the host decides.
    fn warn_of_conflicts(
        &self,
        calendar: &str,
        event: &str,
        busy: Interval,
    ) -> Result<bool, ServiceError> {
        let from = self.rules.local_date(busy.start - Duration::days(1));
        let to = self.rules.local_date(busy.end + Duration::days(1));
        let mut clash = false;
        for (id, booked) in self.store.booked_between(from, to)? {
            if booked.overlaps(&busy) {
                clash = true;
                tracing::warn!(
                    calendar,
                    event,
                    appointment = %id,
                    "a Google event lies over a confirmed appointment; both are kept"
                );
            }
        }
        Ok(clash)
    }
}

/// Busy time mirrored from Google, read from the store once and kept until the next
/// pull changes it.
pub(super) struct GoogleBusy {
    store: Store,
    cached: Mutex<Option<Arc<Vec<Interval>>>>,
}

impl GoogleBusy {
    pub(super) fn new(store: Store) -> Self {
        Self {
            store,
            cached: Mutex::new(None),
        }
    }

    /// Drops what is kept: the next question reads the store again.
    fn forget(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn all(&self) -> Result<Arc<Vec<Interval>>, BusyError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(all) = cached.as_ref() {
            return Ok(Arc::clone(all));
        }
        let all = Arc::new(self.store.google_busy().map_err(|error| BusyError {
            source_name: "google".into(),
            message: error.to_string(),
        })?);
        *cached = Some(Arc::clone(&all));
        Ok(all)
    }
}

impl BusySource for GoogleBusy {
    fn name(&self) -> &str {
        "google"
    }

    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError> {
        Ok(self
            .all()?
            .iter()
            .filter(|busy| busy.overlaps(&range))
            .copied()
            .collect())
    }
}
