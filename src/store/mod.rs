//! Durable state in sled: appointments, the per-day ledger that makes double booking
//! impossible, manage tokens, clients, booking patterns and server metadata. The only
//! module that names sled; it returns domain types and decides nothing about rules —
//! callers pass the rule check into the transaction that needs it.
//!
//! Must not know: HTTP, mail, scoring, or what a rule means.

mod activity;
mod appointment_notes;
mod backup;
mod booking;
mod calendars;
mod chats;
mod clients;
mod google;
mod invitations;
mod journal;
mod keys;
mod ledger;
mod meta;
mod outbox;
mod reminders;
mod tx;

pub use appointment_notes::NoShowRefusal;
pub use backup::{BackupError, BackupSummary, ImportMode, export, import};
pub use booking::{Booked, ClientRef, Notice, PatternScope, Refusal};
pub use calendars::{Condition, Transfer, WriteRefusal, Written};
pub use google::MirrorBatch;
pub use invitations::{Hold, InboundRecord};
pub use journal::Change;
pub use outbox::Backlog;
pub use reminders::Scheduled;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What can go wrong below the domain: the disk, or data that no longer reads.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened at `path`.
    #[error("cannot open the store at {path}: {source}")]
    Open {
        /// Where.
        path: PathBuf,
        /// Why.
        source: sled::Error,
    },
    /// Another process (a running server, an export) has the store open: sled locks
    /// its directory.
    #[error(
        "the store at {path} is in use by another process (is the Kairos server running? stop it first)"
    )]
    InUse {
        /// Where.
        path: PathBuf,
    },
    /// A read or write failed.
    #[error("storage failure: {0}")]
    Io(#[from] sled::Error),
    /// A stored record no longer deserialises.
    #[error("corrupt record in {tree}: {message}")]
    Corrupt {
        /// The tree holding it.
        tree: &'static str,
        /// The decoder's complaint.
        message: String,
    },
    /// A flush could not complete.
    #[error("flushing the store failed: {0}")]
    Flush(String),
    /// The data was written by a newer schema.
    #[error("the store at {path} has schema version {found}; this Kairos reads version {expected}")]
    Schema {
        /// Where.
        path: PathBuf,
        /// What is on disk.
        found: u32,
        /// What this build reads.
        expected: u32,
    },
}

/// The store. Cheap to clone (sled handles are reference-counted).
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    appointments: sled::Tree,
    days: sled::Tree,
    tokens: sled::Tree,
    clients: sled::Tree,
    client_emails: sled::Tree,
    patterns: sled::Tree,
    calendars: sled::Tree,
    resources: sled::Tree,
    resource_uids: sled::Tree,
    journal: sled::Tree,
    outbox: sled::Tree,
    invitations: sled::Tree,
    inbound: sled::Tree,
    holds: sled::Tree,
    google: sled::Tree,
    chats: sled::Tree,
    reminders: sled::Tree,
    activity: sled::Tree,
    meta: sled::Tree,
    /// The host's zone: the ledger is kept per host-local day.
    zone: Tz,
    /// One flush at a time (see [`Store::flush`]).
    flushing: Arc<tokio::sync::Mutex<()>>,
    /// Flushes begun so far (each takes the next number).
    flushes_begun: Arc<std::sync::atomic::AtomicU64>,
    /// The number of the last flush that completed.
    flushes_done: Arc<std::sync::atomic::AtomicU64>,
    /// Told after every flush that wrote something: there are durable changes to look
    /// at (the outbox job waits on it).
    flushed: Arc<tokio::sync::Notify>,
    /// Whether every change to an appointment also queues its Google mirroring.
    google_push: Arc<std::sync::atomic::AtomicBool>,
    /// The lowest id put back in line since the outbox was last looked at (`u64::MAX`:
    /// none): the next look starts no later than it.
    requeued: Arc<std::sync::atomic::AtomicU64>,
}

/// Pages kept in memory unless configured otherwise (`storage.cache_mb`); sled's own
/// default, 1 GiB, lets a long-running server grow with its data.
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

impl Store {
    /// Opens (creating if needed) the store in `dir`. `zone` is the host's zone; when it
    /// differs from the zone the ledger was built in, the ledger is rebuilt.
    pub fn open(dir: &Path, zone: Tz) -> Result<Self, StoreError> {
        Self::open_with_cache(dir, zone, DEFAULT_CACHE_BYTES)
    }

