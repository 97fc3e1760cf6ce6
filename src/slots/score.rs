//! Scoring: base 100, +30 inside the client's preferred days and times, +20 when the
//! slot keeps a full buffer on both sides, +25 when it matches booking history (the
//! client's own, or everyone's for a new client), −10 when it is back-to-back with
//! other busy time. Each rule that applies adds a reason in plain words.

use chrono::{Datelike, Duration, Timelike};
use chrono_tz::Tz;

use super::{Engine, Slot};
use crate::domain::client::weekday_name;
use crate::domain::{Interval, PartOfDay, Preferences};
use crate::learn::Habits;

/// Points per rule (config `scoring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoringWeights {
    /// Every available slot starts here.
    pub base: i32,
    /// Inside the client's preferred days and time slots.
    pub preferred_time: i32,
    /// A full buffer of free time on both sides.
    pub full_buffer: i32,
    /// Matches booking history.
    pub history_match: i32,
    /// Right next to other busy time (usually negative).
    pub back_to_back: i32,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        Self {
            base: 100,
            preferred_time: 30,
            full_buffer: 20,
            history_match: 25,
            back_to_back: -10,
        }
    }
}

/// Whose booking history the habits come from.
#[derive(Debug, Clone, PartialEq)]
pub enum HistorySource {
    /// The client's own bookings.
    Client(Habits),
    /// All clients' bookings (a new client), counted in the host's zone.
    Global(Habits),
    /// No history at all.
    None,
}

/// Who is asking, and what is known about them.
#[derive(Debug, Clone)]
pub struct ScoreContext<'a> {
    /// Points per rule.
    pub weights: ScoringWeights,
    /// The client's stated preferences, if known.
    pub preferences: Option<&'a Preferences>,
    /// The zone the client reads times in (preferences are wall-clock times there).
    pub client_zone: Tz,
    /// Booking history.
    pub history: HistorySource,
}

pub(super) fn score(engine: &Engine<'_>, interval: Interval, context: &ScoreContext<'_>) -> Slot {
    let weights = context.weights;
    let mut slot = Slot {
        interval,
        score: weights.base,
        reasons: Vec::new(),
    };
    if let Some(reason) = preference_reason(interval, context) {
        slot.score += weights.preferred_time;
        slot.reasons.push(reason);
    }
    if let Some(reason) = history_reason(engine, interval, context) {
        slot.score += weights.history_match;
        slot.reasons.push(reason);
    }
    let buffer = engine.rules.buffer.max(Duration::zero());
    let before = engine.busy.gap_before(interval);
    let after = engine.busy.gap_after(interval);
    let tight = |gap: Option<Duration>| gap.is_some_and(|gap| gap <= buffer);
    if tight(before) || tight(after) {
        slot.score += weights.back_to_back;
        slot.reasons.push(match (tight(before), tight(after)) {
            (true, true) => "Between two other appointments".to_string(),
            (true, false) => "Right after another appointment".to_string(),
            _ => "Right before another appointment".to_string(),
        });
    } else {
        // A full buffer: the client's preferred breathing room (else the host's buffer)
        // on top of the buffer the rules already keep.
        let wanted = context
            .preferences
            .and_then(|prefs| prefs.buffer_minutes)
            .map_or(buffer, |minutes| Duration::minutes(i64::from(minutes)));
        let roomy = |gap: Option<Duration>| gap.is_none_or(|gap| gap >= buffer + wanted);
        if roomy(before) && roomy(after) {
            slot.score += weights.full_buffer;
            slot.reasons
                .push("Unhurried: free time before and after".to_string());
        }
    }
    if slot.reasons.is_empty() {
        slot.reasons
            .push("Open and within working hours".to_string());
    }
    slot
}

fn preference_reason(interval: Interval, context: &ScoreContext<'_>) -> Option<String> {
    let prefs = context
        .preferences
        .filter(|prefs| prefs.has_time_preferences())?;
    let zone = prefs.timezone.unwrap_or(context.client_zone);
    let start = interval.start.with_timezone(&zone);
    let end = interval.end.with_timezone(&zone);
    let day_ok = prefs.preferred_days.is_empty() || prefs.preferred_days.contains(&start.weekday());
    let matched_slot = prefs
        .preferred_time_slots
        .iter()
        .find(|slot| slot.contains(start.time(), end.time()));
    let time_ok = prefs.preferred_time_slots.is_empty() || matched_slot.is_some();
    if !(day_ok && time_ok) {
        return None;
    }
    let day = weekday_name(start.weekday());
    Some(match (prefs.preferred_days.is_empty(), matched_slot) {
        (false, Some(slot)) => format!(
            "On a day and at a time you prefer ({day}, {})",
            slot.to_text()
        ),
        (false, None) => format!("On a day you prefer ({day})"),
        (true, Some(slot)) => format!("At a time of day you prefer ({})", slot.to_text()),
        (true, None) => return None,
    })
}

fn history_reason(
    engine: &Engine<'_>,
    interval: Interval,
    context: &ScoreContext<'_>,
) -> Option<String> {
    let (habits, zone, own) = match &context.history {
        HistorySource::Client(habits) => (habits, context.client_zone, true),
        HistorySource::Global(habits) => (habits, engine.rules.zone, false),
        HistorySource::None => return None,
    };
    let start = interval.start.with_timezone(&zone);
    if !habits.contains(start.weekday(), start.hour()) {
        return None;
    }
    if !own {
        return Some("A time other clients often choose".to_string());
    }
    let day = weekday_name(start.weekday());
    Some(match PartOfDay::of_hour(start.hour()) {
        Some(part) => format!("Matches your usual {day} {}s", part.name()),
        None => format!("Matches your usual {day}s around {:02}:00", start.hour()),
    })
}
