//! Tree names and key encodings, all in one place.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `appointments` | appointment id | `Appointment` (JSON) |
//! | `days` | host-local start date `YYYY-MM-DD` | ledger of confirmed appointments starting that day |
//! | `tokens` | manage token | appointment id |
//! | `clients` | client id | `Client` (JSON) |
//! | `client_emails` | case-folded email | client id |
//! | `patterns` | client id, or `*` for everyone | booking pattern (JSON) |
//! | `meta` | setting name | value |

use chrono::NaiveDate;

pub const APPOINTMENTS: &str = "appointments";
pub const DAYS: &str = "days";
pub const TOKENS: &str = "tokens";
pub const CLIENTS: &str = "clients";
pub const CLIENT_EMAILS: &str = "client_emails";
pub const PATTERNS: &str = "patterns";
pub const META: &str = "meta";

/// The pattern of all clients together.
pub const GLOBAL_PATTERN: &[u8] = b"*";

pub const SCHEMA_VERSION: &str = "schema_version";
pub const LEDGER_ZONE: &str = "ledger_zone";
pub const ADMIN_PASSWORD_HASH: &str = "admin_password_hash";

/// `YYYY-MM-DD`: byte order is date order, so ranges of days are key ranges.
pub fn day(date: NaiveDate) -> [u8; 10] {
    let text = date.format("%Y-%m-%d").to_string();
    let mut key = [b'0'; 10];
    key.copy_from_slice(&text.as_bytes()[..10]);
    key
}
