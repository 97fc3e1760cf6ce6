//! Store transactions: overlap refusal inside the transaction, concurrency, cancel,
//! reschedule, reopening.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::America::New_York;

use super::*;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Channel, ClientAnswer, ClientId, EmailAddress,
    Interval, ManageToken, RuleViolation,
};

pub(super) fn at(hour: u32, minute: u32) -> chrono::DateTime<Utc> {
    New_York
        .with_ymd_and_hms(2026, 3, 3, hour, minute, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc)
}

fn appointment(seed: u8, start: chrono::DateTime<Utc>) -> Appointment {
    let mut id = [seed; 16];
    id[0] = seed.wrapping_mul(7);
    Appointment {
        id: AppointmentId::from_random(id),
        client_id: ClientId::from_string(""),
        meeting_type: "consultation".into(),
        title: "Consultation".into(),
        purpose: String::new(),
        interval: Interval::starting_at(start, Duration::minutes(30)).expect("positive"),
        client_zone: New_York,
        status: AppointmentStatus::Confirmed,
        manage_token: ManageToken::from_random([seed; 32]),
        channel: Channel::Api,
        created_at: at(8, 0),
        updated_at: at(8, 0),
        sequence: 0,
        client_answer: ClientAnswer::Accepted,
        meeting_url: None,
        google_event_id: None,
        no_show: false,
        asked_at: None,
    }
}

fn client(seed: u8) -> ClientRef {
    ClientRef::ByEmail {
        new_id: ClientId::from_random([seed; 16]),
        name: format!("Client {seed}"),
        email: EmailAddress::parse(&format!("client{seed}@example.com")).expect("valid"),
    }
}

/// The rule check used here: no overlap with a 15-minute buffer.
fn no_overlap(requested: Interval) -> impl Fn(&[Interval]) -> Result<(), RuleViolation> {
    move |booked| {
        let clash = booked
            .iter()
            .any(|b| b.widened(Duration::minutes(15)).overlaps(&requested));
        if clash {
            Err(RuleViolation::Taken)
        } else {
            Ok(())
        }
    }
}

fn count(_: PatternScope, _: &Appointment, n: &mut u32) {
    *n += 1;
}

pub(super) fn book(
    store: &Store,
    seed: u8,
    start: chrono::DateTime<Utc>,
) -> Result<Booked, Refusal> {
    let appt = appointment(seed, start);
    let interval = appt.interval;
    store
        .book(
            appt,
            client(seed),
            Notice::Client,
            no_overlap(interval),
            count,
        )
        .expect("storage works")
}

#[test]
fn an_overlapping_booking_is_refused_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let first = book(&store, 1, at(10, 0)).expect("free");
    assert_eq!(
        book(&store, 2, at(10, 40)).err(),
        Some(Refusal::Rule(RuleViolation::Taken))
    );
    assert!(
        store
            .client_by_email(&EmailAddress::parse("client2@example.com").expect("valid"))
            .expect("reads")
            .is_none()
    );
    assert!(
        store
            .appointment_by_token(ManageToken::from_random([2; 32]).as_str())
            .expect("reads")
            .is_none()
    );
    assert_eq!(store.pattern::<u32>(None).expect("reads"), 1);
    assert_eq!(
        store
            .appointment_by_token(first.appointment.manage_token.as_str())
            .expect("reads"),
        Some(first.appointment)
    );
}

#[test]
fn concurrent_bookings_of_one_slot_let_exactly_one_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path(), New_York).expect("opens"));
    let handles: Vec<_> = (0..16u8)
        .map(|seed| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || book(&store, seed, at(11, 0)).is_ok())
        })
        .collect();
    let successes = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .filter(|ok| *ok)
        .count();
    assert_eq!(successes, 1);
    assert_eq!(
        store
            .booked_between(at(0, 0).date_naive(), at(23, 0).date_naive())
            .expect("reads")
            .len(),
        1
    );
}

