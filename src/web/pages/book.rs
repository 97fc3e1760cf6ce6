//! `/`: the booking page, four steps that work without JavaScript — the meeting
//! (skipped when there is one kind), a time (recommended ones with their reasons, then
//! all of the day's, in the visitor's zone), the visitor's details (name, email, what
//! it is about), and the confirmation, which is the new appointment's manage page.
//! The details form carries the page's secret (CSRF); what was typed is kept when a
//! field must be corrected.

use askama::Template;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use hyper::StatusCode;

use super::{problem, refusal, render};
use crate::domain::{Activity, Channel, EmailAddress};
use crate::http::{Request, Response, read_body, see_other};
use crate::mail::compose::when;
use crate::service::{AvailabilityQuery, BookingRequest, ServiceError, Who};
use crate::web::{Answer, Context, input};

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

/// The secret's scope: the booking page's one form.
const FORM: &str = "booking-page";

struct KindView {
    id: String,
    name: String,
    minutes: i64,
}

struct TimeView {
    start: String,
    label: String,
    reasons: String,
}

/// One day's column of the week view.
struct DayView {
    label: String,
    times: Vec<TimeView>,
}

#[derive(Default)]
struct BookView {
    step: u8,
    notice: Option<String>,
    kinds: Vec<KindView>,
    kind_id: String,
    kind_name: String,
    minutes: i64,
    zone: String,
    zones: Vec<String>,
    date: String,
    day: String,
    previous: String,
    next: String,
    recommended: Vec<TimeView>,
    all: Vec<TimeView>,
    start: String,
    when: String,
    secret: String,
    name: String,
    email: String,
    purpose: String,
    /// The assistant: its session, what the visitor said, its reply and times.
    chat: String,
    said: String,
    /// When the visitor first saw the page (seconds since 1970).
    since: String,
    reply: String,
    suggested: Vec<TimeView>,
    quick_actions: Vec<String>,
    /// A length other than the meeting type's (from the assistant), in minutes.
    duration: String,
    /// The week view's columns (empty: the day view).
    week: Vec<DayView>,
}

#[derive(Template)]
#[template(path = "pages/book.html")]
struct BookTemplate<'a> {
    host_name: &'a str,
    v: &'a BookView,
}

fn show(context: &Context, status: StatusCode, view: &BookView) -> Response {
    let host_name = &context.scheduler.host().name;
    render(status, &BookTemplate { host_name, v: view })
}

fn bad(context: &Context, message: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        &context.scheduler.host().name,
        "/",
        "Not possible",
        message,
    )
}

/// GET `/static/kairos.js`: the page's one script (the visitor's zone), compiled in.
pub fn script() -> Answer {
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from_static(
        include_bytes!("../../../static/kairos.js"),
    )));
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}

/// GET `/`: the step the parameters reach.
pub fn get(context: &Context, request: &Request) -> Answer {
    let params = input::query(
        request,
        &[
            "type", "date", "tz", "start", "say", "chat", "duration", "purpose", "view", "since",
        ],
    )
    .map_err(|_| {
        bad(
            context,
            "This address has parameters the page does not know.",
        )
    })?;
    // When the visitor first saw the page: carried from step to step into the
    // booking, for the time it took them to book.
    let since = params
        .get("since")
        .and_then(|text| text.parse::<i64>().ok())
        .unwrap_or_else(|| context.scheduler.now().timestamp());
    let entering = ["start", "date", "say", "view", "chat"]
        .iter()
        .all(|name| !params.contains_key(*name));
    if entering {
        context.scheduler.note(Activity::PageViewed);
    }
    let host_zone = context.scheduler.host().zone;
    let zone = match params.get("tz") {
        Some(text) => input::zone("tz", text).map_err(|_| bad(context, "Unknown time zone."))?,
        None => host_zone,
    };
    let kinds = context.scheduler.meeting_types();
    let kind = match params.get("type") {
        Some(id) => Some(
            kinds
                .iter()
                .find(|kind| &kind.id == id)
                .ok_or_else(|| bad(context, "There is no such meeting."))?,
        ),
        None if kinds.len() == 1 => kinds.first(),
        None => None,
    };
    let Some(kind) = kind else {
        let view = BookView {
            step: 1,
            since: since.to_string(),
            zone: zone.name().to_string(),
            kinds: kinds
                .iter()
                .map(|kind| KindView {
                    id: kind.id.clone(),
                    name: kind.name.clone(),
                    minutes: kind.duration.num_minutes(),
                })
                .collect(),
            ..BookView::default()
        };
        return Ok(show(context, StatusCode::OK, &view));
    };
    if let Some(start) = params.get("start") {
        let start = DateTime::parse_from_rfc3339(start)
            .map_err(|_| bad(context, "Choose one of the times shown."))?
            .with_timezone(&Utc);
        let duration = match params.get("duration") {
            Some(text) => Some(
                text.parse::<i64>()
                    .ok()
                    .filter(|m| (5..=480).contains(m))
                    .ok_or_else(|| bad(context, "The length must be 5 to 480 minutes."))?,
            ),
            None => None,
        };
        let mut view = details(context, kind, zone, start, duration)?;
        view.purpose = params.get("purpose").cloned().unwrap_or_default();
        view.chat = params.get("chat").cloned().unwrap_or_default();
        view.since = since.to_string();
        context.scheduler.note(Activity::TimeChosen);
        return Ok(show(context, StatusCode::OK, &view));
    }
    let today = context.scheduler.now().with_timezone(&zone).date_naive();
    let date = match params.get("date") {
        Some(text) => input::date("date", text)
            .map_err(|_| bad(context, "The date must look like 2026-03-04."))?,
        None => today,
    };
    let mut view = times(context, kind, zone, date.max(today), None)?;
    view.since = since.to_string();
    if params.get("view").map(String::as_str) == Some("week") {
        view.week = week(context, kind, zone, date.max(today))?;
    }
    if let Some(said) = params.get("say").filter(|said| !said.trim().is_empty()) {
        // The assistant, server-rendered: it works without JavaScript.
        let said: String = said.chars().take(500).collect();
        let answer = context
            .scheduler
            .chat(params.get("chat").map(String::as_str), &said, zone)
            .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
        let session = &answer.session;
        let mut extra = String::new();
        if let Some(minutes) = session.duration_minutes {
            extra.push_str(&format!("&duration={minutes}"));
        }
        if let Some(purpose) = &session.purpose {
            let encoded: String =
                url::form_urlencoded::byte_serialize(purpose.as_bytes()).collect();
            extra.push_str(&format!("&purpose={encoded}"));
        }
        extra.push_str(&format!("&chat={}", session.id));
        view.chat = session.id.clone();
        view.said = said;
        view.reply = answer.reply.clone();
        view.suggested = answer
            .slots
            .iter()
            .map(|slot| TimeView {
                start: format!(
                    "{}{extra}",
                    slot.interval.start.format("%Y-%m-%dT%H:%M:%SZ")
                ),
                label: slot
                    .interval
                    .start
                    .with_timezone(&zone)
                    .format("%A %-d %B, %H:%M")
                    .to_string(),
                reasons: slot.reasons.join("; "),
            })
            .collect();
        if let Some(chosen) = session.chosen {
            view.suggested.insert(
                0,
                TimeView {
                    start: format!("{}{extra}", chosen.start.format("%Y-%m-%dT%H:%M:%SZ")),
                    label: chosen
                        .start
                        .with_timezone(&zone)
                        .format("%A %-d %B, %H:%M")
                        .to_string(),
                    reasons: "Your choice".into(),
                },
            );
        }
    }
    view.quick_actions = crate::service::QUICK_ACTIONS
        .iter()
        .map(|action| action.to_string())
        .collect();
    Ok(show(context, StatusCode::OK, &view))
}

