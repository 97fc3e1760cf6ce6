//! Mail to the booking address: an invitation is accepted when its time is free and
//! within the rules — the appointment booked and a REPLY ACCEPTED queued in one
//! transaction — and declined otherwise, with a REPLY DECLINED and the best times near
//! the one asked for. Each invitation (UID and SEQUENCE) is answered once.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::{BookingRequest, BusyError, BusySource, Scheduler, ServiceError, Who};
use crate::config::MailConfig;
use crate::domain::{
    Appointment, AppointmentId, Channel, Clock, EmailAddress, Farewell, Intent, Interval,
    InvitationAnswer, InvitationRecord, OfferedTime,
};
use crate::ical::CalendarObject;
use crate::ical::write::{self, PartStat, Participant};
use crate::itip::{self, Asked, Envelope, Invitation};
use crate::mail::imip::{self, Authentication, Extracted};
use crate::nlp::{self, Choice};
use crate::slots::Slot;
use crate::store::{Hold, InboundRecord, Notice, Store};

/// How many alternatives a declined invitation offers.
const ALTERNATIVES: usize = 3;

/// What a message to the booking address came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Handled: what was done.
    Handled(MailOutcome),
    /// Not processable (no calendar object, invalid iCalendar): why. The message is
    /// set aside for a person to look at.
    Unprocessable(String),
}

/// What was done about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    /// The invitation was accepted: this appointment.
    Accepted(String),
    /// The organizer called it off, or the client declined Kairos's invitation: this
    /// appointment is cancelled.
    Cancelled(String),
    /// The invitation was declined; alternatives offered.
    Declined {
        /// Why.
        reason: String,
        /// How many times were offered instead.
        alternatives: usize,
    },
    /// This invitation (UID and SEQUENCE) was answered before.
    AlreadyAnswered(String),
    /// Nothing to act on: why.
    Ignored(String),
}

impl fmt::Display for MailOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted(id) => write!(f, "accepted: appointment {id}"),
            Self::Declined {
                reason,
                alternatives,
            } => write!(
                f,
                "declined ({reason}); {alternatives} alternatives offered"
            ),
            Self::Cancelled(id) => write!(f, "cancelled: appointment {id}"),
            Self::AlreadyAnswered(uid) => write!(f, "already answered: {uid}"),
            Self::Ignored(why) => write!(f, "ignored: {why}"),
        }
    }
}

impl Scheduler {
    /// Acts on one message sent to the booking address.
    pub async fn receive_mail(&self, raw: &[u8]) -> Result<Received, ServiceError> {
        let mail = match imip::extract(raw) {
            Ok(mail) => mail,
            Err(error) => return Ok(Received::Unprocessable(error.to_string())),
        };
        if let Some(why) = self.refuse_sender(&mail) {
            return Ok(handled(MailOutcome::Ignored(why)));
        }
        let Some(calendar) = mail.calendar.as_deref() else {
            return self.plain_reply(&mail).await;
        };
        let object = match CalendarObject::parse(calendar) {
            Ok(object) => object,
            Err(error) => {
                return Ok(Received::Unprocessable(format!(
                    "invalid iCalendar: {error}"
                )));
            }
        };
        let envelope = Envelope {
            from: &mail.from,
            sender: mail.sender.as_ref(),
        };
        let asked = itip::read(
            &object,
            mail.mime_method.as_deref(),
            &envelope,
            &self.host.booking_address,
        );
        match asked {
            Err(refusal) => Ok(handled(MailOutcome::Ignored(refusal.to_string()))),
            Ok(Asked::Unsupported(method)) => Ok(handled(MailOutcome::Ignored(format!(
                "{method:?} messages are not acted on yet"
            )))),
            Ok(Asked::Invitation(invitation)) => self
                .answer_invitation(&object, &invitation, &mail)
                .await
                .map(handled),
            Ok(Asked::Cancellation { uid, sequence }) => {
                self.invitation_cancelled(&uid, sequence).await.map(handled)
            }
            Ok(Asked::Answer {
                uid,
                attendee,
                partstat,
            }) => self
                .client_answered(&uid, &attendee, &partstat)
                .await
                .map(handled),
        }
    }

