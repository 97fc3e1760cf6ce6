//! PUT of a calendar object (RFC 4791 §5.3.2): validated, one UID per resource,
//! If-Match / If-None-Match honoured; 201 when created, 204 when replaced, with the
//! new ETag. A body over the size limit is refused (413) before it is read whole.

use hyper::HeaderMap;
use hyper::StatusCode;
use hyper::header::{HeaderValue, IF_MATCH, IF_NONE_MATCH};

use super::{body, host};
use crate::dav::path::DavPath;
use crate::dav::xml::response::Precondition;
use crate::dav::{DavContext, error, reply};
use crate::http::{Request, Response};
use crate::service::ServiceError;
use crate::store::Condition;

/// The precondition the request headers set.
pub fn condition(headers: &HeaderMap) -> Condition {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
            .map(str::trim)
    };
    if let Some(tag) = header(IF_MATCH) {
        return Condition::IfMatch(tag.to_string());
    }
    if header(IF_NONE_MATCH) == Some("*") {
        return Condition::IfNoneMatch;
    }
    Condition::Any
}

/// Stores the object.
pub async fn handle(context: &DavContext, request: Request, target: &DavPath) -> Response {
    let DavPath::Object { calendar, name } = target else {
        return reply::status(StatusCode::METHOD_NOT_ALLOWED);
    };
    let condition = condition(request.headers());
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return reply::precondition(StatusCode::BAD_REQUEST, &Precondition::ValidCalendarData);
    };
    match context
        .scheduler
        .put_calendar_resource(calendar, name, text, &condition)
        .await
    {
        Ok(written) => reply::written(&written),
        // RFC 4918 §9.7.1: a PUT into a collection that does not exist is a conflict.
        Err(ServiceError::NotFound("calendar")) => reply::status(StatusCode::CONFLICT),
        Err(failure) => error::service(failure, host(context)),
    }
}
