//! Namespace-qualified XML names: every DAV property and element is one.

use std::fmt;

/// The WebDAV namespace (RFC 4918 §21).
pub const DAV: &str = "DAV:";
/// The CalDAV namespace (RFC 4791 §4).
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// Apple's Calendar Server namespace (getctag, calendar-proxy, …).
pub const CALENDARSERVER: &str = "http://calendarserver.org/ns/";
/// Apple's iCal namespace (calendar-color, calendar-order).
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

/// The prefixes Kairos writes, declared once on the root of every response.
pub(crate) const PREFIXES: [(&str, &str); 4] = [
    ("D", DAV),
    ("C", CALDAV),
    ("CS", CALENDARSERVER),
    ("ICAL", APPLE_ICAL),
];

/// A property or element name, by resolved namespace (never by prefix). Names in
/// namespaces Kairos does not know are kept as they came, so that a PROPFIND or
/// PROPPATCH of anything can be answered (with 404 for what is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropName {
    /// Namespace URI; empty for a name in no namespace.
    pub namespace: String,
    /// Local name.
    pub local: String,
}

impl PropName {
    /// A name in any namespace.
    pub fn new(namespace: &str, local: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            local: local.to_owned(),
        }
    }

    /// A name in `DAV:`.
    pub fn dav(local: &str) -> Self {
        Self::new(DAV, local)
    }

    /// A name in the CalDAV namespace.
    pub fn caldav(local: &str) -> Self {
        Self::new(CALDAV, local)
    }

    /// A name in Apple's Calendar Server namespace.
    pub fn calendarserver(local: &str) -> Self {
        Self::new(CALENDARSERVER, local)
    }

    /// A name in Apple's iCal namespace.
    pub fn apple_ical(local: &str) -> Self {
        Self::new(APPLE_ICAL, local)
    }

    /// Whether this is `local` in `namespace`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.namespace == namespace && self.local == local
    }

    /// The prefix Kairos writes for this name's namespace, if it is a known one.
    pub(crate) fn prefix(&self) -> Option<&'static str> {
        PREFIXES
            .iter()
            .find(|(_, namespace)| *namespace == self.namespace)
            .map(|(prefix, _)| *prefix)
    }
}

/// Clark notation, `{DAV:}displayname`, as in error messages and logs.
impl fmt::Display for PropName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}
