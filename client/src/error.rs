//! The client's one error type, and the exit code each error ends the
//! process with. Messages are single lines meant for a person: they say
//! what went wrong and, where it can be known, which flag to fix.

/// Exit codes other than 0, documented in the README.
pub mod exit {
    /// The connection ended for good, or an echo never came.
    pub const FAILED: u8 = 1;
    /// A bad flag, URL or typed line (clap uses 2 for its usage errors too).
    pub const USAGE: u8 = 2;
    /// No connection could be made: refused, unresolved, TLS, timed out.
    pub const UNREACHABLE: u8 = 3;
    /// The server answered the handshake with an HTTP error status.
    pub const REJECTED: u8 = 4;
    /// The server refused a frame with an `error` frame.
    pub const REFUSED: u8 = 5;
    /// Stopped by Ctrl-C (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("bad URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },

    #[error("invalid --{flag}: {reason}")]
    InvalidFlag { flag: &'static str, reason: String },

    #[error("cannot connect to {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },

    /// `hint` says which parameter the status most likely blames.
    #[error("handshake rejected by {endpoint}: HTTP {status}{reason} ({hint})")]
    Rejected {
        endpoint: String,
        status: u16,
        /// " Bad Request", or empty when the status has no canonical phrase.
        reason: String,
        hint: String,
    },

    /// Why, in words from `reasons::close`.
    #[error("{0}")]
    Closed(String),

    #[error("connection lost ({0}) and --no-reconnect is set")]
    Lost(String),

    #[error("the server refused {0}")]
    Refused(String),

    #[error("could not send {0}")]
    BadLines(String),

    #[error("no echo of the message within {0}s")]
    NoEcho(u64),

    #[error("interrupted")]
    Interrupted,

    #[error("terminal: {0}")]
    Terminal(String),
}

impl ClientError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::BadUrl { .. } | Self::InvalidFlag { .. } | Self::BadLines(_) => exit::USAGE,
            Self::Unreachable { .. } => exit::UNREACHABLE,
            Self::Rejected { .. } => exit::REJECTED,
            Self::Refused(_) => exit::REFUSED,
            Self::Interrupted => exit::INTERRUPTED,
            Self::Closed(_) | Self::Lost(_) | Self::NoEcho(_) | Self::Terminal(_) => exit::FAILED,
        }
    }

    /// The why without the where, for a line about a reconnect attempt.
    pub fn reason(&self) -> String {
        match self {
            Self::Unreachable { reason, .. } => reason.clone(),
            Self::Rejected { status, reason, .. } => format!("HTTP {status}{reason}"),
            other => other.to_string(),
        }
    }

    /// Whether a reconnect loop should keep trying after this: the network
    /// and a busy or failing server may recover; a refused parameter won't.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Rejected { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}
