//! Engines end to end (issue 22): a room of ja, en, es and ca readers with
//! `apertium,libretranslate` (the LibreTranslate stand-in), each reading
//! the others in their own language with `engine` naming who translated;
//! the stand-in killed mid-chat (nothing lost, nothing late, untranslated
//! lines marked) and restarted (translation back without restarting
//! honyaku); `/status.json`'s engines; the start-up lines.

use std::process::Stdio;
use std::time::{Duration, Instant};

use honyaku::config::{ServeConfig, Translators};
use serde_json::{Value, json};

use crate::helpers::apertium::apertium;
use crate::helpers::binary::{Running, serve_command};
use crate::helpers::{Client, config, http_get, spawn};
use crate::standins::libretranslate::{LibreStandin, Script, default_languages};

fn with_engines(list: &str, standin: &LibreStandin) -> ServeConfig {
    let mut c = ServeConfig {
        translator: list.parse::<Translators>().unwrap(),
        ..config()
    };
    c.engines.libretranslate_url = standin.url();
    c
}

/// The next `message` frame's (text, engine, via).
async fn read(client: &mut Client) -> Value {
    client.recv_type("message").await
}

#[tokio::test]
async fn four_languages_each_read_the_others_through_the_right_engine() {
    if apertium().is_none() {
        return;
    }
    let names = ["Aki", "Ann", "Bea", "Cesc"];
    let standin = LibreStandin::start_with(Script {
        languages: default_languages(),
        forbidden: names.iter().map(|n| (*n).to_owned()).collect(),
        ..Script::default()
    })
    .await;
    let server = spawn(with_engines("apertium,libretranslate", &standin)).await;
    let mut ja = Client::join(&server, "e2e", "ja", "Aki").await;
    let mut en = Client::join(&server, "e2e", "en", "Ann").await;
    let mut es = Client::join(&server, "e2e", "es", "Bea").await;
    let mut ca = Client::join(&server, "e2e", "ca", "Cesc").await;

    // English: Apertium for es and ca, LibreTranslate for ja.
    en.send(json!({"action":"translate","text":"Hello Cesc, good morning."}))
        .await;
    en.recv_type("message").await;
    let m = read(&mut es).await;
    assert_eq!(m["engine"], "apertium", "{m}");
    assert!(m["text"].as_str().unwrap().contains("Cesc"), "{m}");
    assert_eq!(read(&mut ca).await["engine"], "apertium");
    let m = read(&mut ja).await;
    assert_eq!(m["engine"], "libretranslate", "{m}");
    assert_eq!(m["text"], "[lt:ja] Hello Cesc[lt:ja] , good morning.");

    // Japanese: LibreTranslate for en and es; ca through a pivot, the
    // second leg Apertium's.
    ja.send(json!({"action":"translate","text":"おはようございます、Bea さん"}))
        .await;
    ja.recv_type("message").await;
    let m = read(&mut en).await;
    assert_eq!(
        (m["engine"].as_str(), m["translated"].as_bool()),
        (Some("libretranslate"), Some(true)),
        "{m}"
    );
    assert!(m["text"].as_str().unwrap().starts_with("[lt:en] "), "{m}");
    assert_eq!(read(&mut es).await["engine"], "libretranslate");
    let m = read(&mut ca).await;
    assert_eq!(m["engine"], "libretranslate+apertium", "{m}");
    assert!(m["via"].is_string(), "{m}");
    assert!(m["text"].as_str().unwrap().contains("Bea"), "{m}");

    // Catalan: Apertium for es and en, ja through a pivot ending in
    // LibreTranslate.
    ca.send(json!({"action":"translate","text":"Bon dia a tothom."}))
        .await;
    ca.recv_type("message").await;
    assert_eq!(read(&mut es).await["engine"], "apertium");
    assert_eq!(read(&mut en).await["engine"], "apertium");
    let m = read(&mut ja).await;
    assert_eq!(m["engine"], "apertium+libretranslate", "{m}");
    assert!(m["text"].as_str().unwrap().starts_with("[lt:ja] "), "{m}");

    let script = standin.script();
    assert!(
        script.violations.is_empty(),
        "names reached the engine: {:?}",
        script.violations
    );
}

#[tokio::test]
async fn killing_libretranslate_loses_nothing_and_a_restart_brings_it_back() {
    let standin = LibreStandin::start().await;
    let (addr, script) = (standin.served.addr, standin.script.clone());
    // LibreTranslate is the one engine: nothing else can step in for it.
    let mut c = with_engines("libretranslate", &standin);
    c.engines.router.breaker.rest = Duration::from_millis(500);
    let timeout = c.engines.router.call_timeout;
    let server = spawn(c).await;
    let mut en = Client::join(&server, "k", "en", "Ann").await;
    let mut ja = Client::join(&server, "k", "ja", "Aki").await;

    en.send(json!({"action":"translate","text":"before"})).await;
    assert_eq!(read(&mut ja).await["text"], "[lt:ja] before");

    standin.served.stop().await;
    for i in 0..5 {
        let started = Instant::now();
        let text = format!("while down {i}");
        en.send(json!({"action":"translate","text":text})).await;
        let m = read(&mut ja).await;
        assert_eq!(m["text"], text, "delivered, untranslated: {m}");
        assert_eq!(m["translated"], false);
        assert_eq!(m["error"], "translation_unavailable");
        assert!(started.elapsed() < timeout, "took {:?}", started.elapsed());
    }
    // It keeps failing: it rests, and /status.json says so.
    let (_, _, body) = http_get(server.addr, "/status.json").await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let lt = &v["engines"][0];
    assert_eq!(
        (lt["name"].as_str(), lt["ok"].as_bool()),
        (Some("libretranslate"), Some(false)),
        "{v}"
    );
    assert!(lt["notice"].as_str().unwrap().contains("resting"), "{v}");

    // Back on the same port: translation comes back, honyaku untouched.
    let _standin = LibreStandin::restart(addr, script).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    en.send(json!({"action":"translate","text":"after"})).await;
    assert_eq!(read(&mut ja).await["text"], "[lt:ja] after");
    // The history has every message.
    let h = ja
        .request(json!({"action":"history","limit":50}), "history")
        .await;
    assert_eq!(h["messages"].as_array().unwrap().len(), 7, "{h}");
}

