//! Which intervals can be booked at all: the hard rules, in one place for listing
//! (`available`) and for checking one requested time (`check`), so the two never disagree.

use chrono::{DateTime, Duration, Utc};

use super::Engine;
use crate::domain::{Interval, RuleViolation};

pub(super) fn available(
    engine: &Engine<'_>,
    window: Interval,
    duration: Duration,
) -> Vec<Interval> {
    let rules = engine.rules;
    let step = rules.step.max(Duration::minutes(1));
    let lowest = window.start.max(engine.earliest_start());
    let highest = window
        .end
        .min(engine.latest_start() + Duration::nanoseconds(1));
    let mut found = Vec::new();
    if duration <= Duration::zero() || lowest >= highest {
        return found;
    }
    // A period that started the day before can still reach into the window.
    let Some(mut date) = rules.local_date(lowest).pred_opt() else {
        return found;
    };
    let last_date = rules.local_date(highest);
    while date <= last_date {
        if engine.busy.appointments_on(date) < rules.max_per_day {
            for period in rules.working_hours.on(date, rules.zone) {
                collect_in_period(
                    engine,
                    period,
                    (lowest, highest),
                    duration,
                    step,
                    &mut found,
                );
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    found
}

/// Pushes every free slot of `period` whose start lies in `[bounds.0, bounds.1)`,
/// on the period's step grid.
fn collect_in_period(
    engine: &Engine<'_>,
    period: Interval,
    bounds: (DateTime<Utc>, DateTime<Utc>),
    duration: Duration,
    step: Duration,
    found: &mut Vec<Interval>,
) {
    let mut start = align_up(period.start, bounds.0, step);
    while start < bounds.1 && start + duration <= period.end {
        let slot = Interval {
            start,
            end: start + duration,
        };
        if engine.busy.is_free(slot) {
            found.push(slot);
            start += step;
        } else {
            // Jump past the busy block that blocks this start, back onto the grid.
            let free_from = engine.busy.next_free_from(start).max(start + step);
            start = align_up(period.start, free_from, step);
        }
    }
}

/// The first instant `origin + k·step` (k ≥ 0) at or after `at`.
fn align_up(origin: DateTime<Utc>, at: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    if at <= origin {
        return origin;
    }
    let step_secs = step.num_seconds().max(1);
    let offset = (at - origin).num_seconds();
    let steps = (offset + step_secs - 1) / step_secs;
    let aligned = origin + Duration::seconds(steps * step_secs);
    if aligned < at {
        aligned + step
    } else {
        aligned
    }
}

pub(super) fn check(engine: &Engine<'_>, requested: Interval) -> Result<(), RuleViolation> {
    let rules = engine.rules;
    if requested.start < engine.now {
        return Err(RuleViolation::InThePast);
    }
    if requested.start < engine.earliest_start() {
        return Err(RuleViolation::InsideNotice);
    }
    if requested.start > engine.latest_start() {
        return Err(RuleViolation::BeyondHorizon);
    }
    let date = rules.local_date(requested.start);
    let in_hours = [date.pred_opt(), Some(date)]
        .into_iter()
        .flatten()
        .flat_map(|day| rules.working_hours.on(day, rules.zone))
        .any(|period| period.covers(&requested));
    if !in_hours {
        return Err(RuleViolation::OutsideWorkingHours);
    }
    if engine.busy.appointments_on(date) >= rules.max_per_day {
        return Err(RuleViolation::DailyLimitReached);
    }
    if !engine.busy.is_free(requested) {
        return Err(RuleViolation::Taken);
    }
    Ok(())
}
