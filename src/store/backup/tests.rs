//! Export and import through the library: exact round trips, the id generator, and
//! refusals that leave the target as it was.

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;

use super::{BackupError, DEFAULT_TREE, ImportMode, export, import};
use crate::domain::Intent;
use crate::store::{Store, StoreError, keys};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 13, 0, 0)
        .single()
        .expect("valid")
}

fn agenda(day: u32) -> Intent {
    Intent::Agenda {
        date: NaiveDate::from_ymd_opt(2026, 3, day).expect("valid"),
    }
}

/// A store with outbox entries, binary keys and values, text with NUL separators.
async fn populated(dir: &Path) {
    let store = Store::open(dir, New_York).expect("opens");
    store.enqueue(agenda(3), now()).await.expect("queued");
    store.enqueue(agenda(4), now()).await.expect("queued");
    store
        .resource_uids
        .insert(b"personal\0uid-1", b"x.ics")
        .expect("written");
    store
        .days
        .insert([0x80, 0, 1, 2], &[0xff, 0xfe, 0][..])
        .expect("written");
    store
        .meta
        .insert(
            "admin_password_hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        )
        .expect("written");
    store.flush().await.expect("flushed");
}

fn exported(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    export(dir, &mut out).expect("exports");
    out
}

#[test]
fn a_fresh_store_has_exactly_the_trees_a_backup_knows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let mut found: Vec<String> = store
        .db
        .tree_names()
        .iter()
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    found.sort();
    let mut expected: Vec<String> = keys::ALL.iter().map(|name| name.to_string()).collect();
    expected.push(DEFAULT_TREE.into());
    expected.sort();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn export_of_an_import_of_an_export_is_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("a"), dir.path().join("b"));
    populated(&source).await;
    let first = exported(&source);
    let summary = import(&target, &first, ImportMode::IntoEmpty).expect("imports");
    assert_eq!(summary.trees, keys::ALL.len());
    let second = exported(&target);
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
    let text = String::from_utf8(first).expect("UTF-8");
    assert!(text.contains(r#""key": "personal\u0000uid-1""#), "{text}");
    assert!(text.contains(r#""key_base64": "gAABAg==""#), "{text}");
    let store = Store::open(&target, New_York).expect("opens");
    assert_eq!(store.outbox().expect("reads").len(), 2);
}

#[tokio::test]
async fn ids_handed_out_after_an_import_come_after_every_imported_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("a"), dir.path().join("b"));
    populated(&source).await;
    // Every reopening moves sled's generator on by millions.
    for day in 5..8 {
        let store = Store::open(&source, New_York).expect("opens");
        store.enqueue(agenda(day), now()).await.expect("queued");
    }
    let imported = {
        let store = Store::open(&source, New_York).expect("opens");
        store.outbox().expect("reads")
    };
    let highest = imported
        .iter()
        .map(|entry| entry.id)
        .max()
        .expect("entries");
    assert!(highest > 4_000_000, "{highest}");
    import(&target, &exported(&source), ImportMode::IntoEmpty).expect("imports");

    let mut last = highest;
    for day in 9..12 {
        // Reopened as the server does, again and again.
        let store = Store::open(&target, New_York).expect("opens");
        let new = store.enqueue(agenda(day), now()).await.expect("queued");
        assert!(new > last, "{new} > {last}");
        last = new;
    }
    let store = Store::open(&target, New_York).expect("opens");
    let after = store.outbox().expect("reads");
    assert_eq!(after.len(), imported.len() + 3);
    assert_eq!(&after[..imported.len()], &imported[..]);
}

#[tokio::test]
async fn an_import_over_a_store_with_records_is_refused_unless_replacing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("a"), dir.path().join("b"));
    populated(&source).await;
    {
        let store = Store::open(&target, New_York).expect("opens");
        store.enqueue(agenda(20), now()).await.expect("queued");
    }
    let before = exported(&target);
    let backup = exported(&source);
    let refused = import(&target, &backup, ImportMode::IntoEmpty).expect_err("refused");
    assert!(matches!(refused, BackupError::NotEmpty { records, .. } if records > 0));
    assert_eq!(exported(&target), before);

    import(&target, &backup, ImportMode::Replace).expect("replaces");
    assert_eq!(exported(&target), backup);
    assert!(!dir.path().join("b.replaced").exists());
    assert!(!dir.path().join("b.importing").exists());
}

#[tokio::test]
async fn a_bad_backup_is_refused_with_its_place_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("a"), dir.path().join("b"));
    populated(&source).await;
    let good = String::from_utf8(exported(&source)).expect("UTF-8");
    import(&target, good.as_bytes(), ImportMode::IntoEmpty).expect("imports");
    let before = exported(&target);
    let truncated = &good[..good.len() / 2];
    let cases: Vec<(String, &str)> = vec![
        (truncated.to_string(), "not valid JSON at line"),
        (
            good.replace(r#""version": 1"#, r#""version": 2"#),
            "backup version 2",
        ),
        (
            good.replace("kairos-backup", "other"),
            "\"format\" is \"other\"",
        ),
        ("[1, 2]".into(), "not a Kairos backup"),
        (
            good.replace(r#""name": "holds""#, r#""name": "hold""#),
            "unknown tree \"hold\"",
        ),
        (
            good.replace(r#""name": "holds""#, r#""name": "days""#),
            "appears twice",
        ),
        (
            good.replacen(r#""key": "#, r#""kee": "#, 1),
            "entries[0].kee: unknown field `kee`",
        ),
        (
            good.replace(r#""key_base64": "gAABAg==""#, r#""key_base64": "g!""#),
            "not base64",
        ),
        (
            good.replace(r#""text": "1""#, r#""text": "2""#),
            "schema is 2",
        ),
        (
            good.replacen(r#""json": {"#, r#""json": {"id": 3, "#, 1),
            "tree \"outbox\", entry 0: not an outbox entry",
        ),
    ];
    for (document, complaint) in cases {
        for mode in [ImportMode::IntoEmpty, ImportMode::Replace] {
            let error = import(&target, document.as_bytes(), mode).expect_err(complaint);
            assert!(
                error.to_string().contains(complaint),
                "{complaint}: {error}"
            );
        }
        assert_eq!(exported(&target), before, "{complaint}");
        assert!(!dir.path().join("b.importing").exists());
    }
}

#[tokio::test]
async fn a_store_in_use_is_neither_exported_nor_imported_into() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (source, target) = (dir.path().join("a"), dir.path().join("b"));
    populated(&source).await;
    let backup = exported(&source);
    let _open = Store::open(&source, New_York).expect("opens");
    let in_use = |error: BackupError| matches!(error, BackupError::Store(StoreError::InUse { .. }));
    assert!(in_use(
        export(&source, &mut Vec::new()).expect_err("in use")
    ));
    assert!(in_use(
        import(&source, &backup, ImportMode::Replace).expect_err("in use")
    ));
    let missing = export(&target, &mut Vec::new()).expect_err("nothing there");
    assert!(matches!(missing, BackupError::NoStore { .. }));
    assert!(!target.exists(), "an export creates nothing");
}
