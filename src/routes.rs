//! The routing table: (method, path) → handler, one arm per endpoint. In front of it,
//! the per-address limits (requests to the booking endpoints, failed logins) and the
//! cross-site check. Logs one line per request, with the secrets in a path (manage
//! and offer tokens) masked and no query string (it can carry a manage token).

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use hyper::Method;

use crate::dav::{self, DavContext};
use crate::http::metrics::{RequestMetrics, method_label};
use crate::http::{
    Handler, LoginThrottle, RateLimiter, Request, Response, basic_credentials, client_address,
    json_error,
};
use crate::web::api::{self, appointments, availability, users};
use crate::web::{Context, errors, freebusy, google_hook, metrics, pages};

/// 307 to `location` (RFC 6764 §5: `/.well-known/caldav` points at the DAV root). A
/// 307 keeps the method and body, so a PROPFIND arrives as sent; a 301 lets clients
/// replay it as a bodiless allprop that finds no principal.
fn redirect(location: &'static str) -> Response {
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::new()));
    *response.status_mut() = hyper::StatusCode::TEMPORARY_REDIRECT;
    response.headers_mut().insert(
        hyper::header::LOCATION,
        hyper::header::HeaderValue::from_static(location),
    );
    response
}

/// Answers every request of the server.
pub struct Router {
    context: Context,
    dav: DavContext,
    /// Guards the endpoints that book, chat or change a booking.
    limiter: RateLimiter,
    /// Slows down and then refuses wrong passwords.
    logins: LoginThrottle,
    /// Requests answered, for `/metrics`.
    requests: RequestMetrics,
    /// Reverse proxies whose X-Forwarded-For names the client.
    trusted_proxies: Vec<ipnet::IpNet>,
}

/// What guards the router's endpoints, per client address.
pub struct Guards {
    /// Requests to the endpoints that book, chat or change a booking.
    pub limiter: RateLimiter,
    /// Wrong passwords.
    pub logins: LoginThrottle,
    /// Reverse proxies whose X-Forwarded-For names the client (the address the
    /// guards count by).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Router {
    /// A router over the JSON API's `context` and the DAV adapter's, behind `guards`.
    pub fn new(context: Context, dav: DavContext, guards: Guards) -> Self {
        Self {
            context,
            dav,
            limiter: guards.limiter,
            logins: guards.logins,
            trusted_proxies: guards.trusted_proxies,
            requests: RequestMetrics::default(),
        }
    }

    async fn route(&self, request: Request, segments: &[&str]) -> Response {
        let context = &self.context;
        if segments.first() == Some(&"dav") {
            return dav::handle(&self.dav, request).await;
        }
        let answer = match (request.method().clone(), segments) {
            (_, [".well-known", "caldav"]) => Ok(redirect("/dav/")),
            (Method::GET, ["freebusy", file]) => freebusy::get(context, &request, file),
            (Method::GET, ["healthz"]) => Ok(api::healthz(context)),
            (Method::GET, ["metrics"]) => metrics::get(context, &request, &self.requests),
            (Method::POST, ["google", "notify"]) => google_hook::notify(context, &request),
            (Method::GET, [""]) => pages::book::get(context, &request),
            (Method::GET, ["admin"]) => pages::admin::get(context, &request),
            (Method::GET, ["admin", "export", file]) => {
                pages::admin::export(context, &request, file)
            }
            (Method::POST, ["admin", "appointments", id, what @ ("cancel" | "no-show")]) => {
                pages::admin::act(context, request, what, id).await
            }
            (Method::POST, ["admin", "outbox", id, "retry"]) => {
                pages::admin::act(context, request, "retry", id).await
            }
            (Method::GET, ["static", "kairos.js"]) => pages::book::script(),
            (Method::POST, ["book"]) => pages::book::post(context, request).await,
            (Method::GET, ["manage", token]) => pages::manage::get(context, &request, token),
            (Method::GET, ["manage", token, "event.ics"]) => pages::manage::event(context, token),
            (Method::POST, ["manage", token, "cancel"]) => {
                pages::manage::cancel(context, request, token).await
            }
            (Method::POST, ["manage", token, "reschedule"]) => {
                pages::manage::reschedule(context, request, token).await
            }
            (Method::GET, ["offers", token]) => pages::offer::get(context, token, None),
            (Method::GET, ["offers", token, n]) => pages::offer::get(context, token, Some(n)),
            (Method::POST, ["offers", token, n]) => {
                pages::offer::post(context, request, token, n).await
            }
            (Method::GET, ["api", "availability"]) => availability::get(context, &request),
            (Method::POST, ["api", "appointments"]) => appointments::create(context, request).await,
            (Method::POST, ["api", "chat"]) => api::chat::post(context, request).await,
            (Method::GET, ["api", "appointments", id]) => appointments::get(context, &request, id),
            (Method::POST, ["api", "appointments", id, "cancel"]) => {
                appointments::cancel(context, request, id).await
            }
            (Method::POST, ["api", "appointments", id, "reschedule"]) => {
                appointments::reschedule(context, request, id).await
            }
            (Method::GET, ["api", "users", id, "preferences"]) => {
                users::get_preferences(context, &request, id)
            }
            (Method::PUT, ["api", "users", id, "preferences"]) => {
                users::put_preferences(context, request, id).await
            }
            (Method::GET, ["api", "users", id, "patterns"]) => {
                users::get_patterns(context, &request, id)
            }
            (_, segments) => Err(match allowed_methods(segments) {
                Some(allowed) => errors::method_not_allowed(allowed),
                None => errors::not_found(),
            }),
        };
        answer.unwrap_or_else(|refusal| refusal)
    }
}

