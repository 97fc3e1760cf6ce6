//! Failed logins per client address. Each wrong password from an address makes the
//! answer to it slower (the delay doubles from a first one up to 32 times that), and an
//! address with `limit` failures in the last 15 minutes is refused outright until the
//! oldest of them is 15 minutes old — before its password is even checked, so guessing
//! cannot keep argon2 busy either. A correct login does not wipe the slate (a guesser
//! could otherwise mix in a request that passes); failures simply age out. Addresses
//! idle for the window are forgotten.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The delay stops doubling after this many failures (2⁵ = 32 times the first).
const DOUBLINGS: u32 = 5;

/// The throttle.
pub struct LoginThrottle {
    limit: usize,
    first_delay: Duration,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl LoginThrottle {
    /// At most `limit` failures in 15 minutes from one address (0: no limit); the
    /// answer to the first failure waits `first_delay`, each further one twice as long.
    pub fn new(limit: usize, first_delay: Duration) -> Self {
        Self {
            limit,
            first_delay,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` when `address` has used up its failures: its login is refused
    /// without looking at the password, for `wait`.
    pub fn refused(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = failures.get_mut(&address)?;
        forget_old(times, now);
        if times.len() < self.limit {
            return None;
        }
        let oldest = times.front().copied().unwrap_or(now);
        Some(WINDOW.saturating_sub(now.duration_since(oldest)))
    }

    /// Notes a failed login from `address`; the answer to it should wait the returned
    /// delay.
    pub fn failed(&self, address: IpAddr, now: Instant) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 10_000 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let times = failures.entry(address).or_default();
        forget_old(times, now);
        times.push_back(now);
        let doublings = u32::try_from(times.len() - 1)
            .unwrap_or(u32::MAX)
            .min(DOUBLINGS);
        self.first_delay * 2u32.pow(doublings)
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn each_failure_doubles_the_delay_up_to_thirty_two_times_the_first() {
        let throttle = LoginThrottle::new(100, 10 * MS);
        let start = Instant::now();
        let one: IpAddr = "192.0.2.1".parse().expect("an address");
        let delays: Vec<Duration> = (0..8)
            .map(|n| throttle.failed(one, start + n * MS))
            .collect();
        let expected = [10, 20, 40, 80, 160, 320, 320, 320].map(|ms| ms * MS);
        assert_eq!(delays, expected);
        let other: IpAddr = "192.0.2.2".parse().expect("an address");
        assert_eq!(throttle.failed(other, start), 10 * MS, "per address");
    }

    #[test]
    fn an_address_at_its_limit_is_refused_until_the_oldest_failure_is_old() {
        let throttle = LoginThrottle::new(3, Duration::ZERO);
        let start = Instant::now();
        let one: IpAddr = "192.0.2.1".parse().expect("an address");
        for n in 0..3 {
            assert_eq!(throttle.refused(one, start), None);
            throttle.failed(one, start + Duration::from_secs(n * 60));
        }
        let later = start + Duration::from_secs(300);
        assert_eq!(throttle.refused(one, later), Some(Duration::from_secs(600)));
        assert_eq!(
            throttle.refused(one, start + WINDOW),
            None,
            "oldest expired"
        );
        assert_eq!(LoginThrottle::new(0, MS).refused(one, later), None);
    }
}
