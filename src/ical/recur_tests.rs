//! Expansion of recurring and single events: DST, EXDATE/RDATE, overrides, time zones,
//! floating times, all-day events, zero-length events and the bounds.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::*;
use crate::ical::{IcalError, fixtures};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(h, min, 0))
        .expect("valid test time")
        .and_utc()
}

fn year_2026() -> Interval {
    Interval::new(utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0)).expect("non-empty")
}

fn parse(text: &str) -> CalendarObject {
    CalendarObject::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn event(lines: &str) -> CalendarObject {
    parse(&format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//EN\r\nBEGIN:VEVENT\r\nUID:t\r\n{lines}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ))
}

fn starts(object: &CalendarObject, range: Interval, floating: Tz) -> Vec<DateTime<Utc>> {
    object
        .occurrences(range, floating)
        .iter()
        .map(|o| o.interval.start)
        .collect()
}

fn wall(instant: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

#[test]
fn weekly_events_keep_their_wall_clock_across_the_2026_dst_changes() {
    let cases = [
        (
            Tz::America__New_York,
            "20260302T090000",
            [(3, 2, 14), (3, 9, 13), (10, 26, 13), (11, 2, 14)],
        ),
        (
            Tz::Europe__Berlin,
            "20260323T090000",
            [(3, 23, 8), (3, 30, 7), (10, 19, 7), (10, 26, 8)],
        ),
    ];
    for (zone, dtstart, probes) in cases {
        let object = event(&format!(
            "DTSTART;TZID={zone}:{dtstart}\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n",
            zone = zone.name()
        ));
        let all = starts(&object, year_2026(), Tz::UTC);
        assert!(
            all.iter()
                .all(|s| wall(*s, zone).format("%H:%M").to_string() == "09:00"),
            "{zone}"
        );
        for (m, d, hour) in probes {
            assert!(
                all.contains(&utc(2026, m, d, hour, 0)),
                "{zone}: 2026-{m}-{d} {hour}:00Z missing"
            );
        }
    }
}

#[test]
fn exdate_removes_and_rdate_adds_instances() {
    let object = parse(fixtures::THUNDERBIRD_RDATE_EXDATE);
    let expected = [13, 14, 15, 17, 25].map(|d| utc(2026, 4, d, 7, 0));
    assert_eq!(starts(&object, year_2026(), Tz::UTC), expected);
    let utc_exdate = event(
        "DTSTART;TZID=Europe/Berlin:20260413T090000\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20260414T070000Z\r\n",
    );
    assert_eq!(
        starts(&utc_exdate, year_2026(), Tz::UTC),
        [utc(2026, 4, 13, 7, 0), utc(2026, 4, 15, 7, 0)]
    );
}

#[test]
fn an_override_moves_its_instance_and_keeps_its_recurrence_id() {
    let object = parse(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    let occurrences = object.occurrences(year_2026(), Tz::UTC);
    let summary: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = occurrences
        .iter()
        .map(|o| (o.interval.start, o.recurrence_id))
        .collect();
    assert_eq!(
        summary,
        [
            (utc(2026, 3, 2, 14, 0), Some(utc(2026, 3, 2, 14, 0))),
            (utc(2026, 3, 9, 13, 0), Some(utc(2026, 3, 9, 13, 0))),
            (utc(2026, 3, 17, 18, 0), Some(utc(2026, 3, 16, 13, 0))),
            (utc(2026, 3, 23, 13, 0), Some(utc(2026, 3, 23, 13, 0))),
            (utc(2026, 3, 30, 13, 0), Some(utc(2026, 3, 30, 13, 0))),
            (utc(2026, 4, 6, 13, 0), Some(utc(2026, 4, 6, 13, 0))),
        ]
    );
    assert_eq!(occurrences[2].interval.end, utc(2026, 3, 17, 19, 0));
    let original_day =
        Interval::new(utc(2026, 3, 16, 0, 0), utc(2026, 3, 17, 0, 0)).expect("non-empty");
    assert!(
        object.occurrences(original_day, Tz::UTC).is_empty(),
        "the moved instance left its day"
    );
}

#[test]
fn windows_and_free_text_tzids_resolve_to_the_right_utc() {
    let outlook = parse(fixtures::OUTLOOK_WINDOWS_TZID);
    let occurrence = outlook.occurrences(year_2026(), Tz::UTC);
    assert_eq!(
        occurrence.iter().map(|o| o.interval).collect::<Vec<_>>(),
        [Interval::new(utc(2026, 3, 30, 8, 0), utc(2026, 3, 30, 9, 0)).expect("non-empty")]
    );
    let exchange = parse(fixtures::EXCHANGE_FREETEXT_TZID);
    let all = starts(&exchange, year_2026(), Tz::UTC);
    assert_eq!(all.len(), 37, "every Friday from 2026-03-06 to 2026-11-13");
    for probe in [
        utc(2026, 3, 6, 14, 0),
        utc(2026, 3, 13, 13, 0),
        utc(2026, 10, 30, 13, 0),
        utc(2026, 11, 6, 14, 0),
        utc(2026, 11, 13, 14, 0),
    ] {
        assert!(all.contains(&probe), "{probe} missing");
    }
}

#[test]
fn floating_times_and_dates_are_read_in_the_callers_zone() {
    let lunch = parse(fixtures::HANDWRITTEN_FLOATING_LF);
    for (zone, start) in [
        (Tz::Europe__Berlin, utc(2026, 4, 10, 10, 30)),
        (Tz::America__New_York, utc(2026, 4, 10, 16, 30)),
    ] {
        let occurrences = lunch.occurrences(year_2026(), zone);
        assert_eq!(occurrences.len(), 1);
        assert_eq!(
            (
                occurrences[0].interval.start,
                occurrences[0].interval.duration()
            ),
            (start, Duration::hours(1))
        );
    }
    let weekend = parse(fixtures::GOOGLE_ALLDAY);
    let days = weekend.occurrences(year_2026(), Tz::Europe__Berlin);
    assert_eq!(
        days.iter()
            .map(|o| (o.interval.start, o.interval.end, o.transparent))
            .collect::<Vec<_>>(),
        [(utc(2026, 3, 27, 23, 0), utc(2026, 3, 29, 22, 0), true)],
        "two whole Berlin days, one of them 23 hours long"
    );
}

#[test]
fn events_without_end_last_a_day_or_take_no_time() {
    let day = event("DTSTART;VALUE=DATE:20260501\r\n");
    let occurrence = day.occurrences(year_2026(), Tz::UTC)[0];
    assert_eq!(
        occurrence.interval,
        Interval::new(utc(2026, 5, 1, 0, 0), utc(2026, 5, 2, 0, 0)).expect("non-empty")
    );

    let instant = event("DTSTART:20260501T120000Z\r\n");
    assert!(
        instant.occurrences(year_2026(), Tz::UTC).is_empty(),
        "no busy time"
    );
    let everything = TimeRange {
        start: None,
        end: None,
    };
    let instances = instant.instances(&everything, &Zone::UTC);
    assert_eq!(instances.len(), 1, "queries still see it");
    assert_eq!(
        (instances[0].1.start, instances[0].1.end),
        (utc(2026, 5, 1, 12, 0), utc(2026, 5, 1, 12, 0))
    );
}

#[test]
fn span_covers_busy_instances_and_is_open_for_endless_rules() {
    let apple = parse(fixtures::APPLE_RECURRING_WITH_OVERRIDE);
    assert_eq!(
        apple.span(Tz::UTC),
        Some(Span {
            start: utc(2026, 3, 2, 14, 0),
            end: Some(utc(2026, 4, 6, 14, 0))
        })
    );
    let endless = event("DTSTART:20260302T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n");
    assert_eq!(
        endless.span(Tz::UTC),
        Some(Span {
            start: utc(2026, 3, 2, 9, 0),
            end: None
        })
    );
    let free = parse(fixtures::GOOGLE_ALLDAY);
    assert_eq!(free.span(Tz::UTC), None, "transparent: no busy time");
}

#[test]
fn an_endless_rule_whose_first_instances_are_excluded_starts_at_its_first_busy_one() {
    let next_week = event(
        "DTSTART:20260302T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\nEXDATE:20260302T090000Z\r\n",
    );
    assert_eq!(
        next_week.span(Tz::UTC),
        Some(Span {
            start: utc(2026, 3, 9, 9, 0),
            end: None
        })
    );
    // Nothing busy in the first year: the whole set is looked at.
    let in_two_years = event(
        "DTSTART:20260302T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=YEARLY;INTERVAL=2\r\nEXDATE:20260302T090000Z\r\n",
    );
    assert_eq!(
        in_two_years.span(Tz::UTC),
        Some(Span {
            start: utc(2028, 3, 2, 9, 0),
            end: None
        })
    );
}

#[test]
fn single_events_yield_one_interval_only_when_they_overlap() {
    let meeting = event("DTSTART:20260501T090000Z\r\nDTEND:20260501T100000Z\r\n");
    for (from, to, expected) in [
        ((8, 0), (9, 0), 0),
        ((9, 59), (11, 0), 1),
        ((10, 0), (11, 0), 0),
    ] {
        let range = Interval::new(utc(2026, 5, 1, from.0, from.1), utc(2026, 5, 1, to.0, to.1))
            .expect("non-empty");
        let occurrences = meeting.occurrences(range, Tz::UTC);
        assert_eq!(occurrences.len(), expected, "{from:?}–{to:?}");
        assert!(occurrences.iter().all(|o| o.recurrence_id.is_none()));
    }
}

#[test]
fn unbounded_rules_stop_at_the_instance_and_step_caps() {
    let daily = event("DTSTART:20000101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY\r\n");
    let centuries = Interval::new(utc(2000, 1, 1, 0, 0), utc(2200, 1, 1, 0, 0)).expect("non-empty");
    assert_eq!(daily.occurrences(centuries, Tz::UTC).len(), MAX_INSTANCES);

    let hourly =
        event("DTSTART:20000101T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=HOURLY;BYMINUTE=0\r\n");
    assert!(
        hourly.occurrences(year_2026(), Tz::UTC).is_empty(),
        "beyond the step cap"
    );
}

#[test]
fn fuzz_ical_minutely_rule_is_refused_not_walked_for_seconds() {
    // Found by fuzzing (fuzz/regressions/ical_recurrence): a MINUTELY rule from 2000
    // walked 100,000 steps on every expansion to reach a window in 2025.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:seed\r\n\
        DTSTART:20000101T000000Z\r\nRRULE:FREQ=MINUTELY;BYSECOND=0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    for freq in [
        "MINUTELY;BYSECOND=0",
        "SECONDLY;BYHOUR=23;BYMINUTE=59",
        "secondly",
    ] {
        let text = text.replace("MINUTELY;BYSECOND=0", freq);
        match CalendarObject::parse(&text) {
            Err(IcalError::InvalidValue {
                line: 7, property, ..
            }) => assert_eq!(property, "RRULE"),
            other => panic!("{freq}: {other:?}"),
        }
    }
}

#[test]
fn fuzz_ical_rrule_byday_with_a_multibyte_letter_is_invalid_not_a_panic() {
    // Found by fuzzing (fuzz/regressions/ical_recurrence): rrule's BYDAY parser cut
    // "T\u{fbfa}U" inside its second letter.
    for rule in [
        "FREQ=WEEKLY;BYDAY=T\u{fbfa}U",
        "FREQ=DAILY;BYDAY=\u{16c}U",
        "FREQ=WEEKLY;BYDAY=1\u{e9}O",
    ] {
        let text = format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20250101T090000Z\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        match CalendarObject::parse(&text) {
            Err(IcalError::InvalidValue {
                line: 5, property, ..
            }) => assert_eq!(property, "RRULE"),
            other => panic!("{rule}: {other:?}"),
        }
    }
}

#[test]
fn fuzz_ical_rule_walk_stops_at_the_step_cap_in_periods_not_instances() {
    // rrule walks period by period through days without an instance: an hourly rule
    // on leap days walks 35,000 hours between two of them. The walk ends 100,000
    // periods (here hours, 11.4 years) after DTSTART, whatever it yielded.
    let leap_days = event(
        "DTSTART:20000301T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=9\r\n",
    );
    let year = |y| Interval::new(utc(y, 1, 1, 0, 0), utc(y + 1, 1, 1, 0, 0)).expect("non-empty");
    assert_eq!(
        starts(&leap_days, year(2008), Tz::UTC),
        [utc(2008, 2, 29, 9, 0)]
    );
    assert!(
        starts(&leap_days, year(2012), Tz::UTC).is_empty(),
        "past the cap"
    );
}

#[test]
fn until_is_read_in_the_events_zone() {
    let object = event(
        "DTSTART;TZID=America/New_York:20260302T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;UNTIL=20260304T140000Z\r\n",
    );
    assert_eq!(
        starts(&object, year_2026(), Tz::UTC).len(),
        3,
        "the UNTIL instant itself is included"
    );
    let by_date =
        event("DTSTART:20260302T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;UNTIL=20260304\r\n");
    assert_eq!(
        starts(&by_date, year_2026(), Tz::UTC).len(),
        3,
        "a DATE UNTIL keeps its whole day"
    );
}

#[test]
fn one_parsed_object_reads_its_floating_time_in_each_zone_asked_for() {
    // The single instance is remembered per object; asking in another zone must not
    // get the first zone's answer back, nor change it.
    let object = event("DTSTART:20260610T090000\r\nDURATION:PT1H\r\n");
    let berlin = starts(&object, year_2026(), Tz::Europe__Berlin);
    let tokyo = starts(&object, year_2026(), Tz::Asia__Tokyo);
    let berlin_again = starts(&object, year_2026(), Tz::Europe__Berlin);
    assert_eq!(berlin, vec![utc(2026, 6, 10, 7, 0)]);
    assert_eq!(tokyo, vec![utc(2026, 6, 10, 0, 0)]);
    assert_eq!(berlin_again, berlin);
    let june_10 = Interval::new(utc(2026, 6, 10, 6, 0), utc(2026, 6, 10, 7, 30)).expect("range");
    assert_eq!(starts(&object, june_10, Tz::Europe__Berlin).len(), 1);
    let before = Interval::new(utc(2026, 6, 10, 5, 0), utc(2026, 6, 10, 7, 0)).expect("range");
    assert!(starts(&object, before, Tz::Europe__Berlin).is_empty());
}

#[test]
fn plain_daily_and_weekly_rules_jump_to_the_same_instances_rrule_walks_to() {
    // Every combination below goes through both paths: the stepped one must give what
    // rrule gives, instance for instance.
    let zones = ["UTC", "Europe/Berlin", "America/New_York"];
    let rules = [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=DAILY;COUNT=10",
        "FREQ=WEEKLY;COUNT=5;INTERVAL=2",
        "FREQ=WEEKLY;UNTIL=20260601T070000Z",
        "FREQ=DAILY;UNTIL=20260315",
        "FREQ=DAILY;UNTIL=20250101T000000Z",
    ];
    let extras = [
        "",
        "EXDATE;TZID={zone}:20260309T090000\r\n",
        "EXDATE;TZID={zone}:20260302T090000,20260316T090000\r\nRDATE;TZID={zone}:20260304T110000\r\n",
        "RDATE;TZID={zone}:20260302T090000\r\n",
    ];
    let windows = [
        (None, None),
        (Some(utc(2026, 3, 20, 0, 0)), Some(utc(2026, 4, 20, 0, 0))),
        (Some(utc(2026, 1, 1, 0, 0)), Some(utc(2026, 3, 3, 0, 0))),
        (Some(utc(2026, 10, 20, 0, 0)), Some(utc(2026, 11, 5, 0, 0))),
        (Some(utc(2027, 6, 1, 0, 0)), None),
        (None, Some(utc(2026, 3, 10, 0, 0))),
    ];
    let mut compared = 0;
    for zone in zones {
        for rule in rules {
            for extra in extras {
                let extra = extra.replace("{zone}", zone);
                // 2026-03-02 is a Monday.
                let object = event(&format!(
                    "DTSTART;TZID={zone}:20260302T090000\r\nDURATION:PT1H\r\nRRULE:{rule}\r\n{extra}"
                ));
                let schedule = &object.schedules()[0];
                let start = schedule.start.as_ref().expect("DTSTART");
                let floating = Zone::Iana(Tz::Europe__Berlin);
                let (timing, placement) = Timing::placed(schedule, start, &floating);
                let first = placement.first;
                let steps: Vec<Duration> = schedule
                    .rules
                    .iter()
                    .map(|rule| rule.fixed_step(first.weekday()).expect("a plain rule"))
                    .collect();
                for (from, to) in windows {
                    let window = Window {
                        from: from.map(|from: DateTime<Utc>| timing.zone.to_wall(from)),
                        to: to.map(|to: DateTime<Utc>| timing.zone.to_wall(to)),
                    };
                    assert_eq!(
                        timing.stepped_starts(first, &steps, &window),
                        timing.rule_starts(first, &window),
                        "{zone} {rule} {extra:?} {from:?}..{to:?}"
                    );
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 3 * 10 * 4 * 6);
}

#[test]
fn only_plain_rules_take_fixed_steps() {
    let step = |rule: &str| {
        Rule::parse(rule)
            .expect("a rule")
            .fixed_step(chrono::Weekday::Mon)
    };
    assert_eq!(step("FREQ=WEEKLY;INTERVAL=2"), Some(Duration::weeks(2)));
    assert_eq!(step("FREQ=DAILY;COUNT=3"), Some(Duration::days(1)));
    assert_eq!(step("FREQ=WEEKLY;BYDAY=MO"), Some(Duration::weeks(1)));
    for other in [
        "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;BYDAY=MO,WE",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=MONTHLY",
        "FREQ=DAILY;BYHOUR=9,15",
        "FREQ=WEEKLY;BYMONTH=3",
        "FREQ=HOURLY",
    ] {
        assert_eq!(step(other), None, "{other}");
    }
}