    async fn answer_invitation(
        &self,
        object: &CalendarObject,
        invitation: &Invitation,
        mail: &Extracted,
    ) -> Result<MailOutcome, ServiceError> {
        let earlier = self.store.invitation(&invitation.uid)?;
        if earlier
            .as_ref()
            .is_some_and(|record| record.sequence >= invitation.sequence)
        {
            // The same invitation again, or an older version of it.
            return Ok(MailOutcome::AlreadyAnswered(invitation.uid.clone()));
        }
        let now = self.clock.now();
        let everywhere = Interval {
            start: now - Duration::days(366),
            end: now + Duration::days(5 * 366),
        };
        let Some(first) = object
            .occurrences(everywhere, self.host.zone)
            .first()
            .copied()
        else {
            return Ok(MailOutcome::Ignored(
                "the invitation has no time that takes time".into(),
            ));
        };
        let asking = Asking {
            object,
            invitation,
            mail,
            asked: first.interval,
        };
        let booked_before = match earlier.and_then(|record| record.appointment) {
            Some(id) => self
                .store
                .appointment(&id)?
                .filter(Appointment::is_confirmed),
            None => None,
        };
        if let Some(appointment) = booked_before {
            return self.answer_update(&asking, appointment).await;
        }
        if invitation.recurring {
            let reason = "a series of meetings cannot be booked by invitation yet";
            return self.decline(&asking, reason.into(), Vec::new()).await;
        }
        // The organizer may be taking the time proposed to them: it is theirs to take.
        self.store.release_hold(&invitation.uid)?;
        let request = by_invitation(
            &invitation.organizer,
            invitation.organizer_name.as_deref(),
            asking.asked,
            &invitation.summary,
            self.host.zone,
        );
        let booked = self
            .book_telling(request, |appointment| {
                notice(self.accepting(&asking, appointment))
            })
            .await;
        match booked {
            Ok(booking) => Ok(MailOutcome::Accepted(booking.appointment.id.to_string())),
            Err(ServiceError::SlotUnavailable {
                violation,
                alternatives,
            }) => {
                let reason = violation.message().to_string();
                self.decline(&asking, reason, alternatives).await
            }
            Err(ServiceError::Invalid { message, .. }) => {
                self.decline(&asking, message, Vec::new()).await
            }
            Err(other) => Err(other),
        }
    }

    /// A new version of an invitation accepted before: the same time is accepted
    /// again; a new time is a move, accepted when free and otherwise declined, which
    /// cancels the appointment.
    async fn answer_update(
        &self,
        asking: &Asking<'_>,
        appointment: Appointment,
    ) -> Result<MailOutcome, ServiceError> {
        let id = appointment.id.to_string();
        let asked = asking.asked;
        if appointment.interval == asked {
            let (record, answer) = self.accepting(asking, &appointment);
            let now = self.clock.now();
            self.store
                .answer_invitation(
                    &record,
                    &[Intent::AnswerInvitation(Box::new(answer))],
                    None,
                    now,
                )
                .await?;
            return Ok(MailOutcome::Accepted(id));
        }
        let (reason, alternatives) = if asked.duration() == appointment.interval.duration() {
            let moved = self
                .reschedule_telling(appointment.clone(), asked.start, |moved| {
                    notice(self.accepting(asking, moved))
                })
                .await;
            match moved {
                Ok(_) => return Ok(MailOutcome::Accepted(id)),
                Err(ServiceError::SlotUnavailable {
                    violation,
                    alternatives,
                }) => (violation.message().to_string(), alternatives),
                Err(other) => return Err(other),
            }
        } else {
            let reason =
                "a change of length cannot be accepted by mail; please send a new invitation";
            (reason.to_string(), Vec::new())
        };
        let declined = self.declining(asking, reason.clone(), alternatives);
        let offered = declined.1.alternatives.len();
        self.cancel_telling(&appointment.id, notice(declined))
            .await?;
        Ok(MailOutcome::Declined {
            reason,
            alternatives: offered,
        })
    }

