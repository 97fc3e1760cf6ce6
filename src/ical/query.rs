//! CalDAV `calendar-query` filters (RFC 4791 §9.7) evaluated against one calendar
//! object: comp-filter (nested, VALARM included) with is-not-defined and time-range,
//! prop-filter with is-not-defined, time-range, text-match and param-filter. Time ranges
//! on components follow §9.9: VEVENT, VJOURNAL and VFREEBUSY through their instances
//! (recurrences and overrides), VTODO through the §9.9 table, VALARM through its
//! trigger times (and repeats) for each instance of its component.
//!
//! Must not know: XML, or how the filter arrived.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::CalendarObject;
use super::content::{Component, Property};
use super::filter::{CompFilter, ParamFilter, PropFilter, TimeRange};
use super::schedule::{End, Schedule};
use super::value::{Length, When};
use super::zone::Zone;

impl CalendarObject {
    /// True when the object passes `filter`, the top-level comp-filter of a
    /// calendar-query (which names VCALENDAR); floating times read in `floating_zone`.
    pub fn matches(&self, filter: &CompFilter, floating_zone: Tz) -> bool {
        let query = Query {
            object: self,
            floating: Zone::Iana(floating_zone),
        };
        let calendar = self.calendar();
        filter.name == calendar.name
            && !filter.is_not_defined
            && query.component_passes(calendar, filter, None)
    }
}

struct Query<'a> {
    object: &'a CalendarObject,
    floating: Zone,
}

impl<'a> Query<'a> {
    fn component_passes(
        &self,
        component: &Component,
        filter: &CompFilter,
        schedule: Option<&'a Schedule>,
    ) -> bool {
        filter
            .time_range
            .as_ref()
            .is_none_or(|range| self.in_range(component, schedule, range))
            && filter
                .prop_filters
                .iter()
                .all(|f| self.property_passes(component, f))
            && filter
                .comp_filters
                .iter()
                .all(|f| self.children_pass(component, f, schedule))
    }

    fn children_pass(
        &self,
        parent: &Component,
        filter: &CompFilter,
        inherited: Option<&'a Schedule>,
    ) -> bool {
        let mut children = parent
            .components
            .iter()
            .enumerate()
            .filter(|(_, child)| child.name == filter.name)
            .peekable();
        if filter.is_not_defined {
            return children.peek().is_none();
        }
        children.any(|(position, child)| {
            // Children of the VCALENDAR have their own schedule; a VALARM uses its parent's.
            let schedule = if std::ptr::eq(parent, self.object.calendar()) {
                self.object
                    .schedules()
                    .iter()
                    .find(|s| s.position == position)
            } else {
                inherited
            };
            self.component_passes(child, filter, schedule)
        })
    }

    /// Time-range on a component (RFC 4791 §9.9).
    fn in_range(
        &self,
        component: &Component,
        schedule: Option<&Schedule>,
        range: &TimeRange,
    ) -> bool {
        let Some(schedule) = schedule else {
            return false;
        };
        match component.name.as_str() {
            "VEVENT" | "VJOURNAL" | "VFREEBUSY" => !self
                .object
                .instances_of(schedule, range, &self.floating)
                .is_empty(),
            "VTODO" => self.todo_in_range(component, schedule, range),
            "VALARM" => self.alarm_in_range(component, schedule, range),
            _ => false,
        }
    }

