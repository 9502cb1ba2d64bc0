//! What answers a frame other than a message: the outbox lets nothing
//! after such a frame go until its answer (or its `error`) came.

use honyaku::protocol::ClientFrame;

/// What answers a frame other than a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Joined,
    History,
    Members,
    /// v1.2: the sender's own `edited` (with its `clientMsgId`).
    Edited,
    Deleted,
    Corrected,
    /// To `glossary` and `glossary_set` alike.
    Glossary,
    /// v1.2: a `reaction`.
    Reacted,
}

impl Reply {
    pub(crate) fn of(frame: &ClientFrame) -> Option<Self> {
        match frame {
            ClientFrame::Join { .. } => Some(Self::Joined),
            ClientFrame::History { .. } => Some(Self::History),
            ClientFrame::Members { .. } => Some(Self::Members),
            ClientFrame::Edit { .. } => Some(Self::Edited),
            ClientFrame::Delete { .. } => Some(Self::Deleted),
            ClientFrame::Correct { .. } => Some(Self::Corrected),
            ClientFrame::Glossary {} | ClientFrame::GlossarySet { .. } => Some(Self::Glossary),
            ClientFrame::React { .. } => Some(Self::Reacted),
            _ => None,
        }
    }

    /// The reply an `error` for `action` stands in for.
    pub(crate) fn for_action(action: &str) -> Option<Self> {
        match action {
            "join" => Some(Self::Joined),
            "history" => Some(Self::History),
            "members" => Some(Self::Members),
            "edit" => Some(Self::Edited),
            "delete" => Some(Self::Deleted),
            "correct" => Some(Self::Corrected),
            "glossary" | "glossary_set" => Some(Self::Glossary),
            "react" => Some(Self::Reacted),
            _ => None,
        }
    }
}
