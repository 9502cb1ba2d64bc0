//! The translator contract: what every engine must do (pseudo, Apertium,
//! LibreTranslate and DeepL against their stand-ins, the router; Amazon
//! Translate's mocked client has its own tests). Protected spans and
//! member names survive, empty input is no error, answers belong to their
//! own question under concurrency, the 10,000-byte maximum goes through,
//! a cache in front changes nothing but the cost, and each HTTP engine
//! maps its API's errors to the protocol's codes.

use std::num::NonZeroUsize;

use honyaku::model::Lang;
use honyaku::ports::{Hints, Translator};
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

async fn keeps_member_names(engine: &dyn Translator, from: Lang, to: Lang) {
    let hints = Hints {
        keep: vec!["Tomas".into(), "Ana Lu".into()],
        context: vec![],
    };
    let out = engine
        .translate_with(
            "Great work while Tomas types and Ana Lu waits",
            from,
            to,
            &hints,
        )
        .await
        .unwrap();
    assert!(
        out.text.contains("Tomas") && out.text.contains("Ana Lu"),
        "{:?}",
        out.text
    );
}

async fn empty_input_is_no_error(engine: &dyn Translator, from: Lang, to: Lang) {
    for text in ["", "   ", "👍", "42"] {
        let out = engine.translate(text, from, to).await.unwrap();
        assert!(
            out.text.len() <= text.len() + 8,
            "{text:?} → {:?}",
            out.text
        );
    }
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
    keeps_member_names(engine, from, to).await;
    empty_input_is_no_error(engine, from, to).await;
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

mod http_engines {
    use std::time::Duration;

    use honyaku::translate::engine::Engine;
    use honyaku::translate::libretranslate::LibreTranslate;

    use super::*;
    use crate::standins::libretranslate::{LibreStandin, Script, default_languages};

    /// What the contract sends that must never reach an engine.
    fn forbidden() -> Vec<String> {
        let mut words: Vec<String> = PROTECTED.iter().map(|s| (*s).to_owned()).collect();
        words.extend(["Tomas".to_owned(), "Ana Lu".to_owned()]);
        words
    }

    async fn libretranslate(standin: &LibreStandin, key: Option<&str>) -> LibreTranslate {
        let engine = LibreTranslate::new(&standin.url(), key.map(str::to_owned)).unwrap();
        engine.refresh().await.unwrap();
        engine
    }

    #[tokio::test]
    async fn libretranslate_meets_the_contract() {
        let standin = LibreStandin::start_with(Script {
            languages: default_languages(),
            api_key: Some("k-123".into()),
            forbidden: forbidden(),
            ..Script::default()
        })
        .await;
        let engine = libretranslate(&standin, Some("k-123")).await;
        contract(&engine, l("en"), l("ja")).await;
        // Our codes become theirs: zh-TW is `zt`.
        let t = engine
            .translate("Good morning", l("en"), l("zh-TW"))
            .await
            .unwrap();
        assert_eq!(t.text, "[lt:zt] Good morning");
        assert_eq!(t.engine, "libretranslate");
        let script = standin.script();
        assert!(script.violations.is_empty(), "{:?}", script.violations);
        assert!(script.received.iter().any(|t| t == "Great work while"));
        assert!(!script.received.iter().any(String::is_empty));
    }

    /// The router in front (LibreTranslate, then Apertium when installed)
    /// meets the same contract, directly and through a cross-engine pivot.
    #[tokio::test]
    async fn the_router_meets_the_contract() {
        use honyaku::config::EngineConfig;
        use honyaku::translate::router::Router;
        let standin = LibreStandin::start_with(Script {
            languages: default_languages(),
            forbidden: forbidden(),
            ..Script::default()
        })
        .await;
        let mut engines: Vec<std::sync::Arc<dyn Engine>> =
            vec![std::sync::Arc::new(libretranslate(&standin, None).await)];
        let apertium = crate::helpers::apertium::apertium();
        let has_apertium = apertium.is_some();
        if let Some(a) = apertium {
            engines.push(std::sync::Arc::new(a));
        }
        let router = Router::new(engines, EngineConfig::default().router);
        contract(&router, l("en"), l("ja")).await;
        if has_apertium {
            // ja→ca: LibreTranslate to English, Apertium on.
            contract(&router, l("ja"), l("ca")).await;
        }
        assert!(standin.script().violations.is_empty());
    }

    #[tokio::test]
    async fn libretranslate_errors_are_mapped() {
        let standin = LibreStandin::start_with(Script {
            languages: default_languages(),
            api_key: Some("right".into()),
            ..Script::default()
        })
        .await;
        let (en, ja) = (l("en"), l("ja"));

        // A pair it does not list: ours, before any call.
        let wrong_pair = libretranslate(&standin, Some("right")).await;
        let err = wrong_pair.translate("hi", en, l("ca")).await.unwrap_err();
        assert_eq!(err.code(), Some("unsupported_language_pair"));

        // 403: a wrong key, said in the engine's notice.
        let wrong_key = libretranslate(&standin, Some("wrong")).await;
        let err = wrong_key.translate("hi", en, ja).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"));
        assert!(wrong_key.notice().unwrap().contains("403"));

        let engine = libretranslate(&standin, Some("right")).await;
        // 500: the server failed.
        standin.script().failing = 1;
        let err = engine.translate("hi", en, ja).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"));

        // 429: backs off without calling again meanwhile.
        standin.script().rate_limited = 1;
        let err = engine.translate("hi", en, ja).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"));
        let calls = standin.script().calls;
        let err = engine.translate("hi", en, ja).await.unwrap_err();
        assert!(err.to_string().contains("backing off"), "{err}");
        assert_eq!(standin.script().calls, calls);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(
            engine.translate("hi", en, ja).await.unwrap().text,
            "[lt:ja] hi"
        );

        // 400: a pair it listed before and no longer has.
        standin.script().languages.retain(|(code, _)| *code != "en");
        let err = engine.translate("hi", en, ja).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_failed"));

        // Unreachable.
        let url = standin.url();
        standin.served.stop().await;
        let err = engine.translate("hi again", l("ja"), en).await.unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"), "{err} ({url})");
    }

    #[tokio::test]
    async fn libretranslate_detects_when_unsure_locally() {
        let standin = LibreStandin::start().await;
        let engine = libretranslate(&standin, None).await;
        // Too short for whatlang; the server's /detect is sure.
        assert_eq!(engine.detect("はい").await, Some(l("ja")));
        // The server is not sure either: no guess.
        assert_eq!(engine.detect("ok").await, None);
    }
}

mod deepl {
    use honyaku::ports::Hints;
    use honyaku::translate::deepl::Deepl;
    use honyaku::translate::engine::Engine;

    use super::*;
    use crate::standins::deepl::{DeeplStandin, KEY, Script};

    async fn deepl(standin: &DeeplStandin, key: &str) -> Deepl {
        let engine = Deepl::new(Some(key), Some(&standin.url())).unwrap();
        engine.refresh().await.unwrap();
        engine
    }

    #[tokio::test]
    async fn deepl_meets_the_contract() {
        let standin = DeeplStandin::start().await;
        standin.script().forbidden = http_forbidden();
        let engine = deepl(&standin, KEY).await;
        contract(&engine, l("en"), l("ja")).await;
        // Variants: our en is EN-US, pt is PT-BR, zh-TW is ZH-HANT.
        for (to, code) in [
            ("en", "EN-US"),
            ("pt", "PT-BR"),
            ("pt-PT", "PT-PT"),
            ("zh-TW", "ZH-HANT"),
        ] {
            let t = engine.translate("Hallo", l("de"), l(to)).await.unwrap();
            assert_eq!(t.text, format!("[deepl:{code}] Hallo"));
        }
        let script = standin.script();
        assert!(script.violations.is_empty(), "{:?}", script.violations);
    }

    #[tokio::test]
    async fn deepl_sends_the_previous_messages_as_context() {
        let standin = DeeplStandin::start().await;
        let engine = deepl(&standin, KEY).await;
        let hints = Hints {
            keep: vec![],
            context: vec!["Where is the bank?".into(), "By the river.".into()],
        };
        engine
            .translate_with("Let's meet there", l("en"), l("de"), &hints)
            .await
            .unwrap();
        assert_eq!(
            standin.script().contexts,
            ["Where is the bank?\nBy the river."]
        );
        assert!(engine.wants_context());
    }

    #[tokio::test]
    async fn deepl_errors_are_mapped() {
        let standin = DeeplStandin::start_with(Script {
            sources: vec!["EN", "JA"],
            targets: vec!["EN-US", "JA"],
            quota: 12,
            ..Script::default()
        })
        .await;
        let (en, ja) = (l("en"), l("ja"));
        // 403 on the languages endpoint already: the refresh says so.
        let wrong = Deepl::new(Some("nope"), Some(&standin.url())).unwrap();
        let why = wrong.refresh().await.unwrap_err();
        assert!(why.contains("refused"), "{why}");
        assert!(wrong.notice().unwrap().contains("403"));

        let engine = deepl(&standin, KEY).await;
        let err = engine.translate("hi", en, l("de")).await.unwrap_err();
        assert_eq!(err.code(), Some("unsupported_language_pair"));
        engine.translate("Hello there", en, ja).await.unwrap();
        // 456: the quota is used up; calls stop and the status says so.
        let err = engine
            .translate("More words now", en, ja)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("translation_unavailable"));
        assert!(engine.notice().unwrap().contains("quota"));
        let calls = standin.script().calls;
        let err = engine.translate("And more", en, ja).await.unwrap_err();
        assert!(err.to_string().contains("quota"), "{err}");
        assert_eq!(
            standin.script().calls,
            calls,
            "no call while the quota is out"
        );
    }

    fn http_forbidden() -> Vec<String> {
        let mut words: Vec<String> = PROTECTED.iter().map(|s| (*s).to_owned()).collect();
        words.extend(["Tomas".to_owned(), "Ana Lu".to_owned()]);
        words
    }
}