    /// The organizer called off an invitation accepted before: its appointment is
    /// cancelled (the organizer needs no answer).
    async fn invitation_cancelled(
        &self,
        uid: &str,
        sequence: u32,
    ) -> Result<MailOutcome, ServiceError> {
        let Some(record) = self.store.invitation(uid)? else {
            return Ok(MailOutcome::Ignored(format!(
                "a cancellation of {uid}, which was never booked"
            )));
        };
        let Some(id) = record.appointment.clone() else {
            return Ok(MailOutcome::Ignored(format!(
                "a cancellation of {uid}, which was declined"
            )));
        };
        let updated = InvitationRecord {
            sequence: sequence.max(record.sequence),
            answered_at: self.clock.now(),
            ..record
        };
        self.cancel_telling(&id, Notice::Invitation(updated, None))
            .await?;
        Ok(MailOutcome::Cancelled(id.to_string()))
    }

    /// A client's answer to Kairos's own invitation (the UID is the appointment's id):
    /// declining it cancels the appointment, and the client is told; other answers
    /// change nothing.
    async fn client_answered(
        &self,
        uid: &str,
        attendee: &EmailAddress,
        partstat: &str,
    ) -> Result<MailOutcome, ServiceError> {
        let id = AppointmentId::from_string(uid);
        let Some(appointment) = self.store.appointment(&id)? else {
            return Ok(MailOutcome::Ignored(format!(
                "an answer about {uid}, which Kairos did not send"
            )));
        };
        let client = self.store.client(&appointment.client_id)?;
        if !client.is_some_and(|client| {
            client
                .email
                .as_str()
                .eq_ignore_ascii_case(attendee.as_str())
        }) {
            return Ok(MailOutcome::Ignored(format!(
                "{attendee} answered for appointment {id}, which is not theirs"
            )));
        }
        if partstat != "DECLINED" {
            return Ok(MailOutcome::Ignored(format!(
                "{attendee} answered {partstat}; nothing to change"
            )));
        }
        if !appointment.is_confirmed() {
            return Ok(MailOutcome::Ignored(format!(
                "appointment {id} was already cancelled"
            )));
        }
        self.cancel_telling(&id, Notice::Client).await?;
        Ok(MailOutcome::Cancelled(id.to_string()))
    }

    /// A reply in plain words to Kairos's mail offering other times: the chosen time
    /// is booked (with Kairos as organizer: the client gets its invitation), a refusal
    /// of them all is closed politely, and what cannot be read is set aside for the host.
    async fn plain_reply(&self, mail: &Extracted) -> Result<Received, ServiceError> {
        let Some((id, answer)) = self.offer_answered(mail)? else {
            return Ok(Received::Unprocessable(
                "the message carries no calendar object and answers no offer Kairos made".into(),
            ));
        };
        if !answer.to.as_str().eq_ignore_ascii_case(mail.from.as_str()) {
            return Ok(handled(MailOutcome::Ignored(format!(
                "{} answered an offer made to {}",
                mail.from, answer.to
            ))));
        }
        let key = format!("offer:{}", self.message_id(id));
        if self.store.invitation(&key)?.is_some() {
            return Ok(handled(MailOutcome::AlreadyAnswered(key)));
        }
        let words = nlp::own_words(&mail.text);
        let now = self.clock.now();
        let record = InvitationRecord {
            uid: key,
            sequence: 0,
            appointment: None,
            answered_at: now,
            invitation: None,
        };
        let outcome = match nlp::choice(&words, answer.alternatives.len()) {
            Choice::Option(position) => {
                let offered = answer.alternatives[position - 1].clone();
                self.book_offer(mail, &answer, &offered, record).await?
            }
            Choice::NoneOfThem => {
                let farewell = Farewell {
                    to: answer.to.clone(),
                    to_name: answer.to_name.clone(),
                    summary: answer.summary.clone(),
                    in_reply_to: mail.message_id.clone(),
                };
                let intent = Intent::Farewell(Box::new(farewell));
                self.store
                    .answer_invitation(&record, &[intent], None, now)
                    .await?;
                MailOutcome::Ignored("every time offered was turned down; closed politely".into())
            }
            Choice::Unclear => {
                return Ok(Received::Unprocessable(format!(
                    "a reply Kairos could not read: {words:?}"
                )));
            }
        };
        Ok(handled(outcome))
    }

