//! REPORT (RFC 3253 §3.6): one file per report.

mod calendar_query;
mod free_busy_query;
mod multiget;
mod sync_collection;

use hyper::StatusCode;

use super::body;
use crate::dav::path::DavPath;
use crate::dav::xml::request::{Report, parse_report};
use crate::dav::xml::response::Precondition;
use crate::dav::{DavContext, depth, error, reply};
use crate::http::{Request, Response};

/// Runs the report the body asks for.
pub async fn handle(context: &DavContext, request: Request, target: &DavPath) -> Response {
    let depth = depth(request.headers(), 0);
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let report = match parse_report(&bytes) {
        Ok(report) => report,
        Err(failure) => return error::xml(&failure),
    };
    match report {
        Report::CalendarQuery(query) => calendar_query::handle(context, target, depth, &query),
        Report::CalendarMultiget(multiget) => multiget::handle(context, &multiget),
        Report::SyncCollection(sync) => sync_collection::handle(context, target, &sync),
        Report::FreeBusyQuery(range) => free_busy_query::handle(context, target, range),
        Report::Unsupported(_) => {
            reply::precondition(StatusCode::FORBIDDEN, &Precondition::SupportedReport)
        }
    }
}
