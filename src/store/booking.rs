//! The transactions that change who holds which time: book, reschedule, cancel. Each
//! reads the neighbouring day ledgers, runs the caller's rule check on them and writes
//! the appointment, its ledger entry, its token, the client and the booking patterns
//! in one sled transaction — all or nothing, and never two overlapping bookings.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Transactional;
use sled::transaction::TransactionalTree;

use super::ledger::{DayLedger, neighbourhood};
use super::tx::{finish, read, refuse};
use super::{Store, StoreError, activity, encode, invitations, journal, keys, outbox, tx};
use crate::domain::calendar;
use crate::domain::{
    Activity, Appointment, AppointmentId, Client, ClientId, EmailAddress, Interval, Preferences,
    RuleViolation,
};
use crate::domain::{AppointmentChange, Intent, InvitationAnswer, InvitationRecord};

/// Who a booking is for.
#[derive(Debug, Clone)]
pub enum ClientRef {
    /// A client already on file.
    Known(ClientId),
    /// Whoever has this email address; created with `new_id` when nobody does yet.
    /// The name given replaces the one on file.
    ByEmail {
        /// Id to use if the client is new.
        new_id: ClientId,
        /// Name as given now.
        name: String,
        /// The address.
        email: EmailAddress,
    },
}

/// Why a change was refused (nothing was written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's rule check said no.
    Rule(RuleViolation),
    /// `ClientRef::Known` named nobody.
    UnknownClient,
    /// No such appointment.
    NotFound,
    /// The appointment is cancelled and cannot move.
    Cancelled,
}

/// Which booking pattern is being updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternScope {
    /// The booking client's own.
    Client,
    /// Everyone's.
    Global,
}

/// A successful booking.
#[derive(Debug, Clone)]
pub struct Booked {
    /// As stored.
    pub appointment: Appointment,
    /// The client it is for, as stored.
    pub client: Client,
}

pub(super) type TxResult<T> = tx::TxResult<T, Refusal>;

/// The ledgers of some days, read inside a transaction and written back together.
struct Ledgers(BTreeMap<NaiveDate, DayLedger>);

impl Ledgers {
    fn read(
        days: &TransactionalTree,
        dates: impl IntoIterator<Item = NaiveDate>,
    ) -> TxResult<Self> {
        let mut ledgers = BTreeMap::new();
        for date in dates {
            if let std::collections::btree_map::Entry::Vacant(slot) = ledgers.entry(date) {
                let ledger: Option<DayLedger> = read(days, keys::DAYS, &keys::day(date))?;
                slot.insert(ledger.unwrap_or_default());
            }
        }
        Ok(Self(ledgers))
    }

    /// The booked intervals of `dates`.
    fn intervals(&self, dates: &[NaiveDate]) -> Vec<Interval> {
        dates
            .iter()
            .filter_map(|date| self.0.get(date))
            .flat_map(|ledger| ledger.entries.iter().map(|entry| entry.interval))
            .collect()
    }

    fn day(&mut self, date: NaiveDate) -> &mut DayLedger {
        self.0.entry(date).or_default()
    }

    fn write(&self, days: &TransactionalTree) -> TxResult<()> {
        for (date, ledger) in &self.0 {
            days.insert(&keys::day(*date), ledger.bytes())?;
        }
        Ok(())
    }
}

fn record_patterns<P, R>(
    patterns: &TransactionalTree,
    client: &ClientId,
    appointment: &Appointment,
    record: &R,
) -> TxResult<()>
where
    P: Serialize + DeserializeOwned + Default,
    R: Fn(PatternScope, &Appointment, &mut P),
{
    for (scope, key) in [
        (PatternScope::Client, client.as_str().as_bytes()),
        (PatternScope::Global, keys::GLOBAL_PATTERN),
    ] {
        let mut pattern: P = read(patterns, keys::PATTERNS, key)?.unwrap_or_default();
        record(scope, appointment, &mut pattern);
        patterns.insert(key, encode(&pattern))?;
    }
    Ok(())
}

