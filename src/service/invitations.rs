//! Invitations to the booking address: one is accepted when its time is free and
//! within the rules — the appointment booked and a REPLY ACCEPTED queued in one
//! transaction — and declined otherwise, with a REPLY DECLINED and the best times near
//! the one asked for (and, to calendars that understand one, a COUNTER for the best,
//! held meanwhile). Each invitation (UID and SEQUENCE) is answered once; its updates
//! move or decline, its cancellation frees the time; a client's refusal of Kairos's own
//! invitation cancels.

use std::sync::Arc;

use chrono::Duration;
use chrono_tz::Tz;

use super::mail_in::MailOutcome;
use super::{BookingRequest, BusyError, BusySource, Scheduler, ServiceError, Who};
use crate::domain::{
    Activity, Appointment, AppointmentId, Channel, ClientAnswer, Clock, EmailAddress, Intent,
    Interval, InvitationAnswer, InvitationRecord, OfferedTime,
};
use crate::ical::CalendarObject;
use crate::ical::write::{self, PartStat, Participant};
use crate::itip::{self, Invitation};
use crate::mail::imip::Extracted;
use crate::slots::Slot;
use crate::store::{Hold, Notice, Store};

/// How many alternatives a declined invitation offers.
const ALTERNATIVES: usize = 3;