impl Router {
    /// The 403 for a browser posting to the JSON API from another site (CSRF): a
    /// request that changes something and carries an `Origin` other than Kairos's own.
    /// The API takes a body whatever its type, so a form elsewhere could aim at it;
    /// clients that are not browsers send no `Origin`. The pages' forms carry a secret
    /// of their own instead (their `Origin` is `null`: they send no referrer).
    fn cross_site(&self, method: &Method, path: &str, request: &Request) -> Option<Response> {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
            || !path.starts_with("/api/")
        {
            return None;
        }
        let origin = request
            .headers()
            .get(hyper::header::ORIGIN)?
            .to_str()
            .ok()?;
        let own = self.context.scheduler.public_url();
        let own_origin = url::Url::parse(own).ok()?.origin().ascii_serialization();
        if origin == own_origin {
            return None;
        }
        Some(json_error(
            hyper::StatusCode::FORBIDDEN,
            "cross_origin",
            "requests that change something must come from Kairos's own pages",
            serde_json::Map::new(),
        ))
    }

    /// The 429 for a login from an address that has used up its wrong passwords;
    /// `None` when the request carries no credentials or may go on.
    fn locked_out(&self, logs_in: bool, client: IpAddr) -> Option<Response> {
        if !logs_in {
            return None;
        }
        let wait = self.logins.refused(client, Instant::now())?;
        Some(too_many(
            "too_many_failed_logins",
            "too many wrong passwords from this address; try again later",
            wait,
        ))
    }

    /// The 429 for a client over its rate on the endpoints that book, chat or change
    /// a booking; `None` when the request may go on.
    fn limited(&self, method: &Method, segments: &[&str], client: IpAddr) -> Option<Response> {
        let guarded = matches!(
            (method, segments),
            (&Method::POST, ["api", "appointments" | "chat", ..])
                | (&Method::POST, ["book"])
                | (_, ["manage" | "offers", ..])
                | (&Method::GET, [""])
        );
        if !guarded {
            return None;
        }
        let wait = self.limiter.admit(client, Instant::now()).err()?;
        Some(too_many(
            "rate_limited",
            "too many requests from this address; try again shortly",
            wait,
        ))
    }
}

/// A 429 with `code`, saying in `Retry-After` when to come back.
fn too_many(code: &str, message: &str, wait: std::time::Duration) -> Response {
    let mut response = json_error(
        hyper::StatusCode::TOO_MANY_REQUESTS,
        code,
        message,
        serde_json::Map::new(),
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response
            .headers_mut()
            .insert(hyper::header::RETRY_AFTER, value);
    }
    response
}

