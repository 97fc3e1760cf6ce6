//! The observance rules of an inline VTIMEZONE (RFC 5545 §3.6.5), used for TZIDs that
//! name no IANA or Windows zone. Each STANDARD/DAYLIGHT observance starts at its DTSTART,
//! RDATEs, and the yearly `FREQ=YEARLY;BYMONTH=m;BYDAY=±nDD` rule every producer writes
//! (with optional UNTIL); other rule shapes keep only their DTSTART and RDATE onsets.
//! Hand-written rather than through rrule because a lookup needs the onsets of one year,
//! and rrule would walk from the observance's DTSTART (Outlook writes 1601) every time.
//!
//! Must not know: events, recurrence of events, or IANA names.

use chrono::{Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc, Weekday};

use super::IcalError;
use super::content::Component;

/// The offsets of one VTIMEZONE over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    observances: Vec<Observance>,
}

/// One STANDARD or DAYLIGHT block.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    /// First onset, wall-clock in `from`.
    start: NaiveDateTime,
    from: FixedOffset,
    to: FixedOffset,
    yearly: Option<YearlyRule>,
    rdates: Vec<NaiveDateTime>,
}

/// `FREQ=YEARLY;BYMONTH=month;BYDAY=nth weekday`, until the UTC instant `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct YearlyRule {
    month: u32,
    nth: i8,
    weekday: Weekday,
    until: Option<NaiveDateTime>,
}

/// The offset changes from `from` to `to` at the UTC instant `at`.
struct Transition {
    at: NaiveDateTime,
    from: FixedOffset,
    to: FixedOffset,
}

impl Rules {
    /// The rules of `vtimezone`; it needs at least one STANDARD or DAYLIGHT.
    pub fn read(vtimezone: &Component) -> Result<Self, IcalError> {
        let observances = vtimezone
            .components
            .iter()
            .filter(|c| c.name == "STANDARD" || c.name == "DAYLIGHT")
            .map(Observance::read)
            .collect::<Result<Vec<_>, _>>()?;
        if observances.is_empty() {
            return Err(IcalError::Malformed {
                line: vtimezone.line,
                message: "VTIMEZONE without STANDARD or DAYLIGHT".into(),
            });
        }
        Ok(Self { observances })
    }

    /// The offset in force at the UTC instant `utc`.
    pub fn offset_at(&self, utc: NaiveDateTime) -> FixedOffset {
        let transitions = self.transitions_around(utc.year());
        match transitions.iter().rev().find(|t| t.at <= utc) {
            Some(last) => last.to,
            None => transitions.first().map_or(Utc.fix(), |first| first.from),
        }
    }

    /// Every onset from the year before `year` to the year after, sorted.
    fn transitions_around(&self, year: i32) -> Vec<Transition> {
        let mut transitions: Vec<Transition> = self
            .observances
            .iter()
            .flat_map(|o| {
                o.onsets_around(year).map(|wall| Transition {
                    at: wall - o.from,
                    from: o.from,
                    to: o.to,
                })
            })
            .collect();
        transitions.sort_by_key(|t| t.at);
        transitions
    }
}

impl Observance {
    fn read(block: &Component) -> Result<Self, IcalError> {
        let required = |name: &str| {
            block.property(name).ok_or_else(|| IcalError::Malformed {
                line: block.line,
                message: format!("{} without {name}", block.name),
            })
        };
        let start = required("DTSTART")?;
        let from = required("TZOFFSETFROM")?;
        let to = required("TZOFFSETTO")?;
        let rdates = block
            .properties_named("RDATE")
            .flat_map(|p| p.value.split(',').map(move |v| (p, v)))
            .map(|(p, v)| wall_clock(v).ok_or_else(|| p.invalid()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            start: wall_clock(&start.value).ok_or_else(|| start.invalid())?,
            from: utc_offset(&from.value).ok_or_else(|| from.invalid())?,
            to: utc_offset(&to.value).ok_or_else(|| to.invalid())?,
            yearly: block.value("RRULE").and_then(YearlyRule::parse),
            rdates,
        })
    }

    /// Wall-clock onsets that can matter for instants in `year`.
    fn onsets_around(&self, year: i32) -> impl Iterator<Item = NaiveDateTime> + '_ {
        let from_rule = self.yearly.into_iter().flat_map(move |rule| {
            (year - 1..=year + 1)
                .filter_map(move |y| rule.date_in(y))
                .map(|date| date.and_time(self.start.time()))
                .filter(move |wall| rule.until.is_none_or(|until| *wall - self.from <= until))
        });
        std::iter::once(self.start)
            .chain(self.rdates.iter().copied())
            .chain(from_rule.filter(|wall| *wall >= self.start))
    }
}

