//! A mail the `SmtpSink` accepted, read for the audit: its Message-ID, recipients,
//! subject and what its calendar part says (METHOD, UID, the attendee's PARTSTAT).

use mail_parser::{MessageParser, MimeHeaders as _};

use crate::support::smtp_sink::Received;

/// A mail as captured, with what the audit needs of it.
pub struct Mail {
    pub message_id: String,
    pub to: Vec<String>,
    pub subject: String,
    /// The calendar part's METHOD, UID and the first ATTENDEE's PARTSTAT.
    pub method: Option<String>,
    pub uid: Option<String>,
    pub partstat: Option<String>,
}

/// Reads what the audit needs of `received`.
pub fn read_mail(received: &Received) -> Mail {
    let mut mail = Mail {
        message_id: received.header("Message-ID").unwrap_or_default(),
        to: received.to.clone(),
        subject: received.header("Subject").unwrap_or_default(),
        method: None,
        uid: None,
        partstat: None,
    };
    let Some(message) = MessageParser::default().parse(received.data.as_bytes()) else {
        return mail;
    };
    let calendar = message.parts.iter().find(|part| {
        part.content_type()
            .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
    });
    let Some(text) = calendar.and_then(|part| part.text_contents()) else {
        return mail;
    };
    let unfolded = text.replace("\r\n ", "").replace("\n ", "");
    for line in unfolded.lines() {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        if name == "METHOD" {
            mail.method = Some(value.to_string());
        } else if name == "UID" && mail.uid.is_none() {
            mail.uid = Some(value.to_string());
        } else if name.starts_with("ATTENDEE") && mail.partstat.is_none() {
            mail.partstat = name
                .split(';')
                .find_map(|param| param.strip_prefix("PARTSTAT="))
                .map(str::to_string);
        }
    }
    mail
}

/// The outbox id in one of Kairos's Message-IDs (`<outbox-ID.…>`).
pub fn outbox_id(message_id: &str) -> Option<u64> {
    message_id
        .strip_prefix("<outbox-")?
        .split('.')
        .next()?
        .parse()
        .ok()
}
