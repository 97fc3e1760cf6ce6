//! The JSON API and the HTML pages: parse a request into a use-case call, render the
//! answer. One file per resource or page.
//!
//! Must not know: sled, the slot engine's internals, or how connections are served.

// Handlers answer `Result<Response, Response>`: both sides are whole responses, moved
// once per request, so the size of the error side does not matter here.
#![allow(clippy::result_large_err)]

pub mod api;
pub(crate) mod errors;
pub mod freebusy;
pub mod google_hook;
mod input;
pub mod metrics;
pub mod pages;
mod wire;

use std::sync::Arc;

use crate::http::{BodyLimit, Request, basic_credentials};
use crate::service::{Access, AdminCredentials, Scheduler};

/// A handler's answer: `Err` holds the refusal, already rendered.
pub type Answer = Result<crate::http::Response, crate::http::Response>;

/// What every handler needs.
pub struct Context {
    /// The use cases.
    pub scheduler: Arc<Scheduler>,
    /// Admin credential check.
    pub admin: Arc<AdminCredentials>,
    /// How much of a request body is read, and for how long.
    pub body: BodyLimit,
}

/// Who is calling: admin (valid Basic credentials), a manage-token holder (`?token=`,
/// the only query parameter these endpoints take), or anonymous. Basic credentials that
/// are not the admin's are refused outright.
pub(crate) fn caller(context: &Context, request: &Request) -> Result<Access, errors::Refused> {
    let token = input::query(request, &["token"])?.remove("token");
    if let Some((user, password)) = basic_credentials(request.headers()) {
        return if context.admin.verify(&user, &password) {
            Ok(Access::Admin)
        } else {
            Err(errors::Refused::BadCredentials)
        };
    }
    Ok(token.map_or(Access::Anonymous, Access::Token))
}

/// Admits only the admin (valid Basic credentials); `Err` is the 401 asking for them,
/// saying `why`.
pub(crate) fn admin_only(
    context: &Context,
    request: &Request,
    why: &str,
) -> Result<(), crate::http::Response> {
    match basic_credentials(request.headers()) {
        Some((user, password)) if context.admin.verify(&user, &password) => Ok(()),
        _ => Err(errors::unauthorized(why)),
    }
}
