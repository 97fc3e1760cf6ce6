//! Identifier newtypes. Ids and manage tokens are random; a manage token carries 256 bits,
//! so knowing an appointment id never grants access to it.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an existing identifier (read from storage or a request).
            pub fn from_string(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// Identifies an appointment (`apt_` followed by 26 base32 characters).
    AppointmentId
);
string_id!(
    /// Identifies a client (`usr_` followed by 26 base32 characters).
    ClientId
);
string_id!(
    /// The secret in a client's manage link (52 base32 characters, 256 random bits).
    ManageToken
);

impl AppointmentId {
    /// An id made from 128 random bits.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(format!("apt_{}", base32(&bytes)))
    }
}

impl ClientId {
    /// An id made from 128 random bits.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(format!("usr_{}", base32(&bytes)))
    }
}

impl ManageToken {
    /// A token made from 256 random bits.
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(base32(&bytes))
    }

    /// Compares in time independent of where the first difference lies.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// Lower-case RFC 4648 base32 without padding: URL-safe, case-insensitive-friendly.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_prefix_and_full_entropy() {
        let id = AppointmentId::from_random([0xff; 16]);
        assert_eq!(id.as_str().len(), 4 + 26);
        assert!(id.as_str().starts_with("apt_"));
        assert_eq!(ManageToken::from_random([0; 32]).as_str().len(), 52);
    }

    #[test]
    fn token_match_is_exact() {
        let token = ManageToken::from_random([7; 32]);
        assert!(token.matches(token.as_str()));
        assert!(!token.matches(&token.as_str()[1..]));
        assert!(!token.matches(""));
    }
}
