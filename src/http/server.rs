//! The accept loop: at most `max_connections` connections served at once (further ones
//! wait in the listen queue), HTTP/1.1 and HTTP/2, plain or over TLS (see `tls`), and
//! a graceful stop — on shutdown the listener closes, connections finish the requests
//! they are serving, and after the grace period whatever is left is dropped. (A
//! connection still in its TLS handshake is not waited for.)
//!
//! Idle and slow clients cannot hold places for long: a connection that sends nothing
//! within `header_read_timeout` is closed, as is an HTTP/1 request whose head does not
//! arrive whole within it (slowloris) and a kept-alive connection idle that long;
//! HTTP/2 connections are pinged and closed when the pings go unanswered.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::tls::Transport;
use super::{Request, Response};

/// How the accept loop treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time a client has to send a request's head, from connecting or from the end of
    /// its previous response.
    pub header_read_timeout: Duration,
    /// Time in-flight requests get at shutdown.
    pub grace: Duration,
}

/// Something that answers requests.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request from `peer`.
    fn handle(&self, request: Request, peer: SocketAddr) -> impl Future<Output = Response> + Send;
}

/// Serves `handler` on `listener` (speaking `transport`) until `shutdown` completes,
/// then stops gracefully.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    transport: Transport,
    handler: Arc<H>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let places = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_read_timeout)
        .keep_alive_timeout(limits.header_read_timeout)
        .max_concurrent_streams(64);
    let mut shutdown = pin!(shutdown);
    loop {
        let place = tokio::select! {
            () = &mut shutdown => break,
            place = Arc::clone(&places).acquire_owned() => place,
        };
        let Ok(place) = place else { break };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let handler = Arc::clone(&handler);
        let service = service_fn(move |request| {
            let handler = Arc::clone(&handler);
            async move { Ok::<_, Infallible>(handler.handle(request, peer).await) }
        });
        let builder = builder.clone();
        let transport = transport.clone();
        let watcher = graceful.watcher();
        let first_byte = limits.header_read_timeout;
        tokio::spawn(async move {
            // The version sniffing of `auto` (and a TLS handshake) would wait for a
            // first byte without a timer.
            let mut probe = [0u8; 1];
            match tokio::time::timeout(first_byte, stream.peek(&mut probe)).await {
                Ok(Ok(read)) if read > 0 => {}
                _ => return,
            }
            // The TLS handshake (if any) runs here, not in the accept loop.
            let stream = match transport.establish(stream).await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::debug!(%peer, %error, "TLS handshake failed");
                    return;
                }
            };
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .into_owned();
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(limits.grace) => tracing::warn!(grace = ?limits.grace, "grace period over; dropping remaining connections"),
    }
}
