//! Language understanding as the chat box and mail replies use it. The first four bytes
//! set the context: bytes 0–2 the reference time (minutes after 2024-01-01 00:00, up
//! to 2055), byte 3 the reader's zone (low three bits) and how many options were offered
//! (the rest, up to 5); the remaining bytes (lossy UTF-8) are the text. The text also
//! goes through a reply's own words, the option choice, and the JSON Lines protocol.
#![no_main]

use chrono::{Duration, FixedOffset, NaiveDate};
use kairos::nlp::{self, Context, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((header, text)) = data.split_first_chunk::<4>() else {
        return;
    };
    let minutes = u32::from_be_bytes([0, header[0], header[1], header[2]]);
    let now = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .expect("invariant: a valid fixed date")
        + Duration::minutes(i64::from(minutes));
    let zone = zone(header[3] & 0b111);
    let offered = usize::from((header[3] >> 3) % 6);
    let options = (0..offered)
        .map(|n| now + Duration::hours(20 + 26 * n as i64))
        .collect();
    let text = String::from_utf8_lossy(text);
    let context = Context { now, zone, options };
    let _ = nlp::understand(&text, &context);
    let words = nlp::own_words(&text);
    let _ = nlp::choice(&words, offered);
    let _ = nlp::protocol::answer(&text);
});

fn zone(index: u8) -> Zone {
    let fixed = |seconds| Zone::Fixed(FixedOffset::east_opt(seconds).expect("invariant: in range"));
    match index {
        0 => Zone::Named(chrono_tz::UTC),
        1 => Zone::Named(chrono_tz::Europe::Berlin),
        2 => Zone::Named(chrono_tz::America::New_York),
        3 => Zone::Named(chrono_tz::Australia::Lord_Howe),
        4 => Zone::Named(chrono_tz::Asia::Kolkata),
        5 => fixed(-2 * 3600),
        6 => fixed(13 * 3600 + 45 * 60),
        _ => Zone::Named(chrono_tz::America::Santiago),
    }
}
