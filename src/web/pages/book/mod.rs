//! `/`: the booking page, four steps that work without JavaScript — the meeting
//! (skipped when there is one kind), a time (recommended ones with their reasons, then
//! all of the day's, in the visitor's zone), the visitor's details (name, email, what
//! it is about), and the confirmation, which is the new appointment's manage page.
//! The details form carries the page's secret (CSRF); what was typed is kept when a
//! field must be corrected.

mod steps;

use steps::{assistant, details, times, week};

use askama::Template;
use chrono::{DateTime, Utc};
use hyper::StatusCode;

use super::{problem, refusal, render};
use crate::domain::{Activity, Channel, EmailAddress};
use crate::http::{Request, Response, read_body, see_other};
use crate::service::{BookingRequest, ServiceError, Who};
use crate::web::{Answer, Context, input};

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
        include_bytes!("../../../../static/kairos.js"),
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
        assistant(context, &mut view, said, params.get("chat"), zone)?;
    }
    view.quick_actions = crate::service::QUICK_ACTIONS
        .iter()
        .map(|action| action.to_string())
        .collect();
    Ok(show(context, StatusCode::OK, &view))
}

/// POST `/book`: books, then shows the confirmation (the manage page).
pub async fn post(context: &Context, request: Request) -> Answer {
    let body = read_body(request.into_body(), context.body)
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
