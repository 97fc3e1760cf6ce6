//! The calendar text Kairos writes, built by hand rather than through `icalendar`'s
//! serialiser (which reorders properties, drops repeats and invents UIDs): CRLF line
//! endings, lines folded at 75 octets on UTF-8 boundaries, TEXT values escaped
//! (RFC 5545 §3.1, §3.3.11), PRODID `-//Kairos//Kairos//EN`, VERSION 2.0.
//!
//! Must not know: where the text goes (CalDAV, mail, the free/busy URL).

mod appointment;
mod expand;
mod freebusy;
mod reply;
mod vtimezone;

pub use appointment::{
    AppointmentEvent, EventStatus, Method, PartStat, Participant, appointment, appointment_message,
};
pub use expand::{expanded, limited_recurrence_set};
pub use freebusy::freebusy;
pub use reply::{counter, decline_counter, reply};
pub use vtimezone::vtimezone;

use chrono::{DateTime, NaiveDate, Utc};

use super::content::Component;

/// The PRODID of everything Kairos writes.
const PRODID: &str = "-//Kairos//Kairos//EN";
/// Longest line in octets, CRLF excluded (RFC 5545 §3.1).
const MAX_OCTETS: usize = 75;

/// Calendar text under construction.
#[derive(Debug, Default)]
struct ContentLines {
    text: String,
}

impl ContentLines {
    /// A VCALENDAR opened with VERSION and PRODID.
    fn calendar() -> Self {
        let mut lines = Self::default();
        lines.line("BEGIN:VCALENDAR");
        lines.line("VERSION:2.0");
        lines.line(&format!("PRODID:{PRODID}"));
        lines
    }

    /// Appends one content line, folded.
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars().filter(|c| *c != '\r' && *c != '\n') {
            if width + c.len_utf8() > MAX_OCTETS {
                self.text.push_str("\r\n ");
                width = 1;
            }
            self.text.push(c);
            width += c.len_utf8();
        }
        self.text.push_str("\r\n");
    }

    /// Appends `NAME:value` with `value` escaped as TEXT.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }

    /// Appends a component as received: its original content lines, refolded.
    fn component(&mut self, component: &Component) {
        self.line(&format!("BEGIN:{}", component.name));
        for property in &component.properties {
            self.line(&property.text);
        }
        for child in &component.components {
            self.component(child);
        }
        self.line(&format!("END:{}", component.name));
    }

    /// Closes the VCALENDAR and returns the text.
    fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.text
    }
}

/// A TEXT value escaped (RFC 5545 §3.3.11): `\`, `;`, `,` and newlines.
fn escape_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.replace("\r\n", "\n").chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A parameter value: quoted when it holds `:`, `;` or `,`; DQUOTE and controls, which
/// no parameter value may hold, become `'` and space.
fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// A UTC DATE-TIME value (`20260330T080000Z`).
fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A DATE value (`20260330`).
fn date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        for line in [
            format!("SUMMARY:{}", "a".repeat(200)),
            format!("SUMMARY:{}", "ü".repeat(100)),
            format!("SUMMARY:{}", "日本語".repeat(40)),
            format!("X:{}", "🗓".repeat(30)),
        ] {
            let mut lines = ContentLines::default();
            lines.line(&line);
            let physical: Vec<&str> = lines
                .text
                .strip_suffix("\r\n")
                .expect("CRLF")
                .split("\r\n")
                .collect();
            assert!(physical.len() > 1, "{line}");
            assert!(
                physical.iter().all(|p| p.len() <= MAX_OCTETS),
                "{physical:?}"
            );
            assert!(physical[1..].iter().all(|p| p.starts_with(' ')));
            let unfolded: String = physical
                .iter()
                .enumerate()
                .map(|(i, p)| if i == 0 { *p } else { &p[1..] })
                .collect();
            assert_eq!(unfolded, line);
        }
    }

    #[test]
    fn text_and_parameter_values_are_escaped() {
        for (value, escaped) in [
            ("plain", "plain"),
            ("a;b,c\\d", "a\\;b\\,c\\\\d"),
            ("line one\r\nline two\nthree", "line one\\nline two\\nthree"),
        ] {
            assert_eq!(escape_text(value), escaped);
        }
        for (value, written) in [
            ("Jane Doe", "Jane Doe"),
            ("Doe, Jane", "\"Doe, Jane\""),
            ("Jane \"JD\" Doe", "Jane 'JD' Doe"),
            ("a\nb", "a b"),
        ] {
            assert_eq!(param_value(value), written);
        }
    }
}
