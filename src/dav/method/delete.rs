//! DELETE of a calendar object (in `bookings`: a cancel) or of a calendar the host made.

use hyper::StatusCode;

use super::host;
use super::put::condition;
use crate::dav::path::DavPath;
use crate::dav::{DavContext, error, reply};
use crate::http::{Request, Response};

/// Deletes what `target` names.
pub async fn handle(context: &DavContext, request: &Request, target: &DavPath) -> Response {
    let scheduler = &context.scheduler;
    let outcome = match target {
        DavPath::Object { calendar, name } => {
            scheduler
                .delete_calendar_resource(calendar, name, &condition(request.headers()))
                .await
        }
        DavPath::Calendar(id) => scheduler.delete_calendar(id).await,
        _ => return reply::status(StatusCode::FORBIDDEN),
    };
    match outcome {
        Ok(()) => reply::status(StatusCode::NO_CONTENT),
        Err(failure) => error::service(failure, host(context)),
    }
}
