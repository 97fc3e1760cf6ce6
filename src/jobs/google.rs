//! The Google pull job: every `google.poll_interval` (or at once when woken), each
//! configured calendar's changes since its sync token are pulled and kept; an expired
//! token (410) starts a full listing. Failures are logged and tried again next round;
//! the mirror keeps what it had meanwhile.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::config::GoogleConfig;
use crate::google::client::{GoogleClient, GoogleError};
use crate::google::model;
use crate::service::{MirrorReport, Scheduler};

/// The pull job.
pub struct GooglePullJob {
    client: Arc<GoogleClient>,
    scheduler: Arc<Scheduler>,
    calendars: Vec<String>,
    all_day_busy: bool,
    poll: Duration,
    wake: Arc<Notify>,
}

impl GooglePullJob {
    /// A job pulling `config`'s calendars through `client`; `wake` asks for a pull now.
    pub fn new(
        client: Arc<GoogleClient>,
        scheduler: Arc<Scheduler>,
        config: &GoogleConfig,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            client,
            scheduler,
            calendars: config.calendars.clone(),
            all_day_busy: config.all_day_busy,
            poll: config.poll_interval,
            wake,
        }
    }

    /// Pulls every calendar once.
    pub async fn run_once(&self) -> anyhow::Result<MirrorReport> {
        let mut total = MirrorReport::default();
        for calendar in &self.calendars {
            let report = self.pull(calendar).await?;
            total.busy += report.busy;
            total.free += report.free;
            total.own += report.own;
            total.conflicts += report.conflicts;
        }
        Ok(total)
    }

    async fn pull(&self, calendar: &str) -> anyhow::Result<MirrorReport> {
        let token = self.scheduler.google_sync_token(calendar)?;
        let (changes, full) = match self.client.changes(calendar, token.as_deref()).await {
            Ok(changes) => (changes, token.is_none()),
            Err(GoogleError::SyncTokenGone) => {
                tracing::info!(
                    calendar,
                    "Google sync token expired; listing everything again"
                );
                (self.client.changes(calendar, None).await?, true)
            }
            Err(other) => return Err(other.into()),
        };
        let zone = self.scheduler.host().zone;
        let mirrored: Vec<model::Change> = changes
            .events
            .iter()
            .filter_map(|event| model::change_of(event, zone, self.all_day_busy))
            .collect();
        let report = self
            .scheduler
            .mirror_google(calendar, full, &mirrored, changes.next_sync_token)
            .await?;
        tracing::debug!(calendar, full, ?report, "Google calendar pulled");
        Ok(report)
    }

    /// Pulls every `poll` (or when woken) until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.run_once().await {
                tracing::warn!("Google pull failed (tried again next round): {error:#}");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.poll) => {}
                () = self.wake.notified() => {}
            }
        }
    }
}
