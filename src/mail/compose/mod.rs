//! Outgoing messages, one function per kind: text and HTML bodies rendered from
//! `templates/email/`, the iCalendar object, and the MIME shape iMIP asks for
//! (RFC 6047 §2.4): `multipart/mixed` › `multipart/alternative` (text/plain, text/html,
//! `text/calendar; method=…`) plus the same object as an `.ics` attachment, for mail
//! programs that only look at attachments. Times are written in the reader's zone,
//! with the zone's name.
//!
//! Must not know: how messages are sent, the store, or the outbox.

use std::time::SystemTime;

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::domain::{EmailAddress, Interval};
use crate::ical::write::Method;

mod appointment;
mod negotiation;
mod scheduled;

pub use appointment::{AppointmentNotice, appointment_notice};
pub use negotiation::{OfferRoutes, clarify, farewell, invitation_answer};
pub use scheduled::{Agenda, AgendaItem, FollowUpOffer, OfferedLink, agenda, follow_up};

/// Why a message could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A template failed to render.
    #[error("rendering the {template} template: {source}")]
    Render {
        /// Which template.
        template: &'static str,
        /// Why.
        source: askama::Error,
    },
    /// An address lettre does not accept.
    #[error("address {address:?}: {message}")]
    Address {
        /// The address.
        address: String,
        /// Why.
        message: String,
    },
    /// The message itself could not be built.
    #[error("building the message: {0}")]
    Build(String),
}

/// Who the mail comes from, the same on every message.
#[derive(Debug, Clone, Copy)]
pub struct Letterhead<'a> {
    /// The host's name, shown as the sender's.
    pub host_name: &'a str,
    /// The address mail comes from and replies go to.
    pub booking_address: &'a EmailAddress,
    /// The booking page, offered when an appointment is called off.
    pub booking_url: &'a str,
}

/// `interval` as its reader sees it: "Tuesday 3 March 2026, 10:00–10:30 EST
/// (America/New_York)".
pub fn when(interval: Interval, zone: Tz) -> String {
    let start = interval.start.with_timezone(&zone);
    let end = interval.end.with_timezone(&zone);
    let end_text = if start.date_naive() == end.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%A %-d %B %Y, %H:%M").to_string()
    };
    format!(
        "{}–{} {} ({})",
        start.format("%A %-d %B %Y, %H:%M"),
        end_text,
        end.format("%Z"),
        zone.name()
    )
}

/// The headers of a message answering another.
struct Reply<'a> {
    to: Mailbox,
    /// Where answers in words should go, when not to the booking address itself.
    reply_to: Option<&'a EmailAddress>,
    subject: String,
    message_id: &'a str,
    now: DateTime<Utc>,
    in_reply_to: Option<&'a str>,
}

impl Reply<'_> {
    /// From and Reply-To the booking address; threaded under the message answered.
    fn builder(
        self,
        letterhead: &Letterhead<'_>,
    ) -> Result<lettre::message::MessageBuilder, ComposeError> {
        let from = mailbox(Some(letterhead.host_name), letterhead.booking_address)?;
        let reply_to = match self.reply_to {
            Some(address) => mailbox(Some(letterhead.host_name), address)?,
            None => from.clone(),
        };
        let mut builder = Message::builder()
            .from(from)
            .reply_to(reply_to)
            .to(self.to)
            .subject(self.subject)
            .message_id(Some(self.message_id.to_string()))
            .date(SystemTime::from(self.now));
        if let Some(original) = self.in_reply_to {
            builder = builder
                .in_reply_to(original.to_string())
                .references(original.to_string());
        }
        Ok(builder)
    }

    /// The message with `body`, under these headers.
    fn message(
        self,
        letterhead: &Letterhead<'_>,
        body: MultiPart,
    ) -> Result<Message, ComposeError> {
        self.builder(letterhead)?
            .multipart(body)
            .map_err(|e| ComposeError::Build(e.to_string()))
    }
}

/// The text and HTML renderings of one message kind (`template`, for errors).
fn render(
    text: &impl Template,
    html: &impl Template,
    template: &'static str,
) -> Result<(String, String), ComposeError> {
    let failed = |source| ComposeError::Render { template, source };
    Ok((
        text.render().map_err(failed)?,
        html.render().map_err(failed)?,
    ))
}

/// `multipart/mixed` › `multipart/alternative` (text, HTML, calendar) + `.ics`.
fn itip_body(
    text: String,
    html: String,
    calendar: &str,
    method: Method,
) -> Result<MultiPart, ComposeError> {
    let content_type = |value: &str| {
        ContentType::parse(value).map_err(|e| ComposeError::Build(format!("{value}: {e}")))
    };
    let calendar_type = content_type(&format!(
        "text/calendar; method={}; charset=utf-8",
        method.as_str()
    ))?;
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .singlepart(SinglePart::html(html))
        .singlepart(
            SinglePart::builder()
                .header(calendar_type)
                .body(calendar.to_string()),
        );
    let file_name = match method {
        Method::Cancel => "cancel.ics",
        Method::Request => "invite.ics",
        Method::Reply => "reply.ics",
        Method::Counter => "counter.ics",
        Method::DeclineCounter => "declinecounter.ics",
    };
    let attachment = Attachment::new(file_name.to_string())
        .body(calendar.to_string(), content_type("application/ics")?);
    Ok(MultiPart::mixed()
        .multipart(alternative)
        .singlepart(attachment))
}

fn mailbox(name: Option<&str>, address: &EmailAddress) -> Result<Mailbox, ComposeError> {
    let parsed = address
        .as_str()
        .parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::Address {
            address: address.as_str().to_string(),
            message: e.to_string(),
        })?;
    Ok(Mailbox::new(name.map(str::to_string), parsed))
}

#[cfg(test)]
mod tests;