    /// As [`Store::open`], keeping at most about `cache_bytes` of pages in memory.
    pub fn open_with_cache(dir: &Path, zone: Tz, cache_bytes: u64) -> Result<Self, StoreError> {
        let db = open_db_with_cache(dir, cache_bytes)?;
        let tree = |name: &str| db.open_tree(name);
        let store = Self {
            appointments: tree(keys::APPOINTMENTS)?,
            days: tree(keys::DAYS)?,
            tokens: tree(keys::TOKENS)?,
            clients: tree(keys::CLIENTS)?,
            client_emails: tree(keys::CLIENT_EMAILS)?,
            patterns: tree(keys::PATTERNS)?,
            calendars: tree(keys::CALENDARS)?,
            resources: tree(keys::RESOURCES)?,
            resource_uids: tree(keys::RESOURCE_UIDS)?,
            journal: tree(keys::JOURNAL)?,
            outbox: tree(keys::OUTBOX)?,
            invitations: tree(keys::INVITATIONS)?,
            inbound: tree(keys::INBOUND)?,
            holds: tree(keys::HOLDS)?,
            google: tree(keys::GOOGLE)?,
            chats: tree(keys::CHATS)?,
            reminders: tree(keys::REMINDERS)?,
            activity: tree(keys::ACTIVITY)?,
            meta: tree(keys::META)?,
            db,
            zone,
            flushing: Arc::new(tokio::sync::Mutex::new(())),
            flushes_begun: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            flushes_done: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            flushed: Arc::new(tokio::sync::Notify::new()),
            google_push: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            requeued: Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX)),
        };
        store.check_schema(dir)?;
        store.ensure_ledger_zone()?;
        store.ensure_link_key()?;
        store.ensure_token_digests()?;
        Ok(store)
    }

    /// Waits until everything written so far is on disk.
    ///
    /// sled 0.34's `flush_async` can deadlock against a concurrent transaction
    /// (spacejam/sled#1308: the flush holds a lock the log flusher waits behind). So
    /// flushes run one at a time, synchronously, on the blocking pool.
    ///
    /// Callers that wait together share one flush (group commit): a flush that began
    /// after a caller asked covers every write the caller made before asking, so when
    /// one has completed by the caller's turn, there is nothing left to do for it.
    pub async fn flush(&self) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        let asked_after = self.flushes_begun.load(SeqCst);
        let _turn = self.flushing.lock().await;
        if self.flushes_done.load(SeqCst) > asked_after {
            return Ok(());
        }
        let number = self.flushes_begun.fetch_add(1, SeqCst) + 1;
        let db = self.db.clone();
        let flushed = tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|error| StoreError::Flush(error.to_string()))?;
        let written = flushed?;
        self.flushes_done.store(number, SeqCst);
        if written > 0 {
            self.flushed.notify_waiters();
            self.flushed.notify_one();
        }
        Ok(())
    }

    /// Notified after every flush that wrote something.
    pub fn flushes(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.flushed)
    }

    /// The host zone the ledger counts days in.
    pub fn zone(&self) -> Tz {
        self.zone
    }
}

/// Opens the sled database in `dir`, telling a lock held by another process apart.
fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
    open_db_with_cache(dir, DEFAULT_CACHE_BYTES)
}

/// sled lets go of its directory lock from its background threads, a moment after the
/// last handle of an earlier open is dropped: a lock is waited for up to a second.
fn open_db_with_cache(dir: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    let mut attempts = 40;
    loop {
        match try_open_db(dir, cache_bytes) {
            Err(StoreError::InUse { .. }) if attempts > 0 => {
                attempts -= 1;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            opened => return opened,
        }
    }
}

fn try_open_db(dir: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new().path(dir).cache_capacity(cache_bytes);
    config.open().map_err(|source| {
        // sled reports its directory lock as an I/O error of kind `Other`, by message.
        let locked = matches!(&source, sled::Error::Io(error)
            if error.to_string().contains("could not acquire lock"));
        if locked {
            StoreError::InUse {
                path: dir.to_path_buf(),
            }
        } else {
            StoreError::Open {
                path: dir.to_path_buf(),
                source,
            }
        }
    })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("invariant: domain records always serialise to JSON")
}

fn decode<T: DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|error| StoreError::Corrupt {
        tree,
        message: error.to_string(),
    })
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod token_tests;
