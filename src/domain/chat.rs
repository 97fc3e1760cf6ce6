//! A conversation with the booking page's assistant: what the visitor has said so far
//! that a booking needs (length, meeting type, purpose, the time chosen) and the times
//! last offered, which "option 2" refers to.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Interval;

/// One visitor's conversation, kept until it has been idle for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatSession {
    /// Its id (random; the visitor's page holds it).
    pub id: String,
    /// The visitor's zone.
    #[serde(with = "super::appointment::zone")]
    pub zone: Tz,
    /// The length asked for, in minutes.
    pub duration_minutes: Option<u32>,
    /// The meeting type, when named.
    pub meeting_type: Option<String>,
    /// What it is about.
    pub purpose: Option<String>,
    /// The times last offered, in order.
    pub offered: Vec<Interval>,
    /// The time chosen, once one is.
    pub chosen: Option<Interval>,
    /// When the visitor last wrote.
    pub updated_at: DateTime<Utc>,
    /// When the conversation began.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
}
