//! Tables for the engine: DST days in New York and Berlin, buffers, notice, horizon,
//! daily limit, scoring and reasons.

use chrono::{Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Europe::{Berlin, Paris};
use chrono_tz::Tz;

use super::*;
use crate::domain::rules::day_interval;
use crate::domain::{PartOfDay, Preferences, TimeSlot, WorkingHours, WorkingPeriod};
use crate::learn::{BookingPattern, Decay};

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn rules(zone: Tz, periods: &[&str], days: &[Weekday]) -> AvailabilityRules {
    let periods: Vec<WorkingPeriod> = periods
        .iter()
        .map(|text| WorkingPeriod::parse(text).expect("valid test period"))
        .collect();
    let working_hours = days.iter().fold(WorkingHours::default(), |hours, day| {
        hours.with_day(*day, periods.clone())
    });
    AvailabilityRules {
        zone,
        working_hours,
        buffer: Duration::minutes(15),
        minimum_notice: Duration::hours(2),
        horizon: Duration::days(30),
        max_per_day: 6,
        step: Duration::minutes(15),
    }
}

fn domina() -> AvailabilityRules {
    let weekdays = &ALL_DAYS[..5];
    rules(New_York, &["09:00-12:00", "13:00-17:00"], weekdays)
}

fn local(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    zone.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .expect("valid test time")
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn span(start: chrono::DateTime<Utc>, minutes: i64) -> Interval {
    Interval::starting_at(start, Duration::minutes(minutes)).expect("positive")
}

fn engine<'a>(
    rules: &'a AvailabilityRules,
    busy: &'a Busy,
    now: chrono::DateTime<Utc>,
) -> Engine<'a> {
    Engine {
        rules,
        busy,
        notice: rules.minimum_notice,
        now,
    }
}

fn no_busy(rules: &AvailabilityRules) -> Busy {
    Busy::new(&[], &[], rules.buffer, rules.zone)
}

fn local_times(slots: &[Interval], zone: Tz) -> Vec<String> {
    slots
        .iter()
        .map(|slot| {
            slot.start
                .with_timezone(&zone)
                .format("%H:%M%z")
                .to_string()
        })
        .collect()
}

#[test]
fn an_ordinary_day_has_slots_on_the_step_inside_working_hours() {
    let rules = domina();
    let busy = no_busy(&rules);
    let now = local(New_York, 2026, 3, 1, 8, 0);
    let slots = engine(&rules, &busy, now).available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    // 09:00..=11:30 (11 starts) and 13:00..=16:30 (15 starts).
    assert_eq!(slots.len(), 11 + 15);
    let times = local_times(&slots, New_York);
    assert_eq!(times.first().map(String::as_str), Some("09:00-0500"));
    assert!(times.contains(&"11:30-0500".to_string()));
    assert!(!times.contains(&"11:45-0500".to_string()));
    assert_eq!(times.last().map(String::as_str), Some("16:30-0500"));
}

#[test]
fn dst_days_count_real_hours_in_new_york_and_berlin() {
    // (zone, working period, day, 60-minute slots expected, first and last local start)
    let cases = [
        // New York springs forward at 02:00 on 2026-03-08: 00:00-06:00 is 5 real hours.
        (
            New_York,
            "00:00-06:00",
            date(2026, 3, 8),
            5 * 4 - 3,
            "00:00-0500",
            "05:00-0400",
        ),
        // and falls back at 02:00 on 2026-11-01: 7 real hours, 01:xx happens twice.
        (
            New_York,
            "00:00-06:00",
            date(2026, 11, 1),
            7 * 4 - 3,
            "00:00-0400",
            "05:00-0500",
        ),
        // Office hours on those days are untouched.
        (
            New_York,
            "09:00-17:00",
            date(2026, 3, 8),
            8 * 4 - 3,
            "09:00-0400",
            "16:00-0400",
        ),
        (
            New_York,
            "09:00-17:00",
            date(2026, 11, 1),
            8 * 4 - 3,
            "09:00-0500",
            "16:00-0500",
        ),
        // Berlin springs forward at 02:00 on 2026-03-29 and falls back at 03:00 on 2026-10-25.
        (
            Berlin,
            "00:00-24:00",
            date(2026, 3, 29),
            23 * 4 - 3,
            "00:00+0100",
            "23:00+0200",
        ),
        (
            Berlin,
            "00:00-24:00",
            date(2026, 10, 25),
            25 * 4 - 3,
            "00:00+0200",
            "23:00+0100",
        ),
        (
            Berlin,
            "09:00-17:00",
            date(2026, 3, 29),
            8 * 4 - 3,
            "09:00+0200",
            "16:00+0200",
        ),
    ];
    for (zone, period, day, expected, first, last) in cases {
        let mut rules = rules(zone, &[period], &ALL_DAYS);
        rules.buffer = Duration::zero();
        rules.max_per_day = 100;
        let busy = no_busy(&rules);
        let now = local(zone, 2026, 1, 1, 0, 0);
        rules.horizon = Duration::days(400);
        let slots =
            engine(&rules, &busy, now).available(day_interval(zone, day), Duration::minutes(60));
        let times = local_times(&slots, zone);
        assert_eq!(slots.len(), expected, "{zone} {day} {period}: {times:?}");
        assert_eq!(
            times.first().map(String::as_str),
            Some(first),
            "{zone} {day}"
        );
        assert_eq!(times.last().map(String::as_str), Some(last), "{zone} {day}");
        assert!(
            slots
                .windows(2)
                .all(|pair| pair[1].start - pair[0].start == Duration::minutes(15))
        );
    }
}

