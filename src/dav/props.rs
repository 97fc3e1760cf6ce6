//! Live properties: one entry per property, saying which resources have it and what
//! its value is. PROPFIND, REPORT and PROPPATCH all read this table; a property not
//! in it is answered 404 inside the multistatus, never as a failed request.

use std::sync::Arc;

use super::path::DavPath;
use super::xml::response::PropValue;
use super::xml::{APPLE_ICAL, CALDAV, CALENDARSERVER, DAV, Element, PropName};
use crate::domain::{CalendarResource, Host};
use crate::service::CalendarState;

/// The resource a property is read from, with what is known about it.
pub enum Described<'a> {
    /// A collection or principal without data of its own.
    Fixed(&'a DavPath),
    /// A calendar collection.
    Calendar(&'a CalendarState),
    /// A calendar object resource.
    Object(&'a CalendarResource),
}

/// Server-wide facts properties refer to.
pub struct Site<'a> {
    /// The host (the only principal).
    pub host: &'a Host,
    /// Largest calendar object accepted.
    pub max_resource_bytes: usize,
}

type Reader = fn(&Described<'_>, &Site<'_>) -> Option<PropValue>;

/// (namespace, name, in allprop, reader).
const LIVE: &[(&str, &str, bool, Reader)] = &[
    (DAV, "resourcetype", true, resourcetype),
    (DAV, "displayname", true, displayname),
    (DAV, "getetag", true, getetag),
    (DAV, "getcontenttype", true, getcontenttype),
    (DAV, "getcontentlength", true, getcontentlength),
    (DAV, "current-user-principal", false, principal_href),
    (DAV, "principal-URL", false, principal_url),
    (DAV, "owner", false, principal_href),
    (
        DAV,
        "principal-collection-set",
        false,
        principal_collection_set,
    ),
    (DAV, "current-user-privilege-set", false, privileges),
    (DAV, "supported-report-set", false, supported_reports),
    (DAV, "sync-token", false, sync_token),
    (CALDAV, "calendar-home-set", false, calendar_home_set),
    (
        CALDAV,
        "calendar-user-address-set",
        false,
        calendar_user_addresses,
    ),
    (CALDAV, "calendar-user-type", false, calendar_user_type),
    (CALDAV, "schedule-inbox-URL", false, schedule_inbox),
    (CALDAV, "schedule-outbox-URL", false, schedule_outbox),
    (
        CALDAV,
        "schedule-default-calendar-URL",
        false,
        schedule_default_calendar,
    ),
    (
        CALDAV,
        "supported-calendar-component-set",
        false,
        supported_components,
    ),
    (
        CALDAV,
        "supported-calendar-data",
        false,
        supported_calendar_data,
    ),
    (CALDAV, "max-resource-size", false, max_resource_size),
    (CALDAV, "calendar-description", false, calendar_description),
    (CALDAV, "calendar-timezone", false, calendar_timezone),
    (
        CALDAV,
        "schedule-calendar-transp",
        false,
        schedule_calendar_transp,
    ),
    (CALDAV, "calendar-data", false, calendar_data),
    (CALENDARSERVER, "getctag", false, getctag),
    (
        CALENDARSERVER,
        "email-address-set",
        false,
        email_address_set,
    ),
    (APPLE_ICAL, "calendar-color", false, calendar_color),
    (APPLE_ICAL, "calendar-order", false, calendar_order),
];

/// A live property, found once per request and then read from each resource.
#[derive(Clone, Copy)]
pub struct Live(Reader);

impl Live {
    /// The live property `name`, if Kairos has one by that name.
    pub fn find(name: &PropName) -> Option<Self> {
        LIVE.iter()
            .find(|(namespace, local, _, _)| name.is(namespace, local))
            .map(|(_, _, _, read)| Self(*read))
    }

    /// Its value on `target`, if `target` has it.
    pub fn read(self, target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
        (self.0)(target, site)
    }
}

/// The names of every property `target` has (PROPFIND propname).
pub fn names(target: &Described<'_>, site: &Site<'_>) -> Vec<PropName> {
    LIVE.iter()
        .filter(|(_, _, _, read)| read(target, site).is_some())
        .map(|(namespace, local, _, _)| PropName::new(namespace, local))
        .collect()
}

/// The properties allprop returns (RFC 4918's own live properties).
pub fn allprop(target: &Described<'_>, site: &Site<'_>) -> Vec<PropName> {
    LIVE.iter()
        .filter(|(_, _, in_allprop, read)| *in_allprop && read(target, site).is_some())
        .map(|(namespace, local, _, _)| PropName::new(namespace, local))
        .collect()
}

/// True for properties Kairos computes (PROPPATCH of one is refused with 403).
pub fn is_live(name: &PropName) -> bool {
    LIVE.iter()
        .any(|(namespace, local, _, _)| name.is(namespace, local))
}

fn path<'a>(target: &'a Described<'_>) -> Option<&'a DavPath> {
    match target {
        Described::Fixed(path) => Some(path),
        _ => None,
    }
}

fn principal_path(site: &Site<'_>) -> String {
    DavPath::Principal.path(&site.host.id)
}

fn names_of(names: &[PropName]) -> PropValue {
    PropValue::wrapped_names(&[], names.iter().cloned())
}

fn resourcetype(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    let collection = PropName::dav("collection");
    Some(match target {
        Described::Object(_) => PropValue::Empty,
        Described::Calendar(_) => names_of(&[collection, PropName::caldav("calendar")]),
        Described::Fixed(DavPath::Principal) => names_of(&[PropName::dav("principal")]),
        Described::Fixed(DavPath::Inbox) => {
            names_of(&[collection, PropName::caldav("schedule-inbox")])
        }
        Described::Fixed(DavPath::Outbox) => {
            names_of(&[collection, PropName::caldav("schedule-outbox")])
        }
        Described::Fixed(_) => names_of(&[collection]),
    })
}

fn displayname(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    let name = match target {
        Described::Calendar(state) => state.calendar.display_name.clone(),
        Described::Fixed(DavPath::Principal) => site.host.name.clone(),
        Described::Fixed(DavPath::Home) => format!("{}'s calendars", site.host.name),
        Described::Fixed(DavPath::Inbox) => "Inbox".to_string(),
        Described::Fixed(DavPath::Outbox) => "Outbox".to_string(),
        _ => return None,
    };
    Some(PropValue::Text(name))
}

fn getetag(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    match target {
        Described::Object(resource) => Some(PropValue::Shared(Arc::clone(&resource.etag))),
        _ => None,
    }
}

fn getcontenttype(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    match target {
        Described::Object(_) => Some(PropValue::Text("text/calendar; charset=utf-8".to_string())),
        _ => None,
    }
}

fn getcontentlength(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    match target {
        Described::Object(resource) => Some(PropValue::Text(resource.text.len().to_string())),
        _ => None,
    }
}

fn principal_href(_: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    Some(PropValue::Href(principal_path(site)))
}

fn principal_url(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    matches!(path(target), Some(DavPath::Principal)).then(|| PropValue::Href(principal_path(site)))
}

fn principal_collection_set(_: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    Some(PropValue::Href("/dav/principals/".to_string()))
}

fn privileges(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    let read_only = matches!(
        path(target),
        Some(DavPath::Root | DavPath::Principals | DavPath::Principal)
    );
    let mut granted = vec![
        PropName::dav("read"),
        PropName::dav("read-current-user-privilege-set"),
    ];
    if !read_only {
        granted.extend(
            [
                "write",
                "write-properties",
                "write-content",
                "bind",
                "unbind",
            ]
            .map(PropName::dav),
        );
    }
    if matches!(path(target), Some(DavPath::Inbox | DavPath::Outbox)) {
        granted.push(PropName::caldav("schedule-query-freebusy"));
        granted.push(PropName::caldav("schedule-send-freebusy"));
    }
    Some(PropValue::wrapped_names(
        &[PropName::dav("privilege")],
        granted,
    ))
}

fn supported_reports(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    let reports = match target {
        Described::Calendar(_) => vec![
            PropName::caldav("calendar-query"),
            PropName::caldav("calendar-multiget"),
            PropName::caldav("free-busy-query"),
            PropName::dav("sync-collection"),
        ],
        Described::Object(_) => vec![
            PropName::caldav("calendar-query"),
            PropName::caldav("calendar-multiget"),
        ],
        Described::Fixed(_) => Vec::new(),
    };
    Some(PropValue::wrapped_names(
        &[PropName::dav("supported-report"), PropName::dav("report")],
        reports,
    ))
}

fn sync_token(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    match target {
        Described::Calendar(state) => Some(PropValue::Text(token(&state.calendar.id, state.seq))),
        _ => None,
    }
}

/// The sync token of `calendar` at `seq`: a URI, as RFC 6578 §3.2 requires.
pub fn token(calendar: &str, seq: u64) -> String {
    format!("urn:kairos:sync:{calendar}:{seq}")
}

/// The sequence number in a token issued for `calendar`; `None` for any other text.
pub fn parse_token(calendar: &str, token: &str) -> Option<u64> {
    token
        .strip_prefix("urn:kairos:sync:")?
        .strip_prefix(calendar)?
        .strip_prefix(':')?
        .parse()
        .ok()
}

fn principal_only(target: &Described<'_>) -> bool {
    matches!(path(target), Some(DavPath::Principal))
}

fn calendar_home_set(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| PropValue::Href(DavPath::Home.path(&site.host.id)))
}

