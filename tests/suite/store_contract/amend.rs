//! v1.2: edits (latest text, `edited_at`, translations replaced),
//! deletes (a tombstone; text and translations gone), corrections and the
//! room's memory of them (bounded, oldest first), the versioned glossary
//! (conditional, at its maximum within one item).

use std::collections::BTreeMap;
use std::sync::Arc;

use honyaku::limits::{GLOSSARY_MAX_TERMS, GLOSSARY_TERM_MAX_CHARS, ROOM_MEMORY_MAX};
use honyaku::model::{
    Author, Glossary, GlossaryTerm, MemoryEntry, Message, Translation, UserName,
    check_glossary_terms, source_hash,
};
use honyaku::ports::{HistoryQuery, Store};

use super::{lang, msg, now_ms, room};

fn t(text: &str) -> Translation {
    Translation {
        text: text.into(),
        engine: "pseudo".into(),
        via: None,
    }
}

fn by(name: &str) -> Author {
    Author {
        name: UserName::parse(name).unwrap(),
        tag: None,
    }
}

async fn page(store: &Arc<dyn Store>, r: &str, l: &str) -> Vec<Message> {
    let q = HistoryQuery {
        before: None,
        limit: 10,
        lang: lang(l),
        since_ms: 0,
    };
    store.messages_before(&room(r), &q).await.unwrap().messages
}

/// A message from `a` in `r` with Spanish and Japanese translations.
async fn stored(store: &Arc<dyn Store>, r: &str, id: &str) -> Message {
    let mut m = msg(r, now_ms(), id, "a", None);
    m.translations.insert(lang("es"), t("[es] text"));
    m.translations.insert(lang("ja"), t("[ja] text"));
    store.put_message(&m, "conn:a").await.unwrap();
    m
}

fn entry(source: &str, l: &str, text: &str, at: i64) -> MemoryEntry {
    MemoryEntry {
        source: source_hash(lang("ja"), source),
        lang: lang(l),
        text: text.into(),
        by: by("Bea"),
        at,
    }
}

pub async fn edits_replace_text_and_translations(store: Arc<dyn Store>) {
    let m = stored(&store, "e", "E1").await;
    let key = m.key();
    let only_es = BTreeMap::from([(lang("es"), t("[es] new"))]);
    assert!(
        store
            .edit_message(&room("e"), &key, "new", m.ts + 5, &only_es)
            .await
            .unwrap()
    );
    let got = store.get_message(&room("e"), &key).await.unwrap().unwrap();
    assert_eq!((got.text.as_str(), got.edited_at), ("new", Some(m.ts + 5)));
    assert_eq!(got.from_client, m.from_client);
    let es = page(&store, "e", "es").await;
    assert_eq!(es[0].translations[&lang("es")].text, "[es] new");
    assert_eq!(es[0].edited_at, Some(m.ts + 5));
    // The old Japanese translation went with the old text.
    assert!(page(&store, "e", "ja").await[0].translations.is_empty());
    let missing = msg("e", m.ts, "NOPE", "a", None).key();
    assert!(
        !store
            .edit_message(&room("e"), &missing, "x", 1, &BTreeMap::new())
            .await
            .unwrap()
    );
    assert_eq!(store.get_message(&room("e"), &missing).await.unwrap(), None);
}

pub async fn deletes_leave_a_tombstone(store: Arc<dyn Store>) {
    let m = stored(&store, "d", "D1").await;
    let key = m.key();
    assert!(
        store
            .delete_message(&room("d"), &key, m.ts + 9)
            .await
            .unwrap()
    );
    let got = store.get_message(&room("d"), &key).await.unwrap().unwrap();
    assert_eq!(got.deleted_at, Some(m.ts + 9));
    assert_eq!(got.text, "");
    assert_eq!(got.from_name, m.from_name);
    for l in ["es", "ja"] {
        let p = page(&store, "d", l).await;
        assert!(p[0].is_deleted() && p[0].text.is_empty());
        assert!(p[0].translations.is_empty(), "no {l} translation left");
    }
    // Gone is gone: no second delete, no edit, no correction.
    assert!(!store.delete_message(&room("d"), &key, 1).await.unwrap());
    assert!(
        !store
            .edit_message(&room("d"), &key, "back", 1, &BTreeMap::new())
            .await
            .unwrap()
    );
    let e = entry("text D1", "es", "x", 1);
    assert!(
        !store
            .put_correction(&room("d"), &key, &e, 10)
            .await
            .unwrap()
    );
    assert!(page(&store, "d", "es").await[0].translations.is_empty());
}

