//! Each filter kind of RFC 4791 §9.7, against the fixtures and small inline objects.

use chrono::NaiveDate;

use super::*;
use crate::ical::filter::{Collation, TextMatch};
use crate::ical::fixtures;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(h, min, 0))
        .expect("valid test time")
        .and_utc()
}

fn range(from: DateTime<Utc>, to: DateTime<Utc>) -> TimeRange {
    TimeRange {
        start: Some(from),
        end: Some(to),
    }
}

fn comp(name: &str) -> CompFilter {
    CompFilter {
        name: name.into(),
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: Vec::new(),
    }
}

fn prop(name: &str) -> PropFilter {
    PropFilter {
        name: name.into(),
        is_not_defined: false,
        time_range: None,
        text_match: None,
        param_filters: Vec::new(),
    }
}

fn text(text: &str, collation: Collation, negate: bool) -> Option<TextMatch> {
    Some(TextMatch {
        text: text.into(),
        collation,
        negate,
    })
}

/// VCALENDAR > `name` with `shape` applied to the inner filter.
fn calendar_query(name: &str, shape: impl FnOnce(&mut CompFilter)) -> CompFilter {
    let mut inner = comp(name);
    shape(&mut inner);
    CompFilter {
        comp_filters: vec![inner],
        ..comp("VCALENDAR")
    }
}

fn object(text: &str) -> CalendarObject {
    CalendarObject::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn todo(lines: &str) -> CalendarObject {
    object(&format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//EN\r\nBEGIN:VTODO\r\nUID:t\r\n{lines}END:VTODO\r\nEND:VCALENDAR\r\n"
    ))
}

