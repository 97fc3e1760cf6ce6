//! The resources a request is about (a target and, at depth 1, its members), and their
//! properties as a multistatus response entry. Shared by PROPFIND and the REPORTs.

use hyper::StatusCode;

use super::DavContext;
use super::path::DavPath;
use super::props::{self, Described, Site};
use super::xml::PropName;
use super::xml::request::PropSelection;
use super::xml::response::{PropValue, Response};
use crate::domain::CalendarResource;
use crate::domain::calendar::BOOKINGS;
use crate::service::{CalendarState, ServiceError};

/// A resource with what is known about it.
pub enum Entry {
    /// A collection or principal without data of its own.
    Fixed(DavPath),
    /// A calendar.
    Calendar(CalendarState),
    /// A calendar object.
    Object(String, CalendarResource),
}

impl Entry {
    /// Its decoded path.
    pub fn path(&self, host: &str) -> String {
        match self {
            Self::Fixed(path) => path.path(host),
            Self::Calendar(state) => DavPath::Calendar(state.calendar.id.clone()).path(host),
            Self::Object(calendar, resource) => DavPath::Object {
                calendar: calendar.clone(),
                name: resource.name.clone(),
            }
            .path(host),
        }
    }

    /// How the property table sees it.
    pub fn described(&self) -> Described<'_> {
        match self {
            Self::Fixed(path) => Described::Fixed(path),
            Self::Calendar(state) => Described::Calendar(state),
            Self::Object(_, resource) => Described::Object(resource),
        }
    }
}

/// The server-wide facts for the property table.
pub fn site(context: &DavContext) -> Site<'_> {
    Site {
        host: context.scheduler.host(),
        max_resource_bytes: context.max_body_bytes,
    }
}

/// `target` and, at depth 1, its members.
pub fn entries(
    context: &DavContext,
    target: &DavPath,
    depth: u8,
) -> Result<Vec<Entry>, ServiceError> {
    let scheduler = &context.scheduler;
    let mut entries = vec![match target {
        DavPath::Calendar(id) => Entry::Calendar(scheduler.calendar(id)?),
        DavPath::Object { calendar, name } => Entry::Object(
            calendar.clone(),
            scheduler.calendar_resource(calendar, name)?,
        ),
        fixed => Entry::Fixed(fixed.clone()),
    }];
    if depth == 0 {
        return Ok(entries);
    }
    match target {
        DavPath::Root => entries.extend([
            Entry::Fixed(DavPath::Principal),
            Entry::Fixed(DavPath::Home),
        ]),
        DavPath::Principals => entries.push(Entry::Fixed(DavPath::Principal)),
        DavPath::Home => {
            entries.extend([Entry::Fixed(DavPath::Inbox), Entry::Fixed(DavPath::Outbox)]);
            let mut calendars = scheduler.calendars()?;
            // The bookings calendar first: it is what the host came for.
            calendars.sort_by_key(|state| state.calendar.id != BOOKINGS);
            entries.extend(calendars.into_iter().map(Entry::Calendar));
        }
        DavPath::Calendar(id) => {
            let resources = scheduler
                .calendar_resources(id)?
                .iter()
                .cloned()
                .collect::<Vec<_>>();
            entries.extend(
                resources
                    .into_iter()
                    .map(|resource| Entry::Object(id.clone(), resource)),
            );
        }
        _ => {}
    }
    Ok(entries)
}

/// The response entry for `entry` with the properties `selection` asks for. `override_data`
/// replaces calendar-data (an expanded or limited rendering).
pub fn respond(
    entry: &Entry,
    selection: &PropSelection,
    site: &Site<'_>,
    override_data: Option<String>,
) -> Response {
    let described = entry.described();
    let mut response = Response::new(&entry.path(&site.host.id));
    let calendar_data = PropName::caldav("calendar-data");
    let mut add = |name: PropName| {
        let value = if name == calendar_data && override_data.is_some() {
            override_data.clone().map(PropValue::Text)
        } else {
            props::value(&name, &described, site).or_else(|| dead_property(entry, &name))
        };
        match value {
            Some(value) => response.add(StatusCode::OK, name, value),
            None => response.add(props::MISSING, name, PropValue::Empty),
        };
    };
    match selection {
        PropSelection::Prop(names) => names.iter().cloned().for_each(&mut add),
        PropSelection::AllProp { include } => {
            let mut names = props::allprop(&described, site);
            names.extend(dead_names(entry));
            names.extend(include.iter().cloned());
            names.dedup();
            names.into_iter().for_each(&mut add);
        }
        PropSelection::PropNames => {
            let mut names = props::names(&described, site);
            names.extend(dead_names(entry));
            for name in names {
                response.add(StatusCode::OK, name, PropValue::Empty);
            }
        }
    }
    response
}

/// The key a dead property is stored under.
pub fn clark(name: &PropName) -> String {
    format!("{{{}}}{}", name.namespace, name.local)
}

fn dead_property(entry: &Entry, name: &PropName) -> Option<PropValue> {
    match entry {
        Entry::Calendar(state) => state
            .calendar
            .properties
            .get(&clark(name))
            .cloned()
            .map(PropValue::Text),
        _ => None,
    }
}

fn dead_names(entry: &Entry) -> Vec<PropName> {
    let Entry::Calendar(state) = entry else {
        return Vec::new();
    };
    state
        .calendar
        .properties
        .keys()
        .filter_map(|key| {
            let (namespace, local) = key.strip_prefix('{')?.split_once('}')?;
            Some(PropName::new(namespace, local))
        })
        .collect()
}
