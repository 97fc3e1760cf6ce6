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

use crate::domain::{AppointmentChange, EmailAddress, Farewell, Interval, InvitationAnswer};
use crate::ical::write::Method;

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

/// A change to an appointment, told to the client.
#[derive(Debug, Clone, Copy)]
pub struct AppointmentNotice<'a> {
    /// What happened.
    pub change: &'a AppointmentChange,
    /// The client's name.
    pub client_name: &'a str,
    /// The client's address.
    pub client_email: &'a EmailAddress,
    /// "Consultation with Alice Example".
    pub title: &'a str,
    /// What the client wants to talk about (may be empty).
    pub purpose: &'a str,
    /// When it is (after the change).
    pub interval: Interval,
    /// The client's zone: every time is written in it.
    pub zone: Tz,
    /// The client's manage link.
    pub manage_url: &'a str,
    /// The iCalendar object, with its METHOD.
    pub calendar: &'a str,
    /// That METHOD.
    pub method: Method,
    /// True when the client first sent their own invitation for it: the mail says
    /// Kairos's replaces theirs.
    pub replaces_their_invitation: bool,
}

/// What the appointment templates show.
struct AppointmentView<'a> {
    client_name: &'a str,
    headline: &'a str,
    title: &'a str,
    when: &'a str,
    previous: Option<&'a str>,
    purpose: &'a str,
    cancelled: bool,
    replaces_their_invitation: bool,
    proposal: bool,
    manage_url: &'a str,
    booking_url: &'a str,
    host_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/appointment.txt")]
struct AppointmentText<'a> {
    v: &'a AppointmentView<'a>,
}

#[derive(Template)]
#[template(path = "email/appointment.html")]
struct AppointmentHtml<'a> {
    v: &'a AppointmentView<'a>,
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

/// The mail telling the client their appointment was booked, moved or cancelled, with
/// the invitation (REQUEST) or cancellation (CANCEL) for their calendar.
pub fn appointment_notice(
    letterhead: &Letterhead<'_>,
    notice: &AppointmentNotice<'_>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let (subject, headline, previous) = match notice.change {
        AppointmentChange::Booked => (
            format!("Confirmed: {}", notice.title),
            "Your appointment is booked.".to_string(),
            None,
        ),
        AppointmentChange::Rescheduled { from } => (
            format!("Moved: {}", notice.title),
            "Your appointment has moved to a new time.".to_string(),
            Some(when(*from, notice.zone)),
        ),
        AppointmentChange::Cancelled => (
            format!("Cancelled: {}", notice.title),
            "Your appointment is cancelled.".to_string(),
            None,
        ),
    };
    let when = when(notice.interval, notice.zone);
    let cancelled = matches!(notice.change, AppointmentChange::Cancelled);
    let view = AppointmentView {
        client_name: notice.client_name,
        headline: &headline,
        title: notice.title,
        when: &when,
        previous: previous.as_deref(),
        purpose: notice.purpose,
        cancelled,
        replaces_their_invitation: notice.replaces_their_invitation && !cancelled,
        proposal: notice.method == Method::Counter,
        manage_url: notice.manage_url,
        booking_url: letterhead.booking_url,
        host_name: letterhead.host_name,
    };
    let (text, html) = render(
        &AppointmentText { v: &view },
        &AppointmentHtml { v: &view },
        "email/appointment",
    )?;
    let from = mailbox(Some(letterhead.host_name), letterhead.booking_address)?;
    let to = mailbox(Some(notice.client_name), notice.client_email)?;
    let body = itip_body(text, html, notice.calendar, notice.method)?;
    Message::builder()
        .from(from.clone())
        .reply_to(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_string()))
        .date(SystemTime::from(now))
        .multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// A time offered instead, as the answer lists it.
struct Offer {
    when: String,
    reasons: String,
    link: String,
}

/// What the invitation-answer templates show.
struct AnswerView<'a> {
    name: &'a str,
    host_name: &'a str,
    accepted: bool,
    summary: &'a str,
    when: &'a str,
    reason: &'a str,
    alternatives: &'a [Offer],
    manage_url: &'a str,
    booking_url: &'a str,
    /// For a COUNTER: the time proposed, and until when it is held.
    proposal: Option<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "email/invitation_answer.txt")]
struct AnswerText<'a> {
    v: &'a AnswerView<'a>,
}

#[derive(Template)]
#[template(path = "email/invitation_answer.html")]
struct AnswerHtml<'a> {
    v: &'a AnswerView<'a>,
}