#[test]
fn cancel_frees_the_time_and_reschedule_moves_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let booked = book(&store, 1, at(10, 0)).expect("free");
    let id = booked.appointment.id.clone();
    let later = Interval::starting_at(at(14, 0), Duration::minutes(30)).expect("positive");
    let moved = store
        .reschedule(
            &id,
            later,
            at(9, 0),
            Notice::Client,
            no_overlap(later),
            count,
        )
        .expect("storage")
        .expect("free");
    assert_eq!(moved.interval, later);
    assert_eq!(moved.sequence, 1);
    book(&store, 2, at(10, 0)).expect("the old time is free again");
    let cancelled = store
        .cancel(&id, at(9, 0), Notice::Client)
        .expect("storage")
        .expect("exists");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    book(&store, 3, at(14, 0)).expect("the cancelled time is free again");
    let back = Interval::starting_at(at(16, 0), Duration::minutes(30)).expect("positive");
    assert_eq!(
        store
            .reschedule(&id, back, at(9, 0), Notice::Client, no_overlap(back), count)
            .expect("storage")
            .err(),
        Some(Refusal::Cancelled)
    );
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let id = {
        let store = Store::open(dir.path(), New_York).expect("opens");
        let booked = book(&store, 1, at(10, 0)).expect("free");
        assert!(
            store
                .init_admin_password_hash("$argon2id$x")
                .expect("writes")
        );
        booked.appointment.id
    };
    let store = Store::open(dir.path(), New_York).expect("reopens");
    assert!(store.appointment(&id).expect("reads").is_some());
    assert!(
        !store
            .init_admin_password_hash("$argon2id$y")
            .expect("writes")
    );
    assert_eq!(
        store.admin_password_hash().expect("reads").as_deref(),
        Some("$argon2id$x")
    );
    assert_eq!(
        book(&store, 2, at(10, 0)).err(),
        Some(Refusal::Rule(RuleViolation::Taken))
    );
}

#[test]
fn every_appointment_change_is_journaled_and_queues_a_notification() {
    use crate::domain::{AppointmentChange, Delivery, Intent, calendar};
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let booked = book(&store, 1, at(10, 0)).expect("free");
    let id = booked.appointment.id.clone();
    let later = Interval::starting_at(at(14, 0), Duration::minutes(30)).expect("positive");
    store
        .reschedule(
            &id,
            later,
            at(9, 0),
            Notice::Client,
            no_overlap(later),
            count,
        )
        .expect("storage")
        .expect("free");
    store
        .cancel(&id, at(9, 30), Notice::Client)
        .expect("storage")
        .expect("exists");
    store
        .cancel(&id, at(9, 45), Notice::Client)
        .expect("storage")
        .expect("exists");

    let changes: Vec<AppointmentChange> = store
        .outbox()
        .expect("reads")
        .into_iter()
        .map(|entry| {
            assert_eq!(entry.delivery, Delivery::Pending);
            let Intent::NotifyClient {
                appointment,
                change,
            } = entry.intent
            else {
                panic!("only client notices here: {:?}", entry.intent);
            };
            assert_eq!(appointment, id);
            change
        })
        .collect();
    let booked_at = booked.appointment.interval;
    assert_eq!(
        changes,
        vec![
            AppointmentChange::Booked,
            AppointmentChange::Rescheduled { from: booked_at },
            AppointmentChange::Cancelled
        ]
    );

    assert_eq!(store.calendar_seq(calendar::BOOKINGS).expect("reads"), 3);
    let since_booking = store
        .changes_since(calendar::BOOKINGS, 1)
        .expect("reads")
        .expect("known token");
    assert_eq!(since_booking.len(), 1, "one member, its latest change");
    assert!(since_booking[0].deleted);
    assert_eq!(since_booking[0].resource, calendar::booking_resource(&id));
    assert!(
        store
            .changes_since(calendar::BOOKINGS, 3)
            .expect("reads")
            .expect("known")
            .is_empty()
    );
    assert!(
        store
            .changes_since(calendar::BOOKINGS, 4)
            .expect("reads")
            .is_none(),
        "a token from the future is unknown"
    );
}

#[test]
fn a_refused_booking_queues_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    book(&store, 1, at(10, 0)).expect("free");
    book(&store, 2, at(10, 0)).expect_err("taken");
    assert_eq!(store.outbox().expect("reads").len(), 1);
    assert_eq!(
        store
            .calendar_seq(crate::domain::calendar::BOOKINGS)
            .expect("reads"),
        1
    );
}

mod calendars {
    use super::*;
    use crate::domain::{Calendar, CalendarResource};

    fn resource(name: &str, uid: &str) -> CalendarResource {
        CalendarResource {
            name: name.into(),
            uid: uid.into(),
            etag: "".into(),
            text: format!("BEGIN:VCALENDAR\r\nUID:{uid}\r\nEND:VCALENDAR\r\n").into(),
            span: None,
        }
    }