fn calendar_user_addresses(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| {
        PropValue::Hrefs(vec![
            format!("mailto:{}", site.host.email),
            format!("mailto:{}", site.host.booking_address),
            principal_path(site),
        ])
    })
}

fn calendar_user_type(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| PropValue::Text("INDIVIDUAL".to_string()))
}

fn schedule_inbox(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| PropValue::Href(DavPath::Inbox.path(&site.host.id)))
}

fn schedule_outbox(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| PropValue::Href(DavPath::Outbox.path(&site.host.id)))
}

fn schedule_default_calendar(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    matches!(path(target), Some(DavPath::Inbox)).then(|| {
        let personal = DavPath::Calendar(crate::domain::calendar::PERSONAL.to_string());
        PropValue::Href(personal.path(&site.host.id))
    })
}

fn email_address_set(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    principal_only(target).then(|| {
        let address = Element::new(PropName::calendarserver("email-address"))
            .with_text(site.host.email.to_string());
        PropValue::Elements(vec![address])
    })
}

fn calendar_state<'a>(target: &'a Described<'_>) -> Option<&'a CalendarState> {
    match target {
        Described::Calendar(state) => Some(state),
        _ => None,
    }
}

fn supported_components(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|state| {
        let components = state
            .calendar
            .components
            .iter()
            .map(|name| Element::new(PropName::caldav("comp")).with_attribute("name", name));
        PropValue::Elements(components.collect())
    })
}

