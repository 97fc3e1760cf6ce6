//! VFREEBUSY (RFC 5545 §3.6.4) for CalDAV free-busy-query (RFC 4791 §7.10) and the
//! published free/busy URL: busy periods only, merged and clipped, never titles.
//!
//! Must not know: where the busy time came from.

use chrono::{DateTime, Utc};

use super::{ContentLines, utc};
use crate::domain::interval::merge;
use crate::domain::{EmailAddress, Interval};

/// The VCALENDAR with one VFREEBUSY covering `range`: one `FREEBUSY;FBTYPE=BUSY` line per
/// merged busy period inside it, in UTC. `who`, when given, is written as the
/// ORGANIZER (the calendar user whose time this is).
pub fn freebusy(
    who: Option<&EmailAddress>,
    range: Interval,
    busy: &[Interval],
    dtstamp: DateTime<Utc>,
) -> String {
    let clipped = busy
        .iter()
        .filter_map(|b| Interval::new(b.start.max(range.start), b.end.min(range.end)))
        .collect();
    let (start, end) = (utc(range.start), utc(range.end));
    let mut lines = ContentLines::calendar();
    lines.line("BEGIN:VFREEBUSY");
    lines.line(&format!("UID:kairos-freebusy-{start}-{end}"));
    lines.line(&format!("DTSTAMP:{}", utc(dtstamp)));
    lines.line(&format!("DTSTART:{start}"));
    lines.line(&format!("DTEND:{end}"));
    if let Some(who) = who {
        lines.line(&format!("ORGANIZER:mailto:{who}"));
    }
    for period in merge(clipped) {
        lines.line(&format!(
            "FREEBUSY;FBTYPE=BUSY:{}/{}",
            utc(period.start),
            utc(period.end)
        ));
    }
    lines.line("END:VFREEBUSY");
    lines.finish()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 3, day)
            .and_then(|date| date.and_hms_opt(hour, minute, 0))
            .expect("valid test time")
            .and_utc()
    }

    fn iv(from: DateTime<Utc>, to: DateTime<Utc>) -> Interval {
        Interval::new(from, to).expect("non-empty")
    }

    #[test]
    fn busy_periods_are_merged_clipped_and_written_in_utc() {
        let host = EmailAddress::parse("domina@example.com").expect("valid");
        let busy = [
            iv(at(2, 9, 0), at(2, 10, 0)),
            iv(at(2, 9, 30), at(2, 11, 0)),
            iv(at(2, 11, 0), at(2, 11, 30)),
            iv(at(1, 22, 0), at(2, 8, 30)),
            iv(at(4, 9, 0), at(4, 10, 0)),
        ];
        let text = freebusy(
            Some(&host),
            iv(at(2, 8, 0), at(3, 8, 0)),
            &busy,
            at(1, 12, 0),
        );
        assert_eq!(
            text,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos//Kairos//EN\r\nBEGIN:VFREEBUSY\r\n\
             UID:kairos-freebusy-20260302T080000Z-20260303T080000Z\r\nDTSTAMP:20260301T120000Z\r\n\
             DTSTART:20260302T080000Z\r\nDTEND:20260303T080000Z\r\nORGANIZER:mailto:domina@example.com\r\n\
             FREEBUSY;FBTYPE=BUSY:20260302T080000Z/20260302T083000Z\r\n\
             FREEBUSY;FBTYPE=BUSY:20260302T090000Z/20260302T113000Z\r\n\
             END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
        );
    }
}
