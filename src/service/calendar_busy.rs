//! Busy time from the host's own calendars, as availability sees it: every stored
//! calendar but `bookings` (appointments are busy through the day ledger) and the
//! transparent ones, each occurrence of each event that is not itself transparent.
//!
//! Must not know: HTTP, DAV, or how availability weighs busy time.

use std::sync::Arc;

use chrono_tz::Tz;

use super::cache::Caches;
use super::calendars::StoredMembers;
use super::{BusyError, BusySource, ServiceError};
use crate::domain::Interval;
use crate::domain::calendar::Span;
use crate::store::Store;

/// Busy time from the host's own calendars (all but `bookings`, and not the
/// transparent ones): the seam through which CalDAV feeds availability.
pub struct CalendarBusy {
    store: Store,
    floating: Tz,
    caches: Arc<Caches>,
}

impl CalendarBusy {
    /// Busy time of the calendars in `store`; floating times read in `floating`.
    pub fn new(store: Store, floating: Tz, caches: Arc<Caches>) -> Self {
        Self {
            store,
            floating,
            caches,
        }
    }

    fn collect(&self, range: Interval) -> Result<Vec<Interval>, ServiceError> {
        let mut busy = Vec::new();
        for calendar in self.store.calendars()? {
            if calendar.is_bookings() || calendar.transparent {
                continue;
            }
            let stored = StoredMembers {
                store: &self.store,
                calendar: &calendar.id,
            };
            let snapshot = self.caches.snapshots.resources(
                &self.store,
                &calendar.id,
                &self.caches.parsed,
                &stored,
            )?;
            for (index, resource) in snapshot.resources().iter().enumerate() {
                if !resource
                    .span
                    .is_some_and(|span: Span| span.may_overlap(&range))
                {
                    continue;
                }
                // A resource that no longer parses makes no busy time.
                if let Some(object) = snapshot.object(index, &self.caches.parsed) {
                    busy.extend(
                        object
                            .occurrences(range, self.floating)
                            .into_iter()
                            .filter(|occurrence| !occurrence.transparent)
                            .map(|occurrence| occurrence.interval),
                    );
                }
            }
        }
        Ok(busy)
    }
}

impl BusySource for CalendarBusy {
    fn name(&self) -> &str {
        "calendars"
    }

    fn busy(&self, range: Interval) -> Result<Vec<Interval>, BusyError> {
        self.collect(range).map_err(|error| BusyError {
            source_name: self.name().to_string(),
            message: error.to_string(),
        })
    }
}
