//! A VTIMEZONE for an IANA zone (the CALDAV:calendar-timezone of Kairos's calendars):
//! the zone's offset changes in `year`, each written as a yearly rule by month and
//! weekday (the form every calendar client reads), or one STANDARD block for a zone
//! without daylight saving.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::Tz;

use super::ContentLines;

/// One offset change: when (local wall-clock before it) and the offsets either side.
struct Transition {
    local: NaiveDateTime,
    from: i32,
    to: i32,
}

fn offset_seconds(zone: Tz, at: NaiveDateTime) -> i32 {
    zone.offset_from_utc_datetime(&at).fix().local_minus_utc()
}

/// The offset changes of `zone` in `year`, found hour by hour.
fn transitions(zone: Tz, year: i32) -> Vec<Transition> {
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut previous = offset_seconds(zone, start);
    for hour in 1..(366 * 24) {
        let utc = start + Duration::hours(hour);
        let current = offset_seconds(zone, utc);
        if current != previous {
            // The change happened within the last hour; find the minute.
            let minute = (0..60)
                .map(|m| utc - Duration::minutes(60 - m))
                .find(|at| offset_seconds(zone, *at) == current)
                .unwrap_or(utc);
            found.push(Transition {
                local: minute + Duration::seconds(i64::from(previous)),
                from: previous,
                to: current,
            });
            previous = current;
        }
    }
    found
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// `FREQ=YEARLY;BYMONTH=3;BYDAY=2SU`, or `-1SU` for the last such weekday of the month.
fn yearly_rule(date: NaiveDate) -> String {
    let nth = (date.day() - 1) / 7 + 1;
    let is_last = (date + Duration::days(7)).month() != date.month();
    let position = if is_last && nth >= 4 {
        "-1".to_string()
    } else {
        nth.to_string()
    };
    format!(
        "RRULE:FREQ=YEARLY;BYMONTH={};BYDAY={position}{}",
        date.month(),
        weekday_code(date.weekday())
    )
}

/// The VCALENDAR holding the VTIMEZONE of `zone`, with the rules in force in `year`.
pub fn vtimezone(zone: Tz, year: i32) -> String {
    let mut lines = ContentLines::calendar();
    lines.line("BEGIN:VTIMEZONE");
    lines.line(&format!("TZID:{}", zone.name()));
    let changes = transitions(zone, year);
    if changes.is_empty() {
        let offset = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |at| offset_seconds(zone, at));
        lines.line("BEGIN:STANDARD");
        lines.line("DTSTART:19700101T000000");
        lines.line(&format!("TZOFFSETFROM:{}", offset_text(offset)));
        lines.line(&format!("TZOFFSETTO:{}", offset_text(offset)));
        lines.line("END:STANDARD");
    }
    for change in &changes {
        let kind = if change.to > change.from {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        lines.line(&format!("BEGIN:{kind}"));
        lines.line(&format!("DTSTART:{}", change.local.format("%Y%m%dT%H%M%S")));
        lines.line(&format!("TZOFFSETFROM:{}", offset_text(change.from)));
        lines.line(&format!("TZOFFSETTO:{}", offset_text(change.to)));
        lines.line(&yearly_rule(change.local.date()));
        lines.line(&format!("END:{kind}"));
    }
    lines.line("END:VTIMEZONE");
    lines.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Interval;
    use crate::ical::CalendarObject;
    use chrono::Utc;

    #[test]
    fn new_york_has_its_two_yearly_rules() {
        let text = vtimezone(chrono_tz::America::New_York, 2026);
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"), "{text}");
        let berlin = vtimezone(chrono_tz::Europe::Berlin, 2026);
        assert!(
            berlin.contains("DTSTART:20260329T020000") && berlin.contains("BYMONTH=3;BYDAY=-1SU"),
            "{berlin}"
        );
        assert!(
            berlin.contains("DTSTART:20261025T030000") && berlin.contains("BYMONTH=10;BYDAY=-1SU"),
            "{berlin}"
        );
    }

    #[test]
    fn a_zone_without_daylight_saving_has_one_standard_block() {
        let text = vtimezone(chrono_tz::Asia::Tokyo, 2026);
        assert!(
            text.contains("TZOFFSETTO:+0900") && !text.contains("DAYLIGHT"),
            "{text}"
        );
    }

    #[test]
    fn the_written_rules_resolve_like_the_zone_itself() {
        // An event in the written zone, read back through Kairos's own parser, lands
        // where chrono-tz puts it, on both sides of the changes.
        let zone = vtimezone(chrono_tz::America::New_York, 2026)
            .replace("TZID:America/New_York", "TZID:Custom NY");
        let body = zone.replace("END:VCALENDAR\r\n", "");
        for (date, utc_hour) in [("20260115", 14), ("20260715", 13), ("20261215", 14)] {
            let text = format!(
                "{body}BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Custom NY:{date}T090000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            );
            let object = CalendarObject::parse(&text).expect("valid");
            let all = Interval {
                start: chrono::DateTime::<Utc>::MIN_UTC,
                end: chrono::DateTime::<Utc>::MAX_UTC,
            };
            let occurrence = object.occurrences(all, chrono_tz::UTC).remove(0);
            assert_eq!(
                occurrence.interval.start.format("%H").to_string(),
                format!("{utc_hour:02}"),
                "{date}"
            );
        }
    }
}
