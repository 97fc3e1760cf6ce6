//! `XmlError`: why a DAV request body was refused. Every variant maps to 400 Bad
//! Request except `UnsupportedCollation` (403 with CALDAV:supported-collation).

use super::PropName;

/// A request body that cannot be read as the DAV request it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The body is not UTF-8 (clients send UTF-8; no other encoding is decoded).
    #[error("the body is not UTF-8 (byte {offset})")]
    NotUtf8 {
        /// Where the first invalid byte is.
        offset: u64,
    },
    /// Not well-formed XML, an unbound prefix, or an undeclared entity.
    #[error("malformed XML at byte {offset}: {reason}")]
    Malformed {
        /// Where the reader noticed.
        offset: u64,
        /// What it noticed.
        reason: String,
    },
    /// A `<!DOCTYPE …>`, and with it any entity declaration, is refused outright:
    /// no DAV request needs one, and entities are how billion-laughs and XXE work.
    #[error("DOCTYPE at byte {offset} refused: DTDs and entity declarations are not accepted")]
    Doctype {
        /// Where the DOCTYPE starts.
        offset: u64,
    },
    /// Elements nested deeper than [`super::MAX_DEPTH`].
    #[error("elements nested deeper than {limit} at byte {offset}")]
    TooDeep {
        /// Where the element over the limit starts.
        offset: u64,
        /// The limit.
        limit: usize,
    },
    /// More than [`super::MAX_ELEMENTS`] elements.
    #[error("more than {limit} elements (at byte {offset})")]
    TooManyElements {
        /// Where the element over the limit starts.
        offset: u64,
        /// The limit.
        limit: usize,
    },
    /// The body is empty where the method needs one.
    #[error("{method} needs a request body")]
    EmptyBody {
        /// The method (`PROPPATCH`, `REPORT`).
        method: &'static str,
    },
    /// The body is another request than this method takes.
    #[error("expected the root element {expected}, found {found}")]
    UnexpectedRoot {
        /// What the method takes.
        expected: PropName,
        /// What came.
        found: PropName,
    },
    /// A required child element is absent.
    #[error("{parent} lacks the required {child}")]
    Missing {
        /// The element that should hold it.
        parent: PropName,
        /// The absent element.
        child: PropName,
    },
    /// An element's text or attribute is not what the RFC allows.
    #[error("{element}: invalid value {value:?}, expected {expected}")]
    InvalidValue {
        /// The element holding the value.
        element: PropName,
        /// The value as sent.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// A text-match asks for a collation other than `i;ascii-casemap` or `i;octet`
    /// (RFC 4791 §7.5.1: answered with CALDAV:supported-collation).
    #[error("collation {0:?} is not supported")]
    UnsupportedCollation(String),
}
