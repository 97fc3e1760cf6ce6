//! The HTML pages: each page one file and one template under `templates/pages/`,
//! sharing `templates/layout.html`. A page that cannot be shown answers with a page
//! too (4xx for what the visitor can fix, 503 when storage is down), never a bare error.

pub mod admin;
pub mod book;
pub mod manage;
pub mod offer;

use askama::Template;
use hyper::StatusCode;

use crate::http::{Response, html};
use crate::service::ServiceError;

/// A page explaining why the requested one cannot be shown.
#[derive(Template)]
#[template(path = "pages/problem.html")]
struct Problem<'a> {
    host_name: &'a str,
    title: &'a str,
    message: &'a str,
    booking_url: &'a str,
}

/// Renders `page`; a template that fails to render is a bug, logged, shown as 500.
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => html(status, body),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!DOCTYPE html><title>Error</title><p>This page could not be shown.</p>".into(),
            )
        }
    }
}

/// The page for `status` with `title` and `message`.
fn problem(
    status: StatusCode,
    host_name: &str,
    booking_url: &str,
    title: &str,
    message: &str,
) -> Response {
    render(
        status,
        &Problem {
            host_name,
            title,
            message,
            booking_url,
        },
    )
}

/// The page for a use case's refusal.
fn refusal(error: &ServiceError, host_name: &str, booking_url: &str) -> Response {
    let (status, title) = match error {
        ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
        ServiceError::Invalid { .. } | ServiceError::SlotUnavailable { .. } => {
            (StatusCode::CONFLICT, "Not possible")
        }
        ServiceError::Storage(_) | ServiceError::BusyUnavailable(_) => {
            tracing::error!(%error, "a page could not be served");
            (StatusCode::SERVICE_UNAVAILABLE, "Please try again shortly")
        }
        _ => (StatusCode::BAD_REQUEST, "Not possible"),
    };
    let message = match error {
        ServiceError::NotFound(_) => {
            "This link is not valid. Please use the link in the mail you received.".to_string()
        }
        ServiceError::Storage(_) | ServiceError::BusyUnavailable(_) => {
            "The booking service cannot answer right now.".to_string()
        }
        other => other.to_string(),
    };
    problem(status, host_name, booking_url, title, &message)
}
