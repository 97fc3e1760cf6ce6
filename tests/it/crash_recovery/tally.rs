//! The figures of one crash-test run, as printed at its end.

use std::fmt;

/// The figures of one run.
#[derive(Debug, Default)]
pub struct Tally {
    pub kills: usize,
    pub starts: usize,
    pub booking_tries: usize,
    pub bookings: usize,
    pub booking_conflicts: usize,
    pub moves: usize,
    pub move_conflicts: usize,
    pub cancels: usize,
    pub unanswered: usize,
    pub spooled: usize,
    pub invitations: usize,
    pub accepted: usize,
    pub declined: usize,
    pub caldav_writes: usize,
    pub calendar_changes: usize,
    pub appointments: usize,
    pub confirmed: usize,
    pub outbox: usize,
    pub mails: usize,
    pub resent: usize,
    pub google_events: usize,
    pub google_inserts_again: usize,
    /// Processed messages whose outcome record a kill took.
    pub unrecorded: usize,
    pub lost: usize,
    pub duplicated: usize,
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "kills: {} (the last after the drain), server starts: {}",
            self.kills, self.starts
        )?;
        writeln!(
            f,
            "bookings (API): {} acknowledged of {} tried, {} refused as taken; moves: {} ({} refused); cancellations: {}; requests unanswered (killed): {}",
            self.bookings,
            self.booking_tries,
            self.booking_conflicts,
            self.moves,
            self.move_conflicts,
            self.cancels,
            self.unanswered
        )?;
        writeln!(
            f,
            "invitations: {} spooled ({} messages, {} outcome records taken by a kill), {} accepted, {} declined; CalDAV writes: {} personal events, {} bookings moved or cancelled",
            self.invitations,
            self.spooled,
            self.unrecorded,
            self.accepted,
            self.declined,
            self.caldav_writes,
            self.calendar_changes
        )?;
        writeln!(
            f,
            "store: {} appointments ({} confirmed), {} outbox entries; mails captured: {} distinct Message-IDs, {} resent duplicates; Google events: {} live ({} inserts sent again after a failure, a lost answer or a kill)",
            self.appointments,
            self.confirmed,
            self.outbox,
            self.mails,
            self.resent,
            self.google_events,
            self.google_inserts_again
        )?;
        write!(f, "lost: {}, duplicated: {}", self.lost, self.duplicated)
    }
}
