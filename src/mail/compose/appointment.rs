//! The mail telling a client their appointment was booked, moved or cancelled, with
//! the calendar object that does the same in their calendar.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use std::time::SystemTime;

use super::{ComposeError, Letterhead, itip_body, mailbox, render, when};
use crate::domain::{AppointmentChange, EmailAddress, Interval};
use crate::ical::write::Method;

/// A change to an appointment, told to the client.
#[derive(Debug, Clone, Copy)]
pub struct AppointmentNotice<'a> {
    /// What happened.
    pub change: &'a AppointmentChange,
    /// The client's name.
    pub client_name: &'a str,
    /// The client's address.
    pub client_email: &'a EmailAddress,
    /// "Consultation with Alice Example".
    pub title: &'a str,
    /// What the client wants to talk about (may be empty).
    pub purpose: &'a str,
    /// When it is (after the change).
    pub interval: Interval,
    /// The client's zone: every time is written in it.
    pub zone: Tz,
    /// The client's manage link.
    pub manage_url: &'a str,
    /// The iCalendar object, with its METHOD.
    pub calendar: &'a str,
    /// That METHOD.
    pub method: Method,
    /// True when the client first sent their own invitation for it: the mail says
    /// Kairos's replaces theirs.
    pub replaces_their_invitation: bool,
    /// The video-call link, when there is one.
    pub meeting_url: Option<&'a str>,
    /// A reminder, this many minutes before, rather than news of a change.
    pub reminder: Option<u32>,
}

/// What the appointment templates show.
struct AppointmentView<'a> {
    client_name: &'a str,
    headline: &'a str,
    title: &'a str,
    when: &'a str,
    previous: Option<&'a str>,
    purpose: &'a str,
    cancelled: bool,
    replaces_their_invitation: bool,
    proposal: bool,
    manage_url: &'a str,
    booking_url: &'a str,
    host_name: &'a str,
    meeting_url: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "email/appointment.txt")]
struct AppointmentText<'a> {
    v: &'a AppointmentView<'a>,
}

#[derive(Template)]
#[template(path = "email/appointment.html")]
struct AppointmentHtml<'a> {
    v: &'a AppointmentView<'a>,
}

/// The mail telling the client their appointment was booked, moved or cancelled, with
/// the invitation (REQUEST) or cancellation (CANCEL) for their calendar.
pub fn appointment_notice(
    letterhead: &Letterhead<'_>,
    notice: &AppointmentNotice<'_>,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let (subject, headline, previous) = match (notice.reminder, notice.change) {
        (Some(minutes), _) => (
            format!("Reminder: {}", notice.title),
            format!(
                "A reminder: your appointment is in {}.",
                span_in_words(minutes)
            ),
            None,
        ),
        (None, change) => match change {
            AppointmentChange::Booked => (
                format!("Confirmed: {}", notice.title),
                "Your appointment is booked.".to_string(),
                None,
            ),
            AppointmentChange::Rescheduled { from } => (
                format!("Moved: {}", notice.title),
                "Your appointment has moved to a new time.".to_string(),
                Some(when(*from, notice.zone)),
            ),
            AppointmentChange::Cancelled => (
                format!("Cancelled: {}", notice.title),
                "Your appointment is cancelled.".to_string(),
                None,
            ),
        },
    };
    let when = when(notice.interval, notice.zone);
    let cancelled = matches!(notice.change, AppointmentChange::Cancelled);
    let view = AppointmentView {
        client_name: notice.client_name,
        headline: &headline,
        title: notice.title,
        when: &when,
        previous: previous.as_deref(),
        purpose: notice.purpose,
        cancelled,
        replaces_their_invitation: notice.replaces_their_invitation && !cancelled,
        proposal: notice.method == Method::Counter,
        manage_url: notice.manage_url,
        booking_url: letterhead.booking_url,
        host_name: letterhead.host_name,
        meeting_url: notice.meeting_url.filter(|_| !cancelled),
    };
    let (text, html) = render(
        &AppointmentText { v: &view },
        &AppointmentHtml { v: &view },
        "email/appointment",
    )?;
    let from = mailbox(Some(letterhead.host_name), letterhead.booking_address)?;
    let to = mailbox(Some(notice.client_name), notice.client_email)?;
    let body = itip_body(text, html, notice.calendar, notice.method)?;
    Message::builder()
        .from(from.clone())
        .reply_to(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_string()))
        .date(SystemTime::from(now))
        .multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))
}

/// "24 hours", "1 hour", "90 minutes", "2 days".
fn span_in_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes.is_multiple_of(1440) && minutes >= 2880 {
        plural(minutes / 1440, "day")
    } else if minutes.is_multiple_of(60) {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}
