//! The schedule of one VEVENT, VTODO, VJOURNAL or VFREEBUSY: its start, its end (DTEND
//! or DUE, DURATION, or the RFC 5545 §3.6.1 default), its recurrence (RRULE, RDATE,
//! EXDATE, RECURRENCE-ID) and whether it blocks time. Read and checked once, when the
//! object is parsed, so that expansion and queries cannot fail later.
//!
//! Must not know: other components of the object, ranges, or output.

use std::sync::OnceLock;

use chrono::{Duration, Weekday};
use chrono_tz::Tz;
use icalendar::RRule;
use icalendar::rrule::{Frequency, NWeekday, Unvalidated};

use super::IcalError;
use super::content::Component;
use super::recur::Placement;
use super::value::{Length, When};
use super::zone::{Zone, Zones};

/// When one component happens.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Its index among the VCALENDAR's components.
    pub position: usize,
    /// RECURRENCE-ID: set on a component that overrides one instance.
    pub recurrence_id: Option<When>,
    /// DTSTART.
    pub start: Option<When>,
    /// How long each instance lasts.
    pub end: End,
    /// RRULEs.
    pub rules: Vec<Rule>,
    /// RDATE values.
    pub rdates: Vec<When>,
    /// EXDATE values.
    pub exdates: Vec<When>,
    /// TRANSP:TRANSPARENT or STATUS:CANCELLED: its time stays free (RFC 4791 §7.10).
    pub transparent: bool,
    /// Where its first instance falls, once worked out, with the zone its floating
    /// times were read in: a cached object answers queries without converting its
    /// start and end again.
    pub(crate) placement: OnceLock<(Tz, Placement)>,
}

/// Where an instance ends.
#[derive(Debug, Clone)]
pub enum End {
    /// DTEND/DUE as a DATE-TIME: each instance lasts the exact time from DTSTART to it.
    At(When),
    /// DURATION, or a DATE DTEND as whole days.
    Lasting(Length),
    /// Neither: a date lasts one day, a date-time no time (RFC 5545 §3.6.1).
    Default,
}

/// An RRULE, its UNTIL kept aside to be read in the zone of the DTSTART it belongs to.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule without UNTIL.
    pub pattern: RRule<Unvalidated>,
    /// UNTIL: UTC, a date or floating.
    pub until: Option<When>,
}

impl Schedule {
    /// The schedule of `component`, the `position`th child of the VCALENDAR.
    pub fn read(position: usize, component: &Component, zones: &Zones) -> Result<Self, IcalError> {
        let single = |name| {
            component
                .property(name)
                .map(|p| When::read(p, zones))
                .transpose()
        };
        let list = |name| -> Result<Vec<When>, IcalError> {
            let lists = component
                .properties_named(name)
                .map(|p| When::read_list(p, zones));
            Ok(lists.collect::<Result<Vec<_>, _>>()?.concat())
        };
        let start = single("DTSTART")?;
        if component.name == "VEVENT" && start.is_none() {
            return Err(IcalError::MissingStart {
                line: component.line,
            });
        }
        let is = |name, expected: &str| {
            component
                .value(name)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
        };
        Ok(Self {
            position,
            recurrence_id: single("RECURRENCE-ID")?,
            end: End::read(component, start.as_ref(), zones)?,
            start,
            rules: component
                .properties_named("RRULE")
                .map(|p| Rule::parse(&p.value).ok_or_else(|| p.invalid()))
                .collect::<Result<_, _>>()?,
            rdates: list("RDATE")?,
            exdates: list("EXDATE")?,
            transparent: is("TRANSP", "TRANSPARENT") || is("STATUS", "CANCELLED"),
            placement: OnceLock::new(),
        })
    }

    /// True when RRULE or RDATE makes it a set of instances.
    pub fn is_recurring(&self) -> bool {
        !self.rules.is_empty() || !self.rdates.is_empty()
    }
}

