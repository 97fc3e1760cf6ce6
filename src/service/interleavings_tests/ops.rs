//! The operations the interleaving tests draw: what clients, the host's calendar app and
//! inviters' mail do to the schedule, aimed at a handful of times so they collide.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::America::New_York;
use proptest::prelude::*;

/// How many clients book through the API, and how many inviters send invitations (one
/// invitation each, updated and cancelled by them).
pub(super) const CLIENTS: usize = 3;
pub(super) const ORGANIZERS: usize = 3;
/// The host's personal events, by name.
pub(super) const EVENTS: usize = 4;

/// Start times, New York wall clock: Tuesday 3 March 2026 and the two days after.
/// Working hours are 09:00–12:00 and 13:00–17:00; the last few are for the host, who
/// may move appointments out of hours (lunch, evening, across midnight).
const TIMES: [(u32, u32, u32); 15] = [
    (3, 9, 0),
    (3, 9, 15),
    (3, 9, 30),
    (3, 10, 0),
    (3, 11, 30),
    (3, 13, 0),
    (3, 16, 30),
    (4, 9, 0),
    (4, 9, 30),
    (4, 16, 45),
    (5, 9, 0),
    (5, 10, 0),
    (3, 12, 0),
    (3, 20, 0),
    (3, 23, 45),
];
/// Times a client or an inviter asks for (the working-hours ones).
const CLIENT_TIMES: usize = 12;

/// Meeting lengths in minutes; the host's calendar app may try to make one much longer
/// (the longest meeting is 8 hours).
const LENGTHS: [i64; 5] = [15, 30, 45, 60, 90];
const HOST_LENGTHS: [i64; 8] = [15, 30, 60, 90, 240, 8 * 60, 26 * 60, 50 * 60];

pub(super) fn time(index: usize) -> DateTime<Utc> {
    let (day, hour, minute) = TIMES[index % TIMES.len()];
    New_York
        .with_ymd_and_hms(2026, 3, day, hour, minute, 0)
        .single()
        .expect("invariant: no DST change in March's first week")
        .with_timezone(&Utc)
}

pub(super) fn length(index: usize) -> Duration {
    Duration::minutes(LENGTHS[index % LENGTHS.len()])
}

pub(super) fn host_length(index: usize) -> Duration {
    Duration::minutes(HOST_LENGTHS[index % HOST_LENGTHS.len()])
}

/// One thing that happens to the schedule. `which` picks an appointment booked so far
/// (by order of booking, wrapping round).
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// A client books through the API.
    Book {
        client: usize,
        at: usize,
        length: usize,
    },
    /// The host reschedules an appointment (manage page, admin).
    Reschedule { which: usize, at: usize },
    /// The host cancels an appointment.
    Cancel { which: usize },
    /// The host writes one of her personal events (CalDAV PUT), all day or not.
    PersonalPut {
        event: usize,
        at: usize,
        length: usize,
        all_day: bool,
    },
    /// The host deletes one of her personal events (CalDAV DELETE).
    PersonalDelete { event: usize },
    /// The host's calendar app moves an appointment's event in the bookings calendar,
    /// or marks it cancelled (CalDAV PUT).
    HostMove {
        which: usize,
        at: usize,
        length: usize,
        cancelled: bool,
    },
    /// The host's calendar app deletes an appointment's event (CalDAV DELETE).
    HostDelete { which: usize },
    /// An inviter sends (a new version of) their invitation; `resend` sends the last
    /// version again.
    Invite {
        organizer: usize,
        at: usize,
        length: usize,
        resend: bool,
    },
    /// An inviter calls their invitation off.
    InviteCancel { organizer: usize },
    /// A client declines Kairos's own invitation for their appointment.
    ClientDeclines { which: usize },
    /// A client proposes another time for their appointment (iTIP COUNTER).
    ClientProposes {
        which: usize,
        at: usize,
        length: usize,
    },
    /// Time passes.
    Wait { minutes: i64 },
}

/// One or two operations at once.
#[derive(Debug, Clone)]
pub(super) enum Step {
    One(Op),
    Together(Op, Op),
}

/// The operations, asking for the first `times` of [`TIMES`] (the host's calendar app
/// also for the out-of-hours ones when all are in play).
fn op(times: usize) -> impl Strategy<Value = Op> {
    let client_time = 0..times.min(CLIENT_TIMES);
    let client_time_again = client_time.clone();
    let host_time = 0..times;
    let which = 0usize..8;
    prop_oneof![
        5 => (0..CLIENTS, client_time.clone(), 0..LENGTHS.len())
            .prop_map(|(client, at, length)| Op::Book { client, at, length }),
        2 => (which.clone(), client_time.clone())
            .prop_map(|(which, at)| Op::Reschedule { which, at }),
        1 => which.clone().prop_map(|which| Op::Cancel { which }),
        3 => (0..EVENTS, host_time.clone(), 0..LENGTHS.len(), prop::bool::weighted(0.1))
            .prop_map(|(event, at, length, all_day)| Op::PersonalPut { event, at, length, all_day }),
        1 => (0..EVENTS).prop_map(|event| Op::PersonalDelete { event }),
        3 => (which.clone(), host_time, 0..HOST_LENGTHS.len(), prop::bool::weighted(0.1))
            .prop_map(|(which, at, length, cancelled)| Op::HostMove { which, at, length, cancelled }),
        1 => which.clone().prop_map(|which| Op::HostDelete { which }),
        4 => (0..ORGANIZERS, client_time, 0..LENGTHS.len(), prop::bool::weighted(0.15))
            .prop_map(|(organizer, at, length, resend)| Op::Invite { organizer, at, length, resend }),
        1 => (0..ORGANIZERS).prop_map(|organizer| Op::InviteCancel { organizer }),
        1 => which.clone().prop_map(|which| Op::ClientDeclines { which }),
        2 => (which, client_time_again, 0..LENGTHS.len())
            .prop_map(|(which, at, length)| Op::ClientProposes { which, at, length }),
        1 => (0i64..=90).prop_map(|minutes| Op::Wait { minutes }),
    ]
}

/// A run: up to 24 steps over all the times, a quarter of them two operations at once.
pub(super) fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => op(TIMES.len()).prop_map(Step::One),
        1 => (op(TIMES.len()), op(TIMES.len())).prop_map(|(a, b)| Step::Together(a, b)),
    ];
    prop::collection::vec(step, 1..=24)
}

/// A race: up to 12 steps, most of them two operations at once, all asking for
/// Tuesday 09:00 or 09:15 (any two of which collide, the buffer counted).
pub(super) fn racing_steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        1 => op(2).prop_map(Step::One),
        3 => (op(2), op(2)).prop_map(|(a, b)| Step::Together(a, b)),
    ];
    prop::collection::vec(step, 1..=12)
}
