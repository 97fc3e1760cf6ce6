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

/// The code FakeGoogle's consent page would hand back (`kairos google-auth` trades it).
pub const CONSENT_CODE: &str = "4/consent-code";

/// What the next request gets instead of its answer.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// This HTTP status, with Google's JSON error body.
    Status(u16),
    /// The real answer, this late.
    Slow(Duration),
    /// The connection closed without an answer.
    Drop,
    /// The request carried out, then the connection closed before the answer.
    LoseAnswer,
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    /// The body, as text.
    pub body: String,
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
    /// Of every ten writes (insert, patch, delete), how many fail with 429/5xx.
    failing_tenths: u64,
    writes: u64,
    requests: Vec<Recorded>,
    tokens_issued: u64,
    ids: u64,
    channels: Vec<Value>,
    /// Added to every answer, as the network to Google would.
    latency: Duration,
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

    /// From now on, `tenths` of every ten writes fail with 429, 500 or 503.
    pub fn fail_writes(&self, tenths: u64) {
        self.with(|state| state.failing_tenths = tenths);
    }

    /// The events of `calendar` that are not cancelled.
    pub fn events(&self, calendar: &str) -> Vec<Value> {
        self.with(|state| {
            state
                .events
                .iter()
                .filter(|e| e.calendar == calendar && !e.cancelled)
                .map(|e| e.event.clone())
                .collect()
        })
    }

    /// Every event `calendar` ever held, each with whether it is cancelled (deleted).
    pub fn every_event(&self, calendar: &str) -> Vec<(Value, bool)> {
        self.with(|state| {
            state
                .events
                .iter()
                .filter(|e| e.calendar == calendar)
                .map(|e| (e.event.clone(), e.cancelled))
                .collect()
        })
    }

    /// From now on every answer comes `latency` late (a network's round trip); the
    /// request is carried out before the wait.
    pub fn set_latency(&self, latency: Duration) {
        self.with(|state| state.latency = latency);
    }

    /// The notification channels Kairos opened (address, token, id).
    pub fn channels(&self) -> Vec<Value> {
        self.with(|state| state.channels.clone())
    }

    /// Asks this stand-in's `freeBusy` over HTTP, as a client of Google would: the
    /// busy periods of `calendar` between `from` and `to` (RFC 3339).
    pub async fn free_busy(&self, calendar: &str, from: &str, to: &str) -> Vec<(String, String)> {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let address = self.base.trim_start_matches("http://").to_string();
        let body = json!({"timeMin": from, "timeMax": to, "items": [{"id": calendar}]}).to_string();
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connects");
        let request = format!(
            "POST /calendar/v3/freeBusy HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer fake-access-0\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("sent");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        let json = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        let answer: Value = serde_json::from_str(json).expect("JSON");
        answer["calendars"][calendar]["busy"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|period| {
                Some((
                    period["start"].as_str()?.to_string(),
                    period["end"].as_str()?.to_string(),
                ))
            })
            .collect()
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
            body: String::new(),
        });
        (state.faults.pop_front(), state.latency)
    };
    let (fault, latency) = fault;
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if let Some(recorded) = state
        .lock()
        .expect("fake state")
        .requests
        .iter_mut()
        .rev()
        .find(|r| r.path == path && r.body.is_empty())
    {
        recorded.body = String::from_utf8_lossy(&body).into_owned();
    }
    let is_write = matches!(method.as_str(), "POST" | "PATCH" | "DELETE") && path != "/token";
    let fault = fault.or_else(|| {
        let mut state = state.lock().expect("fake state");
        if !is_write || state.failing_tenths == 0 {
            return None;
        }
        state.writes += 1;
        let slot = state.writes % 10;
        (slot < state.failing_tenths).then(|| Fault::Status([429, 500, 503][(slot % 3) as usize]))
    });
    match fault {
        Some(Fault::Status(status)) => return Some(error(status)),
        Some(Fault::Drop) => return None,
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::LoseAnswer) => {
            let _ = route(
                state,
                &method,
                &path,
                &query,
                authorization.as_deref(),
                &body,
            );
            return None;
        }
        None => {}
    }
    let response = route(
        state,
        &method,
        &path,
        &query,
        authorization.as_deref(),
        &body,
    );
    // Carried out first, answered late: a client gone meanwhile never hears of it.
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    Some(response)
}

