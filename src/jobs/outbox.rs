//! Outbox delivery: every intent committed with a state change — mail, a write to the
//! host's Google calendar — is carried out, with retries. A failure that may pass (SMTP down, a time-out) is tried again after a
//! wait that doubles from 30 s up to `mail.max_retry_seconds`, for as long as it takes;
//! one that cannot (the address refused) is marked failed for the host to see. An
//! entry is settled only after its message was handed over, so a crash in between
//! sends it again, under the same Message-ID: never zero times.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;

use crate::domain::{AppointmentId, Attempt, Intent, OutboxEntry};
use crate::google::client::{GoogleClient, GoogleError};
use crate::mail::smtp::{Mailer, SendFailure};
use crate::service::{Prepared, Scheduler};

/// Entries handled per round.
const BATCH: usize = 64;
/// Messages handed over at once (lettre's SMTP pool keeps up to 10 connections).
const CONCURRENT: usize = 10;
/// Google writes carried out at once.
const GOOGLE_IN_FLIGHT: usize = 8;
/// The first wait after a failure.
const FIRST_RETRY: Duration = Duration::seconds(30);

/// How one entry was carried out.
enum Carried {
    Mail(Result<(), SendFailure>),
    Google(
        AppointmentId,
        Result<Option<Box<google_calendar3::api::Event>>, GoogleError>,
    ),
}

/// The outbox job.
pub struct OutboxJob {
    scheduler: Arc<Scheduler>,
    mailer: Mailer,
    /// The Google client and the calendar appointments are written to, when the
    /// mirror is on.
    google: Option<(Arc<GoogleClient>, String)>,
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
            google: None,
            max_retry: Duration::from_std(max_retry).unwrap_or(Duration::hours(1)),
            cursor: 0,
        }
    }

    /// Also carries out Google writes, through `client` into `calendar`.
    pub fn with_google(mut self, client: Arc<GoogleClient>, calendar: String) -> Self {
        self.google = Some((client, calendar));
        self
    }

    /// Delivers everything due now; stops early only when the store fails.
    pub async fn run_once(&mut self) -> anyhow::Result<Round> {
        let mut round = Round::default();
        loop {
            let (due, next) = self.scheduler.due_outbox(self.cursor, BATCH)?;
            let more = due.len() == BATCH;
            // Google writes first: mail prepared after them carries the Meet link.
            let (google, mail): (Vec<OutboxEntry>, Vec<OutboxEntry>) = due
                .into_iter()
                .partition(|entry| matches!(entry.intent, Intent::MirrorToGoogle { .. }));
            for wave in google.chunks(GOOGLE_IN_FLIGHT) {
                self.deliver(wave, &mut round).await?;
            }
            for wave in mail.chunks(CONCURRENT) {
                self.deliver(wave, &mut round).await?;
            }
            self.cursor = next;
            if !more {
                return Ok(round);
            }
        }
    }

    /// Carries out one wave of entries at once, as an MTA sends mail: each SMTP
    /// conversation or Google call spends most of its time waiting on the other side.
    async fn deliver(&self, wave: &[OutboxEntry], round: &mut Round) -> anyhow::Result<()> {
        let prepared = wave
            .iter()
            .map(|entry| self.scheduler.prepare(entry))
            .collect::<Result<Vec<_>, _>>()?;
        // Nothing leaves before the change that owes it, and all a message says, is on
        // disk: a crash must not leave a client told of a booking the store forgot. The
        // flush comes after the entries were read and prepared, so it covers whatever
        // was committed up to then, also after an earlier flush.
        self.scheduler.store().flush().await?;
        let mut sending = tokio::task::JoinSet::new();
        for (index, (entry, prepared)) in wave.iter().zip(prepared).enumerate() {
            match prepared {
                Prepared::Impossible(reason) => {
                    self.settle(entry, Attempt::Failed(reason), round)?;
                }
                Prepared::Mail(message) => {
                    let mailer = self.mailer.clone();
                    sending.spawn(async move {
                        let result = mailer.send(*message).await;
                        (index, Carried::Mail(result))
                    });
                }
                Prepared::Google { appointment, write } => {
                    let Some((client, calendar)) = self.google.clone() else {
                        let reason = "the Google mirror is off".to_string();
                        self.settle(entry, Attempt::Failed(reason), round)?;
                        continue;
                    };
                    sending.spawn(async move {
                        let result = client
                            .write(&calendar, &write)
                            .await
                            .map(|w| w.map(Box::new));
                        (index, Carried::Google(appointment, result))
                    });
                }
            }
        }
        while let Some(sent) = sending.join_next().await {
            let (index, carried) = sent?;
            let entry = &wave[index];
            let retry = |error: String| Attempt::Deferred {
                retry_at: self.scheduler.now() + self.wait_after(entry.attempts),
                error,
            };
            let attempt = match carried {
                Carried::Mail(Ok(())) => Attempt::Delivered(self.scheduler.now()),
                Carried::Mail(Err(SendFailure::Permanent(reason))) => Attempt::Failed(reason),
                Carried::Mail(Err(SendFailure::Passing(error))) => retry(error),
                Carried::Google(appointment, Ok(written)) => {
                    if let Some(event) = written {
                        self.scheduler.google_written(&appointment, &event).await?;
                    }
                    Attempt::Delivered(self.scheduler.now())
                }
                Carried::Google(_, Err(GoogleError::Refused(reason))) => Attempt::Failed(reason),
                Carried::Google(_, Err(other)) => retry(other.to_string()),
            };
            self.settle(entry, attempt, round)?;
        }
        // One flush records the whole wave (a crash before it sends the wave again,
        // under the same Message-IDs and iCalUIDs).
        self.scheduler.store().flush().await?;
        Ok(())
    }

    /// Records how the attempt at `entry` ended.
    fn settle(
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
        self.scheduler.record_attempt(entry.id, attempt)?;
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
            let outcome = self.run_once().await;
            self.scheduler.job_ran("outbox", outcome.is_ok());
            if let Err(error) = outcome {
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
