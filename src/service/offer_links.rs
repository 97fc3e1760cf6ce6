//! The one-click links in an offer of other times: each offer (an answer sent from
//! the outbox) gets an unguessable token — its outbox id with a keyed BLAKE2 tag, so
//! nothing needs storing and nobody can book in someone else's name by counting. The
//! offer's page shows its times (and which was chosen); taking one books it as a
//! plain-words choice would, once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use blake2::Blake2bMac;
use blake2::digest::consts::U16;
use blake2::digest::{KeyInit, Mac};
use chrono_tz::Tz;

use super::admin::constant_time_eq;
use super::mail_in::MailOutcome;
use super::{Scheduler, ServiceError, invalid};
use crate::domain::{
    Appointment, AppointmentId, EmailAddress, Intent, InvitationRecord, OfferedTime,
};

type Tag = Blake2bMac<U16>;

/// Bytes of the tag an offer's reply address carries (80 bits, as 20 hex digits: short
/// enough for the 64 characters a mail address's local part may have).
const ADDRESS_TAG: usize = 10;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An offer of other times, as its page shows it.
#[derive(Debug, Clone)]
pub struct OfferPage {
    /// Who it was made to (their name, if known).
    pub to_name: Option<String>,
    /// What the meeting is about.
    pub summary: String,
    /// The times offered, best first.
    pub times: Vec<OfferedTime>,
    /// The zone they are shown in.
    pub zone: Tz,
    /// The appointment one of them became, once chosen.
    pub chosen: Option<Appointment>,
    /// True when choosing moves an existing appointment (the offer answered a
    /// proposal to move it).
    pub moves: bool,
}

impl Scheduler {
    /// The token of the offer sent as outbox entry `outbox_id`.
    pub fn offer_token(&self, outbox_id: u64) -> Result<String, ServiceError> {
        let tag = self.offer_tag(outbox_id)?.finalize().into_bytes();
        Ok(format!("{outbox_id}-{}", URL_SAFE_NO_PAD.encode(tag)))
    }

    fn offer_tag(&self, outbox_id: u64) -> Result<Tag, ServiceError> {
        let key = self.store.link_key()?;
        let mut tag = <Tag as KeyInit>::new_from_slice(&key).map_err(|_| {
            ServiceError::Storage(crate::store::StoreError::Corrupt {
                tree: "meta",
                message: format!("the link key has {} bytes", key.len()),
            })
        })?;
        tag.update(b"offer\0");
        tag.update(&outbox_id.to_be_bytes());
        Ok(tag)
    }

    /// `LOCAL+offer-ID-TAG@DOMAIN` of the booking address `LOCAL@DOMAIN`: where answers
    /// in words to the offer sent as outbox entry `outbox_id` go (mail servers deliver
    /// `+` addresses to the plain one). The tag is lower-case hex, as some mail systems
    /// fold the case of addresses.
    pub fn offer_address(&self, outbox_id: u64) -> Result<Option<EmailAddress>, ServiceError> {
        let Some((local, domain)) = self.host.booking_address.as_str().rsplit_once('@') else {
            return Ok(None);
        };
        let tag = hex(&self.offer_tag(outbox_id)?.finalize().into_bytes()[..ADDRESS_TAG]);
        Ok(EmailAddress::parse(&format!(
            "{local}+offer-{outbox_id}-{tag}@{domain}"
        )))
    }

    /// The outbox entry an offer address names, when its tag is right.
    pub(super) fn offer_of_address(
        &self,
        address: &EmailAddress,
    ) -> Result<Option<u64>, ServiceError> {
        let (Some((local, domain)), Some((their_local, their_domain))) = (
            self.host.booking_address.as_str().rsplit_once('@'),
            address.as_str().rsplit_once('@'),
        ) else {
            return Ok(None);
        };
        if !their_domain.eq_ignore_ascii_case(domain)
            || their_local.len() <= local.len()
            || !their_local[..local.len()].eq_ignore_ascii_case(local)
        {
            return Ok(None);
        }
        let Some(named) = their_local[local.len()..].strip_prefix("+offer-") else {
            return Ok(None);
        };
        let Some((id, tag)) = named.split_once('-') else {
            return Ok(None);
        };
        let Ok(id) = id.parse::<u64>() else {
            return Ok(None);
        };
        let expected = hex(&self.offer_tag(id)?.finalize().into_bytes()[..ADDRESS_TAG]);
        Ok(
            constant_time_eq(expected.as_bytes(), tag.to_ascii_lowercase().as_bytes())
                .then_some(id),
        )
    }

