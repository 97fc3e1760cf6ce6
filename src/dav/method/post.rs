//! POST to the scheduling outbox (RFC 6638 §5.1 free/busy part): a VFREEBUSY REQUEST
//! answered with a CALDAV:schedule-response holding one VFREEBUSY per recipient.

use hyper::StatusCode;

use super::{body, host};
use crate::dav::path::DavPath;
use crate::dav::xml::response::document;
use crate::dav::xml::{Element, PropName};
use crate::dav::{DavContext, error, reply};
use crate::http::{Request, Response};

/// Answers a free/busy request.
pub async fn handle(context: &DavContext, request: Request, target: &DavPath) -> Response {
    if *target != DavPath::Outbox {
        return reply::status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let bytes = match body(context, request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let text = String::from_utf8_lossy(&bytes);
    let replies = match context.scheduler.free_busy_request(&text) {
        Ok(replies) => replies,
        Err(failure) => return error::service(failure, host(context)),
    };
    let mut root = Element::new(PropName::caldav("schedule-response"));
    for reply in replies {
        let recipient = Element::new(PropName::caldav("recipient"))
            .with_child(Element::new(PropName::dav("href")).with_text(reply.recipient));
        let mut response = Element::new(PropName::caldav("response"))
            .with_child(recipient)
            .with_child(Element::new(PropName::caldav("request-status")).with_text(reply.status));
        if let Some(calendar) = reply.calendar {
            response = response
                .with_child(Element::new(PropName::caldav("calendar-data")).with_text(calendar));
        }
        root = root.with_child(response);
    }
    reply::body(
        StatusCode::OK,
        "application/xml; charset=utf-8",
        document(&root),
    )
}
