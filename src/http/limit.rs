//! Requests per client address and minute: a sliding window per IP address, so one
//! address cannot flood the booking, chat and manage endpoints. Addresses idle for a
//! minute are forgotten.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// The limiter.
pub struct RateLimiter {
    per_minute: usize,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// At most `per_minute` requests a minute from one address (0: no limit).
    pub fn new(per_minute: usize) -> Self {
        Self {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `address` at `now`; `Err(wait)` when the address is over
    /// its limit, with how long until it may ask again.
    pub fn admit(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let times = seen.entry(address).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= self.per_minute {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_limit_waits_for_the_window_others_do_not() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        let one: IpAddr = "192.0.2.1".parse().expect("an address");
        let two: IpAddr = "192.0.2.2".parse().expect("an address");
        for n in 0..3 {
            assert!(limiter.admit(one, start + Duration::from_secs(n)).is_ok());
        }
        let wait = limiter
            .admit(one, start + Duration::from_secs(10))
            .expect_err("over the limit");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.admit(two, start + Duration::from_secs(10)).is_ok());
        assert!(limiter.admit(one, start + Duration::from_secs(60)).is_ok());
        assert!(RateLimiter::new(0).admit(one, start).is_ok(), "0: no limit");
    }
}
