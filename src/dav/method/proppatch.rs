//! PROPPATCH (RFC 4918 §9.2) of a calendar's settings: display name, colour, order,
//! description, time zone, transparency, and any dead property a client keeps there.
//! All or nothing: if one change cannot be made, none is, and the others answer 424.

use hyper::StatusCode;

use super::{body, host};
use crate::dav::listing::{clark, entries};
use crate::dav::path::DavPath;
use crate::dav::props;
use crate::dav::xml::request::{PropPatchOp, parse_proppatch};
use crate::dav::xml::response::{Multistatus, PropValue, Response as Entry};
use crate::dav::xml::{APPLE_ICAL, CALDAV, DAV, Element, PropName};
use crate::dav::{DavContext, error, reply};
use crate::domain::Calendar;
use crate::http::{Request, Response};

/// A setting PROPPATCH can change, with the value to give it (`None`: remove).
enum Change {
    DisplayName(Option<String>),
    Color(Option<String>),
    Order(Option<String>),
    Description(Option<String>),
    TimeZone(Option<String>),
    Transparent(bool),
    Dead(String, Option<String>),
}

fn change(op: &PropPatchOp) -> Option<(PropName, Change)> {
    let (name, value): (PropName, Option<&Element>) = match op {
        PropPatchOp::Set(element) => (element.name.clone(), Some(element)),
        PropPatchOp::Remove(name) => (name.clone(), None),
    };
    let text = value.map(Element::text);
    let setting = if name.is(DAV, "displayname") {
        Change::DisplayName(text)
    } else if name.is(APPLE_ICAL, "calendar-color") {
        Change::Color(text)
    } else if name.is(APPLE_ICAL, "calendar-order") {
        Change::Order(text)
    } else if name.is(CALDAV, "calendar-description") {
        Change::Description(text)
    } else if name.is(CALDAV, "calendar-timezone") {
        Change::TimeZone(text)
    } else if name.is(CALDAV, "schedule-calendar-transp") {
        Change::Transparent(
            value.is_some_and(|element| element.child(CALDAV, "transparent").is_some()),
        )
    } else if props::is_live(&name) {
        return None;
    } else {
        Change::Dead(clark(&name), text)
    };
    Some((name, setting))
}

fn apply(calendar: &mut Calendar, change: &Change) {
    let trimmed = |value: &Option<String>| value.as_ref().map(|text| text.trim().to_string());
    match change {
        Change::DisplayName(value) => {
            calendar.display_name = trimmed(value).unwrap_or_else(|| calendar.id.clone());
        }
        Change::Color(value) => calendar.color = trimmed(value),
        Change::Order(value) => calendar.order = trimmed(value),
        Change::Description(value) => calendar.description = value.clone(),
        Change::TimeZone(value) => calendar.timezone = value.clone(),
        Change::Transparent(transparent) => calendar.transparent = *transparent,
        Change::Dead(key, Some(value)) => {
            calendar.properties.insert(key.clone(), value.clone());
        }
        Change::Dead(key, None) => {
            calendar.properties.remove(key);
        }
    }
}

/// Applies every change or none, answering per property.
pub async fn handle(context: &DavContext, request: Request, target: &DavPath) -> Response {
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let ops = match parse_proppatch(&bytes) {
        Ok(ops) => ops,
        Err(failure) => return error::xml(&failure),
    };
    // Patching something that does not exist is a 404, not a list of refusals.
    if let Err(failure) = entries(context, target, 0) {
        return error::service(failure, host(context));
    }
    let path = target.path(host(context));
    let names: Vec<PropName> = ops
        .iter()
        .map(|op| match op {
            PropPatchOp::Set(element) => element.name.clone(),
            PropPatchOp::Remove(name) => name.clone(),
        })
        .collect();
    let DavPath::Calendar(id) = target else {
        return answer(&path, &names, None);
    };
    let changes: Vec<Option<(PropName, Change)>> = ops.iter().map(change).collect();
    if changes.iter().any(Option::is_none) {
        let refused: Vec<PropName> = names
            .iter()
            .zip(&changes)
            .filter(|(_, change)| change.is_none())
            .map(|(name, _)| name.clone())
            .collect();
        return answer(&path, &names, Some(&refused));
    }
    let changes: Vec<Change> = changes
        .into_iter()
        .flatten()
        .map(|(_, change)| change)
        .collect();
    let updated = context
        .scheduler
        .update_calendar(id, |calendar| {
            changes.iter().for_each(|change| apply(calendar, change))
        })
        .await;
    match updated {
        Ok(_) => answer(&path, &names, Some(&[])),
        Err(failure) => error::service(failure, host(context)),
    }
}

/// The multistatus of a PROPPATCH: `refused` names the properties that could not be
/// changed (403; the rest 424); `None` means nothing here can be changed at all.
fn answer(path: &str, names: &[PropName], refused: Option<&[PropName]>) -> Response {
    let mut entry = Entry::new(path);
    for name in names {
        let status = match refused {
            None => StatusCode::FORBIDDEN,
            Some([]) => StatusCode::OK,
            Some(refused) if refused.contains(name) => StatusCode::FORBIDDEN,
            Some(_) => StatusCode::FAILED_DEPENDENCY,
        };
        entry.add(status, name.clone(), PropValue::Empty);
    }
    let mut multistatus = Multistatus::new();
    multistatus.push(entry);
    reply::multistatus(multistatus)
}