    /// A keyed tag of `purpose` (hex), for secrets Kairos hands out and checks itself.
    pub(super) fn link_tag(&self, purpose: &[u8]) -> Result<String, ServiceError> {
        let key = self.store.link_key()?;
        let mut tag = <Tag as KeyInit>::new_from_slice(&key).map_err(|_| {
            ServiceError::Storage(crate::store::StoreError::Corrupt {
                tree: "meta",
                message: format!("the link key has {} bytes", key.len()),
            })
        })?;
        tag.update(purpose);
        Ok(hex(&tag.finalize().into_bytes()))
    }

    /// The outbox entry `token` names, when its tag is right.
    fn offer_of_token(&self, token: &str) -> Result<Option<u64>, ServiceError> {
        let Some((id, tag)) = token.split_once('-') else {
            return Ok(None);
        };
        let (Ok(id), Ok(tag)) = (id.parse::<u64>(), URL_SAFE_NO_PAD.decode(tag)) else {
            return Ok(None);
        };
        // Compared in constant time.
        Ok(self.offer_tag(id)?.verify_slice(&tag).is_ok().then_some(id))
    }

    /// The offer `token` names, with the choice made from it, if any.
    pub fn offer_page(&self, token: &str) -> Result<OfferPage, ServiceError> {
        let (id, answer) = self.offer_by_token(token)?;
        let chosen = match self.store.invitation(&self.offer_key(id))? {
            Some(record) => match record.appointment {
                Some(appointment) => self.store.appointment(&appointment)?,
                None => None,
            },
            None => None,
        };
        Ok(OfferPage {
            to_name: answer.to_name.clone(),
            summary: answer.summary.clone(),
            times: answer.alternatives.clone(),
            zone: answer.zone,
            chosen,
            moves: answer.appointment.is_some(),
        })
    }

    /// Takes time `choice` (counted from 1) of the offer `token` names: booked (or the
    /// appointment moved there), once; a second choice from the same offer is refused.
    /// When the time was taken meanwhile, the refusal carries fresh alternatives.
    pub async fn take_offer(
        &self,
        token: &str,
        choice: usize,
    ) -> Result<Appointment, ServiceError> {
        let (id, answer) = self.offer_by_token(token)?;
        let Some(offered) = choice
            .checked_sub(1)
            .and_then(|index| answer.alternatives.get(index))
        else {
            return Err(invalid(
                "invalid_choice",
                "choice",
                format!("choose 1 to {}", answer.alternatives.len()),
            ));
        };
        // One choice per offer, also when two clicks race.
        let _turn = self.offers_taken.lock().await;
        let key = self.offer_key(id);
        if self.store.invitation(&key)?.is_some() {
            return Err(invalid(
                "already_chosen",
                "choice",
                "a time was already chosen from this offer",
            ));
        }
        let record = InvitationRecord {
            uid: key,
            sequence: 0,
            appointment: None,
            answered_at: self.clock.now(),
            invitation: None,
            series: false,
        };
        let outcome = self.take_offered(id, &answer, offered, &record).await?;
        let appointment = match outcome {
            MailOutcome::Accepted(id) | MailOutcome::Moved(id) => {
                self.store.appointment(&AppointmentId::from_string(&id))?
            }
            _ => None,
        };
        appointment.ok_or(ServiceError::NotFound("appointment"))
    }

    /// The record key under which the choice from offer `id` is filed (the same for
    /// a choice in words and one by link).
    pub(super) fn offer_key(&self, id: u64) -> String {
        format!("offer:{}", self.message_id(id))
    }

    fn offer_by_token(
        &self,
        token: &str,
    ) -> Result<(u64, Box<crate::domain::InvitationAnswer>), ServiceError> {
        let id = self
            .offer_of_token(token)?
            .ok_or(ServiceError::NotFound("offer"))?;
        match self.store.outbox_entry(id)?.map(|entry| entry.intent) {
            Some(Intent::AnswerInvitation(answer)) if !answer.alternatives.is_empty() => {
                Ok((id, answer))
            }
            _ => Err(ServiceError::NotFound("offer")),
        }
    }
}
