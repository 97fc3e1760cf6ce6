//! Mail that a schedule sends rather than a change: the follow-up offered to a client
//! after a meeting (ranked times for another, each a link to book it), and the host's
//! agenda of her day.

use askama::Template;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::MultiPart;

use super::{ComposeError, Letterhead, Reply, mailbox, render};
use crate::domain::EmailAddress;

/// One time offered for the follow-up: how the client reads it, and the link that
/// books it.
#[derive(Debug, Clone)]
pub struct OfferedLink {
    /// "Tuesday 10 March 2026, 10:00–10:15 EDT (America/New_York)".
    pub when: String,
    /// Why it is suggested, in plain words.
    pub reasons: String,
    /// The booking page at the details step for this time.
    pub url: String,
}

/// A follow-up offer after a meeting.
#[derive(Debug, Clone)]
pub struct FollowUpOffer<'a> {
    /// The client's name.
    pub to_name: &'a str,
    /// Their address.
    pub to: &'a EmailAddress,
    /// What the meeting was about.
    pub purpose: &'a str,
    /// The meeting type offered ("Follow-up").
    pub kind_name: &'a str,
    /// The best times, best first.
    pub times: Vec<OfferedLink>,
    /// The booking page for that meeting type, for any other time.
    pub booking_url: String,
}

struct FollowUpView<'a> {
    offer: &'a FollowUpOffer<'a>,
    host_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/follow_up.txt")]
struct FollowUpText<'a> {
    v: &'a FollowUpView<'a>,
}

#[derive(Template)]
#[template(path = "email/follow_up.html")]
struct FollowUpHtml<'a> {
    v: &'a FollowUpView<'a>,
}

/// The follow-up offer.
pub fn follow_up(
    letterhead: &Letterhead<'_>,
    offer: &FollowUpOffer<'_>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let view = FollowUpView {
        offer,
        host_name: letterhead.host_name,
    };
    let (text, html) = render(
        &FollowUpText { v: &view },
        &FollowUpHtml { v: &view },
        "email/follow_up",
    )?;
    let reply = Reply {
        to: mailbox(Some(offer.to_name), offer.to)?,
        reply_to: None,
        subject: format!("{}: shall we meet again?", offer.kind_name),
        message_id,
        now,
        in_reply_to: None,
    };
    reply.message(letterhead, MultiPart::alternative_plain_html(text, html))
}

/// One appointment on the agenda.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    /// "10:00–10:30".
    pub time: String,
    /// The meeting type's name.
    pub kind: String,
    /// The client's name and address.
    pub client: String,
    /// What it is about.
    pub purpose: String,
    /// The video link, if any.
    pub meeting_url: Option<String>,
}

/// The host's agenda of a day.
#[derive(Debug, Clone)]
pub struct Agenda<'a> {
    /// Her address.
    pub to: &'a EmailAddress,
    /// "Tuesday 10 March 2026 (America/New_York)".
    pub day: String,
    /// The day's appointments, by start.
    pub items: Vec<AgendaItem>,
    /// Her dashboard.
    pub admin_url: String,
}

struct AgendaView<'a> {
    agenda: &'a Agenda<'a>,
    host_name: &'a str,
}

#[derive(Template)]
#[template(path = "email/agenda.txt")]
struct AgendaText<'a> {
    v: &'a AgendaView<'a>,
}

#[derive(Template)]
#[template(path = "email/agenda.html")]
struct AgendaHtml<'a> {
    v: &'a AgendaView<'a>,
}

/// The agenda, to the host.
pub fn agenda(
    letterhead: &Letterhead<'_>,
    agenda: &Agenda<'_>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let view = AgendaView {
        agenda,
        host_name: letterhead.host_name,
    };
    let (text, html) = render(
        &AgendaText { v: &view },
        &AgendaHtml { v: &view },
        "email/agenda",
    )?;
    let count = match agenda.items.len() {
        0 => "nothing booked".to_string(),
        1 => "1 appointment".to_string(),
        n => format!("{n} appointments"),
    };
    let reply = Reply {
        to: mailbox(Some(letterhead.host_name), agenda.to)?,
        reply_to: None,
        subject: format!("Your agenda for {}: {count}", agenda.day),
        message_id,
        now,
        in_reply_to: None,
    };
    reply.message(letterhead, MultiPart::alternative_plain_html(text, html))
}
