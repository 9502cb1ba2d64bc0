//! The whole-request time limit: hyper bounds the time a request's head
//! may take (slowloris), this bounds the body too. A body still arriving
//! when the deadline passes fails, the request is answered 408 and its
//! connection closes, so a body sent a byte at a time cannot hold a place
//! under the connection cap for ever.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::BoxError;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;

/// A request body that must be complete by a deadline.
pub struct DeadlineBody {
    inner: Incoming,
    deadline: Instant,
    /// Made the first time the body waits (most bodies never do).
    sleep: Option<Pin<Box<Sleep>>>,
    /// Cancelled when the deadline passed first.
    expired: CancellationToken,
}

/// The body arrived too slowly.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct TooSlow;

impl DeadlineBody {
    pub fn new(inner: Incoming, deadline: Instant, expired: CancellationToken) -> Self {
        Self {
            inner,
            deadline,
            sleep: None,
            expired,
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => {
                let deadline = this.deadline;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if sleep.as_mut().poll(cx).is_ready() {
                    this.expired.cancel();
                    return Poll::Ready(Some(Err(TooSlow.into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
