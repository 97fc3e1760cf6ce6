//! Times of day as people write them: "3pm", "15:30", "15h30", "330 p.m.", "half past
//! three", "a quarter to noon", "20 minutes to 2pm", "ten thirty". A time without am/pm
//! is kept ambiguous here and read later, with the part of day or business hours.
//!
//! Must not know: dates, the reference time, zones.

use chrono::NaiveTime;

use super::Grain;
use super::lexer::{Cursor, Token};
use super::words;

/// Before or after noon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meridiem {
    Am,
    Pm,
}

/// A time of day as written, not yet placed on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub meridiem: Option<Meridiem>,
    /// Written on the 24-hour clock ("15:30", "09:00", "16h"), so never ambiguous.
    pub fixed: bool,
    pub grain: Grain,
}

impl Clock {
    /// A bare hour ("at 3"): ambiguous unless above 12 or written with a leading zero.
    pub fn hour(hour: u32, digits: usize) -> Option<Clock> {
        (hour <= 24).then_some(Clock {
            hour: hour % 24,
            minute: 0,
            second: 0,
            meridiem: None,
            fixed: hour > 12 || hour == 0 || digits == 2 && hour < 10,
            grain: Grain::Hour,
        })
    }

    /// Whether am/pm is still open.
    pub fn ambiguous(&self) -> bool {
        self.meridiem.is_none() && !self.fixed
    }

    /// The hour on a 24-hour clock. `hint` (from "in the evening", or the other end of
    /// a range) settles an ambiguous hour; without it, business hours do: 1-6 is the
    /// afternoon, 7-12 the morning ("at 3" is 15:00, "at 9" is 09:00).
    pub fn hour24(&self, hint: Option<Meridiem>) -> u32 {
        let meridiem = self.meridiem.or(if self.fixed { None } else { hint });
        match meridiem {
            Some(Meridiem::Am) if self.hour == 12 => 0,
            Some(Meridiem::Pm) if self.hour < 12 => self.hour + 12,
            Some(_) => self.hour,
            None if self.fixed || !(1..=6).contains(&self.hour) => self.hour,
            None => self.hour + 12,
        }
    }

    /// The time of day, read with `hint` as in [`Clock::hour24`].
    pub fn time(&self, hint: Option<Meridiem>) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(self.hour24(hint), self.minute, self.second)
    }

    /// This time moved by `minutes` ("a quarter to 4" is 4 moved by -15), still
    /// ambiguous if it was.
    fn shifted(self, minutes: i64) -> Clock {
        let (hour, modulus, fixed) = if self.ambiguous() {
            (i64::from(self.hour % 12), 720, false)
        } else {
            (i64::from(self.hour24(None)), 1440, true)
        };
        let total = (hour * 60 + i64::from(self.minute) + minutes).rem_euclid(modulus);
        let mut hour = u32::try_from(total / 60).unwrap_or(0);
        if !fixed && hour == 0 {
            hour = 12;
        }
        Clock {
            hour,
            minute: u32::try_from(total % 60).unwrap_or(0),
            second: 0,
            meridiem: None,
            fixed,
            grain: Grain::Minute,
        }
    }
}

/// "am", "a.m.", "a", "p m", "pm.", "in the afternoon" is not one (it is a part of day).
pub(super) fn meridiem(cursor: &mut Cursor) -> Option<Meridiem> {
    cursor.attempt(|c| {
        let glued = c.glued();
        c.word_in(&["in"]).and_then(|_| c.word("the").then_some(()));
        let word = c.any_word()?;
        let found = match word {
            "am" => Meridiem::Am,
            "pm" => Meridiem::Pm,
            "a" | "p" => {
                let dotted = c.sign('.');
                let with_m = c.word("m");
                if with_m {
                    c.sign('.');
                }
                if !(glued || dotted || with_m) {
                    return None;
                }
                if word == "a" {
                    Meridiem::Am
                } else {
                    Meridiem::Pm
                }
            }
            _ => return None,
        };
        c.sign('.');
        Some(found)
    })
}

/// Words of vagueness that may follow a time: "3ish", "3pm approximately".
fn vagueness(cursor: &mut Cursor) {
    while cursor
        .word_in(&["ish", "approximately", "approx", "or", "so", "sharp"])
        .is_some()
    {
        // "3 or so": the "so" goes too.
    }
}

fn oclock(cursor: &mut Cursor) -> bool {
    cursor.word_in(&["o'clock", "oclock"]).is_some() || cursor.phrase(&["o", "clock"])
}

