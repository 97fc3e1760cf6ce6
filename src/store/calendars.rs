//! Calendar collections and the calendar object resources in them (all but the
//! bookings calendar, which is made of appointments). Resources keep the client's text
//! byte for byte; each write is journaled, and its journal sequence number is the
//! resource's strong ETag.

use std::convert::Infallible;

use sled::Transactional;
use sled::transaction::TransactionalTree;

use super::tx::{TxResult, finish, read};
use super::{Store, StoreError, decode, encode, journal, keys};
use crate::domain::{Calendar, CalendarResource};

/// A precondition on the current state of a resource (HTTP If-Match / If-None-Match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// No precondition.
    Any,
    /// `If-Match`: the resource exists with this ETag (`*`: exists at all).
    IfMatch(String),
    /// `If-None-Match: *`: the resource does not exist yet.
    IfNoneMatch,
}

/// Why a resource write was refused (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRefusal {
    /// No such calendar.
    NoCalendar,
    /// No such resource (delete).
    NotFound,
    /// The condition does not hold.
    PreconditionFailed,
    /// Another resource of the calendar has this UID.
    UidConflict {
        /// That resource's name.
        existing: String,
    },
}

/// A successful write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The new ETag.
    pub etag: String,
    /// True when the resource did not exist before.
    pub created: bool,
}

fn resource_key(calendar: &str, name: &str) -> Vec<u8> {
    [calendar.as_bytes(), b"\0", name.as_bytes()].concat()
}

fn prefix(calendar: &str) -> Vec<u8> {
    [calendar.as_bytes(), b"\0"].concat()
}

fn refuse<T>(refusal: WriteRefusal) -> TxResult<T, WriteRefusal> {
    super::tx::refuse(refusal)
}

impl Condition {
    /// True when the condition holds for a resource whose current ETag is `current`
    /// (`None`: no such resource).
    pub fn holds(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (Self::Any, _) => true,
            (Self::IfNoneMatch, current) => current.is_none(),
            (Self::IfMatch(_), None) => false,
            (Self::IfMatch(tag), Some(current)) => tag == "*" || tag == current,
        }
    }
}

fn holds(condition: &Condition, current: Option<&CalendarResource>) -> bool {
    condition.holds(current.map(|resource| &*resource.etag))
}

impl Store {
    /// Creates each of `calendars` that does not exist yet.
    pub fn ensure_calendars(&self, calendars: &[Calendar]) -> Result<(), StoreError> {
        for calendar in calendars {
            self.calendars
                .compare_and_swap(
                    calendar.id.as_bytes(),
                    None as Option<&[u8]>,
                    Some(encode(calendar)),
                )?
                .ok();
        }
        Ok(())
    }

    /// Every calendar, by id.
    pub fn calendars(&self) -> Result<Vec<Calendar>, StoreError> {
        self.calendars
            .iter()
            .map(|item| decode(keys::CALENDARS, &item?.1))
            .collect()
    }

    /// The calendar `id`.
    pub fn calendar(&self, id: &str) -> Result<Option<Calendar>, StoreError> {
        self.calendars
            .get(id.as_bytes())?
            .map(|bytes| decode(keys::CALENDARS, &bytes))
            .transpose()
    }

    /// Creates `calendar`; false when one with its id exists.
    pub fn create_calendar(&self, calendar: &Calendar) -> Result<bool, StoreError> {
        let swapped = self.calendars.compare_and_swap(
            calendar.id.as_bytes(),
            None as Option<&[u8]>,
            Some(encode(calendar)),
        )?;
        Ok(swapped.is_ok())
    }

    /// Changes the settings of calendar `id`; `None` when there is no such calendar.
    pub fn update_calendar(
        &self,
        id: &str,
        change: impl Fn(&mut Calendar),
    ) -> Result<Option<Calendar>, StoreError> {
        let result = self.calendars.transaction(|calendars| {
            let Some(mut calendar) =
                read::<Calendar, Infallible>(calendars, keys::CALENDARS, id.as_bytes())?
            else {
                return Ok(None);
            };
            change(&mut calendar);
            calendars.insert(id.as_bytes(), encode(&calendar))?;
            Ok(Some(calendar))
        });
        finish(result).map(|outcome| outcome.unwrap_or_else(|never: Infallible| match never {}))
    }

    /// Deletes calendar `id` with all its resources; false when there was none.
    pub fn delete_calendar(&self, id: &str) -> Result<bool, StoreError> {
        let names: Vec<String> = self
            .resources(id)?
            .into_iter()
            .map(|resource| resource.name.to_string())
            .collect();
        let trees = (
            &self.calendars,
            &self.resources,
            &self.resource_uids,
            &self.journal,
        );
        let result = trees.transaction(|(calendars, resources, uids, journal)| {
            if calendars.remove(id.as_bytes())?.is_none() {
                return Ok(false);
            }
            for name in &names {
                remove_resource::<Infallible>(resources, uids, journal, id, name)?;
            }
            Ok(true)
        });
        finish(result).map(|outcome| outcome.unwrap_or_else(|never: Infallible| match never {}))
    }

    /// The resources of calendar `calendar`, by name.
    pub fn resources(&self, calendar: &str) -> Result<Vec<CalendarResource>, StoreError> {
        self.resources
            .scan_prefix(prefix(calendar))
            .map(|item| decode(keys::RESOURCES, &item?.1))
            .collect()
    }

    /// One resource.
    pub fn resource(
        &self,
        calendar: &str,
        name: &str,
    ) -> Result<Option<CalendarResource>, StoreError> {
        self.resources
            .get(resource_key(calendar, name))?
            .map(|bytes| decode(keys::RESOURCES, &bytes))
            .transpose()
    }

