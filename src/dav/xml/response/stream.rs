//! The multistatus body written straight into one buffer: no element tree, and no
//! allocation per element or per member. A PROPFIND of a 2,000-event calendar writes
//! its ~400 KB this way in a fraction of a millisecond. Output matches
//! `write_document`'s: the four known prefixes declared on the root, other namespaces
//! declared where used.

use std::fmt::Write as _;

use hyper::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::super::name::PREFIXES;
use super::super::{Element, Node, PropName};
use super::PropValue;

/// Bytes an href keeps as they are: RFC 3986 `pchar` and `/`, so `%`, spaces, `?`, `#`
/// and non-ASCII are escaped while `:` and `@` of `mailto:` URIs stay readable.
const HREF_KEPT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// `path` percent-encoded for an href.
pub(super) fn percent_encode(path: &str) -> String {
    utf8_percent_encode(path, HREF_KEPT).to_string()
}

/// Appends `text` escaped for element content or a double-quoted attribute; CR goes
/// as a character reference so iCalendar's CRLF survives the reader's XML parser.
pub(super) fn escape(out: &mut String, text: &str) {
    // iCalendar text has a CR on every line and rarely anything else to escape, so the
    // scan is what costs. `>` and `"` are looked for once over the whole text; when
    // there are none (the usual case) one memchr3 per run finds the rest.
    let bytes = text.as_bytes();
    out.reserve(text.len() + text.len() / 8);
    if memchr::memchr2(b'>', b'"', bytes).is_none() {
        escape_runs(out, text, memchr::memchr3_iter(b'&', b'<', b'\r', bytes));
    } else {
        let specials = bytes
            .iter()
            .enumerate()
            .filter(|(_, byte)| matches!(byte, b'&' | b'<' | b'>' | b'"' | b'\r'))
            .map(|(position, _)| position);
        escape_runs(out, text, specials);
    }
}

/// Copies `text` to `out` run by run, replacing the special byte at each of
/// `specials` (ascending; all specials are ASCII, so every run boundary is a character
/// boundary).
fn escape_runs(out: &mut String, text: &str, specials: impl Iterator<Item = usize>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    for position in specials {
        out.push_str(&text[at..position]);
        out.push_str(match bytes[position] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#13;",
        });
        at = position + 1;
    }
    out.push_str(&text[at..]);
}

/// Writes `name` as the writer qualifies it: `D:getetag`, or the bare local name for
/// a namespace without a prefix.
fn qualified(out: &mut String, name: &PropName) {
    if let Some(prefix) = name.prefix() {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(&name.local);
}

/// Opens `name`, with a default-namespace declaration when it has no prefix.
fn open(out: &mut String, name: &PropName, empty: bool) {
    out.push('<');
    qualified(out, name);
    if name.prefix().is_none() {
        out.push_str(" xmlns=\"");
        escape(out, &name.namespace);
        out.push('"');
    }
    out.push_str(if empty { "/>" } else { ">" });
}

fn close(out: &mut String, name: &PropName) {
    out.push_str("</");
    qualified(out, name);
    out.push('>');
}

fn element(out: &mut String, element: &Element) {
    let empty = element.children.is_empty();
    out.push('<');
    qualified(out, &element.name);
    if element.name.prefix().is_none() {
        out.push_str(" xmlns=\"");
        escape(out, &element.name.namespace);
        out.push('"');
    }
    for (key, value) in &element.attributes {
        let _ = write!(out, " {key}=\"");
        escape(out, value);
        out.push('"');
    }
    if empty {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &element.children {
        match child {
            Node::Element(child) => self::element(out, child),
            Node::Text(text) => escape(out, text),
        }
    }
    close(out, &element.name);
}

/// `<D:href>` of a decoded path, percent-encoded and escaped on the way.
pub(super) fn href(out: &mut String, path: &str) {
    out.push_str("<D:href>");
    for piece in utf8_percent_encode(path, HREF_KEPT) {
        escape(out, piece);
    }
    out.push_str("</D:href>");
}

pub(super) fn status(out: &mut String, status: StatusCode) {
    out.push_str("<D:status>HTTP/1.1 ");
    out.push_str(status.as_str());
    if let Some(reason) = status.canonical_reason() {
        out.push(' ');
        out.push_str(reason);
    }
    out.push_str("</D:status>");
}

pub(super) fn property(out: &mut String, name: &PropName, value: &PropValue) {
    let empty = matches!(value, PropValue::Empty)
        || matches!(value, PropValue::Hrefs(list) if list.is_empty());
    open(out, name, empty);
    if empty {
        return;
    }
    match value {
        PropValue::Empty => {}
        PropValue::Text(text) => escape(out, text),
        PropValue::Shared(text) => escape(out, text),
        PropValue::Href(path) => href(out, path),
        PropValue::Hrefs(paths) => paths.iter().for_each(|path| href(out, path)),
        PropValue::Elements(elements) => elements.iter().for_each(|child| element(out, child)),
    }
    close(out, name);
}

/// The start of a multistatus document, up to its first response.
pub(super) fn start(out: &mut String) {
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?><D:multistatus");
    for (prefix, namespace) in PREFIXES {
        let _ = write!(out, " xmlns:{prefix}=\"{namespace}\"");
    }
    out.push('>');
}

/// The end of a multistatus document, with its sync token.
pub(super) fn finish(out: &mut String, sync_token: Option<&str>) {
    if let Some(token) = sync_token {
        out.push_str("<D:sync-token>");
        escape(out, token);
        out.push_str("</D:sync-token>");
    }
    out.push_str("</D:multistatus>");
}

#[cfg(test)]
mod tests {
    use super::{escape, percent_encode};

    #[test]
    fn escaping_keeps_text_and_marks_only_the_specials() {
        let mut out = String::new();
        escape(&mut out, "Café €5 <b>&\"x\"\r\nSUMMARY:ü");
        assert_eq!(out, "Café €5 &lt;b&gt;&amp;&quot;x&quot;&#13;\nSUMMARY:ü");
        let mut plain = String::new();
        escape(&mut plain, "");
        assert!(plain.is_empty());
    }

    #[test]
    fn escaping_finds_rare_specials_before_and_after_common_ones() {
        let mut out = String::new();
        escape(&mut out, "a>b\r\nc\"d&e>f");
        assert_eq!(out, "a&gt;b&#13;\nc&quot;d&amp;e&gt;f");
        let mut only_rare = String::new();
        escape(&mut only_rare, "x>\"y");
        assert_eq!(only_rare, "x&gt;&quot;y");
    }

    #[test]
    fn hrefs_keep_path_characters_and_encode_the_rest() {
        assert_eq!(
            percent_encode("/dav/a b/ü?#%/mailto:x@y"),
            "/dav/a%20b/%C3%BC%3F%23%25/mailto:x@y"
        );
    }
}
