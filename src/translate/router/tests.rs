//! The router's choices: first engine per pair, fallback, pivot across
//! engines, timeouts and the breaker (paused time where it waits).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use super::*;

fn l(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

/// A fake engine over fixed pairs: `[name:to] text`, or failing, or slow.
struct Fake {
    name: &'static str,
    pairs: Vec<(&'static str, &'static str)>,
    failing: AtomicBool,
    slow: Option<Duration>,
    calls: AtomicUsize,
}

impl Fake {
    fn new(name: &'static str, pairs: &[(&'static str, &'static str)]) -> Arc<Self> {
        Arc::new(Self {
            name,
            pairs: pairs.to_vec(),
            failing: AtomicBool::new(false),
            slow: None,
            calls: AtomicUsize::new(0),
        })
    }

    fn slow(name: &'static str, pairs: &[(&'static str, &'static str)], d: Duration) -> Arc<Self> {
        Arc::new(Self {
            slow: Some(d),
            ..Arc::into_inner(Self::new(name, pairs)).unwrap()
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Translator for Fake {
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
        _hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(d) = self.slow {
            tokio::time::sleep(d).await;
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(TranslateError::Unavailable("down".into()));
        }
        if !self.pairs.contains(&(from.as_str(), to.as_str())) {
            return Err(TranslateError::unsupported(from, to));
        }
        Ok(Translation {
            text: format!("[{}:{}] {text}", self.name, to.as_str()),
            engine: self.name.into(),
            via: None,
        })
    }

    async fn detect(&self, _text: &str) -> Option<Lang> {
        None
    }

    fn reach(&self) -> Reach {
        let mut pairs: BTreeMap<Lang, BTreeSet<Lang>> = BTreeMap::new();
        for (f, t) in &self.pairs {
            pairs.entry(l(f)).or_default().insert(l(t));
        }
        Reach::Pairs(pairs)
    }
}

impl Engine for Fake {
    fn name(&self) -> &'static str {
        self.name
    }
}

fn config() -> RouterConfig {
    RouterConfig {
        call_timeout: Duration::from_secs(2),
        budget: Duration::from_secs(5),
        breaker: BreakerConfig {
            failures: 3,
            rest: Duration::from_secs(30),
        },
    }
}

fn router(engines: &[Arc<Fake>]) -> Router {
    Router::new(
        engines
            .iter()
            .map(|e| e.clone() as Arc<dyn Engine>)
            .collect(),
        config(),
    )
}

#[tokio::test]
async fn first_engine_that_has_the_pair_wins() {
    let apertium = Fake::new("apertium", &[("en", "es"), ("es", "ca")]);
    let libre = Fake::new(
        "libretranslate",
        &[("en", "es"), ("ja", "en"), ("ja", "es")],
    );
    let r = router(&[apertium.clone(), libre.clone()]);
    let t = r.translate("hi", l("en"), l("es")).await.unwrap();
    assert_eq!(
        (t.text.as_str(), t.engine.as_str()),
        ("[apertium:es] hi", "apertium")
    );
    let t = r.translate("hi", l("ja"), l("en")).await.unwrap();
    assert_eq!(t.engine, "libretranslate");
    assert_eq!(apertium.calls(), 1, "never asked for a pair it lacks");
}

#[tokio::test]
async fn pivots_across_engines() {
    let apertium = Fake::new("apertium", &[("es", "ca")]);
    let libre = Fake::new("libretranslate", &[("ja", "es"), ("ja", "en")]);
    let r = router(&[apertium, libre]);
    let t = r.translate("konnichiwa", l("ja"), l("ca")).await.unwrap();
    assert_eq!(t.text, "[apertium:ca] [libretranslate:es] konnichiwa");
    assert_eq!(t.engine, "libretranslate+apertium");
    assert_eq!(t.via, Some(l("es")));
    let Reach::Pairs(p) = r.reach() else { panic!() };
    assert!(p[&l("ja")].contains(&l("ca")), "the pivot is in the reach");
    let err = r.translate("x", l("ca"), l("ja")).await.unwrap_err();
    assert_eq!(err.code(), Some("unsupported_language_pair"));
}

#[tokio::test]
async fn a_failing_engine_is_skipped_for_the_next() {
    let libre = Fake::new("libretranslate", &[("ja", "en")]);
    let deepl = Fake::new("deepl", &[("ja", "en")]);
    libre.failing.store(true, Ordering::SeqCst);
    let r = router(&[libre.clone(), deepl]);
    let t = r.translate("x", l("ja"), l("en")).await.unwrap();
    assert_eq!(t.engine, "deepl");
    assert!(r.engines().iter().all(|e| e.ok), "one failure is no rest");
}

#[tokio::test(start_paused = true)]
async fn a_slow_engine_times_out_and_the_next_answers() {
    let slow = Fake::slow("libretranslate", &[("ja", "en")], Duration::from_secs(60));
    let fast = Fake::new("deepl", &[("ja", "en")]);
    let r = router(&[slow, fast]);
    let start = tokio::time::Instant::now();
    let t = r.translate("x", l("ja"), l("en")).await.unwrap();
    assert_eq!(t.engine, "deepl");
    assert_eq!(start.elapsed(), Duration::from_secs(2), "one call timeout");
}

#[tokio::test(start_paused = true)]
async fn the_budget_bounds_the_whole_translation() {
    let engines: Vec<_> = ["a", "b", "c", "d"]
        .into_iter()
        .map(|n| Fake::slow(n, &[("ja", "en")], Duration::from_secs(60)))
        .collect();
    let r = router(&engines);
    let start = tokio::time::Instant::now();
    let err = r.translate("x", l("ja"), l("en")).await.unwrap_err();
    assert_eq!(err.code(), Some("translation_unavailable"));
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn an_engine_that_keeps_failing_rests_then_comes_back() {
    let libre = Fake::new("libretranslate", &[("ja", "en")]);
    libre.failing.store(true, Ordering::SeqCst);
    let r = router(std::slice::from_ref(&libre));
    for _ in 0..3 {
        let err = r.translate("x", l("ja"), l("en")).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"));
    }
    assert_eq!(libre.calls(), 3);
    let err = r.translate("x", l("ja"), l("en")).await.unwrap_err();
    assert!(err.to_string().contains("resting"), "{err}");
    assert_eq!(libre.calls(), 3, "a resting engine is not called");
    let status = &r.engines()[0];
    assert!(!status.ok && status.notice.as_deref().unwrap().contains("resting"));

    libre.failing.store(false, Ordering::SeqCst);
    tokio::time::advance(Duration::from_secs(31)).await;
    let t = r.translate("x", l("ja"), l("en")).await.unwrap();
    assert_eq!(t.engine, "libretranslate");
    assert!(r.engines()[0].ok);
}

#[tokio::test]
async fn none_alone_switches_translation_off() {
    let r = Router::new(vec![Arc::new(crate::translate::NoTranslator)], config());
    assert_eq!(
        r.translate("x", l("ja"), l("en")).await.unwrap_err(),
        TranslateError::Disabled
    );
}

/// Answers nothing at all, like an Apertium pipeline missing a tool.
struct Mute;

#[async_trait]
impl Translator for Mute {
    async fn translate(&self, _: &str, _: Lang, _: Lang) -> Result<Translation, TranslateError> {
        Ok(Translation {
            text: String::new(),
            engine: "mute".into(),
            via: None,
        })
    }
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        _: &Hints,
    ) -> Result<Translation, TranslateError> {
        self.translate(text, from, to).await
    }
    async fn detect(&self, _: &str) -> Option<Lang> {
        None
    }
    fn reach(&self) -> Reach {
        Reach::All
    }
}

impl Engine for Mute {
    fn name(&self) -> &'static str {
        "mute"
    }
}

#[tokio::test]
async fn an_empty_answer_to_words_is_a_failure() {
    let next = Fake::new("libretranslate", &[("ja", "en")]);
    let r = Router::new(vec![Arc::new(Mute), next], config());
    let t = r.translate("words", l("ja"), l("en")).await.unwrap();
    assert_eq!(t.engine, "libretranslate");
    // Nothing to translate may come back empty.
    let r = Router::new(vec![Arc::new(Mute)], config());
    assert_eq!(r.translate("👍", l("ja"), l("en")).await.unwrap().text, "");
}
