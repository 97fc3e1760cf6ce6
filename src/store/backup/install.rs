//! Putting an imported store in place: the target checked (not in use, empty unless
//! replacing), the new store written beside it with sled's id generator raised past the
//! imported ids, then renamed into place.
//!
//! Must not know: the backup file's shape.

use std::path::{Path, PathBuf};

use super::{BackupError, ImportMode, Records};
use crate::store::{StoreError, keys};

/// sled 0.34's id persist interval, which [`crate::store::Store::open`] keeps.
const SLED_ID_INTERVAL: u64 = 1_000_000;

/// Refuses a target that holds records (unless replacing) or is in use.
pub(super) fn check_target(dir: &Path, mode: ImportMode) -> Result<(), BackupError> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.join("db").is_file() {
        let empty = std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        return if empty {
            Ok(())
        } else {
            Err(BackupError::Foreign {
                path: dir.to_path_buf(),
            })
        };
    }
    let db = crate::store::open_db(dir)?;
    let mut records = 0;
    for name in db.tree_names() {
        records += db.open_tree(name).map_err(StoreError::from)?.len();
    }
    drop(db);
    if records > 0 && mode == ImportMode::IntoEmpty {
        return Err(BackupError::NotEmpty {
            path: dir.to_path_buf(),
            records,
        });
    }
    Ok(())
}

/// Writes `trees` into a new store at `path`, durably, its id generator raised past
/// the ids in the records.
pub(super) fn write_store(path: &Path, trees: &[(String, Records)]) -> Result<(), BackupError> {
    let opened = |config: sled::Config| {
        config.open().map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })
    };
    let db = opened(sled::Config::new().path(path).create_new(true))?;
    for (name, records) in trees {
        let tree = db.open_tree(name).map_err(StoreError::from)?;
        let mut batch = sled::Batch::default();
        for (key, value) in records {
            batch.insert(key.as_slice(), value.as_slice());
        }
        tree.apply_batch(batch).map_err(StoreError::from)?;
    }
    db.flush().map_err(StoreError::from)?;
    drop(db);
    let floor = id_floor(trees);
    if floor > 0 {
        // sled restores its generator at the last persisted value plus twice the persist
        // interval, and persists (durably) when an id reaches a multiple of it. Opened
        // with an interval that is a multiple of the usual one, its first id is twice
        // that interval — at least the floor — and is persisted; the persisted value
        // stays a multiple of the usual interval, as sled expects when the store is
        // opened the usual way, and every later open starts above it.
        let interval = SLED_ID_INTERVAL * floor.div_ceil(2 * SLED_ID_INTERVAL);
        let db = opened(
            sled::Config::new()
                .path(path)
                .idgen_persist_interval(interval),
        )?;
        let first = db.generate_id().map_err(StoreError::from)?;
        if first < floor {
            // Not installed: new outbox entries would overwrite imported ones.
            return Err(BackupError::Store(StoreError::Corrupt {
                tree: keys::OUTBOX,
                message: format!("ids would restart at {first}, below the imported {floor}"),
            }));
        }
        db.flush().map_err(StoreError::from)?;
    }
    Ok(())
}

/// One more than the largest id sled handed out that the records keep: outbox keys are
/// ids, activity keys end with one.
fn id_floor(trees: &[(String, Records)]) -> u64 {
    let last_u64 = |key: &[u8]| {
        key.len()
            .checked_sub(8)
            .and_then(|start| key[start..].try_into().ok())
            .map(u64::from_be_bytes)
    };
    trees
        .iter()
        .filter(|(name, _)| name == keys::OUTBOX || name == keys::ACTIVITY)
        .flat_map(|(_, records)| records)
        .filter_map(|(key, _)| last_u64(key))
        .map(|id| id.saturating_add(1))
        .max()
        .unwrap_or(0)
}

/// Renames `staging` to `dir`, the store there (if any) moved aside first and removed
/// after.
pub(super) fn install(staging: &Path, dir: &Path) -> Result<(), BackupError> {
    let failed = |source| BackupError::Install {
        path: dir.to_path_buf(),
        source,
    };
    let replaced = beside(dir, "replaced");
    remove_leftover(&replaced)?;
    let had_store = dir.exists();
    if had_store {
        std::fs::rename(dir, &replaced).map_err(failed)?;
    }
    if let Err(error) = std::fs::rename(staging, dir) {
        if had_store {
            let _ = std::fs::rename(&replaced, dir);
        }
        return Err(failed(error));
    }
    if let Some(parent) = dir.parent() {
        // Make the renames durable.
        let _ = std::fs::File::open(parent).and_then(|parent| parent.sync_all());
    }
    if had_store {
        std::fs::remove_dir_all(&replaced).map_err(failed)?;
    }
    Ok(())
}

/// `dir` with `.suffix` added to its name, in the same directory (so a rename works).
pub(super) fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

/// Removes what an interrupted import left at `path`.
pub(super) fn remove_leftover(path: &Path) -> Result<(), BackupError> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|source| BackupError::Install {
            path: path.to_path_buf(),
            source,
        })?;
    } else if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| BackupError::Install {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}
