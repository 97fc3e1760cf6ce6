//! The reminder job: every `reminders.poll_seconds`, queues the reminders that have
//! come due (the outbox then sends them). Each is queued once: the decision and the
//! outbox entry are one store transaction.

use std::sync::Arc;
use std::time::Duration;

use crate::service::Scheduler;

/// The reminder job.
pub struct ReminderJob {
    scheduler: Arc<Scheduler>,
    before_minutes: Vec<u32>,
}

impl ReminderJob {
    /// A job reminding clients `before_minutes` before each appointment.
    pub fn new(scheduler: Arc<Scheduler>, before_minutes: Vec<u32>) -> Self {
        Self {
            scheduler,
            before_minutes,
        }
    }

    /// Queues what is due now.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        Ok(self
            .scheduler
            .queue_due_reminders(&self.before_minutes)
            .await?)
    }

    /// Runs every `poll` until `shutdown` resolves.
    pub async fn run(self, poll: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.run_once().await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(queued, "reminders queued"),
                Err(error) => tracing::error!("reminder round failed: {error:#}"),
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}
