//! The translator contract: what every engine must do (pseudo and Apertium
//! here; Amazon Translate's mocked client has its own tests). Protected
//! spans survive, answers belong to their own question under concurrency,
//! the 10,000-byte maximum goes through, and a cache in front changes
//! nothing but the cost.

use std::num::NonZeroUsize;

use honyaku::model::Lang;
use honyaku::ports::Translator;
use honyaku::translate::PseudoTranslator;
use honyaku::translate::cache::Cached;

fn l(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

const PROTECTED: &[&str] = &[
    "https://example.com/x?y=1",
    "ana@example.com",
    "@bob",
    "`git push`",
    "42",
    "🚀",
];

async fn keeps_protected_spans(engine: &dyn Translator, from: Lang, to: Lang) {
    let text = "Open https://example.com/x?y=1 now, mail ana@example.com or ask @bob to run `git push` 42 times 🚀 please";
    let out = engine.translate(text, from, to).await.unwrap();
    for kept in PROTECTED {
        assert!(out.text.contains(kept), "{kept:?} lost in {:?}", out.text);
    }
    assert!(!out.engine.is_empty());
}

async fn answers_match_questions(engine: &dyn Translator, from: Lang, to: Lang) {
    let inputs: Vec<String> = (0..40)
        .map(|i| format!("Sentence number {i} is here."))
        .collect();
    let alone: Vec<String> = {
        let mut v = Vec::new();
        for s in &inputs {
            v.push(engine.translate(s, from, to).await.unwrap().text);
        }
        v
    };
    let together =
        futures_util::future::join_all(inputs.iter().map(|s| engine.translate(s, from, to))).await;
    for (a, b) in alone.iter().zip(together) {
        assert_eq!(a, &b.unwrap().text);
    }
    for (i, t) in alone.iter().enumerate() {
        assert!(t.contains(&i.to_string()), "{t}");
    }
}

async fn takes_the_longest_text(engine: &dyn Translator, from: Lang, to: Lang) {
    let text = "Good news travels fast. ".repeat(416);
    let text = text.trim();
    assert!(text.len() <= 10_000 && text.len() > 9_900);
    let out = engine.translate(text, from, to).await.unwrap();
    assert!(out.text.len() > text.len() / 2);
}

async fn contract(engine: &dyn Translator, from: Lang, to: Lang) {
    keeps_protected_spans(engine, from, to).await;
    answers_match_questions(engine, from, to).await;
    takes_the_longest_text(engine, from, to).await;
}

#[tokio::test]
async fn pseudo_meets_the_contract() {
    contract(&PseudoTranslator, l("en"), l("es")).await;
}

#[tokio::test]
async fn apertium_meets_the_contract() {
    let Some(engine) = crate::helpers::apertium::apertium() else {
        return;
    };
    contract(&engine, l("en"), l("es")).await;
    // Through a pivot too.
    contract(&engine, l("en"), l("pt")).await;
}

#[tokio::test]
async fn a_cache_in_front_meets_the_contract() {
    let cached = Cached::new(PseudoTranslator, NonZeroUsize::new(16).unwrap());
    contract(&cached, l("ja"), l("fr")).await;
}
