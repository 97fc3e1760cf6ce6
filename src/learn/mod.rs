//! Preference learning, pure: booking patterns by weekday × hour with exponential time
//! decay, kept per client and for all clients together (the seed's `booking_patterns`).
//! Feeds the history rule of `slots` scoring and the patterns endpoint.
//!
//! Must not know: storage, HTTP, or which zone a caller counts in (the caller records
//! and asks in the zone it chose; per client that is the client's zone, globally the host's).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// A bucket's share of the strongest bucket needed to count as a habit.
const HABIT_SHARE: f64 = 0.5;

/// Decayed booking counts per weekday × hour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingPattern {
    /// Bookings ever recorded (not decayed).
    pub bookings: u32,
    /// Key `weekday_from_monday * 24 + hour`.
    buckets: BTreeMap<u8, Bucket>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Bucket {
    weight: f64,
    at: DateTime<Utc>,
}

/// How fast old bookings fade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decay {
    /// After this long a booking counts half.
    pub half_life: Duration,
}

impl Decay {
    fn factor(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let elapsed = (to - from).num_seconds().max(0) as f64;
        let half_life = self.half_life.num_seconds().max(1) as f64;
        0.5f64.powf(elapsed / half_life)
    }
}

/// One predicted preference: a weekday × hour window with its strength.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictedWindow {
    /// Day of the week.
    #[serde(serialize_with = "weekday_text")]
    pub weekday: Weekday,
    /// Hour of the day, 0–23.
    pub hour: u32,
    /// Decayed number of bookings in this window.
    pub weight: f64,
    /// 0–1: the window's share of all bookings, damped while there are few.
    pub confidence: f64,
}

fn weekday_text<S: serde::Serializer>(day: &Weekday, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(crate::domain::client::weekday_name(*day))
}

fn key(weekday: Weekday, hour: u32) -> u8 {
    (weekday.num_days_from_monday() * 24 + hour.min(23)) as u8
}

fn unkey(key: u8) -> (Weekday, u32) {
    let weekday = Weekday::try_from(key / 24).unwrap_or(Weekday::Sun);
    (weekday, u32::from(key % 24))
}

impl BookingPattern {
    /// Records one booking on `weekday` at `hour`, made at `now`.
    pub fn record(&mut self, weekday: Weekday, hour: u32, now: DateTime<Utc>, decay: Decay) {
        let bucket = self.buckets.entry(key(weekday, hour)).or_insert(Bucket {
            weight: 0.0,
            at: now,
        });
        bucket.weight = bucket.weight * decay.factor(bucket.at, now) + 1.0;
        bucket.at = now.max(bucket.at);
        self.bookings += 1;
    }

    /// True when nothing was ever recorded.
    pub fn is_empty(&self) -> bool {
        self.bookings == 0
    }

    /// The decayed weight of every bucket at `now`, indexed by `weekday * 24 + hour`.
    fn weights(&self, now: DateTime<Utc>, decay: Decay) -> [f64; 168] {
        let mut weights = [0.0; 168];
        for (&key, bucket) in &self.buckets {
            weights[usize::from(key)] = bucket.weight * decay.factor(bucket.at, now);
        }
        weights
    }

    /// The `limit` strongest windows at `now`, strongest first.
    pub fn predicted(
        &self,
        now: DateTime<Utc>,
        decay: Decay,
        limit: usize,
    ) -> Vec<PredictedWindow> {
        let weights = self.weights(now, decay);
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let damping = 1.0 - (-f64::from(self.bookings) / 3.0).exp();
        let mut windows: Vec<PredictedWindow> = weights
            .iter()
            .enumerate()
            .filter(|(_, weight)| **weight > 0.0)
            .map(|(key, weight)| {
                let (weekday, hour) = unkey(key as u8);
                PredictedWindow {
                    weekday,
                    hour,
                    weight: round3(*weight),
                    confidence: round3(weight / total * damping),
                }
            })
            .collect();
        windows.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then(key(a.weekday, a.hour).cmp(&key(b.weekday, b.hour)))
        });
        windows.truncate(limit);
        windows
    }

    /// The weekday × hour windows that count as a habit at `now`: those holding at
    /// least half the weight of the strongest one.
    pub fn habits(&self, now: DateTime<Utc>, decay: Decay) -> Habits {
        let weights = self.weights(now, decay);
        let strongest = weights.iter().copied().fold(0.0, f64::max);
        let mut usual = [false; 168];
        if strongest > 0.0 {
            for (slot, weight) in usual.iter_mut().zip(weights) {
                *slot = weight >= strongest * HABIT_SHARE;
            }
        }
        Habits { usual }
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// A ready-to-query set of habitual weekday × hour windows.
#[derive(Debug, Clone, PartialEq)]
pub struct Habits {
    usual: [bool; 168],
}

impl Habits {
    /// No habits at all.
    pub fn none() -> Self {
        Self {
            usual: [false; 168],
        }
    }

    /// True when `weekday` at `hour` is habitual.
    pub fn contains(&self, weekday: Weekday, hour: u32) -> bool {
        self.usual[usize::from(key(weekday, hour))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0)
            .single()
            .expect("valid")
    }

    const DECAY: Decay = Decay {
        half_life: Duration::days(30),
    };

    #[test]
    fn repeated_bookings_become_a_habit() {
        let mut pattern = BookingPattern::default();
        for day in [1, 8, 15] {
            pattern.record(Weekday::Tue, 10, at(day), DECAY);
        }
        pattern.record(Weekday::Fri, 15, at(16), DECAY);
        let habits = pattern.habits(at(20), DECAY);
        assert!(habits.contains(Weekday::Tue, 10));
        assert!(!habits.contains(Weekday::Fri, 15));
        assert!(!habits.contains(Weekday::Tue, 11));
    }

    #[test]
    fn old_habits_fade_behind_new_ones() {
        let mut pattern = BookingPattern::default();
        for day in [1, 2, 3] {
            pattern.record(Weekday::Mon, 9, at(day), DECAY);
        }
        // Ninety days later, two Thursday afternoons outweigh three old Monday mornings.
        let later = at(1) + Duration::days(90);
        pattern.record(Weekday::Thu, 14, later, DECAY);
        pattern.record(Weekday::Thu, 14, later + Duration::days(7), DECAY);
        let habits = pattern.habits(later + Duration::days(8), DECAY);
        assert!(habits.contains(Weekday::Thu, 14));
        assert!(!habits.contains(Weekday::Mon, 9));
    }

    #[test]
    fn predictions_rank_windows_with_damped_confidence() {
        let mut pattern = BookingPattern::default();
        pattern.record(Weekday::Wed, 11, at(1), DECAY);
        let one = pattern.predicted(at(1), DECAY, 3);
        assert_eq!(one.len(), 1);
        assert!(one[0].confidence < 0.5, "one booking is a weak signal");
        for _ in 0..9 {
            pattern.record(Weekday::Wed, 11, at(1), DECAY);
        }
        pattern.record(Weekday::Mon, 9, at(1), DECAY);
        let many = pattern.predicted(at(1), DECAY, 3);
        assert_eq!((many[0].weekday, many[0].hour), (Weekday::Wed, 11));
        assert!(many[0].confidence > 0.8);
        assert_eq!((many[1].weekday, many[1].hour), (Weekday::Mon, 9));
    }

    #[test]
    fn an_empty_pattern_has_no_habits() {
        let pattern = BookingPattern::default();
        assert!(pattern.predicted(at(1), DECAY, 5).is_empty());
        assert_eq!(pattern.habits(at(1), DECAY), Habits::none());
    }
}
