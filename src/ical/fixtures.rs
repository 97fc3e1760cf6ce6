//! The files of `tests/fixtures/ics` (provenance in its README), for the unit tests of
//! this module.

/// Apple Calendar: weekly New York event across DST, one instance moved.
pub const APPLE_RECURRING_WITH_OVERRIDE: &str =
    include_str!("../../tests/fixtures/ics/01-apple-recurring-with-override.ics");
/// Google Calendar: two-day all-day event, transparent.
pub const GOOGLE_ALLDAY: &str = include_str!("../../tests/fixtures/ics/02-google-allday.ics");
/// Outlook: Windows TZID "W. Europe Standard Time".
pub const OUTLOOK_WINDOWS_TZID: &str =
    include_str!("../../tests/fixtures/ics/03-outlook-windows-tzid.ics");
/// Thunderbird: daily rule with EXDATE and RDATE in Europe/Berlin.
pub const THUNDERBIRD_RDATE_EXDATE: &str =
    include_str!("../../tests/fixtures/ics/04-thunderbird-rdate-exdate.ics");
/// Exchange: free-text TZID resolved by the inline VTIMEZONE.
pub const EXCHANGE_FREETEXT_TZID: &str =
    include_str!("../../tests/fixtures/ics/05-exchange-freetext-tzid.ics");
/// Handwritten: floating time, LF line endings.
pub const HANDWRITTEN_FLOATING_LF: &str =
    include_str!("../../tests/fixtures/ics/06-handwritten-floating-lf.ics");
/// Handwritten, invalid: no UID.
pub const HANDWRITTEN_INVALID_NO_UID: &str =
    include_str!("../../tests/fixtures/ics/07-handwritten-invalid-no-uid.ics");
/// Handwritten, invalid: two UIDs.
pub const HANDWRITTEN_INVALID_MIXED_UIDS: &str =
    include_str!("../../tests/fixtures/ics/08-handwritten-invalid-mixed-uids.ics");