#[test]
fn fall_back_offers_both_one_oclocks() {
    let mut rules = rules(New_York, &["00:00-04:00"], &ALL_DAYS);
    rules.horizon = Duration::days(400);
    let busy = no_busy(&rules);
    let now = local(New_York, 2026, 1, 1, 0, 0);
    let slots = engine(&rules, &busy, now).available(
        day_interval(New_York, date(2026, 11, 1)),
        Duration::minutes(30),
    );
    let times = local_times(&slots, New_York);
    assert!(times.contains(&"01:30-0400".to_string()), "{times:?}");
    assert!(times.contains(&"01:30-0500".to_string()), "{times:?}");
}

#[test]
fn busy_time_is_widened_by_the_buffer() {
    let rules = domina();
    let meeting = span(local(New_York, 2026, 3, 2, 10, 0), 30);
    let busy = Busy::new(&[meeting], &[], rules.buffer, rules.zone);
    let now = local(New_York, 2026, 3, 1, 8, 0);
    let slots = engine(&rules, &busy, now).available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    let morning: Vec<String> = local_times(&slots, New_York)
        .into_iter()
        .filter(|t| t < &"12".to_string())
        .collect();
    // 09:15-09:45 ends 15 min before 10:00; 10:45 starts 15 min after 10:30.
    assert_eq!(
        morning,
        [
            "09:00-0500",
            "09:15-0500",
            "10:45-0500",
            "11:00-0500",
            "11:15-0500",
            "11:30-0500"
        ]
    );
}

#[test]
fn other_busy_time_blocks_like_appointments() {
    let rules = domina();
    let personal = span(local(New_York, 2026, 3, 2, 13, 0), 240);
    let busy = Busy::new(&[], &[personal], rules.buffer, rules.zone);
    let now = local(New_York, 2026, 3, 1, 8, 0);
    let e = engine(&rules, &busy, now);
    let slots = e.available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    assert!(
        slots
            .iter()
            .all(|slot| slot.start < local(New_York, 2026, 3, 2, 12, 0))
    );
    assert_eq!(
        e.check(span(local(New_York, 2026, 3, 2, 14, 0), 30)),
        Err(RuleViolation::Taken)
    );
    // Other busy time does not count toward the daily limit.
    assert_eq!(busy.appointments_on(date(2026, 3, 2)), 0);
}

#[test]
fn notice_and_horizon_bound_the_offer() {
    let rules = domina();
    let busy = no_busy(&rules);
    let now = local(New_York, 2026, 3, 2, 10, 5);
    let e = engine(&rules, &busy, now);
    let today = e.available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    assert_eq!(
        local_times(&today, New_York).first().map(String::as_str),
        Some("13:00-0500")
    );
    let urgent = Engine {
        notice: Duration::minutes(30),
        ..e
    };
    let today = urgent.available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    assert_eq!(
        local_times(&today, New_York).first().map(String::as_str),
        Some("10:45-0500")
    );
    // 30 × 24 h after 2026-03-02 10:05 EST is 2026-04-01 11:05 EDT.
    let last_day = e.available(
        day_interval(New_York, date(2026, 4, 1)),
        Duration::minutes(30),
    );
    assert_eq!(
        local_times(&last_day, New_York).last().map(String::as_str),
        Some("11:00-0400")
    );
    assert!(
        e.available(
            day_interval(New_York, date(2026, 4, 2)),
            Duration::minutes(30)
        )
        .is_empty()
    );
}

