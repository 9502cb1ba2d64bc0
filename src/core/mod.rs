//! The route handlers: pure logic over the three ports. Nothing here knows
//! about API Gateway, sockets or a particular store or engine.
//!
//! - `routes.rs`: `$connect`, `$disconnect`, `join`, `members`, `ping`, and
//!   the dispatch of a client frame.
//! - `fanout.rs`: `translate`, and the plan that groups members by language.
//! - `history.rs`: `history` paging and its opaque cursor.
//! - `rest.rs`: `POST /translate`, the REST API, and its history.

pub mod access;
mod fanout;
#[cfg(test)]
mod faults;
mod guard;
mod history;
pub mod policy;
mod rest;
mod routes;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use fanout::FanoutPlan;
pub use history::Cursor;
pub use policy::{MIN_TOKEN_SECRET_BYTES, Policy, TokenSecret, WeakTokenSecret};
pub use rest::{RestError, TranslateRequest};
pub use routes::ConnectParams;

use self::access::AccessError;
use self::guard::Guard;

use crate::model::InvalidInput;
use crate::ports::{Push, Store, StoreError, Translator};
use crate::protocol::FrameError;

/// The application: the route handlers with their three ports.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    translator: Arc<dyn Translator>,
    push: Arc<dyn Push>,
    policy: Arc<Policy>,
    guard: Arc<Guard>,
}

impl App {
    /// The routes with the default [`Policy`].
    pub fn new(
        store: Arc<dyn Store>,
        translator: Arc<dyn Translator>,
        push: Arc<dyn Push>,
    ) -> Self {
        let policy = Policy::default();
        Self {
            store,
            translator,
            push,
            guard: Arc::new(Guard::new(&policy)),
            policy: Arc::new(policy),
        }
    }

    /// The same routes under another policy.
    pub fn with_policy(self, policy: Policy) -> Self {
        Self {
            guard: Arc::new(Guard::new(&policy)),
            policy: Arc::new(policy),
            ..self
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

/// Why `$connect` refused a connection; the gateway answers with `status()`.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("room {0} is full")]
    RoomFull(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConnectError {
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::Access(e) => e.status(),
            Self::RoomFull(_) => 429,
            Self::Store(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.code(),
            Self::Access(_) => "unauthorized",
            Self::RoomFull(_) => "rate_limited",
            Self::Store(_) => "internal",
        }
    }

    /// A sentence safe to show the client.
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid(e) => e.to_string(),
            Self::Access(e) => e.to_string(),
            Self::RoomFull(room) => format!("room {room} is full"),
            Self::Store(_) => "the server could not store the connection; try again".into(),
        }
    }
}

/// Why a route failed; the sender gets it as an `error` frame.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RouteError {
    #[error("{}", .0.message)]
    Frame(FrameError),
    #[error("connection is not registered")]
    NotConnected,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RouteError {
    fn into_frame_error(self, action: &str) -> FrameError {
        match self {
            Self::Frame(e) => e,
            Self::NotConnected => FrameError::new(
                "unauthorized",
                "this connection is not registered; reconnect",
                Some(action),
            ),
            Self::Store(_) => FrameError::new(
                "internal",
                "the server could not complete the request; try again",
                Some(action),
            ),
        }
    }
}

/// Server time in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
