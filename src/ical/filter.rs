//! The CalDAV query vocabulary (RFC 4791 §9.7–9.9): filters over calendar components
//! and what part of the calendar data to return. `dav` builds these from XML; this
//! module evaluates them against parsed calendar objects.

use chrono::{DateTime, Utc};

/// A time range; either end may be open (RFC 4791 §9.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// Inclusive start; `None` is the beginning of time.
    pub start: Option<DateTime<Utc>>,
    /// Exclusive end; `None` is the end of time.
    pub end: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// True when the span `[start, end)` overlaps the range (RFC 4791 §9.9); a span without
    /// length (`start == end`) overlaps when the range holds its instant.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let after_range_start = self.start.is_none_or(|from| {
            if end > start {
                from < end
            } else {
                from <= start
            }
        });
        let before_range_end = self.end.is_none_or(|until| start < until);
        after_range_start && before_range_end
    }

    /// True when the range holds `instant`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.overlaps(instant, instant)
    }
}

/// How text is compared (RFC 4790 collations named by RFC 4791 §7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    /// `i;ascii-casemap`: ASCII letters compare case-insensitively (the default).
    #[default]
    AsciiCasemap,
    /// `i;octet`: bytes compare exactly.
    Octet,
}

/// `CALDAV:text-match`: a substring test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    /// The text to look for.
    pub text: String,
    /// How to compare.
    pub collation: Collation,
    /// `negate-condition="yes"`.
    pub negate: bool,
}

impl TextMatch {
    /// True when `value` contains the text under the collation, or does not when negated.
    pub fn matches(&self, value: &str) -> bool {
        let found = match self.collation {
            Collation::AsciiCasemap => value
                .to_ascii_lowercase()
                .contains(&self.text.to_ascii_lowercase()),
            Collation::Octet => value.contains(&self.text),
        };
        found != self.negate
    }
}

/// `CALDAV:param-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamFilter {
    /// Parameter name, upper-case (`PARTSTAT`).
    pub name: String,
    /// `is-not-defined`: matches when the parameter is absent.
    pub is_not_defined: bool,
    /// Condition on the parameter's value.
    pub text_match: Option<TextMatch>,
}

/// `CALDAV:prop-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropFilter {
    /// Property name, upper-case (`SUMMARY`, `ATTENDEE`).
    pub name: String,
    /// `is-not-defined`: matches when the property is absent.
    pub is_not_defined: bool,
    /// Condition on a date-time property's value.
    pub time_range: Option<TimeRange>,
    /// Condition on the property's text value.
    pub text_match: Option<TextMatch>,
    /// Conditions on its parameters (all must hold).
    pub param_filters: Vec<ParamFilter>,
}

/// `CALDAV:comp-filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompFilter {
    /// Component name, upper-case (`VCALENDAR`, `VEVENT`, `VTODO`, `VALARM`).
    pub name: String,
    /// `is-not-defined`: matches when no such component exists.
    pub is_not_defined: bool,
    /// The component (any occurrence of it, for recurring ones) overlaps this range.
    pub time_range: Option<TimeRange>,
    /// Conditions on its properties (all must hold).
    pub prop_filters: Vec<PropFilter>,
    /// Conditions on its sub-components (all must hold).
    pub comp_filters: Vec<CompFilter>,
}

/// What `CALDAV:calendar-data` in a REPORT asks for beyond the object itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalendarDataRequest {
    /// `expand`: return the occurrences in this range as separate instances, in UTC,
    /// without VTIMEZONE (RFC 4791 §9.6.5).
    pub expand: Option<TimeRange>,
    /// `limit-recurrence-set`: return the master plus only the overrides that
    /// overlap this range (RFC 4791 §9.6.6).
    pub limit_recurrence_set: Option<TimeRange>,
    /// `limit-freebusy-set` (RFC 4791 §9.6.7).
    pub limit_freebusy_set: Option<TimeRange>,
}