#[test]
fn check_names_the_first_rule_broken() {
    let rules = domina();
    let meetings: Vec<Interval> = (0..6)
        .map(|i| span(local(New_York, 2026, 3, 4, 9, 0) + Duration::hours(i), 30))
        .collect();
    let taken = span(local(New_York, 2026, 3, 3, 10, 0), 30);
    let mut appointments = meetings.clone();
    appointments.push(taken);
    let busy = Busy::new(&appointments, &[], rules.buffer, rules.zone);
    let now = local(New_York, 2026, 3, 2, 10, 0);
    let e = engine(&rules, &busy, now);
    let cases = [
        (
            local(New_York, 2026, 3, 2, 9, 0),
            Err(RuleViolation::InThePast),
        ),
        (
            local(New_York, 2026, 3, 2, 11, 0),
            Err(RuleViolation::InsideNotice),
        ),
        (
            local(New_York, 2026, 4, 6, 9, 0),
            Err(RuleViolation::BeyondHorizon),
        ),
        (
            local(New_York, 2026, 3, 3, 8, 0),
            Err(RuleViolation::OutsideWorkingHours),
        ),
        (
            local(New_York, 2026, 3, 3, 11, 45),
            Err(RuleViolation::OutsideWorkingHours),
        ),
        (
            local(New_York, 2026, 3, 7, 10, 0),
            Err(RuleViolation::OutsideWorkingHours),
        ),
        (
            local(New_York, 2026, 3, 4, 16, 0),
            Err(RuleViolation::DailyLimitReached),
        ),
        (
            local(New_York, 2026, 3, 3, 10, 15),
            Err(RuleViolation::Taken),
        ),
        (
            local(New_York, 2026, 3, 3, 10, 40),
            Err(RuleViolation::Taken),
        ),
        (local(New_York, 2026, 3, 3, 10, 45), Ok(())),
        (local(New_York, 2026, 3, 3, 9, 7), Ok(())),
    ];
    for (start, expected) in cases {
        assert_eq!(
            e.check(span(start, 30)),
            expected,
            "{}",
            start.with_timezone(&New_York)
        );
    }
}

#[test]
fn a_full_day_offers_nothing() {
    let mut rules = domina();
    rules.max_per_day = 2;
    let appointments = [
        span(local(New_York, 2026, 3, 3, 9, 0), 30),
        span(local(New_York, 2026, 3, 3, 14, 0), 30),
    ];
    let busy = Busy::new(&appointments, &[], rules.buffer, rules.zone);
    let now = local(New_York, 2026, 3, 2, 10, 0);
    let e = engine(&rules, &busy, now);
    assert!(
        e.available(
            day_interval(New_York, date(2026, 3, 3)),
            Duration::minutes(30)
        )
        .is_empty()
    );
    assert!(
        !e.available(
            day_interval(New_York, date(2026, 3, 4)),
            Duration::minutes(30)
        )
        .is_empty()
    );
}

fn context<'a>(prefs: Option<&'a Preferences>, history: HistorySource) -> ScoreContext<'a> {
    ScoreContext {
        weights: ScoringWeights::default(),
        preferences: prefs,
        client_zone: New_York,
        history,
    }
}

fn score_at(e: &Engine<'_>, start: chrono::DateTime<Utc>, ctx: &ScoreContext<'_>) -> Slot {
    e.score(&[span(start, 30)], ctx).remove(0)
}

#[test]
fn scoring_applies_each_rule_with_its_reason() {
    let rules = domina();
    let meeting = span(local(New_York, 2026, 3, 3, 10, 0), 30);
    let busy = Busy::new(&[meeting], &[], rules.buffer, rules.zone);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let prefs = Preferences {
        preferred_days: vec![Weekday::Tue],
        preferred_time_slots: vec![TimeSlot::Part(PartOfDay::Afternoon)],
        ..Preferences::default()
    };
    let mut pattern = BookingPattern::default();
    let decay = Decay {
        half_life: Duration::days(90),
    };
    pattern.record(Weekday::Tue, 15, e.now, decay);
    let history = HistorySource::Client(pattern.habits(e.now, decay));
    let ctx = context(Some(&prefs), history);

    // (start, score, reasons)
    let cases: [(chrono::DateTime<Utc>, i32, &[&str]); 5] = [
        (
            local(New_York, 2026, 3, 3, 15, 0),
            100 + 30 + 25 + 20,
            &[
                "On a day and at a time you prefer (Tuesday, afternoon)",
                "Matches your usual Tuesday afternoons",
                "Unhurried: free time before and after",
            ],
        ),
        (
            local(New_York, 2026, 3, 3, 10, 45),
            100 - 10,
            &["Right after another appointment"],
        ),
        (
            local(New_York, 2026, 3, 3, 9, 15),
            100 - 10,
            &["Right before another appointment"],
        ),
        (
            local(New_York, 2026, 3, 3, 10, 50),
            100,
            &["Open and within working hours"],
        ),
        (
            local(New_York, 2026, 3, 4, 15, 0),
            100 + 20,
            &["Unhurried: free time before and after"],
        ),
    ];
    for (start, score, reasons) in cases {
        let slot = score_at(&e, start, &ctx);
        assert_eq!(
            (
                slot.score,
                slot.reasons.iter().map(String::as_str).collect::<Vec<_>>()
            ),
            (score, reasons.to_vec()),
            "{}",
            start.with_timezone(&New_York)
        );
    }
}

