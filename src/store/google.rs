//! The mirror of the host's Google calendars: the busy interval of each event that
//! makes her busy (never its title), and each calendar's sync token, written together
//! so a crash never leaves a token ahead of the events it stands for.

use sled::Transactional;

use super::tx::{TxResult, finish};
use super::{Store, StoreError, decode, encode, keys};
use crate::domain::Interval;

const SYNC: &[u8] = b"\0sync\0";

fn event_key(calendar: &str, id: &str) -> Vec<u8> {
    let mut key = calendar.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(id.as_bytes());
    key
}

fn sync_key(calendar: &str) -> Vec<u8> {
    let mut key = SYNC.to_vec();
    key.extend_from_slice(calendar.as_bytes());
    key
}

/// A batch of a calendar's changes, as pulled.
#[derive(Debug, Clone, Default)]
pub struct MirrorBatch {
    /// A full listing: what is not in it is gone.
    pub full: bool,
    /// Each event's id with its busy interval, or `None` when it takes no time (or is
    /// gone).
    pub events: Vec<(String, Option<Interval>)>,
    /// The token for the next incremental pull.
    pub sync_token: Option<String>,
}

impl Store {
    /// The sync token last stored for `calendar`.
    pub fn google_sync_token(&self, calendar: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .google
            .get(sync_key(calendar))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Applies `batch` to `calendar`'s mirror and stores its sync token, in one
    /// transaction; then flushes.
    pub async fn mirror_google(
        &self,
        calendar: &str,
        batch: &MirrorBatch,
    ) -> Result<(), StoreError> {
        let stale: Vec<Vec<u8>> = if batch.full {
            let mut prefix = calendar.as_bytes().to_vec();
            prefix.push(0);
            self.google
                .scan_prefix(&prefix)
                .keys()
                .map(|key| key.map(|key| key.to_vec()))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        let result = (&self.google,).transaction(|(google,)| -> TxResult<(), ()> {
            for key in &stale {
                google.remove(key.as_slice())?;
            }
            for (id, busy) in &batch.events {
                let key = event_key(calendar, id);
                match busy {
                    Some(interval) => {
                        google.insert(key, encode(interval))?;
                    }
                    None => {
                        google.remove(key)?;
                    }
                }
            }
            match &batch.sync_token {
                Some(token) => {
                    google.insert(sync_key(calendar), token.as_bytes())?;
                }
                None => {
                    google.remove(sync_key(calendar))?;
                }
            }
            Ok(())
        });
        let _: Result<(), ()> = finish(result)?;
        self.flush().await
    }

    /// Every busy interval mirrored from Google, in no particular order.
    pub fn google_busy(&self) -> Result<Vec<Interval>, StoreError> {
        let mut busy = Vec::new();
        for item in self.google.iter() {
            let (key, bytes) = item?;
            if key.starts_with(SYNC) {
                continue;
            }
            busy.push(decode(keys::GOOGLE, &bytes)?);
        }
        Ok(busy)
    }
}
