//! Clients (the people who book) and the preferences they keep with the host.

use chrono::{NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{ClientId, EmailAddress};

/// Someone who books time with the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Stable id.
    pub id: ClientId,
    /// Name as last given.
    pub name: String,
    /// Where confirmations go; also how a returning client is recognised.
    pub email: EmailAddress,
    /// What the client told Kairos about the times that suit them.
    #[serde(default)]
    pub preferences: Preferences,
}

/// Named parts of a day, in the client's wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartOfDay {
    /// 06:00–12:00.
    Morning,
    /// 12:00–17:00.
    Afternoon,
    /// 17:00–21:00.
    Evening,
}

impl PartOfDay {
    /// The part of day an hour (0–23) falls in; night hours have none.
    pub fn of_hour(hour: u32) -> Option<Self> {
        match hour {
            6..=11 => Some(Self::Morning),
            12..=16 => Some(Self::Afternoon),
            17..=20 => Some(Self::Evening),
            _ => None,
        }
    }

    /// Lower-case name ("morning").
    pub fn name(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Evening => "evening",
        }
    }
}

/// A preferred stretch of the day: a named part or an explicit `HH:MM-HH:MM` range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSlot {
    /// Morning, afternoon or evening.
    Part(PartOfDay),
    /// From `.0` (inclusive) to `.1` (exclusive), wall-clock.
    Range(NaiveTime, NaiveTime),
}

impl TimeSlot {
    /// Parses "morning", "afternoon", "evening" or "HH:MM-HH:MM".
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        match text.to_ascii_lowercase().as_str() {
            "morning" => return Some(Self::Part(PartOfDay::Morning)),
            "afternoon" => return Some(Self::Part(PartOfDay::Afternoon)),
            "evening" => return Some(Self::Part(PartOfDay::Evening)),
            _ => {}
        }
        let (start, end) = text.split_once('-')?;
        let start = NaiveTime::parse_from_str(start.trim(), "%H:%M").ok()?;
        let end = NaiveTime::parse_from_str(end.trim(), "%H:%M").ok()?;
        (start < end).then_some(Self::Range(start, end))
    }

    /// True when a meeting from `start` to `end` (wall-clock, same day) lies inside.
    pub fn contains(&self, start: NaiveTime, end: NaiveTime) -> bool {
        let (from, to) = match self {
            Self::Part(part) => {
                let (a, b) = match part {
                    PartOfDay::Morning => (6, 12),
                    PartOfDay::Afternoon => (12, 17),
                    PartOfDay::Evening => (17, 21),
                };
                (hm(a, 0), hm(b, 0))
            }
            Self::Range(a, b) => (*a, *b),
        };
        // A meeting ending exactly at midnight reads as 00:00 of the next day.
        let end_ok = end <= to || (end.num_seconds_from_midnight() == 0 && to == NaiveTime::MIN);
        from <= start && start < to && end_ok
    }

    /// Its canonical text.
    pub fn to_text(self) -> String {
        match self {
            Self::Part(part) => part.name().to_string(),
            Self::Range(a, b) => format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")),
        }
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

impl Serialize for TimeSlot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for TimeSlot {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "time slot must be morning, afternoon, evening or HH:MM-HH:MM, not {text:?}"
            ))
        })
    }
}

/// A client's scheduling preferences (the seed's `user_preferences`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preferences {
    /// Weekdays that suit; empty means any.
    #[serde(default, with = "weekday_names")]
    #[serde(alias = "preferred_days")]
    pub preferred_days: Vec<Weekday>,
    /// Times of day that suit; empty means any.
    #[serde(default)]
    #[serde(alias = "preferred_time_slots")]
    pub preferred_time_slots: Vec<TimeSlot>,
    /// Breathing room the client likes around a meeting, in minutes.
    #[serde(default)]
    #[serde(alias = "buffer_minutes")]
    pub buffer_minutes: Option<u32>,
    /// How many days ahead the client usually books.
    #[serde(default)]
    #[serde(alias = "advance_booking_days")]
    pub advance_booking_days: Option<u32>,
    /// The client's own zone.
    #[serde(default, with = "zone_name")]
    pub timezone: Option<Tz>,
}

impl Preferences {
    /// True when the client said anything about days or times.
    pub fn has_time_preferences(&self) -> bool {
        !self.preferred_days.is_empty() || !self.preferred_time_slots.is_empty()
    }
}

/// English weekday name ("Tuesday").
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

mod weekday_names {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(days: &[Weekday], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(days.iter().map(|day| super::weekday_name(*day)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Weekday>, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        let mut days = Vec::with_capacity(names.len());
        for name in names {
            let day: Weekday = name
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("not a weekday: {name:?}")))?;
            if !days.contains(&day) {
                days.push(day);
            }
        }
        Ok(days)
    }
}

mod zone_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(zone: &Option<Tz>, serializer: S) -> Result<S::Ok, S::Error> {
        match zone {
            Some(zone) => serializer.serialize_some(zone.name()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Tz>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|name| {
                name.parse::<Tz>()
                    .map_err(|_| serde::de::Error::custom(format!("unknown time zone: {name:?}")))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        hm(h, m)
    }

    #[test]
    fn time_slots_parse_names_and_ranges() {
        assert_eq!(
            TimeSlot::parse("Morning"),
            Some(TimeSlot::Part(PartOfDay::Morning))
        );
        assert_eq!(
            TimeSlot::parse("10:00-11:30"),
            Some(TimeSlot::Range(t(10, 0), t(11, 30)))
        );
        assert_eq!(TimeSlot::parse("11:30-10:00"), None);
        assert_eq!(TimeSlot::parse("brunch"), None);
    }

    #[test]
    fn a_slot_must_fit_inside_the_preferred_range() {
        let morning = TimeSlot::Part(PartOfDay::Morning);
        assert!(morning.contains(t(9, 0), t(9, 30)));
        assert!(morning.contains(t(11, 30), t(12, 0)));
        assert!(!morning.contains(t(11, 45), t(12, 15)));
        assert!(!morning.contains(t(12, 0), t(12, 30)));
    }

    #[test]
    fn preferences_round_trip_through_json() {
        let json = r#"{"preferredDays":["Tuesday","thu"],"preferredTimeSlots":["morning","14:00-16:00"],"bufferMinutes":10,"advanceBookingDays":7,"timezone":"Europe/Paris"}"#;
        let prefs: Preferences = serde_json::from_str(json).expect("valid preferences");
        assert_eq!(prefs.preferred_days, vec![Weekday::Tue, Weekday::Thu]);
        let back = serde_json::to_string(&prefs).expect("serialisable");
        assert!(
            back.contains(r#""preferredDays":["Tuesday","Thursday"]"#),
            "{back}"
        );
        assert!(back.contains(r#""timezone":"Europe/Paris""#), "{back}");
    }
}
