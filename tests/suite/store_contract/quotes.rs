//! v1.2: a delete removes a message's text from the store — from the
//! quotes of the replies already sent too (each keeps `{id, from,
//! deleted}`), however far after it they are; replies to other messages
//! keep theirs. Proven on a dump of every row. An edit's replies quote
//! the new text, in its language only.

use std::collections::BTreeMap;
use std::sync::Arc;

use honyaku::model::{Author, Lang, Message, Quote, Translation};
use honyaku::ports::Store;

use super::{Dump, lang, msg, now_ms, room};

const SECRET: &str = "secret-alpaca-42";

fn quote_of(m: &Message, texts: &[(&str, String)]) -> Quote {
    Quote {
        id: m.id.clone(),
        from: Author {
            name: m.from_name.clone(),
            tag: None,
        },
        source_lang: m.source_lang,
        texts: texts
            .iter()
            .map(|(l, t)| (lang(l), t.clone()))
            .collect::<BTreeMap<Lang, String>>(),
        deleted: false,
    }
}

fn reply(id: &str, ts: i64, to: &Quote) -> Message {
    let mut m = msg("qd", ts, id, "b", None);
    m.reply_to = Some(to.clone());
    m
}

async fn holding(dump: &Dump, text: &str) -> Vec<String> {
    dump()
        .await
        .into_iter()
        .filter(|r| r.contains(text))
        .collect()
}

pub async fn a_deleted_text_leaves_every_quote(store: Arc<dyn Store>, dump: Dump) {
    let now = now_ms();
    let r = room("qd");
    let mut quoted = msg("qd", now, "Q1", "a", None);
    quoted.text = format!("lunch? {SECRET}");
    quoted.translations.insert(
        lang("es"),
        Translation {
            text: format!("¿comemos? {SECRET}"),
            engine: "pseudo".into(),
            via: None,
        },
    );
    store.put_message(&quoted, "conn:a").await.unwrap();
    let other = msg("qd", now + 1, "O1", "c", None);
    store.put_message(&other, "conn:c").await.unwrap();
    let q = quote_of(
        &quoted,
        &[
            ("ja", format!("lunch? {SECRET}")),
            ("es", format!("¿comemos? {SECRET}")),
        ],
    );
    let to_other = quote_of(&other, &[("ja", "text O1".into())]);
    let first = reply("R1", now + 2, &q);
    let elsewhere = reply("R2", now + 3, &to_other);
    for m in [&first, &elsewhere] {
        store.put_message(m, "conn:b").await.unwrap();
    }
    // More than a 1 MB page of messages between (DynamoDB's Query pages),
    // then another reply.
    for i in 0..110 {
        let mut filler = msg("qd", now + 10 + i, &format!("F{i:03}"), "c", None);
        filler.text = "x".repeat(10_000);
        store.put_message(&filler, "conn:c").await.unwrap();
    }
    let late = reply("R3", now + 200, &q);
    store.put_message(&late, "conn:b").await.unwrap();
    assert_eq!(holding(&dump, SECRET).await.len(), 4, "message, es, R1, R3");

    assert!(
        store
            .delete_message(&r, &quoted.key(), now + 300)
            .await
            .unwrap()
    );
    assert_eq!(
        holding(&dump, SECRET).await,
        Vec::<String>::new(),
        "no row keeps the deleted text"
    );
    for m in [&first, &late] {
        let got = store.get_message(&r, &m.key()).await.unwrap().unwrap();
        let quote = got.reply_to.expect("the reply keeps its quote");
        assert!(quote.deleted && quote.texts.is_empty(), "{}", m.id);
        assert_eq!((quote.id.as_str(), &quote.from), (q.id.as_str(), &q.from));
        assert_eq!(got.text, m.text, "the reply itself is untouched");
    }
    let kept = store.get_message(&r, &elsewhere.key()).await.unwrap();
    assert_eq!(kept.unwrap().reply_to, Some(to_other), "other quotes stay");
    // A second delete changes nothing and says so.
    assert!(!store.delete_message(&r, &quoted.key(), 1).await.unwrap());
    let got = store.get_message(&r, &first.key()).await.unwrap().unwrap();
    assert!(got.reply_to.unwrap().deleted);
}

pub async fn an_edit_refreshes_every_quote(store: Arc<dyn Store>, dump: Dump) {
    let now = now_ms();
    let r = room("qd");
    let mut quoted = msg("qd", now, "E1", "a", None);
    quoted.text = "meet at old-wording-7".into();
    store.put_message(&quoted, "conn:a").await.unwrap();
    let q = quote_of(
        &quoted,
        &[
            ("ja", "meet at old-wording-7".into()),
            ("es", "[es] meet at old-wording-7".into()),
        ],
    );
    let first = reply("S1", now + 1, &q);
    store.put_message(&first, "conn:b").await.unwrap();
    let es = Translation {
        text: "[es] meet at noon".into(),
        engine: "pseudo".into(),
        via: None,
    };
    let fresh = BTreeMap::from([(lang("es"), es)]);
    assert!(
        store
            .edit_message(&r, &quoted.key(), "meet at noon", now + 5, &fresh)
            .await
            .unwrap()
    );
    assert_eq!(holding(&dump, "old-wording-7").await, Vec::<String>::new());
    let got = store.get_message(&r, &first.key()).await.unwrap().unwrap();
    let quote = got.reply_to.unwrap();
    assert!(!quote.deleted);
    assert_eq!(
        quote.texts,
        BTreeMap::from([(lang("ja"), "meet at noon".to_owned())]),
        "the edit, in its language; translations are read anew"
    );
}
