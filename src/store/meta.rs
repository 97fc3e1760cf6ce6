//! Server metadata: schema version, the admin password hash, and the key that signs
//! the links Kairos hands out.

use std::path::Path;

use super::{Store, StoreError, keys};

/// The schema this build writes and reads.
pub(super) const SCHEMA: u32 = 1;

impl Store {
    pub(super) fn check_schema(&self, dir: &Path) -> Result<(), StoreError> {
        match self.meta.get(keys::SCHEMA_VERSION)? {
            None => {
                self.meta
                    .insert(keys::SCHEMA_VERSION, SCHEMA.to_string().as_bytes())?;
                Ok(())
            }
            Some(bytes) => {
                let found = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|text| text.parse().ok())
                    .unwrap_or(u32::MAX);
                if found == SCHEMA {
                    Ok(())
                } else {
                    Err(StoreError::Schema {
                        path: dir.to_path_buf(),
                        found,
                        expected: SCHEMA,
                    })
                }
            }
        }
    }

    /// Rekeys manage tokens stored by an earlier version under the token itself by their
    /// digest ([`keys::token`]); a digest is 32 bytes, a token 52 characters.
    pub(super) fn ensure_token_digests(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut any = false;
        for item in self.tokens.iter() {
            let (key, id) = item?;
            if key.len() != 32 {
                batch.insert(&keys::token(&String::from_utf8_lossy(&key))[..], id);
                batch.remove(key);
                any = true;
            }
        }
        if any {
            self.tokens.apply_batch(batch)?;
            self.tokens.flush()?;
        }
        Ok(())
    }

    /// Makes the link-signing key, at random, unless there is one; durable before the
    /// store is used, so no link is ever signed with a key that a crash forgets.
    pub(super) fn ensure_link_key(&self) -> Result<(), StoreError> {
        if self.meta.get(keys::LINK_KEY)?.is_some() {
            return Ok(());
        }
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        let _: Result<_, _> =
            self.meta
                .compare_and_swap(keys::LINK_KEY, None as Option<&[u8]>, Some(&key[..]))?;
        self.meta.flush()?;
        Ok(())
    }

    /// The key that signs the links Kairos hands out (offer pages).
    pub fn link_key(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .meta
            .get(keys::LINK_KEY)?
            .map(|bytes| bytes.to_vec())
            .unwrap_or_default())
    }

    /// The stored admin password hash (PHC string), if one was set.
    pub fn admin_password_hash(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(keys::ADMIN_PASSWORD_HASH)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Stores `hash` unless a hash is already stored; true when it was stored.
    pub fn init_admin_password_hash(&self, hash: &str) -> Result<bool, StoreError> {
        let swapped = self.meta.compare_and_swap(
            keys::ADMIN_PASSWORD_HASH,
            None as Option<&[u8]>,
            Some(hash.as_bytes()),
        )?;
        Ok(swapped.is_ok())
    }
}
