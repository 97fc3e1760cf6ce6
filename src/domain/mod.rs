//! The vocabulary of Kairos and its rules, pure: ids, time intervals and the clock seam,
//! the host, clients and their preferences, appointments and their state machine,
//! meeting types and the availability rules.
//!
//! Must not know: storage, HTTP, async runtimes, mail, or how anything is serialised on
//! the wire beyond plain serde derives. Only `time` may read the wall clock.

pub mod activity;
pub mod appointment;
pub mod calendar;
mod chat;
pub mod client;
pub mod email;
pub mod host;
pub mod ids;
pub mod intent;
pub mod interval;
pub mod invitation;
pub mod rules;
pub mod time;

pub use activity::{Activity, Recorded};
pub use appointment::{Appointment, AppointmentStatus, Channel, ClientAnswer};
pub use calendar::{Calendar, CalendarResource};
pub use chat::ChatSession;
pub use client::{Client, PartOfDay, Preferences, TimeSlot};
pub use email::EmailAddress;
pub use host::Host;
pub use ids::{AppointmentId, ClientId, ManageToken};
pub use intent::{AppointmentChange, Attempt, Delivery, Intent, OutboxEntry};
pub use interval::Interval;
pub use invitation::{Farewell, InvitationAnswer, InvitationRecord, OfferedTime};
pub use rules::{AvailabilityRules, MeetingType, RuleViolation, WorkingHours, WorkingPeriod};
pub use time::{Clock, SettableClock, SystemClock};
