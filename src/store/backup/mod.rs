//! Backups of the whole store as one JSON document (`kairos export`, `kairos import`):
//! every tree sled holds, every record's key and value byte for byte (the file's shape
//! is in [`document`]).
//!
//! Consistency: both work on a store no server has open. sled locks its directory, so
//! while a server runs, opening the store here fails at once ([`StoreError::InUse`]);
//! with the lock held and nothing else writing in this process, the trees are read at
//! one state — a consistent snapshot without needing a sled transaction over 19 trees.
//!
//! Import is all or nothing: the whole file is read and checked first (format, version,
//! tree names, entries, the records Kairos decodes, the schema), then the store is
//! built in `<store>.importing` beside the target and moved into place by renaming, so
//! a failure at any point leaves the target as it was.
//!
//! sled's id generator (outbox ids, activity log keys) lives outside the trees: an
//! imported store has it raised past every id in the records, so no new outbox entry
//! ever takes the key of an imported one.
//!
//! Must not know: the command line, HTTP, or what the records mean beyond decoding them.

mod document;
mod install;

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{StoreError, keys};
use crate::domain::{
    Appointment, Calendar, CalendarResource, ChatSession, Client, OutboxEntry, Recorded,
};
use document::{Document, EntryDump, FORMAT, Header, TreeDump, VERSION};
use install::{beside, check_target, install, remove_leftover, write_store};

/// sled's own tree, which every database has; exported only when something is in it.
const DEFAULT_TREE: &str = "__sled__default";

/// Whether an import may overwrite a store that already holds records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Only into a missing or empty store.
    IntoEmpty,
    /// Whatever is there is replaced.
    Replace,
}

/// How much a backup held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Trees.
    pub trees: usize,
    /// Records over all trees.
    pub records: usize,
}

/// Why an export or import did not happen. An import that fails changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Opening or reading a store failed (including: another process has it open).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is nothing to export.
    #[error("there is no store at {path}")]
    NoStore {
        /// Where one was looked for.
        path: PathBuf,
    },
    /// The target of an import holds records and replacing was not asked for.
    #[error("the store at {path} already holds {records} records; nothing was changed")]
    NotEmpty {
        /// The target.
        path: PathBuf,
        /// How many.
        records: usize,
    },
    /// The target of an import is a directory with other things in it.
    #[error("{path} is not empty and holds no Kairos store; nothing was changed")]
    Foreign {
        /// The target.
        path: PathBuf,
    },
    /// Writing the export failed.
    #[error("writing the backup: {0}")]
    Write(std::io::Error),
    /// The file is not JSON (or ends early).
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based.
        line: usize,
        /// 1-based.
        column: usize,
        /// The parser's complaint.
        message: String,
    },
    /// JSON, but not a Kairos backup.
    #[error("not a Kairos backup: {0}")]
    NotABackup(String),
    /// A backup of a shape this build does not read.
    #[error("backup version {found} cannot be read (this Kairos reads version {VERSION})")]
    Version {
        /// What the file says.
        found: String,
    },
    /// A field of the wrong type, missing or unknown.
    #[error("at {at}: {message}")]
    Shape {
        /// Path of the field, like `trees[3].entries[5].base64`.
        at: String,
        /// What is wrong, with its line and column.
        message: String,
    },
    /// A tree Kairos does not keep.
    #[error("unknown tree {name:?} (a backup from a newer Kairos?); known: {}", keys::ALL.join(", "))]
    UnknownTree {
        /// Its name.
        name: String,
    },
    /// The same tree twice.
    #[error("tree {name:?} appears twice")]
    DuplicateTree {
        /// Its name.
        name: String,
    },
    /// A record that cannot be stored as it is.
    #[error("tree {tree:?}, entry {index}: {message}")]
    Entry {
        /// The tree.
        tree: String,
        /// 0-based position in the tree's `entries`.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The records are of another store schema.
    #[error("the backup's store schema is {found}; this Kairos reads schema {expected}")]
    Schema {
        /// What the backup's `meta` says.
        found: String,
        /// What this build reads.
        expected: u32,
    },
    /// Moving the imported store into place failed (the target is as it was).
    #[error("putting the imported store in place at {path}: {source}")]
    Install {
        /// The target.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// One tree's records, key order.
type Records = Vec<(Vec<u8>, Vec<u8>)>;

/// Writes every tree of the store in `dir` to `out` as one JSON document.
pub fn export(dir: &Path, out: &mut dyn Write) -> Result<BackupSummary, BackupError> {
    if !dir.join("db").is_file() {
        return Err(BackupError::NoStore {
            path: dir.to_path_buf(),
        });
    }
    let db = super::open_db(dir)?;
    let mut names: Vec<_> = db.tree_names().into_iter().collect();
    names.sort_by_key(|name| {
        let position = keys::ALL
            .iter()
            .position(|known| known.as_bytes() == &name[..]);
        (position.unwrap_or(keys::ALL.len()), name.to_vec())
    });
    let mut trees = Vec::new();
    let mut records = 0;
    for name in names {
        let tree = db.open_tree(&name).map_err(StoreError::from)?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| StoreError::Corrupt {
            tree: "(tree names)",
            message: "a tree name is not UTF-8".into(),
        })?;
        let mut entries = Vec::new();
        for item in tree.iter() {
            let (key, value) = item.map_err(StoreError::from)?;
            entries.push(EntryDump::new(&key, &value));
        }
        if name == DEFAULT_TREE && entries.is_empty() {
            continue;
        }
        records += entries.len();
        trees.push(TreeDump { name, entries });
    }
    drop(db);
    let summary = BackupSummary {
        trees: trees.len(),
        records,
    };
    let document = Document {
        format: FORMAT.into(),
        version: VERSION,
        trees,
    };
    serde_json::to_writer_pretty(&mut *out, &document)
        .map_err(|error| BackupError::Write(error.into()))?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(BackupError::Write)?;
    Ok(summary)
}

/// Makes the store in `dir` hold exactly what `document` (an export) holds. Checks the
/// whole document before writing anything; refuses a store with records unless `mode`
/// is [`ImportMode::Replace`].
pub fn import(dir: &Path, document: &[u8], mode: ImportMode) -> Result<BackupSummary, BackupError> {
    let trees = read_document(document)?;
    check_target(dir, mode)?;
    let staging = beside(dir, "importing");
    remove_leftover(&staging)?;
    write_store(&staging, &trees)?;
    install(&staging, dir)?;
    Ok(BackupSummary {
        trees: trees.len(),
        records: trees.iter().map(|(_, records)| records.len()).sum(),
    })
}

/// The trees of `document`, checked.
fn read_document(document: &[u8]) -> Result<Vec<(String, Records)>, BackupError> {
    let header: Header =
        serde_json::from_slice(document).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => BackupError::NotABackup(
                "the document is not an object with \"format\" and \"version\"".into(),
            ),
            _ => BackupError::Syntax {
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            },
        })?;
    match header.format.as_deref() {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(BackupError::NotABackup(format!(
                "\"format\" is {other:?}, not {FORMAT:?}"
            )));
        }
        None => return Err(BackupError::NotABackup("it has no \"format\"".into())),
    }
    match header.version {
        Some(version) if version == serde_json::json!(VERSION) => {}
        Some(found) => {
            return Err(BackupError::Version {
                found: found.to_string(),
            });
        }
        None => return Err(BackupError::NotABackup("it has no \"version\"".into())),
    }
    let mut deserializer = serde_json::Deserializer::from_slice(document);
    let parsed: Document =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            BackupError::Shape {
                at: error.path().to_string(),
                message: error.into_inner().to_string(),
            }
        })?;
    let mut seen = HashSet::new();
    let mut trees = Vec::new();
    for tree in parsed.trees {
        if !keys::ALL.contains(&tree.name.as_str()) && tree.name != DEFAULT_TREE {
            return Err(BackupError::UnknownTree { name: tree.name });
        }
        if !seen.insert(tree.name.clone()) {
            return Err(BackupError::DuplicateTree { name: tree.name });
        }
        let records = read_records(&tree.name, tree.entries)?;
        trees.push((tree.name, records));
    }
    check_schema(&trees)?;
    Ok(trees)
}

