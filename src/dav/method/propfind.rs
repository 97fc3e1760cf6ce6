//! PROPFIND (RFC 4918 §9.1): properties of a resource and, at depth 1, its members.

use super::{body, host};
use crate::dav::listing::{Responder, entries};
use crate::dav::path::DavPath;
use crate::dav::xml::request::{PropSelection, parse_propfind};
use crate::dav::{DavContext, depth, error, reply};
use crate::http::{Request, Response};

/// Answers with a multistatus of the requested properties.
pub async fn handle(context: &DavContext, request: Request, target: &DavPath) -> Response {
    let depth = depth(request.headers(), 1);
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let selection = if bytes.iter().all(u8::is_ascii_whitespace) {
        PropSelection::AllProp {
            include: Vec::new(),
        }
    } else {
        match parse_propfind(&bytes) {
            Ok(selection) => selection,
            Err(failure) => return error::xml(&failure),
        }
    };
    let found = match entries(context, target, depth) {
        Ok(found) => found,
        Err(failure) => return error::service(failure, host(context)),
    };
    let responder = Responder::new(context, &selection);
    let mut multistatus = responder.multistatus(found.len(), 0);
    for entry in found.entries() {
        responder.respond(&mut multistatus, entry, None);
    }
    reply::multistatus(multistatus)
}
