//! Reads a text into pieces: days, periods, clock times, parts of day, lengths, zones,
//! numbers no rule claimed, and the small words that join them ("to", "between",
//! "until", "not"). At each position every rule is tried and the longest reading wins
//! (the earlier rule on a tie); words no rule reads are skipped and counted, unless
//! they are the filler of booking chat ("works", "how about", "instead").
//!
//! Must not know: how pieces combine into an answer (that is `resolve`).

use chrono::{NaiveDate, NaiveDateTime};

use super::Grain;
use super::amount::{self, Length};
use super::calendar;
use super::clock::{self, Clock};
use super::lexer::{Cursor, Lexeme, Token};
use super::parts::{self, Part};
use super::periods::{self, Period};
use super::words;
use super::zone::{self, Zone};

/// One thing the text says.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece {
    /// A whole day; `weekday` if only a weekday named it (a date said outright wins).
    Day {
        date: NaiveDate,
        weekday: bool,
    },
    Period(Period),
    Clock(Clock),
    Part(Part),
    /// A time counted from now ("in 2 hours").
    Moment {
        at: NaiveDateTime,
        grain: Grain,
    },
    Length(Length),
    /// A number no rule claimed: an hour or a day of the month, read in context.
    /// `day_like` when written as one ("the 24", "15th").
    Number {
        value: u32,
        digits: usize,
        day_like: bool,
    },
    Zone(Zone),
    Mark(Mark),
}

/// The small words that join or qualify the pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    /// "-", "to": between the two ends of a range.
    To,
    /// "until", "till", "through": a range's end, or an open end on its own.
    Until,
    Between,
    And,
    From,
    Before,
    After,
    Since,
    /// "by 2pm": from now until then.
    By,
    Within,
    /// "not before 10": from then on.
    NotBefore,
    /// "no later than 4": until then.
    NotAfter,
    Not,
    /// "any", "every": a kind of time rather than one time.
    Any,
    Asap,
}

/// The pieces of a text, and how many of its words were neither read nor filler.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub pieces: Vec<Piece>,
    pub stray_words: usize,
}

type Rule = fn(&mut Cursor, NaiveDateTime) -> Option<Piece>;

const RULES: &[Rule] = &[
    |c, now| amount::moment(c, now).map(|(at, grain)| Piece::Moment { at, grain }),
    |c, now| day(calendar::weekdays_from_now(c, now.date()), true),
    |c, now| periods::period(c, now).map(Piece::Period),
    |c, now| day(calendar::day_in_month(c, now.date()), false),
    |c, now| day(calendar::calendar_date(c, now.date()), false),
    |c, now| day(calendar::relative_day(c, now.date()), false),
    |c, now| day(calendar::weekday_day(c, now.date()), true),
    |c, _| parts::part_of_day(c).map(Piece::Part),
    |c, _| at_clock(c).map(Piece::Clock),
    |c, _| clock::clock(c).map(Piece::Clock),
    |c, _| amount::length(c).map(Piece::Length),
    |c, _| zone::abbreviation(c).map(Piece::Zone),
    |c, _| mark(c).map(Piece::Mark),
    |c, _| number(c),
];

fn day(date: Option<NaiveDate>, weekday: bool) -> Option<Piece> {
    date.map(|date| Piece::Day { date, weekday })
}

/// Words that carry no time and do not make a bare number something else than a time
/// ("can we do 10 instead?" is about 10:00; "1 adult" is not).
const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "at",
    "on",
    "in",
    "of",
    "for",
    "or",
    "is",
    "it",
    "it's",
    "its",
    "that",
    "this",
    "we",
    "i",
    "i'm",
    "im",
    "i'd",
    "you",
    "me",
    "us",
    "can",
    "could",
    "would",
    "will",
    "shall",
    "should",
    "do",
    "does",
    "how",
    "about",
    "what",
    "say",
    "let's",
    "lets",
    "maybe",
    "perhaps",
    "instead",
    "works",
    "work",
    "working",
    "fine",
    "ok",
    "okay",
    "good",
    "great",
    "perfect",
    "better",
    "best",
    "suits",
    "suit",
    "please",
    "pls",
    "plz",
    "thanks",
    "thank",
    "yes",
    "yeah",
    "yep",
    "sure",
    "free",
    "available",
    "then",
    "be",
    "meet",
    "call",
    "book",
    "make",
    "go",
    "with",
    "like",
    "prefer",
    "rather",
    "also",
    "both",
    "again",
    "there",
    "so",
    "around",
    "ish",
    "hi",
    "hello",
    "hey",
    "then",
    "if",
    "possible",
    "one",
    "time",
    "start",
    "starting",
    "earliest",
    "latest",
    "am",
    "are",
    "was",
    "be",
    "get",
    "want",
    "to",
    "and",
];

/// The pieces of `lexemes`, read with `now` as the reference time.
pub(super) fn scan(lexemes: &[Lexeme], now: NaiveDateTime) -> Scan {
    let mut found = Scan::default();
    let mut at = 0;
    while at < lexemes.len() {
        let mut best: Option<(Piece, usize)> = None;
        for rule in RULES {
            let mut cursor = Cursor::new(lexemes, at);
            if let Some(piece) = rule(&mut cursor, now) {
                let length = cursor.at - at;
                if length > 0 && best.as_ref().is_none_or(|(_, longest)| length > *longest) {
                    best = Some((piece, length));
                }
            }
        }
        match best {
            Some((piece, length)) => {
                found.pieces.push(piece);
                at += length;
            }
            None => {
                if let Token::Word(word) = &lexemes[at].token
                    && !FILLER.contains(&word.as_str())
                {
                    found.stray_words += 1;
                }
                at += 1;
            }
        }
    }
    found
}

