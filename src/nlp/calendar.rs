//! Days on the calendar: "today", "tmrw", "the day after tomorrow", weekdays ("next
//! tuesday", "wed of next week", "friday after next"), dates ("Feb 15", "15th of
//! February", "2/15", "2015-03-03", "April 14, 2015"), "first tuesday of october".
//! A date without a year is the next one on or after today; a bare weekday is the next
//! one after today; "next <weekday>" is that day of next week.
//!
//! Must not know: times of day, zones, what the day is wanted for.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::lexer::{Cursor, Token};
use super::words;

/// The Monday of `date`'s week.
pub(super) fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The first `weekday` strictly after `today`.
pub(super) fn weekday_after(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

/// The first day of the month `months` after `date`'s month.
pub(super) fn month_start(date: NaiveDate, months: i32) -> Option<NaiveDate> {
    let first = date.with_day(1)?;
    if months >= 0 {
        first.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        first.checked_sub_months(Months::new(months.unsigned_abs()))
    }
}

/// `month`/`day` in `year`, or, without a year, the next such day on or after today.
fn dated(today: NaiveDate, year: Option<i32>, month: u32, day: u32) -> Option<NaiveDate> {
    if let Some(year) = year {
        return NaiveDate::from_ymd_opt(year, month, day);
    }
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    match this_year {
        Some(date) if date >= today => Some(date),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, month, day),
    }
}

/// "today", "tomorrow" (and its misspellings), "yesterday", "the day after tomorrow".
pub(super) fn relative_day(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    // "2morrow", "2day": chat spellings the lexer splits after the digit.
    if let Some(offset) = c.attempt(|c| {
        c.number().filter(|(n, digits)| *n == 2 && *digits == 1)?;
        if !c.glued() {
            return None;
        }
        match c.any_word()? {
            "morrow" | "moro" | "morow" | "mrw" | "mrow" | "mro" => Some(1),
            "day" | "dy" => Some(0),
            _ => None,
        }
    }) {
        return today.checked_add_days(Days::new(offset));
    }
    c.word("the");
    let after = c.phrase(&["day", "after"]);
    let before = !after && c.phrase(&["day", "before"]);
    let word = c.any_word()?;
    let offset: i64 = if words::TOMORROW.contains(&word) {
        1
    } else {
        match word {
            "today" | "tday" | "tdy" | "2day" => 0,
            "yesterday" => -1,
            _ => return None,
        }
    };
    let offset = offset + i64::from(after) - i64::from(before);
    if (after || before) && offset == 0 {
        return None;
    }
    today.checked_add_signed(chrono::Duration::days(offset))
}

/// Which week a phrase points at, as weeks from this one: "this week" 0, "next week"
/// 1, "the week after next" 2, "last week" -1.
pub(super) fn week_offset(c: &mut Cursor) -> Option<i64> {
    c.attempt(|c| {
        c.word("the");
        if c.phrase(&["week", "after", "next"]) {
            return Some(2);
        }
        let offset = match c.any_word()? {
            "this" | "current" => 0,
            "next" | "following" | "coming" | "upcoming" => 1,
            "last" | "previous" | "past" => -1,
            _ => return None,
        };
        c.word_in(&["week", "wk"])?;
        Some(if c.phrase(&["after", "next"]) {
            offset + 1
        } else {
            offset
        })
    })
}

/// A weekday with what qualifies it: "monday", "this monday", "next wed", "thurs of
/// next week", "friday after next", "last tuesday".
pub(super) fn weekday_day(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    let mode = c.word_in(&["this", "next", "coming", "upcoming", "last", "past", "on"]);
    let weekday = words::weekday(c.any_word()?)?;
    c.sign('.');
    let monday = monday_of(today);
    let index = u64::from(weekday.num_days_from_monday());
    let in_week = |weeks: i64| {
        let start = monday.checked_add_signed(chrono::Duration::weeks(weeks))?;
        start.checked_add_days(Days::new(index))
    };
    if c.phrase(&["after", "next"]) {
        return weekday_after(today, weekday).checked_add_days(Days::new(7));
    }
    if let Some(weeks) = c.attempt(|c| {
        c.word_in(&["of", "in"]);
        week_offset(c)
    }) {
        return in_week(weeks);
    }
    match mode {
        Some("next") => in_week(1),
        Some("this") if weekday == today.weekday() => Some(today),
        Some("last" | "past") => weekday_after(today, weekday).checked_sub_days(Days::new(7)),
        _ => Some(weekday_after(today, weekday)),
    }
}

/// A four-digit year, after an optional comma.
fn year(c: &mut Cursor) -> Option<i32> {
    c.attempt(|c| {
        c.sign(',');
        let (year, digits) = c.number()?;
        (digits == 4 && (1900..=2200).contains(&year) && !c.sign(':'))
            .then(|| i32::try_from(year).ok())
            .flatten()
    })
}

/// A month by name; "may" and "march" only where a day or year stands beside them.
fn month_name(c: &mut Cursor) -> Option<u32> {
    c.attempt(|c| words::month(c.any_word()?))
}

/// A day of the month: "15", "15th", "fifteenth", "the 15th".
fn day_number(c: &mut Cursor) -> Option<u32> {
    c.attempt(|c| {
        c.word("the");
        let day = words::ordinal(c).or_else(|| {
            let (day, _) = c.number()?;
            // "Feb 15 3:30" is a date then a time; "15:30" is no day.
            (!(c.glued() && matches!(c.peek(), Some(Token::Sign(':'))))).then_some(day)
        })?;
        (1..=31).contains(&day).then_some(day)
    })
}

