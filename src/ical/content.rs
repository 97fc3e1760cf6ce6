//! The content-line tree of an iCalendar text (RFC 5545 §3.1, §3.4, §3.6): physical lines
//! unfolded (CRLF or LF, space or tab continuations, a leading BOM dropped), each content
//! line split into name, parameters and value by `icalendar`'s line parser, and
//! BEGIN/END nesting checked here. The nesting is ours rather than `icalendar`'s
//! `read_calendar` so that every component and property keeps the line it started on
//! (for errors) and its original text (which `write` copies instead of re-serialising).
//!
//! Must not know: what any component or property means.

use icalendar::parser::Property as ContentLine;

use super::IcalError;

/// One component, `BEGIN:NAME` … `END:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its name, upper-case (`VEVENT`).
    pub name: String,
    /// Line of its `BEGIN`.
    pub line: usize,
    /// Its properties in order.
    pub properties: Vec<Property>,
    /// Its sub-components in order.
    pub components: Vec<Component>,
}

/// One property (content line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Its name, upper-case (`DTSTART`).
    pub name: String,
    /// Its parameters: names upper-case, values without surrounding quotes.
    pub params: Vec<(String, String)>,
    /// Its value; TEXT values of the RFC 5545 properties are unescaped.
    pub value: String,
    /// Line where it started.
    pub line: usize,
    /// The unfolded content line as received.
    pub text: String,
}

impl Component {
    /// The first property called `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Every property called `name`.
    pub fn properties_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> {
        self.properties.iter().filter(move |p| p.name == name)
    }

    /// The value of the first property called `name`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.property(name).map(|p| p.value.as_str())
    }
}

impl Property {
    /// The value of its parameter `name` (upper-case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The error saying its value is not of its type.
    pub fn invalid(&self) -> IcalError {
        IcalError::InvalidValue {
            line: self.line,
            property: self.name.clone(),
            value: self.value.clone(),
        }
    }

    fn parse(text: String, line: usize) -> Result<Self, IcalError> {
        let parsed = ContentLine::try_from(text.as_str())
            .ok()
            .filter(|parsed| !parsed.name.as_str().is_empty())
            .ok_or_else(|| malformed(line, "not a content line (NAME;PARAM=VALUE:VALUE)"))?;
        let name = parsed.name.as_str().to_ascii_uppercase();
        let params = parsed
            .params
            .iter()
            .map(|param| {
                let value = param.val.as_ref().map_or("", |v| v.as_str());
                (param.key.as_str().to_ascii_uppercase(), value.to_string())
            })
            .collect();
        let value = parsed.val.as_str().to_string();
        Ok(Property {
            name,
            params,
            value,
            line,
            text,
        })
    }
}

/// The top-level components of `text` (a CalDAV resource has one: VCALENDAR).
pub fn parse(text: &str) -> Result<Vec<Component>, IcalError> {
    let mut roots = Vec::new();
    let mut open: Vec<Component> = Vec::new();
    for (line, content) in unfolded_lines(text) {
        if let Some(name) = keyword(&content, "BEGIN") {
            open.push(Component {
                name,
                line,
                properties: Vec::new(),
                components: Vec::new(),
            });
        } else if let Some(name) = keyword(&content, "END") {
            let done = match open.pop() {
                Some(done) if done.name == name => done,
                Some(done) => {
                    return Err(malformed(
                        line,
                        format!("END:{name} closes BEGIN:{}", done.name),
                    ));
                }
                None => return Err(malformed(line, format!("END:{name} without BEGIN"))),
            };
            match open.last_mut() {
                Some(parent) => parent.components.push(done),
                None => roots.push(done),
            }
        } else {
            let parent = open
                .last_mut()
                .ok_or_else(|| malformed(line, "content line outside any component"))?;
            parent.properties.push(Property::parse(content, line)?);
        }
    }
    match open.pop() {
        Some(unclosed) => Err(malformed(
            unclosed.line,
            format!("BEGIN:{} is never closed", unclosed.name),
        )),
        None => Ok(roots),
    }
}

/// Logical lines with the number of the physical line each starts on; blank lines dropped.
fn unfolded_lines(text: &str) -> Vec<(usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, physical) in text.split('\n').enumerate() {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        match (physical.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(continuation), Some((_, current))) => current.push_str(continuation),
            _ if physical.trim().is_empty() => {}
            _ => lines.push((index + 1, physical.to_string())),
        }
    }
    lines
}

/// The upper-cased value of a `BEGIN:`/`END:` line.
fn keyword(content: &str, word: &str) -> Option<String> {
    let (name, value) = content.split_once(':')?;
    name.trim()
        .eq_ignore_ascii_case(word)
        .then(|| value.trim().to_ascii_uppercase())
}

fn malformed(line: usize, message: impl Into<String>) -> IcalError {
    IcalError::Malformed {
        line,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_crlf_and_lf_continuations_and_keeps_start_lines() {
        for text in [
            "BEGIN:VCALENDAR\r\nX-A:one\r\n  two\r\n\tthree\r\nEND:VCALENDAR\r\n",
            "BEGIN:VCALENDAR\nX-A:one\n  two\n\tthree\nEND:VCALENDAR",
            "\u{feff}BEGIN:VCALENDAR\n\nX-A:one\n  two\n\tthree\nend:vcalendar\n",
        ] {
            let roots = parse(text).expect("valid text");
            let property = &roots[0].properties[0];
            assert_eq!(property.value, "one twothree", "{text:?}");
            assert_eq!(property.text, "X-A:one twothree");
        }
        let roots = parse("BEGIN:VCALENDAR\nX-A:1\n 2\nX-B:3\nEND:VCALENDAR").expect("valid");
        let lines: Vec<usize> = roots[0].properties.iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn splits_parameters_unquotes_and_upper_cases_names() {
        let roots = parse(
            "BEGIN:VEVENT\r\nattendee;cn=\"Doe, Jane\";PARTSTAT=ACCEPTED:MAILTO:jane@example.com\r\nSUMMARY:a\\, b\\; c\\nd\r\nEND:VEVENT\r\n",
        )
        .expect("valid");
        let attendee = roots[0].property("ATTENDEE").expect("attendee");
        assert_eq!(attendee.param("CN"), Some("Doe, Jane"));
        assert_eq!(attendee.param("PARTSTAT"), Some("ACCEPTED"));
        assert_eq!(attendee.value, "MAILTO:jane@example.com");
        assert_eq!(roots[0].value("SUMMARY"), Some("a, b; c\nd"));
    }

    #[test]
    fn refuses_broken_nesting_with_the_line() {
        for (text, line) in [
            ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n", 3),
            ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\n", 2),
            ("END:VEVENT\n", 1),
            ("UID:1\n", 1),
            ("BEGIN:VCALENDAR\n:no name\nEND:VCALENDAR\n", 2),
        ] {
            match parse(text) {
                Err(IcalError::Malformed { line: at, .. }) => assert_eq!(at, line, "{text:?}"),
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }
}
