//! Tree names and key encodings, all in one place.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `appointments` | appointment id | `Appointment` (JSON) |
//! | `days` | host-local start date (see [`day`]) | ledger of confirmed appointments starting that day |
//! | `tokens` | BLAKE2b-256 digest of a manage token ([`token`]) | appointment id |
//! | `clients` | client id | `Client` (JSON) |
//! | `client_emails` | case-folded email | client id |
//! | `patterns` | client id, or `*` for everyone | booking pattern (JSON) |
//! | `calendars` | calendar id | `Calendar` (JSON) |
//! | `resources` | `<calendar>\0<name>` | `CalendarResource` (JSON) |
//! | `resource_uids` | `<calendar>\0<uid>` | resource name |
//! | `journal` | `seq\0<calendar>` / `chg\0<calendar>\0<seq u64 BE>` | change counter / change (JSON) |
//! | `outbox` | entry id (u64 BE) | `OutboxEntry` (JSON) |
//! | `invitations` | invitation UID; `\0appointment\0<id>` ([`invitation_of`]); `\0series\0<uid>` ([`SERIES`]) | `InvitationRecord` (JSON); the UID that appointment accepted; an accepted series (empty) |
//! | `inbound` | spool file name | what processing the message came to (JSON) |
//! | `holds` | invitation UID | `Hold` (JSON): a time proposed by COUNTER, kept free |
//! | `reminders` | `<appointment>\0<minutes before>\0<start, s>`; `<appointment>\0follow-up\0<start, s>`; `\0agenda\0<date>` | when the reminder, follow-up or agenda was queued |
//! | `activity` | moment (µs since 1970, u64 BE, sign bit flipped) + unique id (u64 BE) | `Recorded` (JSON): what happened, for the dashboard |
//! | `chats` | session id | `ChatSession` (JSON): the booking assistant's conversation |
//! | `google` | `<calendar>\0<event id>`; `\0sync\0<calendar>` | busy `Interval` (JSON) of a mirrored event; the calendar's sync token |
//! | `meta` | setting name | value |

use chrono::{Datelike, NaiveDate};

pub const APPOINTMENTS: &str = "appointments";
pub const DAYS: &str = "days";
pub const TOKENS: &str = "tokens";
pub const CLIENTS: &str = "clients";
pub const CLIENT_EMAILS: &str = "client_emails";
pub const PATTERNS: &str = "patterns";
pub const CALENDARS: &str = "calendars";
pub const RESOURCES: &str = "resources";
pub const RESOURCE_UIDS: &str = "resource_uids";
pub const JOURNAL: &str = "journal";
pub const OUTBOX: &str = "outbox";
pub const INVITATIONS: &str = "invitations";
pub const INBOUND: &str = "inbound";
pub const HOLDS: &str = "holds";
pub const GOOGLE: &str = "google";
pub const CHATS: &str = "chats";
pub const REMINDERS: &str = "reminders";
pub const ACTIVITY: &str = "activity";
pub const META: &str = "meta";

/// Every tree the store opens, in the order of the table above (the order of a backup).
pub const ALL: [&str; 19] = [
    APPOINTMENTS,
    DAYS,
    TOKENS,
    CLIENTS,
    CLIENT_EMAILS,
    PATTERNS,
    CALENDARS,
    RESOURCES,
    RESOURCE_UIDS,
    JOURNAL,
    OUTBOX,
    INVITATIONS,
    INBOUND,
    HOLDS,
    REMINDERS,
    ACTIVITY,
    CHATS,
    GOOGLE,
    META,
];

/// The key under which the `invitations` tree notes which invitation appointment `id`
/// accepted (UIDs are text and never start with NUL).
pub fn invitation_of(id: &crate::domain::AppointmentId) -> Vec<u8> {
    let mut key = b"\0appointment\0".to_vec();
    key.extend_from_slice(id.as_str().as_bytes());
    key
}

/// The prefix under which the `invitations` tree lists the series of meetings accepted
/// by invitation (whose meetings are the host's busy time).
pub const SERIES: &[u8] = b"\0series\0";

/// The key listing accepted series `uid`.
pub fn series(uid: &str) -> Vec<u8> {
    let mut key = SERIES.to_vec();
    key.extend_from_slice(uid.as_bytes());
    key
}

/// The `tokens` key of a manage token: its BLAKE2b-256 digest. A lookup by the
/// token itself would take longer the more leading bytes a guess shares with a real
/// token; a lookup by digest tells a guesser nothing about the token.
pub fn token(token: &str) -> [u8; 32] {
    use blake2::digest::Digest as _;
    blake2::Blake2b::<blake2::digest::consts::U32>::digest(token.as_bytes()).into()
}

/// The pattern of all clients together.
pub const GLOBAL_PATTERN: &[u8] = b"*";

pub const SCHEMA_VERSION: &str = "schema_version";
pub const LEDGER_ZONE: &str = "ledger_zone";
pub const ADMIN_PASSWORD_HASH: &str = "admin_password_hash";
pub const LINK_KEY: &str = "link_key";

/// A day as 4 big-endian bytes of its day number with the sign bit flipped, so byte
/// order is date order for every date chrono can represent.
pub fn day(date: NaiveDate) -> [u8; 4] {
    (date.num_days_from_ce().cast_unsigned() ^ 0x8000_0000).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::day;
    use chrono::NaiveDate;

    #[test]
    fn day_keys_sort_like_dates() {
        let dates = [
            NaiveDate::MIN,
            NaiveDate::from_ymd_opt(-1, 12, 31).expect("valid"),
            NaiveDate::from_ymd_opt(1, 1, 1).expect("valid"),
            NaiveDate::from_ymd_opt(2026, 3, 3).expect("valid"),
            NaiveDate::from_ymd_opt(10000, 1, 1).expect("valid"),
            NaiveDate::MAX,
        ];
        for pair in dates.windows(2) {
            assert!(day(pair[0]) < day(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }
}