/// The route a request counts under in `/metrics`: its path's shape, with ids and
/// tokens as placeholders; a path no route serves counts as `unmatched`, so clients
/// cannot make the number of series grow.
fn route_label(segments: &[&str]) -> &'static str {
    match segments {
        ["dav", ..] => "/dav",
        [".well-known", "caldav"] => "/.well-known/caldav",
        ["freebusy", _] => "/freebusy/{file}",
        ["healthz"] => "/healthz",
        ["metrics"] => "/metrics",
        ["google", "notify"] => "/google/notify",
        [""] => "/",
        ["admin"] => "/admin",
        ["admin", "export", _] => "/admin/export/{table}",
        ["admin", "appointments", _, "cancel"] => "/admin/appointments/{id}/cancel",
        ["admin", "appointments", _, "no-show"] => "/admin/appointments/{id}/no-show",
        ["admin", "outbox", _, "retry"] => "/admin/outbox/{id}/retry",
        ["static", "kairos.js"] => "/static/kairos.js",
        ["book"] => "/book",
        ["manage", _] => "/manage/{token}",
        ["manage", _, "event.ics"] => "/manage/{token}/event.ics",
        ["manage", _, "cancel"] => "/manage/{token}/cancel",
        ["manage", _, "reschedule"] => "/manage/{token}/reschedule",
        ["offers", _] => "/offers/{token}",
        ["offers", _, _] => "/offers/{token}/{n}",
        ["api", "availability"] => "/api/availability",
        ["api", "appointments"] => "/api/appointments",
        ["api", "chat"] => "/api/chat",
        ["api", "appointments", _] => "/api/appointments/{id}",
        ["api", "appointments", _, "cancel"] => "/api/appointments/{id}/cancel",
        ["api", "appointments", _, "reschedule"] => "/api/appointments/{id}/reschedule",
        ["api", "users", _, "preferences"] => "/api/users/{id}/preferences",
        ["api", "users", _, "patterns"] => "/api/users/{id}/patterns",
        _ => "unmatched",
    }
}

/// `path` fit for a log: the token of a manage or offer link replaced by `…`.
fn masked(path: &str) -> std::borrow::Cow<'_, str> {
    let mut segments = path.split('/');
    let secret_follows = |segment: &str| matches!(segment, "manage" | "offers");
    if !path.split('/').any(secret_follows) {
        return path.into();
    }
    let mut out = Vec::new();
    while let Some(segment) = segments.next() {
        out.push(segment);
        if secret_follows(segment) && segments.next().is_some() {
            out.push("…");
        }
    }
    out.join("/").into()
}

/// The methods a known path allows, for 405 answers.
fn allowed_methods(segments: &[&str]) -> Option<&'static str> {
    match segments {
        ["healthz"]
        | ["metrics"]
        | ["api", "availability"]
        | ["api", "appointments", _]
        | ["api", "users", _, "patterns"]
        | ["offers", _]
        | [""]
        | ["static", "kairos.js"]
        | ["manage", _]
        | ["manage", _, "event.ics"] => Some("GET"),
        ["offers", _, _] => Some("GET, POST"),
        ["admin"] | ["admin", "export", _] => Some("GET"),
        ["admin", "appointments", _, "cancel" | "no-show"] | ["admin", "outbox", _, "retry"] => {
            Some("POST")
        }
        ["google", "notify"] | ["book"] | ["manage", _, "cancel" | "reschedule"] => Some("POST"),
        ["api", "appointments" | "chat"] | ["api", "appointments", _, "cancel" | "reschedule"] => {
            Some("POST")
        }
        ["api", "users", _, "preferences"] => Some("GET, PUT"),
        _ => None,
    }
}

impl Handler for Router {
    async fn handle(&self, request: Request, peer: SocketAddr) -> Response {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let logs_in = basic_credentials(request.headers()).is_some();
        let client = client_address(peer, request.headers(), &self.trusted_proxies);
        let response = match self
            .cross_site(&method, &path, &request)
            .or_else(|| self.limited(&method, &segments, client))
            .or_else(|| self.locked_out(logs_in, client))
        {
            Some(refused) => refused,
            None => self.route(request, &segments).await,
        };
        if logs_in && response.status() == hyper::StatusCode::UNAUTHORIZED {
            // Wrong credentials: answer slower and slower (RFC 7617 leaves pacing to us).
            tokio::time::sleep(self.logins.failed(client, Instant::now())).await;
        }
        let status = response.status().as_u16();
        let elapsed = started.elapsed();
        let method_name = method_label(&method);
        self.requests
            .observe(route_label(&segments), method_name, status, elapsed);
        let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
        let path = masked(&path);
        tracing::info!(%client, %method, %path, status, elapsed_ms = format_args!("{elapsed_ms:.1}"), "request");
        response
    }
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_logged_path_hides_manage_and_offer_tokens() {
        let cases = [
            ("/manage/abc123", "/manage/…"),
            ("/manage/abc123/cancel", "/manage/…/cancel"),
            ("/offers/t0k/2", "/offers/…/2"),
            ("/manage", "/manage"),
            ("/api/appointments/apt_1", "/api/appointments/apt_1"),
            (
                "/dav/calendars/domina/bookings/",
                "/dav/calendars/domina/bookings/",
            ),
        ];
        for (path, logged) in cases {
            assert_eq!(masked(path), logged, "{path}");
        }
    }
}
