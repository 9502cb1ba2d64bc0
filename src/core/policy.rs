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
    /// `Origin` values accepted at `$connect` besides the page's own origin
    /// (`http(s)://{Host}`) and clients that send none; `"*"` accepts any.
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

/// The shortest token secret a server accepts: anything shorter can be
/// guessed, and an empty one would let anyone forge tokens.
pub const MIN_TOKEN_SECRET_BYTES: usize = 16;

/// A token secret too short to protect anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the token secret is {0} bytes; it must be at least {MIN_TOKEN_SECRET_BYTES} \
     (e.g. `openssl rand -hex 32`)"
)]
pub struct WeakTokenSecret(pub usize);

impl TokenSecret {
    /// Any key, for tests and tools; configuration goes through [`Self::parse`].
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self(secret.into())
    }

    /// A secret from configuration: at least [`MIN_TOKEN_SECRET_BYTES`].
    pub fn parse(secret: &str) -> Result<Self, WeakTokenSecret> {
        if secret.len() < MIN_TOKEN_SECRET_BYTES {
            return Err(WeakTokenSecret(secret.len()));
        }
        Ok(Self(secret.as_bytes().to_vec()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_secrets_are_long_enough() {
        assert_eq!(TokenSecret::parse(""), Err(WeakTokenSecret(0)));
        assert_eq!(TokenSecret::parse("s3cret"), Err(WeakTokenSecret(6)));
        assert!(TokenSecret::parse("0123456789abcdef").is_ok());
        assert!(WeakTokenSecret(3).to_string().contains("at least 16"));
    }
}
