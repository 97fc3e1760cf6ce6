//! The random questions the property tests ask the engine: zones (with and without
//! DST, south and north, DST at midnight, half-hour and 45-minute offsets), days (often
//! the days the clocks change), working hours (often with edges where DST happens),
//! rules, busy time and requests near the day, and the moment of asking (often with
//! the notice or the horizon ending on a slot edge) — each resolved into the engine's
//! inputs and the oracle's.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::sample::select;

use super::oracle::{HoursSpec, PeriodSpec, RealPeriod, Truth, host_date, working_periods};
use super::*;
use crate::domain::rules::day_interval;
use crate::domain::{WorkingHours, WorkingPeriod};

/// Zones with northern and southern DST, DST at midnight (Santiago, Havana, Cairo),
/// half-hour DST (Lord Howe), odd offsets (Kolkata, Kathmandu, St John's, Chatham).
pub(super) const ZONES: [Tz; 12] = [
    Tz::UTC,
    Tz::America__New_York,
    Tz::Europe__Berlin,
    Tz::Australia__Sydney,
    Tz::America__Santiago,
    Tz::Asia__Kolkata,
    Tz::Australia__Lord_Howe,
    Tz::Asia__Kathmandu,
    Tz::America__St_Johns,
    Tz::Pacific__Chatham,
    Tz::America__Havana,
    Tz::Africa__Cairo,
];

/// Wall-clock minutes where DST changes and day edges happen, favoured for period edges.
const EDGES: [u16; 16] = [
    0, 30, 60, 90, 120, 150, 180, 210, 540, 720, 1020, 1320, 1380, 1410, 1425, 1440,
];

/// Host-local dates on which the zone's offset changes (2025–2027), hour by hour.
fn transition_dates(zone: Tz) -> Vec<NaiveDate> {
    let offset = |at: DateTime<Utc>| {
        zone.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let mut at = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let end = Utc
        .with_ymd_and_hms(2028, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let mut dates = Vec::new();
    while at < end {
        let next = at + Duration::hours(1);
        if offset(at) != offset(next) {
            dates.push(host_date(zone, at));
            dates.push(host_date(zone, next));
        }
        at = next;
    }
    dates.dedup();
    dates
}

pub(super) fn transitions(zone_index: usize) -> &'static [NaiveDate] {
    static DATES: std::sync::OnceLock<Vec<Vec<NaiveDate>>> = std::sync::OnceLock::new();
    &DATES.get_or_init(|| ZONES.iter().map(|zone| transition_dates(*zone)).collect())[zone_index]
}

/// One random question to the engine, as drawn (resolved by [`Scenario::from`]).
#[derive(Debug, Clone)]
pub(super) struct Case {
    host: usize,
    client: usize,
    /// 0: a DST day of the host's zone, 1: of the client's, 2: any day; index; any day.
    day: (u8, usize, i64),
    hours: HoursSpec,
    minutes: Minutes,
    max_per_day: usize,
    now: Now,
    /// Busy time as (minutes from the window's start, minutes long).
    appointments: Vec<(i64, i64)>,
    other: Vec<(i64, i64)>,
    /// Requested times as (minutes from the window's start, minutes long).
    pub(super) requests: Vec<(i64, i64)>,
    /// Requested times near offered ones: (which offered slot, minutes moved).
    pub(super) nudges: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, Copy)]
struct Minutes {
    duration: i64,
    buffer: i64,
    notice: i64,
    horizon_days: i64,
    step: i64,
}

/// When the question is asked, relative to the window or to a working period.
#[derive(Debug, Clone, Copy)]
enum Now {
    /// Seconds from the window's start (nanoseconds added).
    NearWindow(i64, u32),
    /// Seconds from a horizon before the window's start (nanoseconds added).
    HorizonAway(i64, u32),
    /// The notice ends on a slot edge: the `n`th grid point of a working period.
    NoticeOnGrid(usize),
    /// The horizon ends on a slot edge: the `n`th grid point of a working period.
    HorizonOnGrid(usize),
}

fn now() -> impl Strategy<Value = Now> {
    let seconds = prop_oneof![
        (-864i64..=72).prop_map(|k| k * 300),
        -3 * 86_400i64..=21_600
    ];
    let nanos = prop_oneof![Just(0u32), 0u32..1_000_000_000];
    prop_oneof![
        3 => (seconds.clone(), nanos.clone()).prop_map(|(s, n)| Now::NearWindow(s, n)),
        1 => (seconds, nanos).prop_map(|(s, n)| Now::HorizonAway(s, n)),
        1 => any::<usize>().prop_map(Now::NoticeOnGrid),
        1 => any::<usize>().prop_map(Now::HorizonOnGrid),
    ]
}

