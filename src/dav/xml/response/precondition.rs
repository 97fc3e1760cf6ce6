//! `DAV:error` bodies naming the precondition or postcondition a request failed
//! (RFC 4918 §16; CalDAV's in RFC 4791 §5.3.2, §7.5.1, §9.7; RFC 6578 §3.7). Which
//! condition failed is the service's decision; this only writes it.

use super::href;
use crate::dav::xml::write::write_document;
use crate::dav::xml::{Element, PropName};

/// A condition whose failure is reported in a `DAV:error` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `CALDAV:valid-calendar-data`: the body is not valid iCalendar.
    ValidCalendarData,
    /// `CALDAV:valid-calendar-object-resource`: it breaks the one-UID-per-resource rules.
    ValidCalendarObjectResource,
    /// `CALDAV:supported-calendar-data`: not `text/calendar` 2.0.
    SupportedCalendarData,
    /// `CALDAV:supported-calendar-component`: a component the calendar does not hold.
    SupportedCalendarComponent,
    /// `CALDAV:no-uid-conflict`: the UID is already used by the resource at `href`.
    NoUidConflict {
        /// Path of the resource holding the UID.
        href: String,
    },
    /// `CALDAV:max-resource-size`.
    MaxResourceSize,
    /// `CALDAV:valid-filter`.
    ValidFilter,
    /// `CALDAV:supported-collation`.
    SupportedCollation,
    /// `DAV:valid-sync-token`: unknown or expired token (RFC 6578 §3.2).
    ValidSyncToken,
    /// `DAV:number-of-matches-within-limits` (RFC 6578 §3.6).
    NumberOfMatchesWithinLimits,
    /// `DAV:supported-report`: the REPORT is not supported here (RFC 3253 §3.6).
    SupportedReport,
    /// `DAV:resource-must-be-null`: MKCALENDAR or MKCOL where something exists.
    ResourceMustBeNull,
    /// `K:slot-available` (Kairos): an appointment cannot move onto busy time.
    SlotAvailable,
}

/// Kairos's own namespace, for the conditions no RFC names.
pub const KAIROS: &str = "urn:kairos:ns";

impl Precondition {
    /// The element naming this condition.
    pub fn name(&self) -> PropName {
        match self {
            Self::ValidCalendarData => PropName::caldav("valid-calendar-data"),
            Self::ValidCalendarObjectResource => PropName::caldav("valid-calendar-object-resource"),
            Self::SupportedCalendarData => PropName::caldav("supported-calendar-data"),
            Self::SupportedCalendarComponent => PropName::caldav("supported-calendar-component"),
            Self::NoUidConflict { .. } => PropName::caldav("no-uid-conflict"),
            Self::MaxResourceSize => PropName::caldav("max-resource-size"),
            Self::ValidFilter => PropName::caldav("valid-filter"),
            Self::SupportedCollation => PropName::caldav("supported-collation"),
            Self::ValidSyncToken => PropName::dav("valid-sync-token"),
            Self::NumberOfMatchesWithinLimits => PropName::dav("number-of-matches-within-limits"),
            Self::SupportedReport => PropName::dav("supported-report"),
            Self::ResourceMustBeNull => PropName::dav("resource-must-be-null"),
            Self::SlotAvailable => PropName::new(KAIROS, "slot-available"),
        }
    }
}

/// `<D:error>` holding the condition, as the body of a 403, 409 or 507.
pub fn error_body(precondition: &Precondition) -> Vec<u8> {
    let mut condition = Element::new(precondition.name());
    if let Precondition::NoUidConflict { href: path } = precondition {
        condition = condition.with_child(href(path));
    }
    write_document(&Element::new(PropName::dav("error")).with_child(condition))
}
