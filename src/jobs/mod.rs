//! Background work: each job has a `run_once` that does one round, and a loop that runs
//! it on a ticker (or when signalled) until shutdown.
//!
//! Must not know: HTTP, or how the store keeps its data.

pub mod google;
pub mod imap;
pub mod inbound;
pub mod outbox;
pub mod scheduled;
