//! CALDAV:calendar-multiget (RFC 4791 §7.9): these objects by href; one that does not
//! exist is a 404 inside the multistatus.

use hyper::StatusCode;

use crate::dav::listing::{Entry, Responder};
use crate::dav::method::host;
use crate::dav::path::DavPath;
use crate::dav::xml::request::CalendarMultiget;
use crate::dav::xml::response::Response as StatusEntry;
use crate::dav::{DavContext, reply};
use crate::http::Response;

/// Answers with each object asked for.
pub fn handle(context: &DavContext, multiget: &CalendarMultiget) -> Response {
    let scheduler = &context.scheduler;
    let responder = Responder::new(context, &multiget.props);
    let mut multistatus = responder.multistatus(multiget.hrefs.len(), 0);
    for href in &multiget.hrefs {
        let path = href_path(href);
        let found = match DavPath::parse(&path, host(context)) {
            Ok(DavPath::Object { calendar, name }) => scheduler
                .calendar_resource(&calendar, &name)
                .ok()
                .map(|r| (calendar, r)),
            _ => None,
        };
        match found {
            Some((calendar, resource)) => {
                let data = multiget
                    .calendar_data
                    .and_then(|request| scheduler.calendar_data(&calendar, &resource, &request));
                responder.respond(&mut multistatus, Entry::Object(&calendar, &resource), data);
            }
            None => {
                let decoded = percent_encoding::percent_decode_str(&path)
                    .decode_utf8_lossy()
                    .into_owned();
                multistatus.push(StatusEntry::with_status(&decoded, StatusCode::NOT_FOUND));
            }
        }
    }
    reply::multistatus(multistatus)
}

/// The path of an href, which may be an absolute URL.
fn href_path(href: &str) -> String {
    match href.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or_else(|| "/".to_string(), |at| rest[at..].to_string()),
        None => href.to_string(),
    }
}
