//! Recurrence expansion (RFC 5545 §3.8.5, RFC 4791 §9.9): the instances of a calendar
//! object that overlap a range. RRULE/RDATE/EXDATE run through rrule 0.14, the engine
//! behind `icalendar`'s `get_recurrence()`, but fed here rather than through it: that
//! function reads TZIDs only as IANA names and floating times in the machine's zone.
//! Rules run on wall-clock times (as if they were UTC) and each instance is then read in
//! its DTSTART's zone (IANA, Windows, inline VTIMEZONE rules, or the caller's zone for
//! floating times and dates), so instances keep their wall-clock time across DST.
//! RECURRENCE-ID overrides replace the instance they name, wherever they move it;
//! `RANGE=THISANDFUTURE` is ignored (the override replaces its one instance only).
//! Bounded: stops past the range end, after 10,000 instances, and after 100,000 rule
//! steps or periods of the rule from DTSTART, whichever comes first.
//!
//! Must not know: queries, output, or busy-time policy.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::RRuleSet;

use crate::domain::Interval;
use crate::domain::calendar::Span;

use super::CalendarObject;
use super::filter::TimeRange;
use super::schedule::{End, Rule, Schedule};
use super::value::{Length, When};
use super::zone::Zone;

/// Most instances one expansion returns.
const MAX_INSTANCES: usize = 10_000;
/// Most rule steps one expansion takes (instances before the range count too).
const MAX_STEPS: usize = 100_000;

/// One instance of a calendar object that takes time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// When it happens.
    pub interval: Interval,
    /// The start it has in the recurrence set (its RECURRENCE-ID); `None` when the
    /// object does not recur.
    pub recurrence_id: Option<DateTime<Utc>>,
    /// TRANSP:TRANSPARENT or STATUS:CANCELLED: it does not make anyone busy.
    pub transparent: bool,
}

/// One instance, including those without length, which queries still see (RFC 4791 §9.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instance {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends; `start` for a DATE-TIME start with neither end nor duration.
    pub end: DateTime<Utc>,
    /// As [`Occurrence::recurrence_id`].
    pub recurrence_id: Option<DateTime<Utc>>,
    /// As [`Occurrence::transparent`].
    pub transparent: bool,
}

impl CalendarObject {
    /// The instances overlapping `range` that take time, sorted by start; floating times
    /// and dates are read in `floating_zone`. An instance without length (a DATE-TIME
    /// start with neither end nor duration) makes no busy time and is left out.
    pub fn occurrences(&self, range: Interval, floating_zone: Tz) -> Vec<Occurrence> {
        let range = TimeRange {
            start: Some(range.start),
            end: Some(range.end),
        };
        let instances = self.instances(&range, &Zone::Iana(floating_zone));
        instances
            .into_iter()
            .filter_map(|(_, instance)| {
                Some(Occurrence {
                    interval: Interval::new(instance.start, instance.end)?,
                    recurrence_id: instance.recurrence_id,
                    transparent: instance.transparent,
                })
            })
            .collect()
    }

    /// The time the object can make busy, for skipping it quickly: from the earliest
    /// start to the latest end of its non-transparent instances (end `None` when a rule
    /// has neither COUNT nor UNTIL); `None` when it makes no busy time.
    pub fn span(&self, floating_zone: Tz) -> Option<Span> {
        let floating = Zone::Iana(floating_zone);
        let busy_starts = |instances: &[(&Schedule, Instance)]| {
            instances
                .iter()
                .map(|(_, instance)| instance)
                .filter(|i| !i.transparent && i.end > i.start)
                .map(|i| i.start)
                .min()
        };
        let bounded_rules = self
            .schedules()
            .iter()
            .flat_map(|s| &s.rules)
            .all(Rule::is_bounded);
        if !bounded_rules {
            // No end to find, and the start is among the first instances: look a year
            // past the earliest start before expanding everything.
            let earliest = self
                .schedules()
                .iter()
                .filter_map(|s| s.start.as_ref().or(s.recurrence_id.as_ref()))
                .map(|start| start.instant(&floating))
                .min()?;
            let first_year = TimeRange {
                start: None,
                end: Some(earliest + Duration::days(366)),
            };
            if let Some(start) = busy_starts(&self.instances(&first_year, &floating)) {
                return Some(Span { start, end: None });
            }
        }
        let everything = TimeRange {
            start: None,
            end: None,
        };
        let instances = self.instances(&everything, &floating);
        let start = busy_starts(&instances)?;
        let end = instances
            .iter()
            .map(|(_, instance)| instance)
            .filter(|i| !i.transparent && i.end > i.start)
            .map(|i| i.end)
            .max()
            .filter(|_| bounded_rules && instances.len() < MAX_INSTANCES);
        Some(Span { start, end })
    }

