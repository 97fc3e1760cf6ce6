//! Server metadata: schema version and the admin password hash.

use std::path::Path;

use super::{Store, StoreError, keys};

/// The schema this build writes and reads.
const SCHEMA: u32 = 1;

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
