//! The host's availability rules: working hours per weekday in her zone, buffer between
//! meetings, minimum notice, booking horizon, daily limit, slot step, meeting types.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::Interval;

/// One stretch of working time within a day, in wall-clock time. `end` may be
/// midnight of the next day (written `24:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingPeriod {
    /// Start, wall-clock.
    pub start: NaiveTime,
    /// End, wall-clock; `None` means midnight at the end of the day.
    pub end: Option<NaiveTime>,
}

impl WorkingPeriod {
    /// Parses `HH:MM-HH:MM` (end may be `24:00`); `None` unless start < end.
    pub fn parse(text: &str) -> Option<Self> {
        let (start, end) = text.split_once('-')?;
        let start = NaiveTime::parse_from_str(start.trim(), "%H:%M").ok()?;
        let end = match end.trim() {
            "24:00" => None,
            other => Some(NaiveTime::parse_from_str(other, "%H:%M").ok()?),
        };
        end.is_none_or(|end| start < end)
            .then_some(Self { start, end })
    }

    /// The real instants this period covers on `date` in `zone`, or `None` when a DST
    /// change swallows all of it. Wall-clock times that do not exist (spring forward)
    /// move to the first instant after the gap; repeated ones (fall back) take the
    /// earlier instant for the start and the later one for the end, so the period
    /// covers the whole wall-clock span as the host lives it — except an end at the
    /// very time the clocks go back to, which ends the first time it is shown (the
    /// repeated hour after it shows times past the end).
    pub fn on(&self, date: NaiveDate, zone: Tz) -> Option<Interval> {
        let start = resolve_local(zone, date, self.start, Edge::Start);
        let end = match self.end {
            Some(end) => resolve_local(zone, date, end, Edge::End),
            None => start_of_day(zone, date.succ_opt()?),
        };
        Interval::new(start, end)
    }
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

fn resolve_local(zone: Tz, date: NaiveDate, time: NaiveTime, edge: Edge) -> DateTime<Utc> {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, later) => {
            let later = later.with_timezone(&Utc);
            // The later instant ends the period only when the moment before it still
            // reads before the end; when the clocks went back exactly to it, that
            // moment reads the end of the repeated hour, past the period.
            let before_later = (later - Duration::seconds(1)).with_timezone(&zone);
            match edge {
                Edge::End if before_later.naive_local() < local => later,
                _ => earlier.with_timezone(&Utc),
            }
        }
        // In a spring-forward gap: the first valid wall-clock time after it. Gaps are
        // at most a few hours; probe minute by minute from the gap.
        LocalResult::None => (1..=24 * 60)
            .find_map(|minutes| {
                zone.from_local_datetime(&(local + Duration::minutes(minutes)))
                    .earliest()
            })
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
    }
}

/// The first instant of `date` in `zone` (midnight, or the end of a DST gap at midnight).
pub fn start_of_day(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(zone, date, NaiveTime::MIN, Edge::Start)
}

/// The instants of the calendar day `date` in `zone`.
pub fn day_interval(zone: Tz, date: NaiveDate) -> Interval {
    let start = start_of_day(zone, date);
    let next = date
        .succ_opt()
        .map_or(start + Duration::days(1), |next| start_of_day(zone, next));
    Interval {
        start,
        end: next.max(start + Duration::minutes(1)),
    }
}

/// Working periods for each weekday (Monday first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingHours {
    days: [Vec<WorkingPeriod>; 7],
}

impl WorkingHours {
    /// Working hours with `periods` on `weekday`, sorted; later calls for the same day replace.
    pub fn with_day(mut self, weekday: Weekday, mut periods: Vec<WorkingPeriod>) -> Self {
        periods.sort_by_key(|period| period.start);
        self.days[weekday.num_days_from_monday() as usize] = periods;
        self
    }

    /// The periods of `weekday`.
    pub fn periods(&self, weekday: Weekday) -> &[WorkingPeriod] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// The working intervals of the host-local calendar day `date`.
    pub fn on(&self, date: NaiveDate, zone: Tz) -> impl Iterator<Item = Interval> + '_ {
        self.periods(date.weekday())
            .iter()
            .filter_map(move |period| period.on(date, zone))
    }
}

/// A kind of meeting the host offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingType {
    /// Id used in URLs and requests (`consultation`).
    pub id: String,
    /// Display name ("Consultation").
    pub name: String,
    /// Default length.
    pub duration: Duration,
    /// Notice required for this type, overriding the host's minimum notice.
    pub minimum_notice: Option<Duration>,
}

/// Everything that decides whether a time can be booked, apart from busy time.
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityRules {
    /// The zone working hours and daily limits are counted in.
    pub zone: Tz,
    /// Working periods per weekday.
    pub working_hours: WorkingHours,
    /// Free time kept between a meeting and any busy time around it.
    pub buffer: Duration,
    /// How long before its start a slot can still be booked.
    pub minimum_notice: Duration,
    /// How far ahead slots are offered.
    pub horizon: Duration,
    /// Most appointments on one host-local day.
    pub max_per_day: usize,
    /// Slot starts are this far apart.
    pub step: Duration,
}

