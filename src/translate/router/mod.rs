//! The router: several engines behind one [`Translator`].
//!
//! - Per pair, the first engine in the configured order that translates
//!   it directly; where none does (or each that does fails), a pivot
//!   through English or Spanish made of any engines (ja→ca:
//!   libretranslate ja→es, then apertium es→ca).
//! - Each call has a timeout, and all of one translation a budget; an
//!   engine that fails or runs past it is skipped for that call and the
//!   next one tried. One that keeps failing rests (`breaker.rs`), and its
//!   status says so.
//! - `engine` in the answer names who translated; a pivot across two
//!   engines names both, `libretranslate+apertium`.
//!
//! The cache sits in front of the router, so it holds across engines.

mod breaker;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use self::breaker::Breaker;
pub use self::breaker::BreakerConfig;
use super::engine::Engine;
use crate::model::{Lang, Translation};
use crate::ports::{EngineStatus, Hints, Reach, TranslateError, Translator};

/// Languages a pivot may go through, in order.
const PIVOTS: [Lang; 2] = [Lang::EN, Lang::ES];

/// The router's timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterConfig {
    /// One engine call may take this long.
    pub call_timeout: Duration,
    /// All the calls of one translation (fallbacks, pivot legs) together.
    pub budget: Duration,
    /// When a failing engine rests.
    pub breaker: BreakerConfig,
}

struct Slot {
    engine: Arc<dyn Engine>,
    breaker: Breaker,
    /// Why the last refresh failed, while it does.
    unreachable: Mutex<Option<String>>,
}

impl Slot {
    fn covers(&self, from: Lang, to: Lang) -> bool {
        match self.engine.reach() {
            Reach::All => true,
            Reach::Pairs(p) => p.get(&from).is_some_and(|t| t.contains(&to)),
        }
    }

