//! WebDAV/CalDAV adapter (RFC 4918, RFC 4791, RFC 6578, RFC 6638 free/busy, RFC 6764,
//! the calendarserver ctag): turns DAV requests into service calls and service answers
//! into DAV responses. Everything under `/dav/` needs the admin credentials.
//!
//! Must not know: storage, the iCalendar crate, or why a precondition fails (the
//! service decides that; `dav` only knows its XML).

mod error;
mod listing;
mod method;
pub mod path;
mod props;
mod reply;
pub mod xml;

use std::sync::Arc;

use hyper::header::HeaderValue;
use hyper::{HeaderMap, StatusCode};

use crate::http::{BodyLimit, Request, Response, basic_credentials};
use crate::service::{AdminCredentials, Scheduler};
use path::{DavPath, PathError};

pub use props::{parse_token, token};

/// What the DAV handlers need.
pub struct DavContext {
    /// The use cases.
    pub scheduler: Arc<Scheduler>,
    /// Admin credential check (the host is the only DAV user).
    pub admin: Arc<AdminCredentials>,
    /// How much of a request body is read (and so the largest calendar object), and
    /// for how long.
    pub body: BodyLimit,
}

/// Answers a request under `/dav/`.
pub async fn handle(context: &DavContext, request: Request) -> Response {
    if !authorized(context, request.headers()) {
        return reply::unauthorized();
    }
    let host = &context.scheduler.host().id;
    let target = match DavPath::parse(request.uri().path(), host) {
        Ok(target) => target,
        Err(PathError::Traversal) => return reply::status(StatusCode::BAD_REQUEST),
        Err(PathError::NotFound) => return reply::status(missing_status(&request, host)),
    };
    method::dispatch(context, request, target).await
}

/// 409 for a write whose parent collection does not exist (RFC 4918 §9.3.1, §9.7.1),
/// 404 for everything else.
fn missing_status(request: &Request, host: &str) -> StatusCode {
    let creates = matches!(request.method().as_str(), "PUT" | "MKCOL" | "MKCALENDAR");
    let under_home = request.uri().path().starts_with(&DavPath::Home.path(host));
    if creates && under_home {
        StatusCode::CONFLICT
    } else {
        StatusCode::NOT_FOUND
    }
}

fn authorized(context: &DavContext, headers: &HeaderMap) -> bool {
    basic_credentials(headers)
        .is_some_and(|(user, password)| context.admin.verify(&user, &password))
}

/// `Depth` as RFC 4918 §10.2 defines it; `infinity` (the PROPFIND default) is served
/// as 1, since nothing here nests deeper than a calendar's objects.
fn depth(headers: &HeaderMap, default: u8) -> u8 {
    match headers
        .get("depth")
        .and_then(|value: &HeaderValue| value.to_str().ok())
    {
        Some("0") => 0,
        Some("1") | Some("infinity") => 1,
        _ => default,
    }
}
