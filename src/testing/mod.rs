//! Test doubles shared by the unit tests, the end-to-end suite, the client's
//! tests and the benches (feature `testing`, as tokio's `test-util`):
//!
//! - [`RecordingPush`]: remembers every frame, and fails for chosen
//!   connections in each way API Gateway can.
//! - [`CountingTranslator`]: the pseudo engine, counting calls and
//!   characters, failing or slow for chosen languages.
//! - [`FailNext`]: a store hook that fails chosen calls a number of times.
//! - [`ManglingTranslator`] (`mangle.rs`): an engine that damages the
//!   placeholders of protected terms.
//! - `server.rs`: [`start_server`], the one way to run `honyaku serve`
//!   in-process on a free port (feature `local`).
//! - `lambda_runtime.rs`, `management_api.rs` (over `http1.rs`): the
//!   Lambda Runtime API and the Management API as stand-ins on 127.0.0.1,
//!   which the real `honyaku-lambda` runs against in the suite and the
//!   start-up bench (feature `local`).

#[cfg(feature = "local")]
mod http1;
#[cfg(feature = "local")]
pub mod lambda_runtime;
#[cfg(feature = "local")]
pub mod management_api;
mod mangle;
#[cfg(feature = "local")]
mod server;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

pub use mangle::{Mangle, ManglingTranslator};
#[cfg(feature = "local")]
pub use server::{
    TestServer, start_server, start_server_on, start_server_with_engine, test_config,
};

use crate::model::{ConnectionId, Lang, Translation};
use crate::ports::{Frame, Hints, Push, PushError, Reach, StoreError, TranslateError, Translator};
use crate::store::{Outcome, StoreHook, StoreOp};
use crate::translate::PseudoTranslator;

/// How a [`RecordingPush`] fails for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 410: the connection is gone.
    Gone,
    /// 413: over 128 KB.
    TooLarge,
    /// Throttled this many times, then fine.
    Throttled(usize),
    /// Any other failure.
    Broken,
}

/// A push that records what each connection would receive.
#[derive(Default)]
pub struct RecordingPush {
    frames: Mutex<HashMap<String, Vec<Value>>>,
    faults: Mutex<HashMap<String, Fault>>,
    closed: Mutex<Vec<(String, u16)>>,
    posts: AtomicUsize,
}

impl RecordingPush {
    /// Makes posts to `id` fail as `fault` says.
    pub fn fail(&self, id: &str, fault: Fault) {
        self.faults.lock().unwrap().insert(id.to_owned(), fault);
    }

    /// Every frame `id` received so far, removing them.
    pub fn take(&self, id: &str) -> Vec<Value> {
        self.frames.lock().unwrap().remove(id).unwrap_or_default()
    }

    /// The frames of one `type` that `id` received, leaving the rest.
    pub fn of_type(&self, id: &str, kind: &str) -> Vec<Value> {
        let frames = self.frames.lock().unwrap();
        frames
            .get(id)
            .into_iter()
            .flatten()
            .filter(|f| f["type"] == kind)
            .cloned()
            .collect()
    }

    /// Connections closed so far, with their codes.
    pub fn closed(&self) -> Vec<(String, u16)> {
        self.closed.lock().unwrap().clone()
    }

