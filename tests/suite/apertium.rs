//! The Apertium engine for real (Debian's packages, installed by
//! scripts/setup): direct pairs, pivots, unsupported pairs, detection,
//! protected spans, and concurrent use of one warm pipeline.

use crate::helpers::apertium::apertium;
use honyaku::model::Lang;
use honyaku::ports::{TranslateError, Translator};

fn l(s: &str) -> Lang {
    Lang::parse(s).unwrap()
}

#[tokio::test]
async fn english_to_spanish_and_back() {
    let Some(engine) = apertium() else { return };
    let es = engine.translate("Hello", l("en"), l("es")).await.unwrap();
    assert!(es.text.contains("Hola"), "{}", es.text);
    assert_eq!(es.engine, "apertium");
    assert_eq!(es.via, None);
    let en = engine
        .translate(
            "Buenos días, amigo. ¿Dónde está la biblioteca?",
            l("es"),
            l("en"),
        )
        .await
        .unwrap();
    assert!(
        en.text.contains("Good morning") || en.text.contains("Good day"),
        "{}",
        en.text
    );
    assert!(en.text.contains("library"), "{}", en.text);
    eprintln!("es→en: {}", en.text);
}

#[tokio::test]
async fn pivot_through_spanish() {
    let Some(engine) = apertium() else { return };
    let route = engine.route(l("en"), l("pt")).expect("en→pt through es");
    assert_eq!(route.via, Some(l("es")));
    let pt = engine
        .translate("The cat is on the table.", l("en"), l("pt"))
        .await
        .unwrap();
    assert_eq!(pt.via, Some(l("es")));
    assert!(
        pt.text.contains("gato") && pt.text.contains("mesa"),
        "{}",
        pt.text
    );
    eprintln!("en→pt: {}", pt.text);
}

#[tokio::test]
async fn unreachable_pairs_are_unsupported() {
    let Some(engine) = apertium() else { return };
    let err = engine
        .translate("Hello", l("en"), l("ja"))
        .await
        .unwrap_err();
    assert_eq!(err, TranslateError::unsupported(l("en"), l("ja")));
    assert_eq!(err.code(), Some("unsupported_language_pair"));
}

#[tokio::test]
async fn detects_spanish() {
    let Some(engine) = apertium() else { return };
    let lang = engine
        .detect("Mañana vamos a la playa con mis hermanos porque hace mucho calor.")
        .await;
    assert_eq!(lang, Some(l("es")));
    assert_eq!(engine.detect("ok").await, None);
}

#[tokio::test]
async fn protected_spans_pass_through() {
    let Some(engine) = apertium() else { return };
    let text = "Visit https://example.com/a/b?c=1 and write to ana@example.com, @bob_2: run `cargo test` at 10:30 🎉 thanks";
    let out = engine.translate(text, l("en"), l("es")).await.unwrap();
    for kept in [
        "https://example.com/a/b?c=1",
        "ana@example.com",
        "@bob_2",
        "`cargo test`",
        "10:30",
        "🎉",
    ] {
        assert!(out.text.contains(kept), "{kept:?} lost in {:?}", out.text);
    }
    eprintln!("masked: {}", out.text);
}

#[tokio::test]
async fn a_hundred_concurrent_sentences_keep_their_own_answers() {
    let Some(engine) = apertium() else { return };
    let nouns = [
        "cat", "dog", "house", "car", "book", "tree", "city", "friend", "table", "window",
    ];
    let sentences: Vec<String> = (0..100)
        .map(|i| {
            format!(
                "The {} is near the {} number {i}.",
                nouns[i % 10],
                nouns[(i / 10) % 10]
            )
        })
        .collect();
    let mut expected = Vec::new();
    for s in &sentences {
        expected.push(engine.translate(s, l("en"), l("es")).await.unwrap().text);
    }
    let got = futures_util::future::join_all(
        sentences
            .iter()
            .map(|s| engine.translate(s, l("en"), l("es"))),
    )
    .await;
    for ((s, want), got) in sentences.iter().zip(&expected).zip(got) {
        assert_eq!(&got.unwrap().text, want, "for {s:?}");
    }
    assert!(expected.iter().all(|t| !t.is_empty()));
}

