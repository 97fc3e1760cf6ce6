//! Response helpers: JSON bodies and the JSON error shape `{"error","message",…}`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::StatusCode;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

/// The response type handlers return.
pub type Response = hyper::Response<Full<Bytes>>;

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).expect("invariant: response bodies serialise to JSON");
    let mut response = hyper::Response::new(Full::new(Bytes::from(bytes)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JSON error: `{"error": code, "message": message, ...extra}`.
pub fn json_error(
    status: StatusCode,
    code: &str,
    message: &str,
    extra: Map<String, Value>,
) -> Response {
    let mut body = Map::new();
    body.insert("error".into(), Value::from(code));
    body.insert("message".into(), Value::from(message));
    body.extend(extra);
    json(status, &Value::Object(body))
}
