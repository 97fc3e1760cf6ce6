//! Property: what the service offers for a client's day keeps clear of the host's
//! appointments and personal events (with the buffer), of the notice, the horizon and
//! the daily limit — and every time it offers can be booked at once. Random host and
//! client zones (DST north and south, half-hour steps, odd offsets), days (often the
//! days the host's clocks change), working hours, rules and personal events, on a real
//! store with a settable clock; a few rounds of asking and booking an offered time.
//!
//! 32 runs by default; `PROPTEST_CASES` sets another number.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::domain::rules::day_interval;
use crate::domain::{Channel, EmailAddress, SettableClock, WorkingHours, WorkingPeriod};
use crate::store::Condition;

const ZONES: [Tz; 8] = [
    Tz::UTC,
    Tz::America__New_York,
    Tz::Europe__Berlin,
    Tz::Australia__Sydney,
    Tz::America__Santiago,
    Tz::Asia__Kolkata,
    Tz::Australia__Lord_Howe,
    Tz::America__St_Johns,
];

/// Working hours, the same every day: office hours, all day, around midnight, and
/// around the hours DST changes happen.
const HOURS: [&[&str]; 4] = [
    &["09:00-12:00", "13:00-17:00"],
    &["00:00-24:00"],
    &["00:00-03:30", "22:00-24:00"],
    &["01:00-03:00", "23:00-24:00"],
];

#[derive(Debug, Clone)]
struct Case {
    host: usize,
    client: usize,
    /// A day the host's clocks change (true) or any day of 2026; which; any day.
    day: (bool, usize, i64),
    hours: usize,
    /// Buffer, notice, step and meeting length in minutes; horizon in days.
    minutes: (i64, i64, i64, i64),
    horizon_days: i64,
    max_per_day: usize,
    /// Minutes from the client's day's start to the first question.
    now: i64,
    /// Personal events as (minutes from the day's start, minutes long).
    events: Vec<(i64, i64)>,
    /// Each round: which offered time to book, and minutes that pass afterwards.
    rounds: Vec<(usize, i64)>,
}

prop_compose! {
    fn case()(
        host in 0..ZONES.len(),
        client in 0..ZONES.len(),
        day in (prop::bool::weighted(0.6), any::<usize>(), 0i64..365),
        hours in 0..HOURS.len(),
        minutes in (
            prop_oneof![Just(0i64), (0i64..=6).prop_map(|k| k * 10)],
            prop_oneof![(0i64..=8).prop_map(|k| k * 15), 0i64..=1440],
            prop::sample::select(vec![5i64, 10, 15, 30, 45, 60]),
            prop_oneof![(1i64..=8).prop_map(|k| k * 15), 1i64..=480],
        ),
        horizon_days in 1i64..=30,
        max_per_day in 1usize..=4,
        now in -2880i64..=720,
        events in prop::collection::vec((-720i64..=2160, 5i64..=240), 0..=4),
        rounds in prop::collection::vec((any::<usize>(), 0i64..=120), 1..=5),
    ) -> Case {
        Case { host, client, day, hours, minutes, horizon_days, max_per_day, now, events, rounds }
    }
}

/// Dates of 2026 on which `zone`'s offset changes.
fn clock_changes(zone: Tz) -> Vec<NaiveDate> {
    let offset = |at: DateTime<Utc>| {
        zone.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let first = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    (0..365 * 24)
        .map(|hour| first + Duration::hours(hour))
        .filter(|at| offset(*at) != offset(*at + Duration::hours(1)))
        .map(|at| at.with_timezone(&zone).date_naive())
        .collect()
}

fn rules(case: &Case, zone: Tz) -> AvailabilityRules {
    let periods: Vec<WorkingPeriod> = HOURS[case.hours]
        .iter()
        .map(|text| WorkingPeriod::parse(text).expect("valid period"))
        .collect();
    let days = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ];
    let (buffer, notice, step, _) = case.minutes;
    AvailabilityRules {
        zone,
        working_hours: days.iter().fold(WorkingHours::default(), |hours, day| {
            hours.with_day(*day, periods.clone())
        }),
        buffer: Duration::minutes(buffer),
        minimum_notice: Duration::minutes(notice),
        horizon: Duration::days(case.horizon_days),
        max_per_day: case.max_per_day,
        step: Duration::minutes(step),
    }
}

