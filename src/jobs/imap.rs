//! The IMAP job: copies new mail from the booking address's mailbox at a mail provider
//! into the inbound spool, waiting between looks in IDLE (or for `mail.imap.poll_seconds`
//! where the server lacks it). When the server cannot be reached, it retries with a
//! growing pause, up to five minutes; mail waits safely on the server meanwhile.

use std::time::Duration;

use crate::mail::imap::ImapInbox;
use crate::mail::inbound::Spool;

/// Longest pause between two attempts to reach a failing server.
const MAX_RETRY: Duration = Duration::from_secs(300);

/// The IMAP job.
pub struct ImapJob {
    inbox: ImapInbox,
    spool: Spool,
}

impl ImapJob {
    /// A job copying from `inbox` into `spool`.
    pub fn new(inbox: ImapInbox, spool: Spool) -> Self {
        Self { inbox, spool }
    }

    /// Runs until `shutdown` resolves.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut retry = Duration::from_secs(1);
        loop {
            let pause = match self.inbox.fetch_new(&self.spool).await {
                Ok(copied) => {
                    if copied > 0 {
                        tracing::debug!(copied, "IMAP messages spooled");
                    }
                    retry = Duration::from_secs(1);
                    None
                }
                Err(error) => {
                    tracing::warn!("IMAP: {error}; next attempt in {} s", retry.as_secs());
                    let pause = retry;
                    retry = (retry * 2).min(MAX_RETRY);
                    Some(pause)
                }
            };
            let wait = async {
                match pause {
                    Some(pause) => tokio::time::sleep(pause).await,
                    None => {
                        if let Err(error) = self.inbox.wait_for_mail().await {
                            tracing::warn!("IMAP wait ended: {error}");
                        }
                    }
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = wait => {}
            }
        }
    }
}
