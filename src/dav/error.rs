//! Service answers → DAV statuses and precondition bodies, in one place.

use hyper::StatusCode;

use super::path::DavPath;
use super::reply;
use super::xml::XmlError;
use super::xml::response::Precondition;
use crate::http::{BodyError, Response};
use crate::service::{CalendarProblem, ServiceError};

/// The response for a use case that did not succeed.
pub fn service(error: ServiceError, host: &str) -> Response {
    match error {
        ServiceError::Calendar(problem) => calendar(problem, host),
        ServiceError::NotFound(_) => reply::status(StatusCode::NOT_FOUND),
        ServiceError::Unauthorized => reply::unauthorized(),
        ServiceError::Forbidden => reply::status(StatusCode::FORBIDDEN),
        ServiceError::Invalid { .. } => reply::status(StatusCode::BAD_REQUEST),
        ServiceError::SlotUnavailable { .. } => {
            reply::precondition(StatusCode::CONFLICT, &Precondition::SlotAvailable)
        }
        ServiceError::Cancelled => reply::status(StatusCode::CONFLICT),
        ServiceError::UnknownSyncToken => {
            reply::precondition(StatusCode::FORBIDDEN, &Precondition::ValidSyncToken)
        }
        ServiceError::BusyUnavailable(error) => {
            tracing::error!(%error, "busy time unavailable");
            reply::status(StatusCode::SERVICE_UNAVAILABLE)
        }
        ServiceError::Storage(error) => {
            tracing::error!(%error, "storage failure");
            reply::status(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

fn calendar(problem: CalendarProblem, host: &str) -> Response {
    match problem {
        CalendarProblem::InvalidData(_) => {
            reply::precondition(StatusCode::BAD_REQUEST, &Precondition::ValidCalendarData)
        }
        CalendarProblem::UnsupportedComponent(_) => reply::precondition(
            StatusCode::FORBIDDEN,
            &Precondition::SupportedCalendarComponent,
        ),
        CalendarProblem::UidConflict { calendar, existing } => {
            let href = DavPath::Object {
                calendar,
                name: existing,
            }
            .path(host);
            reply::precondition(StatusCode::CONFLICT, &Precondition::NoUidConflict { href })
        }
        CalendarProblem::PreconditionFailed => reply::status(StatusCode::PRECONDITION_FAILED),
        CalendarProblem::Exists => reply::precondition(
            StatusCode::METHOD_NOT_ALLOWED,
            &Precondition::ResourceMustBeNull,
        ),
        CalendarProblem::Builtin(_) | CalendarProblem::InvalidName(_) => {
            reply::status(StatusCode::FORBIDDEN)
        }
        CalendarProblem::NotAnAppointment(_) => reply::precondition(
            StatusCode::FORBIDDEN,
            &Precondition::ValidCalendarObjectResource,
        ),
    }
}

/// 400 for a request body that is not the XML the method takes.
pub fn xml(error: &XmlError) -> Response {
    tracing::debug!(%error, "refused DAV request body");
    reply::body(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        error.to_string(),
    )
}

/// 413 (with CALDAV:max-resource-size), 408 for a body too slow, or 400 for a body
/// that could not be read.
pub fn body(error: &BodyError) -> Response {
    match error {
        BodyError::TooLarge { .. } => reply::precondition(
            StatusCode::PAYLOAD_TOO_LARGE,
            &Precondition::MaxResourceSize,
        ),
        BodyError::TimedOut { .. } => reply::status(StatusCode::REQUEST_TIMEOUT),
        BodyError::Broken(_) => reply::status(StatusCode::BAD_REQUEST),
    }
}