#[tokio::test]
async fn status_lists_the_engines() {
    let standin = LibreStandin::start().await;
    let server = spawn(with_engines("libretranslate,pseudo", &standin)).await;
    let (status, _, body) = http_get(server.addr, "/status.json").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["engine"], "libretranslate,pseudo");
    assert_eq!(v["languages"], "all", "pseudo reaches everything");
    assert_eq!(
        v["engines"],
        json!([
            // 7 codes listed, serving 9 of ours (es-MX; pt as pt-PT and pt).
            {"name": "libretranslate", "ok": true, "pairs": 68, "url": standin.url()},
            {"name": "pseudo", "ok": true, "pairs": null},
        ])
    );
}

// Multi-threaded: the stand-in answers the binary's start-up while this
// thread waits for its first line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_one_line_per_engine() {
    let standin = LibreStandin::start().await;
    let url = standin.url();
    let mut cmd = serve_command(&[
        "--translator",
        "libretranslate,deepl",
        "--libretranslate-url",
        &url,
    ]);
    cmd.env("DEEPL_AUTH_KEY", "wrong:fx")
        .env("DEEPL_API_URL", "http://127.0.0.1:9")
        .env("RUST_LOG", "error")
        .stderr(Stdio::piped());
    let mut server = Running::start(cmd);
    let (_, _, body) = http_get(server.addr, "/status.json").await;
    server.signal("-TERM");
    assert!(server.wait(Duration::from_secs(10)).await.success());
    let err = server.stderr();
    assert!(
        err.contains(&format!("engine libretranslate: ok, 68 pairs ({url})")),
        "{err}"
    );
    assert!(
        err.contains("engine deepl: NOT OK, 0 pairs (http://127.0.0.1:9): unreachable"),
        "{err}"
    );
    assert!(!err.contains("wrong:fx"), "the key is never printed");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["engines"][1]["ok"], false, "{v}");
}

/// The Lambda's engines, as `honyaku-lambda` builds them from its
/// environment: DeepL first (its key as the SSM parameter would give it),
/// LibreTranslate behind; DeepL's quota running out hands the pair to
/// LibreTranslate and the status says why.
#[cfg(feature = "aws")]
#[tokio::test]
async fn the_lambda_routes_deepl_then_libretranslate() {
    use honyaku::lambda::engines::LambdaEngines;
    use honyaku::ports::Translator;

    use crate::standins::deepl::{self, DeeplStandin};

    let lt = LibreStandin::start().await;
    let dl = DeeplStandin::start_with(deepl::Script {
        sources: vec!["EN", "JA"],
        targets: vec!["EN-US", "JA"],
        quota: 20,
        ..deepl::Script::default()
    })
    .await;
    let vars = [
        ("TRANSLATORS", "deepl,libretranslate".to_owned()),
        ("DEEPL_AUTH_KEY", deepl::KEY.to_owned()),
        ("DEEPL_API_URL", dl.url()),
        ("LIBRETRANSLATE_URL", lt.url()),
    ];
    let engines =
        LambdaEngines::from_vars(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let sdk = aws_config::SdkConfig::builder().build();
    let router = engines.router(&sdk).await.unwrap();
    let lang = |s: &str| honyaku::model::Lang::parse(s).unwrap();
    let (en, ja) = (lang("en"), lang("ja"));
    let first = router.translate("Good morning", en, ja).await.unwrap();
    assert_eq!(
        (first.engine.as_str(), first.text.as_str()),
        ("deepl", "[deepl:JA] Good morning")
    );
    let next = router
        .translate("A longer sentence now", en, ja)
        .await
        .unwrap();
    assert_eq!(next.engine, "libretranslate", "{next:?}");
    let status = router.engines();
    assert!(
        !status[0].ok && status[0].notice.as_deref().unwrap().contains("quota"),
        "{status:?}"
    );
    assert!(status[1].ok);
}

/// The real `honyaku-lambda` reads `TRANSLATORS` at init and refuses a
/// list it cannot serve, with a sentence, before polling for events.
#[cfg(feature = "aws")]
#[test]
fn the_lambda_binary_refuses_engines_it_cannot_run() {
    for (translators, says) in [
        ("apertium", "apertium does not run on Lambda"),
        ("deepl,aws", "DEEPL_AUTH_KEY_PARAMETER is not set"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_honyaku-lambda"))
            .env("TABLE_NAME", "t")
            .env("TRANSLATORS", translators)
            .env_remove("DEEPL_AUTH_KEY")
            .env_remove("DEEPL_AUTH_KEY_PARAMETER")
            .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{translators}: {err}");
    }
}
