//! `POST /api/appointments`, `GET /api/appointments/{id}`,
//! `POST /api/appointments/{id}/cancel`, `POST /api/appointments/{id}/reschedule`.
//! Reading and changing an appointment needs its manage token (`?token=`) or the
//! admin credentials; the id alone grants nothing.

use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::errors::{Refused, refused, service};
use super::super::{Context, caller, input, wire};
use crate::domain::{AppointmentId, Channel, ClientId};
use crate::http::{Request, Response, json};
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Reschedule {
    start_time: String,
}

fn missing(field: &str, message: &str) -> Refused {
    Refused::Field {
        code: "missing_field",
        field: field.into(),
        message: message.into(),
    }
}

fn body(context: &Context, booking: &Booking) -> Value {
    json!({
        "appointment": wire::appointment(booking, &context.scheduler.manage_url(&booking.appointment)),
        "calendarEvent": Value::Null,
    })
}

/// Books; 201 with the appointment, 409 with alternatives, 400 on bad input.
pub async fn create(context: &Context, request: Request) -> Response {
    let host_zone = context.scheduler.host().zone;
    let limit = context.max_body_bytes;
    let parsed = async {
        let body: NewAppointment = input::json_body(request, limit).await?;
        let zone = body
            .timezone
            .as_deref()
            .map(|text| input::zone("timezone", text))
            .transpose()?
            .unwrap_or(host_zone);
        let who = match (body.user_id, body.name, body.email) {
            (Some(id), _, _) => Who::Known(ClientId::from_string(id)),
            (None, Some(name), Some(email)) => Who::Person {
                name,
                email: input::email("email", &email)?,
            },
            (None, None, _) => {
                return Err(missing("name", "name and email (or userId) are needed"));
            }
            (None, Some(_), None) => {
                return Err(missing("email", "name and email (or userId) are needed"));
            }
        };
        Ok(BookingRequest {
            who,
            start: input::instant("startTime", &body.start_time, zone)?,
            duration_minutes: body.duration,
            meeting_type: body.meeting_type,
            purpose: body.purpose.unwrap_or_default(),
            zone,
            channel: Channel::Api,
        })
    };
    let booking_request = match parsed.await {
        Ok(booking_request) => booking_request,
        Err(refusal) => return refused(refusal),
    };
    let zone = booking_request.zone;
    match context.scheduler.book(booking_request).await {
        Ok(booking) => json(StatusCode::CREATED, &body(context, &booking)),
        Err(error) => service(error, zone),
    }
}

/// The appointment, for its token holder or the host.
pub fn get(context: &Context, request: &Request, id: &str) -> Response {
    let host_zone = context.scheduler.host().zone;
    let who = match caller(context, request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    match context
        .scheduler
        .appointment(&AppointmentId::from_string(id), &who)
    {
        Ok(booking) => json(StatusCode::OK, &body(context, &booking)),
        Err(error) => service(error, host_zone),
    }
}

/// Cancels; idempotent.
pub async fn cancel(context: &Context, request: Request, id: &str) -> Response {
    let host_zone = context.scheduler.host().zone;
    let who = match caller(context, &request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    match context
        .scheduler
        .cancel(&AppointmentId::from_string(id), &who)
        .await
    {
        Ok(booking) => json(StatusCode::OK, &body(context, &booking)),
        Err(error) => service(error, host_zone),
    }
}

/// Moves to a new start, atomically; 409 with alternatives when the new time is not free.
pub async fn reschedule(context: &Context, request: Request, id: &str) -> Response {
    let id = AppointmentId::from_string(id);
    let who = match caller(context, &request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    // The client's zone reads a wall-clock startTime and shows the alternatives.
    let zone = match context.scheduler.appointment(&id, &who) {
        Ok(booking) => booking.appointment.client_zone,
        Err(error) => return service(error, context.scheduler.host().zone),
    };
    let start = async {
        let body: Reschedule = input::json_body(request, context.max_body_bytes).await?;
        input::instant("startTime", &body.start_time, zone)
    };
    let start = match start.await {
        Ok(start) => start,
        Err(refusal) => return refused(refusal),
    };
    match context.scheduler.reschedule(&id, &who, start).await {
        Ok(booking) => json(StatusCode::OK, &body(context, &booking)),
        Err(error) => service(error, zone),
    }
}
