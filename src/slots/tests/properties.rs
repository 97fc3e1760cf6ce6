//! Property tests of the engine against the brute-force oracle (oracle.rs), on random
//! cases (cases.rs): what is offered, suggested, proposed as an alternative or accepted
//! when asked for breaks no rule, and every bookable time on the step grid is offered.
//! The entry points are the ones the service calls: `available` over a client's day,
//! `score` + `best`, `alternatives_near`, and `check` (the booking decision).
//!
//! 256 cases each; `PROPTEST_CASES` sets another number.

use chrono::Duration;
use chrono_tz::Tz;
use proptest::prelude::*;

use super::cases::{Scenario, ZONES, case, spans_from, transitions};
use super::*;

proptest! {
    /// What a client's day offers keeps every rule: inside one working period, clear
    /// of busy time and its buffer, after the notice, within the horizon, on a day
    /// under its limit — and on the client's day, each slot as long as asked, in order.
    #[test]
    fn offered_slots_break_no_rule(case in case()) {
        let scenario = Scenario::from(&case);
        let busy = scenario.busy();
        let offered = scenario.engine(&busy).available(scenario.window, scenario.duration);
        let periods = &scenario.periods;
        for pair in offered.windows(2) {
            prop_assert!(pair[0].start < pair[1].start, "out of order: {pair:?}");
        }
        for slot in &offered {
            prop_assert_eq!(slot.duration(), scenario.duration);
            let client_day = slot.start.with_timezone(&scenario.client).date_naive();
            prop_assert_eq!(client_day, scenario.date, "{:?} is not on the client's day", slot);
            let broken = scenario.truth.broken(*slot, periods);
            prop_assert!(broken.is_empty(), "{slot:?} offered but breaks {broken:?}");
        }
    }

    /// Nothing bookable is missing: each start on a period's step grid that breaks no
    /// rule and lies in the client's day is offered.
    #[test]
    fn every_bookable_start_on_the_grid_is_offered(case in case()) {
        let scenario = Scenario::from(&case);
        let busy = scenario.busy();
        let offered = scenario.engine(&busy).available(scenario.window, scenario.duration);
        let periods = &scenario.periods;
        let step = scenario.rules.step;
        for period in periods {
            let mut start = period.interval.start;
            while start + scenario.duration <= period.interval.end {
                let slot = Interval { start, end: start + scenario.duration };
                if scenario.window.contains(start) && scenario.truth.broken(slot, periods).is_empty() {
                    prop_assert!(offered.contains(&slot), "{slot:?} is bookable but not offered");
                }
                start += step;
            }
        }
    }

    /// A requested time is accepted exactly when it breaks no rule, and a refusal
    /// names a rule it does break; every offered slot is accepted.
    #[test]
    fn a_request_is_accepted_exactly_when_no_rule_is_broken(case in case()) {
        let scenario = Scenario::from(&case);
        let busy = scenario.busy();
        let engine = scenario.engine(&busy);
        let periods = &scenario.periods;
        let offered = engine.available(scenario.window, scenario.duration);
        let mut requests = spans_from(scenario.window.start, &case.requests);
        if !offered.is_empty() {
            requests.extend(case.nudges.iter().map(|(which, minutes)| {
                let near = offered[which % offered.len()];
                let by = Duration::minutes(*minutes);
                Interval { start: near.start + by, end: near.end + by }
            }));
        }
        for requested in offered.iter().chain(&requests) {
            let broken = scenario.truth.broken(*requested, periods);
            match engine.check(*requested) {
                Ok(()) => prop_assert!(broken.is_empty(), "{requested:?} accepted, breaks {broken:?}"),
                Err(violation) => prop_assert!(
                    broken.contains(&violation),
                    "{requested:?} refused as {violation:?}, breaks {broken:?}"
                ),
            }
        }
    }

    /// The suggestions are offered slots, best first and apart; alternatives to a
    /// requested time are bookable, apart from it and from each other.
    #[test]
    fn suggestions_and_alternatives_are_bookable_and_apart(case in case(), limit in 1usize..=5) {
        let scenario = Scenario::from(&case);
        let busy = scenario.busy();
        let engine = scenario.engine(&busy);
        let context = scenario.context();
        let all = engine.score(&engine.available(scenario.window, scenario.duration), &context);
        let suggested = best(&all, limit);
        prop_assert!(suggested.len() <= limit);
        for pair in suggested.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
        assert_apart(&suggested)?;
        for slot in &suggested {
            prop_assert!(all.contains(slot), "{slot:?} suggested but not offered");
        }
        if suggested.len() < limit {
            // Whatever was left out overlaps something suggested.
            for slot in &all {
                prop_assert!(suggested.iter().any(|s| s.interval.overlaps(&slot.interval)));
            }
        }
        let requested = spans_from(scenario.window.start, &case.requests);
        if let Some(requested) = requested.first() {
            let alternatives = alternatives_near(&engine, *requested, &context, limit);
            prop_assert!(alternatives.len() <= limit);
            assert_apart(&alternatives)?;
            for slot in &alternatives {
                prop_assert!(!slot.interval.overlaps(requested));
                prop_assert_eq!(slot.interval.duration(), requested.duration());
                let periods = scenario.truth.periods_near(slot.interval.start);
                let broken = scenario.truth.broken(slot.interval, &periods);
                prop_assert!(broken.is_empty(), "alternative {slot:?} breaks {broken:?}");
            }
        }
    }
}

fn assert_apart(slots: &[Slot]) -> Result<(), TestCaseError> {
    for (index, slot) in slots.iter().enumerate() {
        for other in &slots[index + 1..] {
            prop_assert!(
                !slot.interval.overlaps(&other.interval),
                "{slot:?} and {other:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn transition_days_are_found_for_each_kind_of_zone() {
    let count = |zone: Tz| {
        let index = ZONES.iter().position(|z| *z == zone).expect("valid");
        transitions(index).len()
    };
    assert_eq!(count(Tz::UTC), 0);
    assert_eq!(count(Tz::Asia__Kolkata), 0);
    for zone in [
        Tz::America__New_York,
        Tz::Australia__Lord_Howe,
        Tz::America__Santiago,
    ] {
        // Two changes a year for three years; a change at midnight spans two dates.
        assert!((6..=12).contains(&count(zone)), "{zone}: {}", count(zone));
    }
}
