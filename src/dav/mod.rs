//! WebDAV/CalDAV adapter (RFC 4918, RFC 4791, RFC 6578, RFC 5689): turns DAV requests
//! into service calls and service answers into DAV responses.
//!
//! Must not know: storage, the iCalendar crate, or why a precondition fails (the
//! service decides that; `dav` only knows its XML).

pub mod path;
pub mod xml;
