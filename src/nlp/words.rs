//! The vocabulary: weekdays, months, numbers and ordinals in words, with the
//! abbreviations and misspellings people type in a hurry ("tmrw", "thurs", "wed").
//!
//! Must not know: grammar, dates or the reference time.

use chrono::Weekday;

use super::lexer::Cursor;

/// The weekday a word names ("tue", "tues", "thurs", "weds"), plurals included.
pub(super) fn weekday(word: &str) -> Option<Weekday> {
    let word = word
        .strip_suffix('s')
        .filter(|w| w.len() > 5)
        .unwrap_or(word);
    let day = match word {
        "monday" | "mon" | "mondays" => Weekday::Mon,
        "tuesday" | "tue" | "tues" | "tuesdays" => Weekday::Tue,
        "wednesday" | "wed" | "weds" | "wednes" | "wensday" | "wednsday" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" | "thr" | "thursdays" => Weekday::Thu,
        "friday" | "fri" | "fridays" => Weekday::Fri,
        "saturday" | "sat" | "saturdays" => Weekday::Sat,
        "sunday" | "sun" | "sundays" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// The month (1-12) a word names; "may" and "march" are left to the caller's judgement.
pub(super) fn month(word: &str) -> Option<u32> {
    let month = match word {
        "january" | "jan" => 1,
        "february" | "feb" | "febuary" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// Words for "tomorrow", misspellings and chat shorthand included.
pub(super) const TOMORROW: &[&str] = &[
    "tomorrow",
    "tmrw",
    "tmr",
    "tmrow",
    "tmw",
    "tomorow",
    "tommorow",
    "tommorrow",
    "tomorrrow",
    "tomm",
    "tmro",
    "tomoz",
];

const UNITS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];

const TENS: &[(&str, u32)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fourty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("ninety", 90),
];

const ORDINAL_UNITS: &[(&str, u32)] = &[
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
];

fn table(table: &[(&str, u32)], word: &str) -> Option<u32> {
    table.iter().find(|(w, _)| *w == word).map(|(_, n)| *n)
}

/// A number written in words, 0-99 ("seven", "twenty five", "twenty-five").
pub(super) fn number_in_words(cursor: &mut Cursor) -> Option<u32> {
    cursor.attempt(|c| {
        let word = c.any_word()?;
        if let Some(n) = table(UNITS, word) {
            return Some(n);
        }
        let tens = table(TENS, word)?;
        let ones = c.attempt(|c| {
            c.sign('-');
            let n = table(UNITS, c.any_word()?)?;
            (1..10).contains(&n).then_some(n)
        });
        Some(tens + ones.unwrap_or(0))
    })
}

/// A number in digits or words.
pub(super) fn number(cursor: &mut Cursor) -> Option<u32> {
    cursor
        .attempt(|c| c.number().map(|(n, _)| n))
        .or_else(|| number_in_words(cursor))
}

/// An ordinal: "3rd", "3 rd", "third", "twenty-first", "thirty first".
pub(super) fn ordinal(cursor: &mut Cursor) -> Option<u32> {
    cursor.attempt(|c| {
        if let Some((n, _)) = c.number() {
            c.word_in(&["st", "nd", "rd", "th"])?;
            return Some(n);
        }
        let word = c.any_word()?;
        if let Some(n) = table(ORDINAL_UNITS, word) {
            return Some(n);
        }
        let tens = table(TENS, word)?;
        c.sign('-');
        let ones = table(ORDINAL_UNITS, c.any_word()?)?;
        (1..10).contains(&ones).then_some(tens + ones)
    })
}

/// A count in words people use before a unit: "a", "an", "a couple of", "a few".
pub(super) fn loose_count(cursor: &mut Cursor) -> Option<u32> {
    cursor.attempt(|c| {
        c.word_in(&["a", "an"]);
        let n = match c.any_word()? {
            "couple" | "pair" => 2,
            "few" | "several" => 3,
            _ => return None,
        };
        c.word("of");
        Some(n)
    })
}
