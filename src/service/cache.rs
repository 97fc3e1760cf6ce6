//! What calendar reads would otherwise redo on every request: each calendar's
//! resources as of its journal position ([`Snapshots`]), and each resource parsed as
//! of its ETag ([`ParsedObjects`]). A calendar-query, a free/busy answer or an
//! availability check reads many stored objects; decoding and parsing each one every
//! time would dominate. Both are invalidated by the same numbers that tell clients
//! something changed: the calendar's sequence number and the resource's ETag.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::domain::CalendarResource;
use crate::ical::CalendarObject;
use crate::store::{Store, StoreError};

/// Most objects kept before the cache starts over.
const CAPACITY: usize = 50_000;

/// The parsed objects of one calendar by resource name, each with the ETag it was
/// parsed at.
type Parsed = HashMap<Arc<str>, (Arc<str>, Arc<CalendarObject>)>;

/// Calendar objects by calendar and resource name. Looking one up allocates nothing.
#[derive(Default)]
pub struct ParsedObjects {
    calendars: RwLock<HashMap<String, Parsed>>,
}

impl ParsedObjects {
    /// `resource` of `calendar`, parsed; `None` when its text does not parse (stored
    /// text was validated when written, so only an older build's leniency gets here).
    pub fn get(&self, calendar: &str, resource: &CalendarResource) -> Option<Arc<CalendarObject>> {
        {
            let calendars = self
                .calendars
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let cached = calendars
                .get(calendar)
                .and_then(|parsed| parsed.get(&*resource.name))
                .filter(|(etag, _)| *etag == resource.etag);
            if let Some((_, object)) = cached {
                return Some(Arc::clone(object));
            }
        }
        let object = Arc::new(CalendarObject::parse(&resource.text).ok()?);
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if calendars.values().map(HashMap::len).sum::<usize>() >= CAPACITY {
            calendars.clear();
        }
        calendars.entry(calendar.to_string()).or_default().insert(
            Arc::clone(&resource.name),
            (Arc::clone(&resource.etag), Arc::clone(&object)),
        );
        Some(object)
    }
}

impl ParsedObjects {
    /// Forgets the parses of `calendar`'s resources that are not among `resources`
    /// (deleted ones), so the cache holds what the calendars hold, not what they once
    /// held.
    fn keep_only(&self, calendar: &str, resources: &[CalendarResource]) {
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parsed) = calendars.get_mut(calendar) {
            let live: std::collections::HashSet<&str> =
                resources.iter().map(|resource| &*resource.name).collect();
            parsed.retain(|name, _| live.contains(&**name));
        }
    }
}

/// Both caches, shared by the use cases and the calendars' busy source.
#[derive(Default)]
pub struct Caches {
    /// Parsed objects by ETag.
    pub parsed: ParsedObjects,
    /// Resources by calendar sequence number.
    pub snapshots: Snapshots,
    /// The last VTIMEZONE written, by zone and year.
    vtimezone: RwLock<Option<(chrono_tz::Tz, i32, String)>>,
}

impl Caches {
    /// The VTIMEZONE of `zone` with the rules of `year`, written once per zone and year.
    pub fn vtimezone(&self, zone: chrono_tz::Tz, year: i32) -> String {
        {
            let cached = self
                .vtimezone
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((_, _, text)) = cached
                .as_ref()
                .filter(|(of, at, _)| *of == zone && *at == year)
            {
                return text.clone();
            }
        }
        let text = crate::ical::write::vtimezone(zone, year);
        *self
            .vtimezone
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((zone, year, text.clone()));
        text
    }
}

/// A calendar's resources as of one journal position, each parsed on first use. Reads
/// that go through many objects (queries, free/busy, availability) find each parsed
/// object by position, without a lookup by name.
pub struct CalendarSnapshot {
    calendar: String,
    resources: Vec<CalendarResource>,
    parsed: Vec<OnceLock<Option<Arc<CalendarObject>>>>,
}

impl CalendarSnapshot {
    /// The snapshot of `resources`, which belong to `calendar`.
    pub fn new(calendar: &str, resources: Vec<CalendarResource>) -> Self {
        Self {
            calendar: calendar.to_string(),
            parsed: resources.iter().map(|_| OnceLock::new()).collect(),
            resources,
        }
    }

    /// The resources, by name.
    pub fn resources(&self) -> &[CalendarResource] {
        &self.resources
    }

