use super::*;

const PLAIN: Renderer = Renderer {
    color: false,
    show_original: false,
    me: Me {
        name: None,
        tag: None,
        connection_id: None,
    },
    retry_key: false,
    handles: None,
};

/// From JSON, as it arrives: new optional fields in the frame type do not
/// break these tests.
fn msg() -> MessageFrame {
    serde_json::from_value(serde_json::json!({
        "id": "01", "room": "lobby", "ts": 0,
        "from": {"name": "Aki", "connectionId": "c1", "tag": "aaaa11112222"},
        "sourceLang": "ja", "lang": "es", "text": "Hola", "original": "こんにちは",
        "translated": true, "engine": "pseudo"
    }))
    .unwrap()
}

fn frame(v: serde_json::Value) -> ServerFrame {
    serde_json::from_value(v).unwrap()
}

#[test]
fn messages() {
    let line = PLAIN.message(&msg());
    assert!(line.ends_with(" Aki: Hola"), "{line}");
    assert!(!line.contains("こんにちは"));
    let with = Renderer {
        show_original: true,
        ..PLAIN
    }
    .message(&msg());
    assert!(with.contains("↳ (ja) こんにちは"), "{with}");
    let failed = MessageFrame {
        translated: false,
        error: Some("unsupported_language_pair".into()),
        ..msg()
    };
    let said = PLAIN.message(&failed);
    assert!(
        said.ends_with("(not translated: this server does not translate ja into es)"),
        "{said}"
    );
    for (code, words) in [
        (
            "translation_failed",
            "(not translated: the translation failed)",
        ),
        (
            "translation_unavailable",
            "(not translated: translation is unavailable right now)",
        ),
        ("something_new", "(not translated: something_new)"),
    ] {
        let m = MessageFrame {
            error: Some(code.into()),
            ..failed.clone()
        };
        assert!(PLAIN.message(&m).ends_with(words), "{code}");
        assert!(!PLAIN.message(&m).contains("untranslated:"));
    }
}

#[test]
fn your_own_messages_are_marked_by_tag_connection_or_echo() {
    let by_tag = Renderer {
        me: Me {
            tag: Some("aaaa11112222".into()),
            ..Me::default()
        },
        ..PLAIN
    };
    assert!(by_tag.message(&msg()).ends_with(" Aki (you): Hola"));
    let other_tag = Renderer {
        me: Me {
            tag: Some("bbbb".into()),
            ..Me::default()
        },
        ..PLAIN
    };
    assert!(other_tag.message(&msg()).ends_with(" Aki: Hola"));
    let by_connection = Renderer {
        me: Me {
            connection_id: Some("c1".into()),
            ..Me::default()
        },
        ..PLAIN
    };
    assert!(by_connection.message(&msg()).contains("(you)"));
    let echo = MessageFrame {
        client_msg_id: Some("hc-1".into()),
        ..msg()
    };
    assert!(PLAIN.message(&echo).contains("Aki (you): Hola"));
}

#[test]
fn control_characters_cannot_reach_the_terminal() {
    let evil = MessageFrame {
        text: "hi\x1b[2J\x07\tthere\nline two".into(),
        ..msg()
    };
    let line = PLAIN.message(&evil);
    assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line:?}");
    assert!(line.contains("hi\u{FFFD}[2J\u{FFFD} there\n      line two"));
}

#[test]
fn colours_only_when_asked() {
    assert!(!PLAIN.message(&msg()).contains('\x1b'));
    let c = Renderer {
        color: true,
        ..PLAIN
    };
    let line = c.message(&msg());
    assert!(line.contains("Aki") && line.contains('\x1b'), "{line:?}");
    assert_eq!(c.name("Aki"), c.name("Aki"));
}

#[test]
fn presence() {
    let p = frame(serde_json::json!({"type": "presence", "room": "lobby",
        "event": "leave", "name": "Ben", "lang": "es", "count": 2}));
    assert_eq!(PLAIN.frame(&p).unwrap(), "* Ben (es) left lobby · 2 here");
    let renamed = frame(serde_json::json!({"type": "presence", "room": "lobby",
        "event": "update", "name": "Benji", "lang": "es", "count": 2,
        "previousName": "Ben", "tag": "ab"}));
    assert_eq!(PLAIN.frame(&renamed).unwrap(), "* Ben is now Benji (es)");
    let relang = frame(serde_json::json!({"type": "presence", "room": "lobby",
        "event": "update", "name": "Ben", "lang": "fr", "count": 2}));
    assert_eq!(
        PLAIN.frame(&relang).unwrap(),
        "* Ben now reads and writes fr"
    );
    let back = frame(serde_json::json!({"type": "presence", "room": "lobby",
        "event": "join", "name": "Ben", "lang": "es", "count": 2, "tag": "ab",
        "returning": true}));
    assert_eq!(PLAIN.frame(&back), None, "back after a restart: no line");
}