fn route(
    state: &Mutex<State>,
    method: &str,
    path: &str,
    query: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Response<Full<Bytes>> {
    if path == "/token" {
        let mut state = state.lock().expect("fake state");
        state.tokens_issued += 1;
        let token = format!("fake-access-{}", state.tokens_issued);
        let mut granted =
            json!({"access_token": token, "expires_in": 3600, "token_type": "Bearer"});
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        if form.get("grant_type").map(String::as_str) == Some("authorization_code") {
            // The installed-app flow: the consent code, with its PKCE verifier.
            if form.get("code").map(String::as_str) != Some(CONSENT_CODE)
                || !form.contains_key("code_verifier")
            {
                return error(400);
            }
            granted["refresh_token"] = json!("fake-refresh-from-consent");
        }
        return answer(StatusCode::OK, &granted);
    }
    if !authorization.is_some_and(|value| value.starts_with("Bearer fake-access-")) {
        return error(401);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["calendar", "v3", "calendars", calendar, "events"]) => {
            list(state, &decode(calendar), query)
        }
        ("POST", ["calendar", "v3", "calendars", calendar, "events"]) => {
            insert(state, &decode(calendar), query, body)
        }
        ("PATCH", ["calendar", "v3", "calendars", calendar, "events", id]) => {
            patch(state, &decode(calendar), &decode(id), body)
        }
        ("DELETE", ["calendar", "v3", "calendars", calendar, "events", id]) => {
            delete(state, &decode(calendar), &decode(id))
        }
        ("POST", ["calendar", "v3", "freeBusy"]) => free_busy(state, body),
        ("POST", ["calendar", "v3", "calendars", calendar, "events", "watch"]) => {
            watch(state, &decode(calendar), body)
        }
        _ => error(404),
    }
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// `events.insert`: a second event with the same iCalUID is refused (409), as Google
/// does; a conference asked for (conferenceDataVersion=1) gets a Meet link.
fn insert(state: &Mutex<State>, calendar: &str, query: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let Ok(mut event) = serde_json::from_slice::<Value>(body) else {
        return error(400);
    };
    let mut state = state.lock().expect("fake state");
    let uid = event["iCalUID"].as_str().map(str::to_string);
    if uid.as_ref().is_some_and(|uid| {
        state
            .events
            .iter()
            .any(|e| e.calendar == calendar && e.event["iCalUID"].as_str() == Some(uid.as_str()))
    }) {
        return error(409);
    }
    state.ids += 1;
    state.changes += 1;
    let id = format!("ev{}", state.ids);
    event["id"] = json!(id);
    event["status"] = json!("confirmed");
    if uid.is_none() {
        event["iCalUID"] = json!(format!("{id}@google.com"));
    }
    let wants_meet = query_value(query, "conferenceDataVersion").as_deref() == Some("1")
        && event["conferenceData"]["createRequest"].is_object();
    if wants_meet {
        let code = format!("kai-{:04}-ros", state.ids);
        let link = format!("https://meet.example/{code}");
        event["hangoutLink"] = json!(link);
        event["conferenceData"] = json!({
            "conferenceId": code,
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}},
            "entryPoints": [{"entryPointType": "video", "uri": link}],
        });
    }
    let changed = state.changes;
    state.events.push(Stored {
        calendar: calendar.into(),
        id,
        event: event.clone(),
        changed,
        cancelled: false,
    });
    answer(StatusCode::OK, &event)
}

/// `events.patch`: the fields given replace the stored ones.
fn patch(state: &Mutex<State>, calendar: &str, id: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return error(400);
    };
    let mut state = state.lock().expect("fake state");
    state.changes += 1;
    let changed = state.changes;
    let Some(stored) = state
        .events
        .iter_mut()
        .find(|e| e.calendar == calendar && e.id == id)
    else {
        return error(404);
    };
    if stored.cancelled {
        return error(410);
    }
    for (key, value) in fields {
        stored.event[key] = value;
    }
    stored.changed = changed;
    answer(StatusCode::OK, &stored.event)
}

