//! `kairos parse-time`: JSON Lines in, one answer per line out, with no configuration
//! or data directory (it runs from an empty directory with a bogus config path).

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn parse_time_answers_each_line_without_configuration() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kairos"))
        .arg("parse-time")
        .current_dir(empty.path())
        .env("KAIROS_DATA_DIR", empty.path().join("missing"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kairos starts");
    let requests = [
        r#"{"id":"1","text":"tmrw at 3 works","ref":"2026-03-04T10:15:00","tz":"Europe/Berlin"}"#,
        r#"{"id":"2","text":"the second one please","ref":"2026-03-04T10:15:00","tz":"-02:00","options":["2026-03-05T14:00:00","2026-03-06T10:00:00"]}"#,
        r#"{"id":"3","text":"none of these work, sorry","ref":"2026-03-04T10:15:00","tz":"-02:00","options":["2026-03-05T14:00:00"]}"#,
        r#"{"id":"4","text":"Friday 2-4pm for 45 minutes","ref":"2026-03-04T10:15:00","tz":"America/New_York"}"#,
    ];
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all((requests.join("\n") + "\n").as_bytes())
        .expect("requests written");
    drop(stdin);
    let output = child.wait_with_output().expect("kairos exits");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8 answers")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each answer is JSON"))
        .collect();
    assert_eq!(answers.len(), requests.len());

    assert_eq!(answers[0]["id"], "1");
    assert_eq!(answers[0]["kind"], "instant");
    assert_eq!(answers[0]["value"], "2026-03-05T15:00:00");

    assert_eq!(answers[1]["kind"], "choice");
    assert_eq!(answers[1]["choice"], 2);

    assert_eq!(answers[2]["kind"], "none");
    assert_eq!(answers[2]["choice"], Value::Null);

    assert_eq!(answers[3]["kind"], "interval");
    assert_eq!(answers[3]["value"], "2026-03-06T14:00:00");
    assert_eq!(answers[3]["end"], "2026-03-06T16:00:00");
    assert_eq!(answers[3]["duration_minutes"], 45);
    assert_eq!(answers[3]["negated"], false);
}
