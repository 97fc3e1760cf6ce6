//! `/offers/<token>`: the page of an offer of other times, reached by one click from
//! the mail that made it. `GET /offers/<token>/<n>` shows it with time n to confirm
//! (a link prefetched by a mail scanner books nothing); `POST` books it, once, and
//! sends the visitor back to the page, which then shows what was booked.

use askama::Template;
use hyper::StatusCode;

use super::{problem, refusal, render};
use crate::domain::OfferedTime;
use crate::http::{Request, Response, read_body, see_other};
use crate::mail::compose::when;
use crate::service::{OfferPage, ServiceError};
use crate::web::{Answer, Context};

struct TimeView {
    number: usize,
    when: String,
    reasons: String,
    selected: bool,
}

struct OfferView {
    name: String,
    summary: String,
    times: Vec<TimeView>,
    chosen: Option<String>,
    moves: bool,
    notice: Option<String>,
    action: String,
    /// The page's secret its forms carry (CSRF).
    secret: String,
    booking_url: String,
}

#[derive(Template)]
#[template(path = "pages/offer.html")]
struct OfferTemplate<'a> {
    host_name: &'a str,
    v: &'a OfferView,
}

fn booking_url(context: &Context) -> String {
    format!("{}/", context.scheduler.public_url())
}

fn view(context: &Context, token: &str, page: &OfferPage, selected: Option<usize>) -> OfferView {
    let time = |(index, offered): (usize, &OfferedTime)| TimeView {
        number: index + 1,
        when: when(offered.interval, page.zone),
        reasons: offered.reasons.join("; "),
        selected: selected == Some(index + 1),
    };
    OfferView {
        name: page
            .to_name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "there".into()),
        summary: if page.summary.is_empty() {
            "Your meeting".into()
        } else {
            page.summary.clone()
        },
        times: page.times.iter().enumerate().map(time).collect(),
        chosen: page
            .chosen
            .as_ref()
            .map(|appointment| when(appointment.interval, appointment.client_zone)),
        moves: page.moves,
        notice: None,
        action: format!("/offers/{token}"),
        secret: context.scheduler.form_secret(token).unwrap_or_default(),
        booking_url: booking_url(context),
    }
}

fn show(context: &Context, status: StatusCode, view: &OfferView) -> Response {
    let host_name = &context.scheduler.host().name;
    render(status, &OfferTemplate { host_name, v: view })
}

fn refused(context: &Context, error: &ServiceError) -> Response {
    refusal(error, &context.scheduler.host().name, &booking_url(context))
}

/// Parses the `n` of `/offers/<token>/<n>`.
fn choice(context: &Context, text: &str) -> Result<usize, Response> {
    text.parse::<usize>().map_err(|_| {
        problem(
            StatusCode::NOT_FOUND,
            &context.scheduler.host().name,
            &booking_url(context),
            "Not found",
            "This link is not valid. Please use the link in the mail you received.",
        )
    })
}

/// GET: the offer, with time `selected` (from the mail's link) to confirm.
pub fn get(context: &Context, token: &str, selected: Option<&str>) -> Answer {
    let selected = selected.map(|text| choice(context, text)).transpose()?;
    let page = context
        .scheduler
        .offer_page(token)
        .map_err(|error| refused(context, &error))?;
    let view = view(context, token, &page, selected);
    Ok(show(context, StatusCode::OK, &view))
}

/// POST: takes time `n`; back to the page, which shows the booking.
pub async fn post(context: &Context, request: Request, token: &str, n: &str) -> Answer {
    let n = choice(context, n)?;
    let body = read_body(request.into_body(), context.body)
        .await
        .map_err(|_| refused(context, &ServiceError::NotFound("offer")))?;
    let secret: String = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "form")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let genuine = context
        .scheduler
        .form_secret_holds(token, &secret)
        .map_err(|error| refused(context, &error))?;
    if !genuine {
        return Err(problem(
            StatusCode::FORBIDDEN,
            &context.scheduler.host().name,
            &booking_url(context),
            "Not possible",
            "This form did not come from the offer's page. Open the link again.",
        ));
    }
    match context.scheduler.take_offer(token, n).await {
        Ok(_) => Ok(see_other(&format!("/offers/{token}"))),
        Err(ServiceError::Invalid {
            code: "already_chosen",
            ..
        }) => Ok(see_other(&format!("/offers/{token}"))),
        Err(ServiceError::SlotUnavailable { violation, .. }) => {
            // Taken meanwhile: the offer again, with the others still to choose from.
            let page = context
                .scheduler
                .offer_page(token)
                .map_err(|error| refused(context, &error))?;
            let mut view = view(context, token, &page, None);
            view.notice = Some(format!(
                "Time {n} can no longer be booked ({}). Please choose another.",
                violation.message()
            ));
            Err(show(context, StatusCode::CONFLICT, &view))
        }
        Err(error) => Err(refused(context, &error)),
    }
}
