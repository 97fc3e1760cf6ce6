//! CALDAV:free-busy-query (RFC 4791 §7.10): a VFREEBUSY of one calendar's busy time.

use hyper::StatusCode;

use crate::dav::method::host;
use crate::dav::path::DavPath;
use crate::dav::{DavContext, error, reply};
use crate::http::Response;
use crate::ical::filter::TimeRange;

/// Answers with `text/calendar`.
pub fn handle(context: &DavContext, target: &DavPath, range: TimeRange) -> Response {
    let DavPath::Calendar(calendar) = target else {
        return reply::status(StatusCode::FORBIDDEN);
    };
    match context.scheduler.calendar_free_busy(calendar, range) {
        Ok(text) => reply::body(StatusCode::OK, "text/calendar; charset=utf-8", text),
        Err(failure) => error::service(failure, host(context)),
    }
}
