//! What a deployment allows: rates, sizes, budgets, origins, tokens. Read
//! once by the binaries (flags or environment) and handed to the core.

use std::time::Duration;

use crate::limits::ENGINE_TIMEOUT;

/// The limits and access rules the routes enforce.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Frames a connection may send per minute (API Gateway's own default
    /// throttling is per account; this one is per connection).
    pub messages_per_minute: u32,
    /// Refused frames (over the rate) after which the connection is closed
    /// with 1008: a client that keeps flooding is not merely slow.
    pub strikes_before_close: u32,
    /// Members one room may hold.
    pub max_room_members: usize,
    /// Characters one connection may have translated per hour (cost guard).
    pub chars_per_hour: u32,
    /// One engine call may take this long.
    pub engine_timeout: Duration,
    /// `Origin` values accepted at `$connect`; empty accepts any.
    pub allowed_origins: Vec<String>,
    /// With a secret, `$connect` requires a token for its room.
    pub token_secret: Option<TokenSecret>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            messages_per_minute: 100,
            strikes_before_close: 50,
            max_room_members: 5_000,
            chars_per_hour: 100_000,
            engine_timeout: ENGINE_TIMEOUT,
            allowed_origins: Vec::new(),
            token_secret: None,
        }
    }
}

/// The HMAC key for access tokens; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(Vec<u8>);

impl TokenSecret {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self(secret.into())
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(…)")
    }
}
