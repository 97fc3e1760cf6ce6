//! Two ends joined into one interval: "3-4pm", "8am until 6", "between 9 and 11",
//! "9:30 - 11:00 on Thursday", "July 13-15", "from the 13th to the 15th of July",
//! "from Mon to Wed". An end given as a clock time is where the interval stops ("until
//! 11" ends at 11:00); an end given as a day includes that day.
//!
//! Must not know: words, options, the protocol.

use chrono::{Datelike, Days, Months};

use super::clock::{Clock, Meridiem};
use super::resolve::{Reader, Side};
use super::scan::{Mark, Piece};
use super::{Grain, Meaning};

/// Where the text splits into two ends: the first "-", "to", "until", or the "and"
/// of "between … and".
fn split_at(pieces: &[Piece]) -> Option<usize> {
    let mut between = false;
    for (at, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Mark(Mark::Between) => between = true,
            Piece::Mark(Mark::To | Mark::Until) => return Some(at),
            Piece::Mark(Mark::And) if between => return Some(at),
            _ => {}
        }
    }
    None
}

fn hour(number: Option<(u32, usize)>) -> Option<Clock> {
    number.and_then(|(value, digits)| Clock::hour(value, digits))
}

impl Reader<'_> {
    /// The interval between two ends, if the pieces have two.
    pub(super) fn range(&self, pieces: &[Piece]) -> Option<Meaning> {
        let split = split_at(pieces)?;
        let left = Side::gather(&pieces[..split]);
        let right = Side::gather(&pieces[split + 1..]);
        if left.is_empty() || right.is_empty() {
            return None;
        }
        let timed = left.clock.is_some()
            || right.clock.is_some()
            || (left.plain_number().is_some() && right.plain_number().is_some());
        if timed {
            self.time_range(left, right)
        } else {
            self.date_range(left, right)
        }
    }

    fn time_range(&self, mut left: Side, mut right: Side) -> Option<Meaning> {
        self.settle_day(&mut left);
        self.settle_day(&mut right);
        // A day or part of day said at one end holds for both.
        left.day = left.day.or(right.day);
        right.day = right.day.or(left.day);
        left.part = left.part.or(right.part);
        right.part = right.part.or(left.part);
        let left_clock = left.clock.or_else(|| hour(left.plain_number()))?;
        let right_clock = right.clock.or_else(|| hour(right.plain_number()))?;
        // "3-4pm", "9-11am": an ambiguous end borrows the other's am/pm.
        let left_hint = right_clock.meridiem.filter(|_| left_clock.ambiguous());
        let right_hint = left_clock.meridiem.filter(|_| right_clock.ambiguous());
        let mut start = self.clock_point(&left, left_clock, left_hint)?;
        if right.day.is_none() && right.moment.is_none() {
            right.day = Some((start.start.date(), false));
        }
        let mut end = self.clock_point(&right, right_clock, right_hint)?;
        if end.start <= start.start && right_hint == Some(Meridiem::Am) {
            // "8am until 6": the end is in the evening.
            end = self.clock_point(&right, right_clock, Some(Meridiem::Pm))?;
        }
        if end.start <= start.start && left_hint == Some(Meridiem::Pm) {
            // "11-1pm": the start is in the morning.
            start = self.clock_point(&left, left_clock, Some(Meridiem::Am))?;
        }
        let mut end_at = end.start;
        if end_at <= start.start {
            end_at = end_at.checked_add_days(Days::new(1))?;
        }
        Some(Meaning::Interval {
            start: Some(start.start),
            end: Some(end_at),
            grain: left_clock.grain.min(right_clock.grain),
        })
    }

    fn date_range(&self, mut left: Side, mut right: Side) -> Option<Meaning> {
        // "July 13-15", "13 to 15 July": a bare number is a day of the other end's month.
        let left_number = left.number.map(|(n, _)| n).or(left.month_day);
        let right_number = right.number.map(|(n, _)| n).or(right.month_day);
        if let (None, None, Some(day), Some((other, false))) =
            (left.day, left.period, left_number, right.day)
        {
            let mut date = other.with_day(day)?;
            if date > other {
                date = date.checked_sub_months(Months::new(1))?;
            }
            left.day = Some((date, false));
            left.number = None;
            left.month_day = None;
        }
        if let (None, None, Some(day), Some((other, false))) =
            (right.day, right.period, right_number, left.day)
        {
            let mut date = other.with_day(day)?;
            if date < other {
                date = date.checked_add_months(Months::new(1))?;
            }
            right.day = Some((date, false));
            right.number = None;
            right.month_day = None;
        }
        let start = self.point(&left)?;
        let end = self.point(&right)?;
        let mut end_at = end.end;
        if end_at <= start.start {
            match right.day {
                // "from Friday to Monday": the Monday after.
                Some((_, true)) => end_at = end_at.checked_add_days(Days::new(7))?,
                _ => return None,
            }
        }
        Some(Meaning::Interval {
            start: Some(start.start),
            end: Some(end_at),
            grain: start.grain.max(Grain::Day).min(end.grain.max(Grain::Day)),
        })
    }
}
