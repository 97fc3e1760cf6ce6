//! REPORT bodies: calendar-query and calendar-multiget (RFC 4791 §7.8–7.9),
//! free-busy-query (§7.10) and sync-collection (RFC 6578 §3.2). Any other report is
//! named, not refused here, so the method can answer 403 DAV:supported-report.

use super::filter::{calendar_data_request, comp_filter, time_range};
use super::{PropSelection, invalid, required, selection};
use crate::dav::xml::name::{CALDAV, DAV};
use crate::dav::xml::read::read_document;
use crate::dav::xml::{Element, PropName, XmlError};
use crate::ical::filter::{CalendarDataRequest, CompFilter, TimeRange};

/// A REPORT request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// `CALDAV:calendar-query`.
    CalendarQuery(CalendarQuery),
    /// `CALDAV:calendar-multiget`.
    CalendarMultiget(CalendarMultiget),
    /// `DAV:sync-collection`.
    SyncCollection(SyncCollection),
    /// `CALDAV:free-busy-query`: busy time in this range.
    FreeBusyQuery(TimeRange),
    /// A report Kairos does not implement (`DAV:expand-property`,
    /// `DAV:principal-property-search`, …), named by its root element.
    Unsupported(PropName),
}

/// `CALDAV:calendar-query`: the objects of a calendar that match a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarQuery {
    /// Properties wanted for each match; an absent selection is an empty `Prop`.
    pub props: PropSelection,
    /// Set when `CALDAV:calendar-data` is among the properties.
    pub calendar_data: Option<CalendarDataRequest>,
    /// The top-level comp-filter (RFC 4791 requires one, on VCALENDAR).
    pub filter: CompFilter,
    /// `CALDAV:timezone`: a VCALENDAR with the zone for floating times (§9.8).
    pub timezone: Option<String>,
}

/// `CALDAV:calendar-multiget`: these objects, by href.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarMultiget {
    /// Properties wanted for each object.
    pub props: PropSelection,
    /// Set when `CALDAV:calendar-data` is among the properties.
    pub calendar_data: Option<CalendarDataRequest>,
    /// The hrefs as sent (percent-encoded, trimmed), at least one.
    pub hrefs: Vec<String>,
}

/// `DAV:sync-collection` (RFC 6578): what changed since a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCollection {
    /// The client's last token; empty for the initial sync.
    pub sync_token: String,
    /// How deep to look.
    pub sync_level: SyncLevel,
    /// `DAV:limit/DAV:nresults`: at most this many responses.
    pub limit: Option<u32>,
    /// Properties wanted for each changed member.
    pub props: PropSelection,
    /// Set when `CALDAV:calendar-data` is among the properties.
    pub calendar_data: Option<CalendarDataRequest>,
}

/// `DAV:sync-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncLevel {
    /// `1`: the collection's immediate members.
    One,
    /// `infinite`: all descendants.
    Infinite,
}

/// Parses a REPORT body, dispatching on its root element.
pub fn parse_report(body: &[u8]) -> Result<Report, XmlError> {
    let root = read_document(body)?.ok_or(XmlError::EmptyBody { method: "REPORT" })?;
    match (root.name.namespace.as_str(), root.name.local.as_str()) {
        (CALDAV, "calendar-query") => calendar_query(&root).map(Report::CalendarQuery),
        (CALDAV, "calendar-multiget") => calendar_multiget(&root).map(Report::CalendarMultiget),
        (DAV, "sync-collection") => sync_collection(&root).map(Report::SyncCollection),
        (CALDAV, "free-busy-query") => {
            time_range(required(&root, PropName::caldav("time-range"))?).map(Report::FreeBusyQuery)
        }
        _ => Ok(Report::Unsupported(root.name)),
    }
}

fn calendar_query(root: &Element) -> Result<CalendarQuery, XmlError> {
    let (props, calendar_data) = requested(root)?;
    let filter = required(root, PropName::caldav("filter"))?;
    Ok(CalendarQuery {
        props,
        calendar_data,
        filter: comp_filter(required(filter, PropName::caldav("comp-filter"))?)?,
        timezone: root.child(CALDAV, "timezone").map(Element::text),
    })
}

fn calendar_multiget(root: &Element) -> Result<CalendarMultiget, XmlError> {
    let (props, calendar_data) = requested(root)?;
    let hrefs: Vec<String> = root
        .elements()
        .filter(|child| child.is(DAV, "href"))
        .map(|href| href.text().trim().to_owned())
        .collect();
    if hrefs.is_empty() {
        return Err(XmlError::Missing {
            parent: root.name.clone(),
            child: PropName::dav("href"),
        });
    }
    Ok(CalendarMultiget {
        props,
        calendar_data,
        hrefs,
    })
}

fn sync_collection(root: &Element) -> Result<SyncCollection, XmlError> {
    let (props, calendar_data) = requested(root)?;
    let level = required(root, PropName::dav("sync-level"))?;
    let sync_level = match level.text().trim() {
        "1" => SyncLevel::One,
        "infinite" => SyncLevel::Infinite,
        other => return Err(invalid(level, other, "1 or infinite")),
    };
    let limit = root
        .child(DAV, "limit")
        .map(|limit| required(limit, PropName::dav("nresults")).and_then(nresults))
        .transpose()?;
    let sync_token = required(root, PropName::dav("sync-token"))?.text();
    Ok(SyncCollection {
        sync_token: sync_token.trim().to_owned(),
        sync_level,
        limit,
        props,
        calendar_data,
    })
}

fn nresults(element: &Element) -> Result<u32, XmlError> {
    let text = element.text();
    match text.trim().parse() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(invalid(element, &text, "a positive integer")),
    }
}

/// The property selection of a REPORT and, if calendar-data is among it, what it asks.
fn requested(root: &Element) -> Result<(PropSelection, Option<CalendarDataRequest>), XmlError> {
    let props = selection(root).unwrap_or(PropSelection::Prop(Vec::new()));
    let calendar_data = root
        .child(DAV, "prop")
        .and_then(|prop| prop.child(CALDAV, "calendar-data"))
        .map(calendar_data_request)
        .transpose()?;
    Ok((props, calendar_data))
}
