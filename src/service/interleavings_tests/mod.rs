//! Random interleavings of bookings, reschedules and cancellations, the host's CalDAV
//! edits (personal events written and deleted; appointments' events moved, cancelled
//! or deleted in the bookings calendar), invitations by mail (accepted, declined,
//! updated, called off) and clients declining or proposing another time — one at a
//! time or two at once on two threads (mail one message at a time, as Kairos's inbound
//! job reads it) — against a real store. After every step the store must hold:
//!
//! 1. no two confirmed appointments overlapping, nor closer than the buffer;
//! 2. the day ledger (what booking transactions check) listing exactly the confirmed
//!    appointments;
//! 3. no appointment placed (booked, moved, accepted) in a step on time that was the
//!    host's personal busy time (with the buffer) before the step and not touched by it;
//! 4. no day past its limit (three here) but by the host's own moves.
//!
//! A second property races operations on one time. 24 runs each by default;
//! `PROPTEST_CASES` sets another number.

mod messages;
mod ops;
mod regressions;
mod world;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use chrono_tz::America::New_York;
use proptest::prelude::*;

use crate::domain::{AppointmentId, Interval};
use ops::{Op, Step, racing_steps, steps};
use world::{Action, World, perform};

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 24;
    }
    config
}

/// The confirmed appointments as the store has them.
fn confirmed(world: &World) -> BTreeMap<AppointmentId, Interval> {
    world
        .scheduler
        .store()
        .appointments()
        .expect("appointments readable")
        .into_iter()
        .filter(|appointment| appointment.is_confirmed())
        .map(|appointment| (appointment.id, appointment.interval))
        .collect()
}

/// Runs the actions of one step, each on its own thread, released together.
fn run_step(
    runtime: &tokio::runtime::Runtime,
    world: &World,
    actions: Vec<Action>,
) -> Vec<Result<world::Outcome, String>> {
    let start = std::sync::Barrier::new(actions.len());
    std::thread::scope(|scope| {
        let threads: Vec<_> = actions
            .into_iter()
            .map(|action| {
                let handles = world.handles();
                let (start, runtime) = (&start, runtime.handle());
                scope.spawn(move || {
                    start.wait();
                    runtime.block_on(perform(handles, action))
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err("the operation panicked".to_string()))
            })
            .collect()
    })
}

fn overlaps_with_buffer(a: &Interval, b: &Interval, buffer: chrono::Duration) -> bool {
    a.start < b.end + buffer && b.start - buffer < a.end
}

fn check_apart(
    appointments: &BTreeMap<AppointmentId, Interval>,
    buffer: chrono::Duration,
) -> Result<(), TestCaseError> {
    let all: Vec<(&AppointmentId, &Interval)> = appointments.iter().collect();
    for (index, (id, interval)) in all.iter().enumerate() {
        for (other_id, other) in &all[index + 1..] {
            prop_assert!(
                !interval.overlaps(other),
                "double booking: {id} {interval:?} and {other_id} {other:?}"
            );
            prop_assert!(
                !overlaps_with_buffer(interval, other, buffer),
                "inside the buffer: {id} {interval:?} and {other_id} {other:?}"
            );
        }
    }
    Ok(())
}

fn check_ledger(
    world: &World,
    appointments: &BTreeMap<AppointmentId, Interval>,
) -> Result<(), TestCaseError> {
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid");
    let to = NaiveDate::from_ymd_opt(2026, 12, 31).expect("valid");
    let ledger = world
        .scheduler
        .store()
        .booked_between(from, to)
        .expect("ledger readable");
    let listed: BTreeMap<AppointmentId, Interval> = ledger.iter().cloned().collect();
    prop_assert_eq!(listed.len(), ledger.len(), "an appointment listed twice");
    prop_assert_eq!(
        &listed,
        appointments,
        "the ledger and the appointments disagree"
    );
    Ok(())
}

/// Confirmed appointments per New York day.
fn per_day(appointments: &BTreeMap<AppointmentId, Interval>) -> BTreeMap<NaiveDate, usize> {
    let mut days = BTreeMap::new();
    for interval in appointments.values() {
        let day = interval.start.with_timezone(&New_York).date_naive();
        *days.entry(day).or_insert(0) += 1;
    }
    days
}

/// No day passes its limit in a step, unless the host's calendar app moved something
/// (she may; her moves are checked against busy time only). A day already past it
/// (by her) gains nothing.
fn check_daily_limit(
    before: &BTreeMap<AppointmentId, Interval>,
    after: &BTreeMap<AppointmentId, Interval>,
    limit: usize,
) -> Result<(), TestCaseError> {
    let before = per_day(before);
    for (day, count) in per_day(after) {
        let allowed = before.get(&day).copied().unwrap_or(0).max(limit);
        prop_assert!(
            count <= allowed,
            "{count} appointments on {day}, the limit {limit}"
        );
    }
    Ok(())
}

fn personal_event_touched(op: &Op) -> Option<usize> {
    match op {
        Op::PersonalPut { event, .. } | Op::PersonalDelete { event } => Some(*event),
        _ => None,
    }
}

/// Runs `steps` on a fresh world, checking the invariants after each.
fn interleave(steps: &[Step]) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut world = World::new();
    for (index, step) in steps.iter().enumerate() {
        let ops: Vec<&Op> = match step {
            Step::One(op) => vec![op],
            Step::Together(a, b) => vec![a, b],
        };
        let before = confirmed(&world);
        let busy_before = world.events.clone();
        let touched: BTreeSet<usize> = ops
            .iter()
            .filter_map(|op| personal_event_touched(op))
            .collect();
        let actions = ops.iter().map(|op| world.prepare(op)).collect();
        for outcome in run_step(&runtime, &world, actions) {
            let outcome = outcome
                .map_err(|error| TestCaseError::fail(format!("step {index} {step:?}: {error}")))?;
            world.absorb(outcome);
        }
        world.settle_events(&touched);
        let after = confirmed(&world);
        check_apart(&after, world.buffer).map_err(|error| {
            TestCaseError::fail(format!("after step {index} {step:?}: {error}"))
        })?;
        check_ledger(&world, &after).map_err(|error| {
            TestCaseError::fail(format!("after step {index} {step:?}: {error}"))
        })?;
        let host_moved = ops.iter().any(|op| matches!(op, Op::HostMove { .. }));
        if !host_moved {
            check_daily_limit(&before, &after, world.max_per_day).map_err(|error| {
                TestCaseError::fail(format!("after step {index} {step:?}: {error}"))
            })?;
        }
        for (id, interval) in &after {
            if before.get(id) == Some(interval) {
                continue;
            }
            for (event, busy) in &busy_before {
                prop_assert!(
                    touched.contains(event) || !overlaps_with_buffer(interval, busy, world.buffer),
                    "step {index} {step:?} placed {id} at {interval:?} on personal event {event} {busy:?}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn interleaved_changes_never_double_book_nor_land_on_earlier_busy_time(steps in steps()) {
        interleave(&steps)?;
    }

    #[test]
    fn racing_changes_of_one_time_never_double_book_it(steps in racing_steps()) {
        interleave(&steps)?;
    }
}
