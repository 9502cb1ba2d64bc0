//! Script mode end to end: the real `honyaku-chat` binary against the real
//! server on port 0.

mod common;

use std::time::Duration;

use common::{Chat, chat, config, run, serve, serve_on};
use serde_json::Value;

fn is(ty: &'static str) -> impl Fn(&Value) -> bool {
    move |v| v["type"] == ty
}

/// Two clients reading stdin, one in English and one in Spanish: each one's
/// message reaches the other translated, and the sender gets its echo.
#[tokio::test]
async fn stdin_lines_round_trip_between_two_languages() {
    let server = serve(config()).await;
    let url = server.url();
    let args = |lang: &'static str, name: &'static str| {
        vec![
            "--url", &url, "--json", "--room", "rt", "--lang", lang, "--name", name,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let start = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        chat(&refs)
    };
    let mut en = start(args("en", "Al"));
    en.stderr_until("connected").await;
    let mut es = start(args("es", "Bea"));
    es.stderr_until("connected").await;

    en.write_line("good morning").await;
    let echo = en.json_where(is("message")).await;
    assert_eq!(echo["text"], "good morning");
    assert!(echo["clientMsgId"].is_string(), "{echo}");
    let got = es.json_where(is("message")).await;
    assert_eq!(got["text"], "[es] good morning");
    assert_eq!(got["original"], "good morning");
    assert_eq!(got["from"]["name"], "Al");
    assert!(got.get("clientMsgId").is_none(), "{got}");

    es.write_line("hola").await;
    let got = en.json_where(is("message")).await;
    assert_eq!(got["text"], "[en] hola");
    assert_eq!(got["sourceLang"], "es");
    assert_eq!(got["from"]["name"], "Bea");

    let en = en.finish().await;
    let es = es.finish().await;
    assert_eq!(en.code(), Some(0), "{:?}", en.stderr);
    assert_eq!(es.code(), Some(0), "{:?}", es.stderr);
}

/// `--send` waits for its own echo; `--listen --json --count N` prints
/// exactly N frames, each one JSON line, and exits 0.
#[tokio::test]
async fn send_and_listen_with_count() {
    let server = serve(config()).await;
    let url = server.url();
    let mut listener = chat(&[
        "--url", &url, "--listen", "--json", "--count", "3", "--room", "c", "--lang", "es",
    ]);
    listener.stderr_until("connected").await;

    let sent = run(&[
        "--url", &url, "--room", "c", "--lang", "en", "--name", "Al", "--json", "--send", "one",
    ])
    .await;
    assert_eq!(sent.code(), Some(0), "{:?}", sent.stderr);
    assert_eq!(sent.stdout.len(), 1, "{:?}", sent.stdout);
    let echo: Value = serde_json::from_str(&sent.stdout[0]).unwrap();
    assert_eq!(echo["text"], "one");
    assert_eq!(echo["lang"], "en");

    // Three more messages; the listener stops after its third frame.
    let mut more = chat(&["--url", &url, "--room", "c", "--lang", "en", "--name", "Al"]);
    for line in ["two", "three", "four"] {
        more.write_line(line).await;
    }
    let more = more.finish().await;
    assert_eq!(more.code(), Some(0), "{:?}", more.stderr);

    let done = listener.finish().await;
    assert_eq!(done.code(), Some(0), "{:?}", done.stderr);
    let frames: Vec<Value> = done
        .stdout
        .iter()
        .map(|l| serde_json::from_str(l).expect("one JSON frame per line"))
        .collect();
    let kinds: Vec<&str> = frames.iter().map(|f| f["type"].as_str().unwrap()).collect();
    let texts: Vec<&str> = frames.iter().filter_map(|f| f["text"].as_str()).collect();
    assert_eq!(frames.len(), 3, "{:?}", done.stdout);
    assert!(
        kinds.iter().all(|k| *k == "presence" || *k == "message"),
        "{kinds:?}"
    );
    assert_eq!(texts.first(), Some(&"[es] one"), "{kinds:?}");
}

#[tokio::test]
async fn refused_handshakes_and_bad_flags_exit_nonzero() {
    let server = serve(config()).await;

    // A bad parameter in the URL's query gets past the flag checks.
    let bad_lang = format!("{}?lang=xx", server.url());
    let out = run(&["--url", &bad_lang, "--send", "hi"]).await;
    assert_eq!(out.code(), Some(4), "{out:?}");
    let err = out.stderr_text();
    assert!(err.contains("HTTP 400") && err.contains("--lang"), "{err}");

    let wrong_stage = format!("ws://{}/nope", server.addr);
    let out = run(&["--url", &wrong_stage, "--listen"]).await;
    assert_eq!(out.code(), Some(4), "{out:?}");
    assert!(out.stderr_text().contains("HTTP 404"), "{out:?}");

    // Nothing listens on a port just given up.
    let free = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("ws://{}/local", free.local_addr().unwrap());
    drop(free);
    let out = run(&["--url", &closed, "--send", "hi"]).await;
    assert_eq!(out.code(), Some(3), "{out:?}");
    assert!(out.stderr_text().contains("connection refused"), "{out:?}");

    // wss:// to a plain server: the TLS stack is there, and fails cleanly.
    let tls = format!("wss://{}/local", server.addr);
    let out = run(&["--url", &tls, "--send", "hi"]).await;
    assert_eq!(out.code(), Some(3), "{out:?}");
    assert!(out.stderr_text().contains("TLS"), "{out:?}");

    let out = run(&["--url", "http://127.0.0.1:1/local", "--send", "hi"]).await;
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr_text().contains("ws://"), "{out:?}");

    let out = run(&["--url", &server.url(), "--lang", "klingon", "--send", "hi"]).await;
    assert_eq!(out.code(), Some(2), "{out:?}");
    assert!(out.stderr_text().contains("invalid --lang"), "{out:?}");
}

