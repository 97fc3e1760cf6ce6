//! The JSON API under `/api/`, one file per resource, plus `/healthz`.

pub mod appointments;
pub mod availability;
pub mod chat;
pub mod users;

use hyper::StatusCode;
use serde_json::json;

use super::Context;
use crate::http::{Response, json};

/// `GET /healthz`: the server is up and its store answers.
pub fn healthz(context: &Context) -> Response {
    let host = context.scheduler.host();
    json(StatusCode::OK, &json!({"status": "ok", "host": host.id}))
}
