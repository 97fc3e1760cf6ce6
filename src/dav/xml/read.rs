//! Reading a request body into an [`Element`] tree, refusing what a DAV body never
//! needs and an attacker would use: DOCTYPEs (and so entity declarations), deep
//! nesting, huge element counts. Names are resolved to namespaces here, once, so the
//! request parsers never see a prefix.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{Element, Node, PropName, XmlError};

/// Deepest element nesting accepted. Real bodies stay near 8 (a calendar-query
/// filter on a parameter); PROPPATCH values of dead properties get the rest.
pub const MAX_DEPTH: usize = 64;

/// Most elements accepted in one body; a calendar-multiget of a few thousand hrefs fits.
pub const MAX_ELEMENTS: usize = 20_000;

/// Reads `body` into its root element; `None` when it has none (empty or whitespace).
pub(crate) fn read_document(body: &[u8]) -> Result<Option<Element>, XmlError> {
    let text = std::str::from_utf8(body).map_err(|error| XmlError::NotUtf8 {
        offset: error.valid_up_to() as u64,
    })?;
    let mut reader = NsReader::from_str(text);
    let mut tree = TreeBuilder::default();
    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|error| XmlError::Malformed {
            offset: reader.error_position(),
            reason: error.to_string(),
        })?;
        match event {
            Event::Start(start) => tree.open(element(&reader, &start, offset)?, offset)?,
            Event::Empty(start) => {
                tree.open(element(&reader, &start, offset)?, offset)?;
                tree.close();
            }
            Event::End(_) => tree.close(),
            Event::Text(text) => tree.text(&text.xml10_content(), offset)?,
            Event::CData(data) => tree.text(&data.xml10_content(), offset)?,
            Event::GeneralRef(reference) => tree.text(&resolve(&reference, offset)?, offset)?,
            Event::DocType(_) => return Err(XmlError::Doctype { offset }),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => return tree.finish(offset),
        }
    }
}

/// The element a start tag opens: resolved name and unqualified attributes.
fn element(reader: &NsReader<&[u8]>, start: &BytesStart, offset: u64) -> Result<Element, XmlError> {
    let (namespace, local) = reader.resolver().resolve_element(start.name());
    let namespace = match namespace {
        ResolveResult::Bound(namespace) => namespace.0.to_owned(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(prefix) => {
            return Err(malformed(offset, format!("unbound prefix {prefix:?}")));
        }
    };
    let local: &str = local.as_ref();
    if !is_local_name(local) {
        return Err(malformed(
            offset,
            format!("{local:?} is not an element name"),
        ));
    }
    let mut element = Element::new(PropName::new(&namespace, local));
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| malformed(offset, error.to_string()))?;
        if attribute.key.prefix().is_some() || attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let key: &str = attribute.key.as_ref();
        if !is_local_name(key) {
            return Err(malformed(
                offset,
                format!("{key:?} is not an attribute name"),
            ));
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| malformed(offset, error.to_string()))?;
        element
            .attributes
            .push((key.to_owned(), value.into_owned()));
    }
    Ok(element)
}

/// The text of `&name;`: a character reference or one of the five predefined
/// entities. Anything else is undeclared, since no DTD is accepted.
fn resolve(reference: &BytesRef, offset: u64) -> Result<String, XmlError> {
    match reference.resolve_char_ref() {
        Ok(Some(character)) => Ok(character.to_string()),
        Ok(None) => resolve_xml_entity(reference)
            .map(str::to_owned)
            .ok_or_else(|| malformed(offset, format!("undeclared entity &{};", &**reference))),
        Err(error) => Err(malformed(offset, error.to_string())),
    }
}

/// True when `name` can stand as a local name in XML (an NCName, roughly): quick-xml
/// takes everything up to a space or `>` as the name, `<D:p<x` included, and a name
/// read here may be written back into a multistatus (an unknown property's 404).
fn is_local_name(name: &str) -> bool {
    let mut chars = name.chars();
    let allowed = |c: char| !c.is_ascii() && !c.is_whitespace() && !c.is_control();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || allowed(c))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') || allowed(c))
}

fn malformed(offset: u64, reason: String) -> XmlError {
    XmlError::Malformed { offset, reason }
}

/// The elements being read (innermost last) and the finished root.
#[derive(Default)]
struct TreeBuilder {
    open: Vec<Element>,
    root: Option<Element>,
    count: usize,
}

impl TreeBuilder {
    fn open(&mut self, element: Element, offset: u64) -> Result<(), XmlError> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(malformed(offset, "a second root element".to_owned()));
        }
        if self.open.len() == MAX_DEPTH {
            let limit = MAX_DEPTH;
            return Err(XmlError::TooDeep { offset, limit });
        }
        self.count += 1;
        if self.count > MAX_ELEMENTS {
            let limit = MAX_ELEMENTS;
            return Err(XmlError::TooManyElements { offset, limit });
        }
        self.open.push(element);
        Ok(())
    }

    /// Closes the innermost element; the reader has already checked that the end
    /// tag matches it.
    fn close(&mut self) {
        let mut element = self
            .open
            .pop()
            .expect("invariant: the reader refuses an end tag without a start tag");
        if element.elements().next().is_some() {
            element
                .children
                .retain(|node| !matches!(node, Node::Text(text) if text.trim().is_empty()));
        }
        match self.open.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.root = Some(element),
        }
    }

    /// Appends text to the innermost element, merging it with text just before (a
    /// text run is split into several events by references and CDATA).
    fn text(&mut self, text: &str, offset: u64) -> Result<(), XmlError> {
        let Some(element) = self.open.last_mut() else {
            return match text.trim() {
                "" => Ok(()),
                _ => Err(malformed(
                    offset,
                    "text outside the root element".to_owned(),
                )),
            };
        };
        match element.children.last_mut() {
            Some(Node::Text(previous)) => previous.push_str(text),
            _ => element.children.push(Node::Text(text.to_owned())),
        }
        Ok(())
    }

    fn finish(self, offset: u64) -> Result<Option<Element>, XmlError> {
        match self.open.last() {
            Some(element) => Err(malformed(offset, format!("{} is not closed", element.name))),
            None => Ok(self.root),
        }
    }
}
