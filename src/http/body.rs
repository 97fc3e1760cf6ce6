//! Reading a request body with a size limit and a time limit: a body over the size is
//! refused as soon as it is known to be too large (by Content-Length, or while
//! streaming), and one that has not arrived whole in time is given up on, so a client
//! trickling its body cannot hold a connection.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Over the limit.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// Not all there within the time limit.
    #[error("the request body did not arrive within {} s", .limit.as_secs())]
    TimedOut {
        /// The time limit.
        limit: Duration,
    },
    /// The connection failed while reading.
    #[error("the request body could not be read: {0}")]
    Broken(String),
}

/// How much of a body is read, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    /// Largest body accepted.
    pub max_bytes: usize,
    /// Time the whole body has to arrive in.
    pub timeout: Duration,
}

/// Reads all of `body`, refusing more than `limit.max_bytes` bytes or a body slower
/// than `limit.timeout`.
pub async fn read_body(body: Incoming, limit: BodyLimit) -> Result<Bytes, BodyError> {
    let (timeout, limit) = (limit.timeout, limit.max_bytes);
    let declared = hyper::body::Body::size_hint(&body).exact();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let Ok(read) = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await else {
        return Err(BodyError::TimedOut { limit: timeout });
    };
    match read {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(BodyError::TooLarge { limit })
        }
        Err(error) => Err(BodyError::Broken(error.to_string())),
    }
}
