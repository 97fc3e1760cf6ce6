//! DAV:sync-collection (RFC 6578): members added, changed or removed since a token;
//! an empty token is the initial sync, an unknown one is refused (valid-sync-token).

use hyper::StatusCode;

use crate::dav::listing::{Entry, Responder};
use crate::dav::method::host;
use crate::dav::path::DavPath;
use crate::dav::props::{parse_token, token};
use crate::dav::xml::request::SyncCollection;
use crate::dav::xml::response::{Precondition, Response as StatusEntry};
use crate::dav::{DavContext, error, reply};
use crate::http::Response;

/// Answers with the changes and the new token.
pub fn handle(context: &DavContext, target: &DavPath, sync: &SyncCollection) -> Response {
    let DavPath::Calendar(calendar) = target else {
        return reply::status(StatusCode::FORBIDDEN);
    };
    let since = match sync.sync_token.trim() {
        "" => None,
        text => match parse_token(calendar, text) {
            Some(seq) => Some(seq),
            None => {
                return reply::precondition(StatusCode::FORBIDDEN, &Precondition::ValidSyncToken);
            }
        },
    };
    let scheduler = &context.scheduler;
    let answer = match scheduler.calendar_changes(calendar, since) {
        Ok(answer) => answer,
        Err(failure) => return error::service(failure, host(context)),
    };
    let responder = Responder::new(context, &sync.props);
    let text_bytes = answer
        .members
        .iter()
        .filter_map(|(_, resource)| resource.as_ref())
        .map(|resource| resource.text.len())
        .sum();
    let mut multistatus = responder.multistatus(answer.members.len(), text_bytes);
    for (name, current) in answer.members {
        match current {
            Some(resource) => {
                let data = sync
                    .calendar_data
                    .and_then(|request| scheduler.calendar_data(calendar, &resource, &request));
                responder.respond(&mut multistatus, Entry::Object(calendar, &resource), data);
            }
            None => {
                let path = DavPath::object_path(host(context), calendar, &name);
                multistatus.push(StatusEntry::with_status(&path, StatusCode::NOT_FOUND));
            }
        }
    }
    multistatus.set_sync_token(token(calendar, answer.seq));
    reply::multistatus(multistatus)
}