impl End {
    fn read(component: &Component, start: Option<&When>, zones: &Zones) -> Result<Self, IcalError> {
        let end_name = if component.name == "VTODO" {
            "DUE"
        } else {
            "DTEND"
        };
        let inconsistent = |line, reason| IcalError::InconsistentEnd { line, reason };
        match (component.property(end_name), component.property("DURATION")) {
            (Some(end), Some(_)) => Err(inconsistent(end.line, "both an end and a DURATION")),
            (Some(property), None) => {
                let end = When::read(property, zones)?;
                let Some(start) = start else {
                    return Ok(End::At(end));
                };
                if start.is_date() != end.is_date() {
                    return Err(inconsistent(
                        property.line,
                        "end and DTSTART differ in value type",
                    ));
                }
                if end.instant(&Zone::UTC) < start.instant(&Zone::UTC) {
                    return Err(inconsistent(property.line, "end before DTSTART"));
                }
                Ok(match (start, end) {
                    (When::Date(first), When::Date(last)) => End::Lasting(Length {
                        days: (last - *first).num_days(),
                        seconds: 0,
                    }),
                    (_, end) => End::At(end),
                })
            }
            (None, Some(duration)) => Length::parse(&duration.value)
                .filter(|length| length.days >= 0 && length.seconds >= 0)
                .map(End::Lasting)
                .ok_or_else(|| duration.invalid()),
            (None, None) => Ok(End::Default),
        }
    }
}

impl Rule {
    /// An RRULE value (`FREQ=WEEKLY;UNTIL=20261231T235959Z;BYDAY=MO`).
    pub fn parse(value: &str) -> Option<Rule> {
        let is_until = |part: &&str| {
            part.get(..6)
                .is_some_and(|key| key.eq_ignore_ascii_case("UNTIL="))
        };
        let (until, rest): (Vec<&str>, Vec<&str>) = value.split(';').partition(is_until);
        let until = match until.first() {
            Some(part) => Some(When::parse(part.get(6..)?, None)?),
            None => None,
        };
        // A RECUR value is ASCII (RFC 5545 §3.3.10); rrule slices its BYDAY parts by
        // byte and panics inside a multibyte letter.
        if !value.is_ascii() {
            return None;
        }
        let pattern: RRule<Unvalidated> = rest.join(";").to_ascii_uppercase().parse().ok()?;
        // Every few seconds or minutes is no appointment, and rrule searches such a
        // rule's BYHOUR/BYMINUTE/BYSECOND second by second: a day with no instance
        // costs it up to 86,400 steps that no bound here can count.
        if matches!(
            pattern.get_freq(),
            Frequency::Secondly | Frequency::Minutely
        ) {
            return None;
        }
        Some(Rule { pattern, until })
    }

    /// The longest one period of the rule lasts, INTERVAL included (a year of 366
    /// days, a month of 31): how far a walk of some number of periods can reach.
    pub fn longest_period(&self) -> Duration {
        let unit = match self.pattern.get_freq() {
            Frequency::Yearly => Duration::days(366),
            Frequency::Monthly => Duration::days(31),
            Frequency::Weekly => Duration::weeks(1),
            Frequency::Daily => Duration::days(1),
            Frequency::Hourly => Duration::hours(1),
            Frequency::Minutely => Duration::minutes(1),
            Frequency::Secondly => Duration::seconds(1),
        };
        unit * i32::from(self.pattern.get_interval())
    }

    /// True when COUNT or UNTIL ends the rule.
    pub fn is_bounded(&self) -> bool {
        self.until.is_some() || self.pattern.get_count().is_some()
    }