    /// The offer (an answer declining an invitation, with times) that `mail` replies
    /// to, with its outbox id.
    fn offer_answered(
        &self,
        mail: &Extracted,
    ) -> Result<Option<(u64, InvitationAnswer)>, ServiceError> {
        for id in mail.answers.iter().filter_map(|id| self.outbox_id(id)) {
            if let Some(entry) = self.store.outbox_entry(id)?
                && let Intent::AnswerInvitation(answer) = entry.intent
                && !answer.alternatives.is_empty()
            {
                return Ok(Some((id, *answer)));
            }
        }
        Ok(None)
    }

    /// The outbox id of one of Kairos's own Message-IDs.
    fn outbox_id(&self, message_id: &str) -> Option<u64> {
        let mine = self.message_id(0);
        let suffix = mine.strip_prefix("<outbox-0")?;
        message_id
            .strip_prefix("<outbox-")?
            .strip_suffix(suffix)?
            .parse()
            .ok()
    }

    /// Books the time `offered` in `answer` that the client chose; when it was taken
    /// meanwhile, offers new times.
    async fn book_offer(
        &self,
        mail: &Extracted,
        answer: &InvitationAnswer,
        offered: &OfferedTime,
        record: InvitationRecord,
    ) -> Result<MailOutcome, ServiceError> {
        if let Some(uid) = &answer.held_for {
            self.store.release_hold(uid)?;
        }
        let request = by_invitation(
            &answer.to,
            answer.to_name.as_deref(),
            offered.interval,
            &answer.summary,
            answer.zone,
        );
        let booked = self
            .book_telling(request, |appointment| {
                Notice::ClientAnswering(InvitationRecord {
                    appointment: Some(appointment.id.clone()),
                    ..record.clone()
                })
            })
            .await;
        let (reason, alternatives) = match booked {
            Ok(booking) => return Ok(MailOutcome::Accepted(booking.appointment.id.to_string())),
            Err(ServiceError::SlotUnavailable {
                violation,
                alternatives,
            }) => (violation.message().to_string(), alternatives),
            Err(ServiceError::Invalid { message, .. }) => (message, Vec::new()),
            Err(other) => return Err(other),
        };
        // Taken meanwhile: the same answer again, with fresh times.
        let renewed = InvitationAnswer {
            in_reply_to: mail.message_id.clone(),
            asked: Some(offered.interval),
            declined_because: Some(reason.clone()),
            alternatives: best_of(alternatives),
            ..answer.clone()
        };
        let offered_now = renewed.alternatives.len();
        let intent = Intent::AnswerInvitation(Box::new(renewed));
        self.store
            .answer_invitation(&record, &[intent], None, self.clock.now())
            .await?;
        Ok(MailOutcome::Declined {
            reason,
            alternatives: offered_now,
        })
    }

