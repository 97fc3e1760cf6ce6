//! Why an iCalendar text was refused, in the words of RFC 5545 and the CalDAV
//! preconditions of RFC 4791 §4.1 and §5.3.2 (`valid-calendar-data`,
//! `valid-calendar-object-resource`). Line numbers are 1-based lines of the text as
//! received (before unfolding). Must not know: HTTP status codes or precondition XML.

use thiserror::Error;

/// A calendar text Kairos cannot store or use.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IcalError {
    /// The text is not a sequence of well-formed, properly nested content lines.
    #[error("line {line}: {message}")]
    Malformed {
        /// Line of the offending content line.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The text does not hold exactly one VCALENDAR.
    #[error("a calendar object resource holds exactly one VCALENDAR")]
    NotOneCalendar,
    /// The VCALENDAR holds no VEVENT, VTODO, VJOURNAL or VFREEBUSY.
    #[error("the VCALENDAR holds no VEVENT, VTODO, VJOURNAL or VFREEBUSY")]
    Empty,
    /// A component a CalDAV resource cannot hold (e.g. a nested VCALENDAR, VAVAILABILITY).
    #[error("line {line}: unsupported component {component}")]
    Unsupported {
        /// Line of its `BEGIN`.
        line: usize,
        /// Its name.
        component: String,
    },
    /// Components of two types in one resource (RFC 4791 §4.1).
    #[error(
        "line {line}: {second} next to {first}; a calendar object resource holds one component type"
    )]
    MixedComponents {
        /// Line of the `BEGIN` of the second type.
        line: usize,
        /// The type seen first.
        first: String,
        /// The other type.
        second: String,
    },
    /// A component without UID (RFC 5545 §3.8.4.7 makes it required).
    #[error("line {line}: {component} has no UID")]
    MissingUid {
        /// Line of its `BEGIN`.
        line: usize,
        /// Its name.
        component: String,
    },
    /// Components with different UIDs in one resource (RFC 4791 §4.1).
    #[error(
        "line {line}: UID {second:?} differs from {first:?}; a calendar object resource holds one UID"
    )]
    MultipleUids {
        /// Line of the `BEGIN` of the component with the second UID.
        line: usize,
        /// The UID seen first.
        first: String,
        /// The other UID.
        second: String,
    },
    /// Two masters, or two overrides of the same instance.
    #[error("line {line}: a second component for the same instance (RECURRENCE-ID)")]
    DuplicateInstance {
        /// Line of the `BEGIN` of the second component.
        line: usize,
    },
    /// A VEVENT without DTSTART.
    #[error("line {line}: VEVENT has no DTSTART")]
    MissingStart {
        /// Line of its `BEGIN`.
        line: usize,
    },
    /// DTEND/DUE and DURATION do not agree with DTSTART.
    #[error("line {line}: {reason}")]
    InconsistentEnd {
        /// Line of the end property.
        line: usize,
        /// What disagrees.
        reason: &'static str,
    },
    /// A property value that is not of its type (a date, a duration, a rule).
    #[error("line {line}: invalid {property} value {value:?}")]
    InvalidValue {
        /// Line of the property.
        line: usize,
        /// Property name.
        property: String,
        /// The value as received.
        value: String,
    },
    /// A TZID that is no IANA name, no Windows name, and has no VTIMEZONE with rules.
    #[error("line {line}: unknown time zone {tzid:?}")]
    UnknownTimeZone {
        /// Line of the property naming it.
        line: usize,
        /// The TZID.
        tzid: String,
    },
}
