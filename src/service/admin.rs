//! Admin credentials: HTTP Basic with the host id as user name. The password comes from
//! `KAIROS_ADMIN_PASSWORD`, or is generated at first start and printed once; only its
//! argon2 hash is kept. A verified credential is remembered so argon2 (deliberately
//! slow) runs once per distinct password rather than once per request.

use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;

use crate::store::{Store, StoreError};

/// Checks admin credentials.
pub struct AdminCredentials {
    user: String,
    hash: String,
    verified: Mutex<Option<String>>,
}

/// How the admin password was set up at start.
pub enum PasswordOrigin {
    /// From the environment.
    Environment,
    /// A hash stored at an earlier start.
    Stored,
    /// Generated now; this is the only time it is shown.
    Generated(String),
}

/// A fresh random password: 20 characters from a 56-letter alphabet (≈ 116 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("invariant: argon2 with default parameters hashes any password")
        .to_string()
}

/// Equal bytes, compared without stopping at the first difference (for secrets).
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AdminCredentials {
    /// Sets up the credentials of `user`: from `from_env` when given, else the stored
    /// hash, else a generated password whose hash is stored.
    pub fn setup(
        user: &str,
        from_env: Option<String>,
        store: &Store,
    ) -> Result<(Self, PasswordOrigin), StoreError> {
        let (hash, origin) = match from_env {
            Some(password) => (hash(&password), PasswordOrigin::Environment),
            None => match store.admin_password_hash()? {
                Some(stored) => (stored, PasswordOrigin::Stored),
                None => {
                    let password = generate_password();
                    let hashed = hash(&password);
                    if store.init_admin_password_hash(&hashed)? {
                        (hashed, PasswordOrigin::Generated(password))
                    } else {
                        let stored = store.admin_password_hash()?.unwrap_or(hashed);
                        (stored, PasswordOrigin::Stored)
                    }
                }
            },
        };
        let credentials = Self {
            user: user.to_string(),
            hash,
            verified: Mutex::new(None),
        };
        Ok((credentials, origin))
    }

    /// True when `user` and `password` are the admin's.
    pub fn verify(&self, user: &str, password: &str) -> bool {
        if !constant_time_eq(user.as_bytes(), self.user.as_bytes()) {
            return false;
        }
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified
            .as_deref()
            .is_some_and(|known| constant_time_eq(known.as_bytes(), password.as_bytes()))
        {
            return true;
        }
        let Ok(parsed) = PasswordHash::new(&self.hash) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        if ok {
            *verified = Some(password.to_string());
        }
        ok
    }
}
