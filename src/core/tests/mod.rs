//! Unit tests of the routes with the memory store, the counting pseudo
//! engine and a push that records what each connection would receive.
//!
//! - `chat.rs`: translate, fan-out, `clientMsgId`, errors.
//! - `rooms.rs`: presence, join, members, typing, room capacity.
//! - `history.rs`: pages, cursors, the 128 KB frame, retention.
//! - `quota.rs`: the shared counters and the daily budget.
//! - `queue.rs`: big rooms through the fan-out queue, redelivery.
//! - `faults.rs`: failing pushes, stores and engines.
//! - `amend.rs`: v1.2's edit, delete, correct and glossary.
//! - `social.rs`: v1.2's replies and reactions.

mod amend;
mod chat;
mod faults;
mod history;
mod queue;
mod quota;
mod rooms;
mod social;

use std::sync::Arc;

use serde_json::Value;

use super::{App, ConnectParams, Policy};
use crate::model::ConnectionId;
use crate::ports::Store;
use crate::store::{Hooked, MemoryStore};
use crate::testing::{CountingTranslator, FailNext, RecordingPush};

/// The first `error` frame among `frames`.
pub(super) fn error(frames: Vec<Value>) -> Value {
    frames
        .into_iter()
        .find(|f| f["type"] == "error")
        .expect("an error frame")
}

pub(super) struct Fixture {
    pub app: App,
    pub push: Arc<RecordingPush>,
    pub engine: Arc<CountingTranslator>,
    pub store: Arc<Hooked<FailNext>>,
}

pub(super) fn fixture() -> Fixture {
    fixture_with(Policy::default())
}

pub(super) fn fixture_with(policy: Policy) -> Fixture {
    let push = Arc::new(RecordingPush::default());
    let engine = Arc::new(CountingTranslator::default());
    let memory: Arc<dyn Store> = Arc::new(MemoryStore::in_memory());
    let store = Arc::new(Hooked::new(memory, FailNext::default()));
    let app = App::new(store.clone(), engine.clone(), push.clone()).with_policy(policy);
    Fixture {
        app,
        push,
        engine,
        store,
    }
}

impl Fixture {
    /// Connects `id` to `room` reading `lang`, a minute ago (past the
    /// grace a connecting member gets).
    pub async fn join(&self, id: &str, room: &str, lang: &str) {
        self.connect(id, room, lang, None).await;
    }

    pub async fn connect(&self, id: &str, room: &str, lang: &str, client: Option<&str>) {
        let params = ConnectParams {
            room: Some(room.into()),
            lang: Some(lang.into()),
            name: Some(format!("n-{id}")),
            client: client.map(str::to_owned),
            ..ConnectParams::default()
        };
        self.app
            .connect(ConnectionId::new(id), params, super::now_ms() - 60_000)
            .await
            .unwrap();
    }

    pub async fn send(&self, id: &str, frame: Value) {
        self.app
            .message(&ConnectionId::new(id), &frame.to_string())
            .await;
    }

    /// Every frame `id` has, removing them.
    pub fn take(&self, id: &str) -> Vec<Value> {
        self.push.take(id)
    }

    /// The frames of one type `id` has, removing every frame.
    pub fn take_type(&self, id: &str, kind: &str) -> Vec<Value> {
        self.take(id)
            .into_iter()
            .filter(|f| f["type"] == kind)
            .collect()
    }

    pub fn clear(&self, ids: &[&str]) {
        for id in ids {
            self.push.take(id);
        }
    }
}
