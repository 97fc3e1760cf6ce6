//! Outbox delivery: every intent committed with a state change is carried out, with
//! retries. A failure that may pass (SMTP down, a time-out) is tried again after a
//! wait that doubles from 30 s up to `mail.max_retry_seconds`, for as long as it takes;
//! one that cannot (the address refused) is marked failed for the host to see. An
//! entry is settled only after its message was handed over, so a crash in between
//! sends it again, under the same Message-ID: never zero times.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;

use crate::domain::{Attempt, OutboxEntry};
use crate::mail::smtp::{Mailer, SendFailure};
use crate::service::{Prepared, Scheduler};

/// Entries handled per round.
const BATCH: usize = 64;
/// Messages handed over at once (lettre's SMTP pool keeps up to 10 connections).
const CONCURRENT: usize = 10;
/// The first wait after a failure.
const FIRST_RETRY: Duration = Duration::seconds(30);

/// The outbox job.
pub struct OutboxJob {
    scheduler: Arc<Scheduler>,
    mailer: Mailer,
    max_retry: Duration,
    /// Every entry before this id is settled.
    cursor: u64,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Handed over.
    pub delivered: usize,
    /// To be tried again later.
    pub deferred: usize,
    /// Given up on.
    pub failed: usize,
}

impl OutboxJob {
    /// A job delivering through `mailer`.
    pub fn new(scheduler: Arc<Scheduler>, mailer: Mailer, max_retry: StdDuration) -> Self {
        Self {
            scheduler,
            mailer,
            max_retry: Duration::from_std(max_retry).unwrap_or(Duration::hours(1)),
            cursor: 0,
        }
    }

    /// Delivers everything due now; stops early only when the store fails.
    pub async fn run_once(&mut self) -> anyhow::Result<Round> {
        let mut round = Round::default();
        loop {
            // Nothing leaves before the change that owes it is on disk: a crash must
            // not leave a client told of a booking the store forgot.
            self.scheduler.store().flush().await?;
            let (due, next) = self.scheduler.due_outbox(self.cursor, BATCH)?;
            let more = due.len() == BATCH;
            for wave in due.chunks(CONCURRENT) {
                // One wave's messages travel at once, as an MTA sends them: each SMTP
                // conversation spends most of its time waiting on the other side.
                let mut sending = tokio::task::JoinSet::new();
                for (index, entry) in wave.iter().enumerate() {
                    match self.scheduler.prepare(entry)? {
                        Prepared::Impossible(reason) => {
                            self.settle(entry, Attempt::Failed(reason), &mut round)
                                .await?;
                        }
                        Prepared::Mail(message) => {
                            let mailer = self.mailer.clone();
                            sending.spawn(async move { (index, mailer.send(*message).await) });
                        }
                    }
                }
                while let Some(sent) = sending.join_next().await {
                    let (index, result) = sent?;
                    let entry = &wave[index];
                    let attempt = match result {
                        Ok(()) => Attempt::Delivered(self.scheduler.now()),
                        Err(SendFailure::Permanent(reason)) => Attempt::Failed(reason),
                        Err(SendFailure::Passing(error)) => Attempt::Deferred {
                            retry_at: self.scheduler.now() + self.wait_after(entry.attempts),
                            error,
                        },
                    };
                    self.settle(entry, attempt, &mut round).await?;
                }
            }
            self.cursor = next;
            if !more {
                return Ok(round);
            }
        }
    }

    /// Records how the attempt at `entry` ended.
    async fn settle(
        &self,
        entry: &OutboxEntry,
        attempt: Attempt,
        round: &mut Round,
    ) -> anyhow::Result<()> {
        match &attempt {
            Attempt::Delivered(_) => round.delivered += 1,
            Attempt::Deferred { error, retry_at } => {
                tracing::warn!(outbox = entry.id, %retry_at, "delivery deferred: {error}");
                round.deferred += 1;
            }
            Attempt::Failed(reason) => {
                tracing::error!(outbox = entry.id, "delivery failed for good: {reason}");
                round.failed += 1;
            }
        }
        self.scheduler.settle(entry.id, attempt).await?;
        Ok(())
    }

    /// The wait before the next attempt after `attempts` failed ones.
    fn wait_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.min(20);
        let wait = FIRST_RETRY * 2_i32.saturating_pow(doublings);
        wait.min(self.max_retry)
    }

    /// Runs rounds until `shutdown` resolves: after every flush of the store (a state
    /// change may have queued mail), and every `poll` (for retries that come due).
    pub async fn run(mut self, poll: StdDuration, shutdown: impl std::future::Future<Output = ()>) {
        let flushes = self.scheduler.store().flushes();
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.run_once().await {
                tracing::error!("outbox round failed: {error:#}");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = flushes.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}
