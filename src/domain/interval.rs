//! Half-open time intervals `[start, end)` in UTC, the unit of all busy/free arithmetic.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A half-open interval `[start, end)` of UTC instants. `start < end` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interval {
    /// First instant inside the interval.
    pub start: DateTime<Utc>,
    /// First instant after the interval.
    pub end: DateTime<Utc>,
}

impl Interval {
    /// The interval `[start, end)`, or `None` when it would be empty or reversed.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    /// The interval of `length` starting at `start`, or `None` when `length` is not positive.
    pub fn starting_at(start: DateTime<Utc>, length: Duration) -> Option<Self> {
        Self::new(start, start + length)
    }

    /// Its length.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// True when the two share at least one instant (touching ends do not overlap).
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `instant` lies inside.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    /// True when `other` lies entirely inside.
    pub fn covers(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The interval grown by `by` on both sides.
    pub fn widened(&self, by: Duration) -> Interval {
        Interval {
            start: self.start - by,
            end: self.end + by,
        }
    }
}

/// Sorts `intervals` and merges the ones that overlap or touch.
pub fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for interval in intervals {
        match merged.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => merged.push(interval),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, minute, 0)
            .single()
            .expect("valid test time")
    }

    fn iv(a: (u32, u32), b: (u32, u32)) -> Interval {
        Interval::new(at(a.0, a.1), at(b.0, b.1)).expect("non-empty test interval")
    }

    #[test]
    fn empty_or_reversed_intervals_are_refused() {
        assert!(Interval::new(at(10, 0), at(10, 0)).is_none());
        assert!(Interval::new(at(11, 0), at(10, 0)).is_none());
    }

    #[test]
    fn touching_intervals_do_not_overlap() {
        assert!(!iv((9, 0), (10, 0)).overlaps(&iv((10, 0), (11, 0))));
        assert!(iv((9, 0), (10, 1)).overlaps(&iv((10, 0), (11, 0))));
    }

    #[test]
    fn merge_joins_overlapping_and_touching() {
        let merged = merge(vec![
            iv((13, 0), (14, 0)),
            iv((9, 0), (10, 0)),
            iv((10, 0), (10, 30)),
            iv((9, 30), (9, 45)),
        ]);
        assert_eq!(merged, vec![iv((9, 0), (10, 30)), iv((13, 0), (14, 0))]);
    }
}
