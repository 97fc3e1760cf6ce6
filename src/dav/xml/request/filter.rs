//! The CalDAV query vocabulary of [`crate::ical::filter`] read from XML: filters
//! (RFC 4791 §9.7), time ranges in the UTC form `YYYYMMDDTHHMMSSZ` (§9.9), and the
//! expand / limit-recurrence-set / limit-freebusy-set of calendar-data (§9.6).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::invalid;
use crate::dav::xml::name::CALDAV;
use crate::dav::xml::{Element, XmlError};
use crate::ical::filter::{
    CalendarDataRequest, Collation, CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange,
};

/// `CALDAV:comp-filter` with its nested filters.
pub(super) fn comp_filter(element: &Element) -> Result<CompFilter, XmlError> {
    Ok(CompFilter {
        name: name_attribute(element)?,
        is_not_defined: element.child(CALDAV, "is-not-defined").is_some(),
        time_range: optional(element, "time-range", time_range)?,
        prop_filters: all(element, "prop-filter", prop_filter)?,
        comp_filters: all(element, "comp-filter", comp_filter)?,
    })
}

fn prop_filter(element: &Element) -> Result<PropFilter, XmlError> {
    Ok(PropFilter {
        name: name_attribute(element)?,
        is_not_defined: element.child(CALDAV, "is-not-defined").is_some(),
        time_range: optional(element, "time-range", time_range)?,
        text_match: optional(element, "text-match", text_match)?,
        param_filters: all(element, "param-filter", param_filter)?,
    })
}

fn param_filter(element: &Element) -> Result<ParamFilter, XmlError> {
    Ok(ParamFilter {
        name: name_attribute(element)?,
        is_not_defined: element.child(CALDAV, "is-not-defined").is_some(),
        text_match: optional(element, "text-match", text_match)?,
    })
}

fn text_match(element: &Element) -> Result<TextMatch, XmlError> {
    let collation = match element.attribute("collation").unwrap_or("i;ascii-casemap") {
        "i;ascii-casemap" => Collation::AsciiCasemap,
        "i;octet" => Collation::Octet,
        other => return Err(XmlError::UnsupportedCollation(other.to_owned())),
    };
    let negate = match element.attribute("negate-condition").unwrap_or("no") {
        "yes" => true,
        "no" => false,
        other => return Err(invalid(element, other, "negate-condition yes or no")),
    };
    Ok(TextMatch {
        text: element.text(),
        collation,
        negate,
    })
}

/// What `CALDAV:calendar-data` in a REPORT's `DAV:prop` asks for.
pub(super) fn calendar_data_request(element: &Element) -> Result<CalendarDataRequest, XmlError> {
    Ok(CalendarDataRequest {
        expand: optional(element, "expand", closed_range)?,
        limit_recurrence_set: optional(element, "limit-recurrence-set", closed_range)?,
        limit_freebusy_set: optional(element, "limit-freebusy-set", closed_range)?,
    })
}

/// A time range with at least one end, the end after the start (RFC 4791 §9.9).
pub(super) fn time_range(element: &Element) -> Result<TimeRange, XmlError> {
    let range = TimeRange {
        start: utc_attribute(element, "start")?,
        end: utc_attribute(element, "end")?,
    };
    match (range.start, range.end) {
        (None, None) => Err(invalid(element, "", "a start or an end attribute")),
        (Some(start), Some(end)) if end <= start => Err(invalid(
            element,
            &end.to_rfc3339(),
            "an end after the start",
        )),
        _ => Ok(range),
    }
}

/// A time range with both ends, as expand and the limit-* elements require (§9.6.5–7).
fn closed_range(element: &Element) -> Result<TimeRange, XmlError> {
    let range = time_range(element)?;
    match (range.start, range.end) {
        (Some(_), Some(_)) => Ok(range),
        _ => Err(invalid(element, "", "both a start and an end attribute")),
    }
}

fn utc_attribute(element: &Element, name: &str) -> Result<Option<DateTime<Utc>>, XmlError> {
    let Some(value) = element.attribute(name) else {
        return Ok(None);
    };
    parse_utc(value)
        .map(Some)
        .ok_or_else(|| invalid(element, value, "a UTC date-time YYYYMMDDTHHMMSSZ"))
}

/// `YYYYMMDDTHHMMSSZ` only: a floating or zoned time has no meaning without a zone.
fn parse_utc(value: &str) -> Option<DateTime<Utc>> {
    if value.len() != "YYYYMMDDTHHMMSSZ".len() {
        return None;
    }
    let time = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ").ok()?;
    Some(time.and_utc())
}

/// The `name` attribute of a filter or `CALDAV:comp`, upper-case.
pub(super) fn name_attribute(element: &Element) -> Result<String, XmlError> {
    match element.attribute("name") {
        Some(name) if !name.is_empty() => Ok(name.to_ascii_uppercase()),
        _ => Err(invalid(element, "", "a name attribute")),
    }
}

fn optional<T>(
    parent: &Element,
    local: &str,
    parse: fn(&Element) -> Result<T, XmlError>,
) -> Result<Option<T>, XmlError> {
    parent.child(CALDAV, local).map(parse).transpose()
}

fn all<T>(
    parent: &Element,
    local: &str,
    parse: fn(&Element) -> Result<T, XmlError>,
) -> Result<Vec<T>, XmlError> {
    let children = parent.elements().filter(|child| child.is(CALDAV, local));
    children.map(parse).collect()
}
