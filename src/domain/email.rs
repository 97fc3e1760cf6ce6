//! Email addresses as Kairos accepts them: a pragmatic subset of RFC 5321 that every
//! mail system delivers to (no quoted local parts, no IP-literal domains).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A syntactically valid address; the domain part is stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and normalises `text`; `None` when it is not an address Kairos can mail.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() > 254 {
            return None;
        }
        let (local, domain) = text.rsplit_once('@')?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        (local_ok && domain_ok).then(|| Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which two spellings of one mailbox meet (case-folded).
    pub fn lookup_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("not an email address: {value}"))
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        for (input, stored) in [
            ("alice@example.com", "alice@example.com"),
            (
                " Bob.Smith+tax@Example.CO.uk ",
                "Bob.Smith+tax@example.co.uk",
            ),
            ("o'neil@mail-host.example", "o'neil@mail-host.example"),
        ] {
            assert_eq!(
                EmailAddress::parse(input).map(|e| e.0),
                Some(stored.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_what_cannot_be_mailed() {
        for input in [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@localhost",
            "a b@example.com",
            "alice@exa mple.com",
            ".alice@example.com",
            "al..ice@example.com",
            "alice@-example.com",
            "alice@example..com",
            "<script>@x.com",
        ] {
            assert!(EmailAddress::parse(input).is_none(), "{input}");
        }
    }
}
