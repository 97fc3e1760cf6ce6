//! Real peers against a real server: python-caldav (PyPI) as a CalDAV client, and
//! litmus (Debian) as a WebDAV conformance run. Both need programs a fresh machine
//! lacks, so both are ignored here; `.ci/run` installs them and runs `--ignored`.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::process::Command;

use crate::support::{ADMIN_PASSWORD, TestServer};

/// How long one peer may run before the test gives up on it.
const PEER_TIMEOUT: Duration = Duration::from_secs(120);

/// The calendar home: litmus makes its `litmus/` collection here.
const HOME: &str = "/dav/calendars/domina/";

/// The sections litmus runs by default, in order.
const LITMUS_SECTIONS: [&str; 5] = ["basic", "copymove", "props", "locks", "http"];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `command` to completion within [`PEER_TIMEOUT`], killing it past that.
async fn run(mut command: Command, what: &str) -> Output {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let finished = tokio::time::timeout(PEER_TIMEOUT, command.output()).await;
    let Ok(started) = finished else {
        panic!("{what} did not finish within {PEER_TIMEOUT:?}");
    };
    started.unwrap_or_else(|error| panic!("{what} could not be started: {error}"))
}

fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `$KAIROS_PYTHON` (default `python3`), checked to import `caldav`.
async fn python_with_caldav() -> String {
    let python = std::env::var("KAIROS_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let mut probe = Command::new(&python);
    probe
        .current_dir(manifest_dir())
        .args(["-c", "import caldav; print(caldav.__version__)"]);
    let output = run(probe, &format!("{python} (KAIROS_PYTHON)")).await;
    assert!(
        output.status.success(),
        "{python} (KAIROS_PYTHON) cannot import the caldav package; install it with \
         `pip install -r tests/peers/requirements.txt` or run .ci/run\n{}",
        transcript(&output)
    );
    python
}

#[tokio::test]
#[ignore = "needs python3 with the caldav package (KAIROS_PYTHON); .ci/run provides it"]
async fn python_caldav_discovers_creates_queries_syncs_and_deletes() {
    let python = python_with_caldav().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let url = format!("{}/dav/", server.base);
    let mut client = Command::new(&python);
    client
        .current_dir(manifest_dir())
        .arg(manifest_dir().join("tests/peers/caldav_client.py"))
        .args([url.as_str(), "domina", ADMIN_PASSWORD]);
    let output = run(client, "tests/peers/caldav_client.py").await;
    assert!(
        output.status.success(),
        "python-caldav against {url} failed\n{}",
        transcript(&output)
    );
    println!("{}", String::from_utf8_lossy(&output.stdout));
}

/// One `<- summary for `NAME': of N tests run: P passed, F failed.` line of litmus,
/// with the skip count it announced just before.
#[derive(Debug, PartialEq, Eq)]
struct Section {
    name: String,
    run: u32,
    passed: u32,
    failed: u32,
    skipped: u32,
}

fn number_before(text: &str, word: &str) -> Option<u32> {
    let (head, _) = text.split_once(word)?;
    head.split_whitespace().last()?.parse().ok()
}

/// The per-section summaries of a litmus run, in order.
fn litmus_sections(output: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut skipped = 0;
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with("-> ") && line.ends_with("skipped.") {
            skipped = number_before(line, " test").unwrap_or(0);
        }
        let Some(rest) = line.strip_prefix("<- summary for `") else {
            continue;
        };
        let Some((name, counts)) = rest.split_once('\'') else {
            continue;
        };
        let parsed = (
            number_before(counts, " tests run"),
            number_before(counts, " passed"),
            number_before(counts, " failed"),
        );
        if let (Some(run), Some(passed), Some(failed)) = parsed {
            sections.push(Section {
                name: name.to_string(),
                run,
                passed,
                failed,
                skipped,
            });
        }
        skipped = 0;
    }
    sections
}

#[test]
fn litmus_summaries_are_parsed_with_their_skips() {
    let output = "-> running `basic':\n 0. init.... pass\n-> 4 tests were skipped.\n\
        <- summary for `basic': of 12 tests run: 7 passed, 5 failed. 58.3%\n\
        -> 3 warnings were issued.\n-> running `http':\n\
        <- summary for `http': of 4 tests run: 4 passed, 0 failed. 100.0%\n";
    let section = |name: &str, run, passed, failed, skipped| Section {
        name: name.to_string(),
        run,
        passed,
        failed,
        skipped,
    };
    assert_eq!(
        litmus_sections(output),
        vec![section("basic", 12, 7, 5, 4), section("http", 4, 4, 0, 0)]
    );
}

#[tokio::test]
#[ignore = "needs litmus (Debian package litmus); .ci/run provides it"]
async fn litmus_runs_every_section_against_the_calendar_home() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let url = format!("{}{HOME}", server.base);
    // litmus writes debug.log (the whole wire) and child.log into its working directory.
    let logs = tempfile::tempdir().expect("temp dir");
    let mut litmus = Command::new("litmus");
    litmus
        .current_dir(logs.path())
        .args(["-k", url.as_str(), "domina", ADMIN_PASSWORD]);
    let output = run(litmus, "litmus (apt-get install litmus)").await;
    let text = String::from_utf8_lossy(&output.stdout);
    let sections = litmus_sections(&text);
    let names: Vec<&str> = sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        LITMUS_SECTIONS,
        "litmus did not report every section\n{}",
        transcript(&output)
    );
    // A measurement for now: the counts are printed, not asserted.
    println!("litmus against {url} ({}):", output.status);
    for s in &sections {
        println!(
            "  {:<9} {:>2} run: {:>2} passed, {:>2} failed, {:>2} skipped",
            s.name, s.run, s.passed, s.failed, s.skipped
        );
    }
    for line in text.lines().filter(|line| line.contains("FAIL")) {
        println!("  {}", line.trim());
    }
}
