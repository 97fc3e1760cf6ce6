//! Time zones: the reader's own (the reference), and the ones a person names after a
//! time ("4pm CET", "9 am (BST)", "3pm ET"). A time said in another zone is moved to
//! the reference zone's wall clock.
//!
//! Must not know: the reference time, grammar beyond one abbreviation.

use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::lexer::Cursor;

/// A zone: an IANA zone, or a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// A zone with daylight-saving rules, such as `Europe/Berlin`.
    Named(Tz),
    /// A fixed offset, such as `-02:00`.
    Fixed(FixedOffset),
}

impl Default for Zone {
    fn default() -> Self {
        FixedOffset::east_opt(0).map_or(Zone::Named(Tz::UTC), Zone::Fixed)
    }
}

impl Zone {
    /// Reads `Europe/Berlin`, `UTC`, `Z`, `-02:00`, `+0530`.
    pub fn parse(text: &str) -> Option<Zone> {
        let text = text.trim();
        if matches!(text, "Z" | "z" | "UTC" | "utc" | "GMT") {
            return Some(Zone::default());
        }
        if let Some(sign) = text.chars().next().filter(|c| *c == '+' || *c == '-') {
            let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let hours: i32 = digits[..2].parse().ok()?;
            let minutes: i32 = digits[2..].parse().ok()?;
            let seconds = (hours * 60 + minutes) * 60;
            let seconds = if sign == '-' { -seconds } else { seconds };
            return FixedOffset::east_opt(seconds).map(Zone::Fixed);
        }
        text.parse::<Tz>().ok().map(Zone::Named)
    }

    /// The UTC time of a wall-clock time in this zone (the earlier one in a DST fold,
    /// the time one hour on in a DST gap).
    fn to_utc(self, local: NaiveDateTime) -> NaiveDateTime {
        match self {
            Zone::Fixed(offset) => local - offset,
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                        .earliest()
                })
                .map_or(local, |at| at.naive_utc()),
        }
    }

    /// The wall-clock time in this zone at a UTC time.
    fn wall_clock_at(self, utc: NaiveDateTime) -> NaiveDateTime {
        match self {
            Zone::Fixed(offset) => utc + offset,
            Zone::Named(tz) => tz.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// `local`, a wall-clock time in this zone, on the wall clock of `reference`.
    pub fn move_to(self, local: NaiveDateTime, reference: Zone) -> NaiveDateTime {
        reference.wall_clock_at(self.to_utc(local))
    }
}

fn hours(hours: i32, minutes: i32) -> Option<Zone> {
    let minutes = if hours < 0 { -minutes } else { minutes };
    FixedOffset::east_opt((hours * 60 + minutes) * 60).map(Zone::Fixed)
}

/// A zone named by its abbreviation ("CET", "pst", "(BST)", "ET", "UTC+2").
pub(super) fn abbreviation(cursor: &mut Cursor) -> Option<Zone> {
    cursor.attempt(|c| {
        let parenthesised = c.sign('(');
        let zone = match c.any_word()? {
            "utc" | "gmt" | "z" | "wet" => hours(0, 0)?,
            "bst" | "cet" | "wat" | "west" => hours(1, 0)?,
            "cest" | "eet" | "sast" => hours(2, 0)?,
            "eest" | "msk" => hours(3, 0)?,
            "ist" => hours(5, 30)?,
            "jst" | "kst" => hours(9, 0)?,
            "aest" => hours(10, 0)?,
            "est" => hours(-5, 0)?,
            "edt" => hours(-4, 0)?,
            "cst" => hours(-6, 0)?,
            "cdt" => hours(-5, 0)?,
            "mst" => hours(-7, 0)?,
            "mdt" => hours(-6, 0)?,
            "pst" => hours(-8, 0)?,
            "pdt" => hours(-7, 0)?,
            "et" => Zone::Named(Tz::America__New_York),
            "ct" => Zone::Named(Tz::America__Chicago),
            "mt" => Zone::Named(Tz::America__Denver),
            "pt" => Zone::Named(Tz::America__Los_Angeles),
            "uk" | "london" | "british" => Zone::Named(Tz::Europe__London),
            "paris" | "berlin" | "madrid" | "rome" | "amsterdam" | "vienna" => {
                Zone::Named(Tz::Europe__Berlin)
            }
            "eastern" | "nyc" => Zone::Named(Tz::America__New_York),
            "central" | "chicago" => Zone::Named(Tz::America__Chicago),
            "mountain" | "denver" => Zone::Named(Tz::America__Denver),
            "pacific" => Zone::Named(Tz::America__Los_Angeles),
            "tokyo" => Zone::Named(Tz::Asia__Tokyo),
            "sydney" => Zone::Named(Tz::Australia__Sydney),
            "india" => Zone::Named(Tz::Asia__Kolkata),
            "new" if c.word("york") => Zone::Named(Tz::America__New_York),
            _ => return None,
        };
        // "London time", "eastern time", "Paris local time".
        if !parenthesised {
            c.word("local");
            c.word("time");
        }
        if parenthesised {
            c.sign(')');
        }
        Some(zone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test time")
    }

    #[test]
    fn a_time_named_in_another_zone_lands_on_the_reference_wall_clock() {
        let berlin = Zone::parse("Europe/Berlin").expect("IANA zone");
        let new_york = Zone::parse("America/New_York").expect("IANA zone");
        assert_eq!(
            new_york.move_to(at("2026-03-03 15:00"), berlin),
            at("2026-03-03 21:00")
        );
        let minus_two = Zone::parse("-02:00").expect("offset");
        assert_eq!(
            Zone::parse("+01:00")
                .expect("offset")
                .move_to(at("2026-03-03 16:00"), minus_two),
            at("2026-03-03 13:00")
        );
        assert_eq!(Zone::parse("Mars/Olympus"), None);
    }
}
