//! iMIP (RFC 6047): the iTIP object inside a message, however a client packs it —
//! `text/calendar` in `multipart/alternative` (Outlook, Apple, Thunderbird), an
//! `application/ics` attachment without a method parameter (Google), base64 or
//! quoted-printable — and the headers that say who sent it.
//!
//! Must not know: what the object asks, the store, or how messages arrive.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};

use crate::domain::EmailAddress;

/// Most MIME parts looked at in one message: a deeper or wider message is hostile.
const MAX_PARTS: usize = 200;

/// What a message carries, for the iTIP layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The iCalendar text.
    pub calendar: String,
    /// The `method` parameter of its MIME part, if any.
    pub mime_method: Option<String>,
    /// From.
    pub from: EmailAddress,
    /// Sender, if given.
    pub sender: Option<EmailAddress>,
    /// Message-ID, with its angle brackets.
    pub message_id: Option<String>,
    /// Subject.
    pub subject: String,
    /// True when the message says it was sent automatically (Auto-Submitted other than
    /// `no`): an out-of-office answer, a bounce.
    pub automatic: bool,
}

/// Why a message carries nothing to act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImipError {
    /// Not an RFC 5322 message.
    #[error("not a mail message")]
    NotAMessage,
    /// No usable From address.
    #[error("the message has no From address")]
    NoSender,
    /// No calendar part.
    #[error("the message carries no calendar object")]
    NoCalendar,
    /// Too many MIME parts to be an honest message.
    #[error("the message has more than {MAX_PARTS} MIME parts")]
    TooComplex,
}

/// The calendar object of `raw` and its sender.
pub fn extract(raw: &[u8]) -> Result<Extracted, ImipError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ImipError::NotAMessage)?;
    if message.parts.len() > MAX_PARTS {
        return Err(ImipError::TooComplex);
    }
    let address = |value: Option<&mail_parser::Address<'_>>| {
        value
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .and_then(EmailAddress::parse)
    };
    let from = address(message.from()).ok_or(ImipError::NoSender)?;
    let sender = address(message.sender());
    let automatic = match message.header("Auto-Submitted") {
        Some(HeaderValue::Text(value)) => !value.trim().eq_ignore_ascii_case("no"),
        Some(_) => true,
        None => false,
    };
    // The text/calendar part first (it carries the method); an .ics attachment else.
    let mut best: Option<(u8, String, Option<String>)> = None;
    for part in &message.parts {
        let content_type = part.content_type();
        let (kind, sub) = content_type.map_or(("", ""), |c| (c.ctype(), c.subtype().unwrap_or("")));
        let method = content_type
            .and_then(|c| c.attribute("method"))
            .map(str::to_string);
        let named_ics = part
            .attachment_name()
            .is_some_and(|name| name.to_ascii_lowercase().ends_with(".ics"));
        let rank = if kind.eq_ignore_ascii_case("text") && sub.eq_ignore_ascii_case("calendar") {
            2
        } else if (kind.eq_ignore_ascii_case("application") && sub.eq_ignore_ascii_case("ics"))
            || named_ics
        {
            1
        } else {
            continue;
        };
        let text = match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                String::from_utf8_lossy(bytes).into_owned()
            }
            _ => continue,
        };
        if best.as_ref().is_none_or(|(held, _, _)| rank > *held) {
            best = Some((rank, text, method));
        }
    }
    let (_, calendar, mime_method) = best.ok_or(ImipError::NoCalendar)?;
    Ok(Extracted {
        calendar,
        mime_method,
        from,
        sender,
        message_id: message.message_id().map(|id| format!("<{id}>")),
        subject: message.subject().unwrap_or("").to_string(),
        automatic,
    })
}

#[cfg(test)]
#[path = "imip_tests.rs"]
mod tests;
