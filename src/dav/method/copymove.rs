//! COPY and MOVE of a calendar object (RFC 4918 §9.8–9.9, RFC 4791 §5.3.2.1): to the
//! `Destination` in the same or another calendar, replacing what is there unless
//! `Overwrite: F`. Collections are not copied or moved.

use hyper::StatusCode;
use hyper::header::HeaderValue;

use super::host;
use crate::dav::path::DavPath;
use crate::dav::{DavContext, error, reply};
use crate::http::{Request, Response};
use crate::store::Transfer;

/// The path of a `Destination` header: an absolute URL or an absolute path.
fn destination_path(value: &str) -> &str {
    match value.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => value,
    }
}

/// Copies (`keep_source`) or moves the object `target` names.
pub async fn handle(
    context: &DavContext,
    request: &Request,
    target: &DavPath,
    keep_source: bool,
) -> Response {
    let DavPath::Object { calendar, name } = target else {
        return reply::status(StatusCode::FORBIDDEN);
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let Some(destination) = header("destination") else {
        return reply::status(StatusCode::BAD_REQUEST);
    };
    let (to_calendar, to_name) = match DavPath::parse(destination_path(destination), host(context))
    {
        Ok(DavPath::Object { calendar, name }) => (calendar, name),
        Ok(_) => return reply::status(StatusCode::FORBIDDEN),
        Err(_) => return reply::status(StatusCode::CONFLICT),
    };
    if (&to_calendar, &to_name) == (calendar, name) {
        return reply::status(StatusCode::FORBIDDEN);
    }
    let transfer = Transfer {
        from: (calendar, name),
        to: (&to_calendar, &to_name),
        overwrite: !header("overwrite").is_some_and(|value| value.trim().eq_ignore_ascii_case("F")),
        keep_source,
    };
    match context.scheduler.transfer_calendar_resource(transfer).await {
        Ok(written) => reply::written(&written),
        Err(crate::service::ServiceError::NotFound("calendar"))
            if context.scheduler.calendar(calendar).is_ok() =>
        {
            // The destination's calendar is missing (RFC 4918 §9.8.5).
            reply::status(StatusCode::CONFLICT)
        }
        Err(failure) => error::service(failure, host(context)),
    }
}