    /// Declines the invitation: its record and REPLY DECLINED, with `alternatives`;
    /// and, to a calendar that understands one, a COUNTER proposing the best of them,
    /// which is held for the organizer meanwhile.
    async fn decline(
        &self,
        asking: &Asking<'_>,
        reason: String,
        alternatives: Vec<Slot>,
    ) -> Result<MailOutcome, ServiceError> {
        let now = self.clock.now();
        let (record, mut answer) = self.declining(asking, reason.clone(), alternatives);
        let offered = answer.alternatives.len();
        let proposal = answer.alternatives.first().cloned().filter(|_| {
            itip::counter_allowed(asking.object) && self.inbound.counter_hold > Duration::zero()
        });
        let mut answers = Vec::new();
        let hold = proposal.map(|best| {
            let until = now + self.inbound.counter_hold;
            answer.held_for = Some(asking.invitation.uid.clone());
            let us = Participant {
                email: &self.host.booking_address,
                name: Some(&self.host.name),
            };
            let counter = InvitationAnswer {
                calendar: write::counter(asking.object, &us, best.interval, now),
                alternatives: vec![best.clone()],
                declined_because: None,
                held_until: Some(until),
                ..answer.clone()
            };
            answers.push(Intent::AnswerInvitation(Box::new(counter)));
            Hold {
                interval: best.interval,
                until,
            }
        });
        answers.insert(0, Intent::AnswerInvitation(Box::new(answer)));
        self.store
            .answer_invitation(&record, &answers, hold.as_ref(), now)
            .await?;
        Ok(MailOutcome::Declined {
            reason,
            alternatives: offered,
        })
    }

    /// What accepting the invitation as `appointment` records and answers.
    fn accepting(
        &self,
        asking: &Asking<'_>,
        appointment: &Appointment,
    ) -> (InvitationRecord, InvitationAnswer) {
        let record = self.answered(asking, Some(appointment));
        let answer = self.answer(
            asking,
            Some(appointment),
            PartStat::Accepted,
            None,
            Vec::new(),
        );
        (record, answer)
    }

    /// What declining the invitation records and answers.
    fn declining(
        &self,
        asking: &Asking<'_>,
        reason: String,
        alternatives: Vec<Slot>,
    ) -> (InvitationRecord, InvitationAnswer) {
        let record = self.answered(asking, None);
        let answer = self.answer(asking, None, PartStat::Declined, Some(reason), alternatives);
        (record, answer)
    }

    fn answered(&self, asking: &Asking<'_>, appointment: Option<&Appointment>) -> InvitationRecord {
        InvitationRecord {
            uid: asking.invitation.uid.clone(),
            sequence: asking.invitation.sequence,
            appointment: appointment.map(|a| a.id.clone()),
            answered_at: self.clock.now(),
            invitation: Some(asking.object.raw().to_string()),
        }
    }

    fn answer(
        &self,
        asking: &Asking<'_>,
        appointment: Option<&Appointment>,
        partstat: PartStat,
        declined_because: Option<String>,
        alternatives: Vec<Slot>,
    ) -> InvitationAnswer {
        let calendar = write::reply(
            asking.object,
            &Participant {
                email: &self.host.booking_address,
                name: Some(&self.host.name),
            },
            partstat,
            self.clock.now(),
        );
        let invitation = asking.invitation;
        InvitationAnswer {
            to: invitation.organizer.clone(),
            to_name: invitation.organizer_name.clone(),
            summary: invitation.summary.clone(),
            in_reply_to: asking.mail.message_id.clone(),
            calendar,
            appointment: appointment.map(|a| a.id.clone()),
            asked: Some(asking.asked),
            declined_because,
            alternatives: best_of(alternatives),
            zone: self.host.zone,
            held_until: None,
            held_for: None,
        }
    }
}

/// An invitation being answered: its object, what it asks, the message it came in, and
/// the time it asks for.
struct Asking<'a> {
    object: &'a CalendarObject,
    invitation: &'a Invitation,
    mail: &'a Extracted,
    asked: Interval,
}

impl Scheduler {
    /// What the message spooled as `name` came to, if it was processed.
    pub fn inbound_outcome(&self, name: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.store.inbound(name)?.map(|record| record.outcome))
    }

    /// Records what the message spooled as `name` came to.
    pub fn record_inbound(&self, name: &str, outcome: &str) -> Result<(), ServiceError> {
        let record = InboundRecord {
            at: self.clock.now(),
            outcome: outcome.to_string(),
        };
        Ok(self.store.record_inbound(name, &record)?)
    }
}