/// The free times of the seven days from `from`, a column each.
fn week(
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
fn times(
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
fn details(
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

/// POST `/book`: books, then shows the confirmation (the manage page).
pub async fn post(context: &Context, request: Request) -> Answer {
    let body = read_body(request.into_body(), context.max_body_bytes)
        .await
        .map_err(|_| bad(context, "The form could not be read."))?;
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        fields
            .get(name)
            .map_or("", String::as_str)
            .trim()
            .to_string()
    };
    let genuine = context
        .scheduler
        .form_secret_holds(FORM, &field("form"))
        .map_err(|error| refusal(&error, &context.scheduler.host().name, "/"))?;
    if !genuine {
        return Err(problem(
            StatusCode::FORBIDDEN,
            &context.scheduler.host().name,
            "/",
            "Not possible",
            "This form did not come from the booking page. Please start again.",
        ));
    }
    let zone = input::zone("tz", &field("tz")).map_err(|_| bad(context, "Unknown time zone."))?;
    let kind = context
        .scheduler
        .meeting_types()
        .iter()
        .find(|kind| kind.id == field("type"))
        .ok_or_else(|| bad(context, "There is no such meeting."))?
        .clone();
    let start = DateTime::parse_from_rfc3339(&field("start"))
        .map_err(|_| bad(context, "Choose one of the times shown."))?
        .with_timezone(&Utc);
    let duration = match field("duration").as_str() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .ok()
                .filter(|m| (5..=480).contains(m))
                .ok_or_else(|| bad(context, "The length must be 5 to 480 minutes."))?,
        ),
    };
    let again = |notice: String| -> Result<Response, Response> {
        let mut view = details(context, &kind, zone, start, duration)?;
        view.notice = Some(notice);
        view.name = field("name");
        view.email = field("email");
        view.purpose = field("purpose");
        Ok(show(context, StatusCode::BAD_REQUEST, &view))
    };
    let Some(email) = EmailAddress::parse(&field("email")) else {
        return Err(again(
            "Please give an email address such as ada@example.com.".into(),
        )?);
    };
    let booked = context
        .scheduler
        .book(BookingRequest {
            who: Who::Person {
                name: field("name"),
                email,
            },
            start,
            duration_minutes: duration,
            meeting_type: Some(kind.id.clone()),
            purpose: field("purpose"),
            zone,
            channel: if field("chat").is_empty() {
                Channel::Page
            } else {
                Channel::Chat
            },
            asked_at: field("since")
                .parse::<i64>()
                .ok()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0)),
        })
        .await;
    match booked {
        Ok(booking) => Ok(see_other(&format!(
            "/manage/{}?booked=1",
            booking.appointment.manage_token
        ))),
        Err(ServiceError::Invalid { message, .. }) => Err(again(message)?),
        Err(ServiceError::SlotUnavailable { violation, .. }) => {
            let date = start.with_timezone(&zone).date_naive();
            let notice = format!(
                "That time was just taken ({}). Please choose another.",
                violation.message()
            );
            let view = times(context, &kind, zone, date, Some(notice))?;
            Err(show(context, StatusCode::CONFLICT, &view))
        }
        Err(error) => Err(refusal(&error, &context.scheduler.host().name, "/")),
    }
}
