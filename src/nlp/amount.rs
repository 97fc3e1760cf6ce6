//! Lengths of time and times measured from now: "45 minutes", "an hour and a half",
//! "1.5 hrs", "half a day", "2 hours ten", "30'", "in 2 hours", "a day from now",
//! "3 days ago", "now".
//!
//! Must not know: clock times, dates, what the length is for.

use chrono::{Months, NaiveDateTime};

use super::Grain;
use super::lexer::Cursor;
use super::words;

/// A unit of length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    fn seconds(self) -> f64 {
        match self {
            Unit::Second => 1.0,
            Unit::Minute => 60.0,
            Unit::Hour => 3600.0,
            Unit::Day => 86_400.0,
            Unit::Week => 604_800.0,
            Unit::Month => 30.0 * 86_400.0,
            Unit::Year => 365.0 * 86_400.0,
        }
    }

    /// The grain of a stretch counted in this unit ("the next 3 days": day).
    pub fn grain(self) -> Grain {
        match self {
            Unit::Second => Grain::Second,
            Unit::Minute => Grain::Minute,
            Unit::Hour => Grain::Hour,
            Unit::Day => Grain::Day,
            Unit::Week => Grain::Week,
            Unit::Month => Grain::Month,
            Unit::Year => Grain::Year,
        }
    }

    /// The precision of a time this far from now: "in a day" means about this hour.
    fn moment_grain(self) -> Grain {
        match self {
            Unit::Second | Unit::Minute => Grain::Second,
            Unit::Hour => Grain::Minute,
            Unit::Day => Grain::Hour,
            Unit::Week | Unit::Month => Grain::Day,
            Unit::Year => Grain::Month,
        }
    }
}

/// A length of time: `count` units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Length {
    pub count: f64,
    pub unit: Unit,
}

impl Length {
    /// In whole minutes, rounded.
    pub fn minutes(&self) -> Option<u32> {
        let minutes = (self.count * self.unit.seconds() / 60.0).round();
        (0.0..=f64::from(u32::MAX))
            .contains(&minutes)
            .then_some(minutes as u32)
    }

    /// `at` moved by this length (`sign` -1 moves back); months count on the calendar.
    pub fn from(&self, at: NaiveDateTime, sign: i64) -> Option<NaiveDateTime> {
        if matches!(self.unit, Unit::Month | Unit::Year) && self.count.fract() == 0.0 {
            let months = self.count as u32 * if self.unit == Unit::Year { 12 } else { 1 };
            return if sign < 0 {
                at.checked_sub_months(Months::new(months))
            } else {
                at.checked_add_months(Months::new(months))
            };
        }
        let seconds = (self.count * self.unit.seconds()).round();
        if !(0.0..1e11).contains(&seconds) {
            return None;
        }
        at.checked_add_signed(chrono::Duration::seconds(sign * seconds as i64))
    }
}

fn unit(c: &mut Cursor) -> Option<Unit> {
    if c.glued() && c.sign('\'') {
        return Some(Unit::Minute);
    }
    let unit = match c.any_word()? {
        "second" | "seconds" | "sec" | "secs" => Unit::Second,
        "minute" | "minutes" | "min" | "mins" | "m" | "mn" | "minuts" | "mins." => Unit::Minute,
        "hour" | "hours" | "hr" | "hrs" | "hs" | "hour's" => Unit::Hour,
        "h" => Unit::Hour,
        "day" | "days" => Unit::Day,
        "week" | "weeks" | "wk" | "wks" => Unit::Week,
        "month" | "months" | "mo" | "mos" => Unit::Month,
        "year" | "years" | "yr" | "yrs" => Unit::Year,
        _ => return None,
    };
    Some(unit)
}

/// "and a half", "and a quarter", "and three quarters" after a count.
fn fraction_words(c: &mut Cursor) -> Option<f64> {
    c.attempt(|c| {
        c.word("and");
        if c.word("half") {
            return Some(0.5);
        }
        c.word_in(&["a", "an"]);
        let quarters = match words::number(c) {
            Some(n) if n <= 3 => f64::from(n),
            Some(_) => return None,
            None => 1.0,
        };
        c.sign('-');
        c.word_in(&["quarter", "quarters"])?;
        Some(quarters / 4.0)
    })
    .or_else(|| c.attempt(|c| c.phrase(&["and", "a", "half"]).then_some(0.5)))
}

