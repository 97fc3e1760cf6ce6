//! Natural-language understanding, pure: what a person means in a few words typed in
//! the chat box or a mail reply. Which of the offered options a reply chooses ("2",
//! "the second one", "option 3 works") or that it refuses them all ("none of these
//! work"); and dates, times, ranges, durations, with negation ("not monday"), read
//! against a reference time the caller passes in ([`understand`]).
//!
//! The reading runs in stages, one file each: `lexer` (tokens), `words` (vocabulary),
//! `clock`, `calendar`, `periods`, `parts`, `amount`, `zone` (the shapes of times),
//! `scan` (text → pieces), `resolve` and `range` (pieces → one [`Meaning`]);
//! `protocol` is the JSON Lines form of `kairos parse-time`. Written by hand: no crate
//! reads booking chat ("tmrw at 3 works", "any morning next week") or exposes the
//! reading as a value we can test; the grammar is small and a tokenizer is fast.
//!
//! Must not know: mail, the store, the clock, the host's calendar.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

mod amount;
mod calendar;
mod clock;
mod lexer;
mod parts;
mod periods;
pub mod protocol;
mod range;
mod resolve;
mod scan;
mod words;
mod zone;

pub use zone::Zone;

/// How precise a time is, from a second to a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// What a text is read against.
#[derive(Debug, Clone)]
pub struct Context {
    /// The reference time, on the wall clock of `zone`.
    pub now: NaiveDateTime,
    /// The reader's zone: times named in another zone ("4pm CET") are moved to it.
    pub zone: Zone,
    /// The slots offered to the person, in order (may be empty), on `zone`'s clock.
    pub options: Vec<NaiveDateTime>,
}

/// What a text is about. Times are wall-clock times in the context's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Meaning {
    /// One time, as precise as `grain` ("3pm": hour, "tomorrow": day).
    Instant { at: NaiveDateTime, grain: Grain },
    /// A stretch, end exclusive; either end may be open ("until 2pm", "after 5").
    Interval {
        start: Option<NaiveDateTime>,
        end: Option<NaiveDateTime>,
        grain: Grain,
    },
    /// A time-of-day range on no particular date ("any morning", "not before 10am").
    Window {
        start: Option<NaiveTime>,
        end: Option<NaiveTime>,
    },
    /// Only a length ("30 min call"); see [`Understanding::duration_minutes`].
    Duration,
    /// The offered option at this position, counted from 1 ("option 2").
    Choice(usize),
    /// No time, or a refusal ("none of these work", "I need to cancel").
    #[default]
    Nothing,
}

/// Everything understood from one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Understanding {
    pub meaning: Meaning,
    /// The length asked for ("for 45 minutes", "an hour").
    pub duration_minutes: Option<u32>,
    /// The time is excluded ("not monday", "I can't do tomorrow").
    pub negated: bool,
    /// The offered option (from 1) that the time named is, when exactly one is.
    pub option: Option<usize>,
    /// A daily window within a longer interval ("any morning next week": 08-12).
    pub time_of_day: Option<(NaiveTime, Option<NaiveTime>)>,
}

/// Words that take a reply out of choosing a time: cancelling, deferring.
const WITHDRAWALS: &[&str] = &[
    "cancel",
    "get back to you",
    "let you know",
    "circle back",
    "no longer",
    "not sure yet",
    "need to check",
];

/// What `text` means, read against `context`.
pub fn understand(text: &str, context: &Context) -> Understanding {
    if !context.options.is_empty() {
        match choice(text, context.options.len()) {
            Choice::Option(position) => {
                return Understanding {
                    meaning: Meaning::Choice(position),
                    option: Some(position),
                    ..Understanding::default()
                };
            }
            Choice::NoneOfThem => return Understanding::default(),
            Choice::Unclear => {}
        }
    }
    let lower = text.to_lowercase();
    if WITHDRAWALS.iter().any(|phrase| lower.contains(phrase)) {
        return Understanding::default();
    }
    let lexemes = lexer::tokens(text);
    let mut found: Option<Understanding> = None;
    let mut duration = None;
    let clauses = clauses(&lexemes);
    let whole = resolve::resolve(&scan::scan(&lexemes, context.now), context);
    if clauses.len() > 1 && !whole.negated {
        // Clauses matter for telling a refused time from a wanted one; without a
        // refusal the text is one request ("Friday instead? Maybe 11?").
        found = Some(whole).filter(|u| !matches!(u.meaning, Meaning::Nothing | Meaning::Duration));
        duration = whole.duration_minutes;
    }
    let split = found.is_none();
    for clause in clauses.iter().filter(|_| split) {
        let understood = resolve::resolve(&scan::scan(clause, context.now), context);
        duration = duration.or(understood.duration_minutes);
        if matches!(understood.meaning, Meaning::Nothing | Meaning::Duration) {
            continue;
        }
        // "Not Monday, but Tuesday works": the time wanted wins over the one refused.
        if found.is_none_or(|f| f.negated && !understood.negated) {
            found = Some(understood);
        }
    }
    let mut understanding = found.unwrap_or(Understanding {
        meaning: if duration.is_some() {
            Meaning::Duration
        } else {
            Meaning::Nothing
        },
        ..Understanding::default()
    });
    understanding.duration_minutes = understanding.duration_minutes.or(duration);
    understanding.option = offered(&understanding, &context.options);
    understanding
}