    /// The fixed distance between instances when the rule is a plain daily or weekly
    /// one (an INTERVAL, COUNT or UNTIL, and at most a BYDAY naming the start's own
    /// weekday), the most common rules by far; `None` for anything else.
    pub fn fixed_step(&self, start: Weekday) -> Option<Duration> {
        let rule = &self.pattern;
        let interval = i64::from(rule.get_interval());
        let only_own_weekday = match rule.get_by_weekday() {
            [] => true,
            [NWeekday::Every(day)] => *day == start,
            _ => false,
        };
        let plain = rule.get_by_set_pos().is_empty()
            && rule.get_by_month().is_empty()
            && rule.get_by_month_day().is_empty()
            && rule.get_by_year_day().is_empty()
            && rule.get_by_week_no().is_empty()
            && rule.get_by_hour().is_empty()
            && rule.get_by_minute().is_empty()
            && rule.get_by_second().is_empty()
            && interval > 0;
        match rule.get_freq() {
            Frequency::Daily if plain && rule.get_by_weekday().is_empty() => {
                Some(Duration::days(interval))
            }
            Frequency::Weekly if plain && only_own_weekday => Some(Duration::weeks(interval)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::content;

    fn schedule(vevent_body: &str) -> Result<Schedule, IcalError> {
        let text = format!("BEGIN:VEVENT\nUID:1\n{vevent_body}END:VEVENT\n");
        let roots = content::parse(&text)?;
        Schedule::read(0, &roots[0], &Zones::default())
    }

    #[test]
    fn ends_are_read_and_checked_against_the_start() {
        let cases: [(&str, Option<&str>); 8] = [
            ("DTSTART:20260301T090000Z\nDTEND:20260301T100000Z\n", None),
            ("DTSTART:20260301T090000Z\nDURATION:PT1H\n", None),
            (
                "DTSTART;VALUE=DATE:20260301\nDTEND;VALUE=DATE:20260303\n",
                None,
            ),
            ("DTSTART:20260301T090000Z\n", None),
            (
                "DTSTART:20260301T090000Z\nDTEND:20260301T100000Z\nDURATION:PT1H\n",
                Some("both an end and a DURATION"),
            ),
            (
                "DTSTART:20260301T090000Z\nDTEND:20260301T080000Z\n",
                Some("end before DTSTART"),
            ),
            (
                "DTSTART;VALUE=DATE:20260301\nDTEND:20260302T000000Z\n",
                Some("end and DTSTART differ in value type"),
            ),
            (
                "DTSTART:20260301T090000Z\nDURATION:-PT1H\n",
                Some("invalid"),
            ),
        ];
        for (body, refusal) in cases {
            match (schedule(body), refusal) {
                (Ok(_), None) => {}
                (Err(IcalError::InconsistentEnd { reason, .. }), Some(expected)) => {
                    assert_eq!(reason, expected, "{body}")
                }
                (Err(IcalError::InvalidValue { .. }), Some("invalid")) => {}
                (other, _) => panic!("{body} gave {other:?}"),
            }
        }
    }

    #[test]
    fn a_vevent_needs_a_start_and_valid_rules() {
        assert!(matches!(
            schedule("SUMMARY:x\n"),
            Err(IcalError::MissingStart { line: 1 })
        ));
        assert!(matches!(
            schedule("DTSTART:20260301T090000Z\nRRULE:FREQ=SOMETIMES\n"),
            Err(IcalError::InvalidValue { line: 4, .. })
        ));
        let weekly =
            schedule("DTSTART:20260301T090000Z\nRRULE:freq=weekly;until=20260401T000000Z\n")
                .expect("valid rule");
        assert!(weekly.is_recurring());
        assert!(matches!(weekly.rules[0].until, Some(When::Utc(_))));
    }

    #[test]
    fn cancelled_or_transparent_components_stay_free() {
        for (body, transparent) in [
            ("TRANSP:TRANSPARENT\n", true),
            ("STATUS:CANCELLED\n", true),
            ("TRANSP:OPAQUE\nSTATUS:CONFIRMED\n", false),
            ("", false),
        ] {
            let read = schedule(&format!("DTSTART:20260301T090000Z\n{body}")).expect("valid");
            assert_eq!(read.transparent, transparent, "{body}");
        }
    }
}
