//! Choosing among scored slots: the best few for a day, and alternatives near a time
//! that could not be booked. Picks never overlap, so a client is offered real choices
//! rather than the same hour shifted by a quarter.

use std::cmp::Reverse;

use chrono::{Duration, NaiveDate};

use super::{Engine, ScoreContext, Slot};
use crate::domain::Interval;

/// The `limit` best slots, best first (ties by earliest start), none overlapping another.
pub fn best(slots: &[Slot], limit: usize) -> Vec<Slot> {
    let mut ranked: Vec<&Slot> = slots.iter().collect();
    ranked.sort_by_key(|slot| (Reverse(slot.score), slot.interval.start));
    pick_disjoint(ranked, limit)
}

/// Up to `limit` alternatives to `requested`: slots on the same host-local day first,
/// then on the nearest days; within a day the best score, then the closest start.
/// Searches from two days before to fourteen days after the requested time, and the
/// whole bookable range when that finds nothing (a time far in the past or beyond the
/// horizon still gets the nearest bookable ones).
pub fn alternatives_near(
    engine: &Engine<'_>,
    requested: Interval,
    context: &ScoreContext<'_>,
    limit: usize,
) -> Vec<Slot> {
    let near = Interval {
        start: requested.start - Duration::days(2),
        end: requested.start + Duration::days(14),
    };
    let found = alternatives_in(engine, near, requested, context, limit);
    if !found.is_empty() {
        return found;
    }
    let bookable = Interval {
        start: engine.now,
        end: engine.latest_start() + Duration::seconds(1),
    };
    alternatives_in(engine, bookable, requested, context, limit)
}

fn alternatives_in(
    engine: &Engine<'_>,
    window: Interval,
    requested: Interval,
    context: &ScoreContext<'_>,
    limit: usize,
) -> Vec<Slot> {
    let duration = requested.duration();
    let candidates: Vec<Interval> = engine
        .available(window, duration)
        .into_iter()
        .filter(|slot| !slot.overlaps(&requested))
        .collect();
    let slots = engine.score(&candidates, context);
    let day = |slot: &Slot| engine.rules.local_date(slot.interval.start);
    let requested_day: NaiveDate = engine.rules.local_date(requested.start);
    let mut ranked: Vec<&Slot> = slots.iter().collect();
    ranked.sort_by_key(|slot| {
        let days_away = (day(slot) - requested_day).num_days().abs();
        let distance = (slot.interval.start - requested.start).abs();
        (
            days_away,
            Reverse(slot.score),
            distance,
            slot.interval.start,
        )
    });
    pick_disjoint(ranked, limit)
}

fn pick_disjoint(ranked: Vec<&Slot>, limit: usize) -> Vec<Slot> {
    let mut picked: Vec<Slot> = Vec::with_capacity(limit);
    for slot in ranked {
        if picked.len() == limit {
            break;
        }
        if picked
            .iter()
            .all(|chosen| !chosen.interval.overlaps(&slot.interval))
        {
            picked.push(slot.clone());
        }
    }
    picked
}
