//! `GET/PUT /api/users/{id}/preferences` and `GET /api/users/{id}/patterns`: for the
//! host, or for the holder of a manage token of one of that client's appointments.

use hyper::StatusCode;
use serde_json::json;

use super::super::errors::{refused, service};
use super::super::{Context, caller, input};
use crate::domain::{ClientId, Preferences};
use crate::http::{Request, Response, json};

/// The client's preferences.
pub fn get_preferences(context: &Context, request: &Request, id: &str) -> Response {
    let zone = context.scheduler.host().zone;
    let who = match caller(context, request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    match context
        .scheduler
        .preferences(&ClientId::from_string(id), &who)
    {
        Ok(preferences) => json(
            StatusCode::OK,
            &json!({"userId": id, "preferences": preferences}),
        ),
        Err(error) => service(error, zone),
    }
}

/// Replaces the client's preferences with the body.
pub async fn put_preferences(context: &Context, request: Request, id: &str) -> Response {
    let zone = context.scheduler.host().zone;
    let who = match caller(context, &request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    let preferences: Preferences = match input::json_body(request, context.max_body_bytes).await {
        Ok(preferences) => preferences,
        Err(refusal) => return refused(refusal),
    };
    match context
        .scheduler
        .set_preferences(&ClientId::from_string(id), &who, preferences)
        .await
    {
        Ok(preferences) => json(
            StatusCode::OK,
            &json!({"userId": id, "preferences": preferences}),
        ),
        Err(error) => service(error, zone),
    }
}

/// The client's learned booking patterns.
pub fn get_patterns(context: &Context, request: &Request, id: &str) -> Response {
    let zone = context.scheduler.host().zone;
    let who = match caller(context, request) {
        Ok(who) => who,
        Err(refusal) => return refused(refusal),
    };
    match context.scheduler.patterns(&ClientId::from_string(id), &who) {
        Ok(patterns) => json(
            StatusCode::OK,
            &json!({
                "userId": patterns.client_id,
                "bookings": patterns.bookings,
                "predicted": patterns.windows,
                "global": patterns.global,
            }),
        ),
        Err(error) => service(error, zone),
    }
}
