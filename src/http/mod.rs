//! HTTP plumbing on hyper: the accept loop with a connection limit and graceful
//! shutdown, plain or TLS, size- and time-limited body reading, Basic auth parsing, the
//! client's address behind trusted proxies, JSON responses, the per-address limits on
//! requests and failed logins, request metrics.
//!
//! Must not know: routes, the API's shapes, DAV, pages, or any use case.

mod auth;
mod body;
mod forwarded;
mod limit;
pub mod metrics;
mod response;
mod server;
mod throttle;
mod tls;

pub use auth::basic_credentials;
pub use body::{BodyError, BodyLimit, read_body};
pub use forwarded::client_address;
pub use limit::RateLimiter;
pub use response::{Response, html, json, json_error, see_other};
pub use server::{ConnectionLimits, Handler, serve};
pub use throttle::LoginThrottle;
pub use tls::{TlsError, TlsFile, Transport};

/// The request type handlers receive.
pub type Request = hyper::Request<hyper::body::Incoming>;