    /// Post attempts so far, failed ones included.
    pub fn posts(&self) -> usize {
        self.posts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Push for RecordingPush {
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        self.posts.fetch_add(1, Ordering::SeqCst);
        {
            let mut faults = self.faults.lock().unwrap();
            match faults.get_mut(to.as_str()) {
                Some(Fault::Gone) => return Err(PushError::Gone),
                Some(Fault::TooLarge) => return Err(PushError::PayloadTooLarge),
                Some(Fault::Broken) => return Err(PushError::Other("broken".into())),
                Some(Fault::Throttled(n)) if *n > 0 => {
                    *n -= 1;
                    return Err(PushError::Throttled);
                }
                _ => {}
            }
        }
        let value: Value = serde_json::from_str(frame.as_str()).expect("frames are JSON");
        self.frames
            .lock()
            .unwrap()
            .entry(to.as_str().to_owned())
            .or_default()
            .push(value);
        Ok(())
    }

    async fn close(&self, to: &ConnectionId, code: u16, _: &'static str) -> Result<(), PushError> {
        self.closed
            .lock()
            .unwrap()
            .push((to.as_str().to_owned(), code));
        Ok(())
    }
}

/// The pseudo engine, counting what it is asked, and failing or slow for
/// the languages it is told.
#[derive(Default)]
pub struct CountingTranslator {
    calls: AtomicUsize,
    characters: AtomicUsize,
    fail: Mutex<HashMap<Lang, TranslateError>>,
    slow: Mutex<HashMap<Lang, Duration>>,
    hints: Mutex<Vec<Hints>>,
}

impl CountingTranslator {
    /// Translations into `to` fail with `error`.
    pub fn fail_for(&self, to: Lang, error: TranslateError) {
        self.fail.lock().unwrap().insert(to, error);
    }

    /// Translations into `to` take `delay`.
    pub fn slow_for(&self, to: Lang, delay: Duration) {
        self.slow.lock().unwrap().insert(to, delay);
    }

    /// How many translations were asked for.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// How many characters were sent to translate.
    pub fn characters(&self) -> usize {
        self.characters.load(Ordering::SeqCst)
    }

    /// The hints each `translate_with` call came with, in order.
    pub fn hints(&self) -> Vec<Hints> {
        self.hints.lock().unwrap().clone()
    }
}

#[async_trait]
impl Translator for CountingTranslator {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.characters
            .fetch_add(text.chars().count(), Ordering::SeqCst);
        let delay = self.slow.lock().unwrap().get(&to).copied();
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let failure = self.fail.lock().unwrap().get(&to).cloned();
        match failure {
            Some(e) => Err(e),
            None => PseudoTranslator.translate(text, from, to).await,
        }
    }

    /// One call, as `translate`; the hints are recorded.
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        self.hints.lock().unwrap().push(hints.clone());
        self.translate(text, from, to).await
    }

    /// Japanese when the text has a hiragana は, else unknown.
    async fn detect(&self, text: &str) -> Option<Lang> {
        text.contains('は')
            .then(|| Lang::parse("ja").expect("ja is a code"))
    }

    fn reach(&self) -> Reach {
        Reach::All
    }

    /// Says yes, so the core's context reading is exercised.
    fn wants_context(&self) -> bool {
        true
    }
}

/// A store hook that fails a chosen call the next `n` times.
#[derive(Default)]
pub struct FailNext {
    left: Mutex<HashMap<StoreOp, usize>>,
    calls: Mutex<HashMap<StoreOp, usize>>,
}

impl FailNext {
    /// Makes the next `times` calls of `op` fail with a backend error.
    pub fn fail(&self, op: StoreOp, times: usize) {
        self.left.lock().unwrap().insert(op, times);
    }

    /// How often `op` was called (failed calls included).
    pub fn calls(&self, op: StoreOp) -> usize {
        self.calls.lock().unwrap().get(&op).copied().unwrap_or(0)
    }

    /// Every call so far, by operation.
    pub fn all_calls(&self) -> HashMap<StoreOp, usize> {
        self.calls.lock().unwrap().clone()
    }

    /// Forgets the calls counted so far.
    pub fn reset_calls(&self) {
        self.calls.lock().unwrap().clear();
    }
}

impl StoreHook for FailNext {
    fn before(&self, op: StoreOp) -> Result<(), StoreError> {
        *self.calls.lock().unwrap().entry(op).or_default() += 1;
        let mut left = self.left.lock().unwrap();
        match left.get_mut(&op) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Err(StoreError::backend(format!("injected failure of {op:?}")))
            }
            _ => Ok(()),
        }
    }

    fn after(&self, _op: StoreOp, _outcome: Outcome) {}
}

/// Behind a router, it is the pseudo engine that counts.
impl crate::translate::engine::Engine for CountingTranslator {
    fn name(&self) -> &'static str {
        "pseudo"
    }
}