impl Store {
    /// Books `appointment` for `client` if `check` accepts it given the confirmed
    /// appointments around it; `record` updates the client's and the global booking
    /// pattern. The appointment's `client_id` is filled in here.
    pub fn book<P, C, R>(
        &self,
        appointment: Appointment,
        client: ClientRef,
        notice: Notice,
        check: C,
        record: R,
    ) -> Result<Result<Booked, Refusal>, StoreError>
    where
        P: Serialize + DeserializeOwned + Default,
        C: Fn(&[Interval]) -> Result<(), RuleViolation>,
        R: Fn(PatternScope, &Appointment, &mut P),
    {
        let date = self.ledger_day(&appointment.interval);
        let trees = (
            &self.appointments,
            &self.days,
            &self.tokens,
            &self.clients,
            &self.client_emails,
            &self.patterns,
            &self.journal,
            &self.outbox,
            &self.invitations,
            &self.activity,
        );
        let result = trees.transaction(
            |(
                appointments,
                days,
                tokens,
                clients,
                emails,
                patterns,
                journal,
                outbox,
                invitations,
                activity,
            )| {
                let client = resolve_client(clients, emails, &client)?;
                let around = neighbourhood(date);
                let mut ledgers = Ledgers::read(days, around)?;
                if let Err(violation) = check(&ledgers.intervals(&around)) {
                    return refuse(Refusal::Rule(violation));
                }
                let mut appointment = appointment.clone();
                appointment.client_id = client.id.clone();
                ledgers
                    .day(date)
                    .add(appointment.id.clone(), appointment.interval);
                ledgers.write(days)?;
                appointments.insert(appointment.id.as_str().as_bytes(), encode(&appointment))?;
                tokens.insert(
                    &keys::token(appointment.manage_token.as_str()),
                    appointment.id.as_str().as_bytes(),
                )?;
                record_patterns(patterns, &client.id, &appointment, &record)?;
                tell(
                    (journal, outbox, invitations, activity),
                    self.pushes_to_google(),
                    &appointment,
                    AppointmentChange::Booked,
                    &notice,
                )?;
                Ok(Booked {
                    appointment,
                    client,
                })
            },
        );
        finish(result)
    }

    /// Moves a confirmed appointment to `interval` if `check` accepts it given the other
    /// confirmed appointments around the new time.
    pub fn reschedule<P, C, R>(
        &self,
        id: &AppointmentId,
        interval: Interval,
        now: DateTime<Utc>,
        notice: Notice,
        check: C,
        record: R,
    ) -> Result<Result<Appointment, Refusal>, StoreError>
    where
        P: Serialize + DeserializeOwned + Default,
        C: Fn(&[Interval]) -> Result<(), RuleViolation>,
        R: Fn(PatternScope, &Appointment, &mut P),
    {
        let new_date = self.ledger_day(&interval);
        let trees = (
            &self.appointments,
            &self.days,
            &self.patterns,
            &self.journal,
            &self.outbox,
            &self.invitations,
            &self.activity,
        );
        let result = trees.transaction(
            |(appointments, days, patterns, journal, outbox, invitations, activity)| {
                let Some(mut appointment) = read::<Appointment, Refusal>(
                    appointments,
                    keys::APPOINTMENTS,
                    id.as_str().as_bytes(),
                )?
                else {
                    return refuse(Refusal::NotFound);
                };
                if !appointment.is_confirmed() {
                    return refuse(Refusal::Cancelled);
                }
                let old_date = self.ledger_day(&appointment.interval);
                let around = neighbourhood(new_date);
                let mut ledgers = Ledgers::read(days, around.into_iter().chain([old_date]))?;
                ledgers.day(old_date).remove(id);
                if let Err(violation) = check(&ledgers.intervals(&around)) {
                    return refuse(Refusal::Rule(violation));
                }
                let from = appointment.interval;
                if appointment.reschedule(interval, now).is_err() {
                    return refuse(Refusal::Cancelled);
                }
                ledgers.day(new_date).add(id.clone(), interval);
                ledgers.write(days)?;
                appointments.insert(id.as_str().as_bytes(), encode(&appointment))?;
                record_patterns(patterns, &appointment.client_id, &appointment, &record)?;
                tell(
                    (journal, outbox, invitations, activity),
                    self.pushes_to_google(),
                    &appointment,
                    AppointmentChange::Rescheduled { from },
                    &notice,
                )?;
                Ok(appointment)
            },
        );
        finish(result)
    }

    /// Cancels an appointment and frees its time. `None` when there is no such
    /// appointment; cancelling a cancelled one returns it unchanged.
    pub fn cancel(
        &self,
        id: &AppointmentId,
        now: DateTime<Utc>,
        notice: Notice,
    ) -> Result<Option<Appointment>, StoreError> {
        let trees = (
            &self.appointments,
            &self.days,
            &self.journal,
            &self.outbox,
            &self.invitations,
            &self.activity,
        );
        let result = trees.transaction(
            |(appointments, days, journal, outbox, invitations, activity)| {
                let Some(mut appointment) = read::<Appointment, Refusal>(
                    appointments,
                    keys::APPOINTMENTS,
                    id.as_str().as_bytes(),
                )?
                else {
                    return refuse(Refusal::NotFound);
                };
                if appointment.is_confirmed() {
                    let date = self.ledger_day(&appointment.interval);
                    let mut ledgers = Ledgers::read(days, [date])?;
                    ledgers.day(date).remove(id);
                    ledgers.write(days)?;
                    appointment.cancel(now);
                    appointments.insert(id.as_str().as_bytes(), encode(&appointment))?;
                    tell(
                        (journal, outbox, invitations, activity),
                        self.pushes_to_google(),
                        &appointment,
                        AppointmentChange::Cancelled,
                        &notice,
                    )?;
                }
                Ok(appointment)
            },
        );
        match finish(result)? {
            Ok(appointment) => Ok(Some(appointment)),
            Err(_) => Ok(None),
        }
    }
}