    fn unreachable(&self) -> Option<String> {
        self.unreachable
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

struct Inner {
    slots: Vec<Slot>,
    config: RouterConfig,
    started: tokio::sync::OnceCell<()>,
}

/// Engines in order of preference. Cheap to clone (one shared state).
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

/// What one attempt at a pair learnt.
#[derive(Default)]
struct Outcome {
    /// The last real failure (not "cannot", not "resting").
    error: Option<TranslateError>,
    resting: bool,
}

impl Router {
    /// The engines in order of preference.
    pub fn new(engines: Vec<Arc<dyn Engine>>, config: RouterConfig) -> Self {
        let slots = engines
            .into_iter()
            .map(|engine| Slot {
                engine,
                breaker: Breaker::new(config.breaker),
                unreachable: Mutex::new(None),
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                slots,
                config,
                started: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// Reads every engine's pairs, concurrently, each within the call
    /// timeout.
    pub async fn refresh(&self) {
        let limit = self.inner.config.call_timeout;
        futures_util::future::join_all(self.inner.slots.iter().map(|slot| async move {
            let result = match tokio::time::timeout(limit, slot.engine.refresh()).await {
                Ok(r) => r,
                Err(_) => Err(format!("no answer within {limit:?}")),
            };
            let mut unreachable = slot.unreachable.lock().unwrap_or_else(|p| p.into_inner());
            match result {
                Ok(()) => *unreachable = None,
                Err(why) => {
                    if unreachable.as_ref() != Some(&why) {
                        tracing::warn!(engine = slot.engine.name(), %why, "engine not ready");
                    }
                    *unreachable = Some(why);
                }
            }
        }))
        .await;
    }

    /// The first [`Router::refresh`], once, however often it is asked for.
    pub async fn start(&self) {
        self.inner.started.get_or_init(|| self.refresh()).await;
    }

    /// One engine's attempt, within the time left.
    async fn call(
        &self,
        slot: &Slot,
        req: (&str, Lang, Lang, &Hints),
        deadline: Instant,
        outcome: &mut Outcome,
    ) -> Option<Translation> {
        let (text, from, to, hints) = req;
        if slot.breaker.resting().is_some() {
            outcome.resting = true;
            return None;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let limit = self.inner.config.call_timeout.min(left);
        let name = slot.engine.name();
        let result =
            match tokio::time::timeout(limit, slot.engine.translate_with(text, from, to, hints))
                .await
            {
                Ok(r) => r,
                Err(_) => Err(TranslateError::Unavailable(format!(
                    "{name} gave no answer within {limit:?}"
                ))),
            };
        // An engine answering nothing for words (a broken pipeline) has
        // failed, whatever it says.
        let result = result.and_then(|t| {
            if t.text.trim().is_empty() && super::mask::has_words(text) {
                Err(TranslateError::Failed(format!("{name} answered nothing")))
            } else {
                Ok(t)
            }
        });
        match result {
            Ok(t) => {
                slot.breaker.success();
                Some(t)
            }
            Err(TranslateError::UnsupportedPair { .. } | TranslateError::Disabled) => None,
            Err(e) => {
                tracing::warn!(engine = name, %from, %to, error = %e, "engine failed; trying the next");
                if slot.breaker.failure() {
                    tracing::warn!(engine = name, rest = ?self.inner.config.breaker.rest,
                        "engine keeps failing; resting");
                }
                outcome.error = Some(e);
                None
            }
        }
    }

    /// The first engine that translates `from`→`to` directly.
    async fn direct(
        &self,
        req: (&str, Lang, Lang, &Hints),
        deadline: Instant,
        outcome: &mut Outcome,
    ) -> Option<Translation> {
        for slot in self.inner.slots.iter().filter(|s| s.covers(req.1, req.2)) {
            if Instant::now() >= deadline {
                break;
            }
            if let Some(t) = self.call(slot, req, deadline, outcome).await {
                return Some(t);
            }
        }
        None
    }

    fn direct_pairs(&self) -> (bool, BTreeMap<Lang, BTreeSet<Lang>>) {
        let mut pairs: BTreeMap<Lang, BTreeSet<Lang>> = BTreeMap::new();
        for slot in &self.inner.slots {
            match slot.engine.reach() {
                Reach::All => return (true, pairs),
                Reach::Pairs(p) => {
                    for (from, to) in p {
                        pairs.entry(from).or_default().extend(to);
                    }
                }
            }
        }
        (false, pairs)
    }

    fn disabled(&self) -> bool {
        self.inner.slots.iter().all(|s| s.engine.name() == "none")
    }
}

#[async_trait]
impl Translator for Router {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.translate_with(text, from, to, &Hints::default()).await
    }

    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        if self.disabled() {
            return Err(TranslateError::Disabled);
        }
        let deadline = Instant::now() + self.inner.config.budget;
        let mut outcome = Outcome::default();
        if let Some(t) = self
            .direct((text, from, to, hints), deadline, &mut outcome)
            .await
        {
            return Ok(t);
        }
        // The second leg reads the first's output: context in the source
        // language would only mislead it.
        let second_hints = Hints {
            keep: hints.keep.clone(),
            context: Vec::new(),
        };
        for via in PIVOTS.into_iter().filter(|v| *v != from && *v != to) {
            let (Some(_), Some(_)) = (
                self.inner.slots.iter().find(|s| s.covers(from, via)),
                self.inner.slots.iter().find(|s| s.covers(via, to)),
            ) else {
                continue;
            };
            let Some(first) = self
                .direct((text, from, via, hints), deadline, &mut outcome)
                .await
            else {
                continue;
            };
            let second_req = (first.text.as_str(), via, to, &second_hints);
            if let Some(second) = self.direct(second_req, deadline, &mut outcome).await {
                let engine = if first.engine == second.engine {
                    second.engine
                } else {
                    format!("{}+{}", first.engine, second.engine)
                };
                return Ok(Translation {
                    text: second.text,
                    engine,
                    via: Some(via),
                });
            }
        }
        Err(match outcome {
            Outcome { error: Some(e), .. } => e,
            Outcome { resting: true, .. } => TranslateError::Unavailable(format!(
                "every engine for {from}→{to} is resting after repeated failures"
            )),
            _ => TranslateError::unsupported(from, to),
        })
    }

    /// The first engine that is sure, in order; resting ones are skipped.
    async fn detect(&self, text: &str) -> Option<Lang> {
        for slot in &self.inner.slots {
            if slot.breaker.resting().is_some() {
                continue;
            }
            let limit = self.inner.config.call_timeout;
            if let Ok(Some(lang)) = tokio::time::timeout(limit, slot.engine.detect(text)).await {
                return Some(lang);
            }
        }
        None
    }

    /// The union of the engines' pairs, and the pivots made of them.
    fn reach(&self) -> Reach {
        let (all, direct) = self.direct_pairs();
        if all {
            return Reach::All;
        }
        let mut pairs = direct.clone();
        for via in PIVOTS {
            let Some(onward) = direct.get(&via) else {
                continue;
            };
            for (from, targets) in &direct {
                if *from == via || !targets.contains(&via) {
                    continue;
                }
                let reach = pairs.entry(*from).or_default();
                reach.extend(onward.iter().filter(|to| *to != from));
            }
        }
        Reach::Pairs(pairs)
    }

    fn engines(&self) -> Vec<EngineStatus> {
        self.inner
            .slots
            .iter()
            .map(|slot| {
                let notice = slot
                    .engine
                    .notice()
                    .or_else(|| slot.unreachable().map(|why| format!("unreachable: {why}")))
                    .or_else(|| {
                        slot.breaker.resting().map(|left| {
                            format!(
                                "resting after repeated failures; tried again in {}s",
                                left.as_secs().max(1)
                            )
                        })
                    });
                EngineStatus {
                    name: slot.engine.name(),
                    ok: notice.is_none(),
                    pairs: slot.engine.pairs(),
                    url: slot.engine.url(),
                    notice,
                }
            })
            .collect()
    }

    fn wants_context(&self) -> bool {
        self.inner.slots.iter().any(|s| s.engine.wants_context())
    }
}
