//! The host: the one professional whose time Kairos books.

use chrono_tz::Tz;

use super::EmailAddress;

/// Who is being booked.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Short id used in URLs and as the admin user name (`domina`).
    pub id: String,
    /// Display name ("Domina").
    pub name: String,
    /// Her own address.
    pub email: EmailAddress,
    /// The address clients send invitations to.
    pub booking_address: EmailAddress,
    /// Her zone: working hours and daily limits are counted in it.
    pub zone: Tz,
}