/// Who is told of a change to an appointment, and how.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The client, by Kairos's own mail (with its own invitation or cancellation).
    Client,
    /// The client, as [`Notice::Client`], answering a negotiation: its record (the key
    /// is the negotiation's, not an event UID) is written with the change.
    ClientAnswering(InvitationRecord),
    /// The organizer of the invitation the appointment answers: the invitation's new
    /// record and, when one is owed, the answer to send them.
    Invitation(InvitationRecord, Option<Box<InvitationAnswer>>),
}

/// The trees every change to an appointment writes besides the appointment itself.
type Told<'a> = (
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
    &'a TransactionalTree,
);

/// Journals `change` of `appointment` in the bookings calendar, logs it for the
/// dashboard and queues what `notice` says is owed.
fn tell(
    (journal, outbox, invitations, log): Told<'_>,
    google: bool,
    appointment: &Appointment,
    change: AppointmentChange,
    notice: &Notice,
) -> TxResult<()> {
    let happened = match &change {
        AppointmentChange::Booked => Activity::Booked {
            appointment: appointment.id.clone(),
            client: appointment.client_id.clone(),
            channel: appointment.channel,
            start: appointment.interval.start,
            asked_at: appointment.asked_at,
        },
        AppointmentChange::Rescheduled { .. } => Activity::Moved {
            appointment: appointment.id.clone(),
        },
        AppointmentChange::Cancelled => Activity::Cancelled {
            appointment: appointment.id.clone(),
        },
    };
    activity::log(log, appointment.updated_at, happened)?;
    if google {
        // Queued before the client's mail, so the mail can carry the Meet link.
        let intent = Intent::MirrorToGoogle {
            appointment: appointment.id.clone(),
        };
        outbox::enqueue(outbox, intent, appointment.updated_at)?;
    }
    match notice {
        Notice::Client => announce(journal, outbox, appointment, change),
        Notice::ClientAnswering(record) => {
            invitations::file(invitations, record)?;
            announce(journal, outbox, appointment, change)
        }
        Notice::Invitation(invitation, answer) => {
            journal_booking(journal, appointment, change == AppointmentChange::Cancelled)?;
            invitations::file(invitations, invitation)?;
            if let Some(answer) = answer {
                let intent = Intent::AnswerInvitation(answer.clone());
                outbox::enqueue(outbox, intent, appointment.updated_at)?;
            }
            Ok(())
        }
    }
}

/// Journals the change in the bookings calendar and queues the client's notification.
fn announce(
    journal: &TransactionalTree,
    outbox: &TransactionalTree,
    appointment: &Appointment,
    change: AppointmentChange,
) -> TxResult<()> {
    journal_booking(journal, appointment, change == AppointmentChange::Cancelled)?;
    let intent = Intent::NotifyClient {
        appointment: appointment.id.clone(),
        change,
    };
    outbox::enqueue(outbox, intent, appointment.updated_at)?;
    Ok(())
}

/// Journals a change of the appointment's resource in the bookings calendar.
pub(super) fn journal_booking(
    journal: &TransactionalTree,
    appointment: &Appointment,
    deleted: bool,
) -> TxResult<()> {
    let resource = calendar::booking_resource(&appointment.id);
    journal::record(journal, calendar::BOOKINGS, &resource, deleted)?;
    Ok(())
}

fn resolve_client(
    clients: &TransactionalTree,
    emails: &TransactionalTree,
    client: &ClientRef,
) -> TxResult<Client> {
    match client {
        ClientRef::Known(id) => {
            match read::<Client, Refusal>(clients, keys::CLIENTS, id.as_str().as_bytes())? {
                Some(client) => Ok(client),
                None => refuse(Refusal::UnknownClient),
            }
        }
        ClientRef::ByEmail {
            new_id,
            name,
            email,
        } => {
            let key = email.lookup_key();
            let existing = match emails.get(key.as_bytes())? {
                Some(id) => read::<Client, Refusal>(clients, keys::CLIENTS, &id)?,
                None => None,
            };
            let client = match existing {
                Some(mut client) => {
                    client.name.clone_from(name);
                    client
                }
                None => {
                    emails.insert(key.as_bytes(), new_id.as_str().as_bytes())?;
                    Client {
                        id: new_id.clone(),
                        name: name.clone(),
                        email: email.clone(),
                        preferences: Preferences::default(),
                    }
                }
            };
            clients.insert(client.id.as_str().as_bytes(), encode(&client))?;
            Ok(client)
        }
    }
}
