//! A client's proposal of another time (iTIP COUNTER) for an appointment Kairos
//! organized: taken when the time is free and within the rules — the appointment moves
//! and the client gets the updated invitation — and otherwise turned down with a
//! DECLINECOUNTER whose words offer the best times near the one proposed, which the
//! client may answer in plain words like any offer.

use chrono::Duration;

use super::invitations::best_of;
use super::mail_in::MailOutcome;
use super::{Scheduler, ServiceError};
use crate::domain::{AppointmentId, EmailAddress, Intent, Interval, InvitationAnswer};
use crate::ical::CalendarObject;
use crate::ical::write;
use crate::mail::imip::Extracted;
use crate::store::Notice;

impl Scheduler {
    /// `attendee` proposes, by `proposal`, another time for the appointment whose
    /// event has `uid`.
    pub(super) async fn client_proposed(
        &self,
        proposal: &CalendarObject,
        uid: &str,
        attendee: &EmailAddress,
        mail: &Extracted,
    ) -> Result<MailOutcome, ServiceError> {
        let id = AppointmentId::from_string(uid);
        let Some(appointment) = self.store.appointment(&id)? else {
            return Ok(MailOutcome::Ignored(format!(
                "a proposal about {uid}, which Kairos did not send"
            )));
        };
        let client = self.store.client(&appointment.client_id)?;
        let Some(client) = client.filter(|client| {
            client
                .email
                .as_str()
                .eq_ignore_ascii_case(attendee.as_str())
        }) else {
            return Ok(MailOutcome::Ignored(format!(
                "{attendee} proposed a time for appointment {id}, which is not theirs"
            )));
        };
        if !appointment.is_confirmed() {
            return Ok(MailOutcome::Ignored(format!(
                "appointment {id} was already cancelled"
            )));
        }
        let now = self.clock.now();
        let everywhere = Interval {
            start: now - Duration::days(366),
            end: now + Duration::days(5 * 366),
        };
        let Some(proposed) = proposal
            .occurrences(everywhere, self.host.zone)
            .first()
            .map(|occurrence| occurrence.interval)
        else {
            return Ok(MailOutcome::Ignored(
                "the proposal names no time that takes time".into(),
            ));
        };
        if proposed == appointment.interval {
            return Ok(MailOutcome::Ignored(
                "the proposal is the appointment's own time".into(),
            ));
        }
        let moved = self
            .move_telling(appointment.clone(), proposed, |_| Notice::Client)
            .await;
        let (reason, alternatives) = match moved {
            Ok(_) => return Ok(MailOutcome::Moved(id.to_string())),
            // Cancelled while this was decided: as if it had been before.
            Err(ServiceError::Cancelled) => {
                return Ok(MailOutcome::Ignored(format!(
                    "appointment {id} was already cancelled"
                )));
            }
            Err(ServiceError::SlotUnavailable {
                violation,
                alternatives,
            }) => (violation.message().to_string(), alternatives),
            Err(ServiceError::Invalid { message, .. }) => (message, Vec::new()),
            Err(other) => return Err(other),
        };
        // Turned down: DECLINECOUNTER, with times near the proposal in its words.
        let answer = InvitationAnswer {
            to: client.email.clone(),
            to_name: Some(client.name.clone()),
            summary: proposal.summary().unwrap_or("").trim().to_string(),
            in_reply_to: mail.message_id.clone(),
            calendar: write::decline_counter(proposal, &reason, now),
            appointment: Some(appointment.id.clone()),
            asked: Some(proposed),
            declined_because: Some(reason.clone()),
            alternatives: best_of(alternatives),
            zone: appointment.client_zone,
            held_until: None,
            held_for: None,
            series_meetings: None,
            within: None,
        };
        let offered = answer.alternatives.len();
        self.store
            .enqueue(Intent::AnswerInvitation(Box::new(answer)), now)
            .await?;
        Ok(MailOutcome::Declined {
            reason,
            alternatives: offered,
        })
    }
}