/// A client that moved rooms survives a server restart on the same port:
/// it reconnects by itself, in the room it moved to.
#[tokio::test]
async fn reconnects_and_rejoins_after_a_restart() {
    let server = serve(config()).await;
    let addr = server.addr;
    let url = server.url();
    let mut c = chat(&[
        "--url", &url, "--json", "--room", "before", "--lang", "es", "--name", "Cy",
    ]);
    c.stderr_until("connected").await;
    c.write_line("/join after").await;
    let joined = c.json_where(is("joined")).await;
    assert_eq!(joined["room"], "after");

    server.stop().await;
    c.stderr_until("connection lost").await;
    let server = serve_on(addr, config()).await;
    c.stderr_until("reconnected").await;

    let out = run(&[
        "--url",
        &url,
        "--room",
        "after",
        "--name",
        "Al",
        "--send",
        "still there?",
    ])
    .await;
    assert_eq!(out.code(), Some(0), "{out:?}");
    let got = c.json_where(is("message")).await;
    assert_eq!(got["room"], "after");
    assert_eq!(got["text"], "[es] still there?");

    let done = c.finish().await;
    assert_eq!(done.code(), Some(0), "{:?}", done.stderr);
    server.stop().await;
}

/// Pings under the idle timeout keep a quiet connection open.
#[tokio::test]
async fn keepalive_beats_the_idle_timeout() {
    let server = serve(honyaku::config::ServeConfig {
        idle_timeout: Duration::from_secs(1),
        ..config()
    })
    .await;
    let url = server.url();
    let mut listener: Chat = chat(&[
        "--url",
        &url,
        "--listen",
        "--json",
        "--count",
        "1",
        "--room",
        "k",
        "--keepalive",
        "200ms",
    ]);
    listener.stderr_until("connected").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;

    // Still the first connection: it sees the sender arrive, and it never
    // had to reconnect.
    let out = run(&["--url", &url, "--room", "k", "--send", "awake"]).await;
    assert_eq!(out.code(), Some(0), "{out:?}");
    let done = listener.finish().await;
    assert_eq!(done.code(), Some(0), "{:?}", done.stderr);
    assert!(
        !done.stderr_text().contains("connection lost"),
        "{:?}",
        done.stderr
    );
    let frame: Value = serde_json::from_str(&done.stdout[0]).unwrap();
    assert_eq!(frame["type"], "presence");
}
