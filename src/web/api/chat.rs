//! `POST /api/chat {"sessionId"?, "text", "timezone"}`: the booking assistant. Answers
//! `{"sessionId", "reply", "slots": [Slot], "quickActions": [...], "booking": {...}}`,
//! the booking being what the conversation has settled so far (meeting type, length,
//! purpose, the time chosen), for the page to book with.

use hyper::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::http::{Request, json};
use crate::service::QUICK_ACTIONS;
use crate::web::errors::{Refused, refused, service};
use crate::web::{Answer, Context, input, wire};

/// Longest message read.
const MAX_TEXT_CHARS: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ChatRequest {
    session_id: Option<String>,
    text: String,
    timezone: Option<String>,
}

/// The assistant's answer to one message.
pub async fn post(context: &Context, request: Request) -> Answer {
    let body: ChatRequest = input::json_body(request, context.body)
        .await
        .map_err(refused)?;
    let zone = match body.timezone.as_deref() {
        Some(text) => input::zone("timezone", text).map_err(refused)?,
        None => context.scheduler.host().zone,
    };
    if body.text.trim().is_empty() || body.text.chars().count() > MAX_TEXT_CHARS {
        return Err(refused(Refused::Field {
            code: "invalid_text",
            field: "text".into(),
            message: format!("text is 1 to {MAX_TEXT_CHARS} characters"),
        }));
    }
    let answer = context
        .scheduler
        .chat(body.session_id.as_deref(), &body.text, zone)
        .map_err(|error| service(error, zone))?;
    let session = &answer.session;
    let kind = session.meeting_type.clone().or_else(|| {
        context
            .scheduler
            .meeting_types()
            .first()
            .map(|k| k.id.clone())
    });
    Ok(json(
        StatusCode::OK,
        &json!({
            "sessionId": session.id,
            "reply": answer.reply,
            "slots": answer.slots.iter().map(|slot| wire::slot(slot, zone)).collect::<Vec<_>>(),
            "quickActions": QUICK_ACTIONS,
            "booking": {
                "meetingType": kind,
                "duration": session.duration_minutes,
                "purpose": session.purpose,
                "startTime": session.chosen.map(|chosen| wire::time(chosen.start, zone)),
                "timezone": zone.name(),
            },
        }),
    ))
}
