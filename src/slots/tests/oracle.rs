//! An independent, brute-force account of what may be booked, for the property tests:
//! working periods found by reading the host's wall clock minute by minute (no
//! resolution of local times, no DST rules), busy time compared pair by pair with the
//! buffer added, appointments counted per host-local day by hand. Slow and obvious on
//! purpose; it shares nothing with the engine but the input types.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

use crate::domain::{Interval, RuleViolation};

/// Minutes since midnight of one working period's start and end (1440: midnight after).
pub(super) type PeriodSpec = (u16, u16);

/// Working periods per weekday, Monday first, as minutes of the day.
pub(super) type HoursSpec = [Vec<PeriodSpec>; 7];

/// Everything the rules say, in the oracle's own terms.
#[derive(Debug, Clone)]
pub(super) struct Truth {
    pub zone: Tz,
    pub hours: HoursSpec,
    pub buffer: Duration,
    pub notice: Duration,
    pub horizon: Duration,
    pub max_per_day: usize,
    pub now: DateTime<Utc>,
    pub appointments: Vec<Interval>,
    pub other: Vec<Interval>,
}

/// A working period as real instants, with the host-local date it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RealPeriod {
    pub date: NaiveDate,
    pub interval: Interval,
}

/// The host's wall clock at every whole minute of a stretch of time.
struct WallClock {
    first: DateTime<Utc>,
    readings: Vec<NaiveDateTime>,
}

impl WallClock {
    /// Reads the clock of `zone` every minute from `from` to `to`.
    fn read(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let minutes = (to - from).num_minutes().max(0);
        let readings = (0..=minutes)
            .map(|minute| {
                (from + Duration::minutes(minute))
                    .with_timezone(&zone)
                    .naive_local()
            })
            .collect();
        Self {
            first: from,
            readings,
        }
    }

    fn instant(&self, index: usize) -> DateTime<Utc> {
        self.first + Duration::minutes(index as i64)
    }

    /// The first instant whose reading is at or after `wall`.
    fn first_reading_at_or_after(&self, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
        let index = self.readings.iter().position(|reading| *reading >= wall)?;
        Some(self.instant(index))
    }

    /// The instant just after the last minute whose reading is before `wall`.
    fn end_of_readings_before(&self, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
        let index = self.readings.iter().rposition(|reading| *reading < wall)?;
        Some(self.instant(index + 1))
    }
}

fn wall(date: NaiveDate, minute: u16) -> NaiveDateTime {
    let midnight = date.and_time(NaiveTime::MIN);
    midnight + Duration::minutes(i64::from(minute))
}

/// Every working period of the host-local days `first..=last`: a period runs from the
/// first moment the host's clock shows its start on that day to the last moment it
/// shows a time before its end (so a repeated hour counts in full, a skipped one not).
pub(super) fn working_periods(
    zone: Tz,
    hours: &HoursSpec,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<RealPeriod> {
    // No zone is more than 15 hours from UTC: read a little more than that around.
    let naive_utc = |date: NaiveDate| Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN));
    let from = naive_utc(first) - Duration::hours(16);
    let to = naive_utc(last) + Duration::hours(24 + 16);
    let clock = WallClock::read(zone, from, to);
    let mut periods = Vec::new();
    for date in first.iter_days().take_while(|date| *date <= last) {
        let weekday = date.weekday().num_days_from_monday() as usize;
        for (start, end) in &hours[weekday] {
            let begins = clock.first_reading_at_or_after(wall(date, *start));
            let ends = clock.end_of_readings_before(wall(date, *end));
            if let (Some(begins), Some(ends)) = (begins, ends)
                && let Some(interval) = Interval::new(begins, ends)
            {
                periods.push(RealPeriod { date, interval });
            }
        }
    }
    periods
}

/// The host-local calendar date of `instant`, from the zone's offset at that instant.
pub(super) fn host_date(zone: Tz, instant: DateTime<Utc>) -> NaiveDate {
    let offset = zone
        .offset_from_utc_datetime(&instant.naive_utc())
        .fix()
        .local_minus_utc();
    (instant.naive_utc() + Duration::seconds(i64::from(offset))).date()
}

impl Truth {
    /// The working periods that could hold a slot starting at `start`.
    pub fn periods_near(&self, start: DateTime<Utc>) -> Vec<RealPeriod> {
        let date = host_date(self.zone, start);
        working_periods(self.zone, &self.hours, date - Duration::days(1), date)
    }

    /// Every rule `slot` breaks (empty: bookable), given the working periods around it.
    pub fn broken(&self, slot: Interval, periods: &[RealPeriod]) -> Vec<RuleViolation> {
        let mut broken = Vec::new();
        if slot.start < self.now {
            broken.push(RuleViolation::InThePast);
        }
        if slot.start < self.now + self.notice {
            broken.push(RuleViolation::InsideNotice);
        }
        if slot.start > self.now + self.horizon {
            broken.push(RuleViolation::BeyondHorizon);
        }
        let in_one_period = periods
            .iter()
            .any(|period| period.interval.start <= slot.start && slot.end <= period.interval.end);
        if !in_one_period {
            broken.push(RuleViolation::OutsideWorkingHours);
        }
        let day = host_date(self.zone, slot.start);
        let same_day = self
            .appointments
            .iter()
            .filter(|appointment| host_date(self.zone, appointment.start) == day)
            .count();
        if same_day >= self.max_per_day {
            broken.push(RuleViolation::DailyLimitReached);
        }
        let clashes =
            self.appointments.iter().chain(&self.other).any(|busy| {
                slot.start < busy.end + self.buffer && busy.start - self.buffer < slot.end
            });
        if clashes {
            broken.push(RuleViolation::Taken);
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Australia::Lord_Howe;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn hours_every_day(period: PeriodSpec) -> HoursSpec {
        std::array::from_fn(|_| vec![period])
    }

    fn length(zone: Tz, period: PeriodSpec, day: NaiveDate) -> Option<i64> {
        let periods = working_periods(zone, &hours_every_day(period), day, day);
        periods
            .first()
            .map(|period| period.interval.duration().num_minutes())
    }

    #[test]
    fn the_oracle_reads_dst_days_as_the_host_lives_them() {
        // New York springs forward at 02:00 on 2026-03-08, falls back at 02:00 on 11-01.
        assert_eq!(length(New_York, (0, 360), date(2026, 3, 8)), Some(300));
        assert_eq!(length(New_York, (150, 240), date(2026, 3, 8)), Some(60));
        assert_eq!(length(New_York, (120, 150), date(2026, 3, 8)), None);
        assert_eq!(length(New_York, (0, 360), date(2026, 11, 1)), Some(420));
        assert_eq!(length(New_York, (60, 120), date(2026, 11, 1)), Some(120));
        assert_eq!(length(New_York, (0, 1440), date(2026, 11, 1)), Some(1500));
        // Lord Howe moves by half an hour at 02:00: forward on 2026-10-04, back 04-05.
        assert_eq!(length(Lord_Howe, (0, 1440), date(2026, 10, 4)), Some(1410));
        assert_eq!(length(Lord_Howe, (0, 1440), date(2026, 4, 5)), Some(1470));
    }
}
