//! Interactive mode through a pseudo-terminal: the real binary, its line
//! editor and its slash commands, against the real server on port 0.

mod common;

use common::{BIN, chat, config, run, serve};
use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::PtySession;
use serde_json::Value;

/// Runs a blocking step of the terminal session off the runtime, which
/// keeps serving in the meantime.
async fn step<F>(term: PtySession, f: F) -> PtySession
where
    F: FnOnce(&mut PtySession) + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut term = term;
        f(&mut term);
        term
    })
    .await
    .expect("terminal step failed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_lang_and_messages_both_ways() {
    let server = serve(config()).await;
    let url = server.url();

    let mut cmd = std::process::Command::new(BIN);
    cmd.args([
        "--url", &url, "--room", "pty", "--lang", "ja", "--name", "Aki",
    ])
    .env("NO_COLOR", "1")
    .env("TERM", "xterm")
    .env_remove("HONYAKU_URL");
    let options = Options::new()
        .timeout_ms(Some(common::WAIT.as_millis() as u64))
        .strip_ansi_escape_codes(true);
    let term = tokio::task::spawn_blocking(move || {
        rexpect::spawn_with_options(cmd, options).expect("spawn in a pty")
    })
    .await
    .unwrap();

    let term = step(term, |t| {
        t.exp_string("you are Aki (ja) in pty ").unwrap();
        t.send_line("/join pty2").unwrap();
        t.exp_string("you are Aki (ja) in pty2").unwrap();
        t.send_line("/lang es").unwrap();
        t.exp_string("you are Aki (es) in pty2").unwrap();
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
    let term = step(term, |t| {
        t.exp_string("Ben: [es] good morning").unwrap();
    })
    .await;

    // A message out, read by someone in English.
    let mut reader = chat(&[
        "--url", &url, "--listen", "--json", "--room", "pty2", "--lang", "en", "--name", "Cat",
    ]);
    reader.stderr_until("connected").await;
    let term = step(term, |t| {
        t.exp_string("Cat (en) joined pty2").unwrap();
        t.send_line("hola").unwrap();
        t.exp_string("Aki: hola").unwrap();
    })
    .await;
    let got = reader.json_where(|v: &Value| v["type"] == "message").await;
    assert_eq!(got["text"], "[en] hola");
    assert_eq!(got["original"], "hola");
    assert_eq!(got["from"]["name"], "Aki");

    step(term, |t| {
        t.send_line("/original").unwrap();
        t.exp_string("originals are shown").unwrap();
        t.send_line("/quit").unwrap();
        t.exp_eof().unwrap();
        let status = t.process().wait().unwrap();
        assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
    })
    .await;
}
