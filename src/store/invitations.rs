//! Invitations answered (by UID), the series of meetings accepted, the answer to one
//! that was declined, and what each inbound message came to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::Transactional;

use sled::transaction::TransactionalTree;

use super::tx::{TxResult, finish};
use super::{Store, StoreError, encode, keys, outbox};
use crate::domain::{AppointmentId, Intent, Interval, InvitationRecord};

/// A time proposed to an invitation's organizer by COUNTER, kept from other bookings
/// until they answer or it lapses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The time held.
    pub interval: Interval,
    /// When it lapses.
    pub until: DateTime<Utc>,
}

/// What processing an inbound message came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundRecord {
    /// When it was processed.
    pub at: DateTime<Utc>,
    /// The outcome, in words.
    pub outcome: String,
}

/// Files `record` under its UID, and under its appointment's id when it has one.
pub(super) fn file<R>(
    invitations: &TransactionalTree,
    record: &InvitationRecord,
) -> TxResult<(), R> {
    invitations.insert(record.uid.as_bytes(), encode(record))?;
    if let Some(id) = &record.appointment {
        invitations.insert(keys::invitation_of(id), record.uid.as_bytes())?;
    }
    if record.series {
        invitations.insert(keys::series(&record.uid), &[][..])?;
    } else {
        invitations.remove(keys::series(&record.uid))?;
    }
    Ok(())
}

impl Store {
    /// How the invitation with `uid` was answered, if it was.
    pub fn invitation(&self, uid: &str) -> Result<Option<InvitationRecord>, StoreError> {
        self.invitations
            .get(uid.as_bytes())?
            .map(|bytes| super::decode(keys::INVITATIONS, &bytes))
            .transpose()
    }

    /// Records how `record`'s invitation was answered and queues `answers`, in one
    /// transaction (a refusal, or the same time accepted again), with `hold` kept for
    /// the invitation when a time is proposed to it; then flushes.
    pub async fn answer_invitation(
        &self,
        record: &InvitationRecord,
        answers: &[Intent],
        hold: Option<&Hold>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = (&self.invitations, &self.outbox, &self.holds).transaction(
            |(invitations, outbox, holds)| -> TxResult<(), ()> {
                file(invitations, record)?;
                for answer in answers {
                    outbox::enqueue(outbox, answer.clone(), now)?;
                }
                if let Some(hold) = hold {
                    holds.insert(record.uid.as_bytes(), encode(hold))?;
                }
                Ok(())
            },
        );
        let _declined: Result<(), ()> = finish(result)?;
        self.flush().await
    }

    /// The invitation that appointment `id` accepted, if it accepted one.
    pub fn invitation_of(
        &self,
        id: &AppointmentId,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        let Some(uid) = self.invitations.get(keys::invitation_of(id))? else {
            return Ok(None);
        };
        let record = self.invitation(&String::from_utf8_lossy(&uid))?;
        Ok(record.filter(|r| r.appointment.as_ref() == Some(id) && r.invitation.is_some()))
    }

    /// The series of meetings accepted by invitation, as last answered.
    pub fn accepted_series(&self) -> Result<Vec<InvitationRecord>, StoreError> {
        let mut series = Vec::new();
        for item in self.invitations.scan_prefix(keys::SERIES) {
            let (key, _) = item?;
            let uid = String::from_utf8_lossy(&key[keys::SERIES.len()..]).into_owned();
            if let Some(record) = self.invitation(&uid)?.filter(|r| r.series) {
                series.push(record);
            }
        }
        Ok(series)
    }

    /// The holds not lapsed at `now` that overlap `range`.
    pub fn holds(&self, range: &Interval, now: DateTime<Utc>) -> Result<Vec<Interval>, StoreError> {
        let mut held = Vec::new();
        for item in self.holds.iter() {
            let (_, bytes) = item?;
            let hold: Hold = super::decode(keys::HOLDS, &bytes)?;
            if hold.until > now && hold.interval.overlaps(range) {
                held.push(hold.interval);
            }
        }
        Ok(held)
    }

    /// Lets the time held for invitation `uid` go (its organizer answered).
    pub fn release_hold(&self, uid: &str) -> Result<(), StoreError> {
        self.holds.remove(uid.as_bytes())?;
        Ok(())
    }

    /// What the message spooled as `name` came to, if it was processed.
    pub fn inbound(&self, name: &str) -> Result<Option<InboundRecord>, StoreError> {
        self.inbound
            .get(name.as_bytes())?
            .map(|bytes| super::decode(keys::INBOUND, &bytes))
            .transpose()
    }

    /// Records what the message spooled as `name` came to. Not flushed on its own:
    /// what the message changed was flushed with the change, and processing a message
    /// again after a crash finds its invitation answered already.
    pub fn record_inbound(&self, name: &str, record: &InboundRecord) -> Result<(), StoreError> {
        self.inbound.insert(name.as_bytes(), encode(record))?;
        Ok(())
    }
}
