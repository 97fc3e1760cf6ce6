//! `GET /api/availability?date=YYYY-MM-DD&duration=30&timezone=Europe/Paris[&meetingType=…][&email=…|&userId=…]`.

use hyper::StatusCode;
use serde_json::json;

use super::super::errors::{Refused, refused, service};
use super::super::{Answer, Context, input, wire};
use crate::domain::ClientId;
use crate::http::{Request, json};
use crate::service::{AvailabilityQuery, ClientLookup};

const PARAMETERS: &[&str] = &[
    "date",
    "duration",
    "timezone",
    "meetingType",
    "email",
    "userId",
];

/// Answers with the day's suggestions and all its slots.
pub fn get(context: &Context, request: &Request) -> Answer {
    let query = parse(context, request).map_err(refused)?;
    let day = context
        .scheduler
        .availability(&query)
        .map_err(|error| service(error, query.zone))?;
    let slots = |slots: &[crate::slots::Slot]| {
        slots
            .iter()
            .map(|slot| wire::slot(slot, day.zone))
            .collect::<Vec<_>>()
    };
    Ok(json(
        StatusCode::OK,
        &json!({
            "date": day.date.format("%Y-%m-%d").to_string(),
            "timezone": day.zone.name(),
            "duration": day.duration.num_minutes(),
            "suggestions": slots(&day.suggestions),
            "allSlots": slots(&day.all),
        }),
    ))
}

fn parse(
    context: &Context,
    request: &Request,
) -> Result<AvailabilityQuery, super::super::errors::Refused> {
    let params = input::query(request, PARAMETERS)?;
    let date = match params.get("date") {
        Some(text) => input::date("date", text)?,
        None => {
            return Err(Refused::Field {
                code: "missing_field",
                field: "date".into(),
                message: "date=YYYY-MM-DD is needed".into(),
            });
        }
    };
    let zone = match params.get("timezone") {
        Some(text) => input::zone("timezone", text)?,
        None => context.scheduler.host().zone,
    };
    let duration_minutes = params
        .get("duration")
        .map(|text| input::minutes("duration", text))
        .transpose()?;
    let client = match (params.get("email"), params.get("userId")) {
        (_, Some(id)) => Some(ClientLookup::Id(ClientId::from_string(id.as_str()))),
        (Some(email), None) => Some(ClientLookup::Email(input::email("email", email)?)),
        (None, None) => None,
    };
    Ok(AvailabilityQuery {
        date,
        zone,
        duration_minutes,
        meeting_type: params.get("meetingType").cloned(),
        client,
    })
}
