//! GET and HEAD of a calendar object, with its strong ETag; a matching If-None-Match
//! answers 304.

use hyper::StatusCode;
use hyper::header::{ETAG, HeaderValue, IF_NONE_MATCH};

use super::host;
use crate::dav::path::DavPath;
use crate::dav::{DavContext, error, reply};
use crate::http::{Request, Response};

/// The object's text (GET) or only its headers (HEAD).
pub fn handle(
    context: &DavContext,
    request: &Request,
    target: &DavPath,
    with_body: bool,
) -> Response {
    let DavPath::Object { calendar, name } = target else {
        return reply::status(if target.is_collection() {
            StatusCode::METHOD_NOT_ALLOWED
        } else {
            StatusCode::NOT_FOUND
        });
    };
    let resource = match context.scheduler.calendar_resource(calendar, name) {
        Ok(resource) => resource,
        Err(failure) => return error::service(failure, host(context)),
    };
    let etag = HeaderValue::from_str(&resource.etag).ok();
    let unchanged = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == &*resource.etag || tag.trim() == "*")
        });
    let mut response = if unchanged {
        reply::status(StatusCode::NOT_MODIFIED)
    } else if with_body {
        reply::body(
            StatusCode::OK,
            "text/calendar; charset=utf-8",
            resource.text.to_string(),
        )
    } else {
        let mut head = reply::body(StatusCode::OK, "text/calendar; charset=utf-8", "");
        if let Ok(length) = HeaderValue::from_str(&resource.text.len().to_string()) {
            head.headers_mut()
                .insert(hyper::header::CONTENT_LENGTH, length);
        }
        head
    };
    if let Some(etag) = etag {
        response.headers_mut().insert(ETAG, etag);
    }
    response
}
