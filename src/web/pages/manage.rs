//! `/manage/<token>`: the client's own page for an appointment — what it is, a video
//! link, times to move it to (the best near it, or a day's: `?date=YYYY-MM-DD`), and
//! forms to move or cancel it. The forms carry the page's secret (CSRF) and post
//! back here; after a change the visitor is sent back to the page, which shows it.

use askama::Template;
use chrono::NaiveDate;
use hyper::StatusCode;

use super::{problem, refusal, render};
use crate::http::{Request, Response, read_body, see_other};
use crate::mail::compose::when;
use crate::service::{Access, Managed, ServiceError};
use crate::web::{Answer, Context, input};

struct TimeView {
    start: String,
    when: String,
    reasons: String,
}

struct ManageView {
    title: String,
    when: String,
    purpose: String,
    meeting_url: Option<String>,
    cancelled: bool,
    times: Vec<TimeView>,
    day: Option<String>,
    date_value: String,
    notice: Option<String>,
    /// Just booked: the confirmation step.
    booked: bool,
    email: String,
    secret: String,
    action: String,
    booking_url: String,
}

#[derive(Template)]
#[template(path = "pages/manage.html")]
struct ManageTemplate<'a> {
    host_name: &'a str,
    v: &'a ManageView,
}

fn booking_url(context: &Context) -> String {
    format!("{}/", context.scheduler.public_url())
}

fn refused(context: &Context, error: &ServiceError) -> Response {
    refusal(error, &context.scheduler.host().name, &booking_url(context))
}

fn view(
    context: &Context,
    token: &str,
    managed: &Managed,
    day: Option<NaiveDate>,
) -> Result<ManageView, Response> {
    let appointment = &managed.booking.appointment;
    let zone = appointment.client_zone;
    let secret = context
        .scheduler
        .form_secret(token)
        .map_err(|error| refused(context, &error))?;
    Ok(ManageView {
        title: appointment.title.clone(),
        when: when(appointment.interval, zone),
        purpose: appointment.purpose.clone(),
        meeting_url: appointment.meeting_url.clone(),
        cancelled: !appointment.is_confirmed(),
        times: managed
            .times
            .iter()
            .map(|slot| TimeView {
                start: slot.interval.start.to_rfc3339(),
                when: when(slot.interval, zone),
                reasons: slot.reasons.join("; "),
            })
            .collect(),
        day: day.map(|day| day.format("%A %-d %B %Y").to_string()),
        date_value: day
            .unwrap_or_else(|| appointment.interval.start.with_timezone(&zone).date_naive())
            .format("%Y-%m-%d")
            .to_string(),
        notice: None,
        booked: false,
        email: managed.booking.client.email.as_str().to_string(),
        secret,
        action: format!("/manage/{token}"),
        booking_url: booking_url(context),
    })
}

fn show(context: &Context, status: StatusCode, view: &ManageView) -> Response {
    let host_name = &context.scheduler.host().name;
    render(status, &ManageTemplate { host_name, v: view })
}

/// GET: the appointment, with times near it or on `?date=`.
pub fn get(context: &Context, request: &Request, token: &str) -> Answer {
    let params = input::query(request, &["date", "booked"])
        .map_err(|_| bad(context, "Unknown parameter."))?;
    let day = match params.get("date") {
        Some(text) => Some(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| bad(context, "The date must look like 2026-03-04."))?,
        ),
        None => None,
    };
    let managed = context
        .scheduler
        .managed(token, day)
        .map_err(|error| refused(context, &error))?;
    let mut view = view(context, token, &managed, day)?;
    view.booked = params.contains_key("booked") && !view.cancelled;
    Ok(show(context, StatusCode::OK, &view))
}

/// GET `/manage/<token>/event.ics`: the appointment for the client's calendar.
pub fn event(context: &Context, token: &str) -> Answer {
    let text = context
        .scheduler
        .managed_event(token)
        .map_err(|error| refused(context, &error))?;
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(text)));
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CONTENT_DISPOSITION,
        hyper::header::HeaderValue::from_static("attachment; filename=\"appointment.ics\""),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

fn bad(context: &Context, message: &str) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        &context.scheduler.host().name,
        &booking_url(context),
        "Not possible",
        message,
    )
}

/// The fields of a posted form, once its secret is checked.
async fn form(
    context: &Context,
    request: Request,
    token: &str,
) -> Result<std::collections::HashMap<String, String>, Response> {
    let body = read_body(request.into_body(), context.body)
        .await
        .map_err(|_| bad(context, "The form could not be read."))?;
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let genuine = context
        .scheduler
        .form_secret_holds(token, fields.get("form").map_or("", String::as_str))
        .map_err(|error| refused(context, &error))?;
    if !genuine {
        return Err(problem(
            StatusCode::FORBIDDEN,
            &context.scheduler.host().name,
            &booking_url(context),
            "Not possible",
            "This form did not come from your appointment's page. Open the link again.",
        ));
    }
    Ok(fields)
}

/// POST `/manage/<token>/cancel`.
pub async fn cancel(context: &Context, request: Request, token: &str) -> Answer {
    form(context, request, token).await?;
    let id = appointment_id(context, token)?;
    context
        .scheduler
        .cancel(&id, &Access::Token(token.to_string()))
        .await
        .map_err(|error| refused(context, &error))?;
    Ok(see_other(&format!("/manage/{token}")))
}

/// POST `/manage/<token>/reschedule` with `start` (RFC 3339).
pub async fn reschedule(context: &Context, request: Request, token: &str) -> Answer {
    let fields = form(context, request, token).await?;
    let start = fields
        .get("start")
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|start| start.with_timezone(&chrono::Utc))
        .ok_or_else(|| bad(context, "Choose one of the times shown."))?;
    let id = appointment_id(context, token)?;
    match context
        .scheduler
        .reschedule(&id, &Access::Token(token.to_string()), start)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/manage/{token}"))),
        Err(ServiceError::SlotUnavailable { violation, .. }) => {
            let managed = context
                .scheduler
                .managed(token, None)
                .map_err(|error| refused(context, &error))?;
            let mut view = view(context, token, &managed, None)?;
            view.notice = Some(format!(
                "That time can no longer be booked ({}). These are free:",
                violation.message()
            ));
            Err(show(context, StatusCode::CONFLICT, &view))
        }
        Err(error) => Err(refused(context, &error)),
    }
}

fn appointment_id(
    context: &Context,
    token: &str,
) -> Result<crate::domain::AppointmentId, Response> {
    context
        .scheduler
        .managed(token, None)
        .map(|managed| managed.booking.appointment.id)
        .map_err(|error| refused(context, &error))
}
