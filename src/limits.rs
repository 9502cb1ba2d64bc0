//! Every limit in one place. The numbers are API Gateway's and Amazon
//! Translate's, so local mode fails exactly where AWS would.

use std::time::Duration;

/// Largest WebSocket frame API Gateway accepts (32 KB).
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// Largest WebSocket message API Gateway accepts, and the largest
/// management API payload (128 KB).
pub const MAX_MESSAGE_BYTES: usize = 128 * 1024;
/// Largest text Amazon Translate takes in one call, in UTF-8 bytes.
pub const MAX_TEXT_BYTES: usize = 10_000;
/// Room names: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
pub const MAX_ROOM_CHARS: usize = 64;
/// Display names: 1 to 32 Unicode characters after trimming.
pub const MAX_NAME_CHARS: usize = 32;
/// `clientMsgId`: at most 64 characters.
pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;
/// `history` page size.
pub const HISTORY_DEFAULT_LIMIT: u32 = 50;
pub const HISTORY_MAX_LIMIT: u32 = 100;
/// API Gateway closes a connection idle for 10 minutes.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// API Gateway closes every connection after 2 hours.
pub const MAX_CONNECTION_DURATION: Duration = Duration::from_secs(2 * 60 * 60);
/// Rows about a connection outlive it by this much before TTL expiry, so a
/// late `$disconnect` still finds them.
pub const TTL_MARGIN: Duration = Duration::from_secs(10 * 60);
/// Concurrent posts while fanning one message out.
pub const FANOUT_CONCURRENCY: usize = 32;
/// Concurrent engine calls while translating history on demand.
pub const HISTORY_TRANSLATE_CONCURRENCY: usize = 8;
/// Frames queued for one local connection before it counts as too slow.
pub const LOCAL_SEND_QUEUE: usize = 1024;
/// A `clientMsgId` stays used this long, so a client that reconnects and
/// resends is still recognised.
pub const CLIENT_MSG_ID_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// One engine call may take this long; API Gateway gives the whole route 29 s.
pub const ENGINE_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest body `POST /translate` accepts: room for a 10,000-byte text even
/// when every byte is written as a 6-byte `\u00XX` escape.
pub const MAX_REST_BODY_BYTES: usize = 64 * 1024;
/// Largest request line plus headers the local gateway reads, as API
/// Gateway caps them (10 KB); larger gets 431.
pub const MAX_REQUEST_HEAD_BYTES: usize = 10 * 1024;
/// A request's line and headers must arrive within this long (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
