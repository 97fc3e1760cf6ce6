//! The change journal of each calendar collection (RFC 6578 sync, calendarserver
//! ctag): a counter per calendar bumped inside every transaction that changes one of
//! its members, and one entry per change. Because the counter is read and written in
//! the same transaction as the change, sequence order is commit order, so a client
//! that synced up to N never misses a change numbered below N.

use serde::{Deserialize, Serialize};
use sled::transaction::TransactionalTree;

use super::tx::{TxResult, read};
use super::{Store, StoreError, decode, encode, keys};

/// One change to a member of a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Sequence number within the calendar.
    pub seq: u64,
    /// Resource name (`abc.ics`).
    pub resource: String,
    /// True when the member was removed.
    pub deleted: bool,
}

fn counter_key(calendar: &str) -> Vec<u8> {
    [b"seq\0".as_slice(), calendar.as_bytes()].concat()
}

fn change_prefix(calendar: &str) -> Vec<u8> {
    [b"chg\0".as_slice(), calendar.as_bytes(), b"\0"].concat()
}

/// Records a change inside a transaction; returns its sequence number.
pub(super) fn record<R>(
    journal: &TransactionalTree,
    calendar: &str,
    resource: &str,
    deleted: bool,
) -> TxResult<u64, R> {
    let counter = counter_key(calendar);
    let seq = read::<u64, R>(journal, keys::JOURNAL, &counter)?.unwrap_or(0) + 1;
    journal.insert(counter, encode(&seq))?;
    let change = Change {
        seq,
        resource: resource.to_string(),
        deleted,
    };
    journal.insert(
        [change_prefix(calendar), seq.to_be_bytes().to_vec()].concat(),
        encode(&change),
    )?;
    Ok(seq)
}

impl Store {
    /// The calendar's current sequence number (0 before any change): its sync token and ctag.
    pub fn calendar_seq(&self, calendar: &str) -> Result<u64, StoreError> {
        Ok(self
            .journal
            .get(counter_key(calendar))?
            .map(|bytes| decode::<u64>(keys::JOURNAL, &bytes))
            .transpose()?
            .unwrap_or(0))
    }

    /// The latest change of each member changed after `since`, by sequence; `None` when
    /// `since` is ahead of the calendar (a token this calendar never issued).
    pub fn changes_since(
        &self,
        calendar: &str,
        since: u64,
    ) -> Result<Option<Vec<Change>>, StoreError> {
        if since > self.calendar_seq(calendar)? {
            return Ok(None);
        }
        let prefix = change_prefix(calendar);
        let from = [prefix.clone(), (since + 1).to_be_bytes().to_vec()].concat();
        let to = [prefix, u64::MAX.to_be_bytes().to_vec()].concat();
        let mut latest: std::collections::HashMap<String, Change> = Default::default();
        for item in self.journal.range(from..=to) {
            let (_, bytes) = item?;
            let change: Change = decode(keys::JOURNAL, &bytes)?;
            latest.insert(change.resource.clone(), change);
        }
        let mut changes: Vec<Change> = latest.into_values().collect();
        changes.sort_by_key(|change| change.seq);
        Ok(Some(changes))
    }
}