    /// The instances of every component overlapping `range`, sorted by start, each with
    /// the schedule (master or override) it comes from.
    pub(crate) fn instances(
        &self,
        range: &TimeRange,
        floating: &Zone,
    ) -> Vec<(&Schedule, Instance)> {
        let mut all: Vec<(&Schedule, Instance)> = self
            .schedules()
            .iter()
            .flat_map(|schedule| {
                let instances = self.instances_of(schedule, range, floating);
                instances
                    .into_iter()
                    .map(move |instance| (schedule, instance))
            })
            .collect();
        all.sort_by_key(|(_, instance)| instance.start);
        all.truncate(MAX_INSTANCES);
        all
    }

    /// The instances one component contributes: an override its own, a master those its
    /// overrides do not replace.
    pub(crate) fn instances_of(
        &self,
        schedule: &Schedule,
        range: &TimeRange,
        floating: &Zone,
    ) -> Vec<Instance> {
        let Some(start) = schedule.start.as_ref().or(schedule.recurrence_id.as_ref()) else {
            return Vec::new();
        };
        let (timing, placement) = Timing::placed(schedule, start, floating);
        // An override or a component that does not recur: its one instance.
        if schedule.recurrence_id.is_some() || !schedule.is_recurring() {
            let instance = placement.instance;
            return Vec::from_iter(
                Some(instance).filter(|instance| range.overlaps(instance.start, instance.end)),
            );
        }
        // A master: its recurrence set, less the instances its overrides replace.
        let overridden: Vec<DateTime<Utc>> = self
            .schedules()
            .iter()
            .filter_map(|s| s.recurrence_id.as_ref())
            .map(|id| id.instant(floating))
            .collect();
        timing
            .recurrence_starts(&placement, range)
            .into_iter()
            .map(|wall| {
                let instance = timing.instance(wall, None);
                Instance {
                    recurrence_id: Some(instance.start),
                    ..instance
                }
            })
            .filter(|o| !o.recurrence_id.is_some_and(|id| overridden.contains(&id)))
            .filter(|o| range.overlaps(o.start, o.end))
            .collect()
    }
}

/// Where a component's first instance falls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    /// DTSTART's wall-clock time in its own zone.
    first: NaiveDateTime,
    /// The instance at DTSTART: the only one of a component that does not recur.
    instance: Instance,
}

/// The wall-clock times whose instances may overlap a range.
struct Window {
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
}

/// How one component's instances are placed in time.
struct Timing<'a> {
    schedule: &'a Schedule,
    /// Its DTSTART (or RECURRENCE-ID when an override lacks DTSTART).
    start: &'a When,
    /// The zone DTSTART's wall-clock reads in.
    zone: Zone,
    floating: &'a Zone,
    /// DTEND − DTSTART when DTEND is a date-time: every instance lasts exactly that.
    exact_length: Option<Duration>,
}

