//! `/admin`: the host's dashboard (admin credentials, HTTP Basic) — bookings per week
//! by channel, the booking funnels, time to book, conflict, cancellation and no-show
//! rates, when meetings fall, how far ahead they are booked, top clients; upcoming and
//! recent appointments with cancel and no-show buttons; the outbox's health with a
//! retry for what failed; conflicts the Google mirror found. Charts are SVG drawn on
//! the server; every table downloads as CSV (`/admin/export/<table>.csv`).

mod charts;
mod export;

pub use export::export;

use askama::Template;
use hyper::StatusCode;

use super::{problem, refusal, render};
use crate::domain::{AppointmentChange, Delivery, Intent, OutboxEntry};
use crate::http::{Request, Response, read_body, see_other};
use crate::service::{CHANNELS, Dashboard, LEAD_TIMES};
use crate::web::{Answer, Context, errors};
use charts::{funnel, heatmap, histogram, stacked_bars};

/// The secret's scope: the dashboard's forms.
const FORM: &str = "admin";

/// Rows a list on the page shows at most (upcoming appointments, waiting deliveries);
/// the CSV has them all.
const LISTED: usize = 50;

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
    pending_mail: usize,
    pending_google: usize,
    /// The first [`LISTED`] of what waits.
    pending: Vec<Pending>,
    failed: Vec<Pending>,
    conflicts: Vec<(String, String, String)>,
}

/// The admin check: `Err` is the 401 asking for credentials.
fn admitted(context: &Context, request: &Request) -> Result<(), Response> {
    crate::web::admin_only(
        context,
        request,
        "the dashboard needs the admin credentials",
    )
}

/// `at` as the host reads it.
fn host_time(at: chrono::DateTime<chrono::Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
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

/// What an outbox entry does, in the host's words.
fn describe(intent: &Intent) -> String {
    match intent {
        Intent::NotifyClient {
            appointment,
            change,
        } => {
            let what = match change {
                AppointmentChange::Booked => "booked",
                AppointmentChange::Rescheduled { .. } => "moved",
                AppointmentChange::Cancelled => "cancelled",
            };
            format!("mail: appointment {appointment} {what}")
        }
        Intent::AnswerInvitation(answer) => format!("mail: answer to {}'s invitation", answer.to),
        Intent::Farewell(farewell) => format!("mail: closing words to {}", farewell.to),
        Intent::Remind {
            appointment,
            minutes_before,
        } => format!("mail: reminder {minutes_before} min before {appointment}"),
        Intent::FollowUp { appointment } => format!("mail: follow-up after {appointment}"),
        Intent::Agenda { date } => format!("mail: agenda of {date}"),
        Intent::Clarify { offer, .. } => format!("mail: question about offer {offer}"),
        Intent::MirrorToGoogle { appointment } => format!("Google: write {appointment}"),
    }
}

fn pending(entries: &[OutboxEntry]) -> Vec<Pending> {
    entries
        .iter()
        .map(|entry| Pending {
            id: entry.id,
            what: describe(&entry.intent),
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
    let backlog = scheduler.outbox_backlog(LISTED).map_err(failed)?;
    let now = scheduler.now();
    let zone = host.zone;
    let mut upcoming = Vec::new();
    let mut recent = Vec::new();
    for (appointment, client) in scheduler.appointments_around(7, LISTED).map_err(failed)? {
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
        } else {
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
        pending_mail: backlog.waiting_mail,
        pending_google: backlog.waiting_google,
        pending: pending(&backlog.waiting),
        failed: pending(&backlog.failed),
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

/// POST `/admin/appointments/<id>/<cancel|no-show>` and `/admin/outbox/<id>/retry`.
pub async fn act(context: &Context, request: Request, what: &str, id: &str) -> Answer {
    admitted(context, &request)?;
    let host = context.scheduler.host();
    let body = read_body(request.into_body(), context.body)
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
