//! A CalDAV calendar object resource (RFC 4791 §4.1): one VCALENDAR holding components
//! of one type (VEVENT, VTODO, VJOURNAL or VFREEBUSY, VTIMEZONEs aside) that share one
//! UID: a master and the overrides of its instances. Parsing is lenient about the form
//! (CRLF or LF, folding, `MAILTO:` or `mailto:`) and strict about these preconditions
//! (RFC 4791 §5.3.2 `valid-calendar-object-resource`). The text is kept as received: it
//! is what gets stored and served back, never a re-serialisation.
//!
//! Must not know: storage, HTTP, or which calendar the resource lives in.

use crate::domain::EmailAddress;

use super::IcalError;
use super::content::{self, Component};
use super::schedule::Schedule;
use super::zone::Zones;

/// The component type of a calendar object resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// VEVENT.
    Event,
    /// VTODO.
    Todo,
    /// VJOURNAL.
    Journal,
    /// VFREEBUSY.
    FreeBusy,
}

impl ComponentKind {
    /// Its iCalendar name (`VEVENT`).
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::Event => "VEVENT",
            ComponentKind::Todo => "VTODO",
            ComponentKind::Journal => "VJOURNAL",
            ComponentKind::FreeBusy => "VFREEBUSY",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Self::Event, Self::Todo, Self::Journal, Self::FreeBusy]
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// A parsed and validated calendar object resource.
#[derive(Debug, Clone)]
pub struct CalendarObject {
    raw: String,
    kind: ComponentKind,
    uid: String,
    calendar: Component,
    zones: Zones,
    schedules: Vec<Schedule>,
}

impl CalendarObject {
    /// Parses and validates the text of one CalDAV resource.
    pub fn parse(text: &str) -> Result<Self, IcalError> {
        let mut roots = content::parse(text)?;
        let calendar = match roots.pop() {
            Some(root) if roots.is_empty() && root.name == "VCALENDAR" => root,
            _ => return Err(IcalError::NotOneCalendar),
        };
        let (kind, uid) = kind_and_uid(&calendar)?;
        let zones = Zones::read(&calendar)?;
        let schedules = calendar
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == kind.name())
            .map(|(position, c)| Schedule::read(position, c, &zones))
            .collect::<Result<Vec<_>, _>>()?;
        check_instances_are_distinct(&calendar, &schedules)?;
        Ok(Self {
            raw: text.to_string(),
            kind,
            uid,
            calendar,
            zones,
            schedules,
        })
    }

    /// The text exactly as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The UID all its components share.
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// Its component type.
    pub fn kind(&self) -> ComponentKind {
        self.kind
    }

    /// The master's SUMMARY.
    pub fn summary(&self) -> Option<&str> {
        self.master().value("SUMMARY")
    }

    /// True when the master is TRANSP:TRANSPARENT (shown as free).
    pub fn is_transparent(&self) -> bool {
        self.master()
            .value("TRANSP")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("TRANSPARENT"))
    }

    /// True when the master is STATUS:CANCELLED.
    pub fn is_cancelled(&self) -> bool {
        self.master()
            .value("STATUS")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("CANCELLED"))
    }

    /// True when it describes instances of a recurrence: RRULE, RDATE or overrides.
    pub fn is_recurring(&self) -> bool {
        self.schedules
            .iter()
            .any(|s| s.is_recurring() || s.recurrence_id.is_some())
    }

    /// The master's ORGANIZER, when it is a mail address.
    pub fn organizer(&self) -> Option<EmailAddress> {
        self.master().value("ORGANIZER").and_then(cal_address)
    }

    /// The master's ATTENDEEs that are mail addresses.
    pub fn attendees(&self) -> Vec<EmailAddress> {
        self.master()
            .properties_named("ATTENDEE")
            .filter_map(|p| cal_address(&p.value))
            .collect()
    }

    /// The master's ATTENDEEs that are mail addresses, each with its PARTSTAT.
    pub fn attendee_answers(&self) -> Vec<(EmailAddress, Option<&str>)> {
        self.master()
            .properties_named("ATTENDEE")
            .filter_map(|p| Some((cal_address(&p.value)?, p.param("PARTSTAT"))))
            .collect()
    }

    /// A property of the VCALENDAR itself (METHOD, PRODID), trimmed.
    pub fn calendar_value(&self, name: &str) -> Option<&str> {
        self.calendar.value(name).map(str::trim)
    }

    /// A property of the master component (SEQUENCE, DTSTAMP, X-…), trimmed.
    pub fn master_value(&self, name: &str) -> Option<&str> {
        self.master().value(name).map(str::trim)
    }

    /// The master's ORGANIZER display name (CN), if given.
    pub fn organizer_name(&self) -> Option<&str> {
        self.master().property("ORGANIZER")?.param("CN")
    }

    /// The VCALENDAR as a content tree.
    pub(crate) fn calendar(&self) -> &Component {
        &self.calendar
    }

    /// How its TZIDs resolve.
    pub(crate) fn zones(&self) -> &Zones {
        &self.zones
    }

    /// The schedules of its components of [`Self::kind`], master and overrides, in order.
    pub(crate) fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    /// The component a schedule was read from.
    pub(crate) fn component_of(&self, schedule: &Schedule) -> &Component {
        &self.calendar.components[schedule.position]
    }

    /// The component without RECURRENCE-ID, or the first override when there is none.
    fn master(&self) -> &Component {
        let master = self
            .schedules
            .iter()
            .find(|s| s.recurrence_id.is_none())
            .or_else(|| self.schedules.first())
            .expect("invariant: a parsed object has at least one component of its kind");
        self.component_of(master)
    }
}

