//! The route handlers: pure logic over the ports. Nothing here knows
//! about API Gateway, sockets or a particular store, engine or queue.
//!
//! - `routes.rs`: the dispatch of a client frame, `ping`.
//! - `connect.rs`: `$connect`, `$disconnect`, an instance's leftovers.
//! - `rooms.rs`: `join`, `members`, `typing`, and `presence`.
//! - `fanout.rs`: `translate`: the engine calls, storing, and handing the
//!   frames out, by the plan (`plan.rs`) that groups members by language.
//! - `deliver.rs`: posting (directly or through the queue), the fan-out
//!   worker's entry [`App::deliver`], gone connections.
//! - `history.rs`: `history` pages that fit one frame.
//! - v1.2: `edit.rs` (and who owns a message), `delete.rs`, `correct.rs`,
//!   `glossary.rs` (`glossary`, `glossary_set`); `translation.rs`: the
//!   translation path they share with `translate` and `history` (the
//!   room's memory of corrections first, glossary terms protected);
//!   `reply.rs` (the quote `translate`'s `replyTo` takes) and `react.rs`
//!   (`react`).
//! - `engine.rs`: one engine call under the route's time budget, and
//!   `ids.rs`: message ids — both shared by the routes that translate.
//! - `cursor.rs`: the opaque cursors of `history` and `members`.
//! - `quota.rs`: the shared counters (per sender, the daily budget) and
//!   the per-connection flood guard.
//! - `rest.rs`: `POST /translate`, the REST API, and its history.
//! - `policy.rs`, `access.rs`: what a deployment allows, and who may connect.

pub mod access;
mod connect;
mod correct;
mod cursor;
mod delete;
mod deliver;
mod edit;
mod engine;
mod fanout;
mod glossary;
mod history;
mod ids;
mod plan;
pub mod policy;
mod quota;
mod react;
mod reply;
mod rest;
mod rooms;
mod routes;
#[cfg(test)]
mod tests;
mod translation;

use std::sync::Arc;

pub use connect::ConnectParams;
pub use cursor::Cursor;
pub use deliver::DeliverError;
pub use plan::FanoutPlan;
pub use policy::{MIN_TOKEN_SECRET_BYTES, Policy, TokenSecret, WeakTokenSecret};
pub use rest::{Caller, RestError, TranslateRequest};

use self::access::AccessError;
use self::quota::Flood;
use crate::model::{ConnectionId, InvalidInput, TranslationRecord};
use crate::ports::{FanoutBatch, Push, Queue, Store, StoreError, Translator};
use crate::protocol::FrameError;

/// The application: the route handlers with their ports.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    translator: Arc<dyn Translator>,
    push: Arc<dyn Push>,
    /// Where big rooms' fan-out goes; without one, everything is posted
    /// directly.
    queue: Option<Arc<dyn Queue>>,
    policy: Arc<Policy>,
    flood: Arc<Flood>,
    /// The local gateway instance whose sockets these are, written on each
    /// connection row so a restart can clear its predecessor's.
    instance: Option<Arc<str>>,
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
            queue: None,
            flood: Arc::new(Flood::new(&policy)),
            policy: Arc::new(policy),
            instance: None,
        }
    }

    /// The same routes under another policy.
    pub fn with_policy(self, policy: Policy) -> Self {
        Self {
            flood: Arc::new(Flood::new(&policy)),
            policy: Arc::new(policy),
            ..self
        }
    }

    /// Big rooms' fan-out through `queue`.
    pub fn with_queue(self, queue: Arc<dyn Queue>) -> Self {
        Self {
            queue: Some(queue),
            ..self
        }
    }

    /// The same routes over another engine (tests: engine doubles).
    pub fn with_translator(self, translator: Arc<dyn Translator>) -> Self {
        Self { translator, ..self }
    }

    /// Connections are held by this local gateway instance.
    pub fn with_instance(self, instance: impl Into<Arc<str>>) -> Self {
        Self {
            instance: Some(instance.into()),
            ..self
        }
    }

    /// The access policy it was built with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The store it uses.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The translation engine it uses.
    pub fn translator(&self) -> &Arc<dyn Translator> {
        &self.translator
    }
}

/// The entry points the gateways call, one per route, each handed on to
/// the free function of the same name in its route's file — so a reader
/// (or a tool) can follow a frame from here into its route by name.
impl App {
    /// `$connect`: see `connect` in `core/connect.rs`.
    pub async fn connect(
        &self,
        id: ConnectionId,
        params: ConnectParams,
        connected_at: i64,
    ) -> Result<(), ConnectError> {
        connect::connect(self, id, params, connected_at).await
    }

    /// `$disconnect`: see `disconnect` in `core/connect.rs`.
    pub async fn disconnect(&self, id: &ConnectionId) {
        connect::disconnect(self, id).await
    }

    /// A restarted instance's leftover rows: see `clear_instance` in `core/connect.rs`.
    pub async fn clear_instance(&self, instance: &str) -> Result<usize, StoreError> {
        connect::clear_instance(self, instance).await
    }

    /// Every other route of a client frame: see `message` in `core/routes.rs`.
    pub async fn message(&self, id: &ConnectionId, body: &str) {
        routes::message(self, id, body).await
    }

    /// The fan-out worker's batch: see `deliver` in `core/deliver.rs`.
    pub async fn deliver(&self, batch: FanoutBatch) -> Result<(), DeliverError> {
        deliver::deliver(self, batch).await
    }

    /// `POST /translate`: see `translate_text` in `core/rest.rs`.
    pub async fn translate_text(
        &self,
        req: TranslateRequest,
        caller: &Caller,
    ) -> Result<TranslationRecord, RestError> {
        rest::translate_text(self, req, caller).await
    }
}

/// Why `$connect` refused a connection; the gateway answers with `status()`.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A parameter is invalid (400, with the parameter's code).
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// The origin or the token is refused (403 or 401, `unauthorized`).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The room already holds its maximum of members (429 `room_full`); names the
    /// room.
    #[error("room {0} is full")]
    RoomFull(String),
    /// The store failed (500 `internal`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConnectError {
    /// The handshake's HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::Access(e) => e.status(),
            Self::RoomFull(_) => 429,
            Self::Store(_) => 500,
        }
    }

    /// The docs/PROTOCOL.md error code for the body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.code(),
            Self::Access(_) => "unauthorized",
            Self::RoomFull(_) => "room_full",
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

impl From<FrameError> for RouteError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

/// Server time in milliseconds since the epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
