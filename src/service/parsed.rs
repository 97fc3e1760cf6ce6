//! Parsed calendar objects, kept while their ETag holds: a calendar-query, a free/busy
//! answer or an availability check reads many stored objects, and parsing each one
//! every time would dominate. An object whose ETag changed is parsed again; the
//! cache forgets everything when it grows past its bound.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::CalendarResource;
use crate::ical::CalendarObject;

/// Most objects kept before the cache starts over.
const CAPACITY: usize = 50_000;

type Key = (String, String);

/// Calendar objects by (calendar, resource name), with the ETag they were parsed at.
#[derive(Default)]
pub struct ParsedObjects {
    entries: RwLock<HashMap<Key, (String, Arc<CalendarObject>)>>,
}

impl ParsedObjects {
    /// `resource` of `calendar`, parsed; `None` when its text does not parse (stored
    /// text was validated when written, so only an older build's leniency gets here).
    pub fn get(&self, calendar: &str, resource: &CalendarResource) -> Option<Arc<CalendarObject>> {
        let key = (calendar.to_string(), resource.name.clone());
        {
            let entries = self
                .entries
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let cached = entries.get(&key).filter(|(etag, _)| *etag == resource.etag);
            if let Some((_, object)) = cached {
                return Some(Arc::clone(object));
            }
        }
        let object = Arc::new(CalendarObject::parse(&resource.text).ok()?);
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key, (resource.etag.clone(), Arc::clone(&object)));
        Some(object)
    }
}