/// The answer to an invitation sent to the booking address: the iTIP REPLY, and in
/// words either the acceptance with the manage link, or the refusal with the times
/// offered instead, each with a link that opens the booking page on it.
/// `reply_to`, when given, is where an answer in words should go (an address that
/// names this offer).
pub fn invitation_answer(
    letterhead: &Letterhead<'_>,
    answer: &InvitationAnswer,
    manage_url: Option<&str>,
    reply_to: Option<&EmailAddress>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    // A COUNTER proposes the first alternative; it is neither an acceptance nor a
    // refusal.
    let proposal = answer.held_until.and_then(|until| {
        let offer = answer.alternatives.first()?;
        Some((
            self::when(offer.interval, answer.zone),
            until
                .with_timezone(&answer.zone)
                .format("%A %-d %B %Y, %H:%M %Z")
                .to_string(),
        ))
    });
    let accepted = answer.declined_because.is_none() && proposal.is_none();
    let summary = if answer.summary.is_empty() {
        "your invitation"
    } else {
        answer.summary.as_str()
    };
    let name = answer
        .to_name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or("there");
    let when = answer
        .asked
        .map(|asked| self::when(asked, answer.zone))
        .unwrap_or_default();
    let offers = offers(letterhead, answer);
    let reason = answer.declined_because.as_deref().unwrap_or("");
    let manage_url = manage_url.unwrap_or(letterhead.booking_url);
    let view = AnswerView {
        name,
        host_name: letterhead.host_name,
        accepted,
        summary,
        when: &when,
        reason,
        alternatives: &offers,
        manage_url,
        booking_url: letterhead.booking_url,
        proposal: proposal
            .as_ref()
            .map(|(when, until)| (when.as_str(), until.as_str())),
    };
    let (text, html) = render(
        &AnswerText { v: &view },
        &AnswerHtml { v: &view },
        "email/invitation_answer",
    )?;
    let (subject, method) = if proposal.is_some() {
        (format!("New time proposed: {summary}"), Method::Counter)
    } else if accepted {
        (format!("Accepted: {summary}"), Method::Reply)
    } else {
        (
            format!("Declined: {summary} (other times inside)"),
            Method::Reply,
        )
    };
    let to = mailbox(answer.to_name.as_deref(), &answer.to)?;
    let body = itip_body(text, html, &answer.calendar, method)?;
    let reply = Reply {
        to,
        reply_to,
        subject,
        message_id,
        now,
        in_reply_to: answer.in_reply_to.as_deref(),
    };
    reply
        .builder(letterhead)?
        .multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// The times `answer` offers, as the mails list them, each with a link that opens the
/// booking page on it.
fn offers(letterhead: &Letterhead<'_>, answer: &InvitationAnswer) -> Vec<Offer> {
    let base = letterhead.booking_url.trim_end_matches('/');
    answer
        .alternatives
        .iter()
        .map(|offer| Offer {
            when: self::when(offer.interval, answer.zone),
            reasons: offer.reasons.join("; "),
            link: format!(
                "{base}/?start={}&duration={}",
                offer.interval.start.format("%Y-%m-%dT%H:%M:%SZ"),
                offer.interval.duration().num_minutes()
            ),
        })
        .collect()
}

/// What the clarification templates show.
struct ClarifyView<'a> {
    name: &'a str,
    alternatives: &'a [Offer],
    booking_url: &'a str,
    host_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/clarify.txt")]
struct ClarifyText<'a> {
    v: &'a ClarifyView<'a>,
}

#[derive(Template)]
#[template(path = "email/clarify.html")]
struct ClarifyHtml<'a> {
    v: &'a ClarifyView<'a>,
}

/// Asks again which of the times `offer` listed a reply meant; answers go to
/// `reply_to`, the offer's own address.
pub fn clarify(
    letterhead: &Letterhead<'_>,
    offer: &InvitationAnswer,
    reply_to: Option<&EmailAddress>,
    in_reply_to: Option<&str>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let listed = offers(letterhead, offer);
    let view = ClarifyView {
        name: offer
            .to_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or("there"),
        alternatives: &listed,
        booking_url: letterhead.booking_url,
        host_name: letterhead.host_name,
    };
    let (text, html) = render(
        &ClarifyText { v: &view },
        &ClarifyHtml { v: &view },
        "email/clarify",
    )?;
    let reply = Reply {
        to: mailbox(offer.to_name.as_deref(), &offer.to)?,
        reply_to,
        subject: "Which time did you mean?".to_string(),
        message_id,
        now,
        in_reply_to,
    };
    reply
        .builder(letterhead)?
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// What the farewell templates show.
struct FarewellView<'a> {
    name: &'a str,
    summary: &'a str,
    booking_url: &'a str,
    host_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/farewell.txt")]
struct FarewellText<'a> {
    v: &'a FarewellView<'a>,
}

#[derive(Template)]
#[template(path = "email/farewell.html")]
struct FarewellHtml<'a> {
    v: &'a FarewellView<'a>,
}

/// The polite close for someone who turned down every time offered, with the booking
/// page for another day.
pub fn farewell(
    letterhead: &Letterhead<'_>,
    farewell: &Farewell,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let view = FarewellView {
        name: farewell
            .to_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or("there"),
        summary: &farewell.summary,
        booking_url: letterhead.booking_url,
        host_name: letterhead.host_name,
    };
    let (text, html) = render(
        &FarewellText { v: &view },
        &FarewellHtml { v: &view },
        "email/farewell",
    )?;
    let subject = if farewell.summary.is_empty() {
        "Another time, then".to_string()
    } else {
        format!("Re: {}", farewell.summary)
    };
    let reply = Reply {
        to: mailbox(farewell.to_name.as_deref(), &farewell.to)?,
        reply_to: None,
        subject,
        message_id,
        now,
        in_reply_to: farewell.in_reply_to.as_deref(),
    };
    reply
        .builder(letterhead)?
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| ComposeError::Build(e.to_string()))
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
#[path = "compose_tests.rs"]
mod tests;
