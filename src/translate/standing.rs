//! How an HTTP engine stands beyond one call: a refused key (said once in
//! the log, kept as its notice), a back-off after 429, a quota used up —
//! each making calls fail at once, without a request, until it is over.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::ports::TranslateError;

#[derive(Debug, Default)]
struct State {
    notice: Option<String>,
    logged: bool,
    blocked_until: Option<Instant>,
    blocked_why: String,
}

#[derive(Debug)]
pub struct Standing {
    engine: &'static str,
    state: Mutex<State>,
}

impl Standing {
    pub fn new(engine: &'static str) -> Self {
        Self {
            engine,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The error for a call made while blocked, if it is.
    pub fn blocked(&self) -> Option<TranslateError> {
        let s = self.lock();
        s.blocked_until
            .filter(|until| Instant::now() < *until)
            .map(|_| TranslateError::Unavailable(s.blocked_why.clone()))
    }

    /// The server refused the key: said once, kept as the notice.
    pub fn key_refused(&self, notice: String) -> TranslateError {
        let mut s = self.lock();
        if !s.logged {
            tracing::error!(engine = self.engine, "{notice}");
            s.logged = true;
        }
        s.notice = Some(notice);
        TranslateError::Unavailable(format!("{} refused the key", self.engine))
    }

    /// No calls for `wait` (429, a quota); `notice` is shown meanwhile.
    pub fn block(&self, wait: Duration, why: String, notice: Option<String>) -> TranslateError {
        tracing::warn!(engine = self.engine, ?wait, %why, "backing off");
        let mut s = self.lock();
        s.blocked_until = Some(Instant::now() + wait);
        s.blocked_why = format!("{why}; backing off");
        if notice.is_some() {
            s.notice = notice;
        }
        TranslateError::Unavailable(why)
    }

    /// A call succeeded: whatever was wrong is over.
    pub fn recovered(&self) {
        let mut s = self.lock();
        if s.notice.take().is_some() {
            tracing::info!(engine = self.engine, "translating again");
        }
        s.logged = false;
        s.blocked_until = None;
    }

    /// Why the engine is not ok, while it is not.
    pub fn notice(&self) -> Option<String> {
        let s = self.lock();
        let blocked = s.blocked_until.is_some_and(|u| Instant::now() < u);
        match &s.notice {
            Some(n) if blocked || s.logged => Some(n.clone()),
            _ => None,
        }
    }
}
