//! What calendar reads would otherwise redo on every request: each calendar's
//! resources as of its journal position ([`Snapshots`]: read whole once, then brought
//! forward by the journal's changes), and each resource parsed as of its ETag
//! ([`ParsedObjects`]). A calendar-query, a free/busy answer or an availability check
//! reads many stored objects; decoding and parsing each one every time would dominate,
//! and a booking server's calendars only grow. Both are invalidated by the same numbers
//! that tell clients something changed: the calendar's sequence number and the
//! resource's ETag.
//!
//! Must not know: how a calendar's members are read or rendered ([`Members`] says).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock, RwLock};

use super::ServiceError;
use crate::domain::CalendarResource;
use crate::ical::CalendarObject;
use crate::store::Store;

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
    /// Forgets the parses of `calendar`'s resources that are not among `names` (deleted
    /// ones), so the cache holds what the calendars hold, not what they once held.
    fn keep_only<'a>(&self, calendar: &str, names: impl Iterator<Item = &'a Arc<str>>) {
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parsed) = calendars.get_mut(calendar) {
            let live: HashSet<&str> = names.map(|name| &**name).collect();
            parsed.retain(|name, _| live.contains(&**name));
        }
    }

    /// Forgets the parses of `calendar`'s resources `names` (deleted ones).
    fn forget(&self, calendar: &str, names: &[Arc<str>]) {
        if names.is_empty() {
            return;
        }
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parsed) = calendars.get_mut(calendar) {
            for name in names {
                parsed.remove(name);
            }
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

/// A calendar's snapshot, the journal position it was read at, and its members by name
/// (from which the next snapshot is made by applying the journal's changes since).
struct Kept {
    seq: u64,
    members: BTreeMap<Arc<str>, CalendarResource>,
    snapshot: Arc<CalendarSnapshot>,
}

impl Kept {
    fn new(seq: u64, calendar: &str, members: BTreeMap<Arc<str>, CalendarResource>) -> Self {
        let snapshot = Arc::new(CalendarSnapshot::new(
            calendar,
            members.values().cloned().collect(),
        ));
        Self {
            seq,
            members,
            snapshot,
        }
    }
}

/// How a calendar's members are read: every one (the first time), or one by name (each
/// member the journal says changed since). The bookings calendar renders them from the
/// appointments, the others read them as stored.
pub trait Members {
    /// Every member.
    fn all(&self) -> Result<Vec<CalendarResource>, ServiceError>;
    /// Member `name` as it is now; `None` when there is none.
    fn one(&self, name: &str) -> Result<Option<CalendarResource>, ServiceError>;
}

/// Each calendar's resources, as read at a journal position. A calendar is read whole
/// once; after that each read applies the journal's changes since the last one, so the
/// work of a read follows what changed, not how much the calendar holds.
#[derive(Default)]
pub struct Snapshots {
    calendars: RwLock<HashMap<String, Kept>>,
}

impl Snapshots {
    /// The resources of `calendar` as of now. A snapshot is at least as new as the
    /// number it is filed under: the number is read before the resources.
    pub fn resources(
        &self,
        store: &Store,
        calendar: &str,
        parsed: &ParsedObjects,
        members: &dyn Members,
    ) -> Result<Arc<CalendarSnapshot>, ServiceError> {
        let seq = store.calendar_seq(calendar)?;
        let current = |kept: Option<&Kept>| {
            kept.filter(|kept| kept.seq >= seq)
                .map(|kept| Arc::clone(&kept.snapshot))
        };
        {
            let calendars = self
                .calendars
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(snapshot) = current(calendars.get(calendar)) {
                return Ok(snapshot);
            }
        }
        let mut calendars = self
            .calendars
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(snapshot) = current(calendars.get(calendar)) {
            return Ok(snapshot);
        }
        // Taken out while it is brought forward: a failure leaves the next read to
        // start over from the whole calendar.
        let earlier = calendars.remove(calendar);
        let changes = match &earlier {
            Some(kept) => store.changes_since(calendar, kept.seq)?,
            None => None,
        };
        let members = match (earlier, changes) {
            (Some(kept), Some(changes)) => {
                let mut held = kept.members;
                let mut gone = Vec::new();
                for change in changes {
                    let now = match change.deleted {
                        true => None,
                        false => members.one(&change.resource)?,
                    };
                    match now {
                        Some(resource) => {
                            held.insert(Arc::clone(&resource.name), resource);
                        }
                        None => {
                            if let Some((name, _)) = held.remove_entry(change.resource.as_str()) {
                                gone.push(name);
                            }
                        }
                    }
                }
                parsed.forget(calendar, &gone);
                held
            }
            _ => {
                let all: BTreeMap<_, _> = members
                    .all()?
                    .into_iter()
                    .map(|resource| (Arc::clone(&resource.name), resource))
                    .collect();
                parsed.keep_only(calendar, all.keys());
                all
            }
        };
        let kept = Kept::new(seq, calendar, members);
        let snapshot = Arc::clone(&kept.snapshot);
        calendars.insert(calendar.to_string(), kept);
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
        cache.keep_only("bookings", [&kept.name].into_iter());
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

    /// Reads a stored calendar's members, noting each whole read and each single one.
    struct Counted<'a> {
        store: &'a Store,
        whole: std::cell::Cell<usize>,
        single: std::cell::RefCell<Vec<String>>,
    }

    impl Members for Counted<'_> {
        fn all(&self) -> Result<Vec<CalendarResource>, ServiceError> {
            self.whole.set(self.whole.get() + 1);
            Ok(self.store.resources("personal")?)
        }

        fn one(&self, name: &str) -> Result<Option<CalendarResource>, ServiceError> {
            self.single.borrow_mut().push(name.to_string());
            Ok(self.store.resource("personal", name)?)
        }
    }

    #[test]
    fn a_calendar_is_read_whole_once_then_brought_forward_by_its_changes() {
        use crate::store::Condition;
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), chrono_tz::UTC).expect("opens");
        let calendar = crate::domain::Calendar::new("personal", "Personal");
        store.create_calendar(&calendar).expect("creates");
        let put = |name: &str, summary: &str| {
            let mut member = resource("", summary);
            member.name = name.into();
            member.uid = name.into();
            store
                .put_resource("personal", &member, &Condition::Any)
                .expect("writes")
                .expect("accepted");
        };
        for name in ["a.ics", "b.ics", "c.ics"] {
            put(name, "First");
        }
        let (snapshots, parsed) = (Snapshots::default(), ParsedObjects::default());
        let members = Counted {
            store: &store,
            whole: 0.into(),
            single: Vec::new().into(),
        };
        let read = || {
            snapshots
                .resources(&store, "personal", &parsed, &members)
                .expect("reads")
        };
        let names = |snapshot: &CalendarSnapshot| -> Vec<String> {
            snapshot
                .resources()
                .iter()
                .map(|member| member.name.to_string())
                .collect()
        };
        let first = read();
        assert_eq!(names(&first), ["a.ics", "b.ics", "c.ics"]);
        first.object(2, &parsed).expect("parses");
        assert!(
            Arc::ptr_eq(&first, &read()),
            "nothing changed, same snapshot"
        );
        put("b.ics", "Second");
        store
            .delete_resource("personal", "c.ics", &Condition::Any)
            .expect("deletes")
            .expect("was there");
        put("d.ics", "First");
        let next = read();
        assert_eq!(names(&next), ["a.ics", "b.ics", "d.ics"]);
        let changed = next.object(1, &parsed).expect("parses");
        assert_eq!(changed.summary(), Some("Second"));
        assert_eq!(members.whole.get(), 1, "read whole only the first time");
        assert_eq!(
            *members.single.borrow(),
            ["b.ics", "d.ics"],
            "then only what changed"
        );
        let held = parsed.calendars.read().expect("not poisoned");
        assert!(
            !held["personal"].contains_key("c.ics"),
            "the deleted parse is dropped"
        );
    }
}
