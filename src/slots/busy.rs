//! The host's busy time as the engine reads it: appointments (they count toward the
//! daily limit) and other busy time (mirrored calendars, personal events), sorted and
//! merged once so every question is a binary search.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::Interval;
use crate::domain::interval::merge;

/// Busy time, ready for queries.
#[derive(Debug, Clone, Default)]
pub struct Busy {
    /// All busy intervals, merged and sorted.
    merged: Vec<Interval>,
    /// All busy intervals widened by the buffer, merged and sorted.
    widened: Vec<Interval>,
    /// Appointments per host-local day (by start).
    per_day: HashMap<NaiveDate, usize>,
}

impl Busy {
    /// Busy time from the host's `appointments` and `other` busy intervals, with
    /// `buffer` kept around each, days counted in `zone`.
    pub fn new(appointments: &[Interval], other: &[Interval], buffer: Duration, zone: Tz) -> Self {
        let mut per_day = HashMap::new();
        for appointment in appointments {
            *per_day
                .entry(appointment.start.with_timezone(&zone).date_naive())
                .or_insert(0) += 1;
        }
        let all: Vec<Interval> = appointments.iter().chain(other).copied().collect();
        let buffer = buffer.max(Duration::zero());
        let widened = merge(
            all.iter()
                .map(|interval| interval.widened(buffer))
                .collect(),
        );
        Self {
            merged: merge(all),
            widened,
            per_day,
        }
    }

    /// All busy intervals, merged and sorted (without the buffer).
    pub fn intervals(&self) -> &[Interval] {
        &self.merged
    }

    /// True when `interval` keeps the buffer clear of all busy time.
    pub fn is_free(&self, interval: Interval) -> bool {
        let first_after = self
            .widened
            .partition_point(|busy| busy.end <= interval.start);
        self.widened
            .get(first_after)
            .is_none_or(|busy| busy.start >= interval.end)
    }

    /// The first instant at or after `instant` that is not inside widened busy time.
    pub fn next_free_from(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        let index = self.widened.partition_point(|busy| busy.end <= instant);
        match self.widened.get(index) {
            Some(busy) if busy.start <= instant => busy.end,
            _ => instant,
        }
    }

    /// Appointments starting on the host-local day `date`.
    pub fn appointments_on(&self, date: NaiveDate) -> usize {
        self.per_day.get(&date).copied().unwrap_or(0)
    }

    /// Free time between the end of the busy time before `interval` and its start
    /// (`None` when nothing busy precedes it).
    pub fn gap_before(&self, interval: Interval) -> Option<Duration> {
        let index = self
            .merged
            .partition_point(|busy| busy.end <= interval.start);
        index
            .checked_sub(1)
            .and_then(|previous| self.merged.get(previous))
            .map(|busy| interval.start - busy.end)
    }

    /// Free time between the end of `interval` and the next busy time (`None` when none follows).
    pub fn gap_after(&self, interval: Interval) -> Option<Duration> {
        let index = self
            .merged
            .partition_point(|busy| busy.start < interval.end);
        self.merged.get(index).map(|busy| busy.start - interval.end)
    }
}
