//! The JSON Lines protocol of `kairos parse-time` (the date benchmark's, see
//! ../shared/bench/nlp/README.md): one request line in, one answer line out.
//! A request carries `text`, `ref` (the reference wall-clock time), `tz` (an IANA zone
//! or a fixed offset such as "-02:00") and optional `options` (offered slots); the
//! answer carries `kind`, `value`, `end`, `grain`, `duration_minutes`, `choice` and
//! `negated`. A line that cannot be read is answered `none` with an `error`.
//!
//! Must not know: where lines come from or go (the binary does the I/O).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value, json};

use super::{Context, Grain, Meaning, Zone, understand};

/// The answer line for one request line.
pub fn answer(line: &str) -> String {
    let answer = match serde_json::from_str::<Value>(line) {
        Ok(request) => answer_request(&request),
        Err(error) => Err(format!("not JSON: {error}")),
    };
    let object = answer.unwrap_or_else(|error| {
        let mut object = Map::new();
        object.insert("kind".into(), "none".into());
        object.insert("error".into(), error.into());
        object
    });
    Value::Object(object).to_string()
}

fn answer_request(request: &Value) -> Result<Map<String, Value>, String> {
    let text = request
        .get("text")
        .and_then(Value::as_str)
        .ok_or("no \"text\"")?;
    let zone = match request.get("tz").and_then(Value::as_str) {
        Some(name) => Zone::parse(name).ok_or_else(|| format!("unknown zone {name:?}"))?,
        None => Zone::default(),
    };
    let now = request
        .get("ref")
        .and_then(Value::as_str)
        .ok_or("no \"ref\"")?;
    let now = wall_clock(now, zone).ok_or_else(|| format!("unreadable \"ref\": {now:?}"))?;
    let options = match request.get("options") {
        Some(Value::Array(options)) => options
            .iter()
            .map(|o| o.as_str().and_then(|o| wall_clock(o, zone)))
            .collect::<Option<Vec<_>>>()
            .ok_or("unreadable \"options\"")?,
        _ => Vec::new(),
    };
    let context = Context { now, zone, options };
    let understood = understand(text, &context);
    let mut object = Map::new();
    if let Some(id) = request.get("id") {
        object.insert("id".into(), id.clone());
    }
    let (kind, value, end, grain) = match understood.meaning {
        Meaning::Instant { at, grain } => ("instant", Some(stamp(at)), None, Some(grain)),
        Meaning::Interval { start, end, grain } => {
            ("interval", start.map(stamp), end.map(stamp), Some(grain))
        }
        Meaning::Window { start, end } => {
            ("window", start.map(time_of_day), end.map(time_of_day), None)
        }
        Meaning::Duration => ("duration", None, None, None),
        Meaning::Choice(_) => ("choice", None, None, None),
        Meaning::Nothing => ("none", None, None, None),
    };
    object.insert("kind".into(), kind.into());
    object.insert("value".into(), value.into());
    object.insert("end".into(), end.into());
    object.insert("grain".into(), grain.map(grain_name).into());
    object.insert(
        "duration_minutes".into(),
        understood.duration_minutes.into(),
    );
    object.insert("choice".into(), understood.option.into());
    object.insert("negated".into(), understood.negated.into());
    if let Some((start, end)) = understood.time_of_day {
        let window = json!({"start": time_of_day(start), "end": end.map(time_of_day)});
        object.insert("time_of_day".into(), window);
    }
    Ok(object)
}

/// A time as written in a request: local "2013-02-12T04:30:00" (seconds optional),
/// a date, or an RFC 3339 time with an offset (moved to `zone`'s wall clock).
fn wall_clock(text: &str, zone: Zone) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let utc = at.naive_utc();
        return Some(Zone::default().move_to(utc, zone));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN))
    })
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn time_of_day(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

fn grain_name(grain: Grain) -> &'static str {
    match grain {
        Grain::Second => "second",
        Grain::Minute => "minute",
        Grain::Hour => "hour",
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Year => "year",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(line: &str, name: &str) -> Value {
        let answer: Value = serde_json::from_str(&answer(line)).expect("an answer is JSON");
        answer.get(name).cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn a_request_line_gets_an_answer_line() {
        let line =
            r#"{"id":"a","text":"tmrw 3pm","ref":"2026-03-02T09:00:00","tz":"Europe/Berlin"}"#;
        assert_eq!(field(line, "kind"), "instant");
        assert_eq!(field(line, "value"), "2026-03-03T15:00:00");
        assert_eq!(field(line, "id"), "a");
    }

    #[test]
    fn options_and_offsets_are_read() {
        let line = r#"{"text":"the second one","ref":"2026-03-02T09:00:00","tz":"-02:00","options":["2026-03-03T10:00:00","2026-03-04T11:00:00"]}"#;
        assert_eq!(field(line, "kind"), "choice");
        assert_eq!(field(line, "choice"), 2);
    }

    #[test]
    fn an_unreadable_line_is_answered_none_with_a_reason() {
        assert_eq!(field("{not json", "kind"), "none");
        let no_zone = r#"{"text":"3pm","ref":"2026-03-02T09:00:00","tz":"Nowhere/Else"}"#;
        assert!(field(no_zone, "error").is_string());
    }
}
