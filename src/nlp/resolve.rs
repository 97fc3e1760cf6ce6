//! Pieces into one answer: a range when two ends are joined ("3-4pm", "from Mon to
//! Wed", "between 9 and 11"), an open interval after "until", "by", "after", a window
//! for a kind of time with no date ("any morning", "not before 10am"), else the one
//! time the pieces name together ("tomorrow afternoon at 5"). Bare hours read as
//! business hours; a time with no date is the next one to come.
//!
//! Must not know: words (that is `scan`), options, the protocol.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};

use super::clock::{Clock, Meridiem};
use super::parts::Part;
use super::periods::{Period, truncate};
use super::scan::{Mark, Piece, Scan};
use super::zone::Zone;
use super::{Context, Grain, Meaning, Understanding};

/// What one end of a range (or the whole text) says.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Side {
    pub day: Option<(NaiveDate, bool)>,
    pub period: Option<Period>,
    pub clock: Option<Clock>,
    pub part: Option<Part>,
    pub moment: Option<(NaiveDateTime, Grain)>,
    /// A bare number, maybe an hour: (value, digits written).
    pub number: Option<(u32, usize)>,
    /// A number written as a day of the month ("the 12th").
    pub month_day: Option<u32>,
}

impl Side {
    pub fn gather(pieces: &[Piece]) -> Side {
        let mut side = Side::default();
        for piece in pieces {
            match *piece {
                Piece::Day { date, weekday }
                    if side
                        .day
                        .is_none_or(|(_, was_weekday)| was_weekday && !weekday) =>
                {
                    side.day = Some((date, weekday));
                }
                Piece::Period(period) => {
                    side.period.get_or_insert(period);
                }
                Piece::Clock(clock) => {
                    side.clock.get_or_insert(clock);
                }
                Piece::Part(part) => {
                    side.part.get_or_insert(part);
                }
                Piece::Moment { at, grain } => {
                    side.moment.get_or_insert((at, grain));
                }
                Piece::Number {
                    value,
                    digits,
                    day_like,
                } => {
                    if day_like {
                        side.month_day.get_or_insert(value);
                    } else {
                        side.number.get_or_insert((value, digits));
                    }
                }
                _ => {}
            }
        }
        side
    }

    pub fn is_empty(&self) -> bool {
        self.day.is_none()
            && self.period.is_none()
            && self.clock.is_none()
            && self.part.is_none()
            && self.moment.is_none()
            && self.number.is_none()
            && self.month_day.is_none()
    }

    fn dated(&self) -> bool {
        self.day.is_some() || self.period.is_some() || self.moment.is_some()
    }

    /// A bare number that is not written as a day ("3", not "the 3rd").
    pub fn plain_number(&self) -> Option<(u32, usize)> {
        self.number
    }
}

/// A resolved time: where it starts, where it ends (exclusive), how precise it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct Point {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub grain: Grain,
}

impl Point {
    /// Where a range ending at this point ends: at a clock time itself ("until 2pm"),
    /// after a whole day or period ("until Friday").
    fn boundary(&self) -> NaiveDateTime {
        if self.grain <= Grain::Hour && self.end - self.start <= chrono::Duration::hours(1) {
            self.start
        } else {
            self.end
        }
    }
}

pub(super) struct Reader<'a> {
    context: &'a Context,
    zone: Option<Zone>,
    /// Whether a bare number may be read as an hour without anything around it
    /// saying so: true when all other words are booking-chat filler.
    loose_hours: bool,
}

/// The meaning of the scanned pieces of one clause.
pub(super) fn resolve(scan: &Scan, context: &Context) -> Understanding {
    let marks: Vec<Mark> = scan
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Mark(mark) => Some(*mark),
            _ => None,
        })
        .collect();
    let lengths: Vec<_> = scan
        .pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Length(length) => Some(*length),
            _ => None,
        })
        .collect();
    let reader = Reader {
        context,
        zone: scan.pieces.iter().find_map(|p| match p {
            Piece::Zone(zone) => Some(*zone),
            _ => None,
        }),
        loose_hours: scan.stray_words == 0,
    };
    let (meaning, length_used) = reader.meaning(&scan.pieces, &marks, !lengths.is_empty());
    let meaning = match meaning {
        Meaning::Nothing if !lengths.is_empty() && !length_used => Meaning::Duration,
        other => other,
    };
    // "any morning next week", "afternoons next month": a daily window in the period.
    let whole = Side::gather(&scan.pieces);
    let daily = whole
        .part
        .filter(|_| whole.period.is_some() && whole.day.is_none());
    let time_of_day = match (&meaning, daily) {
        (Meaning::Interval { .. }, Some(part)) => window_of(part),
        _ => None,
    };
    Understanding {
        meaning,
        duration_minutes: lengths
            .first()
            .filter(|_| !length_used)
            .and_then(|l| l.minutes()),
        negated: marks.contains(&Mark::Not),
        time_of_day,
        ..Understanding::default()
    }
}

