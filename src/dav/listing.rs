//! The resources a request is about (a target and, at depth 1, its members), and their
//! properties as a multistatus response entry. Shared by PROPFIND and the REPORTs.

use std::sync::Arc;

use super::DavContext;
use super::path::DavPath;
use super::props::{self, Described, Live, Site};
use super::xml::request::PropSelection;
use super::xml::response::{Multistatus, PropValue};
use super::xml::{CALDAV, PropName};
use crate::domain::CalendarResource;
use crate::domain::calendar::BOOKINGS;
use crate::service::{CalendarSnapshot, CalendarState, ServiceError};

/// A resource with what is known about it, borrowed from a [`Listing`] or a report's
/// results.
#[derive(Clone, Copy)]
pub enum Entry<'a> {
    /// A collection or principal without data of its own.
    Fixed(&'a DavPath),
    /// A calendar.
    Calendar(&'a CalendarState),
    /// A calendar object, with the id of its calendar.
    Object(&'a str, &'a CalendarResource),
}

impl<'a> Entry<'a> {
    /// Its decoded path.
    pub fn path(&self, host: &str) -> String {
        match self {
            Self::Fixed(path) => path.path(host),
            Self::Calendar(state) => DavPath::Calendar(state.calendar.id.clone()).path(host),
            Self::Object(calendar, resource) => {
                DavPath::object_path(host, calendar, &resource.name)
            }
        }
    }

    /// How the property table sees it.
    pub fn described(&self) -> Described<'a> {
        match *self {
            Self::Fixed(path) => Described::Fixed(path),
            Self::Calendar(state) => Described::Calendar(state),
            Self::Object(_, resource) => Described::Object(resource),
        }
    }
}

/// A resource a [`Listing`] holds.
enum Held {
    Fixed(DavPath),
    Calendar(CalendarState),
    Object(String, CalendarResource),
}

/// The target of a request and, at depth 1, its members. A calendar's members stay in
/// the calendar's snapshot and are lent out from there, not copied.
pub struct Listing {
    held: Vec<Held>,
    objects: Option<(String, Arc<CalendarSnapshot>)>,
}

impl Listing {
    /// How many resources it lists.
    pub fn len(&self) -> usize {
        self.held.len()
            + self
                .objects
                .as_ref()
                .map_or(0, |(_, snapshot)| snapshot.resources().len())
    }

    /// Each resource, the target first.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        let held = self.held.iter().map(|held| match held {
            Held::Fixed(path) => Entry::Fixed(path),
            Held::Calendar(state) => Entry::Calendar(state),
            Held::Object(calendar, resource) => Entry::Object(calendar, resource),
        });
        let objects = self.objects.iter().flat_map(|(calendar, snapshot)| {
            snapshot
                .resources()
                .iter()
                .map(move |resource| Entry::Object(calendar, resource))
        });
        held.chain(objects)
    }
}

/// The server-wide facts for the property table.
pub fn site(context: &DavContext) -> Site<'_> {
    Site {
        host: context.scheduler.host(),
        max_resource_bytes: context.body.max_bytes,
    }
}

/// `target` and, at depth 1, its members.
pub fn entries(context: &DavContext, target: &DavPath, depth: u8) -> Result<Listing, ServiceError> {
    let scheduler = &context.scheduler;
    let mut listing = Listing {
        held: vec![match target {
            DavPath::Calendar(id) => Held::Calendar(scheduler.calendar(id)?),
            DavPath::Object { calendar, name } => Held::Object(
                calendar.clone(),
                scheduler.calendar_resource(calendar, name)?,
            ),
            fixed => Held::Fixed(fixed.clone()),
        }],
        objects: None,
    };
    if depth == 0 {
        return Ok(listing);
    }
    let held = &mut listing.held;
    match target {
        DavPath::Root => held.extend([Held::Fixed(DavPath::Principal), Held::Fixed(DavPath::Home)]),
        DavPath::Principals => held.push(Held::Fixed(DavPath::Principal)),
        DavPath::Home => {
            held.extend([Held::Fixed(DavPath::Inbox), Held::Fixed(DavPath::Outbox)]);
            let mut calendars = scheduler.calendars()?;
            // The bookings calendar first: it is what the host came for.
            calendars.sort_by_key(|state| state.calendar.id != BOOKINGS);
            held.extend(calendars.into_iter().map(Held::Calendar));
        }
        DavPath::Calendar(id) => {
            listing.objects = Some((id.clone(), scheduler.calendar_resources(id)?));
        }
        _ => {}
    }
    Ok(listing)
}

/// Writes the responses of one request: the selection's live properties are found
/// once, then read from each resource.
pub struct Responder<'a> {
    selection: &'a PropSelection,
    /// For a `prop` selection: each name with its live property, if it is one.
    requested: Vec<(&'a PropName, Option<Live>)>,
    site: Site<'a>,
}

impl<'a> Responder<'a> {
    /// A responder for `selection`.
    pub fn new(context: &'a DavContext, selection: &'a PropSelection) -> Self {
        let requested = match selection {
            PropSelection::Prop(names) => {
                names.iter().map(|name| (name, Live::find(name))).collect()
            }
            _ => Vec::new(),
        };
        Self {
            selection,
            requested,
            site: site(context),
        }
    }

    /// An empty multistatus sized for `members` responses whose resources hold
    /// `text_bytes` of iCalendar text (counted when calendar-data is asked for).
    pub fn multistatus(&self, members: usize, text_bytes: usize) -> Multistatus {
        let with_data = self
            .requested
            .iter()
            .any(|(name, _)| name.is(CALDAV, "calendar-data"));
        Multistatus::with_capacity(members, if with_data { text_bytes } else { 0 })
    }

    /// Appends the response for `entry` to `multistatus`. `override_data` replaces
    /// calendar-data (an expanded or limited rendering).
    pub fn respond(
        &self,
        multistatus: &mut Multistatus,
        entry: Entry<'_>,
        override_data: Option<String>,
    ) {
        let described = entry.described();
        let path = entry.path(&self.site.host.id);
        let value = |name: &PropName, live: Option<Live>| {
            if override_data.is_some() && name.is(CALDAV, "calendar-data") {
                return override_data.clone().map(PropValue::Text);
            }
            live.and_then(|live| live.read(&described, &self.site))
                .or_else(|| dead_property(entry, name))
        };
        let props: Vec<(&PropName, Option<PropValue>)>;
        let names: Vec<PropName>;
        match self.selection {
            PropSelection::Prop(_) => {
                props = self
                    .requested
                    .iter()
                    .map(|(name, live)| (*name, value(name, *live)))
                    .collect();
            }
            PropSelection::AllProp { include } => {
                let mut all = props::allprop(&described, &self.site);
                all.extend(dead_names(entry));
                all.extend(include.iter().cloned());
                all.dedup();
                names = all;
                props = names
                    .iter()
                    .map(|name| (name, value(name, Live::find(name))))
                    .collect();
            }
            PropSelection::PropNames => {
                let mut all = props::names(&described, &self.site);
                all.extend(dead_names(entry));
                names = all;
                props = names
                    .iter()
                    .map(|name| (name, Some(PropValue::Empty)))
                    .collect();
            }
        }
        multistatus.push_found(&path, &props);
    }
}

/// The key a dead property is stored under.
pub fn clark(name: &PropName) -> String {
    format!("{{{}}}{}", name.namespace, name.local)
}

fn dead_property(entry: Entry<'_>, name: &PropName) -> Option<PropValue> {
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

fn dead_names(entry: Entry<'_>) -> Vec<PropName> {
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
