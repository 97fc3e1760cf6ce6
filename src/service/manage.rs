//! The client's manage link (`/manage/<token>`): the appointment the token names,
//! with times to move it to — the best near it, or a day's — and the secret that the
//! page's forms must carry (CSRF), so that only the page itself can change it.

use chrono::NaiveDate;

use super::{Access, Booking, Scheduler, ServiceError};
use crate::slots::Slot;

/// What the manage page shows.
#[derive(Debug, Clone)]
pub struct Managed {
    /// The appointment and its client.
    pub booking: Booking,
    /// Times it could move to: the best near it, or the free times of the day asked for.
    pub times: Vec<Slot>,
}

impl Scheduler {
    /// The appointment whose manage token is `token`, with times to move it to (the
    /// free times of `day`, in the client's zone, when given).
    pub fn managed(&self, token: &str, day: Option<NaiveDate>) -> Result<Managed, ServiceError> {
        let appointment = self
            .store
            .appointment_by_token(token)?
            .ok_or(ServiceError::NotFound("appointment"))?;
        let booking = self.appointment(&appointment.id, &Access::Token(token.to_string()))?;
        let appointment = &booking.appointment;
        let times = if !appointment.is_confirmed() {
            Vec::new()
        } else if let Some(date) = day {
            let query = super::AvailabilityQuery {
                date,
                zone: appointment.client_zone,
                duration_minutes: Some(appointment.interval.duration().num_minutes()),
                meeting_type: Some(appointment.meeting_type.clone()),
                client: Some(super::ClientLookup::Id(appointment.client_id.clone())),
            };
            self.availability(&query)?.all
        } else {
            let kind = self.meeting_type(Some(&appointment.meeting_type))?.clone();
            self.alternatives(
                appointment.interval,
                &kind,
                Some(&booking.client),
                appointment.client_zone,
                Some(&appointment.id),
            )?
        };
        // Its own time is not a move.
        let own = booking.appointment.interval;
        let times = times
            .into_iter()
            .filter(|slot| slot.interval != own)
            .collect();
        Ok(Managed { booking, times })
    }

    /// The appointment whose manage token is `token` as an iCalendar file, for the
    /// client's "add to calendar".
    pub fn managed_event(&self, token: &str) -> Result<String, ServiceError> {
        let managed = self.managed(token, None)?;
        Ok(self
            .render_booking(&managed.booking.appointment, &managed.booking.client)
            .text
            .to_string())
    }

    /// The secret the forms of the page for `scope` (a manage token) carry: a keyed
    /// tag, so no other site can make a browser post them.
    pub fn form_secret(&self, scope: &str) -> Result<String, ServiceError> {
        let mut purpose = b"form\0".to_vec();
        purpose.extend_from_slice(scope.as_bytes());
        self.link_tag(&purpose)
    }

    /// Whether `secret` is the form secret of `scope`, compared in constant time.
    pub fn form_secret_holds(&self, scope: &str, secret: &str) -> Result<bool, ServiceError> {
        let expected = self.form_secret(scope)?;
        Ok(super::admin::constant_time_eq(
            expected.as_bytes(),
            secret.as_bytes(),
        ))
    }
}