/// "at 3", "at 3 15", "@ 10", "around 4": a bare hour that the lead-in makes a time.
fn at_clock(c: &mut Cursor) -> Option<Clock> {
    let lead = c
        .word_in(&["at", "around", "about", "approximately", "approx"])
        .is_some()
        || c.sign('@');
    if !lead {
        return None;
    }
    c.word_in(&["about", "around", "approximately"]);
    if let Some(clock) = c.attempt(clock::clock) {
        return Some(clock);
    }
    let (hour, digits) = c
        .number()
        .or_else(|| words::number_in_words(c).map(|n| (n, 1)))?;
    let mut clock = Clock::hour(hour, digits)?;
    if let Some((minute, _)) = c.attempt(|c| {
        (!c.glued()).then_some(())?;
        c.number().filter(|(m, d)| *d == 2 && *m < 60)
    }) {
        clock.minute = minute;
        clock.grain = super::Grain::Minute;
    }
    c.word("ish");
    Some(clock)
}

fn mark(c: &mut Cursor) -> Option<Mark> {
    if let Some(Token::Sign('-' | '–' | '—' | '~')) = c.peek() {
        c.at += 1;
        return Some(Mark::To);
    }
    if c.sign('&') {
        return Some(Mark::And);
    }
    const PHRASES: &[(&[&str], Mark)] = &[
        (&["not", "before"], Mark::NotBefore),
        (&["no", "earlier", "than"], Mark::NotBefore),
        (&["not", "earlier", "than"], Mark::NotBefore),
        (&["not", "after"], Mark::NotAfter),
        (&["no", "later", "than"], Mark::NotAfter),
        (&["not", "later", "than"], Mark::NotAfter),
        (&["as", "soon", "as", "possible"], Mark::Asap),
        (&["as", "soon", "as", "you", "can"], Mark::Asap),
        (&["earlier", "than"], Mark::Before),
        (&["later", "than"], Mark::After),
        (&["up", "to"], Mark::Until),
        (&["starting", "from"], Mark::From),
        (&["starting", "at"], Mark::From),
        (&["any", "time"], Mark::Any),
        (&["no", "good"], Mark::Not),
        (&["can", "not"], Mark::Not),
        (&["anything", "but"], Mark::Not),
        (&["any", "day", "but"], Mark::Not),
        (&["anytime", "but"], Mark::Not),
    ];
    for (phrase, mark) in PHRASES {
        if c.phrase(phrase) {
            return Some(*mark);
        }
    }
    let before = c.previous().cloned();
    let mark = match c.any_word()? {
        "to" => Mark::To,
        "until" | "till" | "til" | "untill" | "through" | "thru" | "throught" => Mark::Until,
        "between" => Mark::Between,
        "and" => Mark::And,
        "from" => Mark::From,
        "before" => Mark::Before,
        "after" => Mark::After,
        "since" => Mark::Since,
        "by" => Mark::By,
        "within" => Mark::Within,
        "any" | "every" | "anytime" | "whenever" | "any-time" => Mark::Any,
        "asap" | "soonest" => Mark::Asap,
        "not" | "can't" | "cant" | "cannot" | "couldn't" | "couldnt" | "won't" | "wont"
        | "doesn't" | "doesnt" | "don't" | "dont" | "isn't" | "isnt" | "aren't" | "unable"
        | "unavailable" | "busy" | "except" | "excluding" | "bad" | "never" => Mark::Not,
        // "I'm out monday".
        "out" if matches!(before, Some(Token::Word(w)) if matches!(w.as_str(), "i'm" | "im" | "am" | "is" | "be" | "being")) => {
            Mark::Not
        }
        // "no tuesdays" refuses a time; "no, tuesday" answers a question.
        "no" if !matches!(c.peek(), Some(Token::Sign(_)) | None) => Mark::Not,
        _ => return None,
    };
    Some(mark)
}

/// A number no other rule claimed: "3", "the 24", "15th", "on the first", "eight".
fn number(c: &mut Cursor) -> Option<Piece> {
    let after_option = matches!(c.previous(), Some(Token::Word(w)) if w == "option");
    let lead = c.word_in(&["the", "on"]).is_some();
    let piece = if let Some(value) = words::ordinal(c) {
        Piece::Number {
            value,
            digits: 0,
            day_like: true,
        }
    } else if let Some((value, digits)) = c.number() {
        Piece::Number {
            value,
            digits,
            day_like: lead,
        }
    } else {
        // "one" alone is a pronoun far more often than an hour ("the monday one").
        let value = words::number_in_words(c).filter(|n| (2..=12).contains(n))?;
        Piece::Number {
            value,
            digits: 1,
            day_like: false,
        }
    };
    // "the second one", "option 2": a position in a list, not a time.
    if c.peek_word()
        .is_some_and(|w| matches!(w, "one" | "option" | "choice" | "slot"))
        || after_option
    {
        return None;
    }
    Some(piece)
}
