//! The ports the core depends on. Adapters implement them: stores in
//! `store/`, engines in `translate/`, delivery in `push/` and `local/`,
//! the fan-out queue in `queue/` and `local/`.
//!
//! - `store.rs`: [`Store`], the single table; `social.rs`: its replies
//!   and reactions (v1.2).
//! - `engine.rs`: [`Translator`].
//! - `push.rs`: [`Push`] (`PostToConnection`) and the shared [`Frame`].
//! - `queue.rs`: [`Queue`] for big rooms' fan-out.
//!
//! No method has a default body: an adapter that forgets one does not
//! compile.

mod engine;
mod push;
mod queue;
mod social;
mod store;

pub use engine::{EngineStatus, Hints, Reach, TranslateError, Translator};
pub use push::{Frame, Push, PushError};
pub use queue::{FanoutBatch, Queue, QueueError};
pub use social::Social;
pub use store::{
    Admission, Amend, Counter, Delivery, Departure, HistoryPage, HistoryQuery, MEMORY_ENGINE,
    PutOutcome, Rejoins, Step, Store, StoreError, Tally, corrected_translation,
};
