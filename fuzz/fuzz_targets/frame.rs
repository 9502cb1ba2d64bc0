//! Fuzzes the frame parser: any bytes a client can send as a text frame.
//! Nothing may panic, and whatever parses must respect the protocol's limits.

#![no_main]

use honyaku::protocol::{Command, ServerFrame, parse_command, route_key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let routed = route_key(body);
    match parse_command(body) {
        Ok(cmd) => {
            // A frame that parses was routed to its own action.
            assert!(routed.is_some(), "{body:?} parsed but routes to $default");
            if let Command::Translate { text, .. } = &cmd {
                assert!(!text.as_str().is_empty() && text.as_str().len() <= 10_000);
            }
            if let Command::History { limit, .. } = &cmd {
                assert!((1..=100).contains(limit));
            }
        }
        Err(e) => {
            // Every refusal becomes a well-formed error frame.
            let json = e.to_frame().to_json();
            let back: ServerFrame = serde_json::from_str(&json).unwrap();
            assert!(matches!(back, ServerFrame::Error { .. }));
        }
    }
});
