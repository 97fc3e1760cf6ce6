//! Time zones named by TZID parameters: IANA names through chrono-tz, Windows names
//! ("W. Europe Standard Time") through the CLDR windowsZones table shipped in
//! `data/windows-zones.txt`, anything else ("GMT -0500 (Standard) / GMT -0400
//! (Daylight)") through the observance rules of the object's own VTIMEZONE. Converts
//! wall-clock times to UTC per RFC 5545 §3.3.5: a repeated hour reads as its first
//! occurrence, a skipped one with the offset from before the gap.
//!
//! Must not know: which property a time came from, or recurrence.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::IcalError;
use super::content::Component;
use super::vtimezone::Rules;

/// CLDR windowsZones, territory "001": `Windows name<TAB>IANA name` per line.
const WINDOWS_ZONES: &str = include_str!("../../data/windows-zones.txt");

/// A time zone a wall-clock time can be read in.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// An IANA zone (also what Windows names and floating times resolve to).
    Iana(Tz),
    /// The rules of an inline VTIMEZONE whose TZID names no known zone.
    Rules(Arc<Rules>),
}

impl Zone {
    /// UTC itself.
    pub const UTC: Zone = Zone::Iana(Tz::UTC);

    /// The offset from UTC in force at the UTC instant `utc`.
    pub fn offset_at(&self, utc: NaiveDateTime) -> FixedOffset {
        match self {
            Zone::Iana(tz) => tz.offset_from_utc_datetime(&utc).fix(),
            Zone::Rules(rules) => rules.offset_at(utc),
        }
    }

    /// The instant the wall-clock time `wall` names here. Assumes offset changes are
    /// more than a day apart, as they are in every real zone.
    pub fn to_utc(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        let day = Duration::days(1);
        let before = self.offset_at(wall - day);
        let after = self.offset_at(wall + day);
        let read_with = |offset: FixedOffset| wall - offset;
        if before == after {
            // No change within a day either way, and every offset is less than a day:
            // the one offset in force is the answer.
            return read_with(before).and_utc();
        }
        let utc = [before, after]
            .into_iter()
            .filter(|offset| self.offset_at(read_with(*offset)) == *offset)
            .map(read_with)
            .min()
            .unwrap_or_else(|| read_with(before));
        utc.and_utc()
    }

    /// The wall-clock time here at `instant`.
    pub fn to_wall(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        let utc = instant.naive_utc();
        utc + self.offset_at(utc)
    }
}

/// The IANA zone CLDR maps a Windows zone name to (case-insensitive).
pub fn windows_zone(name: &str) -> Option<Tz> {
    WINDOWS_ZONES
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .find(|(windows, _)| windows.eq_ignore_ascii_case(name.trim()))
        .and_then(|(_, iana)| iana.parse().ok())
}

/// How the TZIDs of one calendar object resolve.
#[derive(Debug, Clone, Default)]
pub struct Zones {
    inline: HashMap<String, Arc<Rules>>,
}

impl Zones {
    /// The rules of every VTIMEZONE among `calendar`'s components whose TZID names no
    /// IANA or Windows zone (the others are not read: chrono-tz knows them better).
    pub fn read(calendar: &Component) -> Result<Self, IcalError> {
        let mut inline = HashMap::new();
        for vtimezone in calendar.components.iter().filter(|c| c.name == "VTIMEZONE") {
            match vtimezone.value("TZID") {
                Some(tzid) if known_zone(tzid).is_none() => {
                    inline.insert(tzid.to_string(), Arc::new(Rules::read(vtimezone)?));
                }
                _ => {}
            }
        }
        Ok(Self { inline })
    }

    /// The zone `tzid` names: IANA first, then Windows, then the inline VTIMEZONE.
    pub fn resolve(&self, tzid: &str) -> Option<Zone> {
        known_zone(tzid)
            .map(Zone::Iana)
            .or_else(|| self.inline.get(tzid).cloned().map(Zone::Rules))
    }
}

/// The IANA zone a TZID names directly or as a Windows name.
fn known_zone(tzid: &str) -> Option<Tz> {
    tzid.parse().ok().or_else(|| windows_zone(tzid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("valid test time")
    }

    #[test]
    fn every_windows_zone_in_the_table_names_a_known_iana_zone() {
        let names: Vec<&str> = WINDOWS_ZONES
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(|line| line.split_once('\t').expect("TAB-separated line").0)
            .collect();
        assert!(names.len() >= 135, "only {} names", names.len());
        for name in names {
            assert!(windows_zone(name).is_some(), "{name}");
        }
    }

    #[test]
    fn windows_names_resolve_to_their_cldr_zone() {
        for (windows, iana) in [
            ("W. Europe Standard Time", Tz::Europe__Berlin),
            ("Eastern Standard Time", Tz::America__New_York),
            ("eastern standard time", Tz::America__New_York),
            ("Pacific Standard Time", Tz::America__Los_Angeles),
            ("GMT Standard Time", Tz::Europe__London),
            ("Tokyo Standard Time", Tz::Asia__Tokyo),
            ("AUS Eastern Standard Time", Tz::Australia__Sydney),
        ] {
            assert_eq!(windows_zone(windows), Some(iana), "{windows}");
        }
        assert_eq!(windows_zone("Mars Standard Time"), None);
    }

    #[test]
    fn wall_clock_reads_per_rfc_5545_in_gaps_and_repeats() {
        let ny = Zone::Iana(Tz::America__New_York);
        for (local, utc) in [
            // ordinary winter and summer times
            (wall(2026, 1, 5, 9, 0), wall(2026, 1, 5, 14, 0)),
            (wall(2026, 7, 6, 9, 0), wall(2026, 7, 6, 13, 0)),
            // 02:30 does not exist on 2026-03-08: read with the offset before (EST)
            (wall(2026, 3, 8, 2, 30), wall(2026, 3, 8, 7, 30)),
            // 01:30 happens twice on 2026-11-01: the first (EDT)
            (wall(2026, 11, 1, 1, 30), wall(2026, 11, 1, 5, 30)),
        ] {
            assert_eq!(ny.to_utc(local).naive_utc(), utc, "{local}");
        }
        let instant = wall(2026, 3, 29, 1, 0).and_utc();
        assert_eq!(
            Zone::Iana(Tz::Europe__Berlin).to_wall(instant),
            wall(2026, 3, 29, 3, 0)
        );
    }

    #[test]
    fn only_vtimezones_of_unknown_tzids_need_readable_rules() {
        let calendar = |tzid: &str| {
            let text = format!(
                "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:{tzid}\nEND:VTIMEZONE\nEND:VCALENDAR\n"
            );
            crate::ical::content::parse(&text)
                .expect("valid nesting")
                .remove(0)
        };
        for tzid in ["Europe/Berlin", "W. Europe Standard Time"] {
            let zones = Zones::read(&calendar(tzid)).expect("rules not needed");
            assert!(matches!(zones.resolve(tzid), Some(Zone::Iana(_))), "{tzid}");
        }
        assert!(Zones::read(&calendar("My Office Time")).is_err());
        assert_eq!(Zones::default().resolve("My Office Time"), None);
    }
}
