//! The Google Calendar adapter: `model` (Google's JSON ⇄ Kairos, pure) and `client`
//! (the network, through `google-calendar3`). Off unless `google.enabled`.
//!
//! Must not know: the store, or the use cases; the jobs decide when to call Google,
//! the use cases what its answers mean.

pub mod client;
pub mod consent;
pub mod model;
