//! Script mode end to end: the real `honyaku-chat` binary against the real
//! server on port 0.

mod common;

use std::time::Duration;

use common::ws::Peer;
use common::{Chat, Url, chat, config, config_home, run, run_at, serve, serve_on};
use serde_json::{Value, json};

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
/// every frame, each one JSON line, and exits 0 after N chat messages:
/// join and leave notices are printed but not counted.
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

    // Three more messages; the listener stops after the third in all.
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
    assert_eq!(texts, ["[es] one", "[es] two", "[es] three"], "{kinds:?}");
    assert!(kinds.contains(&"presence"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"message"), "{kinds:?}");
}

/// Lines from a script go out pipelined (not one echo at a time) and still
/// arrive in the order they were written.
#[tokio::test]
async fn piped_lines_arrive_in_order() {
    let server = serve(config()).await;
    let url = server.url();
    let mut listener = chat(&[
        "--url", &url, "--listen", "--json", "--count", "30", "--room", "p",
    ]);
    listener.stderr_until("connected").await;
    let mut writer = chat(&["--url", &url, "--room", "p", "--name", "Al"]);
    for i in 0..30 {
        writer.write_line(&format!("line {i}")).await;
    }
    let writer = writer.finish().await;
    assert_eq!(writer.code(), Some(0), "{:?}", writer.stderr);
    assert_eq!(writer.stdout.len(), 30, "{:?}", writer.stdout);
    assert!(
        writer.stdout[0].ends_with("Al (you): line 0"),
        "{:?}",
        writer.stdout
    );
    let done = listener.finish().await;
    let texts: Vec<String> = done
        .stdout
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|f| f["type"] == "message")
        .map(|f| f["text"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = (0..30).map(|i| format!("line {i}")).collect();
    assert_eq!(texts, want);
}

/// Over the server's rate, lines are not lost: the client slows down,
/// says so once, and sends the refused ones again, in order. (A stand-in
/// server: the real one's window is a calendar minute.)
#[tokio::test]
async fn a_script_over_the_rate_slows_down_instead_of_losing_lines() {
    let server = common::fake::rate_limited(5, Duration::from_millis(600)).await;
    let url = format!("ws://{}/local", server.addr);
    let mut writer = chat(&["--url", &url, "--room", "r", "--name", "Al"]);
    for i in 0..12 {
        writer.write_line(&format!("line {i}")).await;
    }
    writer.stderr_until("slowing down").await;
    let writer = writer.finish().await;
    assert_eq!(writer.code(), Some(0), "{:?}", writer.stderr);
    let want: Vec<String> = (0..12).map(|i| format!("line {i}")).collect();
    assert_eq!(*server.accepted.lock().unwrap(), want);
    let notes = writer.stderr_text().matches("slowing down").count();
    assert_eq!(notes, 1, "{:?}", writer.stderr);
}

/// The `client` secret is made once under $XDG_CONFIG_HOME (mode 0600) and
/// sent on every connect, so `from.tag` is the same after a restart;
/// `--no-identity` sends none and keeps none.
#[tokio::test]
async fn identity_survives_restarts_and_can_be_declined() {
    use std::os::unix::fs::PermissionsExt;

    let server = serve(config()).await;
    let url = server.url();
    let home = config_home();
    let send = |home: std::path::PathBuf, extra: &'static str| {
        let url = url.clone();
        async move {
            let mut args = vec!["--url", &url, "--room", "id", "--json", "--send", "hi"];
            if !extra.is_empty() {
                args.push(extra);
            }
            let out = run_at(&home, &args).await;
            assert_eq!(out.code(), Some(0), "{out:?}");
            serde_json::from_str::<Value>(&out.stdout[0]).unwrap()
        }
    };
    let first = send(home.clone(), "").await;
    let tag = first["from"]["tag"].as_str().expect("a tag").to_owned();
    assert_eq!(tag.len(), 12, "{first}");
    let again = send(home.clone(), "").await;
    assert_eq!(again["from"]["tag"], tag.as_str());

    let file = home.join("honyaku").join("client-id");
    let secret = std::fs::read_to_string(&file).unwrap();
    assert_eq!(secret.trim().len(), 32);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let someone_else = send(config_home(), "").await;
    assert_ne!(someone_else["from"]["tag"], tag.as_str());
    let bare_home = config_home();
    let anonymous = send(bare_home.clone(), "--no-identity").await;
    assert!(anonymous["from"].get("tag").is_none(), "{anonymous}");
    assert!(!bare_home.join("honyaku").exists());
}

/// With --json, `typing` frames are printed as they come (a rendered
/// script shows none of them).
#[tokio::test]
async fn listen_json_prints_typing() {
    let server = serve(config()).await;
    let url = server.url();
    let mut listener = chat(&[
        "--url", &url, "--listen", "--json", "--count", "1", "--room", "ty",
    ]);
    listener.stderr_until("connected").await;
    let mut ben = Peer::connect(&url, "room=ty&name=Ben").await;
    ben.send(json!({"action": "typing"})).await;
    ben.send(json!({"action": "translate", "text": "hi"})).await;
    let done = listener.finish().await;
    assert_eq!(done.code(), Some(0), "{:?}", done.stderr);
    let kinds: Vec<String> = done
        .stdout
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(kinds, ["presence", "typing", "message"]);
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
    let lost = c.stderr_until("connection lost").await;
    assert!(lost.contains("the server went away"), "{lost}");
    // Typed while offline: queued, said so, and sent once back.
    c.write_line("back soon").await;
    c.stderr_until("\"back soon\" is queued").await;
    let server = serve_on(addr, config()).await;
    c.stderr_until("reconnected").await;
    let echo = c.json_where(is("message")).await;
    assert_eq!(echo["text"], "back soon");
    assert_eq!(echo["room"], "after");

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

/// v1.2 in a script: `--json` passes every frame through (`edited`,
/// `glossary`, `deleted`), and the script exits once each request is
/// answered; a refused one makes the exit code say so.
#[tokio::test]
async fn json_scripts_see_edits_glossaries_and_deletes() {
    let server = serve(config()).await;
    let url = server.url();
    let mut al = chat(&["--url", &url, "--json", "--room", "v12", "--name", "Al"]);
    al.stderr_until("connected").await;
    al.write_line("frist").await;
    let echo = al.json_where(is("message")).await;
    al.write_line("/edit first").await;
    let edited = al.json_where(is("edited")).await;
    assert_eq!(edited["id"], echo["id"]);
    assert_eq!(edited["text"], "first");
    assert!(edited["clientMsgId"].is_string(), "{edited}");
    al.write_line("/glossary add honyaku").await;
    let saved = al
        .json_where(|v| is("glossary")(v) && v["version"] == 1)
        .await;
    assert_eq!(saved["terms"], serde_json::json!([{"term": "honyaku"}]));
    al.write_line("/delete").await;
    let deleted = al.json_where(is("deleted")).await;
    assert_eq!(deleted["id"], echo["id"]);
    let id = echo["id"].as_str().unwrap().to_owned();
    al.write_line(&format!("/correct {id} nothing to correct"))
        .await;
    let refused = al.json_where(is("error")).await;
    assert_eq!(refused["code"], "not_found");
    let al = al.finish().await;
    assert_eq!(al.code(), Some(5), "{:?}", al.stderr);
}
