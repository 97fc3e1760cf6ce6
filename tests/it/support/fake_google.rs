//! FakeGoogle: a real HTTP server on 127.0.0.1:0 speaking the Calendar API v3 JSON
//! that Kairos uses — events list (sync tokens, pages, 410 for an expired token),
//! insert, patch, delete — and the OAuth token endpoint. It records every request and
//! has fault switches (a status, a slow answer, a dropped connection) for the next
//! requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What the next request gets instead of its answer.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// This HTTP status, with Google's JSON error body.
    Status(u16),
    /// The real answer, this late.
    Slow(Duration),
    /// The connection closed without an answer.
    Drop,
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
}

#[derive(Debug, Clone)]
struct Stored {
    calendar: String,
    id: String,
    event: Value,
    /// The change counter when it last changed.
    changed: u64,
    cancelled: bool,
}

#[derive(Default)]
struct State {
    events: Vec<Stored>,
    changes: u64,
    /// Sync tokens below this are refused with 410.
    valid_from: u64,
    faults: VecDeque<Fault>,
    requests: Vec<Recorded>,
    tokens_issued: u64,
}

/// The running stand-in.
pub struct FakeGoogle {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

fn answer(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: u16) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    answer(
        status,
        &json!({"error": {"code": status.as_u16(), "message": status.canonical_reason().unwrap_or("error"), "errors": []}}),
    )
}

fn query_value(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

impl FakeGoogle {
    /// Starts it.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let state = Arc::clone(&state);
                        async move {
                            handle(&state, request)
                                .await
                                .ok_or_else(|| std::io::Error::other("connection dropped"))
                        }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { base, state, task }
    }

    /// The Calendar API base URL Kairos should use.
    pub fn base_url(&self) -> String {
        format!("{}/calendar/v3/", self.base)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.base)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("fake state"))
    }

    /// Adds or replaces event `event` (its `id` names it) in `calendar`.
    pub fn put_event(&self, calendar: &str, event: Value) {
        let id = event["id"].as_str().expect("an event id").to_string();
        self.with(|state| {
            state.changes += 1;
            let changed = state.changes;
            state
                .events
                .retain(|e| !(e.calendar == calendar && e.id == id));
            state.events.push(Stored {
                calendar: calendar.into(),
                id,
                event,
                changed,
                cancelled: false,
            });
        });
    }

    /// Cancels (deletes) event `id` of `calendar`.
    pub fn cancel_event(&self, calendar: &str, id: &str) {
        self.with(|state| {
            state.changes += 1;
            let changed = state.changes;
            for stored in &mut state.events {
                if stored.calendar == calendar && stored.id == id {
                    stored.cancelled = true;
                    stored.changed = changed;
                }
            }
        });
    }

    /// Makes every sync token issued so far expire (410 Gone).
    pub fn expire_sync_tokens(&self) {
        self.with(|state| state.valid_from = state.changes + 1);
    }

    /// The next requests get `faults`, in order.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.with(|state| state.faults.extend(faults.iter().copied()));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.with(|state| state.requests.clone())
    }
}

impl Drop for FakeGoogle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The answer to `request`; `None` drops the connection without one.
async fn handle(state: &Mutex<State>, request: Request<Incoming>) -> Option<Response<Full<Bytes>>> {
    respond(state, request).await
}

async fn respond(
    state: &Mutex<State>,
    request: Request<Incoming>,
) -> Option<Response<Full<Bytes>>> {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let fault = {
        let mut state = state.lock().expect("fake state");
        state.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            authorization: authorization.clone(),
        });
        state.faults.pop_front()
    };
    let _body = request.into_body().collect().await.map(|b| b.to_bytes());
    match fault {
        Some(Fault::Status(status)) => return Some(error(status)),
        Some(Fault::Drop) => return None,
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    Some(route(
        state,
        &method,
        &path,
        &query,
        authorization.as_deref(),
    ))
}

fn route(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    query: &str,
    authorization: Option<&str>,
) -> Response<Full<Bytes>> {
    if path == "/token" {
        let mut state = state.lock().expect("fake state");
        state.tokens_issued += 1;
        let token = format!("fake-access-{}", state.tokens_issued);
        return answer(
            StatusCode::OK,
            &json!({"access_token": token, "expires_in": 3600, "token_type": "Bearer"}),
        );
    }
    if !authorization.is_some_and(|value| value.starts_with("Bearer fake-access-")) {
        return error(401);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["calendar", "v3", "calendars", calendar, "events"]) => {
            let calendar = url::form_urlencoded::parse(calendar.as_bytes())
                .next()
                .map(|(key, _)| key.into_owned())
                .unwrap_or_default();
            list(state, &calendar, query)
        }
        _ => error(404),
    }
}

/// `events.list`: everything (no sync token) or the changes since one, a page at a time.
fn list(state: &Mutex<State>, calendar: &str, query: &str) -> Response<Full<Bytes>> {
    let state = state.lock().expect("fake state");
    let since = match query_value(query, "syncToken") {
        Some(token) => {
            let Some(since) = token.strip_prefix("t").and_then(|n| n.parse::<u64>().ok()) else {
                return error(400);
            };
            if since < state.valid_from {
                return error(410);
            }
            Some(since)
        }
        None => None,
    };
    let offset: usize = query_value(query, "pageToken")
        .and_then(|page| page.strip_prefix("p").and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let size: usize = query_value(query, "maxResults")
        .and_then(|n| n.parse().ok())
        .unwrap_or(250);
    let matching: Vec<Value> = state
        .events
        .iter()
        .filter(|e| e.calendar == calendar)
        .filter(|e| match since {
            Some(since) => e.changed > since,
            None => !e.cancelled,
        })
        .map(|e| {
            if e.cancelled {
                json!({"id": e.id, "status": "cancelled", "kind": "calendar#event"})
            } else {
                e.event.clone()
            }
        })
        .collect();
    let page: Vec<Value> = matching.iter().skip(offset).take(size).cloned().collect();
    let mut body = json!({"kind": "calendar#events", "items": page});
    if offset + size < matching.len() {
        body["nextPageToken"] = json!(format!("p{}", offset + size));
    } else {
        body["nextSyncToken"] = json!(format!("t{}", state.changes));
    }
    answer(StatusCode::OK, &body)
}
