//! `POST /api/appointments`, `GET /api/appointments/{id}`,
//! `POST /api/appointments/{id}/cancel`, `POST /api/appointments/{id}/reschedule`.
//! Reading and changing an appointment needs its manage token (`?token=`) or the
//! admin credentials; the id alone grants nothing.

use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::errors::{Refused, refused, service};
use super::super::{Answer, Context, caller, input, wire};
use crate::domain::{AppointmentId, Channel, ClientId};
use crate::http::{Request, json};
use crate::service::{Booking, BookingRequest, Who};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NewAppointment {
    name: Option<String>,
    email: Option<String>,
    user_id: Option<String>,
    start_time: String,
    duration: Option<i64>,
    meeting_type: Option<String>,
    purpose: Option<String>,
    timezone: Option<String>,
    /// The assistant's conversation that led here, if any.
    session_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Reschedule {
    start_time: String,
}

fn body(context: &Context, booking: &Booking) -> Value {
    json!({
        "appointment": wire::appointment(booking, &context.scheduler.manage_url(&booking.appointment)),
        "calendarEvent": context
            .scheduler
            .google_calendar()
            .map_or(Value::Null, |calendar| wire::calendar_event(&booking.appointment, calendar)),
    })
}

async fn booking_request(context: &Context, request: Request) -> Result<BookingRequest, Refused> {
    let body: NewAppointment = input::json_body(request, context.body).await?;
    let zone = match body.timezone.as_deref() {
        Some(text) => input::zone("timezone", text)?,
        None => context.scheduler.host().zone,
    };
    let who = match (body.user_id, body.name, body.email) {
        (Some(id), _, _) => Who::Known(ClientId::from_string(id)),
        (None, Some(name), Some(email)) => Who::Person {
            name,
            email: input::email("email", &email)?,
        },
        (None, name, _) => {
            let field = if name.is_none() { "name" } else { "email" };
            return Err(Refused::Field {
                code: "missing_field",
                field: field.into(),
                message: "name and email (or userId) are needed".into(),
            });
        }
    };
    Ok(BookingRequest {
        who,
        start: input::instant("startTime", &body.start_time, zone)?,
        duration_minutes: body.duration,
        meeting_type: body.meeting_type,
        purpose: body.purpose.unwrap_or_default(),
        zone,
        channel: if body.session_id.is_some() {
            Channel::Chat
        } else {
            Channel::Api
        },
        asked_at: body
            .session_id
            .as_deref()
            .and_then(|id| context.scheduler.chat_started(id)),
    })
}

/// Books; 201 with the appointment, 409 with alternatives, 400 on bad input.
pub async fn create(context: &Context, request: Request) -> Answer {
    let booking_request = booking_request(context, request).await.map_err(refused)?;
    let zone = booking_request.zone;
    let booking = context
        .scheduler
        .book(booking_request)
        .await
        .map_err(|error| service(error, zone))?;
    Ok(json(StatusCode::CREATED, &body(context, &booking)))
}

/// The appointment, for its token holder or the host.
pub fn get(context: &Context, request: &Request, id: &str) -> Answer {
    let who = caller(context, request).map_err(refused)?;
    let booking = context
        .scheduler
        .appointment(&AppointmentId::from_string(id), &who)
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    Ok(json(StatusCode::OK, &body(context, &booking)))
}

/// Cancels; idempotent.
pub async fn cancel(context: &Context, request: Request, id: &str) -> Answer {
    let who = caller(context, &request).map_err(refused)?;
    let booking = context
        .scheduler
        .cancel(&AppointmentId::from_string(id), &who)
        .await
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    Ok(json(StatusCode::OK, &body(context, &booking)))
}

/// Moves to a new start, atomically; 409 with alternatives when the new time is not free.
pub async fn reschedule(context: &Context, request: Request, id: &str) -> Answer {
    let id = AppointmentId::from_string(id);
    let who = caller(context, &request).map_err(refused)?;
    // The client's zone reads a wall-clock startTime and shows the alternatives.
    let current = context
        .scheduler
        .appointment(&id, &who)
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    let zone = current.appointment.client_zone;
    let body_in: Reschedule = input::json_body(request, context.body)
        .await
        .map_err(refused)?;
    let start = input::instant("startTime", &body_in.start_time, zone).map_err(refused)?;
    let booking = context
        .scheduler
        .reschedule(&id, &who, start)
        .await
        .map_err(|error| service(error, zone))?;
    Ok(json(StatusCode::OK, &body(context, &booking)))
}