/// `freebusy.query`: each asked-for calendar's opaque, not cancelled, not declined events within
/// `timeMin`..`timeMax`, as busy periods (no titles, as Google answers).
fn free_busy(state: &Mutex<State>, body: &[u8]) -> Response<Full<Bytes>> {
    let Ok(query) = serde_json::from_slice::<Value>(body) else {
        return error(400);
    };
    let bound = |name: &str| {
        query[name]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
    };
    let (Some(from), Some(to)) = (bound("timeMin"), bound("timeMax")) else {
        return error(400);
    };
    let state = state.lock().expect("fake state");
    let mut calendars = serde_json::Map::new();
    for item in query["items"].as_array().into_iter().flatten() {
        let Some(calendar) = item["id"].as_str() else {
            continue;
        };
        let busy: Vec<Value> = state
            .events
            .iter()
            .filter(|e| e.calendar == calendar && !e.cancelled)
            .filter(|e| e.event["transparency"] != "transparent")
            .filter(|e| {
                // Events the calendar's owner declined do not make them busy.
                !e.event["attendees"].as_array().is_some_and(|attendees| {
                    attendees
                        .iter()
                        .any(|a| a["self"] == true && a["responseStatus"] == "declined")
                })
            })
            .filter_map(|e| {
                let start = e.event["start"]["dateTime"].as_str()?;
                let end = e.event["end"]["dateTime"].as_str()?;
                let (s, t) = (
                    chrono::DateTime::parse_from_rfc3339(start).ok()?,
                    chrono::DateTime::parse_from_rfc3339(end).ok()?,
                );
                (s < to && t > from).then(|| json!({"start": start, "end": end}))
            })
            .collect();
        calendars.insert(calendar.to_string(), json!({"busy": busy}));
    }
    answer(
        StatusCode::OK,
        &json!({"kind": "calendar#freeBusy", "timeMin": query["timeMin"], "timeMax": query["timeMax"], "calendars": calendars}),
    )
}

/// `events.watch`: the channel is kept (see [`FakeGoogle::channels`]) and lasts a week.
fn watch(state: &Mutex<State>, calendar: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let Ok(mut channel) = serde_json::from_slice::<Value>(body) else {
        return error(400);
    };
    if channel["type"] != "web_hook" || !channel["address"].is_string() {
        return error(400);
    }
    // A week after the tests' "now" (Monday 2 March 2026), as Google's default.
    let expires = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 9, 13, 0, 0)
        .single()
        .map(|at| at.timestamp_millis())
        .unwrap_or(0);
    channel["resourceId"] = json!(format!("resource-{calendar}"));
    channel["expiration"] = json!(expires.to_string());
    channel["kind"] = json!("api#channel");
    state
        .lock()
        .expect("fake state")
        .channels
        .push(channel.clone());
    answer(StatusCode::OK, &channel)
}

/// `events.delete`: 204; 410 when already deleted, 404 when unknown.
fn delete(state: &Mutex<State>, calendar: &str, id: &str) -> Response<Full<Bytes>> {
    let mut state = state.lock().expect("fake state");
    state.changes += 1;
    let changed = state.changes;
    let Some(stored) = state
        .events
        .iter_mut()
        .find(|e| e.calendar == calendar && e.id == id)
    else {
        return error(404);
    };
    if stored.cancelled {
        return error(410);
    }
    stored.cancelled = true;
    stored.changed = changed;
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
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
    let by_uid = query_value(query, "iCalUID");
    let matching: Vec<Value> = state
        .events
        .iter()
        .filter(|e| e.calendar == calendar)
        .filter(|e| {
            by_uid
                .as_deref()
                .is_none_or(|uid| e.event["iCalUID"].as_str() == Some(uid))
        })
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