impl Now {
    fn resolve(
        self,
        window: Interval,
        periods: &[RealPeriod],
        step: Duration,
        notice: Duration,
        horizon: Duration,
    ) -> DateTime<Utc> {
        let in_window: Vec<&RealPeriod> = periods
            .iter()
            .filter(|period| period.interval.overlaps(&window))
            .collect();
        let on_grid = |pick: usize| {
            let count = in_window.len().max(1);
            let period = in_window.get(pick % count)?;
            let steps = (pick / count % 4) as i32;
            Some(period.interval.start + step * steps)
        };
        let at = |origin: DateTime<Utc>, seconds: i64, nanos: u32| {
            origin + Duration::seconds(seconds) + Duration::nanoseconds(i64::from(nanos))
        };
        match self {
            Self::NearWindow(seconds, nanos) => at(window.start, seconds, nanos),
            // The horizon ends between half a day before the window and its end.
            Self::HorizonAway(seconds, nanos) => at(
                window.start - horizon,
                seconds.rem_euclid(129_600) - 43_200,
                nanos,
            ),
            Self::NoticeOnGrid(pick) => on_grid(pick).map_or(window.start, |edge| edge - notice),
            Self::HorizonOnGrid(pick) => on_grid(pick).map_or(window.start, |edge| edge - horizon),
        }
    }
}

fn period_edge() -> impl Strategy<Value = u16> {
    prop_oneof![3 => select(EDGES.to_vec()), 1 => 0u16..=1440]
}

/// Up to three non-overlapping periods of one day.
fn day_periods() -> impl Strategy<Value = Vec<PeriodSpec>> {
    prop::collection::vec(period_edge(), 1..=6).prop_map(|mut edges| {
        edges.sort_unstable();
        edges.dedup();
        edges
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
            .collect()
    })
}

fn hours() -> impl Strategy<Value = HoursSpec> {
    (any::<bool>(), prop::array::uniform7(day_periods())).prop_map(|(same, days)| {
        if same {
            std::array::from_fn(|_| days[0].clone())
        } else {
            days
        }
    })
}

fn minutes() -> impl Strategy<Value = Minutes> {
    let duration = prop_oneof![(1i64..=32).prop_map(|k| k * 15), 1i64..=480];
    let buffer = prop_oneof![Just(0i64), (0i64..=12).prop_map(|k| k * 5), 0i64..=240];
    let notice = prop_oneof![
        2 => (0i64..=16).prop_map(|k| k * 15),
        2 => 0i64..=240,
        1 => 0i64..=2880,
        1 => (0i64..=30).prop_map(|d| d * 1440),
    ];
    let horizon = prop_oneof![4 => 1i64..=60, 1 => 61i64..=120];
    let step = prop_oneof![select(vec![5i64, 10, 15, 20, 30, 60]), 5i64..=240];
    (duration, buffer, notice, horizon, step).prop_map(
        |(duration, buffer, notice, horizon_days, step)| Minutes {
            duration,
            buffer,
            notice,
            horizon_days,
            step,
        },
    )
}

/// Busy or requested times near the window (mostly inside it), often on the 5-minute
/// grid, some long.
fn spans(max: usize) -> impl Strategy<Value = Vec<(i64, i64)>> {
    let offset = prop_oneof![
        2 => (0i64..=288).prop_map(|k| k * 5),
        1 => (-432i64..=432).prop_map(|k| k * 5),
        1 => -2160i64..=2160,
    ];
    let length = prop_oneof![
        8 => (1i64..=12).prop_map(|k| k * 15),
        3 => 1i64..=300,
        1 => 300i64..=2000,
    ];
    prop::collection::vec((offset, length), 0..=max)
}

prop_compose! {
    pub(super) fn case()(
        host in 0..ZONES.len(),
        client in 0..ZONES.len(),
        day in (0u8..3, any::<usize>(), 0i64..3 * 365),
        hours in hours(),
        minutes in minutes(),
        max_per_day in prop_oneof![1usize..=2, 1usize..=5],
        now in now(),
        appointments in spans(4),
        other in spans(3),
        requests in spans(8),
        nudges in prop::collection::vec((any::<usize>(), -60i64..=60), 0..=8),
    ) -> Case {
        Case {
            host, client, day, hours, minutes, max_per_day, now, appointments, other, requests,
            nudges,
        }
    }
}

