//! Interactive mode through a pseudo-terminal: the real binary, its line
//! editor and its slash commands, against the real server on port 0. The
//! output is played into a terminal emulator, so the tests check what a
//! person would see: lines wiped and rewritten in place included.

#[path = "interactive/amend.rs"]
mod amend;
mod common;

use common::term::Term;
use common::ws::Peer;
use common::{Url, chat, config, config_home, run, serve, serve_on};
use honyaku::config::TranslatorKind;
use serde_json::{Value, json};

/// Runs a blocking step of the terminal session off the runtime, which
/// keeps serving in the meantime.
async fn step<F, T>(term: Term, f: F) -> (Term, T)
where
    F: FnOnce(&mut Term) -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut term = term;
        let out = f(&mut term);
        (term, out)
    })
    .await
    .expect("terminal step failed")
}

fn start(args: &[&str]) -> Term {
    Term::start(&config_home(), args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_lang_and_messages_both_ways() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&[
        "--url", &url, "--room", "pty", "--lang", "ja", "--name", "Aki",
    ]);

    let (term, ()) = step(term, |t| {
        t.wait_for("you are Aki (ja) in pty ");
        t.send_line("/join pty2");
        t.wait_for("you are Aki (ja) in pty2");
        t.send_line("/lang es");
        t.wait_for("you are Aki (es) in pty2");
    })
    .await;

    // A message in, translated into the language just chosen.
    let out = run(&[
        "--url",
        &url,
        "--room",
        "pty2",
        "--lang",
        "en",
        "--name",
        "Ben",
        "--send",
        "good morning",
    ])
    .await;
    assert_eq!(out.code(), Some(0), "{out:?}");
    let (term, ()) = step(term, |t| t.wait_for("Ben: [es] good morning")).await;

    // A message out, read by someone in English.
    let mut reader = chat(&[
        "--url", &url, "--listen", "--json", "--room", "pty2", "--lang", "en", "--name", "Cat",
    ]);
    reader.stderr_until("connected").await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Cat (en) joined pty2");
        t.send_line("hola");
        t.wait_for("Aki (you): hola");
        // Shown once, as the confirmed message: the typed line is gone.
        assert_eq!(t.lines_with("hola").len(), 1, "{}", t.text());
        // Commands stay where they were typed.
        assert_eq!(t.lines_with("> /join pty2").len(), 1, "{}", t.text());
    })
    .await;
    let got = reader.json_where(|v: &Value| v["type"] == "message").await;
    assert_eq!(got["text"], "[en] hola");
    assert_eq!(got["original"], "hola");
    assert_eq!(got["from"]["name"], "Aki");

    let (term, ()) = step(term, |t| {
        t.send_line("/original");
        t.wait_for("originals are shown");
        t.send_line("/members");
        t.wait_for("in pty2 · 2 here: ");
        t.wait_for("Aki (es, you)");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// A server that cannot translate the language: one line at start says so
/// in plain words (from its /status.json); a server that translates it
/// says nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_that_does_not_translate_is_said_at_start() {
    let mut nothing = config();
    nothing.translator = TranslatorKind::None.into();
    let server = serve(nothing).await;
    let term = start(&[
        "--url",
        &server.url(),
        "--room",
        "nt",
        "--lang",
        "ja",
        "--name",
        "Aki",
    ]);
    let (term, ()) = step(term, |t| {
        t.wait_for("you are Aki (ja) in nt");
        t.wait_for("* this server translates nothing right now: everyone reads messages as they were written");
        assert_eq!(t.lines_with("translat").len(), 1, "{}", t.text());
        // Said again after /lang, once.
        t.send_line("/lang es");
        t.wait_for("you are Aki (es) in nt");
        assert_eq!(t.lines_with("translates nothing").len(), 2, "{}", t.text());
    })
    .await;
    assert_eq!(quit(term).await, 0);

    let translates = serve(config()).await;
    let term = start(&["--url", &translates.url(), "--room", "nt", "--lang", "ja"]);
    let (term, ()) = step(term, |t| {
        t.wait_for("(ja) in nt");
        assert_eq!(t.lines_with("translat").len(), 0, "{}", t.text());
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

async fn quit(term: Term) -> i32 {
    tokio::task::spawn_blocking(move || term.quit())
        .await
        .unwrap()
}

/// The server goes away: one status line says so and is rewritten on each
/// retry (not a new line per retry); a line typed meanwhile is queued, and
/// sent once the connection is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_is_one_line_and_typed_lines_are_queued() {
    let server = serve(config()).await;
    let addr = server.addr;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "off", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in off")).await;

    server.stop().await;
    let (term, ()) = step(term, |t| {
        t.wait_for("connection lost (the server went away");
        // Retries: the first in under 0.5 s, then about 1 s, 2 s, ...
        t.wait_raw("still offline", 2);
        let screen = t.text();
        assert!(
            screen.contains("still offline (connection refused"),
            "{screen}"
        );
        let offline = t.lines_with("still offline").len() + t.lines_with("connection lost").len();
        assert_eq!(offline, 1, "{screen}");
        t.send_line("are you there");
        t.wait_for("\"are you there\" is queued");
    })
    .await;

    let server = serve_on(addr, config()).await;
    let (term, ()) = step(term, |t| {
        t.wait_for("reconnected after");
        t.wait_for("Aki (you): are you there");
        assert_eq!(
            t.lines_with("Aki (you): are you there").len(),
            1,
            "{}",
            t.text()
        );
        let screen = t.text();
        for jargon in ["handshake", "os error", "Connection reset"] {
            assert!(!screen.contains(jargon), "{jargon}: {screen}");
        }
    })
    .await;
    assert_eq!(quit(term).await, 0);
    server.stop().await;
}

/// Issue 25 item 8: with a line queued while offline, what others wrote
/// meanwhile still shows after the reconnect (before the fix, the queued
/// line's echo came before the catch-up's history, which then dropped
/// everything older than that echo).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_lines_show_after_a_reconnect_with_a_queued_line() {
    let server = serve(config()).await;
    let addr = server.addr;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "rq", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in rq")).await;

    server.stop().await;
    let (term, ()) = step(term, |t| {
        t.wait_for("connection lost");
        t.send_line("queued while away");
        t.wait_for("\"queued while away\" is queued");
        // Until the next retry is far enough off for Ben to write first.
        t.wait_until("a retry over 1.5 s away", |screen| {
            screen
                .rsplit("retrying in ")
                .next()
                .and_then(|rest| rest.split('s').next())
                .and_then(|secs| secs.parse::<f32>().ok())
                .is_some_and(|secs| secs >= 1.5)
        });
    })
    .await;

    let server = serve_on(addr, config()).await;
    let mut ben = Peer::connect(&url, "room=rq&name=Ben&lang=en").await;
    for text in ["one while you were away", "two while you were away"] {
        ben.send(json!({"action": "translate", "text": text})).await;
        ben.recv_where(|v| v["type"] == "message" && v["text"] == text)
            .await;
    }
    let (term, ()) = step(term, |t| {
        t.wait_for("reconnected after");
        t.wait_for("Aki (you): queued while away");
        t.wait_for("Ben: one while you were away");
        t.wait_for("Ben: two while you were away");
        let screen = t.text();
        let at = |needle: &str| screen.find(needle).unwrap();
        assert!(
            at("Ben: two while you were away") < at("Aki (you): queued while away"),
            "what was missed shows before what was sent again:\n{screen}"
        );
    })
    .await;
    assert_eq!(quit(term).await, 0);
    server.stop().await;
}

/// Issue 25 item 9: a name and text written right to left are isolated
/// (FSI…PDI), so they cannot reorder the English line around them; plain
/// left-to-right names carry nothing extra.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn right_to_left_names_and_text_are_isolated() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "bidi", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in bidi")).await;
    let mut layla = Peer::connect(&url, "room=bidi&name=%D9%84%D9%8A%D9%84%D9%89&lang=ar").await;
    layla
        .send(json!({"action": "translate", "text": "مرحبا Aki"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("[en] مرحبا Aki");
        let raw = String::from_utf8_lossy(&t.raw).into_owned();
        assert!(raw.contains("\u{2068}ليلى\u{2069} (ar) joined"), "{raw:?}");
        assert!(
            raw.contains("\u{2068}ليلى\u{2069}: \u{2068}[en] مرحبا Aki\u{2069}"),
            "{raw:?}"
        );
        assert!(!raw.contains("\u{2068}Aki"), "{raw:?}");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// Issue 25 item 13: offline, the status line names the key that retries
/// now, and Enter on an empty line reconnects without waiting out the
/// backoff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_retries_now_while_offline() {
    let server = serve(config()).await;
    let addr = server.addr;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "rn", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in rn")).await;
    server.stop().await;
    let (term, ()) = step(term, |t| {
        t.wait_for("(Enter: now)");
        // Attempt 4 waits 2 s or more, reached within about 3.5 s.
        t.wait_until("a retry 2 s away or more", |screen| {
            screen
                .rsplit("retrying in ")
                .next()
                .and_then(|rest| rest.split('s').next())
                .and_then(|secs| secs.parse::<f32>().ok())
                .is_some_and(|secs| secs >= 2.0)
        });
    })
    .await;
    let server = serve_on(addr, config()).await;
    let (term, ()) = step(term, |t| {
        let pressed = std::time::Instant::now();
        t.send_line("");
        t.wait_for("reconnected after");
        let took = pressed.elapsed();
        assert!(
            took < std::time::Duration::from_millis(1500),
            "reconnected {took:?} after Enter, not at once:\n{}",
            t.text()
        );
    })
    .await;
    assert_eq!(quit(term).await, 0);
    server.stop().await;
}

/// Issue 25 item 13: a message wider than the terminal breaks between
/// words, its rest indented, not wherever the edge falls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lines_break_between_words() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "wrap", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in wrap")).await;
    let words: Vec<String> = (10..60).map(|i| format!("word{i}")).collect();
    let mut ben = Peer::connect(&url, "room=wrap&name=Ben&lang=en").await;
    ben.send(json!({"action": "translate", "text": words.join(" ")}))
        .await;
    let (term, ()) = step(term, move |t| {
        t.wait_for("word59");
        let rows = t.lines_with("word");
        assert!(rows.len() >= 4, "{}", t.text());
        for row in &rows {
            let tokens = row
                .split_whitespace()
                .skip_while(|w| !w.starts_with("word"));
            for token in tokens {
                assert!(
                    words.contains(&token.to_owned()),
                    "{token:?} cut: {}",
                    t.text()
                );
            }
        }
        assert!(
            rows[1..].iter().all(|r| r.starts_with("      word")),
            "{rows:?}"
        );
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// Issue 25 item 13: a message that names me stands out (`»` first; bold
/// in colour); one that only contains a longer name does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_stand_out() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "at", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in at")).await;
    let mut ben = Peer::connect(&url, "room=at&name=Ben&lang=en").await;
    for text in ["Akira is someone else", "over to you @aki"] {
        ben.send(json!({"action": "translate", "text": text})).await;
    }
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben: over to you @aki");
        let named = t.lines_with("over to you @aki");
        assert!(named[0].starts_with("» "), "{named:?}");
        let other = t.lines_with("Akira is someone else");
        assert!(!other[0].starts_with("» "), "{other:?}");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// Your identity outlives the process: after a restart, the history shows
/// your earlier messages as yours; a namesake on another machine (another
/// config directory) does not pass for you.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn your_messages_stay_yours_after_a_restart() {
    let server = serve(config()).await;
    let url = server.url();
    let home = config_home();
    let args = ["--url", &url, "--room", "me", "--name", "Aki"].map(str::to_owned);
    let term = Term::start(&home, &args.each_ref().map(String::as_str));
    let (term, ()) = step(term, |t| {
        t.wait_for("you are Aki (en) in me");
        t.send_line("written before the restart");
        t.wait_for("Aki (you): written before the restart");
    })
    .await;
    assert_eq!(quit(term).await, 0);

    let again = Term::start(&home, &args.each_ref().map(String::as_str));
    let (again, ()) = step(again, |t| {
        t.wait_for("history of me, 1 message:");
        t.wait_for("Aki (you): written before the restart");
    })
    .await;
    assert_eq!(quit(again).await, 0);

    let namesake = Term::start(&config_home(), &args.each_ref().map(String::as_str));
    let (namesake, ()) = step(namesake, |t| {
        t.wait_for("history of me, 1 message:");
        t.wait_for("Aki: written before the restart");
        assert!(!t.text().contains("(you): written"), "{}", t.text());
    })
    .await;
    assert_eq!(quit(namesake).await, 0);
}

/// "Ben is typing…" shows while Ben types and goes when his message comes;
/// your own typing reaches the others; a rename shows as one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_renames_show() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "ty", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in ty")).await;

    let mut ben = Peer::connect(&url, "room=ty&name=Ben&lang=es").await;
    ben.send(json!({"action": "typing"})).await;
    let (term, ()) = step(term, |t| t.wait_for("Ben is typing…")).await;
    ben.send(json!({"action": "translate", "text": "hola"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben: [en] hola");
        t.wait_gone("is typing");
        t.send("a message in the ma");
    })
    .await;
    let typing = ben.recv_where(|v| v["type"] == "typing").await;
    assert_eq!(typing["name"], "Aki");
    let (term, ()) = step(term, |t| {
        t.send_line("king");
        t.wait_for("Aki (you): a message in the making");
    })
    .await;

    ben.send(json!({"action": "join", "name": "Benji"})).await;
    let (term, ()) = step(term, |t| t.wait_for("Ben is now Benji (es)")).await;
    ben.send(json!({"action": "join", "lang": "fr"})).await;
    let (term, ()) = step(term, |t| t.wait_for("Benji now reads and writes fr")).await;
    assert_eq!(quit(term).await, 0);
}
