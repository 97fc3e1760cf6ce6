//! DESIGN §3 enforced: the pure modules use no I/O, async or clock; only `store` names
//! sled; only the HTTP adapters name hyper.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Code lines (comments dropped) of every file under `src/<module>` (dir or .rs file).
fn module_lines(module: &str) -> Vec<(PathBuf, usize, String)> {
    let dir = src().join(module);
    let mut files = rust_files(&dir);
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut lines = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable source");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("").to_string();
            lines.push((path.clone(), number + 1, code));
        }
    }
    lines
}

const PURE: &[&str] = &["domain", "slots", "learn", "nlp", "ical", "itip"];

#[test]
fn pure_modules_do_no_io_no_async_and_never_read_the_clock() {
    let forbidden = [
        "tokio",
        "hyper",
        "sled",
        "askama",
        "lettre",
        "mail_parser",
        "async_imap",
        "reqwest",
        "google_calendar3",
        "std::fs",
        "std::net",
        "async fn",
        ".await",
        "Utc::now",
        "Local::now",
        "SystemTime::now",
        "Instant::now",
        "crate::store",
        "crate::service",
        "crate::http",
        "crate::web",
    ];
    let mut violations = Vec::new();
    for module in PURE {
        for (path, number, code) in module_lines(module) {
            let is_clock = path.ends_with("domain/time.rs");
            for word in forbidden {
                let clock_word = word.ends_with("::now");
                if code.contains(word) && !(is_clock && clock_word && word == "Utc::now") {
                    violations.push(format!("{}:{number}: `{word}`", path.display()));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "pure modules must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn pure_modules_exist_where_the_map_says() {
    for module in ["domain", "slots", "learn"] {
        assert!(!module_lines(module).is_empty(), "src/{module} is missing");
    }
}

fn modules_naming(word: &str) -> Vec<String> {
    let mut found: Vec<String> = rust_files(&src())
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("readable source");
            // What a module's own unit tests use (checking its output) is not what
            // the module depends on.
            let shipped = text.split("#[cfg(test)]").next().unwrap_or("");
            shipped
                .lines()
                .any(|line| line.split("//").next().unwrap_or("").contains(word))
        })
        .map(|path| {
            let relative = path
                .strip_prefix(src())
                .expect("under src")
                .to_string_lossy()
                .to_string();
            relative
                .split('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn only_the_store_names_sled() {
    assert_eq!(modules_naming("sled::"), ["store"]);
}

#[test]
fn only_the_http_adapters_name_hyper() {
    // `google` too, but only its client: google-calendar3 takes a hyper client
    // (DESIGN §3 rule 4: network I/O in google::client).
    let allowed = ["http", "routes", "web", "dav", "google"];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/google");
    for file in ["mod.rs", "model.rs"] {
        let text = std::fs::read_to_string(src.join(file)).expect("readable");
        assert!(!text.contains("hyper"), "google/{file} names hyper");
    }
    let offenders: Vec<String> = modules_naming("hyper")
        .into_iter()
        .filter(|m| !allowed.contains(&m.as_str()))
        .collect();
    assert!(
        offenders.is_empty(),
        "hyper named outside the adapters: {offenders:?}"
    );
}

#[test]
fn only_ical_names_the_icalendar_crate() {
    assert_eq!(modules_naming("icalendar::"), ["ical"]);
}

#[test]
fn only_dav_names_quick_xml() {
    assert_eq!(modules_naming("quick_xml::"), ["dav"]);
}

#[test]
fn only_mail_names_the_mail_crates_and_only_mail_and_web_render_templates() {
    assert_eq!(modules_naming("lettre::"), ["mail"]);
    assert_eq!(modules_naming("async_imap::"), ["mail"]);
    assert_eq!(modules_naming("askama::"), ["mail", "web"]);
}

#[test]
fn only_the_jobs_and_the_composition_root_move_mail() {
    // The use cases queue mail in the outbox; sending it and reading the spool is
    // the jobs' business (DESIGN §3 rule 4).
    for (word, allowed) in [
        ("mail::smtp", &["app", "jobs", "mail"][..]),
        ("mail::inbound", &["app", "jobs", "mail", "main"][..]),
        ("mail::imap", &["app", "jobs", "mail"][..]),
        ("google::client", &["app", "jobs", "google"][..]),
    ] {
        let offenders: Vec<String> = modules_naming(word)
            .into_iter()
            .filter(|m| !allowed.contains(&m.as_str()))
            .collect();
        assert!(offenders.is_empty(), "{word} named in {offenders:?}");
    }
}
