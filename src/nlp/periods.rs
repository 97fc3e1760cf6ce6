//! Stretches of the calendar longer than a day: weeks ("next week", "the week of
//! october 7th", "rest of the week"), months ("March", "next month", "October 2014"),
//! the weekend, parts of them ("end of April", "beginning of next week", "mid March"),
//! and "the next 3 days". Weeks start on Monday; the weekend runs Friday 18:00 to
//! Monday 00:00; early/mid/late of a month are its days 1-10, 11-20 and 21 to the end.
//!
//! Must not know: times of day within a day, zones.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::Grain;
use super::amount;
use super::calendar::{self, monday_of, month_ref, week_offset};
use super::lexer::Cursor;

/// A stretch of time, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub grain: Grain,
}

fn days(start: NaiveDate, end: NaiveDate, grain: Grain) -> Period {
    Period {
        start: start.and_time(NaiveTime::MIN),
        end: end.and_time(NaiveTime::MIN),
        grain,
    }
}

/// Any of the stretches this module reads, at the cursor.
pub(super) fn period(c: &mut Cursor, now: NaiveDateTime) -> Option<Period> {
    let today = now.date();
    c.attempt(|c| part_of_period(c, today))
        .or_else(|| c.attempt(|c| weekend(c, today)))
        .or_else(|| c.attempt(|c| next_few(c, now)))
        .or_else(|| c.attempt(|c| week(c, today)))
        .or_else(|| c.attempt(|c| month(c, today)))
        .or_else(|| c.attempt(|c| year(c, today)))
}

/// "next week", "the week of october 6th", "all week", "rest of the week", "the week".
fn week(c: &mut Cursor, today: NaiveDate) -> Option<Period> {
    let monday = monday_of(today);
    let sunday = monday + Days::new(6);
    if c.phrase(&["later", "this", "week"]) {
        let tomorrow = today.succ_opt()?;
        return Some(days(tomorrow, monday + Days::new(7), Grain::Day));
    }
    if let Some(weeks) = week_offset(c) {
        let start = monday.checked_add_signed(chrono::Duration::weeks(weeks))?;
        return Some(days(start, start + Days::new(7), Grain::Week));
    }
    if c.phrase(&["week", "of"]) || c.phrase(&["the", "week", "of"]) {
        // "the week of" a Sunday is the week that follows it.
        let date = calendar::calendar_date(c, today).or_else(|| calendar::ordinal_day(c, today))?;
        let start = monday_of(date + Days::new(1));
        return Some(days(start, start + Days::new(7), Grain::Week));
    }
    if c.word_in(&["all", "whole", "entire"]).is_some() {
        c.word_in(&["the", "this"]);
        c.word("week").then_some(())?;
        return Some(days(monday, sunday, Grain::Day));
    }
    if c.phrase(&["rest", "of"]) {
        c.word_in(&["the", "this"]);
    } else {
        c.word("the").then_some(())?;
    }
    c.word("week").then_some(())?;
    Some(days(today, sunday, Grain::Day))
}

/// "March", "in March", "next month", "October 2014"; a bare "may" only on its own.
fn month(c: &mut Cursor, today: NaiveDate) -> Option<Period> {
    let lone = c.lexemes.len() == 1;
    let lead = c.word_in(&["in", "during", "for"]).is_some();
    if c.peek_word() == Some("may") && !lead && !lone {
        return None;
    }
    let start = month_ref(c, today)?;
    let end = calendar::month_start(start, 1)?;
    Some(days(start, end, Grain::Month))
}

/// "this year", "next year".
fn year(c: &mut Cursor, today: NaiveDate) -> Option<Period> {
    let offset = match c.any_word()? {
        "this" | "current" => 0,
        "next" | "coming" => 1,
        "last" => -1,
        _ => return None,
    };
    c.word("year").then_some(())?;
    let start = NaiveDate::from_ymd_opt(today.year() + offset, 1, 1)?;
    let end = NaiveDate::from_ymd_opt(today.year() + offset + 1, 1, 1)?;
    Some(days(start, end, Grain::Year))
}