#[test]
fn members_count_paging_twins_and_you() {
    let me = Renderer {
        me: Me {
            name: Some("Aki".into()),
            tag: Some("aaaa0000".into()),
            ..Me::default()
        },
        ..PLAIN
    };
    let joined = frame(serde_json::json!({"type": "joined", "connectionId": "c1",
        "room": "r", "lang": "ja", "name": "Aki", "tag": "aaaa0000", "count": 3,
        "members": [
            {"name": "Aki", "lang": "ja", "tag": "aaaa0000"},
            {"name": "Aki", "lang": "en", "tag": "bbbb1111"},
            {"name": "Ben", "lang": "es"}],
        "next": null}));
    assert_eq!(
        me.frame(&joined).unwrap(),
        "* you are Aki (ja) in r · 3 here: Aki#aaaa (ja, you), Aki#bbbb (en), Ben (es)"
    );
    let many: Vec<_> = (0..25)
        .map(|i| serde_json::json!({"name": format!("m{i}"), "lang": "en"}))
        .collect();
    let big = frame(serde_json::json!({"type": "joined", "connectionId": "c1",
        "room": "r", "lang": "en", "name": "m0", "count": 700, "members": many,
        "next": "cursor"}));
    let line = PLAIN.frame(&big).unwrap();
    assert!(line.contains("· 700 here: m0 (en), "), "{line}");
    assert!(
        line.ends_with("m19 (en) and 680 more (/members lists them)"),
        "{line}"
    );
    let page = frame(
        serde_json::json!({"type": "members", "room": "r", "count": 700,
        "members": [{"name": "Ben", "lang": "es"}], "next": "c2"}),
    );
    assert_eq!(
        PLAIN.frame(&page).unwrap(),
        "* in r · 700 here: Ben (es) … more: /members more"
    );
}

#[test]
fn typing_and_notes() {
    assert_eq!(PLAIN.typing(&[]), "");
    assert_eq!(PLAIN.typing(&["Aki"]), "* Aki is typing…");
    assert_eq!(PLAIN.typing(&["Aki", "Ben"]), "* Aki and Ben are typing…");
    assert_eq!(
        PLAIN.typing(&["Aki", "Ben", "Cy"]),
        "* Aki, Ben and Cy are typing…"
    );
    assert_eq!(
        PLAIN.typing(&["a", "b", "c", "d"]),
        "* 4 people are typing…"
    );
    let t = frame(serde_json::json!({"type": "typing", "room": "r", "name": "Aki"}));
    assert_eq!(PLAIN.frame(&t), None);
    let q = PLAIN.queued(&format!("line one\n{}", "x".repeat(60)));
    assert!(
        q.contains("\"line one xxxx") && q.contains("…\" is queued"),
        "{q}"
    );
    assert_eq!(
        PLAIN.back(Duration::from_millis(2600)),
        "* reconnected after 3s offline"
    );
}

#[test]
fn other_frames() {
    let e = frame(serde_json::json!({"type": "error", "code": "invalid_lang",
        "message": "unknown language code \"xx\"", "action": "join"}));
    assert_eq!(
        PLAIN.frame(&e).unwrap(),
        "! invalid_lang: unknown language code \"xx\" (join)"
    );
    assert_eq!(PLAIN.frame(&ServerFrame::Pong { ts: 1 }), None);
    let h = ServerFrame::History {
        room: "lobby".into(),
        lang: "es".into(),
        messages: vec![],
        next: None,
    };
    assert_eq!(PLAIN.frame(&h).unwrap(), "* no earlier messages in lobby");
}

#[test]
fn a_message_naming_me_stands_out() {
    let me = Renderer {
        me: Me {
            name: Some("Aki".into()),
            ..Me::default()
        },
        ..PLAIN
    };
    let from_ben = |text: &str| MessageFrame {
        text: text.into(),
        original: None,
        from: serde_json::from_value(serde_json::json!({"name": "Ben", "connectionId": "c2"}))
            .unwrap(),
        ..msg()
    };
    assert!(me.message(&from_ben("hi @aki, look")).starts_with("» "));
    assert!(!me.message(&from_ben("Akira is here")).starts_with("» "));
    // Named in the original only (a translation may change the name's form).
    let in_original = MessageFrame {
        original: Some("Aki さん".into()),
        ..from_ben("Señor Akí")
    };
    assert!(me.message(&in_original).starts_with("» "));
    // My own message naming me does not.
    let mine = MessageFrame {
        client_msg_id: Some("hc-1".into()),
        ..from_ben("Aki here")
    };
    assert!(!me.message(&mine).starts_with("» "));
    let coloured = Renderer {
        color: true,
        ..me.clone()
    };
    assert!(
        coloured
            .message(&from_ben("hi Aki"))
            .contains("\x1b[1mhi Aki\x1b[22m")
    );
}
