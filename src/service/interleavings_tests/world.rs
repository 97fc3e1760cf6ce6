//! The world the interleaving tests act on: a scheduler over a real store in a
//! temporary directory with a settable clock, what the test knows of it (appointments
//! booked so far, the host's personal events, each invitation's last SEQUENCE), and
//! each operation turned into a call of the use case its adapter calls — built before
//! it runs, so two can run at once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::New_York;

use super::messages::{
    booking_event, calendar, invitation, organizer_address, personal_event, stamp,
};
use super::ops::{CLIENTS, ORGANIZERS, Op, host_length, length, time};
use crate::config::Config;
use crate::domain::calendar::{BOOKINGS, PERSONAL};
use crate::domain::rules::day_interval;
use crate::domain::{AppointmentId, Channel, EmailAddress, Interval, SettableClock};
use crate::service::{
    Access, BookingRequest, BusySource, CalendarProblem, MailOutcome, Received, Scheduler,
    ServiceError, Who, builtin_calendars,
};
use crate::store::{Condition, Store};

/// The scheduler and what the test knows of its state.
pub(super) struct World {
    pub scheduler: Arc<Scheduler>,
    pub clock: Arc<SettableClock>,
    inbound: Arc<tokio::sync::Mutex<()>>,
    /// The host's buffer between meetings.
    pub buffer: Duration,
    /// The most appointments on one day.
    pub max_per_day: usize,
    /// Every appointment booked so far, in order.
    booked: Vec<AppointmentId>,
    /// The host's personal events now, by number.
    pub events: BTreeMap<usize, Interval>,
    /// The personal events written in the running step: number, text, busy time.
    written: Vec<(usize, String, Interval)>,
    /// The last SEQUENCE each inviter sent (`None`: nothing sent yet).
    sequences: [Option<u32>; ORGANIZERS],
    /// Messages sent so far (for unique Message-IDs).
    messages: u32,
    _dir: tempfile::TempDir,
}

/// An operation ready to run: everything it needs, owned.
pub(super) enum Action {
    Book(Box<BookingRequest>),
    Reschedule(AppointmentId, DateTime<Utc>),
    Cancel(AppointmentId),
    Put {
        calendar: &'static str,
        name: String,
        text: String,
    },
    Delete {
        calendar: &'static str,
        name: String,
    },
    Mail(Vec<u8>),
    Wait(Duration),
    Nothing,
}

/// What an operation did that the test must remember.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// This appointment now holds time (booked, moved, or accepted by invitation).
    Placed(AppointmentId),
    /// Nothing to remember.
    Other,
}

impl World {
    /// A fresh store with the demo configuration (New York, 09:00–12:00 and
    /// 13:00–17:00 on weekdays, 15 minutes' buffer, 2 hours' notice) but three a day; the
    /// clock on Monday 2 March 2026 08:00 in New York.
    pub fn new() -> Self {
        Self::with_busy_source(None)
    }

    /// As [`Self::new`], the scheduler also reading `source`.
    pub fn with_busy_source(source: Option<Arc<dyn BusySource>>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::demo();
        config.mail.sender_limit_per_hour = 100_000;
        // Few enough that the colliding times fill a day.
        config.rules.max_per_day = 3;
        let store = Store::open(dir.path(), config.host.zone).expect("store opens");
        store
            .ensure_calendars(&builtin_calendars(&config.host.name))
            .expect("calendars made");
        let monday = day_interval(
            New_York,
            chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid"),
        );
        let clock = Arc::new(SettableClock::new(monday.start + Duration::hours(8)));
        let scheduler = Scheduler::new(&config, store, clock.clone());
        let scheduler = match source {
            Some(source) => scheduler.with_busy_source(source),
            None => scheduler,
        };
        Self {
            scheduler: Arc::new(scheduler),
            clock,
            inbound: Arc::default(),
            buffer: config.rules.buffer,
            max_per_day: config.rules.max_per_day,
            booked: Vec::new(),
            events: BTreeMap::new(),
            written: Vec::new(),
            sequences: [None; ORGANIZERS],
            messages: 0,
            _dir: dir,
        }
    }

    /// What an operation on this world runs against.
    pub fn handles(&self) -> Handles {
        Handles {
            scheduler: self.scheduler.clone(),
            clock: self.clock.clone(),
            inbound: self.inbound.clone(),
        }
    }

    fn pick(&self, which: usize) -> Option<AppointmentId> {
        (!self.booked.is_empty()).then(|| self.booked[which % self.booked.len()].clone())
    }

