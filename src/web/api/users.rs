//! `GET/PUT /api/users/{id}/preferences` and `GET /api/users/{id}/patterns`: for the
//! host, or for the holder of a manage token of one of that client's appointments.

use hyper::StatusCode;
use serde_json::json;

use super::super::errors::{refused, service};
use super::super::{Answer, Context, caller, input};
use crate::domain::{ClientId, Preferences};
use crate::http::{Request, json};

/// The client's preferences.
pub fn get_preferences(context: &Context, request: &Request, id: &str) -> Answer {
    let who = caller(context, request).map_err(refused)?;
    let preferences = context
        .scheduler
        .preferences(&ClientId::from_string(id), &who)
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    Ok(json(
        StatusCode::OK,
        &json!({"userId": id, "preferences": preferences}),
    ))
}

/// Replaces the client's preferences with the body.
pub async fn put_preferences(context: &Context, request: Request, id: &str) -> Answer {
    let who = caller(context, &request).map_err(refused)?;
    let preferences: Preferences = input::json_body(request, context.body)
        .await
        .map_err(refused)?;
    let preferences = context
        .scheduler
        .set_preferences(&ClientId::from_string(id), &who, preferences)
        .await
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    Ok(json(
        StatusCode::OK,
        &json!({"userId": id, "preferences": preferences}),
    ))
}

/// The client's learned booking patterns.
pub fn get_patterns(context: &Context, request: &Request, id: &str) -> Answer {
    let who = caller(context, request).map_err(refused)?;
    let patterns = context
        .scheduler
        .patterns(&ClientId::from_string(id), &who)
        .map_err(|error| service(error, context.scheduler.host().zone))?;
    Ok(json(
        StatusCode::OK,
        &json!({
            "userId": patterns.client_id,
            "bookings": patterns.bookings,
            "predicted": patterns.windows,
            "global": patterns.global,
        }),
    ))
}
