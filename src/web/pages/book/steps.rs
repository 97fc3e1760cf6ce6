//! The booking page's time and details steps: the day's times (recommended first),
//! the week view, the assistant's answer beside them, and the chosen time's details
//! form.
//!
//! Must not know: how times are chosen or scored (service and slots decide).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{BookView, DayView, FORM, TimeView, bad};
use crate::http::Response;
use crate::mail::compose::when;
use crate::service::AvailabilityQuery;
use crate::web::Context;
use crate::web::pages::refusal;

/// Zones offered in the selector, besides the host's and the visitor's.
const ZONES: &[&str] = &[
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// The free times of the seven days from `from`, a column each.
pub(super) fn week(
    context: &Context,
    kind: &crate::domain::MeetingType,
    zone: Tz,
    from: NaiveDate,
) -> Result<Vec<DayView>, Response> {
    let mut days = Vec::with_capacity(7);
    for offset in 0..7 {
        let date = from + Duration::days(offset);
        let day = context
            .scheduler
            .availability(&AvailabilityQuery {
                date,
                zone,
                duration_minutes: None,
                meeting_type: Some(kind.id.clone()),
                client: None,
            })
            .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
        days.push(DayView {
            label: date.format("%a %-d %b").to_string(),
            times: day
                .all
                .iter()
                .map(|slot| TimeView {
                    start: slot.interval.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    label: slot
                        .interval
                        .start
                        .with_timezone(&zone)
                        .format("%H:%M")
                        .to_string(),
                    reasons: String::new(),
                })
                .collect(),
        });
    }
    Ok(days)
}

/// Step 2: the day's times.
pub(super) fn times(
    context: &Context,
    kind: &crate::domain::MeetingType,
    zone: Tz,
    date: NaiveDate,
    notice: Option<String>,
) -> Result<BookView, Response> {
    let day = context
        .scheduler
        .availability(&AvailabilityQuery {
            date,
            zone,
            duration_minutes: None,
            meeting_type: Some(kind.id.clone()),
            client: None,
        })
        .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
    let time = |slot: &crate::slots::Slot, long: bool| TimeView {
        start: slot.interval.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        label: if long {
            slot.interval
                .start
                .with_timezone(&zone)
                .format("%A %-d %B, %H:%M")
                .to_string()
        } else {
            slot.interval
                .start
                .with_timezone(&zone)
                .format("%H:%M")
                .to_string()
        },
        reasons: slot.reasons.join("; "),
    };
    let mut zones: Vec<String> = ZONES.iter().map(|z| z.to_string()).collect();
    for extra in [context.scheduler.host().zone.name(), zone.name()] {
        if !zones.iter().any(|z| z == extra) {
            zones.push(extra.to_string());
        }
    }
    Ok(BookView {
        step: 2,
        notice,
        kind_id: kind.id.clone(),
        kind_name: kind.name.clone(),
        minutes: kind.duration.num_minutes(),
        zone: zone.name().to_string(),
        zones,
        date: date.format("%Y-%m-%d").to_string(),
        day: date.format("%A %-d %B %Y").to_string(),
        previous: (date - Duration::days(1)).format("%Y-%m-%d").to_string(),
        next: (date + Duration::days(1)).format("%Y-%m-%d").to_string(),
        recommended: day
            .suggestions
            .iter()
            .map(|slot| time(slot, true))
            .collect(),
        all: day.all.iter().map(|slot| time(slot, false)).collect(),
        ..BookView::default()
    })
}

/// Step 3: the details form for `start`.
pub(super) fn details(
    context: &Context,
    kind: &crate::domain::MeetingType,
    zone: Tz,
    start: DateTime<Utc>,
    duration: Option<i64>,
) -> Result<BookView, Response> {
    let secret = context
        .scheduler
        .form_secret(FORM)
        .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
    let length = duration.map_or(kind.duration, Duration::minutes);
    let interval = crate::domain::Interval::starting_at(start, length)
        .ok_or_else(|| bad(context, "Choose one of the times shown."))?;
    Ok(BookView {
        step: 3,
        kind_id: kind.id.clone(),
        kind_name: kind.name.clone(),
        minutes: length.num_minutes(),
        duration: duration.map(|m| m.to_string()).unwrap_or_default(),
        zone: zone.name().to_string(),
        date: start.with_timezone(&zone).format("%Y-%m-%d").to_string(),
        start: start.to_rfc3339(),
        when: when(interval, zone),
        secret,
        ..BookView::default()
    })
}

/// The assistant's answer to `said` (server-rendered: it works without JavaScript),
/// with its times linked to the details step, carrying the length, purpose and
/// conversation settled so far.
pub(super) fn assistant(
    context: &Context,
    view: &mut BookView,
    said: &str,
    chat: Option<&String>,
    zone: Tz,
) -> Result<(), Response> {
    let said: String = said.chars().take(500).collect();
    let answer = context
        .scheduler
        .chat(chat.map(String::as_str), &said, zone)
        .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
    let session = &answer.session;
    let mut extra = String::new();
    if let Some(minutes) = session.duration_minutes {
        extra.push_str(&format!("&duration={minutes}"));
    }
    if let Some(purpose) = &session.purpose {
        let encoded: String = url::form_urlencoded::byte_serialize(purpose.as_bytes()).collect();
        extra.push_str(&format!("&purpose={encoded}"));
    }
    extra.push_str(&format!("&chat={}", session.id));
    let offered = |start: DateTime<Utc>, reasons: String| TimeView {
        start: format!("{}{extra}", start.format("%Y-%m-%dT%H:%M:%SZ")),
        label: start
            .with_timezone(&zone)
            .format("%A %-d %B, %H:%M")
            .to_string(),
        reasons,
    };
    view.suggested = session
        .chosen
        .map(|chosen| offered(chosen.start, "Your choice".into()))
        .into_iter()
        .chain(
            answer
                .slots
                .iter()
                .map(|slot| offered(slot.interval.start, slot.reasons.join("; "))),
        )
        .collect();
    view.chat = session.id.clone();
    view.said = said;
    view.reply = answer.reply.clone();
    Ok(())
}
