//! Protocol v1.2's commands in a pseudo-terminal against the real server:
//! messages named by their number (`#N`), `/edit`, `/delete`, `/correct`,
//! `/glossary`, `/export`, and the frames they bring, as a person sees them.

use serde_json::{Value, json};

use super::common::ws::Peer;
use super::common::{Url, config, serve};
use super::{quit, start, step};

/// `/edit` (your last message, or `#N`) and `/delete` reach the others;
/// the changes show in place of numbers, and mistakes are sentences.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_and_delete_by_number() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "ed", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in ed")).await;
    let mut ben = Peer::connect(&url, "room=ed&name=Ben&lang=es").await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben (es) joined");
        t.send_line("helo world");
        t.wait_for("#1 Aki (you): helo world");
        t.send_line("/edit hello world");
        t.wait_for("#1 Aki (you): hello world (edited)");
    })
    .await;
    let edited = ben.recv_where(|v| v["type"] == "edited").await;
    assert_eq!(edited["text"], "[es] hello world");

    ben.send(json!({"action": "translate", "text": "hola"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("#2 Ben: [en] hola");
        t.send_line("/edit #2 not mine");
        t.wait_for("! /edit: only the person who sent a message may edit it");
        t.send_line("/delete #9");
        t.wait_for("! usage: there is no message #9");
        t.send_line("/delete");
        t.wait_for("* #1 message deleted (Aki: \"hello world\")");
        t.send_line("/delete");
        t.wait_for("you have no message in this room to delete yet");
        t.send_line("/edit");
        t.wait_for("/edit needs the new text");
        t.send_line("/help");
        t.wait_for("/export FILE          save the conversation");
    })
    .await;
    let deleted = ben.recv_where(|v| v["type"] == "deleted").await;
    assert_eq!(deleted["id"], edited["id"]);

    // The history shows the deleted message in its place.
    let (term, ()) = step(term, |t| {
        t.send_line("/history");
        t.wait_for("history of ed, 2 messages:");
        t.wait_for("#1 Aki: message deleted");
        let screen = t.text();
        assert!(!screen.contains("panicked"), "{screen}");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// `/correct #N`: every reader of that language sees the better
/// translation and who gave it; the sender's own language has nothing to
/// correct, and an unknown id is said in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn correct_a_translation() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "co", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in co")).await;
    let mut ben = Peer::connect(&url, "room=co&name=Ben&lang=es").await;
    let mut cat = Peer::connect(&url, "room=co&name=Cat&lang=en").await;
    ben.send(json!({"action": "translate", "text": "Gran trabajo equipo"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("#1 Ben: [en] Gran trabajo equipo");
        t.send_line("/correct #1 Great work, team");
        t.wait_for("#1 Ben: Great work, team (corrected by Aki)");
        t.send_line("mine");
        t.wait_for("#2 Aki (you): mine");
        t.send_line("/correct #2 not needed");
        t.wait_for("! /correct: you read this message in the language it was written in");
        t.send_line("/correct 01JD5X6Q3V8K9M2N4P7R0S1T2W nothing");
        t.wait_for("! /correct: there is no such message in this room to correct");
    })
    .await;
    let corrected = cat.recv_where(|v| v["type"] == "corrected").await;
    assert_eq!(corrected["text"], "Great work, team");
    assert_eq!(corrected["by"]["name"], "Aki");
    assert_eq!(quit(term).await, 0);
}

/// `/glossary` lists, `add` and `remove` read the list and save it changed
/// (`glossary_set` with its version), everyone hears of the change, and a
/// term added by someone else shows what changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn glossary_list_add_remove() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "gl", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in gl")).await;
    let mut ben = Peer::connect(&url, "room=gl&name=Ben&lang=ja").await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben (ja) joined");
        t.send_line("/glossary");
        t.wait_for("the glossary of gl is empty");
        t.send_line("/glossary add honyaku");
        t.wait_for("Aki changed the glossary: added honyaku (kept as written) (version 1)");
        t.send_line("/glossary add deploy ja=デプロイ");
        t.wait_for("added deploy → デプロイ in ja (version 2)");
        t.send_line("/glossary add honyaku");
        t.wait_for("\"honyaku\" is already in the glossary");
        t.send_line("/glossary remove nope");
        t.wait_for("\"nope\" is not in the glossary");
        t.send_line("/glossary add deploy xx=y");
        t.wait_for("! usage:");
    })
    .await;
    let saved = ben
        .recv_where(|v| v["type"] == "glossary" && v["version"] == 2)
        .await;
    assert_eq!(
        saved["terms"],
        json!([{"term": "honyaku"}, {"term": "deploy", "lang": "ja", "as": "デプロイ"}])
    );
    ben.send(json!({"action": "glossary_set", "version": 2, "terms": [{"term": "deploy", "lang": "ja", "as": "デプロイ"}]}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben changed the glossary: removed honyaku (kept as written) (version 3)");
        t.send_line("/glossary remove deploy");
        t.wait_for("Aki changed the glossary: removed deploy → デプロイ in ja (version 4)");
        t.send_line("/glossary");
        t.wait_for("the glossary of gl is empty");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}

/// `/export` writes the whole room (several history pages, with progress)
/// in the reader's language with the originals, as Markdown or JSON; a
/// bad file name is refused before anything is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_a_long_room() {
    let mut cfg = config();
    cfg.policy.messages_per_minute = 1_000;
    let server = serve(cfg).await;
    let url = server.url();
    let mut ben = Peer::connect(&url, "room=ex&name=Ben&lang=es").await;
    const N: usize = 230;
    for i in 0..N {
        ben.send(json!({"action": "translate", "text": format!("mensaje {i}")}))
            .await;
    }
    ben.recv_where(|v| v["type"] == "message" && v["text"] == format!("mensaje {}", N - 1))
        .await;
    let dir = std::env::temp_dir().join(format!("hc-export-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let md = dir.join("ex.md");
    let js = dir.join("ex.json");
    let term = start(&["--url", &url, "--room", "ex", "--name", "Aki"]);
    let (md, js) = (md.display().to_string(), js.display().to_string());
    let (term, ()) = step(term, {
        let (md, js) = (md.clone(), js.clone());
        move |t| {
            t.wait_for("you are Aki (en) in ex");
            t.send_line(&format!("/export {md}"));
            t.wait_for(&format!("exported {N} messages of ex to {md}"));
            assert!(t.raw_count("messages so far") >= 2, "{}", t.text());
            t.send_line(&format!("/export {js}"));
            t.wait_for(&format!("exported {N} messages of ex to {js}"));
            t.send_line("/export notes.txt");
            t.wait_for("must end in .md (Markdown) or .json (JSON)");
        }
    })
    .await;
    let text = std::fs::read_to_string(&md).unwrap();
    let first = text
        .find("\\[en\\] mensaje 0\n> *es:* mensaje 0\n")
        .unwrap_or_else(|| panic!("{}", &text[..600]));
    let last = text.find(&format!("\\[en\\] mensaje {}", N - 1)).unwrap();
    assert!(first < last, "oldest first");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    assert_eq!(doc["count"], N);
    assert_eq!(doc["messages"][0]["original"], "mensaje 0");
    assert_eq!(
        doc["messages"][N - 1]["text"],
        format!("[en] mensaje {}", N - 1)
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(quit(term).await, 0);
}

/// Someone else saves the glossary between the read and the save: the
/// server says `conflict`; the client reads the list again, shows it and
/// says the change was not saved (against a stand-in server: the real one
/// leaves no room between the two frames to be beaten in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_glossary_conflict_is_said_and_the_list_read_again() {
    let server = super::common::fake::glossary_conflict().await;
    let url = format!("ws://{}/local", server.addr);
    let term = start(&["--url", &url, "--name", "Al"]);
    let (term, ()) = step(term, |t| {
        t.wait_for("you are Al (en) in r");
        t.send_line("/glossary add c");
        t.wait_for("! /glossary: someone else changed the glossary just before you");
        t.wait_for("glossary of r (version 2, saved by Ben), 2 terms:");
    })
    .await;
    assert_eq!(quit(term).await, 0);
    let sent = server.received.lock().unwrap().clone();
    let set = sent
        .iter()
        .find(|f| f["action"] == "glossary_set")
        .expect("a glossary_set");
    assert_eq!(set["version"], 1);
    assert_eq!(set["terms"], json!([{"term": "a"}, {"term": "c"}]));
    let reads = sent.iter().filter(|f| f["action"] == "glossary").count();
    assert_eq!(reads, 2, "{sent:?}");
}

/// `/reply #N` quotes the line above the answer, in each reader's
/// language; `/react #N EMOJI` toggles, and reactions show as short
/// lines and, in history, as counts after the message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_and_react() {
    let server = serve(config()).await;
    let url = server.url();
    let term = start(&["--url", &url, "--room", "so", "--name", "Aki"]);
    let (term, ()) = step(term, |t| t.wait_for("you are Aki (en) in so")).await;
    let mut ben = Peer::connect(&url, "room=so&name=Ben&lang=es").await;
    ben.send(json!({"action": "translate", "text": "hola a todos"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("#1 Ben: [en] hola a todos");
        t.send_line("/reply #1 hello everyone");
        t.wait_for("┌ #1 Ben: \"[en] hola a todos\"");
        t.wait_for("#2 Aki (you): hello everyone");
        let screen = t.text();
        let at = |needle: &str| screen.find(needle).unwrap();
        assert!(
            at("┌ #1 Ben") < at("#2 Aki (you): hello everyone"),
            "{screen}"
        );
    })
    .await;
    let reply = ben
        .recv_where(|v| v["type"] == "message" && v["from"]["name"] == "Aki")
        .await;
    assert_eq!(reply["text"], "[es] hello everyone");
    assert_eq!(reply["replyTo"]["text"], "hola a todos");
    assert_eq!(reply["replyTo"]["from"]["name"], "Ben");

    let (term, ()) = step(term, |t| {
        t.send_line("/react #1 👍");
        t.wait_for("Aki reacted 👍 to #1 (Ben: \"[en] hola a todos\") · 👍 1");
        t.send_line("/react #1 👍");
        t.wait_for("Aki took back 👍 from #1 (Ben: \"[en] hola a todos\") · 👍 0");
        t.send_line("/react #1 ok");
        t.wait_for("/react takes one emoji");
    })
    .await;
    let on = ben.recv_where(|v| v["type"] == "reaction").await;
    assert_eq!(
        (on["emoji"].as_str(), on["on"].as_bool()),
        (Some("👍"), Some(true))
    );
    ben.send(json!({"action": "react", "id": reply["id"], "emoji": "🎉"}))
        .await;
    let (term, ()) = step(term, |t| {
        t.wait_for("Ben reacted 🎉 to #2 (Aki: \"hello everyone\") · 🎉 1");
        t.send_line("/history");
        t.wait_for("history of so, 2 messages:");
        t.wait_for("#2 Aki (you): hello everyone 🎉 1");
    })
    .await;
    assert_eq!(quit(term).await, 0);
}