#[test]
fn preferences_are_read_in_the_clients_zone() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let prefs = Preferences {
        preferred_time_slots: vec![TimeSlot::Part(PartOfDay::Evening)],
        timezone: Some(Paris),
        ..Preferences::default()
    };
    let ctx = context(Some(&prefs), HistorySource::None);
    // 13:00 in New York is 19:00 in Paris: evening for this client.
    let slot = score_at(&e, local(New_York, 2026, 3, 3, 13, 0), &ctx);
    assert!(
        slot.reasons
            .contains(&"At a time of day you prefer (evening)".to_string()),
        "{:?}",
        slot.reasons
    );
    let slot = score_at(&e, local(New_York, 2026, 3, 3, 9, 0), &ctx);
    assert!(!slot.reasons.iter().any(|r| r.contains("prefer")));
}

#[test]
fn a_new_client_gets_the_global_pattern() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let decay = Decay {
        half_life: Duration::days(90),
    };
    let mut global = BookingPattern::default();
    global.record(Weekday::Wed, 9, e.now, decay);
    let ctx = context(None, HistorySource::Global(global.habits(e.now, decay)));
    let slot = score_at(&e, local(New_York, 2026, 3, 4, 9, 30), &ctx);
    assert_eq!(slot.score, 100 + 25 + 20);
    assert!(
        slot.reasons
            .contains(&"A time other clients often choose".to_string())
    );
}

#[test]
fn best_is_by_score_then_earliest_and_never_overlapping() {
    let rules = domina();
    let busy = no_busy(&rules);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 1, 8, 0));
    let prefs = Preferences {
        preferred_time_slots: vec![TimeSlot::parse("14:00-16:00").expect("valid")],
        ..Preferences::default()
    };
    let ctx = context(Some(&prefs), HistorySource::None);
    let all = e.available(
        day_interval(New_York, date(2026, 3, 2)),
        Duration::minutes(30),
    );
    let slots = e.score(&all, &ctx);
    let top = best(&slots, 5);
    assert_eq!(
        local_times(
            &top.iter().map(|s| s.interval).collect::<Vec<_>>(),
            New_York
        ),
        [
            "14:00-0500",
            "14:30-0500",
            "15:00-0500",
            "15:30-0500",
            "09:00-0500"
        ]
    );
    assert!(top.windows(2).all(|pair| pair[0].score >= pair[1].score));
}

#[test]
fn alternatives_stay_near_the_requested_time() {
    let rules = domina();
    let taken = span(local(New_York, 2026, 3, 3, 10, 0), 30);
    let busy = Busy::new(&[taken], &[], rules.buffer, rules.zone);
    let e = engine(&rules, &busy, local(New_York, 2026, 3, 2, 8, 0));
    let ctx = context(None, HistorySource::None);
    let alternatives = alternatives_near(&e, taken, &ctx, 3);
    assert_eq!(alternatives.len(), 3);
    for slot in &alternatives {
        assert_eq!(rules.local_date(slot.interval.start), date(2026, 3, 3));
        assert!(e.check(slot.interval).is_ok());
    }
    // A Saturday request gets the nearest weekdays instead.
    let saturday = span(local(New_York, 2026, 3, 7, 10, 0), 30);
    let alternatives = alternatives_near(&e, saturday, &ctx, 3);
    assert_eq!(alternatives.len(), 3);
    for slot in &alternatives {
        let day = rules.local_date(slot.interval.start);
        assert!(day == date(2026, 3, 6) || day == date(2026, 3, 9), "{day}");
    }
}
