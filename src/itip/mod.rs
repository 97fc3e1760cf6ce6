//! RFC 5546 semantics as pure functions: what an inbound iTIP object asks of the
//! booking address, and whether the one who sent it may ask it.
//!
//! Must not know: MIME, the store, availability, or the clock.

use crate::domain::EmailAddress;
use crate::ical::CalendarObject;

/// The iTIP method of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// An invitation or an update of one.
    Request,
    /// The organizer calls the event off.
    Cancel,
    /// An attendee's answer.
    Reply,
    /// An attendee proposes another time.
    Counter,
    /// Anything else (PUBLISH, REFRESH, ADD, DECLINECOUNTER, or none).
    Other(String),
}

impl Method {
    fn parse(text: &str) -> Self {
        match text.trim().to_ascii_uppercase().as_str() {
            "REQUEST" => Method::Request,
            "CANCEL" => Method::Cancel,
            "REPLY" => Method::Reply,
            "COUNTER" => Method::Counter,
            other => Method::Other(other.to_string()),
        }
    }
}

/// The method that counts: the object's own METHOD, else the MIME part's `method`
/// parameter. The body wins where they disagree: Google's "propose a new time" sends
/// METHOD:COUNTER inside a `method=REPLY` part.
pub fn method(object: &CalendarObject, mime_method: Option<&str>) -> Method {
    object
        .calendar_value("METHOD")
        .or(mime_method)
        .map_or_else(|| Method::Other(String::new()), Method::parse)
}

/// Who a message came from, as its headers say.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// From.
    pub from: &'a EmailAddress,
    /// Sender, when a relay sent it on the organizer's behalf (Google's calendar
    /// notifications).
    pub sender: Option<&'a EmailAddress>,
}

/// An invitation to the booking address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The event's UID.
    pub uid: String,
    /// Its SEQUENCE (0 when absent).
    pub sequence: u32,
    /// Who invites.
    pub organizer: EmailAddress,
    /// Their display name, if given.
    pub organizer_name: Option<String>,
    /// SUMMARY (may be empty).
    pub summary: String,
    /// True for a recurring event.
    pub recurring: bool,
}

/// What an object asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Take part in an event (REQUEST), or in its new version (a higher SEQUENCE).
    Invitation(Invitation),
    /// The organizer called the event off (CANCEL).
    Cancellation {
        /// The event's UID.
        uid: String,
        /// Its SEQUENCE.
        sequence: u32,
    },
    /// An attendee's answer to an event Kairos organized (REPLY).
    Answer {
        /// The event's UID.
        uid: String,
        /// Who answers (the sender).
        attendee: EmailAddress,
        /// Their PARTSTAT, upper-case (`ACCEPTED`, `DECLINED`, `TENTATIVE`, …).
        partstat: String,
    },
    /// An attendee proposes another time for an event Kairos organized (COUNTER).
    Proposal {
        /// The event's UID.
        uid: String,
        /// Who proposes (the sender).
        attendee: EmailAddress,
    },
    /// Something Kairos does not act on yet; the method.
    Unsupported(Method),
}

/// Why an object is not acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItipError {
    /// A REQUEST or CANCEL without an ORGANIZER mail address.
    #[error("the event names no organizer")]
    NoOrganizer,
    /// Neither From nor Sender is the organizer: nobody may invite on someone else's
    /// behalf.
    #[error("sent by {from}, but the organizer is {organizer}")]
    NotOrganizer {
        /// From.
        from: String,
        /// ORGANIZER.
        organizer: String,
    },
    /// The booking address is not among the attendees.
    #[error("{0} is not invited")]
    NotInvited(String),
    /// A REPLY whose sender answers for nobody in it.
    #[error("{0} answers for none of the attendees")]
    NotAttendee(String),
}

