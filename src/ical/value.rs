//! Date and time values (RFC 5545 §3.3.4 DATE, §3.3.5 DATE-TIME, §3.3.6 DURATION) read
//! from properties, with their TZID resolved through the object's [`Zones`]. A floating
//! time keeps no zone: the caller says where it is read.
//!
//! Must not know: which component a value belongs to, or recurrence.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::IcalError;
use super::content::Property;
use super::zone::{Zone, Zones};

/// A DATE or DATE-TIME value.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// `VALUE=DATE`: a whole day, read in the caller's zone.
    Date(NaiveDate),
    /// A DATE-TIME with `Z`.
    Utc(DateTime<Utc>),
    /// A DATE-TIME with a TZID, or floating (`None`).
    Local(NaiveDateTime, Option<Zone>),
}

impl When {
    /// True for a DATE value.
    pub fn is_date(&self) -> bool {
        matches!(self, When::Date(_))
    }

    /// The zone its wall-clock reads in; `floating` for dates and floating times.
    pub fn zone(&self, floating: &Zone) -> Zone {
        match self {
            When::Utc(_) => Zone::UTC,
            When::Local(_, Some(zone)) => zone.clone(),
            When::Date(_) | When::Local(_, None) => floating.clone(),
        }
    }

    /// The instant it names (a date: its midnight).
    pub fn instant(&self, floating: &Zone) -> DateTime<Utc> {
        match self {
            When::Utc(instant) => *instant,
            When::Date(date) => floating.to_utc(date.and_time(NaiveTime::MIN)),
            When::Local(wall, _) => self.zone(floating).to_utc(*wall),
        }
    }