    /// Remembers what an operation did.
    pub fn absorb(&mut self, outcome: Outcome) {
        if let Outcome::Placed(id) = outcome
            && !self.booked.contains(&id)
        {
            self.booked.push(id);
        }
    }

    /// Learns which version of each personal event in `touched` the step left (two
    /// writes at once: either may win), by the text stored.
    pub fn settle_events(&mut self, touched: &BTreeSet<usize>) {
        for event in touched {
            let stored = self
                .scheduler
                .calendar_resource(PERSONAL, &format!("event-{event}.ics"));
            match stored {
                Err(ServiceError::NotFound(_)) => {
                    self.events.remove(event);
                }
                Ok(resource) => {
                    let (_, _, busy) = self
                        .written
                        .iter()
                        .find(|(number, text, _)| number == event && **text == *resource.text)
                        .expect("invariant: a personal event holds a text written to it");
                    self.events.insert(*event, *busy);
                }
                Err(other) => panic!("personal event {event} unreadable: {other:?}"),
            }
        }
        self.written.clear();
    }

    /// Turns `op` into an action, noting what the test will need to know once it ran
    /// (personal events written, the invitations' sequences).
    pub fn prepare(&mut self, op: &Op) -> Action {
        match *op {
            Op::Book {
                client,
                at,
                length: l,
            } => Action::Book(Box::new(BookingRequest {
                who: Who::Person {
                    name: format!("Client {client}"),
                    email: address(&format!("client{}@example.com", client % CLIENTS)),
                },
                start: time(at),
                duration_minutes: Some(length(l).num_minutes()),
                meeting_type: None,
                purpose: "Interleaving".into(),
                zone: New_York,
                channel: Channel::Api,
                asked_at: None,
            })),
            Op::Reschedule { which, at } => self
                .pick(which)
                .map_or(Action::Nothing, |id| Action::Reschedule(id, time(at))),
            Op::Cancel { which } => self.pick(which).map_or(Action::Nothing, Action::Cancel),
            Op::PersonalPut {
                event,
                at,
                length: l,
                all_day,
            } => {
                let (text, busy) = personal_event(event, time(at), length(l), all_day);
                self.written.push((event, text.clone(), busy));
                Action::Put {
                    calendar: PERSONAL,
                    name: format!("event-{event}.ics"),
                    text,
                }
            }
            Op::PersonalDelete { event } => Action::Delete {
                calendar: PERSONAL,
                name: format!("event-{event}.ics"),
            },
            Op::HostMove {
                which,
                at,
                length: l,
                cancelled,
            } => match self.pick(which) {
                Some(id) => Action::Put {
                    calendar: BOOKINGS,
                    name: format!("{id}.ics"),
                    text: booking_event(&id, time(at), host_length(l), cancelled),
                },
                None => Action::Nothing,
            },
            Op::HostDelete { which } => {
                self.pick(which)
                    .map_or(Action::Nothing, |id| Action::Delete {
                        calendar: BOOKINGS,
                        name: format!("{id}.ics"),
                    })
            }
            Op::Invite {
                organizer,
                at,
                length: l,
                resend,
            } => {
                let sequence = match (self.sequences[organizer], resend) {
                    (None, _) => 0,
                    (Some(last), true) => last,
                    (Some(last), false) => last + 1,
                };
                self.sequences[organizer] = Some(sequence);
                let start = time(at);
                let calendar = invitation(organizer, sequence, "REQUEST", start, start + length(l));
                Action::Mail(self.message(&organizer_address(organizer), &calendar, "REQUEST"))
            }
            Op::InviteCancel { organizer } => match self.sequences[organizer] {
                Some(last) => {
                    self.sequences[organizer] = Some(last + 1);
                    let start = time(0);
                    let calendar = invitation(organizer, last + 1, "CANCEL", start, start);
                    Action::Mail(self.message(&organizer_address(organizer), &calendar, "CANCEL"))
                }
                None => Action::Nothing,
            },
            Op::ClientDeclines { which } => self.client_answers(which, None),
            Op::ClientProposes {
                which,
                at,
                length: l,
            } => {
                let start = time(at);
                let proposed = Interval::starting_at(start, length(l)).expect("positive length");
                self.client_answers(which, Some(proposed))
            }
            Op::Wait { minutes } => Action::Wait(Duration::minutes(minutes)),
        }
    }

