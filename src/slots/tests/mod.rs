//! Tables for the engine: DST days in New York and Berlin, buffers, notice, horizon,
//! daily limit, scoring and reasons.

use chrono::{Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;
use chrono_tz::Europe::{Berlin, Paris};
use chrono_tz::Tz;

use super::*;
use crate::domain::rules::day_interval;
use crate::domain::{PartOfDay, Preferences, TimeSlot, WorkingHours, WorkingPeriod};
use crate::learn::{BookingPattern, Decay};

pub(super) const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

pub(super) fn rules(zone: Tz, periods: &[&str], days: &[Weekday]) -> AvailabilityRules {
    let periods: Vec<WorkingPeriod> = periods
        .iter()
        .map(|text| WorkingPeriod::parse(text).expect("valid test period"))
        .collect();
    let working_hours = days.iter().fold(WorkingHours::default(), |hours, day| {
        hours.with_day(*day, periods.clone())
    });
    AvailabilityRules {
        zone,
        working_hours,
        buffer: Duration::minutes(15),
        minimum_notice: Duration::hours(2),
        horizon: Duration::days(30),
        max_per_day: 6,
        step: Duration::minutes(15),
    }
}

pub(super) fn domina() -> AvailabilityRules {
    let weekdays = &ALL_DAYS[..5];
    rules(New_York, &["09:00-12:00", "13:00-17:00"], weekdays)
}

pub(super) fn local(zone: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    zone.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .expect("valid test time")
        .with_timezone(&Utc)
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub(super) fn span(start: chrono::DateTime<Utc>, minutes: i64) -> Interval {
    Interval::starting_at(start, Duration::minutes(minutes)).expect("positive")
}

pub(super) fn engine<'a>(
    rules: &'a AvailabilityRules,
    busy: &'a Busy,
    now: chrono::DateTime<Utc>,
) -> Engine<'a> {
    Engine {
        rules,
        busy,
        notice: rules.minimum_notice,
        now,
    }
}

pub(super) fn no_busy(rules: &AvailabilityRules) -> Busy {
    Busy::new(&[], &[], rules.buffer, rules.zone)
}

pub(super) fn local_times(slots: &[Interval], zone: Tz) -> Vec<String> {
    slots
        .iter()
        .map(|slot| {
            slot.start
                .with_timezone(&zone)
                .format("%H:%M%z")
                .to_string()
        })
        .collect()
}

mod availability;
mod cases;
mod learning_hit_rate;
mod oracle;
mod properties;
mod scoring;
