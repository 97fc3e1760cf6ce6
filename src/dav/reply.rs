//! DAV responses: multistatus and error bodies, plain statuses, the 401 challenge.

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, ETAG, HeaderValue, WWW_AUTHENTICATE};

use super::xml::response::{Multistatus, Precondition, error_body};
use crate::http::Response;
use crate::store::Written;

/// A response with `body` of `content_type`.
pub fn body(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response {
    let mut response = hyper::Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An empty response.
pub fn status(status: StatusCode) -> Response {
    let mut response = hyper::Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// 207 with `multistatus`.
pub fn multistatus(multistatus: Multistatus) -> Response {
    body(
        StatusCode::MULTI_STATUS,
        "application/xml; charset=utf-8",
        multistatus.into_xml(),
    )
}

/// `status` with a `DAV:error` body naming `precondition`.
pub fn precondition(status: StatusCode, precondition: &Precondition) -> Response {
    body(
        status,
        "application/xml; charset=utf-8",
        error_body(precondition),
    )
}

/// 401 with the Basic challenge; says nothing about what is behind it.
pub fn unauthorized() -> Response {
    let mut response = status(StatusCode::UNAUTHORIZED);
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Kairos\", charset=\"UTF-8\""),
    );
    response
}

/// 201 for a resource created, 204 for one replaced, with its new ETag.
pub fn written(written: &Written) -> Response {
    let code = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    };
    let mut response = status(code);
    if let Ok(etag) = HeaderValue::from_str(&written.etag) {
        response.headers_mut().insert(ETAG, etag);
    }
    response
}