impl AvailabilityRules {
    /// The notice that applies to `meeting_type`.
    pub fn notice_for(&self, meeting_type: Option<&MeetingType>) -> Duration {
        meeting_type
            .and_then(|t| t.minimum_notice)
            .unwrap_or(self.minimum_notice)
    }

    /// The host-local calendar day of `instant`.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }
}

/// Why a requested time cannot be booked, in the order the rules are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleViolation {
    /// Starts before now.
    InThePast,
    /// Starts sooner than the minimum notice allows.
    InsideNotice,
    /// Starts beyond the booking horizon.
    BeyondHorizon,
    /// Not entirely inside one working period.
    OutsideWorkingHours,
    /// The day already holds the maximum number of appointments.
    DailyLimitReached,
    /// Overlaps busy time or its buffer.
    Taken,
}

impl RuleViolation {
    /// Machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::InThePast => "in_the_past",
            Self::InsideNotice => "inside_notice",
            Self::BeyondHorizon => "beyond_horizon",
            Self::OutsideWorkingHours => "outside_working_hours",
            Self::DailyLimitReached => "daily_limit_reached",
            Self::Taken => "taken",
        }
    }

    /// What a client reads.
    pub fn message(self) -> &'static str {
        match self {
            Self::InThePast => "That time has already passed.",
            Self::InsideNotice => "That time is too soon to book; it needs more notice.",
            Self::BeyondHorizon => "That time is further ahead than bookings are open.",
            Self::OutsideWorkingHours => "That time is outside working hours.",
            Self::DailyLimitReached => "That day is fully booked.",
            Self::Taken => "That time is already taken.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{New_York, Santiago};
    use chrono_tz::Australia::Lord_Howe;
    use chrono_tz::Europe::Berlin;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn period(text: &str) -> WorkingPeriod {
        WorkingPeriod::parse(text).expect("valid test period")
    }

    #[test]
    fn parses_periods_and_refuses_reversed_ones() {
        assert!(WorkingPeriod::parse("09:00-12:00").is_some());
        assert!(WorkingPeriod::parse("18:00-24:00").is_some());
        assert!(WorkingPeriod::parse("12:00-09:00").is_none());
        assert!(WorkingPeriod::parse("9-12").is_none());
        assert!(WorkingPeriod::parse("09:00-09:00").is_none());
    }

    #[test]
    fn period_lengths_follow_the_offset_changes() {
        // (zone, date, period, real hours)
        let cases = [
            (New_York, date(2026, 3, 9), "09:00-17:00", 8),
            (New_York, date(2026, 3, 8), "00:00-06:00", 5), // spring forward at 02:00
            (New_York, date(2026, 3, 8), "02:30-04:00", 1), // starts in the gap: from 03:00
            (New_York, date(2026, 11, 1), "00:00-06:00", 7), // fall back at 02:00
            (New_York, date(2026, 11, 1), "01:00-02:00", 2), // 01:00 EDT to 02:00 EST
            (Berlin, date(2026, 3, 29), "00:00-24:00", 23),
            (Berlin, date(2026, 10, 25), "00:00-24:00", 25),
            (Berlin, date(2026, 10, 25), "09:00-17:00", 8),
        ];
        for (zone, day, text, hours) in cases {
            let interval = period(text).on(day, zone).expect("non-empty period");
            assert_eq!(
                interval.duration(),
                Duration::hours(hours),
                "{zone} {day} {text}"
            );
        }
    }

    #[test]
    fn a_period_ending_when_the_clocks_go_back_ends_the_first_time_it_is_shown() {
        // (zone, fall-back day, period, real minutes): the clocks go back to the end.
        let cases = [
            (New_York, date(2026, 11, 1), "00:00-01:00", 60), // 02:00 EDT → 01:00 EST
            (New_York, date(2026, 11, 1), "00:00-01:30", 150), // inside: the later 01:30
            (Berlin, date(2026, 10, 25), "00:00-02:00", 120), // 03:00 CEST → 02:00 CET
            (Santiago, date(2025, 4, 5), "00:00-23:00", 23 * 60), // 24:00 → 23:00
            (Lord_Howe, date(2026, 4, 5), "00:00-01:30", 90), // 02:00 → 01:30
        ];
        for (zone, day, text, minutes) in cases {
            let interval = period(text).on(day, zone).expect("non-empty period");
            assert_eq!(
                interval.duration(),
                Duration::minutes(minutes),
                "{zone} {day} {text}"
            );
        }
    }

    #[test]
    fn a_period_inside_a_gap_is_empty() {
        assert_eq!(period("02:00-02:30").on(date(2026, 3, 8), New_York), None);
    }
}
