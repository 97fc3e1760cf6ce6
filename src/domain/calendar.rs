//! Calendar collections as the host sees them in her calendar app: the `bookings`
//! calendar (every appointment), `personal` (her own events) and any she creates.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{AppointmentId, Interval};

/// The calendar that shows every appointment.
pub const BOOKINGS: &str = "bookings";
/// The host's own calendar; its events are busy time.
pub const PERSONAL: &str = "personal";

/// Names under the calendar home that are not calendars (RFC 6638 scheduling collections).
pub const RESERVED_NAMES: &[&str] = &["inbox", "outbox"];

/// True when `id` may name a new calendar: not reserved, plain characters only.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !RESERVED_NAMES.contains(&id)
        && id != "."
        && id != ".."
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c))
}

/// The resource name of an appointment in the bookings calendar.
pub fn booking_resource(id: &AppointmentId) -> String {
    format!("{id}.ics")
}

/// A calendar collection's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// Path segment under the calendar home (`personal`).
    pub id: String,
    /// Name shown in calendar apps.
    pub display_name: String,
    /// `#RRGGBBAA` as Apple writes it, if set.
    #[serde(default)]
    pub color: Option<String>,
    /// Sort position among calendars, if set.
    #[serde(default)]
    pub order: Option<String>,
    /// Free-text description.
    #[serde(default)]
    pub description: Option<String>,
    /// A VTIMEZONE calendar (CALDAV:calendar-timezone), if set.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Its events do not make the host busy (schedule-calendar-transp = transparent).
    #[serde(default)]
    pub transparent: bool,
    /// Component types accepted (`VEVENT`, `VTODO`).
    pub components: Vec<String>,
    /// Properties a client set that Kairos does not interpret (WebDAV dead
    /// properties), by `{namespace}name`, with their text value.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

impl Calendar {
    /// A new opaque calendar of events.
    pub fn new(id: &str, display_name: &str) -> Self {
        Self {
            id: id.to_string(),
            display_name: display_name.to_string(),
            color: None,
            order: None,
            description: None,
            timezone: None,
            transparent: false,
            components: vec!["VEVENT".to_string()],
            properties: BTreeMap::new(),
        }
    }

    /// True for the calendar made of appointments.
    pub fn is_bookings(&self) -> bool {
        self.id == BOOKINGS
    }
}

/// A calendar object resource as stored: the client's text, kept byte for byte. Every
/// field is shared, so listing a calendar copies no text and cloning costs no allocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarResource {
    /// File name within the collection (`abc.ics`).
    pub name: Arc<str>,
    /// The iCalendar UID of its components.
    pub uid: Arc<str>,
    /// Strong entity tag, quoted.
    pub etag: Arc<str>,
    /// The iCalendar text as received (shared: listing a calendar copies no text).
    pub text: Arc<str>,
    /// The time its components can make busy, for skipping it quickly when no
    /// occurrence can fall in a range; `None` when it makes no busy time.
    #[serde(default)]
    pub span: Option<Span>,
}

/// From the first occurrence's start to the last occurrence's end (`None`: no end,
/// a recurrence without UNTIL or COUNT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Earliest instant any occurrence covers.
    pub start: DateTime<Utc>,
    /// Latest instant any occurrence covers, if bounded.
    pub end: Option<DateTime<Utc>>,
}

impl Span {
    /// True when some occurrence could overlap `range`.
    pub fn may_overlap(&self, range: &Interval) -> bool {
        self.start < range.end && self.end.is_none_or(|end| end > range.start)
    }
}