fn clear(slot: &Interval, busy: &Interval, buffer: Duration) -> bool {
    !(slot.start < busy.end + buffer && busy.start - buffer < slot.end)
}

fn personal_event(number: usize, busy: Interval) -> String {
    let stamp = |at: DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\nBEGIN:VEVENT\r\n\
         UID:offer-{number}@example.org\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\n\
         SUMMARY:Private\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        stamp(busy.start),
        stamp(busy.start),
        stamp(busy.end)
    )
}

async fn offer_and_book(case: &Case) -> Result<(), TestCaseError> {
    let (zone, client) = (ZONES[case.host], ZONES[case.client]);
    let changes = clock_changes(zone);
    let any_day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid") + Duration::days(case.day.2);
    let date = match (case.day.0, changes.len()) {
        (true, count) if count > 0 => changes[case.day.1 % count],
        _ => any_day,
    };
    let window = day_interval(client, date);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::demo();
    config.host.zone = zone;
    config.rules = rules(case, zone);
    let store = Store::open(dir.path(), zone).expect("store opens");
    store
        .ensure_calendars(&builtin_calendars(&config.host.name))
        .expect("calendars made");
    let clock = Arc::new(SettableClock::new(
        window.start + Duration::minutes(case.now),
    ));
    let scheduler = Scheduler::new(&config, store, clock.clone());
    let mut personal = Vec::new();
    for (number, (offset, length)) in case.events.iter().enumerate() {
        let start = window.start + Duration::minutes(*offset);
        let busy = Interval::starting_at(start, Duration::minutes(*length)).expect("positive");
        let name = format!("offer-{number}.ics");
        let text = personal_event(number, busy);
        scheduler
            .put_calendar_resource("personal", &name, &text, &Condition::Any)
            .await
            .expect("personal event written");
        personal.push(busy);
    }
    let rules = &config.rules;
    let length = case.minutes.3;
    for (round, (which, wait)) in case.rounds.iter().enumerate() {
        let query = AvailabilityQuery {
            date,
            zone: client,
            duration_minutes: Some(length),
            meeting_type: None,
            client: None,
        };
        let offered = scheduler
            .availability(&query)
            .expect("availability answers");
        let now = clock.now();
        let booked: Vec<Interval> = scheduler
            .store()
            .appointments()
            .expect("appointments readable")
            .into_iter()
            .filter(|appointment| appointment.is_confirmed())
            .map(|appointment| appointment.interval)
            .collect();
        for slot in offered.all.iter().map(|slot| &slot.interval) {
            prop_assert_eq!(slot.start.with_timezone(&client).date_naive(), date);
            prop_assert_eq!(slot.duration(), Duration::minutes(length));
            prop_assert!(
                slot.start >= now + rules.minimum_notice,
                "{slot:?} inside notice"
            );
            prop_assert!(slot.start <= now + rules.horizon, "{slot:?} beyond horizon");
            for busy in booked.iter().chain(&personal) {
                prop_assert!(clear(slot, busy, rules.buffer), "{slot:?} on busy {busy:?}");
            }
            let day = slot.start.with_timezone(&zone).date_naive();
            let same_day = booked
                .iter()
                .filter(|busy| busy.start.with_timezone(&zone).date_naive() == day)
                .count();
            prop_assert!(same_day < rules.max_per_day, "{slot:?} on a full day");
        }
        for suggestion in &offered.suggestions {
            prop_assert!(
                offered.all.contains(suggestion),
                "{suggestion:?} not offered"
            );
        }
        if let Some(slot) = offered.all.get(which % offered.all.len().max(1)) {
            let request = BookingRequest {
                who: Who::Person {
                    name: format!("Client {round}"),
                    email: EmailAddress::parse(&format!("client{round}@example.com"))
                        .expect("valid"),
                },
                start: slot.interval.start,
                duration_minutes: Some(length),
                meeting_type: None,
                purpose: String::new(),
                zone: client,
                channel: Channel::Api,
                asked_at: None,
            };
            match scheduler.book(request).await {
                Ok(booking) => prop_assert_eq!(booking.appointment.interval, slot.interval),
                Err(error) => prop_assert!(false, "offered {:?} refused: {error:?}", slot.interval),
            }
        }
        clock.advance(Duration::minutes(*wait));
    }
    Ok(())
}

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 32;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn offered_times_keep_the_rules_and_can_be_booked(case in case()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(offer_and_book(&case))?;
    }
}
