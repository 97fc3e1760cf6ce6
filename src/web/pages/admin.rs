//! `/admin`: the host's dashboard (admin credentials, HTTP Basic) — bookings per week
//! by channel, the booking funnels, time to book, conflict, cancellation and no-show
//! rates, when meetings fall, how far ahead they are booked, top clients; upcoming and
//! recent appointments with cancel and no-show buttons; the outbox's health with a
//! retry for what failed; conflicts the Google mirror found. Charts are SVG drawn on
//! the server; every table downloads as CSV (`/admin/export/<table>.csv`).

use askama::Template;
use hyper::StatusCode;
use hyper::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};

use super::admin_charts::{funnel, heatmap, histogram, stacked_bars};
use super::{problem, refusal, render};
use crate::domain::{Delivery, OutboxEntry};
use crate::http::{Request, Response, basic_credentials, read_body, see_other};
use crate::service::{CHANNELS, Dashboard, LEAD_TIMES, OutboxHealth, host_time};
use crate::web::{Answer, Context, errors};

/// The secret's scope: the dashboard's forms.
const FORM: &str = "admin";

struct Row {
    id: String,
    when: String,
    client: String,
    kind: String,
    purpose: String,
    past: bool,
    no_show: bool,
}

struct Pending {
    id: u64,
    what: String,
    attempts: u32,
    error: String,
}

#[derive(Template)]
#[template(path = "pages/admin.html")]
struct AdminPage<'a> {
    host_name: &'a str,
    v: View,
}

struct View {
    zone: String,
    secret: String,
    weekly_chart: String,
    page_funnel_chart: String,
    invitation_funnel_chart: String,
    heatmap_chart: String,
    lead_chart: String,
    figures: Vec<(String, String)>,
    top_clients: Vec<(String, String, u32)>,
    upcoming: Vec<Row>,
    recent: Vec<Row>,
    pending: Vec<Pending>,
    failed: Vec<Pending>,
    conflicts: Vec<(String, String, String)>,
}