/// Who may have their mail acted on: authenticated senders, within a rate.
pub(super) struct InboundPolicy {
    require_authentication: bool,
    per_hour: usize,
    counter_hold: Duration,
    recent: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl InboundPolicy {
    pub(super) fn new(config: &MailConfig) -> Self {
        Self {
            require_authentication: config.require_authentication,
            per_hour: config.sender_limit_per_hour as usize,
            counter_hold: config.counter_hold,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a message from `sender` at `now`; false when the sender is over the rate.
    fn admit(&self, sender: &str, now: DateTime<Utc>) -> bool {
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let hour_ago = now - Duration::hours(1);
        recent.retain(|_, times| {
            while times.front().is_some_and(|at| *at <= hour_ago) {
                times.pop_front();
            }
            !times.is_empty()
        });
        let times = recent.entry(sender.to_ascii_lowercase()).or_default();
        if times.len() >= self.per_hour {
            return false;
        }
        times.push_back(now);
        true
    }
}

impl Scheduler {
    /// Why a message must not be acted on, if it must not: sent automatically, sent by
    /// Kairos itself (a loop), not vouched for by the receiving server, or one too many
    /// from its sender this hour.
    fn refuse_sender(&self, mail: &Extracted) -> Option<String> {
        if mail.automatic {
            return Some("sent automatically".into());
        }
        let mine = self.message_id(0);
        let domain = mine.rsplit_once('@').map_or("", |(_, domain)| domain);
        let ours = mail
            .message_id
            .as_deref()
            .is_some_and(|id| id.starts_with("<outbox-") && id.ends_with(&format!("@{domain}")));
        let from_us = mail
            .from
            .as_str()
            .eq_ignore_ascii_case(self.host.booking_address.as_str());
        if ours || from_us {
            return Some("sent by Kairos itself".into());
        }
        if let Authentication::Failed(results) = &mail.authentication
            && self.inbound.require_authentication
        {
            return Some(format!("the sender is not authenticated ({results})"));
        }
        if !self.inbound.admit(mail.from.as_str(), self.clock.now()) {
            return Some(format!(
                "more than {} messages from {} this hour",
                self.inbound.per_hour, mail.from
            ));
        }
        None
    }
}

/// Times held for organizers who were proposed them by COUNTER: busy for everyone
/// else until they lapse.
pub(super) struct HeldTimes {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl HeldTimes {
    pub(super) fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

impl BusySource for HeldTimes {
    fn name(&self) -> &str {
        "held for a proposal"
    }

    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError> {
        self.store
            .holds(&range, self.clock.now())
            .map_err(|error| BusyError {
                source_name: self.name().to_string(),
                message: error.to_string(),
            })
    }
}

/// The notice that records an invitation's answer and sends it.
fn notice((record, answer): (InvitationRecord, InvitationAnswer)) -> Notice {
    Notice::Invitation(record, Some(Box::new(answer)))
}

fn handled(outcome: MailOutcome) -> Received {
    Received::Handled(outcome)
}

/// The best few of `alternatives`, as an answer offers them.
fn best_of(alternatives: Vec<Slot>) -> Vec<OfferedTime> {
    alternatives
        .into_iter()
        .take(ALTERNATIVES)
        .map(|slot| OfferedTime {
            interval: slot.interval,
            reasons: slot.reasons,
        })
        .collect()
}

/// The booking that an invitation (or the answer to Kairos's offer) asks for: `who`
/// (by name, else their address's local part) at `when`, about `summary`.
fn by_invitation(
    who: &EmailAddress,
    name: Option<&str>,
    when: Interval,
    summary: &str,
    zone: Tz,
) -> BookingRequest {
    let name = name
        .filter(|name| !name.trim().is_empty())
        .map_or_else(|| local_part(who), str::to_string);
    BookingRequest {
        who: Who::Person {
            name,
            email: who.clone(),
        },
        start: when.start,
        duration_minutes: Some(when.duration().num_minutes()),
        meeting_type: None,
        purpose: summary.to_string(),
        zone,
        channel: Channel::Invitation,
    }
}

/// `ada` of `ada@example.com`: a name for someone who gave none.
fn local_part(address: &EmailAddress) -> String {
    address.as_str().split('@').next().unwrap_or("").to_string()
}
