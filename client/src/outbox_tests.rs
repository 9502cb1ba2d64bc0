use std::cell::RefCell;

use super::*;

/// Records what was sent: a message's text, or the action.
#[derive(Default)]
struct Recorder(RefCell<Vec<String>>);

impl Wire for Recorder {
    fn send(&self, frame: &ClientFrame) {
        let json = serde_json::to_value(frame).unwrap();
        let label = match json["text"].as_str() {
            Some(text) => text.to_owned(),
            None => json["action"].as_str().unwrap().to_owned(),
        };
        self.0.borrow_mut().push(label);
    }

    fn send_reply(&self, frame: &ClientFrame, reply_to: &str) {
        self.send(frame);
        if let Some(last) = self.0.borrow_mut().last_mut() {
            last.push_str(&format!(" ↩{reply_to}"));
        }
    }
}

impl Recorder {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}

fn say(text: &str, id: &str) -> ClientFrame {
    crate::commands::translate_frame(text, id.to_owned())
}

fn members() -> ClientFrame {
    ClientFrame::Members { after: None }
}

fn join() -> ClientFrame {
    ClientFrame::Join {
        room: Some("elsewhere".into()),
        lang: None,
        name: None,
    }
}

const T: Duration = Duration::from_secs(5);

#[test]
fn messages_are_pipelined_and_other_frames_go_alone() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push(say("a", "1"), &wire);
    out.push(say("b", "2"), &wire);
    out.push(join(), &wire);
    out.push(say("c", "3"), &wire);
    // Both messages at once; the join waits for their echoes.
    assert_eq!(wire.take(), ["a", "b"]);
    assert!(!out.echo(Some("other"), &wire));
    assert!(!out.echo(None, &wire));
    assert!(out.echo(Some("2"), &wire));
    assert_eq!(wire.take(), Vec::<String>::new());
    assert!(out.echo(Some("1"), &wire));
    assert_eq!(wire.take(), ["join"]);
    // The message typed after /join waits for `joined`.
    out.reply(Reply::History, &wire);
    assert_eq!(wire.take(), Vec::<String>::new());
    out.reply(Reply::Joined, &wire);
    assert_eq!(wire.take(), ["c"]);
    assert!(!out.is_done());
    assert!(out.echo(Some("3"), &wire));
    assert!(out.is_done());
}

#[test]
fn errors_carry_the_message_they_refuse() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push(say("a", "1"), &wire);
    out.push(say("b", "2"), &wire);
    let refused = out.error(Some("translate"), Some("2"), "text_too_long", &wire);
    assert_eq!(
        refused,
        Refusal::Message(Unanswered {
            id: "2".into(),
            text: "b".into()
        })
    );
    // Without an id (a server before v1.1): the oldest message.
    let Refusal::Message(refused) = out.error(Some("translate"), None, "internal", &wire) else {
        panic!("not a refusal");
    };
    assert_eq!(refused.text, "a");
    assert!(out.is_done());
    // An error for a members request answers it.
    out.push(members(), &wire);
    assert!(!out.is_done());
    assert_eq!(
        out.error(Some("members"), None, "internal", &wire),
        Refusal::Other
    );
    assert!(out.is_done());
}

#[test]
fn the_window_bounds_messages_in_flight() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    for i in 0..WINDOW + 2 {
        out.push(say(&format!("m{i}"), &i.to_string()), &wire);
    }
    assert_eq!(wire.take().len(), WINDOW);
    out.echo(Some("0"), &wire);
    assert_eq!(wire.take(), [format!("m{WINDOW}")]);
}

#[test]
fn offline_holds_and_a_reconnect_resends_in_order() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push(say("a", "1"), &wire);
    out.push(say("b", "2"), &wire);
    out.echo(Some("1"), &wire);
    wire.take();
    out.offline();
    assert!(!out.is_online());
    out.push(say("c", "3"), &wire);
    out.push(members(), &wire);
    assert_eq!(wire.take(), Vec::<String>::new());
    out.reconnected(&wire, None);
    assert_eq!(wire.take(), ["b", "c"]);
    out.echo(Some("2"), &wire);
    out.echo(Some("3"), &wire);
    assert_eq!(wire.take(), ["members"]);
}

/// Issue 25 item 8: after a reconnect the catch-up goes first, and what
/// was unanswered or queued waits for its replies, so no echo can come
/// before the history of what was missed.
#[test]
fn after_a_reconnect_the_catch_up_goes_first_and_messages_wait_for_it() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push(say("a", "1"), &wire);
    wire.take();
    out.offline();
    out.push(say("b", "2"), &wire);
    out.reconnected(&wire, Some(members()));
    assert_eq!(wire.take(), ["members"]);
    out.reply(Reply::Members, &wire);
    assert_eq!(wire.take(), ["a", "b"]);
}