/// How many: "2", "1.5", "1/2", "two", "a", "half", "a quarter", "three-quarters",
/// "a couple of", "one and a half".
fn count(c: &mut Cursor) -> Option<f64> {
    c.attempt(|c| {
        if let Some((whole, _)) = c.number() {
            if c.glued() && c.sign('/') {
                let (denominator, _) = c.number().filter(|(d, _)| *d > 0)?;
                return Some(f64::from(whole) / f64::from(denominator));
            }
            if c.glued() && c.sign('.') {
                let (fraction, digits) = c.number()?;
                let scale = 10f64.powi(i32::try_from(digits).ok()?);
                return Some(f64::from(whole) + f64::from(fraction) / scale);
            }
            return Some(f64::from(whole) + fraction_words(c).unwrap_or(0.0));
        }
        if c.word("half") {
            c.word_in(&["a", "an", "of"]);
            return Some(0.5);
        }
        if let Some(n) = words::loose_count(c) {
            return Some(f64::from(n));
        }
        if let Some(quarter) = c.attempt(|c| {
            c.word_in(&["a", "an"]);
            let n = words::number(c).unwrap_or(1);
            c.sign('-');
            c.word_in(&["quarter", "quarters"])?;
            c.word("of");
            c.word_in(&["a", "an"]);
            Some(f64::from(n) / 4.0)
        }) {
            return Some(quarter);
        }
        if c.word_in(&["a", "an"]).is_some() {
            return Some(1.0 + fraction_words(c).unwrap_or(0.0));
        }
        let n = words::number_in_words(c)?;
        Some(f64::from(n) + fraction_words(c).unwrap_or(0.0))
    })
}

/// One count and unit: "45 minutes", "2 more minutes", "an hour", "45-minute", "30'".
fn simple(c: &mut Cursor) -> Option<Length> {
    c.attempt(|c| {
        let count = count(c)?;
        c.sign('-');
        c.word_in(&["more", "additional", "extra", "full", "whole", "of"]);
        let unit = unit(c)?;
        Some(Length { count, unit })
    })
}

/// A length of time, compounds included: "an hour and a half", "1 hour thirty",
/// "2 hours and 10", "an hour and 45 minutes".
pub(super) fn length(c: &mut Cursor) -> Option<Length> {
    c.attempt(|c| {
        let first = simple(c)?;
        if first.unit != Unit::Hour {
            return Some(first);
        }
        if let Some(half) = fraction_words(c) {
            return Some(Length {
                count: first.count + half,
                unit: Unit::Hour,
            });
        }
        let minutes = c
            .attempt(|c| {
                c.word("and");
                let more = simple(c)?;
                Some(more.count * more.unit.seconds() / 60.0)
            })
            .or_else(|| {
                c.attempt(|c| {
                    c.word("and");
                    let n = words::number(c).filter(|n| *n < 60)?;
                    Some(f64::from(n))
                })
            });
        Some(match minutes {
            Some(minutes) => Length {
                count: first.count * 60.0 + minutes,
                unit: Unit::Minute,
            },
            None => first,
        })
    })
}

/// A time counted from now: "now", "in 2 hours", "in about half an hour", "a day
/// from now", "2 days later", "3 days ago".
pub(super) fn moment(c: &mut Cursor, now: NaiveDateTime) -> Option<(NaiveDateTime, Grain)> {
    if c.word_in(&["now", "immediately", "rn"]).is_some() || c.phrase(&["right", "now"]) {
        return Some((now, Grain::Second));
    }
    let end_of_day = c.word_in(&["eod", "cob", "eob"]).is_some()
        || c.phrase(&["end", "of", "day"])
        || c.phrase(&["end", "of", "the", "day"])
        || c.phrase(&["close", "of", "business"]);
    if end_of_day {
        let midnight = now.date().succ_opt()?.and_time(chrono::NaiveTime::MIN);
        return Some((midnight, Grain::Second));
    }
    if c.word("in") {
        c.word_in(&[
            "about",
            "around",
            "approximately",
            "roughly",
            "just",
            "only",
        ]);
        let length = length(c)?;
        return Some((length.from(now, 1)?, length.unit.moment_grain()));
    }
    let length = length(c)?;
    let sign = if c.phrase(&["from", "now"])
        || c.phrase(&["from", "today"])
        || c.word_in(&["later", "hence"]).is_some()
    {
        1
    } else if c.word("ago") {
        -1
    } else {
        return None;
    };
    Some((length.from(now, sign)?, length.unit.moment_grain()))
}
