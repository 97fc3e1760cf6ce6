//! The mails of a negotiation over an invitation: the answer to it (accepted, declined
//! with other times, or a COUNTER proposing one), asking again which time a reply
//! meant, and the polite close when none suits.

use askama::Template;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::MultiPart;

use super::{ComposeError, Letterhead, Reply, itip_body, mailbox, render, when};
use crate::domain::{EmailAddress, Farewell, InvitationAnswer};
use crate::ical::write::Method;

/// Where a client answers an offer of times: in words, to the offer's own reply
/// address; or with one click, on the offer's page (`<page>/<n>` takes time n).
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferRoutes<'a> {
    /// The reply address that names the offer.
    pub reply_to: Option<&'a EmailAddress>,
    /// The offer's page.
    pub page: Option<&'a str>,
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
    /// For an accepted series: how many of its meetings were found free.
    series_meetings: Option<usize>,
    /// For times found within a stretch the client named: the stretch, in words.
    within: Option<&'a str>,
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
/// `routes` say where an answer goes: in words (an address that names this offer) or
/// by one click (the offer's page).
pub fn invitation_answer(
    letterhead: &Letterhead<'_>,
    answer: &InvitationAnswer,
    manage_url: Option<&str>,
    routes: OfferRoutes<'_>,
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
    let accepted =
        answer.declined_because.is_none() && proposal.is_none() && answer.within.is_none();
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
    let offers = offers(letterhead, answer, routes.page);
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
        series_meetings: answer.series_meetings,
        within: answer.within.as_deref(),
    };
    let (text, html) = render(
        &AnswerText { v: &view },
        &AnswerHtml { v: &view },
        "email/invitation_answer",
    )?;
    let declines_proposal = Method::of_calendar(&answer.calendar) == Some(Method::DeclineCounter);
    let (subject, method) = if proposal.is_some() {
        (format!("New time proposed: {summary}"), Method::Counter)
    } else if answer.within.is_some() {
        (format!("Times for: {summary}"), Method::Reply)
    } else if declines_proposal {
        (
            format!("Proposal declined: {summary} (other times inside)"),
            Method::DeclineCounter,
        )
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
        reply_to: routes.reply_to,
        subject,
        message_id,
        now,
        in_reply_to: answer.in_reply_to.as_deref(),
    };
    reply.message(letterhead, body)
}

/// The times `answer` offers, as the mails list them, each with its one-click link on
/// the offer's `page` (the booking page when there is none).
fn offers(
    letterhead: &Letterhead<'_>,
    answer: &InvitationAnswer,
    page: Option<&str>,
) -> Vec<Offer> {
    answer
        .alternatives
        .iter()
        .enumerate()
        .map(|(index, offer)| Offer {
            when: self::when(offer.interval, answer.zone),
            reasons: offer.reasons.join("; "),
            link: match page {
                Some(page) => format!("{}/{}", page.trim_end_matches('/'), index + 1),
                None => letterhead.booking_url.to_string(),
            },
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
/// `routes`, the offer's own address and page.
pub fn clarify(
    letterhead: &Letterhead<'_>,
    offer: &InvitationAnswer,
    routes: OfferRoutes<'_>,
    in_reply_to: Option<&str>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let listed = offers(letterhead, offer, routes.page);
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
        reply_to: routes.reply_to,
        subject: "Which time did you mean?".to_string(),
        message_id,
        now,
        in_reply_to,
    };
    reply.message(letterhead, MultiPart::alternative_plain_html(text, html))
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
    reply.message(letterhead, MultiPart::alternative_plain_html(text, html))
}