fn hours(hour: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(hour % 24, 0, 0)
}

fn window_of(part: Part) -> Option<(NaiveTime, Option<NaiveTime>)> {
    Some((hours(part.business_start())?, Some(hours(part.end)?)))
}

fn at_hour(date: NaiveDate, hour: u32) -> Option<NaiveDateTime> {
    Some(
        date.checked_add_days(Days::new(u64::from(hour / 24)))?
            .and_time(hours(hour)?),
    )
}

impl Reader<'_> {
    fn now(&self) -> NaiveDateTime {
        self.context.now
    }

    /// The meaning, and whether a length was used up in it ("within 2 weeks").
    fn meaning(&self, pieces: &[Piece], marks: &[Mark], has_length: bool) -> (Meaning, bool) {
        if let Some(meaning) = self.range(pieces) {
            return (meaning, false);
        }
        let side = Side::gather(pieces);
        let open = |mark: Mark| marks.contains(&mark);
        let length = pieces.iter().find_map(|p| match p {
            Piece::Length(length) => Some(*length),
            _ => None,
        });
        if open(Mark::Asap) {
            return (self.interval(Some(self.now()), None, Grain::Second), false);
        }
        if side.is_empty()
            && let Some(length) = length
        {
            if open(Mark::Within) {
                let end = length.from(self.now(), 1);
                let end = if length.unit.grain() >= Grain::Day {
                    end.and_then(|e| truncate(e, Grain::Day))
                } else {
                    end
                };
                return (self.interval(Some(self.now()), end, Grain::Second), true);
            }
            if open(Mark::After) || open(Mark::Since) {
                let start = length.from(self.now(), 1);
                return (self.interval(start, None, Grain::Hour), true);
            }
        }
        let windowed = !side.dated()
            && (open(Mark::Any)
                || open(Mark::NotBefore)
                || open(Mark::NotAfter)
                || side.part.is_some_and(|p| p.every));
        if windowed && let Some(window) = self.window(&side, marks) {
            return (window, false);
        }
        let Some(point) = self.point(&side) else {
            return (Meaning::Nothing, false);
        };
        let first = |candidates: &[Mark]| marks.iter().find(|m| candidates.contains(m)).copied();
        let from_with_length = has_length && open(Mark::From);
        let open_mark = first(&[
            Mark::By,
            Mark::Until,
            Mark::Before,
            Mark::NotAfter,
            Mark::After,
            Mark::NotBefore,
            Mark::Since,
            Mark::From,
        ]);
        let meaning = match open_mark {
            Some(Mark::By) => {
                self.interval(Some(self.now()), Some(point.boundary()), Grain::Second)
            }
            Some(Mark::Until | Mark::NotAfter) => {
                self.interval(None, Some(point.boundary()), point.grain)
            }
            Some(Mark::Before) => self.interval(None, Some(point.start), point.grain),
            Some(Mark::After | Mark::NotBefore) => {
                let start = if point.grain >= Grain::Day {
                    point.end
                } else {
                    point.start
                };
                self.interval(Some(start), None, point.grain)
            }
            Some(Mark::Since | Mark::From) if !from_with_length => {
                self.interval(Some(point.start), None, point.grain)
            }
            _ => self.whole(&side, point),
        };
        (meaning, false)
    }

    fn interval(
        &self,
        start: Option<NaiveDateTime>,
        end: Option<NaiveDateTime>,
        grain: Grain,
    ) -> Meaning {
        Meaning::Interval { start, end, grain }
    }

    /// A point on its own: an instant for a time or a day, an interval for a part of
    /// a day or a period.
    fn whole(&self, side: &Side, point: Point) -> Meaning {
        let single = side.clock.is_some()
            || self.hour_of(side, false).is_some()
            || side.moment.is_some()
            || (side.part.is_none() && side.period.is_none());
        if single {
            Meaning::Instant {
                at: point.start,
                grain: point.grain,
            }
        } else {
            self.interval(Some(point.start), Some(point.end), point.grain)
        }
    }

    /// A time-of-day window with no date: "any morning", "not before 10am".
    fn window(&self, side: &Side, marks: &[Mark]) -> Option<Meaning> {
        let clock = side
            .clock
            .or_else(|| self.hour_of(side, true))
            .and_then(|c| c.time(side.part.and_then(|p| p.hint)));
        let before = marks
            .iter()
            .any(|m| matches!(m, Mark::NotAfter | Mark::Before | Mark::Until | Mark::By));
        match (clock, side.part) {
            (Some(time), _) if before => Some(Meaning::Window {
                start: None,
                end: Some(time),
            }),
            (Some(time), _) => Some(Meaning::Window {
                start: Some(time),
                end: None,
            }),
            (None, Some(part)) => {
                let (start, end) = window_of(part)?;
                Some(Meaning::Window {
                    start: Some(start),
                    end,
                })
            }
            (None, None) => None,
        }
    }

    /// A bare number of `side` read as an hour, where that reading is allowed.
    fn hour_of(&self, side: &Side, in_context: bool) -> Option<Clock> {
        let (value, digits) = side.plain_number()?;
        let allowed = in_context
            || self.loose_hours
            || side.day.is_some()
            || side.part.is_some()
            || self.zone.is_some();
        allowed.then(|| Clock::hour(value, digits)).flatten()
    }

    /// A day of the month said ("the 12th") settles the day, over a weekday said
    /// beside it ("Tuesday the 19th").
    pub(super) fn settle_day(&self, side: &mut Side) {
        if side.day.is_none_or(|(_, weekday)| weekday)
            && let Some(date) = side.month_day.and_then(|d| self.day_of_month(d))
        {
            side.day = Some((date, false));
        }
    }

    /// The day of the month `day` on or after today.
    fn day_of_month(&self, day: u32) -> Option<NaiveDate> {
        let today = self.now().date();
        let this_month = today.with_day(day).filter(|d| *d >= today);
        this_month.or_else(|| {
            (1..=12).find_map(|ahead| {
                today
                    .with_day(1)?
                    .checked_add_months(chrono::Months::new(ahead))?
                    .with_day(day)
            })
        })
    }

    /// `clock` placed on the side's day, or on the next day it is still to come.
    pub(super) fn clock_point(
        &self,
        side: &Side,
        clock: Clock,
        hint: Option<Meridiem>,
    ) -> Option<Point> {
        let hint = side.part.and_then(|p| p.hint).or(hint);
        let time = clock.time(hint)?;
        let (date, implicit) = match (side.moment, side.day) {
            (Some((at, _)), _) => (at.date(), false),
            (_, Some((date, _))) => (date, false),
            _ => (self.now().date(), true),
        };
        let mut at = date.and_time(time);
        if let Some(zone) = self.zone {
            at = zone.move_to(at, self.context.zone);
        }
        if implicit && at < self.now() {
            at = at.checked_add_days(Days::new(1))?;
        }
        Some(Point {
            start: at,
            end: at + chrono::Duration::minutes(1),
            grain: clock.grain,
        })
    }

    pub(super) fn point(&self, side: &Side) -> Option<Point> {
        let mut side = *side;
        self.settle_day(&mut side);
        if let Some(clock) = side.clock.or_else(|| self.hour_of(&side, false)) {
            return self.clock_point(&side, clock, None);
        }
        if let Some((at, grain)) = side.moment {
            return Some(Point {
                start: at,
                end: at,
                grain,
            });
        }
        let day = side.day.map(|(date, _)| date);
        if let Some(part) = side.part.filter(|_| day.is_some() || side.period.is_none()) {
            let (date, implicit) = match day {
                Some(date) => (date, false),
                None => (self.now().date(), true),
            };
            let mut start = at_hour(date, part.start)?;
            let mut end = at_hour(date, part.end)?;
            if implicit && end <= self.now() {
                start = start.checked_add_days(Days::new(1))?;
                end = end.checked_add_days(Days::new(1))?;
            }
            return Some(Point {
                start,
                end,
                grain: Grain::Hour,
            });
        }
        if let Some(date) = day {
            let start = date.and_time(NaiveTime::MIN);
            return Some(Point {
                start,
                end: start.checked_add_days(Days::new(1))?,
                grain: Grain::Day,
            });
        }
        side.period.map(|p| Point {
            start: p.start,
            end: p.end,
            grain: p.grain,
        })
    }
}
