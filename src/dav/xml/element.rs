//! `Element`: the small owned XML tree that request bodies are read into and
//! response bodies are written from. A PROPPATCH value travels in it unchanged, so a
//! dead property can be stored and echoed back as it came.

use super::PropName;

/// An XML element: its name, unqualified attributes and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The resolved name.
    pub name: PropName,
    /// Attributes in no namespace (`name`, `start`, `collation`, …), in document
    /// order. Namespaced attributes (`xml:lang`, …) are not kept.
    pub attributes: Vec<(String, String)>,
    /// Child elements and text, in document order. Whitespace-only text between
    /// child elements is dropped on reading; text of a leaf is kept verbatim.
    pub children: Vec<Node>,
}

/// A child of an [`Element`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (entities, character references and CDATA already resolved).
    Text(String),
}

impl Element {
    /// An empty element.
    pub fn new(name: PropName) -> Self {
        Self {
            name,
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    /// This element with one more attribute.
    pub fn with_attribute(mut self, name: &str, value: &str) -> Self {
        self.attributes.push((name.to_owned(), value.to_owned()));
        self
    }

    /// This element with one more child element.
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(Node::Element(child));
        self
    }

    /// This element with text appended.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.children.push(Node::Text(text.into()));
        self
    }

    /// Whether this element is `local` in `namespace`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.name.is(namespace, local)
    }

    /// The child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The first child element named `local` in `namespace`.
    pub fn child(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.elements().find(|child| child.is(namespace, local))
    }

    /// The value of the unqualified attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The text directly inside this element (`displayname`, `calendar-color`,
    /// `calendar-timezone`, an `href`), untrimmed.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}
