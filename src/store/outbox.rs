//! The durable outbox: intents committed with the state change that owes them, read
//! and marked by the delivery job.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use sled::transaction::TransactionalTree;

use super::tx::TxResult;
use super::{Store, StoreError, decode, encode, keys};
use crate::domain::{Attempt, Delivery, Intent, OutboxEntry};

/// Adds `intent` to the outbox inside a transaction; returns its id.
pub(super) fn enqueue<R>(
    outbox: &TransactionalTree,
    intent: Intent,
    now: DateTime<Utc>,
) -> TxResult<u64, R> {
    let id = outbox.generate_id()?;
    let entry = OutboxEntry {
        id,
        intent,
        created_at: now,
        attempts: 0,
        delivery: Delivery::Pending,
        retry_at: None,
        last_error: None,
    };
    outbox.insert(&id.to_be_bytes(), encode(&entry))?;
    Ok(id)
}

impl Store {
    /// The entries from id `from` on that wait for delivery and may be tried at `now`,
    /// oldest first, at most `limit`; and the id of the first entry still waiting (due
    /// or not), from which the next look can start (everything before it is settled).
    /// An entry put back in line since the last look ([`Store::retry_outbox`]) is
    /// looked at even when it lies before `from`.
    pub fn due_outbox(
        &self,
        from: u64,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<(Vec<OutboxEntry>, u64), StoreError> {
        let from = from.min(self.requeued.swap(u64::MAX, Ordering::SeqCst));
        let mut due = Vec::new();
        let mut first_waiting = None;
        let mut next = from;
        for item in self.outbox.range(from.to_be_bytes()..) {
            let (_, bytes) = item?;
            let entry: OutboxEntry = decode(keys::OUTBOX, &bytes)?;
            next = entry.id + 1;
            if entry.delivery == Delivery::Pending {
                first_waiting.get_or_insert(entry.id);
            }
            if entry.is_due(now) {
                due.push(entry);
                if due.len() == limit {
                    break;
                }
            }
        }
        Ok((due, first_waiting.unwrap_or(next)))
    }

    /// Records how an attempt to deliver entry `id` ended, and flushes. Returns false
    /// when the entry is not pending (already settled by another run): nothing changes.
    pub async fn settle_outbox(&self, id: u64, attempt: Attempt) -> Result<bool, StoreError> {
        let changed = self.record_attempt(id, attempt)?;
        self.flush().await?;
        Ok(changed)
    }

    /// As [`Store::settle_outbox`], without the flush: for a caller that settles several
    /// entries and then flushes once (a crash before that flush sends them again, under
    /// the same Message-IDs).
    pub fn record_attempt(&self, id: u64, attempt: Attempt) -> Result<bool, StoreError> {
        let key = id.to_be_bytes();
        let result = self.outbox.transaction(|outbox| {
            let Some(bytes) = outbox.get(key)? else {
                return Ok(false);
            };
            let mut entry: OutboxEntry = decode(keys::OUTBOX, &bytes)
                .map_err(sled::transaction::ConflictableTransactionError::Abort)?;
            if entry.delivery != Delivery::Pending {
                return Ok(false);
            }
            entry.attempts += 1;
            match &attempt {
                Attempt::Delivered(at) => {
                    entry.delivery = Delivery::Delivered { at: *at };
                    entry.retry_at = None;
                }
                Attempt::Deferred { error, retry_at } => {
                    entry.last_error = Some(error.clone());
                    entry.retry_at = Some(*retry_at);
                }
                Attempt::Failed(reason) => {
                    entry.last_error = Some(reason.clone());
                    entry.delivery = Delivery::Failed {
                        reason: reason.clone(),
                    };
                }
            }
            outbox.insert(&key, encode(&entry))?;
            Ok(true)
        });
        let changed = match result {
            Ok(changed) => changed,
            Err(sled::transaction::TransactionError::Abort(error)) => return Err(error),
            Err(sled::transaction::TransactionError::Storage(error)) => return Err(error.into()),
        };
        Ok(changed)
    }

    /// Queues `intent` on its own (a message owed without a change of state), and
    /// flushes.
    pub async fn enqueue(&self, intent: Intent, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let id = self
            .outbox
            .transaction(|outbox| -> TxResult<u64, std::convert::Infallible> {
                enqueue(outbox, intent.clone(), now)
            });
        let id = match super::tx::finish(id)? {
            Ok(id) => id,
            Err(never) => match never {},
        };
        self.flush().await?;
        Ok(id)
    }

    /// Outbox entry `id`, if there is one.
    pub fn outbox_entry(&self, id: u64) -> Result<Option<OutboxEntry>, StoreError> {
        self.outbox
            .get(id.to_be_bytes())?
            .map(|bytes| decode(keys::OUTBOX, &bytes))
            .transpose()
    }

    /// Every outbox entry, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox
            .iter()
            .map(|item| {
                let (_, bytes) = item?;
                decode(keys::OUTBOX, &bytes)
            })
            .collect()
    }

    /// What has not been delivered: how many mail and Google entries wait, the first
    /// `listed` of them and every failed one, oldest first. Delivered entries — the
    /// outbox keeps every entry ever made — and waiting ones beyond `listed` are
    /// told apart by their bytes, without being decoded.
    pub fn outbox_backlog(&self, listed: usize) -> Result<Backlog, StoreError> {
        let delivered = memchr::memmem::Finder::new(br#""state":"delivered""#);
        let failed = memchr::memmem::Finder::new(br#""state":"failed""#);
        let google = memchr::memmem::Finder::new(br#""intent":"mirror_to_google""#);
        let mut backlog = Backlog::default();
        for item in self.outbox.iter() {
            let (_, bytes) = item?;
            if delivered.find(&bytes).is_some() {
                continue;
            }
            if failed.find(&bytes).is_some() {
                backlog.failed.push(decode(keys::OUTBOX, &bytes)?);
                continue;
            }
            if google.find(&bytes).is_some() {
                backlog.waiting_google += 1;
            } else {
                backlog.waiting_mail += 1;
            }
            if backlog.waiting.len() < listed {
                backlog.waiting.push(decode(keys::OUTBOX, &bytes)?);
            }
        }
        Ok(backlog)
    }

    /// Puts failed entry `id` back in line, to be tried at once; then flushes. False
    /// when there is no such failed entry.
    pub async fn retry_outbox(&self, id: u64) -> Result<bool, StoreError> {
        let key = id.to_be_bytes();
        let Some(bytes) = self.outbox.get(key)? else {
            return Ok(false);
        };
        let mut entry: OutboxEntry = decode(keys::OUTBOX, &bytes)?;
        if !matches!(entry.delivery, Delivery::Failed { .. }) {
            return Ok(false);
        }
        entry.delivery = Delivery::Pending;
        entry.retry_at = None;
        let swapped = self
            .outbox
            .compare_and_swap(key, Some(bytes), Some(encode(&entry)))?;
        if swapped.is_err() {
            return Ok(false);
        }
        self.requeued.fetch_min(id, Ordering::SeqCst);
        self.flush().await?;
        Ok(true)
    }
}

/// The outbox's undelivered entries, as the dashboard shows them.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    /// Mail waiting to be sent (or tried again).
    pub waiting_mail: usize,
    /// Google writes waiting.
    pub waiting_google: usize,
    /// The first of the waiting entries, oldest first.
    pub waiting: Vec<OutboxEntry>,
    /// Every entry given up on.
    pub failed: Vec<OutboxEntry>,
}