    /// The VTODO rows of the §9.9 table.
    fn todo_in_range(&self, todo: &Component, schedule: &Schedule, range: &TimeRange) -> bool {
        let starts_by = |t: DateTime<Utc>| range.start.is_none_or(|s| s <= t);
        let starts_before = |t: DateTime<Utc>| range.start.is_none_or(|s| s < t);
        let ends_after = |t: DateTime<Utc>| range.end.is_none_or(|e| e > t);
        let ends_by = |t: DateTime<Utc>| range.end.is_none_or(|e| e >= t);
        if schedule.start.is_some() {
            let second = Duration::seconds(1);
            let around = TimeRange {
                start: range.start.map(|s| s - second),
                end: range.end.map(|e| e + second),
            };
            return self
                .object
                .instances_of(schedule, &around, &self.floating)
                .iter()
                .any(|o| match schedule.end {
                    End::Lasting(_) => starts_by(o.end) && (ends_after(o.start) || ends_by(o.end)),
                    End::At(_) => {
                        (starts_before(o.end) || starts_by(o.start))
                            && (ends_after(o.start) || ends_by(o.end))
                    }
                    End::Default => starts_by(o.start) && ends_after(o.start),
                });
        }
        let instant = |name| self.instant(todo.property(name)?);
        match (instant("DUE"), instant("COMPLETED"), instant("CREATED")) {
            (Some(due), _, _) => starts_before(due) && ends_by(due),
            (None, Some(done), Some(made)) => {
                (starts_by(made) || starts_by(done)) && (ends_by(made) || ends_by(done))
            }
            (None, Some(done), None) => starts_by(done) && ends_by(done),
            (None, None, Some(made)) => ends_after(made),
            (None, None, None) => true,
        }
    }

    /// Any trigger (or repeat) of the alarm, for any instance of its component, in range.
    fn alarm_in_range(&self, alarm: &Component, owner: &Schedule, range: &TimeRange) -> bool {
        let Some(trigger) = alarm.property("TRIGGER") else {
            return false;
        };
        let repeat = alarm
            .value("REPEAT")
            .and_then(|r| r.trim().parse::<i32>().ok())
            .unwrap_or(0)
            .clamp(0, 1000);
        let snooze = alarm
            .value("DURATION")
            .and_then(Length::parse)
            .map_or(Duration::zero(), |l| l.exact());
        let rings_in_range =
            |first: DateTime<Utc>| (0..=repeat).any(|k| range.contains(first + snooze * k));
        if let Some(at) = self.instant(trigger) {
            return rings_in_range(at);
        }
        let Some(offset) = Length::parse(&trigger.value).map(|l| l.exact()) else {
            return false;
        };
        let from_end = trigger
            .param("RELATED")
            .is_some_and(|r| r.eq_ignore_ascii_case("END"));
        let reach = offset.abs() + snooze * repeat + Duration::seconds(1);
        let around = TimeRange {
            start: range.start.map(|s| s - reach),
            end: range.end.map(|e| e + reach),
        };
        let instances = self.object.instances_of(owner, &around, &self.floating);
        instances.iter().any(|o| {
            let anchor = if from_end { o.end } else { o.start };
            rings_in_range(anchor + offset)
        })
    }

    fn property_passes(&self, component: &Component, filter: &PropFilter) -> bool {
        let mut properties = component.properties_named(&filter.name).peekable();
        if filter.is_not_defined {
            return properties.peek().is_none();
        }
        properties.any(|property| {
            filter
                .time_range
                .as_ref()
                .is_none_or(|range| self.property_in_range(property, range))
                && filter
                    .text_match
                    .as_ref()
                    .is_none_or(|m| m.matches(&property.value))
                && filter
                    .param_filters
                    .iter()
                    .all(|f| param_passes(property, f))
        })
    }

    /// A DATE-TIME value is an instant, a DATE its whole day.
    fn property_in_range(&self, property: &Property, range: &TimeRange) -> bool {
        let Ok(when) = When::read(property, self.object.zones()) else {
            return false;
        };
        let start = when.instant(&self.floating);
        let end = match when {
            When::Date(day) => When::Date(day + Duration::days(1)).instant(&self.floating),
            _ => start,
        };
        range.overlaps(start, end)
    }

    /// The instant of a date or date-time property; `None` when it holds neither.
    fn instant(&self, property: &Property) -> Option<DateTime<Utc>> {
        let when = When::read(property, self.object.zones()).ok()?;
        Some(when.instant(&self.floating))
    }
}

fn param_passes(property: &Property, filter: &ParamFilter) -> bool {
    match property.param(&filter.name) {
        None => filter.is_not_defined,
        Some(_) if filter.is_not_defined => false,
        Some(value) => filter.text_match.as_ref().is_none_or(|m| m.matches(value)),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
