//! Request bodies as typed requests: PROPFIND and PROPPATCH (RFC 4918 §9.1–9.2),
//! MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689), and REPORTs
//! ([`parse_report`]). Elements are matched by resolved namespace, never by prefix; unknown
//! child elements are ignored (RFC 4918 §17), unknown properties kept.

mod filter;
mod report;
#[cfg(test)]
mod tests;

pub use report::{
    CalendarMultiget, CalendarQuery, Report, SyncCollection, SyncLevel, parse_report,
};

use super::name::{CALDAV, DAV};
use super::read::read_document;
use super::{Element, PropName, XmlError};

/// Which properties a PROPFIND or REPORT asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropSelection {
    /// `DAV:allprop`, with the extra properties of `DAV:include`.
    AllProp {
        /// Properties wanted on top of the allprop set.
        include: Vec<PropName>,
    },
    /// `DAV:propname`: names only, no values.
    PropNames,
    /// `DAV:prop`: exactly these.
    Prop(Vec<PropName>),
}

/// One instruction of a PROPPATCH, applied in document order (RFC 4918 §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropPatchOp {
    /// `DAV:set`: the property element with its value, as sent. Text values
    /// (displayname, calendar-color, …) are its [`Element::text`].
    Set(Element),
    /// `DAV:remove`.
    Remove(PropName),
}

/// The body of MKCALENDAR or extended MKCOL: what to create and its initial properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MkCollection {
    /// The `DAV:resourcetype` asked for (`DAV:collection`, `CALDAV:calendar`); empty
    /// when not given, as in a MKCALENDAR.
    pub resourcetype: Vec<PropName>,
    /// `CALDAV:supported-calendar-component-set`, upper-case (`VEVENT`), if given.
    pub components: Option<Vec<String>>,
    /// The other properties to set, as a PROPPATCH would.
    pub props: Vec<Element>,
}

/// Parses a PROPFIND body; an empty body means allprop (RFC 4918 §9.1).
pub fn parse_propfind(body: &[u8]) -> Result<PropSelection, XmlError> {
    let expected = PropName::dav("propfind");
    let Some(root) = root(body, &expected)? else {
        return Ok(PropSelection::AllProp {
            include: Vec::new(),
        });
    };
    selection(&root).ok_or(XmlError::Missing {
        parent: expected,
        child: PropName::dav("prop"),
    })
}

/// Parses a PROPPATCH body into its set and remove instructions, in order.
pub fn parse_proppatch(body: &[u8]) -> Result<Vec<PropPatchOp>, XmlError> {
    let root = root(body, &PropName::dav("propertyupdate"))?.ok_or(XmlError::EmptyBody {
        method: "PROPPATCH",
    })?;
    let mut operations = Vec::new();
    for instruction in root.elements() {
        if instruction.is(DAV, "set") {
            operations.extend(properties(instruction).cloned().map(PropPatchOp::Set));
        } else if instruction.is(DAV, "remove") {
            let names = properties(instruction).map(|property| property.name.clone());
            operations.extend(names.map(PropPatchOp::Remove));
        }
    }
    Ok(operations)
}

/// Parses a MKCALENDAR body (`CALDAV:mkcalendar`); an empty body sets nothing.
pub fn parse_mkcalendar(body: &[u8]) -> Result<MkCollection, XmlError> {
    mk_collection(body, &PropName::caldav("mkcalendar"))
}

/// Parses an extended MKCOL body (`DAV:mkcol`, RFC 5689); an empty body is a plain MKCOL.
pub fn parse_mkcol(body: &[u8]) -> Result<MkCollection, XmlError> {
    mk_collection(body, &PropName::dav("mkcol"))
}

fn mk_collection(body: &[u8], expected: &PropName) -> Result<MkCollection, XmlError> {
    let mut collection = MkCollection::default();
    let Some(root) = root(body, expected)? else {
        return Ok(collection);
    };
    let sets = root.elements().filter(|child| child.is(DAV, "set"));
    for property in sets.flat_map(properties) {
        if property.is(DAV, "resourcetype") {
            collection.resourcetype = names(property);
        } else if property.is(CALDAV, "supported-calendar-component-set") {
            collection.components = Some(components(property)?);
        } else {
            collection.props.push(property.clone());
        }
    }
    Ok(collection)
}

/// The `name` attributes of the `CALDAV:comp` children, upper-case.
fn components(set: &Element) -> Result<Vec<String>, XmlError> {
    set.elements()
        .filter(|child| child.is(CALDAV, "comp"))
        .map(filter::name_attribute)
        .collect()
}

/// The root element of `body`, which must be `expected`; `None` for an empty body.
fn root(body: &[u8], expected: &PropName) -> Result<Option<Element>, XmlError> {
    match read_document(body)? {
        Some(root) if root.name != *expected => Err(XmlError::UnexpectedRoot {
            expected: expected.clone(),
            found: root.name,
        }),
        root => Ok(root),
    }
}

/// The `DAV:prop`, `DAV:propname` or `DAV:allprop` (+ `DAV:include`) under `parent`.
fn selection(parent: &Element) -> Option<PropSelection> {
    if let Some(prop) = parent.child(DAV, "prop") {
        return Some(PropSelection::Prop(names(prop)));
    }
    if parent.child(DAV, "propname").is_some() {
        return Some(PropSelection::PropNames);
    }
    parent.child(DAV, "allprop")?;
    let include = parent.child(DAV, "include").map(names);
    Some(PropSelection::AllProp {
        include: include.unwrap_or_default(),
    })
}

/// The property elements inside the `DAV:prop` children of a set or remove.
fn properties(instruction: &Element) -> impl Iterator<Item = &Element> {
    instruction
        .elements()
        .filter(|child| child.is(DAV, "prop"))
        .flat_map(Element::elements)
}

/// The names of the child elements.
fn names(parent: &Element) -> Vec<PropName> {
    parent.elements().map(|child| child.name.clone()).collect()
}

/// The child `name` of `parent`, which the RFC requires.
fn required(parent: &Element, child: PropName) -> Result<&Element, XmlError> {
    parent
        .elements()
        .find(|element| element.name == child)
        .ok_or_else(|| XmlError::Missing {
            parent: parent.name.clone(),
            child,
        })
}

/// An [`XmlError::InvalidValue`] for `value` of `element`.
fn invalid(element: &Element, value: &str, expected: &'static str) -> XmlError {
    XmlError::InvalidValue {
        element: element.name.clone(),
        value: value.to_owned(),
        expected,
    }
}