/// The one component type and the one UID of `calendar`'s components.
fn kind_and_uid(calendar: &Component) -> Result<(ComponentKind, String), IcalError> {
    let mut first: Option<(ComponentKind, &str)> = None;
    for component in &calendar.components {
        if component.name == "VTIMEZONE" || component.name.starts_with("X-") {
            continue;
        }
        let line = component.line;
        let kind =
            ComponentKind::from_name(&component.name).ok_or_else(|| IcalError::Unsupported {
                line,
                component: component.name.clone(),
            })?;
        let uid = component
            .value("UID")
            .map(str::trim)
            .filter(|uid| !uid.is_empty())
            .ok_or_else(|| IcalError::MissingUid {
                line,
                component: component.name.clone(),
            })?;
        match first {
            None => first = Some((kind, uid)),
            Some((seen, _)) if seen != kind => {
                return Err(IcalError::MixedComponents {
                    line,
                    first: seen.name().into(),
                    second: kind.name().into(),
                });
            }
            Some((_, seen)) if seen != uid => {
                return Err(IcalError::MultipleUids {
                    line,
                    first: seen.into(),
                    second: uid.into(),
                });
            }
            Some(_) => {}
        }
    }
    first
        .map(|(kind, uid)| (kind, uid.to_string()))
        .ok_or(IcalError::Empty)
}

/// One master at most, and one override per RECURRENCE-ID.
fn check_instances_are_distinct(
    calendar: &Component,
    schedules: &[Schedule],
) -> Result<(), IcalError> {
    for (index, schedule) in schedules.iter().enumerate() {
        let earlier = &schedules[..index];
        if earlier
            .iter()
            .any(|e| e.recurrence_id == schedule.recurrence_id)
        {
            return Err(IcalError::DuplicateInstance {
                line: calendar.components[schedule.position].line,
            });
        }
    }
    Ok(())
}

/// The address of a `mailto:` calendar user address, whatever the scheme's case.
fn cal_address(value: &str) -> Option<EmailAddress> {
    let value = value.trim();
    let address = match value.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => value.get(7..)?,
        _ => value,
    };
    EmailAddress::parse(address)
}

#[cfg(test)]
#[path = "object_tests.rs"]
mod tests;