/// Ends a clock: vagueness, "o'clock", am/pm, in any of the orders people use.
fn finish(cursor: &mut Cursor, mut clock: Clock) -> Clock {
    vagueness(cursor);
    oclock(cursor);
    vagueness(cursor);
    if let Some(meridiem) = meridiem(cursor) {
        clock.meridiem = Some(meridiem);
        clock.fixed = false;
        vagueness(cursor);
    }
    clock
}

/// A time of day, if the words at the cursor are unmistakably one. A bare "3" is not
/// (it may be a day or a count); the caller reads it in its context.
pub(super) fn clock(cursor: &mut Cursor) -> Option<Clock> {
    cursor
        .attempt(named)
        .or_else(|| cursor.attempt(relative))
        .or_else(|| cursor.attempt(digital))
        .or_else(|| cursor.attempt(spelled))
}

/// "noon", "midday", "mid day", "midnight".
fn named(c: &mut Cursor) -> Option<Clock> {
    let hour = if c.word_in(&["noon", "midday", "noonish"]).is_some() || c.phrase(&["mid", "day"]) {
        12
    } else if c.word("midnight") {
        0
    } else {
        return None;
    };
    let clock = Clock::hour(hour, 2)?;
    Some(Clock {
        fixed: true,
        ..clock
    })
}

/// Words before a length ("for 2h"), and words a length describes ("2h call").
const LENGTH_LEADS: &[&str] = &[
    "for", "in", "within", "about", "around", "takes", "lasts", "need", "needs", "a", "an",
];
const SESSIONS: &[&str] = &[
    "call",
    "meeting",
    "session",
    "slot",
    "appointment",
    "long",
    "chat",
    "max",
];

/// "15:30", "9:01:10 AM", "15h", "3h18", "3pm", "330 p.m.", "3 o'clock", "3ish".
fn digital(c: &mut Cursor) -> Option<Clock> {
    let before = c.previous().cloned();
    let (value, digits) = c.number()?;
    // "9.30": a clock time; "1.5 hours" is not (one digit, or a unit follows).
    let mut probe = *c;
    let dotted = c.glued()
        && (|c: &mut Cursor| {
            c.sign('.').then_some(())?;
            let (_, digits) = c.number().filter(|(m, d)| *d == 2 && *m < 60)?;
            let unit = c.peek_word().is_some_and(|w| {
                matches!(
                    w,
                    "h" | "hr" | "hrs" | "hour" | "hours" | "min" | "mins" | "minutes"
                )
            });
            (!unit && !matches!(c.peek(), Some(Token::Sign('.')))).then_some(digits)
        })(&mut probe)
        .is_some();
    if c.glued() && (c.sign(':') || (dotted && c.sign('.'))) {
        let (minute, minute_digits) = c.number()?;
        let mut clock = Clock::hour(value, digits)?;
        clock.minute = minute;
        clock.grain = Grain::Minute;
        if c.glued() && c.attempt(|c| c.sign(':').then_some(())).is_some() {
            clock.second = c.number()?.0;
            clock.grain = Grain::Second;
        }
        let valid = minute_digits == 2 && minute < 60 && clock.second < 60;
        return valid.then(|| finish(c, clock));
    }
    if c.glued() && c.word("h") {
        let mut clock = Clock::hour(value, 2)?;
        clock.fixed = true;
        clock.grain = Grain::Minute;
        let minute = if c.glued() {
            c.attempt(|c| c.number().filter(|(m, d)| *d == 2 && *m < 60))
        } else {
            None
        };
        if let Some((minute, _)) = minute {
            clock.minute = minute;
        }
        // "for 2h", "a 2h call", a lone "2h": a length, not a clock time.
        let length_context = matches!(&before, Some(Token::Word(w)) if LENGTH_LEADS.contains(&w.as_str()))
            || c.peek_word().is_some_and(|w| SESSIONS.contains(&w))
            || (before.is_none() && minute.is_none() && value <= 12);
        if length_context {
            return None;
        }
        return Some(finish(c, clock));
    }
    if (3..=4).contains(&digits) {
        // "330 p.m.", "at 730", "tonight 815": hours and minutes run together.
        let mut clock = Clock::hour(value / 100, digits - 2)?;
        clock.minute = value % 100;
        clock.grain = Grain::Minute;
        let clock_context = matches!(&before, Some(Token::Word(w)) if matches!(w.as_str(), "at" | "tonight" | "tonite" | "around"))
            || matches!(before, Some(Token::Sign('@')));
        let end = *c;
        let finished = finish(c, clock);
        let marked = c.at > end.at;
        return (clock.minute < 60 && (marked || clock_context)).then_some(finished);
    }
    let clock = Clock::hour(value, digits)?;
    let start = *c;
    let finished = finish(c, clock);
    (c.at > start.at).then_some(finished)
}

