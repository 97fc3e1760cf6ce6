//! Response bodies: `DAV:multistatus` (RFC 4918 §13, §14.16) with one `DAV:response`
//! per resource, its properties grouped into one `DAV:propstat` per status, and the
//! `DAV:sync-token` of RFC 6578 §6.2 last; and the `DAV:error` bodies of
//! preconditions ([`error_body`]).

mod precondition;
mod stream;
#[cfg(test)]
mod tests;

pub use precondition::{Precondition, error_body};

use std::sync::Arc;

use hyper::StatusCode;

use super::write::write_document;
use super::{Element, Node, PropName};

/// A property's value, in the few shapes DAV properties take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropValue {
    /// No content: `<D:displayname/>`, as in every 404 or PROPPATCH propstat.
    Empty,
    /// Text, escaped on writing (displayname, an expanded calendar-data, …).
    Text(String),
    /// Text shared with the stored resource (getetag, calendar-data): listing a
    /// calendar copies none of it.
    Shared(Arc<str>),
    /// One `DAV:href` (current-user-principal, calendar-home-set, …).
    Href(String),
    /// Several `DAV:href`s (calendar-user-address-set, …).
    Hrefs(Vec<String>),
    /// Child elements (resourcetype, supported-report-set, privileges, an echoed
    /// dead property, …).
    Elements(Vec<Element>),
}

impl PropValue {
    /// One empty element per name, each wrapped in `wrappers` (outermost first):
    /// resourcetype is `wrapped_names(&[], [collection, calendar])`, a privilege set
    /// `wrapped_names(&[privilege], [read, write])`, a supported-report-set
    /// `wrapped_names(&[supported-report, report], [calendar-query, …])`.
    pub fn wrapped_names(wrappers: &[PropName], names: impl IntoIterator<Item = PropName>) -> Self {
        let wrap = |name| {
            wrappers
                .iter()
                .rev()
                .fold(Element::new(name), |inner, wrapper| {
                    Element::new(wrapper.clone()).with_child(inner)
                })
        };
        Self::Elements(names.into_iter().map(wrap).collect())
    }

    /// The value of a property element as a client set it (a dead property from
    /// PROPPATCH), to echo back: its text, or its child elements. Attributes of the
    /// property element itself are not kept.
    pub fn content_of(property: Element) -> Self {
        if property.elements().next().is_none() {
            return Self::Text(property.text());
        }
        let elements = property.children.into_iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        });
        Self::Elements(elements.collect())
    }
}

/// A `DAV:multistatus` body, written as responses are pushed.
#[derive(Debug, Clone)]
pub struct Multistatus {
    out: String,
    sync_token: Option<String>,
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    /// An empty multistatus.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty multistatus with room for about `members` responses and `text_bytes`
    /// of property values (calendar-data), so that it is written without regrowing.
    pub fn with_capacity(members: usize, text_bytes: usize) -> Self {
        let escaped = text_bytes.saturating_add(text_bytes / 8);
        let mut out = String::with_capacity(
            members
                .saturating_mul(256)
                .saturating_add(escaped)
                .saturating_add(512),
        );
        stream::start(&mut out);
        Self {
            out,
            sync_token: None,
        }
    }

    /// Appends a response.
    pub fn push(&mut self, response: Response) {
        let out = &mut self.out;
        out.push_str("<D:response>");
        stream::href(out, &response.path);
        if response.propstats.is_empty() {
            stream::status(out, response.status);
        }
        for propstat in &response.propstats {
            out.push_str("<D:propstat><D:prop>");
            for (name, value) in &propstat.props {
                stream::property(out, name, value);
            }
            out.push_str("</D:prop>");
            stream::status(out, propstat.status);
            out.push_str("</D:propstat>");
        }
        out.push_str("</D:response>");
    }

    /// Appends the response for the resource at `path` (decoded) with the properties
    /// asked for: those it has (`Some`) in a 200 propstat, the others in a 404 one,
    /// in the order given. The same document as [`Self::push`] of a [`Response`] built
    /// from them, without building one.
    pub fn push_found(&mut self, path: &str, props: &[(&PropName, Option<PropValue>)]) {
        let out = &mut self.out;
        out.push_str("<D:response>");
        stream::href(out, path);
        if props.is_empty() {
            stream::status(out, StatusCode::OK);
        }
        let groups = [(true, StatusCode::OK), (false, StatusCode::NOT_FOUND)];
        for (found, status) in groups {
            let mut group = props
                .iter()
                .filter(|(_, value)| value.is_some() == found)
                .peekable();
            if group.peek().is_none() {
                continue;
            }
            out.push_str("<D:propstat><D:prop>");
            for (name, value) in group {
                stream::property(out, name, value.as_ref().unwrap_or(&PropValue::Empty));
            }
            out.push_str("</D:prop>");
            stream::status(out, status);
            out.push_str("</D:propstat>");
        }
        out.push_str("</D:response>");
    }

    /// Sets the `DAV:sync-token` written after the responses (RFC 6578 §6.2).
    pub fn set_sync_token(&mut self, token: impl Into<String>) {
        self.sync_token = Some(token.into());
    }

    /// The document, `<?xml …?>` included.
    pub fn into_xml(mut self) -> Vec<u8> {
        stream::finish(&mut self.out, self.sync_token.as_deref());
        self.out.into_bytes()
    }
}

/// One `DAV:response`: a resource and its properties grouped by status, or, when it
/// has no properties, its status alone (RFC 4918 §14.24 allows one or the other).
#[derive(Debug, Clone)]
pub struct Response {
    path: String,
    status: StatusCode,
    propstats: Vec<PropStat>,
}

#[derive(Debug, Clone)]
struct PropStat {
    status: StatusCode,
    props: Vec<(PropName, PropValue)>,
}

impl Response {
    /// A response for the resource at `path` (decoded; percent-encoded on writing),
    /// to be filled by [`Self::add`].
    pub fn new(path: &str) -> Self {
        Self::with_status(path, StatusCode::OK)
    }

    /// A status-only response, as for a member gone since a sync token (404) or an
    /// unknown href in a multiget.
    pub fn with_status(path: &str, status: StatusCode) -> Self {
        Self {
            path: path.to_owned(),
            status,
            propstats: Vec::new(),
        }
    }

    /// Adds a property under the propstat for `status` (200 with its value, 404
    /// unknown, 403/409/424 for a failed PROPPATCH); propstats keep the order in
    /// which their status was first seen.
    pub fn add(&mut self, status: StatusCode, name: PropName, value: PropValue) -> &mut Self {
        let prop = (name, value);
        match self
            .propstats
            .iter_mut()
            .find(|propstat| propstat.status == status)
        {
            Some(propstat) => propstat.props.push(prop),
            None => self.propstats.push(PropStat {
                status,
                props: vec![prop],
            }),
        }
        self
    }
}

/// Any element tree as a document (bodies other than multistatus, such as
/// CALDAV:schedule-response).
pub fn document(root: &Element) -> Vec<u8> {
    write_document(root)
}

/// `<D:href>` for a decoded path (or a `mailto:`/`https:` URI), percent-encoded.
pub fn href(path: &str) -> Element {
    Element::new(PropName::dav("href")).with_text(stream::percent_encode(path))
}
