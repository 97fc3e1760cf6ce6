//! The suggestion engine, pure and deterministic (`now` is passed in):
//! free time = working hours − (busy widened by the buffer) − notice, within the horizon
//! and the daily limit; candidate slots on a fixed step; scores with plain-words
//! reasons; the best few, and alternatives near a time that could not be booked.
//!
//! Must not know: where busy time comes from (the caller builds a [`Busy`] from
//! appointments, mirrored calendars, CalDAV), storage, HTTP, or the wall clock.

mod busy;
mod candidates;
mod pick;
mod score;

pub use busy::Busy;
pub use pick::{alternatives_near, best};
pub use score::{HistorySource, ScoreContext, ScoringWeights};

use chrono::{DateTime, Duration, Utc};

use crate::domain::{AvailabilityRules, Interval, RuleViolation};

/// A bookable time with its score and the reasons for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// When.
    pub interval: Interval,
    /// Higher is better; base 100.
    pub score: i32,
    /// Why it scored as it did, in plain words, for the client to read.
    pub reasons: Vec<String>,
}

/// Everything the engine needs to answer one question about the host's time.
#[derive(Debug, Clone, Copy)]
pub struct Engine<'a> {
    /// The host's rules.
    pub rules: &'a AvailabilityRules,
    /// Her busy time, appointments included.
    pub busy: &'a Busy,
    /// Minimum notice for the meeting type asked about.
    pub notice: Duration,
    /// The instant the question is asked.
    pub now: DateTime<Utc>,
}

impl Engine<'_> {
    /// Every bookable interval of length `duration` whose start lies in `window`, by start.
    pub fn available(&self, window: Interval, duration: Duration) -> Vec<Interval> {
        candidates::available(self, window, duration)
    }

    /// Whether `requested` can be booked; the first rule it breaks otherwise.
    pub fn check(&self, requested: Interval) -> Result<(), RuleViolation> {
        candidates::check(self, requested)
    }

    /// Scores `intervals` and returns them as slots, in the same order.
    pub fn score(&self, intervals: &[Interval], context: &ScoreContext<'_>) -> Vec<Slot> {
        intervals
            .iter()
            .map(|interval| score::score(self, *interval, context))
            .collect()
    }

    /// The earliest instant a slot may start.
    fn earliest_start(&self) -> DateTime<Utc> {
        self.now + self.notice.max(Duration::zero())
    }

    /// The last instant a slot may start.
    fn latest_start(&self) -> DateTime<Utc> {
        self.now + self.rules.horizon
    }
}

#[cfg(test)]
mod tests;
