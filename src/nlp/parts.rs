//! Parts of the day: "morning", "this afternoon", "tonight", "early in the morning",
//! "late tonight", "at lunch", "after lunch", and their plurals ("mornings" means any
//! morning). Bounds follow the conventions of the date benchmark (Duckling's):
//! morning 0-12, afternoon 12-19, evening and night 18-24, lunch 12-14.
//!
//! Must not know: dates, the reference time.

use super::clock::Meridiem;
use super::lexer::Cursor;

/// A part of the day, in whole hours; `end` 24 is midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    pub start: u32,
    pub end: u32,
    /// How an ambiguous clock time inside it reads ("at 8 in the evening").
    pub hint: Option<Meridiem>,
    /// Said in the plural or with "any": every such part, not one.
    pub every: bool,
}

impl Part {
    const fn new(start: u32, end: u32, hint: Meridiem) -> Part {
        Part {
            start,
            end,
            hint: Some(hint),
            every: false,
        }
    }

    /// The window a booking assistant offers for a date-less "mornings": business
    /// hours, not Duckling's from-midnight morning.
    pub fn business_start(&self) -> u32 {
        if self.start == 0 && self.end == 12 {
            8
        } else {
            self.start
        }
    }
}

/// A part of the day at the cursor, with its lead-in words ("in the", "this").
pub(super) fn part_of_day(cursor: &mut Cursor) -> Option<Part> {
    cursor.attempt(|c| {
        if c.phrase(&["after", "lunch"]) {
            return Some(Part::new(13, 17, Meridiem::Pm));
        }
        let (mut early, mut late) = (false, false);
        while let Some(word) = c.peek_word() {
            match word {
                "this" | "the" | "in" | "during" | "at" | "on" | "hours" | "of" | "around" => {}
                "early" | "earlier" => early = true,
                "late" | "later" => late = true,
                _ => break,
            }
            c.any_word();
        }
        let word = c.any_word()?;
        let word = word.strip_suffix("ish").unwrap_or(word);
        let (word, plural) = match word.strip_suffix('s') {
            Some(single) if single.len() > 4 => (single, true),
            _ => (word, false),
        };
        let mut part = match word {
            "morning" | "mornin" | "morn" if early => Part::new(0, 9, Meridiem::Am),
            "morning" | "mornin" | "morn" => Part::new(0, 12, Meridiem::Am),
            "afternoon" | "arvo" | "aft" => Part::new(12, 19, Meridiem::Pm),
            "evening" | "eve" | "night" | "tonight" | "tonite" | "nite" if late => {
                Part::new(21, 24, Meridiem::Pm)
            }
            "evening" | "eve" | "night" | "tonight" | "tonite" | "nite" => {
                Part::new(18, 24, Meridiem::Pm)
            }
            "lunch" | "lunchtime" => Part::new(12, 14, Meridiem::Pm),
            _ => return None,
        };
        if word == "morning" || word == "afternoon" {
            // "morning of the 15th": the "of" belongs to the date that follows.
            c.word("of");
        }
        part.every = plural;
        Some(part)
    })
}
