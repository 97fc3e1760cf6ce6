//! The inbound spool, processed: each message in `new/` is handed to the use cases
//! once, its outcome recorded, and the file moved to `cur/` — or to `failed/` with the
//! reason when it cannot be processed. A message whose outcome is already recorded
//! (the server stopped between recording and moving it) is only moved. When the store
//! fails, the message stays in `new/` for the next round.

use std::sync::Arc;
use std::time::Duration;

use crate::mail::inbound::{Spool, Waiting};
use crate::service::{Received, Scheduler, ServiceError};

/// The inbound job.
pub struct InboundJob {
    scheduler: Arc<Scheduler>,
    spool: Spool,
}

impl InboundJob {
    /// A job over `spool`.
    pub fn new(scheduler: Arc<Scheduler>, spool: Spool) -> Self {
        Self { scheduler, spool }
    }

    /// Processes every waiting message; returns how many were settled.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let mut settled = 0;
        let waiting = self.spool.waiting()?;
        let total = waiting.len();
        for message in waiting {
            if self.process(&message).await? {
                settled += 1;
            }
        }
        self.scheduler
            .telemetry()
            .set_spool_waiting(total - settled);
        Ok(settled)
    }

    /// Settles one message; false when it must wait for the next round.
    async fn process(&self, message: &Waiting) -> anyhow::Result<bool> {
        if let Some(outcome) = self.scheduler.inbound_outcome(&message.name)? {
            tracing::info!(message = %message.name, "already processed ({outcome}); moving it to cur/");
            self.spool.processed(message)?;
            return Ok(true);
        }
        let raw = match tokio::fs::read(&message.path).await {
            Ok(raw) => raw,
            Err(error) => {
                tracing::warn!(message = %message.name, "cannot read it yet: {error}");
                return Ok(false);
            }
        };
        match self.scheduler.receive_mail(&raw).await {
            Ok(Received::Handled(outcome)) => {
                let outcome = outcome.to_string();
                self.scheduler
                    .record_inbound(&message.name, &outcome)
                    .await?;
                self.spool.processed(message)?;
                tracing::info!(message = %message.name, "{outcome}");
            }
            Ok(Received::Unprocessable(reason)) => {
                self.set_aside(message, &reason).await?;
            }
            Err(ServiceError::Storage(error)) => {
                tracing::error!(message = %message.name, "left for the next round: {error}");
                return Ok(false);
            }
            Err(other) => {
                self.set_aside(message, &other.to_string()).await?;
            }
        }
        Ok(true)
    }

    async fn set_aside(&self, message: &Waiting, reason: &str) -> anyhow::Result<()> {
        let outcome = format!("failed: {reason}");
        self.scheduler
            .record_inbound(&message.name, &outcome)
            .await?;
        self.spool.failed(message, reason)?;
        tracing::warn!(message = %message.name, "{outcome}");
        Ok(())
    }

    /// Runs rounds every `poll` until `shutdown` resolves.
    pub async fn run(self, poll: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let outcome = self.run_once().await;
            self.scheduler.job_ran("inbound", outcome.is_ok());
            if let Err(error) = outcome {
                tracing::error!("inbound round failed: {error:#}");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}
