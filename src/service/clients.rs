//! A client's own data: preferences (read and replace) and predicted booking patterns.
//! Visible to the host and to whoever holds a manage token of one of the client's
//! appointments.

use super::{Access, Scheduler, ServiceError};
use crate::domain::{Client, ClientId, Preferences};
use crate::learn::{BookingPattern, PredictedWindow};

/// How many predicted windows a patterns answer lists.
const PREDICTED_WINDOWS: usize = 5;

/// A client's learned booking patterns.
#[derive(Debug, Clone)]
pub struct Patterns {
    /// Whose.
    pub client_id: ClientId,
    /// Bookings recorded for the client.
    pub bookings: u32,
    /// The strongest weekday × hour windows, in the client's zone.
    pub windows: Vec<PredictedWindow>,
    /// The strongest windows of all clients, in the host's zone (used for a new client).
    pub global: Vec<PredictedWindow>,
}

impl Scheduler {
    fn client_for(&self, id: &ClientId, access: &Access) -> Result<Client, ServiceError> {
        let client = self.store.client(id)?;
        match access {
            Access::Admin => client.ok_or(ServiceError::NotFound("client")),
            Access::Anonymous => Err(ServiceError::Unauthorized),
            Access::Token(token) => {
                let holder = self.store.appointment_by_token(token)?;
                match (client, holder) {
                    (Some(client), Some(appointment)) if appointment.client_id == client.id => {
                        Ok(client)
                    }
                    _ => Err(ServiceError::Forbidden),
                }
            }
        }
    }

    /// The client's preferences.
    pub fn preferences(&self, id: &ClientId, access: &Access) -> Result<Preferences, ServiceError> {
        Ok(self.client_for(id, access)?.preferences)
    }

    /// Replaces the client's preferences.
    pub async fn set_preferences(
        &self,
        id: &ClientId,
        access: &Access,
        preferences: Preferences,
    ) -> Result<Preferences, ServiceError> {
        self.client_for(id, access)?;
        let client = self
            .store
            .set_preferences(id, &preferences)?
            .ok_or(ServiceError::NotFound("client"))?;
        self.store.flush().await?;
        Ok(client.preferences)
    }

    /// The client's predicted preferences from booking history.
    pub fn patterns(&self, id: &ClientId, access: &Access) -> Result<Patterns, ServiceError> {
        let client = self.client_for(id, access)?;
        let now = self.clock.now();
        let own: BookingPattern = self.store.pattern(Some(&client.id))?;
        let global: BookingPattern = self.store.pattern(None)?;
        Ok(Patterns {
            client_id: client.id,
            bookings: own.bookings,
            windows: own.predicted(now, self.decay, PREDICTED_WINDOWS),
            global: global.predicted(now, self.decay, PREDICTED_WINDOWS),
        })
    }
}