impl Scheduler {
    pub(super) async fn answer_invitation(
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
        if earlier.is_none() {
            self.note(Activity::InvitationReceived);
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
        let booked_before = match earlier.as_ref().and_then(|r| r.appointment.as_ref()) {
            Some(id) => self
                .store
                .appointment(id)?
                .filter(Appointment::is_confirmed),
            None => None,
        };
        if invitation.recurring {
            if let Some(appointment) = booked_before {
                let reason = "a single meeting cannot become a series by mail; please send \
                              a new invitation for the series";
                return self
                    .decline_update(&asking, appointment, reason.into(), Vec::new())
                    .await;
            }
            return self.answer_series(&asking, earlier.as_ref()).await;
        }
        if let Some(appointment) = booked_before {
            match self.answer_update(&asking, appointment).await {
                // Cancelled while this was decided (by the host, say): answered as a
                // new invitation, as it would have been had the cancellation come first.
                Err(ServiceError::Cancelled) => {}
                answered => return answered,
            }
        }
        // The organizer may be taking the time proposed to them: it is theirs to take.
        self.store.release_hold(&invitation.uid)?;
        let mut request = by_invitation(
            &invitation.organizer,
            invitation.organizer_name.as_deref(),
            asking.asked,
            &invitation.summary,
            self.host.zone,
        );
        // Accepted as it arrives: asked and booked in one moment.
        request.asked_at = Some(now);
        let booked = self
            .book_telling(request, |appointment| {
                notice(self.accepting(&asking, appointment))
            })
            .await;
        match booked {
            Ok(booking) => {
                self.note(Activity::InvitationAccepted);
                Ok(MailOutcome::Accepted(booking.appointment.id.to_string()))
            }
            Err(ServiceError::SlotUnavailable {
                violation,
                alternatives,
            }) => {
                if !alternatives.is_empty() {
                    self.note(Activity::AlternativesOffered);
                }
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
    /// again; a new time or length is a move, accepted when free and otherwise
    /// declined, which cancels the appointment.
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
        // A new time, a new length, or both: moved when it fits.
        let moved = self
            .move_telling(appointment.clone(), asked, |moved| {
                notice(self.accepting(asking, moved))
            })
            .await;
        let (reason, alternatives) = match moved {
            Ok(_) => return Ok(MailOutcome::Accepted(id)),
            Err(ServiceError::SlotUnavailable {
                violation,
                alternatives,
            }) => (violation.message().to_string(), alternatives),
            Err(ServiceError::Invalid { message, .. }) => (message, Vec::new()),
            Err(other) => return Err(other),
        };
        self.decline_update(asking, appointment, reason, alternatives)
            .await
    }

    /// Declines a new version of an invitation accepted before, which cancels its
    /// appointment.
    async fn decline_update(
        &self,
        asking: &Asking<'_>,
        appointment: Appointment,
        reason: String,
        alternatives: Vec<Slot>,
    ) -> Result<MailOutcome, ServiceError> {
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
    pub(super) async fn invitation_cancelled(
        &self,
        uid: &str,
        sequence: u32,
    ) -> Result<MailOutcome, ServiceError> {
        let Some(record) = self.store.invitation(uid)? else {
            return Ok(MailOutcome::Ignored(format!(
                "a cancellation of {uid}, which was never booked"
            )));
        };
        let updated = InvitationRecord {
            sequence: sequence.max(record.sequence),
            answered_at: self.clock.now(),
            series: false,
            ..record.clone()
        };
        if record.series {
            let now = self.clock.now();
            self.store
                .answer_invitation(&updated, &[], None, now)
                .await?;
            return Ok(MailOutcome::Cancelled(format!("the series {uid}")));
        }
        let Some(id) = record.appointment.clone() else {
            return Ok(MailOutcome::Ignored(format!(
                "a cancellation of {uid}, which was declined"
            )));
        };
        self.cancel_telling(&id, Notice::Invitation(updated, None))
            .await?;
        Ok(MailOutcome::Cancelled(id.to_string()))
    }

    /// A client's answer to Kairos's own invitation (the UID is the appointment's id):
    /// declining it cancels the appointment, and the client is told; accepting or
    /// accepting tentatively is recorded, for the host's calendar to show.
    pub(super) async fn client_answered(
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
        if !appointment.is_confirmed() {
            return Ok(MailOutcome::Ignored(format!(
                "appointment {id} was already cancelled"
            )));
        }
        let answer = match partstat {
            "DECLINED" => None,
            "ACCEPTED" => Some(ClientAnswer::Accepted),
            "TENTATIVE" => Some(ClientAnswer::Tentative),
            other => {
                return Ok(MailOutcome::Ignored(format!(
                    "{attendee} answered {other}; nothing to change"
                )));
            }
        };
        if let Some(answer) = answer {
            let now = self.clock.now();
            self.store.record_client_answer(&id, answer, now).await?;
            return Ok(MailOutcome::ClientAnswered {
                appointment: id.to_string(),
                answer: partstat.to_string(),
            });
        }
        self.cancel_telling(&id, Notice::Client).await?;
        Ok(MailOutcome::Cancelled(id.to_string()))
    }

    /// Declines the invitation: its record and REPLY DECLINED, with `alternatives`;
    /// and, to a calendar that understands one, a COUNTER proposing the best of them,
    /// which is held for the organizer meanwhile.
    pub(super) async fn decline(
        &self,
        asking: &Asking<'_>,
        reason: String,
        alternatives: Vec<Slot>,
    ) -> Result<MailOutcome, ServiceError> {
        let now = self.clock.now();
        let (record, mut answer) = self.declining(asking, reason.clone(), alternatives);
        let offered = answer.alternatives.len();
        let proposal = answer.alternatives.first().cloned().filter(|_| {
            itip::counter_allowed(asking.object) && self.mail.counter_hold > Duration::zero()
        });
        let mut answers = Vec::new();
        let hold = proposal.map(|best| {
            let until = now + self.mail.counter_hold;
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

    pub(super) fn answered(
        &self,
        asking: &Asking<'_>,
        appointment: Option<&Appointment>,
    ) -> InvitationRecord {
        InvitationRecord {
            uid: asking.invitation.uid.clone(),
            sequence: asking.invitation.sequence,
            appointment: appointment.map(|a| a.id.clone()),
            answered_at: self.clock.now(),
            invitation: Some(asking.object.raw().to_string()),
            series: false,
        }
    }

    pub(super) fn answer(
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
            series_meetings: None,
            within: None,
        }
    }
}

/// An invitation being answered: its object, what it asks, the message it came in, and
/// the time it asks for.
pub(super) struct Asking<'a> {
    pub(super) object: &'a CalendarObject,
    pub(super) invitation: &'a Invitation,
    pub(super) mail: &'a Extracted,
    pub(super) asked: Interval,
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

/// The best few of `alternatives`, as an answer offers them.
pub(super) fn best_of(alternatives: Vec<Slot>) -> Vec<OfferedTime> {
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
pub(super) fn by_invitation(
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
        asked_at: None,
    }
}

/// `ada` of `ada@example.com`: a name for someone who gave none.
pub(super) fn local_part(address: &EmailAddress) -> String {
    address.as_str().split('@').next().unwrap_or("").to_string()
}
