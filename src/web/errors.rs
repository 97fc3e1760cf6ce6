//! Service and input errors → HTTP status + the JSON error shape, in one place.

use hyper::StatusCode;
use hyper::header::{ALLOW, HeaderValue, WWW_AUTHENTICATE};
use serde_json::{Map, Value};

use super::wire;
use crate::http::{BodyError, Response, json_error};
use crate::service::ServiceError;
use chrono_tz::Tz;

/// A request refused before it reached a use case.
#[derive(Debug)]
pub enum Refused {
    /// A field is wrong.
    Field {
        /// Machine-readable code.
        code: &'static str,
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The body is not JSON at all.
    Json(String),
    /// Over the body size limit.
    TooLarge(usize),
    /// Basic credentials that are not the admin's.
    BadCredentials,
    /// The body did not arrive in time.
    TimedOut,
    /// The body could not be read.
    Broken,
}

impl From<BodyError> for Refused {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge { limit } => Self::TooLarge(limit),
            BodyError::TimedOut { .. } => Self::TimedOut,
            BodyError::Broken(_) => Self::Broken,
        }
    }
}

fn field_extra(field: &str) -> Map<String, Value> {
    let mut extra = Map::new();
    extra.insert("field".into(), Value::from(field));
    extra
}

/// The response for a refused request.
pub fn refused(refusal: Refused) -> Response {
    match refusal {
        Refused::Field {
            code,
            field,
            message,
        } => json_error(StatusCode::BAD_REQUEST, code, &message, field_extra(&field)),
        Refused::Json(message) => json_error(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            &message,
            Map::new(),
        ),
        Refused::TooLarge(limit) => json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            &format!("the request body is larger than {limit} bytes"),
            Map::new(),
        ),
        Refused::BadCredentials => unauthorized("these credentials are not valid"),
        Refused::TimedOut => json_error(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "the request body did not arrive in time",
            Map::new(),
        ),
        Refused::Broken => json_error(
            StatusCode::BAD_REQUEST,
            "broken_body",
            "the request body could not be read",
            Map::new(),
        ),
    }
}

pub fn unauthorized(message: &str) -> Response {
    let mut response = json_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        message,
        Map::new(),
    );
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Kairos\", charset=\"UTF-8\""),
    );
    response
}

/// The response for a use case that did not succeed; `zone` is the client's, for alternatives.
pub fn service(error: ServiceError, zone: Tz) -> Response {
    match error {
        ServiceError::Invalid {
            code,
            field,
            message,
        } => json_error(StatusCode::BAD_REQUEST, code, &message, field_extra(field)),
        ServiceError::SlotUnavailable {
            violation,
            alternatives,
        } => {
            let mut extra = Map::new();
            extra.insert("reason".into(), Value::from(violation.code()));
            extra.insert(
                "alternatives".into(),
                Value::Array(
                    alternatives
                        .iter()
                        .map(|slot| wire::slot(slot, zone))
                        .collect(),
                ),
            );
            json_error(
                StatusCode::CONFLICT,
                "slot_unavailable",
                violation.message(),
                extra,
            )
        }
        ServiceError::NotFound(what) => json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no such {what}"),
            Map::new(),
        ),
        ServiceError::Unauthorized => {
            unauthorized("a manage token (?token=) or the admin credentials are needed")
        }
        ServiceError::Forbidden => json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token does not grant access here",
            Map::new(),
        ),
        ServiceError::Cancelled => json_error(
            StatusCode::CONFLICT,
            "appointment_cancelled",
            "the appointment is cancelled",
            Map::new(),
        ),
        ServiceError::Calendar(problem) => json_error(
            StatusCode::CONFLICT,
            "calendar_conflict",
            &problem.to_string(),
            Map::new(),
        ),
        ServiceError::UnknownSyncToken => json_error(
            StatusCode::BAD_REQUEST,
            "unknown_sync_token",
            "unknown sync token",
            Map::new(),
        ),
        ServiceError::BusyUnavailable(error) => {
            tracing::error!(%error, "busy time unavailable");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy_time_unavailable",
                "busy time cannot be read right now; try again shortly",
                Map::new(),
            )
        }
        ServiceError::Storage(error) => {
            tracing::error!(%error, "storage failure");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "storage is unavailable right now; try again shortly",
                Map::new(),
            )
        }
    }
}

/// 404 for a path nobody serves.
pub fn not_found() -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "nothing is served at this path",
        Map::new(),
    )
}

/// 405 naming the methods that are allowed.
pub fn method_not_allowed(allowed: &'static str) -> Response {
    let mut response = json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!("this path allows {allowed}"),
        Map::new(),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}
