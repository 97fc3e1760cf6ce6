//! A stored object rewritten for a REPORT that asks for less than the whole object:
//! `expand` (RFC 4791 §9.6.5) and `limit-recurrence-set` (§9.6.6).
//!
//! Must not know: XML or which REPORT asked.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{ContentLines, date, utc};
use crate::ical::CalendarObject;
use crate::ical::filter::TimeRange;
use crate::ical::zone::Zone;

/// Properties an expanded instance does not copy: its timing is written anew.
const TIMING: [&str; 9] = [
    "DTSTART",
    "DTEND",
    "DUE",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "EXRULE",
    "RECURRENCE-ID",
];

/// The instances of `object` overlapping `range`, each its own component with
/// RECURRENCE-ID (when the object recurs) and DTSTART/DTEND in UTC (DATE values stay
/// dates: they refer to no time zone), without RRULE/RDATE/EXDATE and without
/// VTIMEZONE. Floating times and dates are read in `floating_zone`.
pub fn expanded(object: &CalendarObject, range: &TimeRange, floating_zone: Tz) -> String {
    let floating = Zone::Iana(floating_zone);
    let mut lines = ContentLines::calendar();
    for (schedule, instance) in object.instances(range, &floating) {
        let component = object.component_of(schedule);
        let all_day = schedule.start.as_ref().is_some_and(|s| s.is_date());
        let value = |instant: DateTime<Utc>| {
            if all_day {
                format!(";VALUE=DATE:{}", date(floating.to_wall(instant).date()))
            } else {
                format!(":{}", utc(instant))
            }
        };
        let end_name = if component.name == "VTODO" {
            "DUE"
        } else {
            "DTEND"
        };
        lines.line(&format!("BEGIN:{}", component.name));
        for property in &component.properties {
            if !TIMING.contains(&property.name.as_str()) {
                lines.line(&property.text);
            }
        }
        if let Some(id) = instance.recurrence_id {
            lines.line(&format!("RECURRENCE-ID{}", value(id)));
        }
        lines.line(&format!("DTSTART{}", value(instance.start)));
        if instance.end > instance.start {
            lines.line(&format!("{end_name}{}", value(instance.end)));
        }
        for child in &component.components {
            lines.component(child);
        }
        lines.line(&format!("END:{}", component.name));
    }
    lines.finish()
}

/// `object` with only the overrides that touch `range`: those whose own time overlaps
/// it, or whose RECURRENCE-ID (taken with the override's own length) does. The
/// VCALENDAR properties, VTIMEZONEs and the master are kept as received.
pub fn limited_recurrence_set(
    object: &CalendarObject,
    range: &TimeRange,
    floating_zone: Tz,
) -> String {
    let floating = Zone::Iana(floating_zone);
    let dropped: Vec<usize> = object
        .schedules()
        .iter()
        .filter(|schedule| {
            let Some(id) = &schedule.recurrence_id else {
                return false;
            };
            let unbounded = TimeRange {
                start: None,
                end: None,
            };
            let own = object.instances_of(schedule, &unbounded, &floating);
            let original = id.instant(&floating);
            let touches = own.iter().any(|o| {
                range.overlaps(o.start, o.end)
                    || range.overlaps(original, original + (o.end - o.start))
            });
            !touches
        })
        .map(|schedule| schedule.position)
        .collect();
    let mut limited = object.calendar().clone();
    limited.components = limited
        .components
        .into_iter()
        .enumerate()
        .filter(|(position, _)| !dropped.contains(position))
        .map(|(_, component)| component)
        .collect();
    let mut lines = ContentLines::default();
    lines.component(&limited);
    lines.text
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ical::fixtures;

    fn utc_at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, 0, 0))
            .expect("valid test time")
            .and_utc()
    }

    fn spring_2026() -> TimeRange {
        TimeRange {
            start: Some(utc_at(2026, 3, 1, 0)),
            end: Some(utc_at(2026, 5, 1, 0)),
        }
    }

    #[test]
    fn expanded_instances_are_utc_without_rules_or_time_zones() {
        let apple = CalendarObject::parse(fixtures::APPLE_RECURRING_WITH_OVERRIDE).expect("valid");
        let text = expanded(&apple, &spring_2026(), Tz::UTC);
        for absent in ["VTIMEZONE", "RRULE", "RDATE", "EXDATE", "TZID"] {
            assert!(!text.contains(absent), "{absent} in\n{text}");
        }
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 6);
        assert!(text.contains("RECURRENCE-ID:20260316T130000Z\r\nDTSTART:20260317T180000Z\r\nDTEND:20260317T190000Z\r\n"));
        assert!(text.contains("RECURRENCE-ID:20260309T130000Z\r\nDTSTART:20260309T130000Z\r\nDTEND:20260309T140000Z\r\n"));
        assert_eq!(
            text.matches("BEGIN:VALARM").count(),
            5,
            "the master's alarm on each of its instances"
        );

        let reparsed = CalendarObject::parse(&text).expect("expanded text is a valid resource");
        let everything = crate::domain::Interval::new(utc_at(2026, 1, 1, 0), utc_at(2027, 1, 1, 0))
            .expect("non-empty");
        assert_eq!(
            reparsed.occurrences(everything, Tz::UTC),
            apple.occurrences(everything, Tz::UTC)
        );
    }

    #[test]
    fn expanded_all_day_and_single_events_keep_dates_and_omit_recurrence_id() {
        let google = CalendarObject::parse(fixtures::GOOGLE_ALLDAY).expect("valid");
        let text = expanded(&google, &spring_2026(), Tz::Europe__Berlin);
        assert!(
            text.contains("DTSTART;VALUE=DATE:20260328\r\nDTEND;VALUE=DATE:20260330\r\n"),
            "{text}"
        );
        assert!(!text.contains("RECURRENCE-ID"));
        let outlook = CalendarObject::parse(fixtures::OUTLOOK_WINDOWS_TZID).expect("valid");
        let text = expanded(&outlook, &spring_2026(), Tz::UTC);
        assert!(
            text.contains("DTSTART:20260330T080000Z\r\nDTEND:20260330T090000Z\r\n"),
            "{text}"
        );
        assert!(text.contains("ORGANIZER;CN=\"Doe, Jane\":MAILTO:jane.doe@example.com\r\n"));
    }

    #[test]
    fn limited_recurrence_set_keeps_only_overrides_touching_the_range() {
        let apple = CalendarObject::parse(fixtures::APPLE_RECURRING_WITH_OVERRIDE).expect("valid");
        for (from, to, overrides) in [
            (utc_at(2026, 4, 1, 0), utc_at(2026, 5, 1, 0), 0),
            (utc_at(2026, 3, 17, 0), utc_at(2026, 3, 18, 0), 1),
            (utc_at(2026, 3, 16, 0), utc_at(2026, 3, 17, 0), 1),
        ] {
            let range = TimeRange {
                start: Some(from),
                end: Some(to),
            };
            let text = limited_recurrence_set(&apple, &range, Tz::UTC);
            assert_eq!(text.matches("RECURRENCE-ID").count(), overrides, "{from}");
            assert_eq!(text.matches("BEGIN:VEVENT").count(), 1 + overrides);
            assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("RRULE:FREQ=WEEKLY;COUNT=6"));
        }
    }
}
