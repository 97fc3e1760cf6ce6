//! MKCALENDAR (RFC 4791 §5.3.1) and MKCOL (extended, RFC 5689, or plain) of a calendar
//! in the home: every collection there is a calendar. Apple creates calendars this way
//! on first sync. A new calendar is busy time unless created transparent. Collections
//! inside a calendar are refused (RFC 4791 §4.2).

use hyper::StatusCode;

use super::{body, host};
use crate::dav::listing::clark;
use crate::dav::path::DavPath;
use crate::dav::xml::request::{MkCollection, parse_mkcalendar, parse_mkcol};
use crate::dav::xml::{APPLE_ICAL, CALDAV, DAV, Element, PropName};
use crate::dav::{DavContext, error, reply};
use crate::domain::Calendar;
use crate::http::{Request, Response};

/// Creates the calendar `target` names.
pub async fn handle(
    context: &DavContext,
    request: Request,
    target: &DavPath,
    calendar_method: bool,
) -> Response {
    let is_xml = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|kind| kind.contains("xml"));
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
    if !empty && !is_xml {
        // RFC 4918 §9.3: a body MKCOL does not understand.
        return reply::status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let id = match target {
        DavPath::Calendar(id) => id,
        // Inside a calendar: no collections there (RFC 4791 §4.2), and none at all
        // when the calendar itself is missing (RFC 4918 §9.3.1).
        DavPath::Object { calendar, .. } if context.scheduler.calendar(calendar).is_err() => {
            return reply::status(StatusCode::CONFLICT);
        }
        _ => return reply::status(StatusCode::METHOD_NOT_ALLOWED),
    };
    let parsed = match (empty, calendar_method) {
        (true, _) => Ok(MkCollection {
            resourcetype: Vec::new(),
            components: None,
            props: Vec::new(),
        }),
        (false, true) => parse_mkcalendar(&bytes),
        (false, false) => parse_mkcol(&bytes),
    };
    let collection = match parsed {
        Ok(collection) => collection,
        Err(failure) => return error::xml(&failure),
    };
    let asks_other_kind = !calendar_method
        && !collection.resourcetype.is_empty()
        && !collection
            .resourcetype
            .iter()
            .any(|name| name.is(CALDAV, "calendar"));
    if asks_other_kind {
        // An extended MKCOL for something that is not a calendar.
        return reply::status(StatusCode::FORBIDDEN);
    }
    let calendar = calendar_from(id, &collection);
    match context.scheduler.create_calendar(calendar).await {
        Ok(()) => reply::status(StatusCode::CREATED),
        Err(failure) => error::service(failure, host(context)),
    }
}

fn calendar_from(id: &str, collection: &MkCollection) -> Calendar {
    let mut calendar = Calendar::new(id, id);
    if let Some(components) = &collection.components {
        calendar.components = components
            .iter()
            .map(|name| name.to_ascii_uppercase())
            .collect();
    }
    for property in &collection.props {
        set(&mut calendar, property);
    }
    calendar
}

fn set(calendar: &mut Calendar, property: &Element) {
    let text = property.text().trim().to_string();
    let name: &PropName = &property.name;
    if name.is(DAV, "displayname") {
        calendar.display_name = text;
    } else if name.is(APPLE_ICAL, "calendar-color") {
        calendar.color = Some(text);
    } else if name.is(APPLE_ICAL, "calendar-order") {
        calendar.order = Some(text);
    } else if name.is(CALDAV, "calendar-description") {
        calendar.description = Some(property.text());
    } else if name.is(CALDAV, "calendar-timezone") {
        calendar.timezone = Some(property.text());
    } else if name.is(CALDAV, "schedule-calendar-transp") {
        calendar.transparent = property.child(CALDAV, "transparent").is_some();
    } else if !name.is(DAV, "resourcetype") && !name.is(CALDAV, "supported-calendar-component-set")
    {
        calendar.properties.insert(clark(name), property.text());
    }
}