/// A case resolved into the engine's inputs and the oracle's.
pub(super) struct Scenario {
    pub(super) rules: AvailabilityRules,
    pub(super) truth: Truth,
    /// The oracle's working periods around the window.
    pub(super) periods: Vec<RealPeriod>,
    pub(super) client: Tz,
    pub(super) date: NaiveDate,
    pub(super) window: Interval,
    pub(super) duration: Duration,
}

pub(super) fn spans_from(origin: DateTime<Utc>, spans: &[(i64, i64)]) -> Vec<Interval> {
    spans
        .iter()
        .filter_map(|(offset, length)| {
            let start = origin + Duration::minutes(*offset);
            Interval::new(start, start + Duration::minutes(*length))
        })
        .collect()
}

/// The working periods of every host-local day the window (and requests a day either
/// side of it) can touch.
fn periods_around(zone: Tz, hours: &HoursSpec, window: Interval) -> Vec<RealPeriod> {
    let first = host_date(zone, window.start - Duration::days(2));
    let last = host_date(zone, window.end + Duration::days(2));
    working_periods(zone, hours, first, last)
}

fn working_hours(spec: &HoursSpec) -> WorkingHours {
    ALL_DAYS
        .iter()
        .zip(spec)
        .fold(WorkingHours::default(), |hours, (day, periods)| {
            let periods = periods
                .iter()
                .map(|(start, end)| WorkingPeriod {
                    start: NaiveTime::from_num_seconds_from_midnight_opt(u32::from(*start) * 60, 0)
                        .expect("a start before midnight"),
                    end: (*end < 1440).then(|| {
                        NaiveTime::from_num_seconds_from_midnight_opt(u32::from(*end) * 60, 0)
                            .expect("an end before midnight")
                    }),
                })
                .collect();
            hours.with_day(*day, periods)
        })
}

impl From<&Case> for Scenario {
    fn from(case: &Case) -> Self {
        let (zone, client) = (ZONES[case.host], ZONES[case.client]);
        let any_day =
            NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid") + Duration::days(case.day.2);
        let listed = match case.day.0 {
            0 => transitions(case.host),
            1 => transitions(case.client),
            _ => &[],
        };
        let date = match listed.len() {
            0 => any_day,
            count => listed[case.day.1 % count],
        };
        let window = day_interval(client, date);
        let m = case.minutes;
        let horizon = Duration::days(m.horizon_days);
        let periods = periods_around(zone, &case.hours, window);
        let now = case.now.resolve(
            window,
            &periods,
            Duration::minutes(m.step),
            Duration::minutes(m.notice),
            horizon,
        );
        let rules = AvailabilityRules {
            zone,
            working_hours: working_hours(&case.hours),
            buffer: Duration::minutes(m.buffer),
            minimum_notice: Duration::minutes(m.notice),
            horizon,
            max_per_day: case.max_per_day,
            step: Duration::minutes(m.step),
        };
        let truth = Truth {
            zone,
            hours: case.hours.clone(),
            buffer: rules.buffer,
            notice: rules.minimum_notice,
            horizon,
            max_per_day: case.max_per_day,
            now,
            appointments: spans_from(window.start, &case.appointments),
            other: spans_from(window.start, &case.other),
        };
        Scenario {
            rules,
            truth,
            periods,
            client,
            date,
            window,
            duration: Duration::minutes(m.duration),
        }
    }
}

impl Scenario {
    pub(super) fn busy(&self) -> Busy {
        Busy::new(
            &self.truth.appointments,
            &self.truth.other,
            self.rules.buffer,
            self.rules.zone,
        )
    }

    pub(super) fn engine<'a>(&'a self, busy: &'a Busy) -> Engine<'a> {
        Engine {
            rules: &self.rules,
            busy,
            notice: self.truth.notice,
            now: self.truth.now,
        }
    }

    pub(super) fn context(&self) -> ScoreContext<'static> {
        ScoreContext {
            weights: ScoringWeights::default(),
            preferences: None,
            client_zone: self.client,
            history: HistorySource::None,
        }
    }
}
