//! Turning request text into typed values: query strings, JSON bodies (unknown fields
//! refused), zones, dates, times, addresses. Every refusal names the field.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::de::DeserializeOwned;

use super::errors::Refused;
use crate::domain::EmailAddress;
use crate::http::{BodyLimit, Request, read_body};

fn field(code: &'static str, field: &str, message: impl Into<String>) -> Refused {
    Refused::Field {
        code,
        field: field.to_string(),
        message: message.into(),
    }
}

/// The query string as a map; a parameter given twice or not in `allowed` is refused.
pub fn query(request: &Request, allowed: &[&str]) -> Result<BTreeMap<String, String>, Refused> {
    let mut params = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
    {
        if !allowed.contains(&name.as_ref()) {
            return Err(field(
                "unknown_field",
                &name,
                format!("unknown parameter {name:?}; known: {}", allowed.join(", ")),
            ));
        }
        if params.insert(name.to_string(), value.to_string()).is_some() {
            return Err(field(
                "duplicate_field",
                &name,
                format!("parameter {name:?} is given twice"),
            ));
        }
    }
    Ok(params)
}

/// Reads a JSON body into `T`, refusing unknown fields, wrong types and oversize bodies.
/// The body is read as JSON whatever Content-Type says (`curl -d` sends a form type).
pub async fn json_body<T: DeserializeOwned>(
    request: Request,
    limit: BodyLimit,
) -> Result<T, Refused> {
    let bytes: Bytes = read_body(request.into_body(), limit).await?;
    parse_json(&bytes)
}

/// The error code for a field whose value has the wrong type.
fn code_for(field_name: &str) -> &'static str {
    match field_name {
        "startTime" => "invalid_time",
        "duration" => "invalid_duration",
        "email" => "invalid_email",
        "name" => "invalid_name",
        "timezone" => "invalid_timezone",
        "meetingType" => "unknown_meeting_type",
        "purpose" => "invalid_purpose",
        "userId" => "unknown_user",
        _ => "invalid_field",
    }
}

fn between_backticks(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

/// Parses a JSON object body into `T`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refused> {
    // serde would also build a struct from an array; the API takes objects only.
    if bytes.iter().find(|byte| !byte.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Refused::Json("the body must be a JSON object".into()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            deserializer
                .end()
                .map_err(|error| Refused::Json(format!("the body is not valid JSON: {error}")))?;
            return Ok(value);
        }
        Err(error) => error,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    let message = inner.to_string();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return Err(Refused::Json(format!(
            "the body is not valid JSON: {message}"
        )));
    }
    let text = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    if text.starts_with("unknown field") {
        let name = between_backticks(&text).unwrap_or("?");
        // The path already ends with the unknown field's name.
        let shown = if path == "." {
            name.to_string()
        } else {
            path.clone()
        };
        return Err(field("unknown_field", &shown, text));
    }
    if text.starts_with("missing field") {
        let name = between_backticks(&text).unwrap_or("?").to_string();
        return Err(field("missing_field", &name, text));
    }
    if path == "." {
        return Err(Refused::Json(format!(
            "the body must be a JSON object: {text}"
        )));
    }
    let top = path.split(['.', '[']).next().unwrap_or(&path);
    Err(field(code_for(top), &path, text))
}

/// An IANA zone name.
pub fn zone(field_name: &str, text: &str) -> Result<Tz, Refused> {
    text.trim().parse::<Tz>().map_err(|_| {
        field(
            "invalid_timezone",
            field_name,
            format!("{text:?} is not an IANA time zone such as Europe/Paris"),
        )
    })
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field_name: &str, text: &str) -> Result<NaiveDate, Refused> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        field(
            "invalid_date",
            field_name,
            format!("{text:?} is not a date YYYY-MM-DD"),
        )
    })
}

/// A whole number of minutes.
pub fn minutes(field_name: &str, text: &str) -> Result<i64, Refused> {
    text.trim().parse::<i64>().map_err(|_| {
        field(
            "invalid_duration",
            field_name,
            format!("{text:?} is not a whole number of minutes"),
        )
    })
}

/// An email address.
pub fn email(field_name: &str, text: &str) -> Result<EmailAddress, Refused> {
    EmailAddress::parse(text).ok_or_else(|| {
        field(
            "invalid_email",
            field_name,
            format!("{text:?} is not an email address"),
        )
    })
}

/// An instant: RFC 3339 with an offset, or a wall-clock time `YYYY-MM-DDTHH:MM[:SS]`
/// read in `zone`.
pub fn instant(field_name: &str, text: &str, zone: Tz) -> Result<DateTime<Utc>, Refused> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let wall = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            field(
                "invalid_time",
                field_name,
                format!("{text:?} is not a time such as 2026-03-03T10:00:00-05:00"),
            )
        })?;
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Ok(earlier.with_timezone(&Utc)),
        LocalResult::None => Err(field(
            "invalid_time",
            field_name,
            format!("{text} does not exist in {zone} (the clocks skip it)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        start_time: String,
        duration: Option<i64>,
    }

    fn refusal(json: &str) -> (String, String) {
        match parse_json::<Body>(json.as_bytes()) {
            Err(Refused::Field { code, field, .. }) => (code.to_string(), field),
            Err(Refused::Json(_)) => ("invalid_json".into(), String::new()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn json_errors_are_classified_with_their_field() {
        assert_eq!(
            refusal(r#"{"startTime":"x","bogus":1}"#),
            ("unknown_field".into(), "bogus".into())
        );
        assert_eq!(
            refusal(r#"{"duration":30}"#),
            ("missing_field".into(), "startTime".into())
        );
        assert_eq!(
            refusal(r#"{"startTime":"x","duration":"30"}"#),
            ("invalid_duration".into(), "duration".into())
        );
        assert_eq!(
            refusal(r#"{"startTime":"x","duration":30.5}"#),
            ("invalid_duration".into(), "duration".into())
        );
        assert_eq!(refusal(r#"{"startTime": "#).0, "invalid_json");
        assert_eq!(refusal(r#"[1,2]"#).0, "invalid_json");
        assert_eq!(refusal(r#"{"startTime":"x"} trailing"#).0, "invalid_json");
    }

    #[test]
    fn instants_take_offsets_or_wall_clock_in_the_zone() {
        let ny = chrono_tz::America::New_York;
        let with_offset = instant("t", "2026-03-03T10:00:00-05:00", ny).expect("valid");
        assert_eq!(
            instant("t", "2026-03-03T10:00", ny).expect("valid"),
            with_offset
        );
        assert!(
            instant("t", "2026-03-08T02:30:00", ny).is_err(),
            "inside the spring-forward gap"
        );
        assert!(instant("t", "tomorrow", ny).is_err());
        assert!(instant("t", "2026-02-30T10:00:00Z", ny).is_err());
    }
}
