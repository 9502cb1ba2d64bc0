//! The wire frames of docs/PROTOCOL.md, both directions, and the mapping from a
//! client frame to a typed [`Command`]. The CLI client reuses these types.
//!
//! - `client.rs`: client → server frames, `parse_command`, route selection.
//! - `command.rs`: the checked request (`Command`) the core handles.
//! - `server.rs`: server → client frames.
//! - `message.rs`: a stored message in one reader's language.
//! - `social.rs`: v1.2's `replyTo`, `react`, and the quote and reactions
//!   a message frame carries.
//! - `strict.rs`: one reading of a frame (no key twice).

mod client;
mod command;
mod message;
mod server;
mod social;
mod strict;

pub use client::{ACTIONS, ClientFrame, TermFrame, parse_command, route_key};
pub use command::Command;
pub use message::{AuthorView, DeletedEntry, HistoryItem, MessageFrame, Sender};
pub use server::{MemberView, PresenceEvent, ServerFrame};
pub use social::{QuoteView, ReactionView};

use crate::model::InvalidInput;

/// A refused frame: becomes an `error` frame to its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The error code (`bad_request`, `invalid_room`, …).
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// The refused frame's action, when known.
    pub action: Option<String>,
    /// The refused `translate`'s `clientMsgId`, echoed so the sender knows
    /// which one failed.
    pub client_msg_id: Option<String>,
}

impl FrameError {
    /// A refusal with `code`, a sentence, and the frame's action if known.
    pub fn new(code: &'static str, message: impl Into<String>, action: Option<&str>) -> Self {
        Self {
            code,
            message: message.into(),
            action: action.map(str::to_owned),
            client_msg_id: None,
        }
    }

    /// Names the refused `translate`'s `clientMsgId`.
    pub fn with_client_msg_id(mut self, id: Option<String>) -> Self {
        self.client_msg_id = id;
        self
    }

    fn invalid(e: InvalidInput, action: &str) -> Self {
        Self::new(e.code(), e.to_string(), Some(action))
    }

    /// The `error` frame to send.
    pub fn to_frame(&self) -> ServerFrame {
        ServerFrame::Error {
            code: self.code.to_owned(),
            message: self.message.clone(),
            action: self.action.clone(),
            client_msg_id: self.client_msg_id.clone(),
        }
    }
}
