//! iCalendar parsing and recurrence expansion, as a CalDAV PUT and the REPORT and
//! free/busy paths use them: the text is parsed and validated, its span computed (what a
//! PUT stores), then its instances expanded over a year from its first one: occurrences
//! (free/busy), a calendar-query filter with time ranges on the event, its alarms and its
//! start, `expand` and `limit-recurrence-set`, and the VFREEBUSY written from them.
#![no_main]

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kairos::domain::Interval;
use kairos::ical::filter::{CompFilter, PropFilter, TextMatch, TimeRange};
use kairos::ical::{CalendarObject, write};
use libfuzzer_sys::fuzz_target;

/// The zone floating times and dates are read in: one with DST.
const FLOATING: Tz = chrono_tz::Europe::Berlin;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(object) = CalendarObject::parse(text) else {
        return;
    };
    let _ = (
        object.uid(),
        object.kind(),
        object.summary(),
        object.organizer(),
    );
    let _ = (
        object.attendees(),
        object.attendee_answers(),
        object.organizer_name(),
    );
    let _ = (
        object.is_recurring(),
        object.is_cancelled(),
        object.is_transparent(),
    );
    let span = object.span(FLOATING);
    let start = span.map_or_else(default_start, |span| span.start);
    let end = start
        .checked_add_signed(Duration::days(366))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let Some(window) = Interval::new(start, end) else {
        return;
    };
    let busy: Vec<Interval> = object
        .occurrences(window, FLOATING)
        .into_iter()
        .filter(|occurrence| !occurrence.transparent)
        .map(|occurrence| occurrence.interval)
        .collect();
    let _ = write::freebusy(None, window, &busy, start);
    let range = TimeRange {
        start: Some(start),
        end: Some(end),
    };
    let _ = object.matches(&query(range, object.kind().name()), FLOATING);
    let _ = write::expanded(&object, &range, FLOATING);
    let _ = write::limited_recurrence_set(&object, &range, FLOATING);
});

fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("invariant: a valid fixed date")
}

/// VCALENDAR ⊃ <kind> in `range` with a SUMMARY and a DTSTART in it, ⊃ VALARM in it.
fn query(range: TimeRange, kind: &str) -> CompFilter {
    let alarm = CompFilter {
        name: "VALARM".into(),
        is_not_defined: false,
        time_range: Some(range),
        prop_filters: Vec::new(),
        comp_filters: Vec::new(),
    };
    let summary = PropFilter {
        name: "SUMMARY".into(),
        is_not_defined: false,
        time_range: None,
        text_match: Some(TextMatch {
            text: "a".into(),
            collation: Default::default(),
            negate: true,
        }),
        param_filters: Vec::new(),
    };
    let dtstart = PropFilter {
        name: "DTSTART".into(),
        is_not_defined: false,
        time_range: Some(range),
        text_match: None,
        param_filters: Vec::new(),
    };
    let component = CompFilter {
        name: kind.into(),
        is_not_defined: false,
        time_range: Some(range),
        prop_filters: vec![summary, dtstart],
        comp_filters: vec![alarm],
    };
    CompFilter {
        name: "VCALENDAR".into(),
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: vec![component],
    }
}