pub async fn corrections_are_kept_and_remembered(store: Arc<dyn Store>) {
    let m = stored(&store, "c", "C1").await;
    let e = entry(&m.text, "es", "[es] mejor", 7);
    assert!(
        store
            .put_correction(&room("c"), &m.key(), &e, 10)
            .await
            .unwrap()
    );
    let es = page(&store, "c", "es").await;
    assert_eq!(es[0].translations[&lang("es")].text, "[es] mejor");
    assert_eq!(es[0].translations[&lang("es")].engine, "memory");
    assert_eq!(es[0].corrected.get(&lang("es")), Some(&by("Bea")));
    assert_eq!(
        page(&store, "c", "ja").await[0].translations[&lang("ja")].text,
        "[ja] text"
    );
    let recalled = store.recall(&room("c"), &e.source).await.unwrap();
    assert_eq!(recalled, vec![e.clone()]);
    // The latest correction stands; another room remembers nothing.
    let again = entry(&m.text, "es", "[es] mejor aún", 8);
    assert!(
        store
            .put_correction(&room("c"), &m.key(), &again, 10)
            .await
            .unwrap()
    );
    assert_eq!(
        store.recall(&room("c"), &e.source).await.unwrap(),
        vec![again]
    );
    assert!(
        store
            .recall(&room("other"), &e.source)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn room_memory_is_bounded_oldest_first(store: Arc<dyn Store>) {
    let m = stored(&store, "b", "B1").await;
    let bound = ROOM_MEMORY_MAX;
    for i in 0..=bound {
        let e = entry(&format!("source {i}"), "es", &format!("fix {i}"), i as i64);
        assert!(
            store
                .put_correction(&room("b"), &m.key(), &e, bound)
                .await
                .unwrap()
        );
    }
    // One past the bound: the oldest went, the rest stay.
    let first = source_hash(lang("ja"), "source 0");
    assert!(store.recall(&room("b"), &first).await.unwrap().is_empty());
    for i in [1, bound / 2, bound] {
        let h = source_hash(lang("ja"), &format!("source {i}"));
        let got = store.recall(&room("b"), &h).await.unwrap();
        assert_eq!(got[0].text, format!("fix {i}"), "entry {i}");
    }
}

pub async fn glossary_is_versioned_and_holds_its_maximum(store: Arc<dyn Store>) {
    let r = room("g");
    assert_eq!(store.glossary(&r).await.unwrap(), Glossary::default());
    let one = Glossary {
        version: 1,
        terms: vec![GlossaryTerm::parse("honyaku", None, None).unwrap()],
        by: Some(by("Aki")),
    };
    assert!(store.put_glossary(&r, &one, 0).await.unwrap());
    assert_eq!(store.glossary(&r).await.unwrap(), one);
    // A save from version 0 again lost the race.
    let stale = Glossary {
        version: 1,
        ..Glossary::default()
    };
    assert!(!store.put_glossary(&r, &stale, 0).await.unwrap());
    // The largest glossary the protocol admits: 200 terms of 100
    // characters, each with a rendering of 100.
    let terms: Vec<GlossaryTerm> = (0..GLOSSARY_MAX_TERMS)
        .map(|i| {
            let term = format!("{i:03}{}", "t".repeat(GLOSSARY_TERM_MAX_CHARS - 3));
            let render = "r".repeat(GLOSSARY_TERM_MAX_CHARS);
            GlossaryTerm::parse(&term, Some("ja"), Some(&render)).unwrap()
        })
        .collect();
    check_glossary_terms(&terms).unwrap();
    let max = Glossary {
        version: 2,
        terms,
        by: Some(by("Aki")),
    };
    assert!(store.put_glossary(&r, &max, 1).await.unwrap());
    assert_eq!(store.glossary(&r).await.unwrap(), max);
    assert!(!store.put_glossary(&r, &max, 1).await.unwrap());
}

/// Translations written after the message (history in a new language, a
/// correction) go with an edit and a delete too, and none is kept for a
/// deleted message: the DynamoDB store deletes exactly the translation
/// items a message lists, so every way of adding one must list it.
pub async fn translations_added_later_go_with_edits_and_deletes(store: Arc<dyn Store>) {
    let r = room("l");
    let m = stored(&store, "l", "L1").await;
    let key = m.key();
    store
        .put_translation(&r, &key, lang("fr"), &t("[fr] later"), None)
        .await
        .unwrap();
    let fix = entry(&m.text, "en", "[en] fixed", 3);
    assert!(store.put_correction(&r, &key, &fix, 10).await.unwrap());
    assert_eq!(page(&store, "l", "fr").await[0].translations.len(), 1);
    let only_es = BTreeMap::from([(lang("es"), t("[es] new"))]);
    assert!(
        store
            .edit_message(&r, &key, "new", m.ts + 1, &only_es)
            .await
            .unwrap()
    );
    for l in ["ja", "fr", "en"] {
        let p = page(&store, "l", l).await;
        assert!(
            p[0].translations.is_empty(),
            "the old {l} went with the edit"
        );
    }
    store
        .put_translation(&r, &key, lang("de"), &t("[de] new"), None)
        .await
        .unwrap();
    assert_eq!(page(&store, "l", "de").await[0].translations.len(), 1);
    assert!(store.delete_message(&r, &key, m.ts + 2).await.unwrap());
    // Nothing comes back after the delete, however late it was made.
    store
        .put_translation(&r, &key, lang("it"), &t("[it] late"), None)
        .await
        .unwrap();
    for l in ["es", "ja", "fr", "en", "de", "it"] {
        let p = page(&store, "l", l).await;
        assert!(p[0].is_deleted() && p[0].text.is_empty());
        assert!(p[0].translations.is_empty(), "no {l} translation left");
        assert!(!format!("{p:?}").contains("new") && !format!("{p:?}").contains("late"));
    }
}
