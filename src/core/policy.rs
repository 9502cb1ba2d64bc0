//! What a deployment allows: rates, sizes, budgets, origins, tokens. Read
//! once by the binaries (flags or environment) and handed to the core.
//! Every default lives in `limits.rs`.

use std::time::Duration;

use crate::limits::{
    DEFAULT_CHARS_PER_DAY, DEFAULT_CHARS_PER_HOUR, DEFAULT_EDIT_WINDOW_HOURS,
    DEFAULT_FANOUT_DIRECT_MAX, DEFAULT_MAX_ROOM_MEMBERS, DEFAULT_MESSAGES_PER_MINUTE,
    DEFAULT_PRESENCE_MAX_MEMBERS, DEFAULT_REST_PER_MINUTE, DEFAULT_RETENTION_DAYS,
    DEFAULT_STRIKES_BEFORE_CLOSE, ENGINE_TIMEOUT,
};

/// The limits and access rules the routes enforce.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Chat messages one sender (its `client`, else its address) may send
    /// per minute, counted in the store across every instance.
    pub messages_per_minute: u32,
    /// Refused frames (over the rate) after which the connection is closed
    /// with 1008: a client that keeps flooding is not merely slow.
    pub strikes_before_close: u32,
    /// Members one room may hold.
    pub max_room_members: usize,
    /// Characters one sender may have translated per hour (cost guard).
    pub chars_per_hour: u32,
    /// Characters the whole deployment may send to the engine per UTC
    /// day; 0 is unlimited. Past it, messages go out untranslated.
    pub chars_per_day: u64,
    /// Rooms larger than this get no `presence` and no `typing`.
    pub presence_max_members: usize,
    /// Recipients up to this many are posted directly; a bigger room's
    /// fan-out goes through the queue, when there is one.
    pub fanout_direct_max: usize,
    /// REST calls one source address may make per minute.
    pub rest_per_minute: u32,
    /// How long messages and REST records are kept; `None` for ever.
    pub retention: Option<Duration>,
    /// One engine call may take this long.
    pub engine_timeout: Duration,
    /// `Origin` values accepted at `$connect` besides the page's own origin
    /// (`http(s)://{Host}`) and clients that send none; `"*"` accepts any.
    pub allowed_origins: Vec<String>,
    /// With a secret, `$connect` requires a token for its room.
    pub token_secret: Option<TokenSecret>,
    /// How long after sending a message its sender may edit or delete it.
    pub edit_window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            messages_per_minute: DEFAULT_MESSAGES_PER_MINUTE,
            strikes_before_close: DEFAULT_STRIKES_BEFORE_CLOSE,
            max_room_members: DEFAULT_MAX_ROOM_MEMBERS,
            chars_per_hour: DEFAULT_CHARS_PER_HOUR,
            chars_per_day: DEFAULT_CHARS_PER_DAY,
            presence_max_members: DEFAULT_PRESENCE_MAX_MEMBERS,
            fanout_direct_max: DEFAULT_FANOUT_DIRECT_MAX,
            rest_per_minute: DEFAULT_REST_PER_MINUTE,
            retention: retention_days(DEFAULT_RETENTION_DAYS),
            engine_timeout: ENGINE_TIMEOUT,
            allowed_origins: Vec::new(),
            token_secret: None,
            edit_window: edit_window_hours(DEFAULT_EDIT_WINDOW_HOURS),
        }
    }
}

/// `EditWindow` / `--edit-window`, in hours.
pub fn edit_window_hours(hours: u32) -> Duration {
    Duration::from_secs(u64::from(hours) * 3600)
}

/// `RetentionDays` / `--retention`: 0 keeps everything.
pub fn retention_days(days: u32) -> Option<Duration> {
    (days > 0).then(|| Duration::from_secs(u64::from(days) * 86_400))
}

impl Policy {
    /// The `ttl` (epoch seconds) of something written at `ts_ms`.
    pub fn expiry(&self, ts_ms: i64) -> Option<i64> {
        self.retention
            .map(|r| ts_ms / 1000 + i64::try_from(r.as_secs()).unwrap_or(i64::MAX / 2))
    }

    /// The oldest time (ms) still served.
    pub fn kept_since(&self, now_ms: i64) -> i64 {
        self.retention.map_or(0, |r| {
            now_ms - i64::try_from(r.as_millis()).unwrap_or(i64::MAX / 2)
        })
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