/// "this weekend", "next week-end", "the weekend": Friday 18:00 to Monday 00:00.
fn weekend(c: &mut Cursor, today: NaiveDate) -> Option<Period> {
    let offset = match c.word_in(&["this", "the", "next", "coming", "last"]) {
        Some("next") => 1,
        Some("last") => -1,
        _ => 0,
    };
    let said = c
        .word_in(&["weekend", "wknd", "wkend", "weekends"])
        .is_some()
        || c.phrase(&["week", "end"])
        || c.attempt(|c| {
            c.word("week").then_some(())?;
            c.sign('-').then_some(())?;
            c.word("end").then_some(())
        })
        .is_some();
    if !said {
        return None;
    }
    let friday = monday_of(today) + Days::new(4);
    let friday = friday.checked_add_signed(chrono::Duration::weeks(offset))?;
    Some(Period {
        start: friday.and_time(NaiveTime::from_hms_opt(18, 0, 0)?),
        end: (friday + Days::new(3)).and_time(NaiveTime::MIN),
        grain: Grain::Hour,
    })
}

/// "beginning of next week", "end of April", "the end of the month", "early March",
/// "mid March", "late March".
fn part_of_period(c: &mut Cursor, today: NaiveDate) -> Option<Period> {
    c.word("at");
    c.word("the");
    let part = match c.any_word()? {
        "beginning" | "begining" | "start" | "early" => Third::First,
        "mid" | "middle" => Third::Middle,
        "end" | "late" => Third::Last,
        _ => return None,
    };
    c.sign('-');
    c.word("of");
    let whole = c
        .attempt(|c| {
            let weeks = week_offset(c).or_else(|| {
                c.attempt(|c| {
                    c.word_in(&["the", "this"]);
                    c.word("week").then_some(0)
                })
            })?;
            let start = monday_of(today).checked_add_signed(chrono::Duration::weeks(weeks))?;
            Some((start, start + Days::new(7), true))
        })
        .or_else(|| {
            c.attempt(|c| {
                let start = month_ref(c, today)?;
                Some((start, calendar::month_start(start, 1)?, false))
            })
        })?;
    let (start, end, is_week) = whole;
    let (from, to) = match (part, is_week) {
        (Third::First, true) => (start, start + Days::new(3)),
        (Third::Middle, true) => (start + Days::new(2), start + Days::new(5)),
        (Third::Last, true) => (start + Days::new(4), end),
        (Third::First, false) => (start, start + Days::new(10)),
        (Third::Middle, false) => (start + Days::new(10), start + Days::new(20)),
        (Third::Last, false) => (start + Days::new(20), end),
    };
    Some(days(from, to, Grain::Day))
}

enum Third {
    First,
    Middle,
    Last,
}

/// "next 3 days", "the next few hours", "next three weeks": whole units, starting
/// with the one after the current.
fn next_few(c: &mut Cursor, now: NaiveDateTime) -> Option<Period> {
    c.word_in(&["over", "in", "during", "within"]);
    c.word("the");
    c.word_in(&["next", "coming", "following", "upcoming"])?;
    let length = amount::length(c)?;
    let count = length.count.round();
    if !(1.0..=1000.0).contains(&count) {
        return None;
    }
    let count = count as i64;
    let grain = length.unit.grain();
    let step = |at: NaiveDateTime, n: i64| -> Option<NaiveDateTime> {
        Some(match grain {
            Grain::Second => at + chrono::Duration::seconds(n),
            Grain::Minute => at + chrono::Duration::minutes(n),
            Grain::Hour => at + chrono::Duration::hours(n),
            Grain::Day => at + chrono::Duration::days(n),
            Grain::Week => at + chrono::Duration::weeks(n),
            Grain::Month => {
                calendar::month_start(at.date(), i32::try_from(n).ok()?)?.and_time(NaiveTime::MIN)
            }
            Grain::Year => NaiveDate::from_ymd_opt(at.year() + i32::try_from(n).ok()?, 1, 1)?
                .and_time(NaiveTime::MIN),
        })
    };
    let current = truncate(now, grain)?;
    let start = step(current, 1)?;
    Some(Period {
        start,
        end: step(current, count + 1)?,
        grain,
    })
}

/// `at` cut down to the start of its `grain` (weeks start on Monday).
pub(super) fn truncate(at: NaiveDateTime, grain: Grain) -> Option<NaiveDateTime> {
    let date = at.date();
    Some(match grain {
        Grain::Second => at.with_nanosecond(0)?,
        Grain::Minute => at.with_nanosecond(0)?.with_second(0)?,
        Grain::Hour => at.date().and_hms_opt(at.hour(), 0, 0)?,
        Grain::Day => date.and_time(NaiveTime::MIN),
        Grain::Week => monday_of(date).and_time(NaiveTime::MIN),
        Grain::Month => date.with_day(1)?.and_time(NaiveTime::MIN),
        Grain::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?.and_time(NaiveTime::MIN),
    })
}
