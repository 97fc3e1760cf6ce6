//! The suggestion engine under load: the demo host's rules over a 30-day horizon
//! against 5,000 busy intervals. Three measurements: the whole request path
//! (`Busy::new` + `available` + `score` + `best`), `available` alone on a prebuilt
//! [`Busy`], and building the [`Busy`] alone. Ratios within one run are what count
//! (DESIGN §7); nothing here asserts a time.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use kairos::config::Config;
use kairos::domain::{AvailabilityRules, Interval};
use kairos::slots::{self, Busy, Engine, HistorySource, ScoreContext, ScoringWeights};

/// Busy intervals in the main fixture. At 15–90 minutes each, widened by the 15-minute
/// buffer, they cover the 30 days about ten times over: no slot is left, so this is the
/// busy arithmetic at its worst, not the scoring.
const BUSY_COUNT: usize = 5_000;
/// Busy intervals in the sparse fixture, which leaves slots for `score` and `best`.
const SPARSE_BUSY_COUNT: usize = 500;
/// Days the window and the busy time span.
const HORIZON_DAYS: i64 = 30;
/// Suggestions picked per answer, as in the demo config.
const SUGGESTIONS: usize = 5;

/// A fixed "now" (a Monday noon UTC), so every run measures the same work.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0)
        .single()
        .expect("a valid fixed instant")
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): deterministic
/// and dependency-free, which is all a fixture needs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: u64) -> i64 {
        i64::try_from(self.next() % bound).expect("a bound below 2^63")
    }
}

/// `count` intervals of 15–90 minutes starting anywhere (working hours or not)
/// from a day before `now` to a day after the horizon, unsorted.
fn busy_intervals(now: DateTime<Utc>, count: usize) -> Vec<Interval> {
    let mut rng = Lcg(0x5eed_ca1e_da7a);
    let first = now - Duration::days(1);
    let span_minutes = (HORIZON_DAYS + 2) * 24 * 60;
    (0..count)
        .map(|_| {
            let start = first + Duration::minutes(rng.below(span_minutes as u64));
            let length = Duration::minutes(15 + rng.below(76));
            Interval::starting_at(start, length).expect("a positive length")
        })
        .collect()
}

/// Everything a run needs, built once.
struct Fixture {
    rules: AvailabilityRules,
    weights: ScoringWeights,
    now: DateTime<Utc>,
    window: Interval,
    other: Vec<Interval>,
    duration: Duration,
}

impl Fixture {
    fn new(busy_count: usize) -> Self {
        let config = Config::demo();
        let mut rules = config.rules;
        // The daily limit would otherwise empty days; this measures the busy arithmetic.
        rules.max_per_day = 1000;
        let now = now();
        let window =
            Interval::new(now, now + Duration::days(HORIZON_DAYS)).expect("a 30-day window");
        Self {
            rules,
            weights: config.scoring.weights,
            now,
            window,
            other: busy_intervals(now, busy_count),
            duration: Duration::minutes(30),
        }
    }

    fn busy(&self) -> Busy {
        Busy::new(&[], &self.other, self.rules.buffer, self.rules.zone)
    }

    fn engine<'a>(&'a self, busy: &'a Busy) -> Engine<'a> {
        Engine {
            rules: &self.rules,
            busy,
            notice: self.rules.minimum_notice,
            now: self.now,
        }
    }

    fn context(&self) -> ScoreContext<'static> {
        ScoreContext {
            weights: self.weights,
            preferences: None,
            client_zone: chrono_tz::Europe::Paris,
            history: HistorySource::None,
        }
    }

    /// The full request path: build the busy picture, list, score, pick.
    fn suggest(&self) -> Vec<slots::Slot> {
        let busy = self.busy();
        let engine = self.engine(&busy);
        let available = engine.available(self.window, self.duration);
        let scored = engine.score(&available, &self.context());
        slots::best(&scored, SUGGESTIONS)
    }
}

fn engine_benches(c: &mut Criterion) {
    let fixture = Fixture::new(BUSY_COUNT);
    c.bench_function("suggest_30_days_5000_busy", |b| {
        b.iter(|| black_box(&fixture).suggest())
    });

    let sparse = Fixture::new(SPARSE_BUSY_COUNT);
    c.bench_function("suggest_30_days_500_busy", |b| {
        b.iter(|| black_box(&sparse).suggest())
    });

    let busy = fixture.busy();
    let engine = fixture.engine(&busy);
    c.bench_function("available_only", |b| {
        b.iter(|| engine.available(black_box(fixture.window), black_box(fixture.duration)))
    });

    c.bench_function("busy_build_5000", |b| {
        b.iter(|| {
            Busy::new(
                &[],
                black_box(&fixture.other),
                fixture.rules.buffer,
                fixture.rules.zone,
            )
        })
    });
}

criterion_group!(benches, engine_benches);
criterion_main!(benches);
