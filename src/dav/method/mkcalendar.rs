//! MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689) of a calendar in the
//! home. Apple creates calendars this way on first sync. A new calendar is busy time
//! unless created transparent.

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
    let DavPath::Calendar(id) = target else {
        return reply::status(StatusCode::METHOD_NOT_ALLOWED);
    };
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
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
    let is_calendar = calendar_method
        || collection
            .resourcetype
            .iter()
            .any(|name| name.is(CALDAV, "calendar"));
    if !is_calendar {
        // Only calendars live in the calendar home.
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
