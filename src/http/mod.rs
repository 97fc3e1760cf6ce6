//! HTTP plumbing on hyper: the accept loop with a connection limit and graceful
//! shutdown, plain or TLS, size-limited body reading, Basic auth parsing, the client's
//! address behind trusted proxies, JSON responses.
//!
//! Must not know: routes, the API's shapes, DAV, pages, or any use case.

mod auth;
mod body;
mod forwarded;
mod limit;
mod response;
mod server;
mod tls;

pub use auth::basic_credentials;
pub use body::{BodyError, read_body};
pub use forwarded::client_address;
pub use limit::RateLimiter;
pub use response::{Response, html, json, json_error, see_other};
pub use server::{Handler, serve};
pub use tls::{TlsError, TlsFile, Transport};

/// The request type handlers receive.
pub type Request = hyper::Request<hyper::body::Incoming>;
