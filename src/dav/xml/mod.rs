//! The XML of WebDAV/CalDAV, pure: request bodies read into typed requests
//! ([`request`]) and multistatus and error bodies written ([`response`]), on quick-xml.
//!
//! Names are compared by resolved namespace, never by prefix: clients write `D:`,
//! `d:`, `A:` or a default namespace for the same `DAV:`. Bodies with a DOCTYPE are
//! refused, so no entity is ever declared, expanded or fetched; depth and element
//! count are capped ([`MAX_DEPTH`], [`MAX_ELEMENTS`]).
//!
//! Must not know: HTTP beyond status codes, paths to resources, storage, iCalendar
//! content (calendar-data is text here).

mod element;
mod error;
mod name;
mod read;
pub mod request;
pub mod response;
mod write;

pub use element::{Element, Node};
pub use error::XmlError;
pub use name::{APPLE_ICAL, CALDAV, CALENDARSERVER, DAV, PropName};
pub use read::{MAX_DEPTH, MAX_ELEMENTS};
