//! DAV URLs ⇄ resources. Segments are percent-decoded one by one; a segment that
//! decodes to `.`, `..`, or holds `/`, `\` or NUL is refused, so no request can climb
//! out of its collection however it is encoded (`..`, `%2e%2e`, `%2f`).
//!
//! Layout (DESIGN §5): `/dav/principals/<host>/`, `/dav/calendars/<host>/` (the calendar
//! home) with `inbox/`, `outbox/` and one collection per calendar.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::domain::calendar::RESERVED_NAMES as RESERVED;

/// A DAV resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DavPath {
    /// `/dav/`.
    Root,
    /// `/dav/principals/`.
    Principals,
    /// `/dav/principals/<host>/`.
    Principal,
    /// `/dav/calendars/<host>/`.
    Home,
    /// `/dav/calendars/<host>/inbox/` (RFC 6638 scheduling inbox).
    Inbox,
    /// `/dav/calendars/<host>/outbox/` (RFC 6638 scheduling outbox).
    Outbox,
    /// A calendar collection.
    Calendar(String),
    /// A calendar object resource.
    Object {
        /// Its calendar.
        calendar: String,
        /// Its name within the calendar.
        name: String,
    },
}

/// Why a path names no resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// Dot segments or encoded separators: refused outright (400).
    Traversal,
    /// Well-formed but nothing lives there (404).
    NotFound,
}

fn decode(segment: &str) -> Result<String, PathError> {
    let decoded = percent_decode_str(segment)
        .decode_utf8()
        .map_err(|_| PathError::NotFound)?;
    let climbs = decoded == "." || decoded == "..";
    if climbs || decoded.contains(['/', '\\', '\0']) {
        return Err(PathError::Traversal);
    }
    Ok(decoded.into_owned())
}

impl DavPath {
    /// The resource at `path` (the URL path, still percent-encoded) for host `host`.
    pub fn parse(path: &str, host: &str) -> Result<Self, PathError> {
        let raw: Vec<&str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        let segments = raw
            .iter()
            .map(|segment| decode(segment))
            .collect::<Result<Vec<String>, _>>()?;
        let names: Vec<&str> = segments.iter().map(String::as_str).collect();
        match names.as_slice() {
            ["dav"] => Ok(Self::Root),
            ["dav", "principals"] => Ok(Self::Principals),
            ["dav", "principals", who] if *who == host => Ok(Self::Principal),
            ["dav", "calendars", who] if *who == host => Ok(Self::Home),
            ["dav", "calendars", who, "inbox"] if *who == host => Ok(Self::Inbox),
            ["dav", "calendars", who, "outbox"] if *who == host => Ok(Self::Outbox),
            ["dav", "calendars", who, calendar] if *who == host => {
                Ok(Self::Calendar(calendar.to_string()))
            }
            ["dav", "calendars", who, calendar, name]
                if *who == host && !RESERVED.contains(calendar) =>
            {
                Ok(Self::Object {
                    calendar: calendar.to_string(),
                    name: name.to_string(),
                })
            }
            _ => Err(PathError::NotFound),
        }
    }

    /// The canonical path, decoded (collections end with `/`); the XML writer and
    /// [`encode_path`] percent-encode it.
    pub fn path(&self, host: &str) -> String {
        match self {
            Self::Root => "/dav/".to_string(),
            Self::Principals => "/dav/principals/".to_string(),
            Self::Principal => format!("/dav/principals/{host}/"),
            Self::Home => format!("/dav/calendars/{host}/"),
            Self::Inbox => format!("/dav/calendars/{host}/inbox/"),
            Self::Outbox => format!("/dav/calendars/{host}/outbox/"),
            Self::Calendar(id) => format!("/dav/calendars/{host}/{id}/"),
            Self::Object { calendar, name } => Self::object_path(host, calendar, name),
        }
    }

    /// The path of object `name` in `calendar`, as [`Self::path`] gives it, without
    /// building the `DavPath` first.
    pub fn object_path(host: &str, calendar: &str, name: &str) -> String {
        ["/dav/calendars/", host, "/", calendar, "/", name].concat()
    }

    /// True for collections.
    pub fn is_collection(&self) -> bool {
        !matches!(self, Self::Object { .. })
    }
}

/// Characters kept as they are in hrefs: RFC 3986 unreserved plus a few path-safe ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'@');

/// Percent-encodes a decoded path segment by segment (for headers such as Location).
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Result<DavPath, PathError> {
        DavPath::parse(path, "domina")
    }

    #[test]
    fn known_paths_parse_with_or_without_trailing_slash() {
        let cases = [
            ("/dav/", DavPath::Root),
            ("/dav", DavPath::Root),
            ("/dav/principals/domina/", DavPath::Principal),
            ("/dav/calendars/domina", DavPath::Home),
            ("/dav/calendars/domina/inbox/", DavPath::Inbox),
            (
                "/dav/calendars/domina/personal/",
                DavPath::Calendar("personal".into()),
            ),
            (
                "/dav/calendars/domina/personal/A%20B%40x.ics",
                DavPath::Object {
                    calendar: "personal".into(),
                    name: "A B@x.ics".into(),
                },
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(parse(path), Ok(expected), "{path}");
        }
    }

    #[test]
    fn traversal_is_refused_however_it_is_encoded() {
        for path in [
            "/dav/calendars/domina/../../etc/passwd",
            "/dav/calendars/domina/personal/%2e%2e",
            "/dav/calendars/domina/%2E%2E/x.ics",
            "/dav/calendars/domina/personal/a%2fb.ics",
            "/dav/calendars/domina/personal/a%5cb.ics",
            "/dav/calendars/domina/personal/a%00.ics",
            "/dav/calendars/domina/./personal/",
        ] {
            assert_eq!(parse(path), Err(PathError::Traversal), "{path}");
        }
    }

    #[test]
    fn other_hosts_and_deeper_paths_are_not_found() {
        for path in [
            "/dav/calendars/mallory/",
            "/dav/principals/mallory/",
            "/dav/calendars/domina/personal/a/b.ics",
            "/dav/elsewhere",
        ] {
            assert_eq!(parse(path), Err(PathError::NotFound), "{path}");
        }
    }

    #[test]
    fn hrefs_round_trip() {
        let object = DavPath::Object {
            calendar: "personal".into(),
            name: "Lunch with Ana & Bo.ics".into(),
        };
        let href = encode_path(&object.path("domina"));
        assert_eq!(
            href,
            "/dav/calendars/domina/personal/Lunch%20with%20Ana%20%26%20Bo.ics"
        );
        assert_eq!(parse(&href), Ok(object));
    }
}
