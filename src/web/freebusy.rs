//! `GET /freebusy/<host>.vfb[?start=&end=]`: the host's busy periods as a VFREEBUSY
//! for any calendar app, without an account. Times only: never titles, attendees or
//! descriptions. Without a range it covers the booking horizon from now.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderValue};

use super::errors::{Refused, refused, service};
use super::{Answer, Context, input};
use crate::domain::Interval;
use crate::domain::rules::start_of_day;
use crate::http::{Request, Response};

/// The VFREEBUSY of the host named in `file`.
pub fn get(context: &Context, request: &Request, file: &str) -> Answer {
    let host = context.scheduler.host();
    if file != format!("{}.vfb", host.id) {
        return Err(super::errors::not_found());
    }
    let params = input::query(request, &["start", "end"]).map_err(refused)?;
    let bound = |name: &str| {
        params
            .get(name)
            .map(|text| instant(name, text, host.zone))
            .transpose()
    };
    let start = bound("start").map_err(refused)?;
    let end = bound("end").map_err(refused)?;
    let range = match (start, end) {
        (None, None) => None,
        (start, end) => {
            let now_range = context.scheduler.booking_window();
            let start = start.unwrap_or(now_range.start);
            let end = end.unwrap_or(now_range.end.max(start + chrono::Duration::days(1)));
            let range = Interval::new(start, end).ok_or_else(|| {
                refused(Refused::Field {
                    code: "invalid_range",
                    field: "end".into(),
                    message: "end must be after start".into(),
                })
            })?;
            if range.duration() > chrono::Duration::days(366) {
                return Err(refused(Refused::Field {
                    code: "invalid_range",
                    field: "end".into(),
                    message: "ask for at most a year at a time".into(),
                }));
            }
            Some(range)
        }
    };
    let text = context
        .scheduler
        .host_free_busy(range)
        .map_err(|error| service(error, host.zone))?;
    Ok(calendar(text))
}

fn calendar(text: String) -> Response {
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(text)));
    *response.status_mut() = StatusCode::OK;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    response
}

/// RFC 3339, iCalendar UTC (`20261201T090000Z`) or a date (midnight in the host's zone).
fn instant(field: &str, text: &str, zone: chrono_tz::Tz) -> Result<DateTime<Utc>, Refused> {
    let text = text.trim();
    if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ") {
        return Ok(at.and_utc());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(start_of_day(zone, date));
    }
    input::instant(field, text, zone)
}