impl<'a> Timing<'a> {
    /// The timing of `schedule` (whose DTSTART, or RECURRENCE-ID, is `start`) and where
    /// its first instance falls; the latter worked out once per floating zone.
    fn placed(schedule: &'a Schedule, start: &'a When, floating: &'a Zone) -> (Self, Placement) {
        let mut timing = Self {
            schedule,
            start,
            zone: start.zone(floating),
            floating,
            exact_length: None,
        };
        let remembered = match (floating, schedule.placement.get()) {
            (Zone::Iana(zone), Some((read_in, placement))) if read_in == zone => Some(*placement),
            _ => None,
        };
        let placement = remembered.unwrap_or_else(|| {
            if let End::At(end) = &schedule.end {
                timing.exact_length = Some(end.instant(floating) - start.instant(floating));
            }
            let first = start.wall_in(&timing.zone, floating);
            let recurrence_id = schedule
                .recurrence_id
                .as_ref()
                .map(|id| id.instant(floating));
            let placement = Placement {
                first,
                instance: timing.instance(first, recurrence_id),
            };
            if let Zone::Iana(zone) = floating {
                // Another thread may have set it meanwhile, to the same value.
                let _ = schedule.placement.set((*zone, placement));
            }
            placement
        });
        // Every instance lasts what the first does when DTEND is a date-time (a
        // negative length is none, as `instance` makes it).
        if matches!(schedule.end, End::At(_)) {
            timing.exact_length = Some(placement.instance.end - placement.instance.start);
        }
        (timing, placement)
    }

    /// The instance starting at the wall-clock time `wall`.
    fn instance(&self, wall: NaiveDateTime, recurrence_id: Option<DateTime<Utc>>) -> Instance {
        let start = self.zone.to_utc(wall);
        let end = match (&self.schedule.end, self.exact_length) {
            (_, Some(length)) => start + length,
            (End::Lasting(length), _) => length.end_after(wall, &self.zone),
            (End::Default, _) if self.start.is_date() => Length::DAY.end_after(wall, &self.zone),
            _ => start,
        };
        Instance {
            start,
            end: end.max(start),
            recurrence_id,
            transparent: self.schedule.transparent,
        }
    }

    /// Wall-clock starts of the recurrence set (EXDATEs removed) that may overlap `range`.
    fn recurrence_starts(&self, placement: &Placement, range: &TimeRange) -> Vec<NaiveDateTime> {
        let first = placement.first;
        let reach = placement.instance.end - placement.instance.start + Duration::days(1);
        let window = Window {
            from: range.start.map(|start| self.zone.to_wall(start) - reach),
            to: range
                .end
                .map(|end| self.zone.to_wall(end) + Duration::days(1)),
        };
        let steps: Option<Vec<Duration>> = self
            .schedule
            .rules
            .iter()
            .map(|rule| rule.fixed_step(first.weekday()))
            .collect();
        match steps {
            Some(steps) => self.stepped_starts(first, &steps, &window),
            None => self.rule_starts(first, &window),
        }
    }

    /// The recurrence set through rrule, walked from DTSTART.
    fn rule_starts(&self, first: NaiveDateTime, window: &Window) -> Vec<NaiveDateTime> {
        let as_utc = |wall: NaiveDateTime| icalendar::Tz::UTC.from_utc_datetime(&wall);
        let (zone, floating) = (&self.zone, self.floating);
        let dtstart = as_utc(first);
        let mut set = RRuleSet::new(dtstart).rdate(dtstart);
        for rule in &self.schedule.rules {
            let mut pattern = rule.pattern.clone();
            if let Some(until) = self.walk_end(rule, first) {
                pattern = pattern.until(as_utc(until));
            }
            // A rule rrule refuses for this DTSTART (UNTIL before it) leaves DTSTART alone.
            if let Ok(valid) = pattern.validate(dtstart) {
                set = set.rrule(valid);
            }
        }
        for rdate in &self.schedule.rdates {
            set = set.rdate(as_utc(rdate.wall_in(zone, floating)));
        }
        for exdate in &self.schedule.exdates {
            set = set.exdate(as_utc(exdate.wall_in(zone, floating)));
        }
        let set = set.limit();
        let mut previous = None;
        set.into_iter()
            .take(MAX_STEPS)
            .map(|instant| instant.naive_utc())
            // rrule yields an RDATE that is also a rule instance (DTSTART is) twice
            .filter(|wall| previous.replace(*wall) != Some(*wall))
            .take_while(|wall| window.to.is_none_or(|to| *wall <= to))
            .filter(|wall| window.from.is_none_or(|from| *wall >= from))
            .take(MAX_INSTANCES)
            .collect()
    }