    /// A client's REPLY declining Kairos's invitation for an appointment, or their
    /// COUNTER proposing `proposed` instead.
    fn client_answers(&mut self, which: usize, proposed: Option<Interval>) -> Action {
        let Some(id) = self.pick(which) else {
            return Action::Nothing;
        };
        let booking = self
            .scheduler
            .appointment(&id, &Access::Admin)
            .expect("invariant: a booked appointment stays readable");
        let client = booking.client.email.to_string();
        let (method, interval, partstat) = match proposed {
            None => ("REPLY", booking.appointment.interval, "DECLINED"),
            Some(proposed) => ("COUNTER", proposed, "ACCEPTED"),
        };
        let calendar = calendar(
            Some(method),
            "-//Kairos tests//EN",
            &[
                format!("UID:{id}"),
                "DTSTAMP:20260302T130000Z".to_string(),
                format!("DTSTART:{}", stamp(interval.start)),
                format!("DTEND:{}", stamp(interval.end)),
                "ORGANIZER:mailto:book@kairos.example".to_string(),
                format!("ATTENDEE;PARTSTAT={partstat}:mailto:{client}"),
            ],
        );
        Action::Mail(self.message(&client, &calendar, method))
    }

    fn message(&mut self, from: &str, calendar: &str, method: &str) -> Vec<u8> {
        self.messages += 1;
        format!(
            "From: <{from}>\r\nTo: <book@kairos.example>\r\nSubject: Meeting\r\n\
             Message-ID: <interleaving-{}@example.org>\r\n\
             Date: Mon, 2 Mar 2026 08:00:00 -0500\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/calendar; charset=utf-8; method={method}\r\n\r\n{calendar}",
            self.messages
        )
        .into_bytes()
    }
}

/// What an operation runs against, for one thread.
#[derive(Clone)]
pub(super) struct Handles {
    scheduler: Arc<Scheduler>,
    clock: Arc<SettableClock>,
    /// Mail is read one message at a time (Kairos's one inbound job): taken while a
    /// message is handled.
    inbound: Arc<tokio::sync::Mutex<()>>,
}

/// Runs `action`; `Err` for an answer no adapter should ever see (a failure of the
/// store or of busy time, a message Kairos could not read, a calendar object it
/// found invalid).
pub(super) async fn perform(handles: Handles, action: Action) -> Result<Outcome, String> {
    let Handles {
        scheduler,
        clock,
        inbound,
    } = handles;
    let placed = |booking: crate::service::Booking| Outcome::Placed(booking.appointment.id);
    let result = match action {
        Action::Book(request) => scheduler.book(*request).await.map(placed),
        Action::Reschedule(id, start) => scheduler
            .reschedule(&id, &Access::Admin, start)
            .await
            .map(placed),
        Action::Cancel(id) => scheduler
            .cancel(&id, &Access::Admin)
            .await
            .map(|_| Outcome::Other),
        Action::Put {
            calendar,
            name,
            text,
        } => scheduler
            .put_calendar_resource(calendar, &name, &text, &Condition::Any)
            .await
            .map(|_| Outcome::Other),
        Action::Delete { calendar, name } => scheduler
            .delete_calendar_resource(calendar, &name, &Condition::Any)
            .await
            .map(|()| Outcome::Other),
        Action::Mail(raw) => {
            let _one_at_a_time = inbound.lock().await;
            return match scheduler.receive_mail(&raw).await {
                Ok(Received::Handled(MailOutcome::Accepted(id) | MailOutcome::Moved(id))) => {
                    Ok(Outcome::Placed(AppointmentId::from_string(id)))
                }
                Ok(Received::Handled(_)) => Ok(Outcome::Other),
                Ok(Received::Unprocessable(why)) => Err(format!("unprocessable mail: {why}")),
                Err(error) => Err(format!("mail: {error:?}")),
            };
        }
        Action::Wait(by) => {
            clock.advance(by);
            Ok(Outcome::Other)
        }
        Action::Nothing => Ok(Outcome::Other),
    };
    match result {
        Ok(outcome) => Ok(outcome),
        Err(
            ServiceError::SlotUnavailable { .. }
            | ServiceError::NotFound(_)
            | ServiceError::Cancelled
            | ServiceError::Calendar(
                CalendarProblem::NotAnAppointment(_) | CalendarProblem::PreconditionFailed,
            ),
        ) => Ok(Outcome::Other),
        Err(other) => Err(format!("{other:?}")),
    }
}

fn address(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("invariant: test addresses are valid")
}
