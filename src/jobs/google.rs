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
use crate::service::{GOOGLE_PULL, MirrorReport, Scheduler};

/// The pull job.
pub struct GooglePullJob {
    client: Arc<GoogleClient>,
    scheduler: Arc<Scheduler>,
    calendars: Vec<String>,
    all_day_busy: bool,
    poll: Duration,
    wake: Arc<Notify>,
    /// Where Google is asked to notify changes, when it may.
    watch_url: Option<String>,
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
            watch_url: config.watch_url.clone(),
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

    /// Asks Google to notify changes to every calendar (a new channel each time);
    /// returns when to ask again: an hour before the first channel expires, or in a
    /// day when Google does not say. `None` when there is no watch URL.
    async fn watch(&self) -> Option<tokio::time::Instant> {
        let address = self.watch_url.as_deref()?;
        let retry = tokio::time::Instant::now() + Duration::from_secs(600);
        let token = match self.scheduler.google_channel_token() {
            Ok(token) => token,
            Err(error) => {
                tracing::warn!("cannot make the Google channel token: {error}");
                return Some(retry);
            }
        };
        let mut renew = tokio::time::Instant::now() + Duration::from_secs(86_400);
        for calendar in &self.calendars {
            let channel = format!("kairos-{:032x}", rand::random::<u128>());
            match self.client.watch(calendar, &channel, address, &token).await {
                Ok(expiration) => {
                    if let Some(expires) = expiration {
                        let left = expires - self.scheduler.now().timestamp_millis();
                        let ahead = Duration::from_millis(left.max(0) as u64)
                            .saturating_sub(Duration::from_secs(3600))
                            .max(Duration::from_secs(60));
                        renew = renew.min(tokio::time::Instant::now() + ahead);
                    }
                    tracing::info!(calendar, channel, "Google will notify changes");
                }
                Err(error) => {
                    tracing::warn!(calendar, "Google change notifications unavailable: {error}");
                    renew = renew.min(retry);
                }
            }
        }
        Some(renew)
    }

    /// Pulls every `poll` (or when Google notifies a change) until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut renew = self.watch().await;
        loop {
            let outcome = self.run_once().await;
            self.scheduler.job_ran(GOOGLE_PULL, outcome.is_ok());
            if let Err(error) = outcome {
                tracing::warn!("Google pull failed (tried again next round): {error:#}");
            }
            let renewal = async {
                match renew {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.poll) => {}
                () = self.wake.notified() => {}
                () = renewal => renew = self.watch().await,
            }
        }
    }
}
