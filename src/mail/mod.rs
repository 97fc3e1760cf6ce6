//! Mail: composing outgoing messages (`compose`, pure apart from rendering templates)
//! and handing them to a transport (`smtp`: an SMTP server, or `.eml` files).
//!
//! Must not know: the store, the outbox, or why a message is sent. The use cases decide
//! what to say; the delivery job decides when.

pub mod compose;
pub mod smtp;

/// A message ready to be handed over.
pub use lettre::Message;