fn supported_calendar_data(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|_| {
        let data = Element::new(PropName::caldav("calendar-data"))
            .with_attribute("content-type", "text/calendar")
            .with_attribute("version", "2.0");
        PropValue::Elements(vec![data])
    })
}

fn max_resource_size(target: &Described<'_>, site: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|_| PropValue::Text(site.max_resource_bytes.to_string()))
}

fn calendar_description(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target)
        .and_then(|state| state.calendar.description.clone())
        .map(PropValue::Text)
}

fn calendar_timezone(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|state| PropValue::Text(state.timezone.clone()))
}

fn schedule_calendar_transp(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|state| {
        let value = if state.calendar.transparent {
            "transparent"
        } else {
            "opaque"
        };
        PropValue::Elements(vec![Element::new(PropName::caldav(value))])
    })
}

fn calendar_data(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    match target {
        Described::Object(resource) => Some(PropValue::Shared(Arc::clone(&resource.text))),
        _ => None,
    }
}

fn getctag(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target).map(|state| PropValue::Text(state.seq.to_string()))
}

fn calendar_color(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target)
        .and_then(|state| state.calendar.color.clone())
        .map(PropValue::Text)
}

fn calendar_order(target: &Described<'_>, _: &Site<'_>) -> Option<PropValue> {
    calendar_state(target)
        .and_then(|state| state.calendar.order.clone())
        .map(PropValue::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_tokens_round_trip_and_stay_within_their_calendar() {
        assert_eq!(parse_token("personal", &token("personal", 42)), Some(42));
        assert_eq!(parse_token("bookings", &token("personal", 42)), None);
        assert_eq!(parse_token("personal", "http://example.com/sync/1"), None);
        assert_eq!(parse_token("personal", "urn:kairos:sync:personal:x"), None);
    }
}
