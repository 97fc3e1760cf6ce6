//! iCalendar (RFC 5545) for Kairos, the only module that names the `icalendar` crate:
//! parsing and validating CalDAV resources, resolving time zones (IANA, Windows names
//! via CLDR, free-text TZIDs from the inline VTIMEZONE), expanding recurrences
//! (RRULE/RDATE/EXDATE and RECURRENCE-ID overrides) into intervals, evaluating CalDAV
//! filters, and writing the calendar text Kairos sends (VEVENTs of appointments,
//! VFREEBUSY, expanded instances). Lenient on input, strict on output.
//!
//! Must not know: storage, HTTP, XML, or which calendar a resource lives in.

mod content;
mod error;
pub mod filter;
pub mod object;
mod query;
pub mod recur;
mod schedule;
mod value;
mod vtimezone;
pub mod write;
mod zone;

#[cfg(test)]
mod fixtures;

pub use error::IcalError;
pub use object::{CalendarObject, ComponentKind};
pub use recur::Occurrence;