/// "Feb 15", "february the 15th", "March 3rd 2015", "Jul 18, 2014", "the 1st of
/// march", "15 february", "14april 2015", "2/15", "3/3/15", "2015-03-03", "2-15".
pub(super) fn calendar_date(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    c.word("on");
    c.attempt(|c| {
        let month = month_name(c)?;
        let day = day_number(c)?;
        dated(today, year(c), month, day)
    })
    .or_else(|| {
        c.attempt(|c| {
            let day = day_number(c)?;
            c.word("of");
            c.word("the");
            let month = month_name(c)?;
            dated(today, year(c), month, day)
        })
    })
    .or_else(|| c.attempt(|c| numeric_date(c, today)))
}

fn numeric_date(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    if matches!(c.previous(), Some(Token::Sign(':' | '.'))) {
        return None;
    }
    let (first, first_digits) = c.number()?;
    let separator = match c.peek() {
        Some(Token::Sign(sign @ ('/' | '-' | '.'))) => *sign,
        _ => return None,
    };
    c.sign(separator);
    let (second, _) = c.number()?;
    let third = c.attempt(|c| {
        c.sign(separator).then_some(())?;
        c.number()
    });
    // "1/2 hour" is a fraction; "3-4pm" and "2.5 hours" are no dates.
    let next = c.peek_word().unwrap_or("");
    let unit_or_clock = matches!(
        next,
        "h" | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "day"
            | "days"
            | "min"
            | "mins"
            | "minutes"
            | "am"
            | "pm"
            | "a"
            | "p"
            | "week"
            | "weeks"
    ) || matches!(c.peek(), Some(Token::Sign(':')));
    if unit_or_clock {
        return None;
    }
    match (separator, third) {
        ('-', Some((day, _))) if first_digits == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(first).ok()?, second, day)
        }
        (_, Some((year, digits))) => {
            let year = if digits == 2 { 2000 + year } else { year };
            let (month, day) = if first > 12 {
                (second, first)
            } else {
                (first, second)
            };
            NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
        }
        ('/', None) => {
            let (month, day) = if first > 12 {
                (second, first)
            } else {
                (first, second)
            };
            dated(today, None, month, day)
        }
        // "2-15" is a date, "9-11" a range of hours.
        ('-', None) if (13..=31).contains(&second) && first <= 12 => {
            dated(today, None, first, second)
        }
        _ => None,
    }
}

/// Which month a phrase points at: "this month", "the next month", "october",
/// "october 2014"; a month name alone is the next such month (this one included).
pub(super) fn month_ref(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    c.attempt(|c| {
        c.word("the");
        let offset = match c.peek_word()? {
            "this" | "current" => Some(0),
            "next" | "following" | "coming" => Some(1),
            "last" | "previous" => Some(-1),
            "month" => {
                c.any_word();
                return month_start(today, 0);
            }
            _ => None,
        };
        if let Some(offset) = offset {
            c.any_word();
            if c.word("month") {
                return month_start(today, offset);
            }
        }
        let month = month_name(c)?;
        let year = year(c);
        let start = dated(today.with_day(1)?, year, month, 1)?;
        Some(
            if offset == Some(1) && year.is_none() && start.month() == today.month() {
                month_start(start, 12)?
            } else {
                start
            },
        )
    })
}

/// "the 20th of next month", "20 of this month", "20th day of next month",
/// "first tuesday of october", "the first Monday in this month", "third day of october".
pub(super) fn day_in_month(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    c.attempt(|c| {
        c.word("the");
        let nth = words::ordinal(c)
            .or_else(|| c.number().map(|(n, _)| n))
            .or_else(|| c.word("last").then_some(0))?;
        let weekday = c.attempt(|c| words::weekday(c.any_word()?));
        if weekday.is_none() {
            c.word("day");
        }
        c.word_in(&["of", "in"])?;
        let first = month_ref(c, today)?;
        match weekday {
            None => first.with_day(nth),
            Some(weekday) => nth_weekday(first, weekday, nth),
        }
    })
}

/// The `nth` `weekday` of the month starting at `first` (0: the last one).
fn nth_weekday(first: NaiveDate, weekday: Weekday, nth: u32) -> Option<NaiveDate> {
    let first_such = weekday_after(first - Days::new(1), weekday);
    if nth == 0 {
        let next_month = month_start(first, 1)?;
        return weekday_after(next_month - Days::new(8), weekday).into();
    }
    let date = first_such.checked_add_days(Days::new(7 * u64::from(nth - 1)))?;
    (date.month() == first.month()).then_some(date)
}

/// "the 20th", "20th": that day of this month, or of the next if it has passed.
pub(super) fn ordinal_day(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    let day = c.attempt(|c| {
        c.word("the");
        words::ordinal(c).filter(|d| (1..=31).contains(d))
    })?;
    (0..12).find_map(|ahead| {
        let date = month_start(today, ahead)?.with_day(day)?;
        (date >= today).then_some(date)
    })
}

/// "3 fridays from now", "two sundays from now": the nth such weekday after today.
pub(super) fn weekdays_from_now(c: &mut Cursor, today: NaiveDate) -> Option<NaiveDate> {
    let count = words::number(c).filter(|n| (1..=52).contains(n))?;
    let weekday = words::weekday(c.any_word()?)?;
    c.phrase(&["from", "now"]).then_some(())?;
    weekday_after(today, weekday).checked_add_days(Days::new(7 * u64::from(count - 1)))
}