/// Whether the organizer's calendar understands a COUNTER (a proposal of another
/// time): Outlook and Exchange from 2007 on, and Thunderbird do; Exchange 2003 (CDO),
/// Google and Apple do not. Never for a recurring event, nor when the organizer
/// forbade it (X-MICROSOFT-DISALLOW-COUNTER).
pub fn counter_allowed(object: &CalendarObject) -> bool {
    let prodid = object
        .calendar_value("PRODID")
        .unwrap_or("")
        .to_ascii_lowercase();
    let understands =
        (prodid.contains("microsoft") && !prodid.contains("cdo")) || prodid.contains("mozilla");
    let forbidden = object
        .master_value("X-MICROSOFT-DISALLOW-COUNTER")
        .is_some_and(|value| value.eq_ignore_ascii_case("TRUE"));
    understands && !forbidden && !object.is_recurring()
}

/// What `object`, sent as `envelope` says, asks of `booking_address`.
pub fn read(
    object: &CalendarObject,
    mime_method: Option<&str>,
    envelope: &Envelope<'_>,
    booking_address: &EmailAddress,
) -> Result<Asked, ItipError> {
    let sequence = object
        .master_value("SEQUENCE")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match method(object, mime_method) {
        Method::Reply => {
            let (attendee, partstat) = answering_attendee(object, envelope)?;
            Ok(Asked::Answer {
                uid: object.uid().to_string(),
                attendee,
                partstat,
            })
        }
        Method::Counter => {
            let (attendee, _) = answering_attendee(object, envelope)?;
            Ok(Asked::Proposal {
                uid: object.uid().to_string(),
                attendee,
            })
        }
        Method::Cancel => {
            sent_by_organizer(object, envelope)?;
            Ok(Asked::Cancellation {
                uid: object.uid().to_string(),
                sequence,
            })
        }
        Method::Request => {
            let organizer = sent_by_organizer(object, envelope)?;
            if !object
                .attendees()
                .iter()
                .any(|attendee| same(attendee, booking_address))
            {
                return Err(ItipError::NotInvited(booking_address.to_string()));
            }
            Ok(Asked::Invitation(Invitation {
                uid: object.uid().to_string(),
                sequence,
                organizer_name: object.organizer_name().map(str::to_string),
                organizer,
                summary: object.summary().unwrap_or("").trim().to_string(),
                recurring: object.is_recurring(),
            }))
        }
        other => Ok(Asked::Unsupported(other)),
    }
}

/// The attendee who sends an answer or a proposal, with their PARTSTAT (upper-case,
/// `NEEDS-ACTION` when absent). Outlook's replies carry no ORGANIZER: the sender must be
/// the attendee who answers, and only their answer counts.
fn answering_attendee(
    object: &CalendarObject,
    envelope: &Envelope<'_>,
) -> Result<(EmailAddress, String), ItipError> {
    let (attendee, partstat) = object
        .attendee_answers()
        .into_iter()
        .find(|(attendee, _)| {
            [Some(envelope.from), envelope.sender]
                .into_iter()
                .flatten()
                .any(|sender| same(sender, attendee))
        })
        .ok_or_else(|| ItipError::NotAttendee(envelope.from.to_string()))?;
    let partstat = partstat
        .unwrap_or("NEEDS-ACTION")
        .trim()
        .to_ascii_uppercase();
    Ok((attendee, partstat))
}

/// The ORGANIZER, when From or Sender is that address: nobody may invite or cancel on
/// someone else's behalf.
fn sent_by_organizer(
    object: &CalendarObject,
    envelope: &Envelope<'_>,
) -> Result<EmailAddress, ItipError> {
    let organizer = object.organizer().ok_or(ItipError::NoOrganizer)?;
    let matches = [Some(envelope.from), envelope.sender]
        .into_iter()
        .flatten()
        .any(|address| same(address, &organizer));
    if matches {
        Ok(organizer)
    } else {
        Err(ItipError::NotOrganizer {
            from: envelope.from.to_string(),
            organizer: organizer.to_string(),
        })
    }
}

/// Mail addresses compare without regard to case (the domain is case-insensitive, and
/// calendar clients change the case of the local part too).
fn same(a: &EmailAddress, b: &EmailAddress) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
}

#[cfg(test)]
mod tests;
