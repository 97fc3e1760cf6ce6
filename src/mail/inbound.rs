//! The inbound spool: a Maildir under `<data_dir>/mail/inbox`. `kairos ingest-mail`
//! (an MTA pipe) drops each message durably into `new/` — written to `tmp/`, synced,
//! renamed, and the directory synced — so a message acknowledged to the MTA survives a
//! crash, also while the server is down. The server takes messages from `new/` in
//! order; a processed one moves to `cur/`, one that could not be processed to
//! `failed/` with a `.reason` file beside it. Nothing is deleted.
//!
//! Must not know: what a message means, or the store.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

/// Largest message accepted into the spool (25 MiB, a common mail-server limit).
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

static DELIVERIES: AtomicU64 = AtomicU64::new(0);

/// Why a message was not spooled.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// It is larger than [`MAX_MESSAGE_BYTES`].
    #[error("the message is {0} bytes; the limit is {MAX_MESSAGE_BYTES}")]
    TooLarge(usize),
    /// It is empty.
    #[error("the message is empty")]
    Empty,
    /// The file system refused.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SpoolError {
    let path = path.to_path_buf();
    move |source| SpoolError::Io {
        action,
        path,
        source,
    }
}

/// The Maildir spool.
#[derive(Debug, Clone)]
pub struct Spool {
    root: PathBuf,
}

/// A message waiting in `new/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// Its unique file name (the key its outcome is recorded under).
    pub name: String,
    /// Where it is.
    pub path: PathBuf,
}

impl Spool {
    /// The spool of `data_dir`, its directories created if missing.
    pub fn open(data_dir: &Path) -> Result<Self, SpoolError> {
        let root = data_dir.join("mail").join("inbox");
        for sub in ["tmp", "new", "cur", "failed"] {
            let dir = root.join(sub);
            fs::create_dir_all(&dir).map_err(io("creating", &dir))?;
        }
        Ok(Self { root })
    }

    /// Drops `message`, received at `now`, durably into `new/`; returns its name. Only
    /// when this returns `Ok` may the message be acknowledged.
    pub fn deliver(&self, message: &[u8], now: DateTime<Utc>) -> Result<String, SpoolError> {
        if message.is_empty() {
            return Err(SpoolError::Empty);
        }
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(SpoolError::TooLarge(message.len()));
        }
        let name = unique_name(now);
        let tmp = self.root.join("tmp").join(&name);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io("creating", &tmp))?;
        file.write_all(message).map_err(io("writing", &tmp))?;
        file.sync_all().map_err(io("syncing", &tmp))?;
        drop(file);
        let new_dir = self.root.join("new");
        let new = new_dir.join(&name);
        fs::rename(&tmp, &new).map_err(io("moving into new/", &new))?;
        sync_dir(&new_dir)?;
        Ok(name)
    }

    /// The messages in `new/`, oldest first (names start with the delivery time).
    pub fn waiting(&self) -> Result<Vec<Waiting>, SpoolError> {
        let dir = self.root.join("new");
        let mut waiting: Vec<Waiting> = fs::read_dir(&dir)
            .map_err(io("reading", &dir))?
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                Some(Waiting {
                    path: entry.path(),
                    name,
                })
            })
            .collect();
        waiting.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(waiting)
    }

    /// Moves a processed message to `cur/` (marked seen, as Maildir writes it).
    pub fn processed(&self, message: &Waiting) -> Result<PathBuf, SpoolError> {
        let dir = self.root.join("cur");
        let target = dir.join(format!("{}:2,S", message.name));
        fs::rename(&message.path, &target).map_err(io("moving into cur/", &target))?;
        sync_dir(&dir)?;
        Ok(target)
    }

    /// Moves a message that could not be processed to `failed/`, with `reason` in a
    /// `.reason` file beside it.
    pub fn failed(&self, message: &Waiting, reason: &str) -> Result<PathBuf, SpoolError> {
        let dir = self.root.join("failed");
        let note = dir.join(format!("{}.reason", message.name));
        fs::write(&note, format!("{reason}\n")).map_err(io("writing", &note))?;
        let target = dir.join(&message.name);
        fs::rename(&message.path, &target).map_err(io("moving into failed/", &target))?;
        sync_dir(&dir)?;
        Ok(target)
    }

    /// The spool's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

/// `<seconds>.<micros>P<pid>Q<count>.kairos`: unique per process and delivery, sorting
/// by delivery time (Maildir's naming, without the host name it does not need).
fn unique_name(now: DateTime<Utc>) -> String {
    format!(
        "{}.{:06}P{}Q{:08}.kairos",
        now.timestamp(),
        now.timestamp_subsec_micros(),
        std::process::id(),
        DELIVERIES.fetch_add(1, Ordering::Relaxed)
    )
}

/// Makes a rename into `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(io("syncing", dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 13, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn a_delivered_message_waits_in_new_and_moves_on_once_handled() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spool = Spool::open(dir.path()).expect("opens");
        let first = spool
            .deliver(b"Subject: one\r\n\r\nbody\r\n", now())
            .expect("spooled");
        let second = spool
            .deliver(b"Subject: two\r\n\r\nbody\r\n", now())
            .expect("spooled");
        let waiting = spool.waiting().expect("lists");
        assert_eq!(
            waiting.iter().map(|w| w.name.clone()).collect::<Vec<_>>(),
            [first.clone(), second.clone()],
            "oldest first"
        );
        assert!(
            fs::read_dir(spool.root().join("tmp"))
                .expect("tmp")
                .next()
                .is_none()
        );
        let done = spool.processed(&waiting[0]).expect("moved");
        assert_eq!(
            fs::read(&done).expect("kept"),
            b"Subject: one\r\n\r\nbody\r\n"
        );
        let failed = spool
            .failed(&waiting[1], "no calendar part")
            .expect("moved");
        assert!(failed.exists());
        let reason =
            fs::read_to_string(spool.root().join("failed").join(format!("{second}.reason")))
                .expect("reason kept");
        assert_eq!(reason, "no calendar part\n");
        assert!(spool.waiting().expect("lists").is_empty());
    }

    #[test]
    fn empty_and_oversized_messages_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let spool = Spool::open(dir.path()).expect("opens");
        assert!(matches!(spool.deliver(b"", now()), Err(SpoolError::Empty)));
        let huge = vec![b'x'; MAX_MESSAGE_BYTES + 1];
        assert!(matches!(
            spool.deliver(&huge, now()),
            Err(SpoolError::TooLarge(_))
        ));
        assert!(spool.waiting().expect("lists").is_empty());
        assert!(
            fs::read_dir(spool.root().join("tmp"))
                .expect("tmp")
                .next()
                .is_none()
        );
    }
}
