//! The booking page's assistant: a conversation read with `nlp`. It keeps what the
//! visitor said that a booking needs — length ("for 45 minutes", "actually make it
//! 30"), purpose ("it's about my tax return"), the time chosen ("option 2") — and
//! answers with times: the one asked for when it is free, else the best near it, the
//! best within a stretch ("next Tuesday afternoon"), or outside a refused one. When it
//! does not understand, it says so and offers its quick actions.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

use super::stated_times::{Stretch, Wish, said};
use super::{Scheduler, ServiceError};
use crate::domain::{ChatSession, Interval};
use crate::slots::Slot;

/// The quick actions the assistant always offers.
pub const QUICK_ACTIONS: [&str; 3] = ["Tomorrow", "Next week", "Pick date"];

/// The assistant's answer.
#[derive(Debug, Clone)]
pub struct ChatAnswer {
    /// The conversation, as it now stands (its id, and the booking so far).
    pub session: ChatSession,
    /// What the assistant says.
    pub reply: String,
    /// Times offered, best first (also kept for "option N").
    pub slots: Vec<Slot>,
}

/// How many times an answer offers.
const OFFERED: usize = 3;

impl Scheduler {
    /// When conversation `id` began, while it is kept.
    pub fn chat_started(&self, id: &str) -> Option<DateTime<Utc>> {
        let now = self.clock.now();
        self.store.chat(id, now).ok().flatten()?.started_at
    }

    /// The assistant's answer to `text` in conversation `session` (a new one when
    /// unknown or expired), for a visitor in `zone`.
    pub fn chat(
        &self,
        session: Option<&str>,
        text: &str,
        zone: Tz,
    ) -> Result<ChatAnswer, ServiceError> {
        let now = self.clock.now();
        let mut session = match session {
            Some(id) => self.store.chat(id, now)?,
            None => None,
        }
        .unwrap_or_else(|| ChatSession {
            id: format!("{:032x}", rand::random::<u128>()),
            zone,
            duration_minutes: None,
            meeting_type: None,
            purpose: None,
            offered: Vec::new(),
            chosen: None,
            updated_at: now,
            started_at: Some(now),
        });
        session.zone = zone;
        session.updated_at = now;
        let text = text.trim();
        if let Some(purpose) = purpose_of(text) {
            session.purpose = Some(purpose);
        }
        let kind = self.meeting_type(session.meeting_type.as_deref())?.clone();
        let length = |session: &ChatSession| {
            session
                .duration_minutes
                .map(|m| Duration::minutes(i64::from(m)))
                .unwrap_or(kind.duration)
        };
        let (wish, asked_length) =
            self.read_wish(&quick(text), zone, &session.offered, length(&session));
        if let Some(minutes) = asked_length {
            session.duration_minutes = Some(minutes);
        }
        let length = length(&session);
        let client = None;
        let (reply, slots) = match wish {
            Wish::Offered(position) => match session.offered.get(position - 1).copied() {
                Some(chosen) => {
                    session.chosen = Some(chosen);
                    (
                        format!(
                            "{} it is. Add your name and email to book it.",
                            day_and_time(chosen, zone)
                        ),
                        Vec::new(),
                    )
                }
                None => (not_understood(), Vec::new()),
            },
            Wish::Time(asked) => {
                let asked = Interval::starting_at(asked.start, length).unwrap_or(asked);
                let near = self.alternatives(asked, &kind, client, zone, None)?;
                let picture = self.busy_picture(asked, None)?;
                let free = self.engine(&picture.busy, &kind).check(asked).is_ok();
                if free {
                    // The time asked for first, then the best near it.
                    let mut slots = vec![Slot {
                        interval: asked,
                        score: 0,
                        reasons: vec!["The time you asked for".into()],
                    }];
                    slots.extend(near.into_iter().filter(|slot| slot.interval != asked));
                    (
                        format!("{} is free. Shall I book it?", day_and_time(asked, zone)),
                        slots,
                    )
                } else {
                    (
                        format!(
                            "{} is not free. These are close:",
                            day_and_time(asked, zone)
                        ),
                        near,
                    )
                }
            }
            Wish::Within(stretch) => {
                let stretch = Stretch { length, ..stretch };
                let found = self.best_within(&stretch, client, zone)?;
                let within = said(&stretch, zone);
                if found.is_empty() {
                    (format!("Nothing is free {within}. Try another day?"), found)
                } else {
                    (format!("These are the best times {within}:"), found)
                }
            }
            Wish::Avoiding(stretch) => {
                let stretch = Stretch { length, ..stretch };
                let found = self.best_avoiding(&stretch, client, zone)?;
                (
                    format!("These are good times other than {}:", said(&stretch, zone)),
                    found,
                )
            }
            Wish::NoneOfThem => (
                "No problem. Tell me a day or a time that suits you, or pick one below.".into(),
                Vec::new(),
            ),
            Wish::Unclear if asked_length.is_some() && !session.offered.is_empty() => {
                // "Actually make it 30 minutes": the same day, the new length.
                let first = session.offered[0];
                let day = first.start.with_timezone(&zone).date_naive();
                let stretch = day_stretch(day, zone, length);
                let found = match stretch {
                    Some(stretch) => self.best_within(&stretch, client, zone)?,
                    None => Vec::new(),
                };
                (
                    format!("{} minutes then. These are free:", length.num_minutes()),
                    found,
                )
            }
            Wish::Unclear if asked_length.is_some() || purpose_of(text).is_some() => {
                ("Noted. Which day suits you?".into(), Vec::new())
            }
            Wish::Unclear => (not_understood(), Vec::new()),
        };
        let slots: Vec<Slot> = slots.into_iter().take(OFFERED).collect();
        if !slots.is_empty() {
            session.offered = slots.iter().map(|slot| slot.interval).collect();
        }
        self.store.save_chat(&session, now)?;
        Ok(ChatAnswer {
            session,
            reply,
            slots,
        })
    }
}

