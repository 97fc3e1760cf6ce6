//! The outbox as the delivery job sees it: which entries are due, the message that
//! carries each one out, and recording how an attempt ended.

use crate::google::model::{self as google_model, GoogleWrite};
use crate::mail::Message;
use chrono::{DateTime, Utc};

use super::{Scheduler, ServiceError};
use crate::domain::{
    Appointment, AppointmentChange, AppointmentId, Attempt, Channel, Client, Intent,
    InvitationAnswer, OutboxEntry,
};
use crate::ical::CalendarObject;
use crate::ical::write::{self, AppointmentEvent, EventStatus, Method, PartStat, Participant};
use crate::mail::compose::{self, AppointmentNotice, ComposeError, Letterhead};

/// What an outbox entry comes to.
pub enum Prepared {
    /// A message to send.
    Mail(Box<Message>),
    /// A write to the host's Google calendar, for `appointment`.
    Google {
        /// The appointment it mirrors.
        appointment: AppointmentId,
        /// What to write.
        write: GoogleWrite,
    },
    /// Nothing can ever carry it out (what it is about is gone); the reason.
    Impossible(String),
}

impl Scheduler {
    /// Up to `limit` entries due now, from id `from` on, and where the next look can
    /// start.
    pub fn due_outbox(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<(Vec<OutboxEntry>, u64), ServiceError> {
        Ok(self.store.due_outbox(from, self.clock.now(), limit)?)
    }

    /// The message that carries out `entry`. Its Message-ID is derived from the entry's
    /// id, so a message sent again after a crash is recognisably the same one.
    pub fn prepare(&self, entry: &OutboxEntry) -> Result<Prepared, ServiceError> {
        match &entry.intent {
            Intent::MirrorToGoogle { appointment } => self.prepare_google(appointment),
            Intent::NotifyClient {
                appointment,
                change,
            } => self.prepare_notice(entry, appointment, change, None),
            Intent::Remind {
                appointment,
                minutes_before,
            } => self.prepare_notice(
                entry,
                appointment,
                &AppointmentChange::Booked,
                Some(*minutes_before),
            ),
            Intent::FollowUp { appointment } => self.prepare_follow_up(entry, appointment),
            Intent::Agenda { date } => self.prepare_agenda(entry, *date),
            Intent::Clarify { offer, in_reply_to } => {
                let Some(Intent::AnswerInvitation(answer)) =
                    self.store.outbox_entry(*offer)?.map(|entry| entry.intent)
                else {
                    return Ok(Prepared::Impossible(format!("offer {offer} is gone")));
                };
                let booking_url = format!("{}/", self.public_url);
                let address = self.offer_address(*offer)?;
                let page = self.offer_url(*offer)?;
                let message = compose::clarify(
                    &self.letterhead(&booking_url),
                    &answer,
                    compose::OfferRoutes {
                        reply_to: address.as_ref(),
                        page: Some(&page),
                    },
                    in_reply_to.as_deref(),
                    &self.message_id(entry.id),
                    self.clock.now(),
                );
                Ok(mailed(message))
            }
            Intent::Farewell(farewell) => {
                let booking_url = format!("{}/", self.public_url);
                let message = compose::farewell(
                    &self.letterhead(&booking_url),
                    farewell,
                    &self.message_id(entry.id),
                    self.clock.now(),
                );
                Ok(mailed(message))
            }
            Intent::AnswerInvitation(answer) => {
                let manage_url = match &answer.appointment {
                    Some(id) => self
                        .store
                        .appointment(id)?
                        .map(|appointment| self.manage_url(&appointment)),
                    None => None,
                };
                let booking_url = format!("{}/", self.public_url);
                // An offer of other times gets an address of its own for answers in
                // words, so a reply finds it even without In-Reply-To, and a page for
                // answers by one click.
                let offers = !answer.alternatives.is_empty();
                let offer_address = if offers {
                    self.offer_address(entry.id)?
                } else {
                    None
                };
                let page = if offers {
                    Some(self.offer_url(entry.id)?)
                } else {
                    None
                };
                let message = compose::invitation_answer(
                    &self.letterhead(&booking_url),
                    answer,
                    manage_url.as_deref(),
                    compose::OfferRoutes {
                        reply_to: offer_address.as_ref(),
                        page: page.as_deref(),
                    },
                    &self.message_id(entry.id),
                    self.clock.now(),
                );
                Ok(mailed(message))
            }
        }
    }

    /// The client's mail about `id`: the change (or, with `reminder`, a reminder that
    /// many minutes before), with the event for their calendar.
    fn prepare_notice(
        &self,
        entry: &OutboxEntry,
        appointment: &AppointmentId,
        change: &AppointmentChange,
        reminder: Option<u32>,
    ) -> Result<Prepared, ServiceError> {
        let Some(appointment) = self.store.appointment(appointment)? else {
            return Ok(Prepared::Impossible(format!(
                "appointment {appointment} no longer exists"
            )));
        };
        let Some(client) = self.store.client(&appointment.client_id)? else {
            return Ok(Prepared::Impossible(format!(
                "the client of appointment {} no longer exists",
                appointment.id
            )));
        };
        if reminder.is_some()
            && (!appointment.is_confirmed() || appointment.interval.start <= self.clock.now())
        {
            return Ok(Prepared::Impossible(format!(
                "appointment {} is cancelled or past: no reminder",
                appointment.id
            )));
        }
        // An appointment that accepted the client's own invitation is their
        // event: the change is said on it, not on an event of Kairos's; their
        // calendar reminds them of it.
        let their_event = self.store.invitation_of(&appointment.id)?;
        if reminder.is_some() && their_event.is_some() {
            return Ok(Prepared::Impossible(
                "the client's own calendar holds the event and reminds them".into(),
            ));
        }
        if let Some(record) = their_event
            && let Some(text) = &record.invitation
        {
            return Ok(self.on_their_event(entry, &appointment, &client, change, text));
        }
        let (method, status) = if appointment.is_confirmed() {
            (Method::Request, EventStatus::Confirmed)
        } else {
            (Method::Cancel, EventStatus::Cancelled)
        };
        let purpose = appointment.purpose.as_str();
        let calendar = write::appointment_message(
            &AppointmentEvent {
                meeting_url: appointment.meeting_url.as_deref(),
                uid: appointment.id.as_str(),
                sequence: appointment.sequence,
                dtstamp: entry.created_at,
                interval: appointment.interval,
                summary: &appointment.title,
                description: (!purpose.is_empty()).then_some(purpose),
                // Replies from the client's calendar go to the organizer: the
                // booking address, which Kairos reads.
                organizer: Participant {
                    email: &self.host.booking_address,
                    name: Some(&self.host.name),
                },
                attendee: Participant {
                    email: &client.email,
                    name: Some(&client.name),
                },
                attendee_status: PartStat::Accepted,
                status,
            },
            method,
        );
        let booking_url = format!("{}/", self.public_url);
        let manage_url = self.manage_url(&appointment);
        let message = compose::appointment_notice(
            &self.letterhead(&booking_url),
            &AppointmentNotice {
                reminder,
                meeting_url: appointment.meeting_url.as_deref(),
                change,
                client_name: &client.name,
                client_email: &client.email,
                title: &appointment.title,
                purpose,
                interval: appointment.interval,
                zone: appointment.client_zone,
                manage_url: &manage_url,
                calendar: &calendar,
                method,
                replaces_their_invitation: appointment.channel == Channel::Invitation,
            },
            &self.message_id(entry.id),
            self.clock.now(),
        );
        Ok(mailed(message))
    }

    /// The Google write that mirrors `id` as it is now: its event written or brought
    /// up to date while it is confirmed, removed once it is cancelled. Carried out
    /// late or twice, it still leaves one event, as the appointment is now.
    fn prepare_google(&self, id: &AppointmentId) -> Result<Prepared, ServiceError> {
        let Some(appointment) = self.store.appointment(id)? else {
            return Ok(Prepared::Impossible(format!("appointment {id} is gone")));
        };
        let known_id = appointment.google_event_id.clone();
        let write = if appointment.is_confirmed() {
            let Some(client) = self.store.client(&appointment.client_id)? else {
                return Ok(Prepared::Impossible(format!(
                    "the client of appointment {id} is gone"
                )));
            };
            GoogleWrite::Upsert {
                event: Box::new(google_model::event_of(
                    &appointment,
                    &client,
                    self.host.zone,
                )),
                known_id,
            }
        } else {
            GoogleWrite::Remove {
                ical_uid: id.as_str().to_string(),
                known_id,
            }
        };
        Ok(Prepared::Google {
            appointment: id.clone(),
            write,
        })
    }

    /// Records what Google holds for appointment `id` after a write: its event id and
    /// Meet link.
    pub async fn google_written(
        &self,
        id: &AppointmentId,
        event: &google_calendar3::api::Event,
    ) -> Result<(), ServiceError> {
        let Some(event_id) = event.id.as_deref() else {
            return Ok(());
        };
        let link = google_model::meeting_url(event);
        self.store
            .record_google_event(id, event_id, link.as_deref(), self.clock.now())
            .await?;
        Ok(())
    }

    /// The host's change to an appointment that accepted the client's invitation
    /// `invitation`, said on the client's event: a move is a COUNTER proposing the new
    /// time, a cancellation a REPLY DECLINED.
    fn on_their_event(
        &self,
        entry: &OutboxEntry,
        appointment: &Appointment,
        client: &Client,
        change: &AppointmentChange,
        invitation: &str,
    ) -> Prepared {
        let object = match CalendarObject::parse(invitation) {
            Ok(object) => object,
            Err(error) => return Prepared::Impossible(format!("the stored invitation: {error}")),
        };
        let us = Participant {
            email: &self.host.booking_address,
            name: Some(&self.host.name),
        };
        let now = self.clock.now();
        let booking_url = format!("{}/", self.public_url);
        let letterhead = self.letterhead(&booking_url);
        let message = match change {
            AppointmentChange::Cancelled => {
                let answer = InvitationAnswer {
                    to: client.email.clone(),
                    to_name: Some(client.name.clone()),
                    summary: object.summary().unwrap_or("").trim().to_string(),
                    in_reply_to: None,
                    calendar: write::reply(&object, &us, PartStat::Declined, now),
                    appointment: None,
                    asked: Some(appointment.interval),
                    declined_because: Some(format!("{} had to cancel", self.host.name)),
                    alternatives: Vec::new(),
                    zone: appointment.client_zone,
                    held_until: None,
                    held_for: None,
                    series_meetings: None,
                    within: None,
                };
                compose::invitation_answer(
                    &letterhead,
                    &answer,
                    None,
                    compose::OfferRoutes::default(),
                    &self.message_id(entry.id),
                    now,
                )
            }
            AppointmentChange::Rescheduled { .. } | AppointmentChange::Booked => {
                let calendar = write::counter(&object, &us, appointment.interval, now);
                let manage_url = self.manage_url(appointment);
                compose::appointment_notice(
                    &letterhead,
                    &AppointmentNotice {
                        reminder: None,
                        meeting_url: appointment.meeting_url.as_deref(),
                        change,
                        client_name: &client.name,
                        client_email: &client.email,
                        title: &appointment.title,
                        purpose: &appointment.purpose,
                        interval: appointment.interval,
                        zone: appointment.client_zone,
                        manage_url: &manage_url,
                        calendar: &calendar,
                        method: Method::Counter,
                        replaces_their_invitation: false,
                    },
                    &self.message_id(entry.id),
                    now,
                )
            }
        };
        mailed(message)
    }

    /// Records how an attempt at entry `id` ended; false when it was already settled.
    pub async fn settle(&self, id: u64, attempt: Attempt) -> Result<bool, ServiceError> {
        Ok(self.store.settle_outbox(id, attempt).await?)
    }

    /// As [`Scheduler::settle`], without waiting for the disk: the caller flushes once
    /// after a batch ([`Scheduler::flush`]).
    pub fn record_attempt(&self, id: u64, attempt: Attempt) -> Result<bool, ServiceError> {
        Ok(self.store.record_attempt(id, attempt)?)
    }

    /// The time now, as the job should see it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Who Kairos's mail comes from; `booking_url` is the booking page.
    pub(super) fn letterhead<'a>(&'a self, booking_url: &'a str) -> Letterhead<'a> {
        Letterhead {
            host_name: &self.host.name,
            booking_address: &self.host.booking_address,
            booking_url,
        }
    }

    /// The page of the offer sent as outbox entry `outbox_id`: its times, one click each.
    pub fn offer_url(&self, outbox_id: u64) -> Result<String, ServiceError> {
        Ok(format!(
            "{}/offers/{}",
            self.public_url,
            self.offer_token(outbox_id)?
        ))
    }

    /// `<outbox-ID.HOST@DOMAIN>`, DOMAIN being the booking address's.
    pub fn message_id(&self, outbox_id: u64) -> String {
        format!("<outbox-{outbox_id}{}", self.message_id_tail())
    }

    /// The outbox id of one of Kairos's own Message-IDs; `None` for anyone else's.
    pub(super) fn outbox_id(&self, message_id: &str) -> Option<u64> {
        message_id
            .strip_prefix("<outbox-")?
            .strip_suffix(&self.message_id_tail())?
            .parse()
            .ok()
    }

    /// `.HOST@DOMAIN>`: what follows the outbox id in Kairos's Message-IDs.
    fn message_id_tail(&self) -> String {
        let address = self.host.booking_address.as_str();
        let domain = address
            .rsplit_once('@')
            .map_or(address, |(_, domain)| domain);
        format!(".{}@{domain}>", self.host.id)
    }
}

/// A composed message as the delivery job takes it; one that could not be composed
/// never will be.
pub(super) fn mailed(message: Result<Message, ComposeError>) -> Prepared {
    match message {
        Ok(message) => Prepared::Mail(Box::new(message)),
        Err(error) => Prepared::Impossible(error.to_string()),
    }
}