/// The admin check: `Err` is the 401 asking for credentials.
fn admitted(context: &Context, request: &Request) -> Result<(), Response> {
    match basic_credentials(request.headers()) {
        Some((user, password)) if context.admin.verify(&user, &password) => Ok(()),
        _ => Err(errors::unauthorized(
            "the dashboard needs the admin credentials",
        )),
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".into(), |rate| format!("{:.1} %", rate * 100.0))
}

fn duration_text(duration: chrono::Duration) -> String {
    let minutes = duration.num_minutes();
    match minutes {
        m if m < 1 => format!("{} s", duration.num_seconds()),
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{:.1} h", m as f64 / 60.0),
        m => format!("{:.1} days", m as f64 / 1440.0),
    }
}

fn describe(entry: &OutboxEntry) -> String {
    let intent = serde_json::to_value(&entry.intent).unwrap_or_default();
    let kind = intent["intent"]
        .as_str()
        .unwrap_or("entry")
        .replace('_', " ");
    match intent["appointment"].as_str() {
        Some(id) => format!("{kind} ({id})"),
        None => kind,
    }
}

fn pending(entries: &[OutboxEntry]) -> Vec<Pending> {
    entries
        .iter()
        .map(|entry| Pending {
            id: entry.id,
            what: describe(entry),
            attempts: entry.attempts,
            error: match &entry.delivery {
                Delivery::Failed { reason } => reason.clone(),
                _ => entry.last_error.clone().unwrap_or_default(),
            },
        })
        .collect()
}

fn figures(board: &Dashboard) -> Vec<(String, String)> {
    vec![
        ("Bookings".into(), board.bookings.to_string()),
        (
            "Median time to book".into(),
            board.median_time_to_book.map_or_else(
                || "—".into(),
                |median| format!("{} ({} timed)", duration_text(median), board.timed_bookings),
            ),
        ),
        (
            "Conflict rate (invitations answered with other times)".into(),
            percent(board.conflict_rate),
        ),
        ("Cancellations".into(), board.cancellations.to_string()),
        (
            "No-show rate".into(),
            format!(
                "{} ({} of {} held)",
                percent(board.no_show_rate),
                board.no_shows,
                board.meetings_held
            ),
        ),
    ]
}

/// GET `/admin`.
pub fn get(context: &Context, request: &Request) -> Answer {
    admitted(context, request)?;
    let scheduler = &context.scheduler;
    let host = scheduler.host();
    let failed = |error| refusal(&error, &host.name, "/");
    let board = scheduler.dashboard().map_err(failed)?;
    let health = scheduler.outbox_health().map_err(failed)?;
    let now = scheduler.now();
    let zone = host.zone;
    let mut upcoming = Vec::new();
    let mut recent = Vec::new();
    for (appointment, client) in scheduler.appointments_around(7).map_err(failed)? {
        let past = appointment.interval.start <= now;
        let row = Row {
            id: appointment.id.to_string(),
            when: host_time(appointment.interval.start, zone),
            client,
            kind: appointment.meeting_type.clone(),
            purpose: appointment.purpose.clone(),
            past,
            no_show: appointment.no_show,
        };
        if past {
            recent.push(row);
        } else if upcoming.len() < 50 {
            upcoming.push(row);
        }
    }
    recent.reverse();
    let conflicts = scheduler
        .google_conflicts()
        .map_err(failed)?
        .into_iter()
        .map(|conflict| {
            (
                host_time(conflict.appointment.interval.start, zone),
                conflict.appointment.title.clone(),
                host_time(conflict.busy.start, zone),
            )
        })
        .collect();
    let view = View {
        zone: zone.name().to_string(),
        secret: scheduler.form_secret(FORM).map_err(failed)?,
        weekly_chart: weekly_chart(&board),
        page_funnel_chart: funnel(
            "Booking page",
            &[
                ("Opened".into(), board.page_funnel[0]),
                ("Time chosen".into(), board.page_funnel[1]),
                ("Booked".into(), board.page_funnel[2]),
            ],
        ),
        invitation_funnel_chart: funnel(
            "Invitations",
            &[
                ("Received".into(), board.invitation_funnel[0]),
                ("Accepted as sent".into(), board.invitation_funnel[1]),
                ("Other times offered".into(), board.invitation_funnel[2]),
                ("Booked".into(), board.invitation_funnel[3]),
            ],
        ),
        heatmap_chart: heatmap("When meetings fall", &board.heatmap),
        lead_chart: histogram(
            "How far ahead bookings are made",
            &LEAD_TIMES
                .iter()
                .zip(board.lead_times)
                .map(|((label, _), count)| (label.to_string(), count))
                .collect::<Vec<_>>(),
        ),
        figures: figures(&board),
        top_clients: board
            .top_clients
            .iter()
            .map(|client| (client.name.clone(), client.email.clone(), client.bookings))
            .collect(),
        upcoming,
        recent,
        pending: pending(&[health.pending_mail.clone(), health.pending_google.clone()].concat()),
        failed: pending(&health.failed),
        conflicts,
    };
    Ok(render(
        StatusCode::OK,
        &AdminPage {
            host_name: &host.name,
            v: view,
        },
    ))
}

fn weekly_chart(board: &Dashboard) -> String {
    let categories: Vec<String> = board
        .weeks
        .iter()
        .map(|week| week.monday.format("%b %-d").to_string())
        .collect();
    let series: Vec<(&str, Vec<u32>)> = CHANNELS
        .iter()
        .enumerate()
        .map(|(lane, channel)| {
            (
                channel_name(*channel),
                board
                    .weeks
                    .iter()
                    .map(|week| week.by_channel[lane])
                    .collect(),
            )
        })
        .collect();
    stacked_bars("Bookings per week by channel", &categories, &series)
}

fn channel_name(channel: crate::domain::Channel) -> &'static str {
    use crate::domain::Channel;
    match channel {
        Channel::Page => "page",
        Channel::Chat => "chat",
        Channel::Invitation => "invitation",
        Channel::Caldav => "caldav",
        Channel::Api => "api",
    }
}

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
            let OutboxHealth {
                pending_mail,
                pending_google,
                failed: given_up,
            } = scheduler.outbox_health().map_err(failed)?;
            let mut rows = vec![header(&["id", "state", "what", "attempts", "error"])];
            for (state, entries) in [
                ("pending", &pending_mail),
                ("pending", &pending_google),
                ("failed", &given_up),
            ] {
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

/// POST `/admin/appointments/<id>/<cancel|no-show>` and `/admin/outbox/<id>/retry`.
pub async fn act(context: &Context, request: Request, what: &str, id: &str) -> Answer {
    admitted(context, &request)?;
    let host = context.scheduler.host();
    let body = read_body(request.into_body(), context.max_body_bytes)
        .await
        .map_err(|_| {
            problem(
                StatusCode::BAD_REQUEST,
                &host.name,
                "/admin",
                "Not possible",
                "The form could not be read.",
            )
        })?;
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&body).into_owned().collect();
    let genuine = context
        .scheduler
        .form_secret_holds(FORM, fields.get("form").map_or("", String::as_str))
        .map_err(|error| refusal(&error, &host.name, "/"))?;
    if !genuine {
        return Err(problem(
            StatusCode::FORBIDDEN,
            &host.name,
            "/admin",
            "Not possible",
            "This form did not come from the dashboard. Open it again.",
        ));
    }
    let done = match what {
        "cancel" => context.scheduler.cancel_as_host(id).await.map(|_| ()),
        "no-show" => context.scheduler.mark_no_show(id).await.map(|_| ()),
        "retry" => match id.parse::<u64>() {
            Ok(entry) => context.scheduler.retry_delivery(entry).await,
            Err(_) => return Err(errors::not_found()),
        },
        _ => return Err(errors::not_found()),
    };
    done.map_err(|error| refusal(&error, &host.name, "/admin"))?;
    Ok(see_other("/admin"))
}