fn not_understood() -> String {
    "Sorry, I did not understand. Tell me a day or a time (\"tomorrow at 3\", \"next \
     Tuesday afternoon\"), or use one of the buttons."
        .into()
}

/// The words of a quick action, as the reader understands them.
fn quick(text: &str) -> String {
    match text {
        "Tomorrow" => "tomorrow".into(),
        "Next week" => "next week".into(),
        other => other.to_string(),
    }
}

/// "It's about my tax return" → "my tax return".
fn purpose_of(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let at = lower.find("about ")?;
    let purpose = text[at + "about ".len()..]
        .trim()
        .trim_end_matches(['.', '!'])
        .trim();
    (!purpose.is_empty() && purpose.chars().count() <= 200).then(|| purpose.to_string())
}

/// "Tuesday 3 March at 15:00".
fn day_and_time(interval: Interval, zone: Tz) -> String {
    interval
        .start
        .with_timezone(&zone)
        .format("%A %-d %B at %H:%M")
        .to_string()
}

/// All of `day` in `zone`, for meetings of `length`.
fn day_stretch(day: chrono::NaiveDate, zone: Tz, length: Duration) -> Option<Stretch> {
    let start = day.and_time(NaiveTime::MIN);
    let at = |local: chrono::NaiveDateTime| {
        chrono::TimeZone::from_local_datetime(&zone, &local)
            .earliest()
            .map(|at| at.with_timezone(&chrono::Utc))
    };
    Some(Stretch {
        range: Interval::new(at(start)?, at(start + Duration::days(1))?)?,
        daily: None,
        length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_is_what_follows_about() {
        assert_eq!(
            purpose_of("It's about my tax return.").as_deref(),
            Some("my tax return")
        );
        assert_eq!(purpose_of("tomorrow at 3"), None);
    }
}
