//! Inbound mail to iTIP, as the inbound spool's processing reads a message: raw RFC 5322
//! bytes → the calendar part and headers (imip) → the calendar object → what it asks
//! of the booking address (itip). An invitation's instances are expanded over a year
//! and answered with a REPLY (what accepting or declining writes); a message without a
//! calendar is read as a reply in plain words (its own lines, then which option).
#![no_main]

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use kairos::domain::{EmailAddress, Interval};
use kairos::ical::CalendarObject;
use kairos::ical::write::{self, PartStat, Participant};
use kairos::itip::{self, Asked, Envelope};
use kairos::mail::imip;
use kairos::nlp;
use libfuzzer_sys::fuzz_target;

const HOST_ZONE: Tz = chrono_tz::Europe::London;

fuzz_target!(|data: &[u8]| {
    let Ok(mail) = imip::extract(data) else {
        return;
    };
    let booking = EmailAddress::parse("book@kairos.example").expect("invariant: a valid address");
    let now = Utc
        .with_ymd_and_hms(2025, 3, 28, 9, 0, 0)
        .single()
        .expect("invariant: a valid fixed date");
    let Some(calendar) = mail.calendar.as_deref() else {
        let words = nlp::own_words(&mail.text);
        let _ = nlp::choice(&words, 3);
        return;
    };
    let Ok(object) = CalendarObject::parse(calendar) else {
        return;
    };
    let envelope = Envelope {
        from: &mail.from,
        sender: mail.sender.as_ref(),
    };
    let _ = itip::counter_allowed(&object);
    let Ok(Asked::Invitation(invitation)) =
        itip::read(&object, mail.mime_method.as_deref(), &envelope, &booking)
    else {
        return;
    };
    let start = object.span(HOST_ZONE).map_or(now, |span| span.start);
    let end = start
        .checked_add_signed(Duration::days(366))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if let Some(window) = Interval::new(start, end) {
        let _ = object.occurrences(window, HOST_ZONE);
    }
    let me = Participant {
        email: &booking,
        name: invitation.organizer_name.as_deref(),
    };
    let _ = write::reply(&object, &me, PartStat::Accepted, now);
});