#[tokio::test]
async fn long_text_is_chunked_and_rejoined() {
    let Some(engine) = apertium() else { return };
    let text = "The weather is nice today. ".repeat(370);
    assert!(text.len() > 9_000);
    let out = engine
        .translate(text.trim(), l("en"), l("es"))
        .await
        .unwrap();
    assert_eq!(out.text.matches("hoy").count(), 370, "{}", &out.text[..200]);
}

/// Through the server: real translations, a pivot marked with `via`, an
/// unsupported pair delivering the original, and `sourceLang: "auto"`.
#[tokio::test]
async fn a_room_chats_through_apertium() {
    if apertium().is_none() {
        return;
    }
    use crate::helpers::{Client, config, spawn};
    use serde_json::json;
    let server = spawn(honyaku::config::ServeConfig {
        translator: honyaku::config::TranslatorKind::Apertium.into(),
        ..config()
    })
    .await;
    let mut en = Client::join(&server, "ap", "en", "Ann").await;
    let mut es = Client::join(&server, "ap", "es", "Bea").await;
    let mut pt = Client::join(&server, "ap", "pt", "Caio").await;
    let mut ja = Client::join(&server, "ap", "ja", "Aki").await;

    en.send(json!({"action":"translate","text":"Hello, my friend.","clientMsgId":"a1"}))
        .await;
    let own = en.recv_type("message").await;
    assert_eq!(
        (own["translated"].as_bool(), own["clientMsgId"].as_str()),
        (Some(false), Some("a1"))
    );
    let m = es.recv_type("message").await;
    assert!(m["text"].as_str().unwrap().contains("Hola"), "{m}");
    assert_eq!(
        (m["engine"].as_str(), m["translated"].as_bool()),
        (Some("apertium"), Some(true))
    );
    assert!(m.get("via").is_none());
    let m = pt.recv_type("message").await;
    assert_eq!(m["via"], "es", "{m}");
    assert_eq!(m["engine"], "apertium");
    let m = ja.recv_type("message").await;
    assert_eq!(m["text"], "Hello, my friend.");
    assert_eq!(m["translated"], false);
    assert_eq!(m["error"], "unsupported_language_pair");

    // Spanish sent as `auto` from an English speaker is detected.
    en.send(json!({"action":"translate","text":"¿Dónde está la biblioteca? Necesito un libro para mañana.","sourceLang":"auto"})).await;
    let own = en.recv_type("message").await;
    assert_eq!(own["sourceLang"], "es", "{own}");
    assert!(own["text"].as_str().unwrap().contains("library"), "{own}");
    let m = es.recv_type("message").await;
    assert_eq!(
        (m["sourceLang"].as_str(), m["translated"].as_bool()),
        (Some("es"), Some(false))
    );
    server.stop().await;
}

/// A SIGTERM stops the warm pipelines on purpose: `honyaku serve
/// --translator apertium` logs no WARN for them (a pipeline that crashes
/// while serving still warns).
#[tokio::test]
async fn a_sigterm_stops_the_pipelines_without_a_warning() {
    use crate::helpers::Client;
    use crate::helpers::binary::{Running, serve_command};
    use serde_json::json;
    use std::time::Duration;

    if apertium().is_none() {
        return;
    }
    let mut cmd = serve_command(&["--translator", "apertium"]);
    cmd.env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped());
    let mut server = Running::start(cmd);
    let mut readers = Vec::new();
    for lang in ["es", "pt", "ca", "it"] {
        readers.push(Client::connect(&server.ws(&format!("room=ap&lang={lang}"))).await);
    }
    let mut sender = Client::connect(&server.ws("room=ap&lang=en")).await;
    sender
        .send(json!({"action":"translate","text":"Good morning, friends"}))
        .await;
    for r in &mut readers {
        let m = r.recv_type("message").await;
        assert_eq!(m["engine"], "apertium", "{m}");
    }
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(15)).await.success());
    let log = server.stderr();
    assert!(log.contains("apertium pipeline started"), "{log}");
    assert!(!log.contains("WARN"), "{log}");
}
