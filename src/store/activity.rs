//! The activity log behind the host's dashboard: one entry per thing that happened,
//! keyed by its moment (microseconds since 1970, big-endian) and a unique suffix, so a
//! range of time is one ordered scan. Changes to appointments log theirs inside their
//! own transaction; the rest is logged as it happens, without waiting for the disk.

use chrono::{DateTime, Utc};
use sled::transaction::TransactionalTree;

use super::tx::TxResult;
use super::{Store, StoreError, decode, encode, keys};
use crate::domain::{Activity, Recorded};

fn moment(at: DateTime<Utc>) -> [u8; 8] {
    // Shifted so instants before 1970 still sort first.
    (at.timestamp_micros() as u64 ^ (1 << 63)).to_be_bytes()
}

fn key(at: DateTime<Utc>, unique: u64) -> Vec<u8> {
    [moment(at), unique.to_be_bytes()].concat()
}

/// Logs `activity` at `at` inside a transaction.
pub(super) fn log<R>(
    tree: &TransactionalTree,
    at: DateTime<Utc>,
    activity: Activity,
) -> TxResult<(), R> {
    let unique = tree.generate_id()?;
    tree.insert(key(at, unique), encode(&Recorded { at, activity }))?;
    Ok(())
}

impl Store {
    /// Logs `activity` at `at`.
    pub fn log_activity(&self, at: DateTime<Utc>, activity: Activity) -> Result<(), StoreError> {
        let unique = self.db.generate_id()?;
        self.activity
            .insert(key(at, unique), encode(&Recorded { at, activity }))?;
        Ok(())
    }

    /// Everything logged from `from` on, oldest first.
    pub fn activity_since(&self, from: DateTime<Utc>) -> Result<Vec<Recorded>, StoreError> {
        let mut recorded = Vec::new();
        for item in self.activity.range(moment(from).to_vec()..) {
            let (_, bytes) = item?;
            recorded.push(decode(keys::ACTIVITY, &bytes)?);
        }
        Ok(recorded)
    }
}
