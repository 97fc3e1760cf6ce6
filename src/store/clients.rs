//! Reads of appointments, clients and booking patterns, and the preference update.

use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Store, StoreError, decode, encode, keys};
use crate::domain::{Appointment, AppointmentId, Client, ClientId, EmailAddress, Preferences};

impl Store {
    /// The appointment with `id`.
    pub fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError> {
        self.appointments
            .get(id.as_str().as_bytes())?
            .map(|bytes| decode(keys::APPOINTMENTS, &bytes))
            .transpose()
    }

    /// Every appointment, confirmed or cancelled.
    pub fn appointments(&self) -> Result<Vec<Appointment>, StoreError> {
        self.appointments
            .iter()
            .map(|item| decode(keys::APPOINTMENTS, &item?.1))
            .collect()
    }

    /// The appointment whose manage token is `token`, found by the token's digest and
    /// then compared in constant time.
    pub fn appointment_by_token(&self, token: &str) -> Result<Option<Appointment>, StoreError> {
        let Some(id) = self.tokens.get(keys::token(token))? else {
            return Ok(None);
        };
        let appointment =
            self.appointment(&AppointmentId::from_string(String::from_utf8_lossy(&id)))?;
        Ok(appointment.filter(|appointment| appointment.manage_token.matches(token)))
    }

    /// The client with `id`.
    pub fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        self.clients
            .get(id.as_str().as_bytes())?
            .map(|bytes| decode(keys::CLIENTS, &bytes))
            .transpose()
    }

    /// The client with this address, however it is capitalised.
    pub fn client_by_email(&self, email: &EmailAddress) -> Result<Option<Client>, StoreError> {
        match self.client_emails.get(email.lookup_key().as_bytes())? {
            Some(id) => self.client(&ClientId::from_string(String::from_utf8_lossy(&id))),
            None => Ok(None),
        }
    }

    /// Replaces a client's preferences; `None` when there is no such client.
    pub fn set_preferences(
        &self,
        id: &ClientId,
        preferences: &Preferences,
    ) -> Result<Option<Client>, StoreError> {
        let result = self.clients.transaction(|clients| {
            let Some(bytes) = clients.get(id.as_str().as_bytes())? else {
                return Ok(None);
            };
            let mut client: Client =
                decode(keys::CLIENTS, &bytes).map_err(ConflictableTransactionError::Abort)?;
            client.preferences = preferences.clone();
            clients.insert(id.as_str().as_bytes(), encode(&client))?;
            Ok(Some(client))
        });
        match result {
            Ok(client) => Ok(client),
            Err(TransactionError::Abort(error)) => Err(error),
            Err(TransactionError::Storage(error)) => Err(error.into()),
        }
    }

    /// The booking pattern of `client`, or of everyone when `None`; empty when none yet.
    pub fn pattern<P: DeserializeOwned + Default>(
        &self,
        client: Option<&ClientId>,
    ) -> Result<P, StoreError> {
        let key = client.map_or(keys::GLOBAL_PATTERN, |id| id.as_str().as_bytes());
        Ok(self
            .patterns
            .get(key)?
            .map(|bytes| decode(keys::PATTERNS, &bytes))
            .transpose()?
            .unwrap_or_default())
    }
}
