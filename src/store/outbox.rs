//! The durable outbox: intents committed with the state change that owes them, read
//! and marked by the delivery job.

use chrono::{DateTime, Utc};
use sled::transaction::TransactionalTree;

use super::tx::TxResult;
use super::{Store, StoreError, decode, encode, keys};
use crate::domain::{Delivery, Intent, OutboxEntry};

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
    };
    outbox.insert(&id.to_be_bytes(), encode(&entry))?;
    Ok(id)
}

impl Store {
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
}
