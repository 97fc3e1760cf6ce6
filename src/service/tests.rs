//! Use cases against a real store in a temporary directory, with a settable clock.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Paris;

use super::*;
use crate::domain::{Channel, EmailAddress, SettableClock};

struct Fixture {
    scheduler: Scheduler,
    _dir: tempfile::TempDir,
}

/// Monday 2026-03-02 08:00 in New York.
fn monday_morning() -> chrono::DateTime<Utc> {
    New_York
        .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc)
}

fn fixture(sources: Vec<Arc<dyn BusySource>>) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::demo();
    let store = Store::open(dir.path(), config.host.zone).expect("opens");
    let clock = Arc::new(SettableClock::new(monday_morning()));
    let scheduler = sources.into_iter().fold(
        Scheduler::new(&config, store, clock),
        |scheduler, source| scheduler.with_busy_source(source),
    );
    Fixture {
        scheduler,
        _dir: dir,
    }
}

fn request(hour: u32, minute: u32, email: &str) -> BookingRequest {
    BookingRequest {
        who: Who::Person {
            name: "Alice Example".into(),
            email: EmailAddress::parse(email).expect("valid"),
        },
        start: New_York
            .with_ymd_and_hms(2026, 3, 3, hour, minute, 0)
            .single()
            .expect("valid")
            .with_timezone(&Utc),
        duration_minutes: None,
        meeting_type: None,
        purpose: "Tax return".into(),
        zone: Paris,
        channel: Channel::Api,
        asked_at: None,
    }
}

fn query() -> AvailabilityQuery {
    AvailabilityQuery {
        date: NaiveDate::from_ymd_opt(2026, 3, 3).expect("valid"),
        zone: New_York,
        duration_minutes: None,
        meeting_type: None,
        client: None,
    }
}

struct Lunch;

impl BusySource for Lunch {
    fn name(&self) -> &str {
        "lunch"
    }
    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError> {
        let start = New_York
            .with_ymd_and_hms(2026, 3, 3, 9, 0, 0)
            .single()
            .expect("valid")
            .with_timezone(&Utc);
        let busy = Interval::starting_at(start, chrono::Duration::hours(2)).expect("positive");
        Ok(if busy.overlaps(&range) {
            vec![busy]
        } else {
            vec![]
        })
    }
}

#[tokio::test]
async fn a_busy_source_removes_its_time_from_offers_and_bookings() {
    let fx = fixture(vec![Arc::new(Lunch)]);
    let day = fx.scheduler.availability(&query()).expect("answers");
    let first = day
        .all
        .first()
        .expect("some slots")
        .interval
        .start
        .with_timezone(&New_York);
    assert_eq!(first.format("%H:%M").to_string(), "11:15");
    let refused = fx
        .scheduler
        .book(request(10, 0, "a@example.com"))
        .await
        .expect_err("busy");
    assert!(matches!(
        refused,
        ServiceError::SlotUnavailable {
            violation: RuleViolation::Taken,
            ..
        }
    ));
}

#[tokio::test]
async fn a_booking_teaches_the_clients_pattern_and_their_next_suggestions() {
    let fx = fixture(vec![]);
    let booking = fx
        .scheduler
        .book(request(14, 0, "bob@example.com"))
        .await
        .expect("free");
    assert_eq!(booking.appointment.title, "Consultation with Alice Example");
    let patterns = fx
        .scheduler
        .patterns(
            &booking.client.id,
            &Access::Token(booking.appointment.manage_token.to_string()),
        )
        .expect("visible");
    assert_eq!(patterns.bookings, 1);
    // Booked in Paris: 14:00 New York is 20:00 Paris, a Tuesday.
    assert_eq!(
        (patterns.windows[0].weekday, patterns.windows[0].hour),
        (chrono::Weekday::Tue, 20)
    );
    let mut next_week = query();
    next_week.date = NaiveDate::from_ymd_opt(2026, 3, 10).expect("valid");
    next_week.zone = Paris;
    next_week.client = Some(ClientLookup::Email(
        EmailAddress::parse("BOB@example.com").expect("valid"),
    ));
    let day = fx.scheduler.availability(&next_week).expect("answers");
    let best = &day.suggestions[0];
    assert_eq!(
        best.interval
            .start
            .with_timezone(&Paris)
            .format("%H")
            .to_string(),
        "20"
    );
    assert!(
        best.reasons
            .iter()
            .any(|reason| reason == "Matches your usual Tuesday evenings"),
        "{:?}",
        best.reasons
    );
}

#[tokio::test]
async fn another_clients_token_grants_nothing() {
    let fx = fixture(vec![]);
    let alice = fx
        .scheduler
        .book(request(9, 0, "alice@example.com"))
        .await
        .expect("free");
    let bob = fx
        .scheduler
        .book(request(14, 0, "bob@example.com"))
        .await
        .expect("free");
    let bobs_token = bob.appointment.manage_token.as_str();
    assert!(matches!(
        fx.scheduler.appointment(
            &alice.appointment.id,
            &Access::Token(bobs_token.to_string())
        ),
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        fx.scheduler
            .preferences(&alice.client.id, &Access::Token(bobs_token.to_string())),
        Err(ServiceError::Forbidden)
    ));
    assert!(matches!(
        fx.scheduler
            .cancel(&alice.appointment.id, &Access::Anonymous)
            .await,
        Err(ServiceError::Unauthorized)
    ));
    assert!(
        fx.scheduler
            .appointment(&alice.appointment.id, &Access::Admin)
            .is_ok()
    );
}
