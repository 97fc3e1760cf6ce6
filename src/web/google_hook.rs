//! `POST /google/notify`: Google's change notifications for the watched calendars
//! (`google.watch_url` points here). A notification carrying Kairos's channel token
//! wakes the pull job; anything else is refused with 403 and changes nothing. The body
//! is empty by Google's design: the headers say which channel and what happened.

use hyper::StatusCode;

use super::errors::service;
use super::{Answer, Context};
use crate::http::{Request, json, json_error};

/// The notification.
pub fn notify(context: &Context, request: &Request) -> Answer {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    };
    let token = header("x-goog-channel-token");
    let state = header("x-goog-resource-state");
    let scheduler = &context.scheduler;
    match scheduler.google_notified(token) {
        Ok(true) => {
            tracing::debug!(state, "Google notified a change");
            Ok(json(StatusCode::OK, &serde_json::json!({"pulling": true})))
        }
        Ok(false) => Err(json_error(
            StatusCode::FORBIDDEN,
            "unknown_channel",
            "this notification does not carry Kairos's channel token",
            serde_json::Map::new(),
        )),
        Err(error) => Err(service(error, scheduler.host().zone)),
    }
}