#[test]
fn a_greeting_goes_first_and_is_not_resent() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.send_now(members(), &wire);
    out.push(say("a", "1"), &wire);
    // The message waits for the greeting's reply...
    assert_eq!(wire.take(), ["members"]);
    out.offline();
    // ...which the old connection took with it.
    out.reconnected(&wire, None);
    assert_eq!(wire.take(), ["a"]);
}

#[test]
fn deadlines_give_up_and_let_the_next_go() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push(say("a", "1"), &wire);
    out.push(members(), &wire);
    let deadline = out.deadline().unwrap();
    assert!(
        out.expire(deadline - Duration::from_millis(1), &wire)
            .is_empty()
    );
    let gone = out.expire(deadline, &wire);
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].text, "a");
    assert_eq!(wire.take(), ["a", "members"]);
    // A reply that never comes is given up silently.
    let deadline = out.deadline().unwrap();
    assert!(out.expire(deadline, &wire).is_empty());
    assert!(out.is_done());
}

#[test]
fn rate_limited_messages_wait_and_go_again_in_order() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    for (text, id) in [("a", "1"), ("b", "2"), ("c", "3")] {
        out.push(say(text, id), &wire);
    }
    out.push(say("d", "4"), &wire);
    assert_eq!(wire.take(), ["a", "b", "c", "d"]);
    assert!(out.echo(Some("1"), &wire));
    let slowed = out.error(Some("translate"), Some("2"), "rate_limited", &wire);
    assert_eq!(
        slowed,
        Refusal::Slowed {
            pause: PAUSE,
            first: true
        }
    );
    let again = out.error(Some("translate"), Some("3"), "rate_limited", &wire);
    assert_eq!(
        again,
        Refusal::Slowed {
            pause: PAUSE,
            first: false
        }
    );
    assert!(out.echo(Some("4"), &wire));
    out.push(say("e", "5"), &wire);
    assert_eq!(wire.take(), Vec::<String>::new());
    assert!(!out.is_done());
    // The pause ends: held ones first, in a window that shrank to one and
    // grows back with each echo (the late echo of "d" made it two).
    let resume = out.deadline().unwrap();
    assert!(out.expire(resume, &wire).is_empty());
    assert_eq!(wire.take(), ["b", "c"]);
    assert!(out.echo(Some("2"), &wire));
    assert_eq!(wire.take(), ["e"]);
    assert!(out.echo(Some("5"), &wire));
    // Refused again and again: the pause doubles, then it is a refusal.
    for n in 0..TRIES - 2 {
        let Refusal::Slowed { pause, .. } =
            out.error(Some("translate"), Some("3"), "rate_limited", &wire)
        else {
            panic!("not slowed");
        };
        assert_eq!(pause, PAUSE * 2u32.pow(n + 1));
        let resume = out.deadline().unwrap();
        out.expire(resume, &wire);
        assert_eq!(wire.take(), ["c"]);
    }
    let last = out.error(Some("translate"), Some("3"), "rate_limited", &wire);
    assert!(
        matches!(last, Refusal::Message(Unanswered { ref text, .. }) if text == "c"),
        "{last:?}"
    );
}

#[test]
fn ids_are_unique() {
    let mut ids = MsgIds::new();
    let (a, b) = (ids.next(), ids.next());
    assert_ne!(a, b);
    assert!(a.len() <= 64 && a.starts_with("hc-"), "{a}");
}

/// A reply carries its `replyTo`, also when sent again after a reconnect;
/// v1.2's requests go alone, each waiting for its answer.
#[test]
fn replies_keep_their_quote_and_requests_wait_for_answers() {
    let wire = Recorder::default();
    let mut out = Outbox::new(T);
    out.push_reply(say("yes", "1"), "01A".into(), &wire);
    assert_eq!(wire.take(), ["yes ↩01A"]);
    out.offline();
    out.reconnected(&wire, None);
    assert_eq!(wire.take(), ["yes ↩01A"]);
    assert!(out.echo(Some("1"), &wire));
    out.push(say("plain", "2"), &wire);
    assert_eq!(wire.take(), ["plain"]);
    let react = ClientFrame::React {
        id: Some("01A".into()),
        emoji: Some("👍".into()),
        client_msg_id: None,
    };
    out.push(react, &wire);
    out.push(ClientFrame::Glossary {}, &wire);
    assert!(out.echo(Some("2"), &wire));
    assert_eq!(wire.take(), ["react"]);
    out.reply(Reply::Reacted, &wire);
    assert_eq!(wire.take(), ["glossary"]);
    // A refusal answers it as well.
    out.error(Some("glossary"), None, "rate_limited", &wire);
    assert!(out.is_done());
}
