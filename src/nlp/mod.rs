//! Natural-language understanding, pure: what a person means in a few words. So far,
//! which of the offered options a reply chooses ("2", "the second one", "option 3
//! works") or that it refuses them all ("none of these work"). Dates, times and
//! durations in words come next; the chat assistant and mail replies share them.
//!
//! Must not know: mail, the store, the clock, or what the options are.

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