    /// Its wall-clock time in `zone`: as written when it is already in that zone (or
    /// floating, or a date), converted otherwise.
    pub fn wall_in(&self, zone: &Zone, floating: &Zone) -> NaiveDateTime {
        match self {
            When::Date(date) => date.and_time(NaiveTime::MIN),
            When::Local(wall, None) => *wall,
            When::Local(wall, Some(own)) if own == zone => *wall,
            _ => zone.to_wall(self.instant(floating)),
        }
    }

    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ`; `zone` applies to local times.
    pub fn parse(text: &str, zone: Option<Zone>) -> Option<When> {
        let text = text.trim();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let field = text.get(range)?;
            field
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| field.parse().ok())?
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let date = NaiveDate::from_ymd_opt(year, digits(4..6)?, digits(6..8)?)?;
        if text.len() == 8 {
            return Some(When::Date(date));
        }
        if !text.get(8..9)?.eq_ignore_ascii_case("T") {
            return None;
        }
        let wall = date.and_hms_opt(digits(9..11)?, digits(11..13)?, digits(13..15)?)?;
        match text.get(15..)? {
            "" => Some(When::Local(wall, zone)),
            "Z" | "z" => Some(When::Utc(wall.and_utc())),
            _ => None,
        }
    }

    /// The single value of a DTSTART-like property.
    pub fn read(property: &Property, zones: &Zones) -> Result<When, IcalError> {
        let zone = property_zone(property, zones)?;
        When::parse(&property.value, zone).ok_or_else(|| property.invalid())
    }

    /// The comma-separated values of an RDATE/EXDATE property; a PERIOD counts by its start.
    pub fn read_list(property: &Property, zones: &Zones) -> Result<Vec<When>, IcalError> {
        let zone = property_zone(property, zones)?;
        property
            .value
            .split(',')
            .map(|item| item.split('/').next().unwrap_or(item))
            .map(|item| When::parse(item, zone.clone()).ok_or_else(|| property.invalid()))
            .collect()
    }
}

/// A DURATION: nominal days (weeks count 7) plus exact seconds (RFC 5545 §3.3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Length {
    /// Calendar days; a day across a DST change is 23 or 25 hours.
    pub days: i64,
    /// Exact seconds.
    pub seconds: i64,
}

impl Length {
    /// One calendar day.
    pub const DAY: Length = Length {
        days: 1,
        seconds: 0,
    };

    /// Longest accepted: about 10,000 years, so that date arithmetic cannot overflow.
    const MAX_DAYS: i64 = 3_660_000;

    /// `[+-]P[nW][nD][T[nH][nM][nS]]`.
    pub fn parse(text: &str) -> Option<Length> {
        let text = text.trim().to_ascii_uppercase();
        let (sign, rest) = match text.split_at_checked(1)? {
            ("-", rest) => (-1, rest),
            ("+", rest) => (1, rest),
            _ => (1, text.as_str()),
        };
        let mut rest = rest.strip_prefix('P')?.chars().peekable();
        let (mut length, mut number, mut in_time, mut has_part) =
            (Length::default(), 0_i64, false, false);
        while let Some(c) = rest.next() {
            match (c, in_time) {
                ('0'..='9', _) => {
                    number = number
                        .checked_mul(10)?
                        .checked_add(i64::from(c.to_digit(10)?))?;
                    continue;
                }
                ('T', false) if rest.peek().is_some() => in_time = true,
                ('W', false) => length.days = length.days.checked_add(number.checked_mul(7)?)?,
                ('D', false) => length.days = length.days.checked_add(number)?,
                ('H', true) => {
                    length.seconds = length.seconds.checked_add(number.checked_mul(3600)?)?
                }
                ('M', true) => {
                    length.seconds = length.seconds.checked_add(number.checked_mul(60)?)?
                }
                ('S', true) => length.seconds = length.seconds.checked_add(number)?,
                _ => return None,
            }
            has_part |= c != 'T';
            number = 0;
        }
        let total_days = length.days.checked_add(length.seconds / 86_400)?;
        (has_part && number == 0 && total_days <= Self::MAX_DAYS).then_some(Length {
            days: sign * length.days,
            seconds: sign * length.seconds,
        })
    }

    /// The instant this long after the wall-clock `start` in `zone`.
    pub fn end_after(&self, start: NaiveDateTime, zone: &Zone) -> DateTime<Utc> {
        zone.to_utc(start + Duration::days(self.days)) + Duration::seconds(self.seconds)
    }

    /// The length as exact time, a day counting 24 hours.
    pub fn exact(&self) -> Duration {
        Duration::days(self.days) + Duration::seconds(self.seconds)
    }
}

fn property_zone(property: &Property, zones: &Zones) -> Result<Option<Zone>, IcalError> {
    match property.param("TZID") {
        None => Ok(None),
        Some(tzid) => zones
            .resolve(tzid)
            .map(Some)
            .ok_or_else(|| IcalError::UnknownTimeZone {
                line: property.line,
                tzid: tzid.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    #[test]
    fn parses_the_three_date_time_forms_and_dates() {
        let berlin = Zone::Iana(Tz::Europe__Berlin);
        let wall = NaiveDate::from_ymd_opt(2026, 3, 30)
            .and_then(|d| d.and_hms_opt(9, 15, 0))
            .expect("valid");
        for (text, expected) in [
            ("20260330", Some(When::Date(wall.date()))),
            ("20260330T091500Z", Some(When::Utc(wall.and_utc()))),
            (
                "20260330T091500",
                Some(When::Local(wall, Some(berlin.clone()))),
            ),
            ("20260330t091500z", Some(When::Utc(wall.and_utc()))),
            ("2026033", None),
            ("20261330", None),
            ("20260330T251500", None),
            ("20260330T091500+01", None),
            ("+2026033T091500", None),
        ] {
            assert_eq!(When::parse(text, Some(berlin.clone())), expected, "{text}");
        }
    }

    #[test]
    fn parses_durations_into_nominal_days_and_exact_seconds() {
        for (text, expected) in [
            ("PT1H30M", Some((0, 5400))),
            ("P1D", Some((1, 0))),
            ("P2W", Some((14, 0))),
            ("P1DT12H", Some((1, 43_200))),
            ("-PT15M", Some((0, -900))),
            ("+PT10S", Some((0, 10))),
            ("PT0S", Some((0, 0))),
            ("P", None),
            ("PT", None),
            ("P1H", None),
            ("PT1D", None),
            ("1H", None),
            ("P99999999999999999999D", None),
            ("P9999999D", None),
        ] {
            let parsed = Length::parse(text).map(|l| (l.days, l.seconds));
            assert_eq!(parsed, expected, "{text}");
        }
    }

    #[test]
    fn a_nominal_day_across_dst_is_23_hours_of_exact_time() {
        let berlin = Zone::Iana(Tz::Europe__Berlin);
        let start = NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("valid");
        let end = Length {
            days: 1,
            seconds: 0,
        }
        .end_after(start, &berlin);
        assert_eq!(end - berlin.to_utc(start), Duration::hours(23));
    }
}
