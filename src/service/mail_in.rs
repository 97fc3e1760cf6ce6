//! Mail to the booking address: what a message is (an iTIP object, or a reply in plain
//! words), whether it may be acted on at all (authenticated, not automatic, not a loop,
//! within a rate per sender), and which use case answers it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{Scheduler, ServiceError};
use crate::config::MailConfig;
use crate::ical::CalendarObject;
use crate::itip::{self, Asked, Envelope};
use crate::mail::imip::{self, Authentication, Extracted};
use crate::store::InboundRecord;

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
    /// A recurring invitation was accepted: its UID, and how many of its meetings
    /// within the horizon were checked free.
    SeriesAccepted {
        /// The series' UID.
        uid: String,
        /// Meetings checked.
        meetings: usize,
    },
    /// The client's proposal of another time was taken: this appointment moved.
    Moved(String),
    /// The client answered Kairos's invitation; their answer is recorded.
    ClientAnswered {
        /// The appointment.
        appointment: String,
        /// Their PARTSTAT.
        answer: String,
    },
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
    /// Times were offered within the stretch a reply named.
    Offered {
        /// The stretch, in words.
        within: String,
        /// How many times were offered.
        offered: usize,
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
            Self::SeriesAccepted { uid, meetings } => write!(
                f,
                "accepted: the series {uid} ({meetings} meetings within the horizon)"
            ),
            Self::Moved(id) => write!(f, "moved as the client proposed: appointment {id}"),
            Self::ClientAnswered {
                appointment,
                answer,
            } => write!(f, "the client answered {answer}: appointment {appointment}"),
            Self::Declined {
                reason,
                alternatives,
            } => write!(
                f,
                "declined ({reason}); {alternatives} alternatives offered"
            ),
            Self::Cancelled(id) => write!(f, "cancelled: appointment {id}"),
            Self::Offered { within, offered } => {
                write!(f, "{offered} times offered {within}")
            }
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
            Ok(Asked::Proposal { uid, attendee }) => self
                .client_proposed(&object, &uid, &attendee, &mail)
                .await
                .map(handled),
        }
    }
}

impl Scheduler {
    /// What the message spooled as `name` came to, if it was processed.
    pub fn inbound_outcome(&self, name: &str) -> Result<Option<String>, ServiceError> {
        Ok(self.store.inbound(name)?.map(|record| record.outcome))
    }

    /// Records what the message spooled as `name` came to, durably: the spool moves
    /// the message out of `new/` only after this, and reads the record to know it was
    /// processed.
    pub async fn record_inbound(&self, name: &str, outcome: &str) -> Result<(), ServiceError> {
        let record = InboundRecord {
            at: self.clock.now(),
            outcome: outcome.to_string(),
        };
        self.store.record_inbound(name, &record)?;
        Ok(self.store.flush().await?)
    }
}

/// How mail to the booking address is treated: whose is acted on (authenticated
/// senders, within a rate), and how long a time proposed by COUNTER is held.
pub(super) struct MailPolicy {
    require_authentication: bool,
    per_hour: usize,
    /// How long a time proposed by COUNTER is held (read by the invitations).
    pub(super) counter_hold: Duration,
    recent: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl MailPolicy {
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
        let ours = mail
            .message_id
            .as_deref()
            .is_some_and(|id| self.outbox_id(id).is_some());
        let from_us = mail
            .from
            .as_str()
            .eq_ignore_ascii_case(self.host.booking_address.as_str());
        if ours || from_us {
            return Some("sent by Kairos itself".into());
        }
        if let Authentication::Failed(results) = &mail.authentication
            && self.mail.require_authentication
        {
            return Some(format!("the sender is not authenticated ({results})"));
        }
        if !self.mail.admit(mail.from.as_str(), self.clock.now()) {
            return Some(format!(
                "more than {} messages from {} this hour",
                self.mail.per_hour, mail.from
            ));
        }
        None
    }
}

pub(super) fn handled(outcome: MailOutcome) -> Received {
    Received::Handled(outcome)
}
