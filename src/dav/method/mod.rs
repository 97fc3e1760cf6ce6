//! One file per DAV method (and per REPORT under `report/`); this file dispatches.

mod copymove;
mod delete;
mod get;
mod mkcalendar;
mod options;
mod post;
mod propfind;
mod proppatch;
mod put;
mod report;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{ALLOW, HeaderValue};

use super::path::DavPath;
use super::{DavContext, error, reply};
use crate::http::{Request, Response, read_body};

/// Methods served, for OPTIONS and 405 answers.
const ALLOWED: &str = "OPTIONS, GET, HEAD, PUT, DELETE, COPY, MOVE, PROPFIND, PROPPATCH, MKCALENDAR, MKCOL, REPORT, POST";

/// Answers `request` for `target`.
pub async fn dispatch(context: &DavContext, request: Request, target: DavPath) -> Response {
    match request.method().as_str() {
        "OPTIONS" => options::handle(),
        "PROPFIND" => propfind::handle(context, request, &target).await,
        "PROPPATCH" => proppatch::handle(context, request, &target).await,
        "MKCALENDAR" => mkcalendar::handle(context, request, &target, true).await,
        "MKCOL" => mkcalendar::handle(context, request, &target, false).await,
        "GET" => get::handle(context, &request, &target, true),
        "HEAD" => get::handle(context, &request, &target, false),
        "PUT" => put::handle(context, request, &target).await,
        "DELETE" => delete::handle(context, &request, &target).await,
        "REPORT" => report::handle(context, request, &target).await,
        "POST" => post::handle(context, request, &target).await,
        "COPY" => copymove::handle(context, &request, &target, true).await,
        "MOVE" => copymove::handle(context, &request, &target, false).await,
        _ => not_allowed(),
    }
}

fn not_allowed() -> Response {
    let mut response = reply::status(StatusCode::METHOD_NOT_ALLOWED);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(ALLOWED));
    response
}

/// The request body, within the size limit.
async fn body(context: &DavContext, request: Request) -> Result<Bytes, Response> {
    read_body(request.into_body(), context.body)
        .await
        .map_err(|failure| error::body(&failure))
}

/// The host id, for paths.
fn host(context: &DavContext) -> &str {
    &context.scheduler.host().id
}
