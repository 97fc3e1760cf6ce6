//! Validation of the `mail:` section: how mail leaves (file or SMTP), how it arrives
//! (the spool, an IMAP mailbox) and the rules for acting on it. Passwords are read from
//! their files here, so a missing file is a start-up error naming its key.

use std::path::Path;
use std::time::Duration as StdDuration;

use super::raw::{RawImap, RawMail, RawSmtp};
use super::validate::{bounded, minutes};
use super::{
    ConfigError, ImapConfig, MailConfig, MailSecurity, MailTransport, Secret, SmtpConfig, invalid,
};

impl RawMail {
    pub(super) fn validate(self) -> Result<MailConfig, ConfigError> {
        let transport = match self.transport.as_str() {
            "file" => MailTransport::File,
            "smtp" => MailTransport::Smtp(self.smtp.validate()?),
            other => {
                return Err(invalid(
                    "mail.transport",
                    format!("{other:?} is neither \"file\" nor \"smtp\""),
                ));
            }
        };
        let max_retry = bounded(
            "mail.max_retry_seconds",
            self.max_retry_seconds as i64,
            1,
            86_400,
        )?;
        let poll = bounded("mail.poll_seconds", self.poll_seconds as i64, 1, 3_600)?;
        let inbox_poll = bounded(
            "mail.inbox_poll_millis",
            self.inbox_poll_millis as i64,
            10,
            60_000,
        )?;
        Ok(MailConfig {
            transport,
            max_retry: StdDuration::from_secs(max_retry as u64),
            poll: StdDuration::from_secs(poll as u64),
            inbox_poll: StdDuration::from_millis(inbox_poll as u64),
            require_authentication: self.require_authentication,
            sender_limit_per_hour: self.sender_limit_per_hour.max(1),
            counter_hold: minutes(
                "mail.counter_hold_minutes",
                self.counter_hold_minutes,
                0,
                10_080,
            )?,
            imap: self.imap.map(RawImap::validate).transpose()?,
        })
    }
}

fn security(key: &str, value: &str) -> Result<MailSecurity, ConfigError> {
    match value {
        "starttls" => Ok(MailSecurity::StartTls),
        "tls" => Ok(MailSecurity::Tls),
        "none" => Ok(MailSecurity::None),
        other => Err(invalid(
            key,
            format!("{other:?} is not \"starttls\", \"tls\" or \"none\""),
        )),
    }
}

/// The password on the first line of `file`.
fn read_password(key: &str, file: &Path) -> Result<Secret, ConfigError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| invalid(key, format!("{}: {e}", file.display())))?;
    let password = text.lines().next().unwrap_or("");
    if password.is_empty() {
        return Err(invalid(
            key,
            format!("{} holds no password on its first line", file.display()),
        ));
    }
    Ok(Secret::new(password))
}

impl RawSmtp {
    fn validate(self) -> Result<SmtpConfig, ConfigError> {
        if self.host.trim().is_empty() {
            return Err(invalid("mail.smtp.host", "must not be empty"));
        }
        if self.port == 0 {
            return Err(invalid("mail.smtp.port", "must be 1..=65535"));
        }
        let security = security("mail.smtp.security", &self.security)?;
        let credentials = match (self.user, self.password_file) {
            (None, None) => None,
            (Some(user), Some(file)) => {
                Some((user, read_password("mail.smtp.password_file", &file)?))
            }
            (Some(_), None) => {
                return Err(invalid(
                    "mail.smtp.password_file",
                    "is needed when mail.smtp.user is set",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "mail.smtp.user",
                    "is needed when mail.smtp.password_file is set",
                ));
            }
        };
        Ok(SmtpConfig {
            host: self.host,
            port: self.port,
            security,
            credentials,
        })
    }
}

impl RawImap {
    fn validate(self) -> Result<ImapConfig, ConfigError> {
        if self.host.trim().is_empty() {
            return Err(invalid("mail.imap.host", "must not be empty"));
        }
        let security = security("mail.imap.security", &self.security)?;
        let port = match self.port {
            Some(0) => return Err(invalid("mail.imap.port", "must be 1..=65535")),
            Some(port) => port,
            None if security == MailSecurity::Tls => 993,
            None => 143,
        };
        if self.user.trim().is_empty() {
            return Err(invalid("mail.imap.user", "must not be empty"));
        }
        if self.folder.trim().is_empty() {
            return Err(invalid("mail.imap.folder", "must not be empty"));
        }
        if let Some(file) = &self.ca_file
            && !file.is_file()
        {
            return Err(invalid(
                "mail.imap.ca_file",
                format!("{} is not a readable file", file.display()),
            ));
        }
        let poll = bounded("mail.imap.poll_seconds", self.poll_seconds as i64, 1, 1_740)?;
        Ok(ImapConfig {
            host: self.host,
            port,
            security,
            password: read_password("mail.imap.password_file", &self.password_file)?,
            user: self.user,
            folder: self.folder,
            ca_file: self.ca_file,
            poll: StdDuration::from_secs(poll as u64),
        })
    }
}
