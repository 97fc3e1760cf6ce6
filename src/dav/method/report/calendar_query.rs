//! CALDAV:calendar-query (RFC 4791 §7.8): the objects of a calendar matching a filter,
//! with calendar-data as stored, expanded or limited as asked.

use hyper::StatusCode;

use crate::dav::listing::{Entry, Responder};
use crate::dav::method::host;
use crate::dav::path::DavPath;
use crate::dav::xml::request::CalendarQuery;
use crate::dav::xml::response::Multistatus;
use crate::dav::{DavContext, error, reply};
use crate::http::Response;

/// Answers with the matching objects.
pub fn handle(
    context: &DavContext,
    target: &DavPath,
    depth: u8,
    query: &CalendarQuery,
) -> Response {
    let (calendar, only) = match target {
        DavPath::Calendar(id) if depth > 0 => (id, None),
        DavPath::Calendar(_) => return reply::multistatus(Multistatus::new()),
        DavPath::Object { calendar, name } => (calendar, Some(name)),
        _ => return reply::status(StatusCode::FORBIDDEN),
    };
    let scheduler = &context.scheduler;
    let matches = match scheduler.query_calendar(calendar, &query.filter) {
        Ok(matches) => matches,
        Err(failure) => return error::service(failure, host(context)),
    };
    let responder = Responder::new(context, &query.props);
    let text_bytes = matches.iter().map(|resource| resource.text.len()).sum();
    let mut multistatus = responder.multistatus(matches.len(), text_bytes);
    for resource in matches
        .iter()
        .filter(|resource| only.is_none_or(|name| **name == *resource.name))
    {
        let data = query
            .calendar_data
            .and_then(|request| scheduler.calendar_data(calendar, resource, &request));
        responder.respond(&mut multistatus, Entry::Object(calendar, resource), data);
    }
    reply::multistatus(multistatus)
}
