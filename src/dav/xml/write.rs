//! Writing an [`Element`] tree as a UTF-8 document. The known namespaces get their
//! prefixes (`D:`, `C:`, `CS:`, `ICAL:`) declared once on the root; an element in any
//! other namespace (an echoed dead property) declares its own as the default.

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::name::PREFIXES;
use super::{Element, Node};

/// `<?xml version="1.0" encoding="utf-8"?>` followed by `root`.
pub(crate) fn write_document(root: &Element) -> Vec<u8> {
    let mut writer = Writer::new(Vec::new());
    emit(
        &mut writer,
        Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)),
    );
    write_element(&mut writer, root, true);
    writer.into_inner()
}

fn write_element(writer: &mut Writer<Vec<u8>>, element: &Element, is_root: bool) {
    let name = match element.name.prefix() {
        Some(prefix) => format!("{prefix}:{}", element.name.local),
        None => element.name.local.clone(),
    };
    let mut start = BytesStart::new(name.as_str());
    if is_root {
        for (prefix, namespace) in PREFIXES {
            start.push_attribute((format!("xmlns:{prefix}").as_str(), namespace));
        }
    }
    if element.name.prefix().is_none() {
        start.push_attribute(("xmlns", element.name.namespace.as_str()));
    }
    for (key, value) in &element.attributes {
        start.push_attribute((key.as_str(), value.as_str()));
    }
    if element.children.is_empty() {
        return emit(writer, Event::Empty(start));
    }
    emit(writer, Event::Start(start));
    for child in &element.children {
        match child {
            Node::Element(child) => write_element(writer, child, false),
            Node::Text(text) => {
                // A raw CR would be normalised away by the reader's XML parser; iCalendar
                // needs its CRLF line ends, so CR travels as a character reference.
                let escaped = partial_escape(text.as_str()).replace('\r', "&#13;");
                emit(writer, Event::Text(BytesText::from_escaped(escaped)))
            }
        }
    }
    emit(writer, Event::End(BytesEnd::new(name)));
}

fn emit(writer: &mut Writer<Vec<u8>>, event: Event) {
    writer
        .write_event(event)
        .expect("invariant: writing to a Vec<u8> cannot fail");
}