#[test]
fn comp_filters_select_by_component_and_absence() {
    let apple = object(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    let google = object(fixtures::GOOGLE_ALLDAY);
    let valarm = |not: bool| {
        calendar_query("VEVENT", |f| {
            f.comp_filters = vec![CompFilter {
                is_not_defined: not,
                ..comp("VALARM")
            }]
        })
    };
    let cases: [(&CalendarObject, CompFilter, bool); 8] = [
        (&apple, comp("VCALENDAR"), true),
        (&apple, calendar_query("VEVENT", |_| {}), true),
        (&apple, calendar_query("VTODO", |_| {}), false),
        (
            &apple,
            calendar_query("VTODO", |f| f.is_not_defined = true),
            true,
        ),
        (&apple, valarm(false), true),
        (&google, valarm(false), false),
        (&google, valarm(true), true),
        (&apple, comp("VEVENT"), false),
    ];
    for (index, (object, filter, expected)) in cases.into_iter().enumerate() {
        assert_eq!(object.matches(&filter, Tz::UTC), expected, "case {index}");
    }
}

#[test]
fn time_range_on_events_sees_every_instance_and_the_moved_one() {
    let apple = object(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    for (window, expected) in [
        (
            range(utc(2026, 3, 23, 13, 0), utc(2026, 3, 23, 14, 0)),
            true,
        ),
        (range(utc(2026, 3, 16, 0, 0), utc(2026, 3, 17, 0, 0)), false),
        (
            range(utc(2026, 3, 17, 18, 30), utc(2026, 3, 17, 18, 45)),
            true,
        ),
        (
            range(utc(2026, 4, 13, 0, 0), utc(2026, 12, 31, 0, 0)),
            false,
        ),
        (
            TimeRange {
                start: Some(utc(2026, 4, 6, 13, 59)),
                end: None,
            },
            true,
        ),
    ] {
        let filter = calendar_query("VEVENT", |f| f.time_range = Some(window));
        assert_eq!(apple.matches(&filter, Tz::UTC), expected, "{window:?}");
    }
}

#[test]
fn time_range_on_alarms_uses_trigger_times() {
    let apple = object(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    for (window, expected) in [
        (
            range(utc(2026, 3, 2, 13, 40), utc(2026, 3, 2, 13, 50)),
            true,
        ),
        (
            range(utc(2026, 3, 2, 13, 50), utc(2026, 3, 2, 14, 10)),
            false,
        ),
        (
            range(utc(2026, 3, 9, 12, 45), utc(2026, 3, 9, 12, 46)),
            true,
        ),
    ] {
        let filter = calendar_query("VEVENT", |f| {
            f.comp_filters = vec![CompFilter {
                time_range: Some(window),
                ..comp("VALARM")
            }]
        });
        assert_eq!(apple.matches(&filter, Tz::UTC), expected, "{window:?}");
    }
}

#[test]
fn prop_filters_match_text_parameters_and_absence() {
    let apple = object(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    let outlook = object(fixtures::OUTLOOK_WINDOWS_TZID);
    let with = |name: &str, shape: &dyn Fn(&mut PropFilter)| {
        let mut filter = prop(name);
        shape(&mut filter);
        calendar_query("VEVENT", |f| f.prop_filters = vec![filter])
    };
    let cn = |text_match: Option<TextMatch>, is_not_defined: bool, name: &str| ParamFilter {
        name: name.into(),
        is_not_defined,
        text_match,
    };
    let cases: Vec<(&CalendarObject, CompFilter, bool)> = vec![
        (
            &apple,
            with("SUMMARY", &|p| {
                p.text_match = text("PLANNING", Collation::AsciiCasemap, false)
            }),
            true,
        ),
        (
            &apple,
            with("SUMMARY", &|p| {
                p.text_match = text("PLANNING", Collation::Octet, false)
            }),
            false,
        ),
        (
            &apple,
            with("SUMMARY", &|p| {
                p.text_match = text("planning", Collation::Octet, false)
            }),
            true,
        ),
        (
            &apple,
            with("SUMMARY", &|p| {
                p.text_match = text("planning", Collation::Octet, true)
            }),
            false,
        ),
        (
            &apple,
            with("SUMMARY", &|p| {
                p.text_match = text("review", Collation::AsciiCasemap, true)
            }),
            true,
        ),
        (&apple, with("LOCATION", &|p| p.is_not_defined = true), true),
        (
            &outlook,
            with("LOCATION", &|p| p.is_not_defined = true),
            false,
        ),
        (&outlook, with("LOCATION", &|_| {}), true),
        (
            &outlook,
            with("ATTENDEE", &|p| {
                p.text_match = text(
                    "mailto:richard.roe@example.org",
                    Collation::AsciiCasemap,
                    false,
                )
            }),
            true,
        ),
        (
            &outlook,
            with("ATTENDEE", &|p| {
                p.param_filters = vec![cn(text("roe", Collation::AsciiCasemap, false), false, "CN")]
            }),
            true,
        ),
        (
            &outlook,
            with("ATTENDEE", &|p| {
                p.param_filters = vec![cn(None, true, "PARTSTAT")]
            }),
            true,
        ),
        (
            &outlook,
            with("ATTENDEE", &|p| {
                p.param_filters = vec![cn(None, true, "RSVP")]
            }),
            false,
        ),
        (
            &outlook,
            with("ATTENDEE", &|p| {
                p.param_filters = vec![cn(None, false, "RSVP")]
            }),
            true,
        ),
    ];
    for (index, (object, filter, expected)) in cases.into_iter().enumerate() {
        assert_eq!(object.matches(&filter, Tz::UTC), expected, "case {index}");
    }
}

#[test]
fn time_range_on_properties_reads_instants_and_whole_days() {
    let google = object(fixtures::GOOGLE_ALLDAY);
    let outlook = object(fixtures::OUTLOOK_WINDOWS_TZID);
    let on = |name: &str, window: TimeRange| {
        let mut filter = prop(name);
        filter.time_range = Some(window);
        calendar_query("VEVENT", |f| f.prop_filters = vec![filter])
    };
    let cases = [
        (
            &google,
            on(
                "DTSTAMP",
                range(utc(2026, 3, 1, 12, 0), utc(2026, 3, 1, 12, 1)),
            ),
            true,
        ),
        (
            &google,
            on(
                "DTSTAMP",
                range(utc(2026, 3, 1, 11, 0), utc(2026, 3, 1, 12, 0)),
            ),
            false,
        ),
        (
            &google,
            on(
                "DTSTART",
                range(utc(2026, 3, 28, 23, 0), utc(2026, 3, 28, 23, 30)),
            ),
            true,
        ),
        (
            &google,
            on(
                "DTSTART",
                range(utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0)),
            ),
            false,
        ),
        (
            &outlook,
            on(
                "DTSTART",
                range(utc(2026, 3, 30, 8, 0), utc(2026, 3, 30, 8, 1)),
            ),
            true,
        ),
    ];
    for (index, (object, filter, expected)) in cases.into_iter().enumerate() {
        assert_eq!(object.matches(&filter, Tz::UTC), expected, "case {index}");
    }
}

#[test]
fn time_range_on_todos_follows_the_rfc_4791_table() {
    let due = todo("DUE:20260415T170000Z\r\n");
    let started = todo("DTSTART:20260410T090000Z\r\nDUE:20260415T170000Z\r\n");
    let done = todo("COMPLETED:20260402T100000Z\r\n");
    let open_ended = todo("SUMMARY:Someday\r\n");
    let cases = [
        (
            &due,
            range(utc(2026, 4, 15, 0, 0), utc(2026, 4, 15, 17, 0)),
            true,
        ),
        (
            &due,
            range(utc(2026, 4, 15, 17, 0), utc(2026, 4, 16, 0, 0)),
            false,
        ),
        (
            &started,
            range(utc(2026, 4, 12, 0, 0), utc(2026, 4, 13, 0, 0)),
            true,
        ),
        (
            &started,
            range(utc(2026, 4, 16, 0, 0), utc(2026, 4, 17, 0, 0)),
            false,
        ),
        (
            &done,
            range(utc(2026, 4, 1, 0, 0), utc(2026, 4, 2, 10, 0)),
            true,
        ),
        (
            &done,
            range(utc(2026, 4, 3, 0, 0), utc(2026, 4, 4, 0, 0)),
            false,
        ),
        (
            &open_ended,
            range(utc(1990, 1, 1, 0, 0), utc(1990, 1, 2, 0, 0)),
            true,
        ),
    ];
    for (index, (object, window, expected)) in cases.into_iter().enumerate() {
        let filter = calendar_query("VTODO", |f| f.time_range = Some(window));
        assert_eq!(object.matches(&filter, Tz::UTC), expected, "case {index}");
    }
}

#[test]
fn floating_events_match_in_the_callers_zone() {
    let lunch = object(fixtures::HANDWRITTEN_FLOATING_LF);
    let filter = calendar_query("VEVENT", |f| {
        f.time_range = Some(range(utc(2026, 4, 10, 10, 30), utc(2026, 4, 10, 11, 0)))
    });
    assert!(lunch.matches(&filter, Tz::Europe__Berlin));
    assert!(!lunch.matches(&filter, Tz::America__New_York));
}

#[test]
fn events_without_length_match_ranges_that_hold_their_start() {
    let instant = object(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:i\r\nDTSTART:20260501T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    for (from, to, expected) in [
        ((12, 0), (13, 0), true),
        ((11, 0), (12, 0), false),
        ((11, 0), (12, 1), true),
    ] {
        let window = range(utc(2026, 5, 1, from.0, from.1), utc(2026, 5, 1, to.0, to.1));
        let filter = calendar_query("VEVENT", |f| f.time_range = Some(window));
        assert_eq!(
            instant.matches(&filter, Tz::UTC),
            expected,
            "{from:?}–{to:?}"
        );
    }
}
