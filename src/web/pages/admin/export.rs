//! The dashboard's tables as CSV, `/admin/export/<table>.csv`: weekly bookings by
//! channel, the funnels, the figures, the heatmap, lead times, top clients and the
//! outbox. Fields are quoted as RFC 4180 asks, and a leading formula character is
//! defused so a spreadsheet shows the text instead of running it.
//!
//! Must not know: how the figures are computed (service) or drawn (charts).

use hyper::StatusCode;
use hyper::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};

use super::{admitted, channel_name, figures, pending};
use crate::http::Request;
use crate::service::{CHANNELS, LEAD_TIMES};
use crate::web::pages::refusal;
use crate::web::{Answer, Context, errors};

/// A CSV field, quoted when it must be; a leading formula character is defused so a
/// spreadsheet shows the text instead of running it.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(rows: Vec<Vec<String>>) -> String {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|cell| field(cell))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

/// GET `/admin/export/<table>.csv`.
pub fn export(context: &Context, request: &Request, file: &str) -> Answer {
    admitted(context, request)?;
    let scheduler = &context.scheduler;
    let host = scheduler.host();
    let failed = |error| refusal(&error, &host.name, "/");
    let board = scheduler.dashboard().map_err(failed)?;
    let header = |names: &[&str]| {
        names
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>()
    };
    let table = file.strip_suffix(".csv").unwrap_or("");
    let rows = match table {
        "weekly" => {
            let mut names = vec!["week"];
            names.extend(CHANNELS.iter().map(|channel| channel_name(*channel)));
            let mut rows = vec![header(&names)];
            for week in &board.weeks {
                let mut row = vec![week.monday.to_string()];
                row.extend(week.by_channel.iter().map(u32::to_string));
                rows.push(row);
            }
            rows
        }
        "funnel" => {
            let steps = [
                ("page", "opened", board.page_funnel[0]),
                ("page", "time chosen", board.page_funnel[1]),
                ("page", "booked", board.page_funnel[2]),
                ("invitation", "received", board.invitation_funnel[0]),
                ("invitation", "accepted as sent", board.invitation_funnel[1]),
                (
                    "invitation",
                    "other times offered",
                    board.invitation_funnel[2],
                ),
                ("invitation", "booked", board.invitation_funnel[3]),
            ];
            let mut rows = vec![header(&["funnel", "step", "count"])];
            rows.extend(steps.iter().map(|(funnel, step, count)| {
                vec![funnel.to_string(), step.to_string(), count.to_string()]
            }));
            rows
        }
        "figures" => {
            let mut rows = vec![header(&["figure", "value"])];
            rows.extend(
                figures(&board)
                    .into_iter()
                    .map(|(name, value)| vec![name, value]),
            );
            rows
        }
        "heatmap" => {
            let mut names = vec!["weekday".to_string()];
            names.extend((0..24).map(|hour| format!("{hour:02}:00")));
            let mut rows = vec![names];
            for (day, hours) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .iter()
                .zip(board.heatmap)
            {
                let mut row = vec![day.to_string()];
                row.extend(hours.iter().map(u32::to_string));
                rows.push(row);
            }
            rows
        }
        "lead-times" => {
            let mut rows = vec![header(&["booked ahead", "bookings"])];
            rows.extend(
                LEAD_TIMES
                    .iter()
                    .zip(board.lead_times)
                    .map(|((label, _), count)| vec![label.to_string(), count.to_string()]),
            );
            rows
        }
        "clients" => {
            let mut rows = vec![header(&["name", "email", "bookings"])];
            rows.extend(board.top_clients.iter().map(|client| {
                vec![
                    client.name.clone(),
                    client.email.clone(),
                    client.bookings.to_string(),
                ]
            }));
            rows
        }
        "outbox" => {
            let backlog = scheduler.outbox_backlog(usize::MAX).map_err(failed)?;
            let mut rows = vec![header(&["id", "state", "what", "attempts", "error"])];
            for (state, entries) in [("pending", &backlog.waiting), ("failed", &backlog.failed)] {
                rows.extend(pending(entries).into_iter().map(|entry| {
                    vec![
                        entry.id.to_string(),
                        state.into(),
                        entry.what,
                        entry.attempts.to_string(),
                        entry.error,
                    ]
                }));
            }
            rows
        }
        _ => return Err(errors::not_found()),
    };
    let mut response = crate::http::html(StatusCode::OK, csv(rows));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"kairos-{table}.csv\""))
    {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
