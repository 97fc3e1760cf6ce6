//! Replies in plain words to Kairos's offer of other times: the chosen time — one
//! offered, or another one stated ("can we do 10 instead?") — is booked, with Kairos
//! as organizer, or new times are offered when it is taken; a stretch named ("any
//! morning next week") gets the best times within it; a refusal of them all is closed
//! politely; what cannot be read is set aside for the host. Only the person offered
//! may answer, and once.

use super::invitations::{best_of, by_invitation};
use super::mail_in::{MailOutcome, Received, handled};
use super::stated_times::{Stretch, Wish, said};
use super::{Scheduler, ServiceError};
use crate::domain::{
    Appointment, Farewell, Intent, Interval, InvitationAnswer, InvitationRecord, OfferedTime,
};
use crate::mail::imip::Extracted;
use crate::nlp;
use crate::store::Notice;

impl Scheduler {
    /// A reply in plain words to Kairos's mail offering other times: the chosen time
    /// is booked (with Kairos as organizer: the client gets its invitation), a refusal
    /// of them all is closed politely, and what cannot be read is set aside for the host.
    pub(super) async fn plain_reply(&self, mail: &Extracted) -> Result<Received, ServiceError> {
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
        let _turn = self.offers_taken.lock().await;
        let key = self.offer_key(id);
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
            series: false,
        };
        let wish = match self.read_reply(&words, &answer) {
            Wish::Offered(position) if answer.alternatives.get(position - 1).is_none() => {
                Wish::Unclear
            }
            wish => wish,
        };
        let outcome = match wish {
            Wish::Offered(position) => {
                let offered = answer.alternatives[position - 1].clone();
                self.book_offer(mail, id, &answer, &offered, record).await?
            }
            Wish::Time(interval) => {
                let stated = OfferedTime {
                    interval,
                    reasons: Vec::new(),
                };
                self.book_offer(mail, id, &answer, &stated, record).await?
            }
            Wish::Within(stretch) => {
                let client = self.store.client_by_email(&answer.to)?;
                let found = self.best_within(&stretch, client.as_ref(), answer.zone)?;
                let within = said(&stretch, answer.zone);
                self.offer_found(mail, &answer, &stretch, within, found, record)
                    .await?
            }
            Wish::Avoiding(stretch) => {
                let client = self.store.client_by_email(&answer.to)?;
                let found = self.best_avoiding(&stretch, client.as_ref(), answer.zone)?;
                let within = format!("other than {}", said(&stretch, answer.zone));
                self.offer_found(mail, &answer, &stretch, within, found, record)
                    .await?
            }
            Wish::NoneOfThem => {
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
            Wish::Unclear => {
                // The client is asked again; the host gets the words to read.
                let intent = Intent::Clarify {
                    offer: id,
                    in_reply_to: mail.message_id.clone(),
                };
                self.store.enqueue(intent, now).await?;
                return Ok(Received::Unprocessable(format!(
                    "a reply Kairos could not read (the client was asked again): {words:?}"
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
        let by_thread = mail.answers.iter().filter_map(|id| self.outbox_id(id));
        let mut by_address = Vec::new();
        for address in &mail.recipients {
            by_address.extend(self.offer_of_address(address)?);
        }
        for id in by_thread.chain(by_address) {
            if let Some(entry) = self.store.outbox_entry(id)?
                && let Intent::AnswerInvitation(answer) = entry.intent
                && !answer.alternatives.is_empty()
            {
                return Ok(Some((id, *answer)));
            }
        }
        Ok(None)
    }

    /// Offers `found`, the best free times `within` (in words) what the client named;
    /// when none is free there, the best near the `stretch` they named.
    async fn offer_found(
        &self,
        mail: &Extracted,
        answer: &InvitationAnswer,
        stretch: &Stretch,
        within: String,
        mut found: Vec<crate::slots::Slot>,
        record: InvitationRecord,
    ) -> Result<MailOutcome, ServiceError> {
        let client = self.store.client_by_email(&answer.to)?;
        let nothing_there = found.is_empty();
        if nothing_there {
            let kind = self.meeting_type(None)?.clone();
            let start = stretch.range.start.max(self.clock.now());
            if let Some(near) = Interval::starting_at(start, stretch.length) {
                found = self.alternatives(near, &kind, client.as_ref(), answer.zone, None)?;
            }
        }
        let renewed = InvitationAnswer {
            in_reply_to: mail.message_id.clone(),
            asked: None,
            declined_because: nothing_there.then(|| format!("nothing is free {within}")),
            alternatives: best_of(found),
            within: Some(within.clone()),
            held_until: None,
            ..answer.clone()
        };
        let offered = renewed.alternatives.len();
        let intent = Intent::AnswerInvitation(Box::new(renewed));
        self.store
            .answer_invitation(&record, &[intent], None, self.clock.now())
            .await?;
        Ok(MailOutcome::Offered { within, offered })
    }

    /// Books the time `offered` in `answer` that the client chose; when it was taken
    /// meanwhile, offers new times.
    async fn book_offer(
        &self,
        mail: &Extracted,
        offer: u64,
        answer: &InvitationAnswer,
        offered: &OfferedTime,
        record: InvitationRecord,
    ) -> Result<MailOutcome, ServiceError> {
        let attempt = self.take_offered(offer, answer, offered, &record).await;
        let (reason, alternatives) = match attempt {
            Ok(outcome) => return Ok(outcome),
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

    /// Books (or, for an offer made when a proposal was turned down, moves the
    /// appointment to) the time `offered` in `answer`, filing `record` with it.
    pub(super) async fn take_offered(
        &self,
        offer: u64,
        answer: &InvitationAnswer,
        offered: &OfferedTime,
        record: &InvitationRecord,
    ) -> Result<MailOutcome, ServiceError> {
        if let Some(uid) = &answer.held_for {
            self.store.release_hold(uid)?;
        }
        // An offer made when a proposal to move an appointment was turned down: the
        // choice moves that appointment.
        let existing = match &answer.appointment {
            Some(id) => self
                .store
                .appointment(id)?
                .filter(Appointment::is_confirmed),
            None => None,
        };
        if let Some(appointment) = existing {
            let id = appointment.id.clone();
            self.reschedule_telling(appointment, offered.interval.start, |moved| {
                Notice::ClientAnswering(InvitationRecord {
                    appointment: Some(moved.id.clone()),
                    ..record.clone()
                })
            })
            .await
            .map(|_| MailOutcome::Moved(id.to_string()))
        } else {
            let mut request = by_invitation(
                &answer.to,
                answer.to_name.as_deref(),
                offered.interval,
                &answer.summary,
                answer.zone,
            );
            // The client first asked when they were offered these times.
            request.asked_at = self
                .store
                .outbox_entry(offer)?
                .map(|entry| entry.created_at);
            self.book_telling(request, |appointment| {
                Notice::ClientAnswering(InvitationRecord {
                    appointment: Some(appointment.id.clone()),
                    ..record.clone()
                })
            })
            .await
            .map(|booking| MailOutcome::Accepted(booking.appointment.id.to_string()))
        }
    }
}
