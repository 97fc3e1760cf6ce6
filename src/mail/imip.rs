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
    /// The iCalendar text, when the message carries one.
    pub calendar: Option<String>,
    /// The `method` parameter of its MIME part, if any.
    pub mime_method: Option<String>,
    /// From.
    pub from: EmailAddress,
    /// Sender, if given.
    pub sender: Option<EmailAddress>,
    /// Message-ID, with its angle brackets.
    pub message_id: Option<String>,
    /// The Message-IDs it answers (In-Reply-To, then References), with angle brackets.
    pub answers: Vec<String>,
    /// The addresses it was sent to (To, Cc, and what the receiving server recorded in
    /// Delivered-To or X-Original-To).
    pub recipients: Vec<EmailAddress>,
    /// Its first text part (for a reply in plain words).
    pub text: String,
    /// Subject.
    pub subject: String,
    /// True when the message says it was sent automatically (Auto-Submitted other than
    /// `no`, or Precedence bulk, junk or list): an out-of-office answer, a bounce.
    pub automatic: bool,
    /// What the receiving MTA's Authentication-Results say about the From domain.
    pub authentication: Authentication,
}

/// What the receiving mail server found about the sender (RFC 8601).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// No Authentication-Results header: nobody checked.
    Unchecked,
    /// DMARC passed for the From domain, or a DKIM signature of that domain (or a
    /// parent of it) did.
    Passed,
    /// Results were given, and none vouches for the From domain; what they said.
    Failed(String),
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
    /// Too many MIME parts to be an honest message.
    #[error("the message has more than {MAX_PARTS} MIME parts")]
    TooComplex,
}

/// The calendar object of `raw` (if any), its sender, and what it answers.
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
    let text_of = |value: &HeaderValue<'_>| match value {
        HeaderValue::Text(text) => Some(text.to_string()),
        HeaderValue::TextList(list) => Some(list.join(",")),
        _ => None,
    };
    let auto_submitted = message
        .header("Auto-Submitted")
        .map(|value| text_of(value).unwrap_or_default());
    let precedence = message
        .header("Precedence")
        .and_then(text_of)
        .unwrap_or_default();
    let automatic = auto_submitted.is_some_and(|value| !value.trim().eq_ignore_ascii_case("no"))
        || ["bulk", "junk", "list"]
            .iter()
            .any(|kind| precedence.trim().eq_ignore_ascii_case(kind));
    let results: Vec<String> = message
        .header_values("Authentication-Results")
        .filter_map(text_of)
        .collect();
    let authentication = authentication(&results, &from);
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
    let (calendar, mime_method) = match best {
        Some((_, calendar, method)) => (Some(calendar), method),
        None => (None, None),
    };
    let ids = |value: Option<&HeaderValue<'_>>| -> Vec<String> {
        match value {
            Some(HeaderValue::Text(id)) => vec![format!("<{id}>")],
            Some(HeaderValue::TextList(ids)) => ids.iter().map(|id| format!("<{id}>")).collect(),
            _ => Vec::new(),
        }
    };
    let mut recipients: Vec<EmailAddress> = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter())
        .filter_map(|a| a.address())
        .filter_map(EmailAddress::parse)
        .collect();
    for name in ["Delivered-To", "X-Original-To"] {
        recipients.extend(
            message
                .header_values(name)
                .filter_map(text_of)
                .filter_map(|text| EmailAddress::parse(text.trim().trim_matches(['<', '>']))),
        );
    }
    let mut answers = ids(message.header("In-Reply-To"));
    answers.extend(ids(message.header("References")));
    Ok(Extracted {
        calendar,
        mime_method,
        answers,
        recipients,
        text: message
            .body_text(0)
            .map(|text| text.into_owned())
            .unwrap_or_default(),
        from,
        sender,
        message_id: message.message_id().map(|id| format!("<{id}>")),
        subject: message.subject().unwrap_or("").to_string(),
        automatic,
        authentication,
    })
}

/// What `results` (Authentication-Results header values) say about `from`'s domain:
/// passed when a `dmarc=pass` names it as `header.from`, or a `dkim=pass` signature's
/// `header.d` is that domain or a parent of it (relaxed alignment, RFC 7489 §3.1.1).
pub fn authentication(results: &[String], from: &EmailAddress) -> Authentication {
    if results.is_empty() {
        return Authentication::Unchecked;
    }
    let domain = from
        .as_str()
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
        .to_ascii_lowercase();
    let aligned = |signer: &str| {
        let signer = signer.trim().trim_end_matches('.').to_ascii_lowercase();
        !signer.is_empty() && (domain == signer || domain.ends_with(&format!(".{signer}")))
    };
    for result in results {
        // After the authserv-id, each `;`-separated part is one method's result.
        for part in result.split(';').skip(1) {
            let mut words = part.split_whitespace();
            let Some((method, outcome)) = words.next().and_then(|w| w.split_once('=')) else {
                continue;
            };
            if !outcome.eq_ignore_ascii_case("pass") {
                continue;
            }
            let property = |name: &str| {
                part.split_whitespace()
                    .filter_map(|w| w.split_once('='))
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value.to_string())
            };
            let vouches = match method.to_ascii_lowercase().as_str() {
                "dmarc" => property("header.from").is_some_and(|d| aligned(&d)),
                "dkim" => property("header.d")
                    .or_else(|| {
                        property("header.i").map(|i| i.rsplit('@').next().unwrap_or("").to_string())
                    })
                    .is_some_and(|d| aligned(&d)),
                _ => false,
            };
            if vouches {
                return Authentication::Passed;
            }
        }
    }
    Authentication::Failed(results.join(" | "))
}

#[cfg(test)]
#[path = "imip_tests.rs"]
mod tests;
