//! OPTIONS: what the server speaks (RFC 4918 §9.1, RFC 4791 §5.1).

use hyper::StatusCode;
use hyper::header::{ALLOW, HeaderValue};

use super::ALLOWED;
use crate::dav::reply;
use crate::http::Response;

/// Advertises DAV classes 1 and 3 with calendar-access and the methods served.
pub fn handle() -> Response {
    let mut response = reply::status(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert("dav", HeaderValue::from_static("1, 3, calendar-access"));
    headers.insert(ALLOW, HeaderValue::from_static(ALLOWED));
    response
}