/// "ten thirty", "twelve oh three", "seven thirty p.m.", "three o'clock", "at three am".
fn spelled(c: &mut Cursor) -> Option<Clock> {
    let hour = words::number_in_words(c).filter(|h| (1..=12).contains(h))?;
    let mut clock = Clock::hour(hour, 1)?;
    let minute = c.attempt(|c| {
        c.sign('-');
        if c.word_in(&["oh", "o", "zero", "ou"]).is_some() {
            c.sign('-');
            return words::number_in_words(c).filter(|m| (1..10).contains(m));
        }
        words::number_in_words(c).filter(|m| (10..60).contains(m))
    });
    if let Some(minute) = minute {
        clock.minute = minute;
        clock.grain = Grain::Minute;
    }
    let start = *c;
    let finished = finish(c, clock);
    (minute.is_some() || c.at > start.at).then_some(finished)
}

/// An hour as the target of "past"/"to": a clock, or a bare hour in digits or words.
fn target(c: &mut Cursor) -> Option<Clock> {
    c.attempt(named)
        .or_else(|| c.attempt(digital))
        .or_else(|| c.attempt(spelled))
        .or_else(|| {
            c.attempt(|c| {
                let (hour, digits) = c.number()?;
                Clock::hour(hour, digits).filter(|_| (1..=12).contains(&hour))
            })
        })
        .or_else(|| {
            let hour = words::number_in_words(c).filter(|h| (1..=12).contains(h))?;
            Clock::hour(hour, 1)
        })
}

/// "a quarter past 3pm", "half past three", "20 minutes to 2pm", "15 to noon",
/// "twenty after 3pm", "15 minutes from 1pm", "half three" (British: 3:30).
fn relative(c: &mut Cursor) -> Option<Clock> {
    if let Some(hour) = c.attempt(|c| {
        c.word("half").then_some(())?;
        target(c)
    }) {
        return Some(hour.shifted(30));
    }
    let (minutes, plain) = c.attempt(|c| {
        c.word_in(&["a", "an"]);
        if c.word("quarter") {
            return Some((15, false));
        }
        if c.word("half") {
            return Some((30, false));
        }
        let in_digits = matches!(c.peek(), Some(Token::Number { .. }));
        let n = words::number(c).filter(|n| *n < 60)?;
        let unit = c.word_in(&["minutes", "minute", "mins", "min"]).is_some();
        Some((i64::from(n), in_digits && !unit))
    })?;
    let sign = match c.any_word()? {
        "past" | "after" => 1,
        "to" | "till" | "til" | "before" | "of" => -1,
        "from" if !plain => 1,
        _ => return None,
    };
    let hour = target(c)?;
    // "3 to 4pm" is a range, not 3:57; digits alone count as minutes only where they
    // cannot be an hour ("20 to 2pm") or before noon and midnight ("15 to noon").
    if plain && minutes <= 12 && !(hour.fixed && hour.minute == 0 && hour.hour % 12 == 0) {
        return None;
    }
    if plain && hour.ambiguous() {
        return None;
    }
    Some(hour.shifted(sign * minutes))
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokens;
    use super::*;

    fn read(text: &str) -> Option<(u32, u32)> {
        let lexed = tokens(text);
        let mut cursor = Cursor::new(&lexed, 0);
        let found = clock(&mut cursor)?;
        assert!(cursor.done(), "{text}: left {:?}", cursor.peek());
        Some((found.hour24(None), found.minute))
    }

    #[test]
    fn clock_times_in_their_usual_spellings() {
        for (text, expected) in [
            ("3pm", (15, 0)),
            ("3 p.m.", (15, 0)),
            ("7a", (7, 0)),
            ("15:30", (15, 30)),
            ("4:30", (16, 30)),
            ("09:00", (9, 0)),
            ("12:15pm", (12, 15)),
            ("12am", (0, 0)),
            ("16h", (16, 0)),
            ("9h45", (9, 45)),
            ("330 pm", (15, 30)),
            ("half past four", (16, 30)),
            ("quarter to ten", (9, 45)),
            ("10 minutes to 2pm", (13, 50)),
            ("five past noon", (12, 5)),
            ("ten thirty", (10, 30)),
            ("eleven oh five am", (11, 5)),
            ("2 o'clock", (14, 0)),
            ("noon", (12, 0)),
            ("midnight", (0, 0)),
        ] {
            assert_eq!(read(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_clock_times_are_left_alone() {
        for text in ["3", "2015", "3 to 4", "three", "45 minutes"] {
            let lexed = tokens(text);
            let mut cursor = Cursor::new(&lexed, 0);
            let found = clock(&mut cursor);
            assert!(found.is_none() || !cursor.done(), "{text}: {found:?}");
        }
    }
}