    fn opened() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), New_York).expect("opens");
        store
            .ensure_calendars(&[Calendar::new("personal", "Personal")])
            .expect("creates");
        (dir, store)
    }

    #[test]
    fn put_get_and_conditional_writes() {
        let (_dir, store) = opened();
        let first = store
            .put_resource(
                "personal",
                &resource("a.ics", "uid-a"),
                &Condition::IfNoneMatch,
            )
            .expect("io")
            .expect("new");
        assert!(first.created);
        assert_eq!(
            store
                .put_resource(
                    "personal",
                    &resource("a.ics", "uid-a"),
                    &Condition::IfNoneMatch
                )
                .expect("io"),
            Err(WriteRefusal::PreconditionFailed)
        );
        assert_eq!(
            store
                .put_resource(
                    "personal",
                    &resource("a.ics", "uid-a"),
                    &Condition::IfMatch("\"999\"".into())
                )
                .expect("io"),
            Err(WriteRefusal::PreconditionFailed)
        );
        let second = store
            .put_resource(
                "personal",
                &resource("a.ics", "uid-a"),
                &Condition::IfMatch(first.etag.clone()),
            )
            .expect("io")
            .expect("matches");
        assert!(!second.created);
        assert_ne!(first.etag, second.etag, "every write has a new ETag");
        assert_eq!(
            store
                .resource("personal", "a.ics")
                .expect("io")
                .expect("exists")
                .etag,
            second.etag.as_str().into()
        );
        assert_eq!(
            store
                .put_resource("nowhere", &resource("a.ics", "uid-a"), &Condition::Any)
                .expect("io"),
            Err(WriteRefusal::NoCalendar)
        );
    }

    #[test]
    fn one_uid_per_resource_within_a_calendar() {
        let (_dir, store) = opened();
        store
            .create_calendar(&Calendar::new("work", "Work"))
            .expect("io");
        store
            .put_resource("personal", &resource("a.ics", "shared"), &Condition::Any)
            .expect("io")
            .expect("new");
        assert_eq!(
            store
                .put_resource("personal", &resource("b.ics", "shared"), &Condition::Any)
                .expect("io"),
            Err(WriteRefusal::UidConflict {
                existing: "a.ics".into()
            })
        );
        store
            .put_resource("work", &resource("b.ics", "shared"), &Condition::Any)
            .expect("io")
            .expect("other calendars may reuse it");
        // Changing a resource's UID frees the old one.
        store
            .put_resource("personal", &resource("a.ics", "renamed"), &Condition::Any)
            .expect("io")
            .expect("same resource");
        store
            .put_resource("personal", &resource("c.ics", "shared"), &Condition::Any)
            .expect("io")
            .expect("free again");
    }

    #[test]
    fn deletes_are_conditional_and_journaled() {
        let (_dir, store) = opened();
        let written = store
            .put_resource("personal", &resource("a.ics", "uid-a"), &Condition::Any)
            .expect("io")
            .expect("new");
        let seq = store.calendar_seq("personal").expect("io");
        assert_eq!(
            store
                .delete_resource("personal", "a.ics", &Condition::IfMatch("\"0\"".into()))
                .expect("io"),
            Err(WriteRefusal::PreconditionFailed)
        );
        store
            .delete_resource("personal", "a.ics", &Condition::IfMatch(written.etag))
            .expect("io")
            .expect("deleted");
        assert_eq!(
            store
                .delete_resource("personal", "a.ics", &Condition::Any)
                .expect("io"),
            Err(WriteRefusal::NotFound)
        );
        let changes = store
            .changes_since("personal", seq)
            .expect("io")
            .expect("known");
        assert_eq!((changes.len(), changes[0].deleted), (1, true));
        assert!(store.delete_calendar("personal").expect("io"));
        assert!(store.calendar("personal").expect("io").is_none());
    }
}

#[tokio::test]
async fn a_held_time_is_busy_until_it_lapses_or_is_released() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let held = Interval::new(at(10, 0), at(10, 30)).expect("non-empty");
    let record = crate::domain::InvitationRecord {
        uid: "u-1".into(),
        sequence: 0,
        appointment: None,
        answered_at: at(8, 0),
        invitation: None,
        series: false,
    };
    let hold = Hold {
        interval: held,
        until: at(12, 0),
    };
    store
        .answer_invitation(&record, &[], Some(&hold), at(8, 0))
        .await
        .expect("written");
    let morning = Interval::new(at(9, 0), at(11, 0)).expect("non-empty");
    assert_eq!(store.holds(&morning, at(11, 59)).expect("io"), vec![held]);
    assert!(
        store.holds(&morning, at(12, 0)).expect("io").is_empty(),
        "lapsed"
    );
    let afternoon = Interval::new(at(13, 0), at(14, 0)).expect("non-empty");
    assert!(
        store.holds(&afternoon, at(9, 0)).expect("io").is_empty(),
        "elsewhere"
    );
    store.release_hold("u-1").expect("released");
    assert!(
        store.holds(&morning, at(9, 0)).expect("io").is_empty(),
        "released"
    );
    assert_eq!(store.invitation("u-1").expect("io"), Some(record));
}