    /// The parsed object of the resource at `index`, parsed on first use (`None` for
    /// text that no longer parses: stored text was validated when written, so only
    /// an older build's leniency gets there). `parsed` shares the parse of unchanged
    /// resources across snapshots.
    pub fn object(&self, index: usize, parsed: &ParsedObjects) -> Option<&Arc<CalendarObject>> {
        let resource = self.resources.get(index)?;
        self.parsed[index]
            .get_or_init(|| parsed.get(&self.calendar, resource))
            .as_ref()
    }
}

/// A calendar's snapshot and the sequence number it was read at.
type Snapshot = (u64, Arc<CalendarSnapshot>);

/// Each calendar's resources, as read at a journal position.
#[derive(Default)]
pub struct Snapshots {
    calendars: RwLock<HashMap<String, Snapshot>>,
}

impl Snapshots {
    /// The resources of `calendar`, read again only when its sequence number moved
    /// (then the parses of resources gone since are dropped from `parsed`). A snapshot
    /// is at least as new as the number it is filed under: the number is read before
    /// the resources.
    pub fn resources(
        &self,
        store: &Store,
        calendar: &str,
        parsed: &ParsedObjects,
    ) -> Result<Arc<CalendarSnapshot>, StoreError> {
        let seq = store.calendar_seq(calendar)?;
        {
            let calendars = self
                .calendars
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((_, snapshot)) = calendars.get(calendar).filter(|(at, _)| *at == seq) {
                return Ok(Arc::clone(snapshot));
            }
        }
        let snapshot = Arc::new(CalendarSnapshot::new(calendar, store.resources(calendar)?));
        parsed.keep_only(calendar, snapshot.resources());
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        calendars.insert(calendar.to_string(), (seq, Arc::clone(&snapshot)));
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(etag: &str, summary: &str) -> CalendarResource {
        CalendarResource {
            name: "a.ics".into(),
            uid: "a".into(),
            etag: etag.into(),
            text: format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260303T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            )
            .into(),
            span: None,
        }
    }

    #[test]
    fn parses_of_deleted_resources_are_dropped_with_the_next_snapshot() {
        let cache = ParsedObjects::default();
        let kept = resource("\"1\"", "Kept");
        let mut gone = resource("\"1\"", "Gone");
        gone.name = "b.ics".into();
        cache.get("bookings", &kept).expect("parses");
        cache.get("bookings", &gone).expect("parses");
        cache.get("personal", &gone).expect("parses");
        cache.keep_only("bookings", std::slice::from_ref(&kept));
        let calendars = cache.calendars.read().expect("not poisoned");
        let names = |calendar: &str| {
            let mut names: Vec<String> = calendars[calendar]
                .keys()
                .map(|name| name.to_string())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names("bookings"), ["a.ics"]);
        assert_eq!(names("personal"), ["b.ics"], "other calendars untouched");
    }

    #[test]
    fn a_new_etag_means_a_new_parse() {
        let cache = ParsedObjects::default();
        let first = cache
            .get("personal", &resource("\"1\"", "Old"))
            .expect("parses");
        let again = cache
            .get("personal", &resource("\"1\"", "Old"))
            .expect("parses");
        assert!(Arc::ptr_eq(&first, &again), "same ETag, same parse");
        let changed = cache
            .get("personal", &resource("\"2\"", "New"))
            .expect("parses");
        assert_eq!(changed.summary(), Some("New"));
        let broken = CalendarResource {
            etag: "\"3\"".into(),
            text: "not a calendar".into(),
            ..resource("", "")
        };
        assert!(cache.get("personal", &broken).is_none());
    }

    #[test]
    fn a_snapshot_parses_each_member_once_and_shares_unchanged_ones() {
        let parsed = ParsedObjects::default();
        let broken = CalendarResource {
            name: "b.ics".into(),
            etag: "\"9\"".into(),
            text: "not a calendar".into(),
            ..resource("", "")
        };
        let first = CalendarSnapshot::new("personal", vec![resource("\"1\"", "Old"), broken]);
        let object = first.object(0, &parsed).expect("parses");
        assert!(Arc::ptr_eq(
            object,
            first.object(0, &parsed).expect("parses")
        ));
        assert!(first.object(1, &parsed).is_none(), "no longer parses");
        assert!(first.object(2, &parsed).is_none(), "no such member");
        // The next snapshot (after another resource changed) reuses the parse.
        let next = CalendarSnapshot::new("personal", vec![resource("\"1\"", "Old")]);
        assert!(Arc::ptr_eq(
            object,
            next.object(0, &parsed).expect("parses")
        ));
        let changed = CalendarSnapshot::new("personal", vec![resource("\"2\"", "New")]);
        let reparsed = changed.object(0, &parsed).expect("parses");
        assert_eq!(reparsed.summary(), Some("New"));
    }
}
