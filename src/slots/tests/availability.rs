//! Availability: working hours across DST, buffers, notice, horizon, daily limit.

use super::*;

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

/// Shrunk from the property tests: a working period ending at the very time the clocks
/// go back to (Santiago's Saturday until 23:00, Lord Howe's night until 01:30, Sydney's
/// 01:00-02:00) ran on through the repeated hour, offering and accepting times the
/// host's clock showed past her end.
#[test]
fn a_period_ending_where_the_clocks_go_back_offers_nothing_in_the_repeated_hour() {
    use chrono_tz::America::Santiago;
    use chrono_tz::Australia::{Lord_Howe, Sydney};
    let cases = [
        (Santiago, date(2025, 4, 5), "00:00-23:00", (23, 0)),
        (Lord_Howe, date(2025, 4, 6), "00:00-01:30", (1, 30)),
        (Sydney, date(2027, 4, 4), "01:00-02:00", (2, 0)),
    ];
    for (zone, day, period, (hour, minute)) in cases {
        let rules = rules(zone, &[period], &ALL_DAYS);
        let busy = no_busy(&rules);
        let window = day_interval(zone, day);
        let e = engine(&rules, &busy, window.start - Duration::days(1));
        let first_end = zone
            .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("valid"))
            .earliest()
            .expect("shown at least once")
            .with_timezone(&Utc);
        let slots = e.available(window, Duration::minutes(15));
        let last = slots.last().expect("some slots");
        assert_eq!(last.end, first_end, "{zone} {day} {period}");
        assert_eq!(
            e.check(span(first_end, 15)),
            Err(RuleViolation::OutsideWorkingHours),
            "{zone} {day} {period}"
        );
    }
}