fn read_records(tree: &str, entries: Vec<EntryDump>) -> Result<Records, BackupError> {
    let mut keys_seen = BTreeSet::new();
    let mut records = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let wrong = |message: String| BackupError::Entry {
            tree: tree.to_string(),
            index,
            message,
        };
        let (key, value) = entry
            .into_record()
            .map_err(|message| wrong(message.into()))?;
        check_value(tree, &value).map_err(wrong)?;
        if !keys_seen.insert(key.clone()) {
            return Err(wrong("its key appears earlier in the tree".into()));
        }
        records.push((key, value));
    }
    Ok(records)
}

/// Records Kairos reads as one type must decode as it, as the store would read them.
fn check_value(tree: &str, value: &[u8]) -> Result<(), String> {
    fn decodes<T: DeserializeOwned>(what: &str, value: &[u8]) -> Result<(), String> {
        serde_json::from_slice::<T>(value)
            .map(drop)
            .map_err(|error| format!("not {what}: {error}"))
    }
    match tree {
        keys::APPOINTMENTS => decodes::<Appointment>("an appointment", value),
        keys::CLIENTS => decodes::<Client>("a client", value),
        keys::CALENDARS => decodes::<Calendar>("a calendar", value),
        keys::RESOURCES => decodes::<CalendarResource>("a calendar resource", value),
        keys::OUTBOX => decodes::<OutboxEntry>("an outbox entry", value),
        keys::ACTIVITY => decodes::<Recorded>("an activity record", value),
        keys::CHATS => decodes::<ChatSession>("a chat session", value),
        _ => Ok(()),
    }
}

fn check_schema(trees: &[(String, Records)]) -> Result<(), BackupError> {
    let found = trees
        .iter()
        .filter(|(name, _)| name == keys::META)
        .flat_map(|(_, records)| records)
        .find(|(key, _)| key == keys::SCHEMA_VERSION.as_bytes())
        .map(|(_, value)| String::from_utf8_lossy(value).into_owned());
    match found {
        Some(found) if found == super::meta::SCHEMA.to_string() => Ok(()),
        Some(found) => Err(BackupError::Schema {
            found,
            expected: super::meta::SCHEMA,
        }),
        None => Err(BackupError::NotABackup(
            "its \"meta\" tree has no schema_version".into(),
        )),
    }
}

#[cfg(test)]
mod tests;
