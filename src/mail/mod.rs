//! Mail: composing outgoing messages (`compose`, pure apart from rendering templates),
//! handing them to a transport (`smtp`: an SMTP server, or `.eml` files), the spool
//! incoming messages wait in (`inbound`), and the IMAP mailbox they may be fetched from
//! (`imap`).
//!
//! Must not know: the store, the outbox, or why a message is sent. The use cases decide
//! what to say; the delivery job decides when.

pub mod compose;
pub mod imap;
pub mod imip;
pub mod inbound;
pub mod smtp;

/// A message ready to be handed over.
pub use lettre::Message;