/// The clauses of a text: split at "but", "however", ",", ";", "!", "?", line ends,
/// and a full stop that ends a sentence (not the one of "mon." or "p.m."). Only read
/// apart when the text refuses a time, so "Fri, Jul 18" stays one date.
fn clauses(lexemes: &[lexer::Lexeme]) -> Vec<&[lexer::Lexeme]> {
    use lexer::Token;
    let ends_clause = |at: usize| match &lexemes[at].token {
        Token::Sign(';' | '!' | '?' | '\n' | ',') => true,
        // "anything but thursday" is one refusal.
        Token::Word(word) if word == "but" => !matches!(
            at.checked_sub(1).map(|i| &lexemes[i].token),
            Some(Token::Word(w)) if matches!(w.as_str(), "anything" | "anytime" | "any" | "everything" | "all")
        ),
        Token::Word(word) => matches!(word.as_str(), "however" | "though" | "instead"),
        Token::Sign('.') => match at.checked_sub(1).map(|i| &lexemes[i].token) {
            Some(Token::Word(word)) => {
                word.len() > 3 && words::weekday(word).is_none() && words::month(word).is_none()
            }
            _ => false,
        },
        _ => false,
    };
    let mut clauses = Vec::new();
    let mut start = 0;
    for at in 0..lexemes.len() {
        if ends_clause(at) {
            clauses.push(&lexemes[start..at]);
            start = at + 1;
        }
    }
    clauses.push(&lexemes[start..]);
    clauses.retain(|clause| !clause.is_empty());
    clauses
}

/// Which offered option the understood time is, if exactly one fits: the same time,
/// a time on the day named, a time inside the interval named, or (for a clock time
/// alone) the one option at that time of day.
fn offered(understanding: &Understanding, options: &[NaiveDateTime]) -> Option<usize> {
    if understanding.negated || options.is_empty() {
        return None;
    }
    let only = |fits: &dyn Fn(&NaiveDateTime) -> bool| {
        let positions: Vec<usize> = (0..options.len()).filter(|i| fits(&options[*i])).collect();
        match positions.as_slice() {
            [one] => Some(one + 1),
            _ => None,
        }
    };
    match understanding.meaning {
        Meaning::Choice(position) => Some(position),
        Meaning::Instant { at, grain } if grain >= Grain::Day => {
            let day: NaiveDate = at.date();
            only(&|o| o.date() == day)
        }
        Meaning::Instant { at, .. } => only(&|o| *o == at).or_else(|| {
            only(&|o| o.time().hour() == at.hour() && o.time().minute() == at.minute())
        }),
        Meaning::Interval {
            start: Some(start),
            end: Some(end),
            ..
        } => only(&|o| *o >= start && *o < end),
        _ => None,
    }
}

/// What a reply says about the options it was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// This option, counted from 1.
    Option(usize),
    /// None of them.
    NoneOfThem,
    /// Nothing recognisable.
    Unclear,
}

/// Words for positions, with the position (1-based; 0 stands for "the last").
const ORDINALS: &[(&str, usize)] = &[
    ("first", 1),
    ("1st", 1),
    ("second", 2),
    ("2nd", 2),
    ("third", 3),
    ("3rd", 3),
    ("fourth", 4),
    ("4th", 4),
    ("fifth", 5),
    ("5th", 5),
    ("last", 0),
];

/// Numbers in words.
const NUMBERS: &[(&str, usize)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
];

/// Words that make a reply about a time rather than an option.
const TIME_WORDS: &[&str] = &[
    "am",
    "pm",
    "noon",
    "midnight",
    "today",
    "tomorrow",
    "tonight",
    "morning",
    "afternoon",
    "evening",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thurs",
    "fri",
    "sat",
    "sun",
    "week",
    "o'clock",
    "oclock",
];

/// Phrases that turn every option down.
const REFUSALS: &[&str] = &[
    "none of",
    "none work",
    "none suit",
    "neither",
    "no good",
    "doesn't work",
    "don't work",
    "do not work",
    "does not work",
    "won't work",
    "can't make any",
    "cannot make any",
    "not any of",
];

/// Which of `offered` options `text` chooses. A reply naming two different options is
/// unclear; so is a number beyond the options.
pub fn choice(text: &str, offered: usize) -> Choice {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    // A time or a day ("Thursday at 3", "10am tomorrow") is not a choice of option.
    let speaks_of_time = words.iter().enumerate().any(|(at, word)| {
        TIME_WORDS.contains(word)
            || (word.parse::<u32>().is_ok()
                && at > 0
                && matches!(words[at - 1], "at" | "by" | "from"))
    });
    if speaks_of_time {
        return Choice::Unclear;
    }
    let mut chosen: Vec<usize> = Vec::new();
    for (at, word) in words.iter().enumerate() {
        // "the second one": `one` there is no number.
        if *word == "one" && at > 0 && ORDINALS.iter().any(|(w, _)| *w == words[at - 1]) {
            continue;
        }
        let named =
            |table: &[(&str, usize)]| table.iter().find(|(w, _)| w == word).map(|(_, p)| *p);
        let position = word
            .parse::<usize>()
            .ok()
            .or_else(|| named(ORDINALS))
            .or_else(|| named(NUMBERS));
        if let Some(position) = position {
            let position = if position == 0 { offered } else { position };
            if !chosen.contains(&position) {
                chosen.push(position);
            }
        }
    }
    let refuses = REFUSALS.iter().any(|phrase| lower.contains(phrase));
    match (chosen.as_slice(), refuses) {
        ([], true) => Choice::NoneOfThem,
        ([one], false) if (1..=offered).contains(one) => Choice::Option(*one),
        _ => Choice::Unclear,
    }
}

/// The words a person wrote in a mail reply: the lines before the quoted message
/// (lines starting with `>`, and everything after an "On … wrote:" line or an
/// Outlook-style "-----Original Message-----" / "From:" header block).
pub fn own_words(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let quote_starts = (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || lower.starts_with("-----original message")
            || (lower.starts_with("from:") && !kept.is_empty());
        if quote_starts {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(trimmed);
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod understand_tests;