    /// The same set for rules that repeat at fixed steps ([`Rule::fixed_step`]): each
    /// rule jumps straight to the window instead of walking to it.
    fn stepped_starts(
        &self,
        first: NaiveDateTime,
        steps: &[Duration],
        window: &Window,
    ) -> Vec<NaiveDateTime> {
        let (zone, floating) = (&self.zone, self.floating);
        let excluded: Vec<NaiveDateTime> = self
            .schedule
            .exdates
            .iter()
            .map(|exdate| exdate.wall_in(zone, floating))
            .collect();
        let mut starts = vec![first];
        for (rule, step) in self.schedule.rules.iter().zip(steps) {
            let until = rule.until.as_ref().map(|until| self.until_wall(until));
            let count = rule.pattern.get_count().map(i64::from);
            let seconds = step.num_seconds();
            // The first step at or after the window's start.
            let skipped = window.from.map_or(0, |from| {
                let behind = (from - first).num_seconds();
                if behind <= 0 {
                    0
                } else {
                    (behind + seconds - 1) / seconds
                }
            });
            let most = (MAX_INSTANCES + excluded.len()) as i64;
            for index in skipped..skipped.saturating_add(most) {
                if count.is_some_and(|count| index >= count) {
                    break;
                }
                let wall = first + Duration::seconds(seconds.saturating_mul(index));
                if until.is_some_and(|until| wall > until) || window.to.is_some_and(|to| wall > to)
                {
                    break;
                }
                starts.push(wall);
            }
        }
        starts.extend(
            self.schedule
                .rdates
                .iter()
                .map(|rdate| rdate.wall_in(zone, floating)),
        );
        starts.sort_unstable();
        starts.dedup();
        starts.retain(|wall| {
            !excluded.contains(wall)
                && window.from.is_none_or(|from| *wall >= from)
                && window.to.is_none_or(|to| *wall <= to)
        });
        starts.truncate(MAX_INSTANCES);
        starts
    }

    /// Where rrule stops walking `rule`: at UNTIL, and at most [`MAX_STEPS`] periods
    /// after `first`. rrule walks period by period, also through the periods without an
    /// instance (`FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29`), so counting the instances it
    /// yields does not bound its work; the time it walks does.
    fn walk_end(&self, rule: &Rule, first: NaiveDateTime) -> Option<NaiveDateTime> {
        let until = rule.until.as_ref().map(|until| self.until_wall(until));
        let furthest = i32::try_from(MAX_STEPS)
            .ok()
            .and_then(|steps| rule.longest_period().checked_mul(steps))
            .and_then(|reach| first.checked_add_signed(reach));
        match (until, furthest) {
            (Some(until), Some(furthest)) => Some(until.min(furthest)),
            (until, furthest) => until.or(furthest),
        }
    }

    /// UNTIL as a wall-clock time in the DTSTART's zone; a DATE UNTIL on a DATE-TIME
    /// start (invalid, but written) keeps the whole day.
    fn until_wall(&self, until: &When) -> NaiveDateTime {
        match until {
            When::Date(day) if !self.start.is_date() => {
                day.and_time(NaiveTime::MIN) + Duration::days(1) - Duration::seconds(1)
            }
            _ => until.wall_in(&self.zone, self.floating),
        }
    }
}

#[cfg(test)]
#[path = "recur_tests.rs"]
mod tests;