impl YearlyRule {
    fn parse(rule: &str) -> Option<Self> {
        let part = |key: &str| {
            rule.split(';')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        };
        if !part("FREQ")?.eq_ignore_ascii_case("YEARLY") {
            return None;
        }
        let month = part("BYMONTH")?
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))?;
        let by_day = part("BYDAY")?;
        let (nth, day) = by_day.split_at_checked(by_day.len().checked_sub(2)?)?;
        let nth = if nth.is_empty() {
            1
        } else {
            nth.trim_start_matches('+').parse().ok()?
        };
        let until = match part("UNTIL") {
            Some(until) => Some(wall_clock(until.trim_end_matches(['Z', 'z']))?),
            None => None,
        };
        Some(Self {
            month,
            nth,
            weekday: weekday(day)?,
            until,
        })
    }

    /// The day of `year` the rule picks.
    fn date_in(&self, year: i32) -> Option<NaiveDate> {
        if self.nth > 0 {
            let nth = u8::try_from(self.nth).ok()?;
            return NaiveDate::from_weekday_of_month_opt(year, self.month, self.weekday, nth);
        }
        let (next_year, next_month) = if self.month == 12 {
            (year + 1, 1)
        } else {
            (year, self.month + 1)
        };
        let last = NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()?;
        let back =
            (last.weekday().num_days_from_monday() + 7 - self.weekday.num_days_from_monday()) % 7;
        let weeks = u64::from(self.nth.unsigned_abs()).checked_sub(1)?;
        let date = last.checked_sub_days(Days::new(u64::from(back) + 7 * weeks))?;
        (date.month() == self.month).then_some(date)
    }
}

/// `YYYYMMDDTHHMMSS` (a local time; VTIMEZONE times are never UTC or dates).
fn wall_clock(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y%m%dT%H%M%S").ok()
}

/// `±HHMM` or `±HHMMSS`.
fn utc_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    let (sign, digits) = match text.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |at: usize| {
        digits
            .get(at..at + 2)
            .map_or(Some(0), |f| f.parse::<i32>().ok())
    };
    let seconds = field(0)? * 3600 + field(2)? * 60 + field(4)?;
    FixedOffset::east_opt(sign * seconds)
}

fn weekday(code: &str) -> Option<Weekday> {
    let days = [
        ("MO", Weekday::Mon),
        ("TU", Weekday::Tue),
        ("WE", Weekday::Wed),
        ("TH", Weekday::Thu),
        ("FR", Weekday::Fri),
        ("SA", Weekday::Sat),
        ("SU", Weekday::Sun),
    ];
    days.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(code))
        .map(|(_, day)| *day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::content;

    /// The VTIMEZONE Exchange writes for a free-text US Eastern TZID.
    const US_EASTERN_RULES: &str = "BEGIN:VTIMEZONE\r\n\
TZID:GMT -0500 (Standard) / GMT -0400 (Daylight)\r\n\
BEGIN:STANDARD\r\n\
DTSTART:16011104T020000\r\n\
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\n\
TZOFFSETFROM:-0400\r\n\
TZOFFSETTO:-0500\r\n\
END:STANDARD\r\n\
BEGIN:DAYLIGHT\r\n\
DTSTART:16010311T020000\r\n\
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n\
TZOFFSETFROM:-0500\r\n\
TZOFFSETTO:-0400\r\n\
END:DAYLIGHT\r\n\
END:VTIMEZONE\r\n";

    fn rules(text: &str) -> Rules {
        let roots = content::parse(text).expect("valid VTIMEZONE");
        Rules::read(&roots[0]).expect("readable rules")
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("valid test time")
    }

    #[test]
    fn yearly_rules_switch_on_the_2026_us_dates() {
        let rules = rules(US_EASTERN_RULES);
        let hours = |at| rules.offset_at(at).local_minus_utc() / 3600;
        for (at, offset) in [
            (utc(2026, 1, 15, 12, 0), -5),
            (utc(2026, 3, 8, 6, 59), -5),
            (utc(2026, 3, 8, 7, 0), -4),
            (utc(2026, 7, 1, 12, 0), -4),
            (utc(2026, 11, 1, 5, 59), -4),
            (utc(2026, 11, 1, 6, 0), -5),
            (utc(2026, 12, 31, 23, 0), -5),
        ] {
            assert_eq!(hours(at), offset, "{at}");
        }
    }

    #[test]
    fn nth_and_last_weekday_rules_pick_the_right_day() {
        for (rule, year, day) in [
            ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", 2026, (3, 29)),
            ("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", 2026, (10, 25)),
            ("FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", 2026, (3, 8)),
            ("FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", 2026, (11, 1)),
            ("FREQ=YEARLY;BYMONTH=12;BYDAY=-1TH", 2026, (12, 31)),
        ] {
            let parsed = YearlyRule::parse(rule).expect("supported rule");
            assert_eq!(
                parsed.date_in(year),
                NaiveDate::from_ymd_opt(year, day.0, day.1),
                "{rule}"
            );
        }
        assert_eq!(YearlyRule::parse("FREQ=MONTHLY;BYDAY=1SU"), None);
    }

    #[test]
    fn fuzz_ical_vtimezone_byday_ending_in_a_multibyte_letter_is_no_rule_not_a_panic() {
        // Found by fuzzing (fuzz/regressions/ical_recurrence): the weekday was cut off
        // as the last two bytes, inside the two-byte 'Ŭ'.
        for by_day in ["ŬU", "1ŬU", "-ŬU", "Ŭ"] {
            let rule = format!("FREQ=YEARLY;BYMONTH=3;BYDAY={by_day}");
            assert_eq!(YearlyRule::parse(&rule), None, "{rule}");
        }
        let daylight = US_EASTERN_RULES.replace("BYDAY=2SU", "BYDAY=\u{16c}U");
        let roots = content::parse(&daylight).expect("well-formed");
        assert!(Rules::read(&roots[0]).is_ok());
    }

    #[test]
    fn a_zone_without_rules_keeps_its_single_offset() {
        let fixed = rules(
            "BEGIN:VTIMEZONE\nTZID:India\nBEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE\n",
        );
        assert_eq!(
            fixed.offset_at(utc(2026, 6, 1, 0, 0)).local_minus_utc(),
            19800
        );
    }
}