    /// Writes `resource` (its `etag` is assigned here) into `calendar` if `condition` holds
    /// and no other resource of the calendar has its UID.
    pub fn put_resource(
        &self,
        calendar: &str,
        resource: &CalendarResource,
        condition: &Condition,
    ) -> Result<Result<Written, WriteRefusal>, StoreError> {
        let key = resource_key(calendar, &resource.name);
        let trees = (
            &self.calendars,
            &self.resources,
            &self.resource_uids,
            &self.journal,
        );
        let result = trees.transaction(|(calendars, resources, uids, journal)| {
            if calendars.get(calendar.as_bytes())?.is_none() {
                return refuse(WriteRefusal::NoCalendar);
            }
            let current: Option<CalendarResource> = read(resources, keys::RESOURCES, &key)?;
            if !holds(condition, current.as_ref()) {
                return refuse(WriteRefusal::PreconditionFailed);
            }
            file(
                resources,
                uids,
                journal,
                calendar,
                resource.clone(),
                current.as_ref(),
            )
        });
        finish(result)
    }

    /// Deletes a resource if `condition` holds.
    pub fn delete_resource(
        &self,
        calendar: &str,
        name: &str,
        condition: &Condition,
    ) -> Result<Result<(), WriteRefusal>, StoreError> {
        let key = resource_key(calendar, name);
        let trees = (&self.resources, &self.resource_uids, &self.journal);
        let result = trees.transaction(|(resources, uids, journal)| {
            let current: Option<CalendarResource> = read(resources, keys::RESOURCES, &key)?;
            if current.is_none() {
                return refuse(WriteRefusal::NotFound);
            }
            if !holds(condition, current.as_ref()) {
                return refuse(WriteRefusal::PreconditionFailed);
            }
            remove_resource(resources, uids, journal, calendar, name)
        });
        finish(result)
    }
}

/// Files `resource` in `calendar` over `replaced` (what was at its name) with a new
/// ETag, refusing a UID that another resource of the calendar holds.
fn file(
    resources: &TransactionalTree,
    uids: &TransactionalTree,
    journal: &TransactionalTree,
    calendar: &str,
    mut resource: CalendarResource,
    replaced: Option<&CalendarResource>,
) -> TxResult<Written, WriteRefusal> {
    if let Some(previous) = replaced {
        uids.remove(resource_key(calendar, &previous.uid))?;
    }
    let uid_key = resource_key(calendar, &resource.uid);
    let owner = uids.get(&uid_key)?;
    if let Some(owner) = owner.filter(|owner| owner.as_ref() != resource.name.as_bytes()) {
        let existing = String::from_utf8_lossy(&owner).into_owned();
        return refuse(WriteRefusal::UidConflict { existing });
    }
    let seq = journal::record(journal, calendar, &resource.name, false)?;
    resource.etag = format!("\"{seq}\"").into();
    resources.insert(resource_key(calendar, &resource.name), encode(&resource))?;
    uids.insert(uid_key.as_slice(), resource.name.as_bytes())?;
    Ok(Written {
        etag: resource.etag.to_string(),
        created: replaced.is_none(),
    })
}

fn remove_resource<R>(
    resources: &TransactionalTree,
    uids: &TransactionalTree,
    journal: &TransactionalTree,
    calendar: &str,
    name: &str,
) -> TxResult<(), R> {
    if let Some(previous) =
        read::<CalendarResource, R>(resources, keys::RESOURCES, &resource_key(calendar, name))?
    {
        uids.remove(resource_key(calendar, &previous.uid))?;
        resources.remove(resource_key(calendar, name))?;
        journal::record(journal, calendar, name, true)?;
    }
    Ok(())
}

/// Where a resource goes in [`Store::transfer_resource`], and how.
#[derive(Debug, Clone, Copy)]
pub struct Transfer<'a> {
    /// Calendar and name of the source.
    pub from: (&'a str, &'a str),
    /// Calendar and name of the destination.
    pub to: (&'a str, &'a str),
    /// Replace an existing destination (`Overwrite: T`).
    pub overwrite: bool,
    /// Keep the source (COPY) or remove it (MOVE).
    pub keep_source: bool,
}

impl Store {
    /// Copies or moves a resource in one transaction (WebDAV COPY/MOVE), keeping one
    /// UID per resource in the destination calendar; both calendars are journaled.
    pub fn transfer_resource(
        &self,
        transfer: Transfer<'_>,
    ) -> Result<Result<Written, WriteRefusal>, StoreError> {
        let (from_calendar, from_name) = transfer.from;
        let (to_calendar, to_name) = transfer.to;
        let trees = (
            &self.calendars,
            &self.resources,
            &self.resource_uids,
            &self.journal,
        );
        let result = trees.transaction(|(calendars, resources, uids, journal)| {
            if calendars.get(to_calendar.as_bytes())?.is_none() {
                return refuse(WriteRefusal::NoCalendar);
            }
            let source_key = resource_key(from_calendar, from_name);
            let Some(source) =
                read::<CalendarResource, WriteRefusal>(resources, keys::RESOURCES, &source_key)?
            else {
                return refuse(WriteRefusal::NotFound);
            };
            let target_key = resource_key(to_calendar, to_name);
            let existing: Option<CalendarResource> = read(resources, keys::RESOURCES, &target_key)?;
            if existing.is_some() && !transfer.overwrite {
                return refuse(WriteRefusal::PreconditionFailed);
            }
            if !transfer.keep_source {
                remove_resource(resources, uids, journal, from_calendar, from_name)?;
            }
            let moved = CalendarResource {
                name: to_name.into(),
                ..source
            };
            file(
                resources,
                uids,
                journal,
                to_calendar,
                moved,
                existing.as_ref(),
            )
        });
        finish(result)
    }
}
