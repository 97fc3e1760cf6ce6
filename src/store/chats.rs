//! The booking assistant's conversations, by session id; one idle past its time is
//! gone (removed when next looked up, and swept when others are saved).

use chrono::{DateTime, Duration, Utc};

use super::{Store, StoreError, decode, encode, keys};
use crate::domain::ChatSession;

/// How long a conversation lasts without a word.
pub const CHAT_IDLE: i64 = 60;

impl Store {
    /// The conversation `id`, unless it is unknown or idle since before `now` minus
    /// an hour.
    pub fn chat(&self, id: &str, now: DateTime<Utc>) -> Result<Option<ChatSession>, StoreError> {
        let Some(bytes) = self.chats.get(id.as_bytes())? else {
            return Ok(None);
        };
        let session: ChatSession = decode(keys::CHATS, &bytes)?;
        if session.updated_at + Duration::minutes(CHAT_IDLE) < now {
            self.chats.remove(id.as_bytes())?;
            return Ok(None);
        }
        Ok(Some(session))
    }

    /// Keeps `session` (not flushed: a conversation lost in a crash is started again),
    /// and lets go of a few idle ones.
    pub fn save_chat(&self, session: &ChatSession, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.chats.insert(session.id.as_bytes(), encode(session))?;
        let mut swept = 0;
        // A sample each time: ids are random, so every session is looked at in turn.
        for item in self.chats.iter().take(64) {
            let (key, bytes) = item?;
            let idle = decode::<ChatSession>(keys::CHATS, &bytes)
                .map(|old| old.updated_at + Duration::minutes(CHAT_IDLE) < now)
                .unwrap_or(true);
            if idle {
                self.chats.remove(key)?;
                swept += 1;
                if swept == 16 {
                    break;
                }
            }
        }
        Ok(())
    }
}
