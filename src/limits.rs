//! Every limit and default in one place. The numbers are API Gateway's,
//! DynamoDB's, SQS's and Amazon Translate's, so local mode fails exactly
//! where AWS would. The ones the page needs too (text and name sizes,
//! history and members pages, frame sizes) come from `web/contract.json`
//! through `build.rs`.

use std::time::Duration;

include!(concat!(env!("OUT_DIR"), "/contract_limits.rs"));

/// A `typing` is relayed at most once per connection in this interval.
pub const TYPING_INTERVAL: Duration = Duration::from_millis(TYPING_INTERVAL_MS as u64);
/// DynamoDB's item size limit (400 KB, names and values together). Every
/// store enforces it.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// `BatchWriteItem` takes at most 25 requests.
pub const BATCH_WRITE_MAX: usize = 25;
/// One SQS message, and one `SendMessageBatch` call, at most 256 KiB.
pub const MAX_QUEUE_MESSAGE_BYTES: usize = 256 * 1024;
/// One `SendMessageBatch` call takes at most 10 messages.
pub const QUEUE_BATCH_MAX: usize = 10;
/// A fan-out batch's JSON stays under this, leaving room for SQS's
/// attributes within its 256 KiB.
pub const FANOUT_BATCH_BYTES: usize = 200 * 1024;
/// Recipients in one fan-out batch (each id is ~20 bytes of JSON).
pub const FANOUT_BATCH_RECIPIENTS: usize = 1000;

/// API Gateway closes a connection idle for 10 minutes.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// API Gateway closes every connection after 2 hours.
pub const MAX_CONNECTION_DURATION: Duration = Duration::from_secs(2 * 60 * 60);
/// API Gateway gives one integration (one route) 29 seconds.
pub const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(29);
/// Rows about a connection outlive it by this much before TTL expiry, so a
/// late `$disconnect` still finds them.
pub const TTL_MARGIN: Duration = Duration::from_secs(10 * 60);
/// A connection this young may still be inside its own `$connect` (a
/// gateway cannot deliver to it yet), so a Gone answer does not delete it,
/// and the local sweep leaves it alone.
pub const CONNECT_GRACE: Duration = Duration::from_secs(30);
/// A member whose `client` left a room this recently and comes back (a
/// reload, a network blip, a server restart) is `returning` (v1.2): its
/// `presence` `join` says so, and clients show no "joined" line for it.
pub const REJOIN_GRACE: Duration = Duration::from_secs(60);
/// Concurrent posts while fanning one message out directly.
pub const FANOUT_CONCURRENCY: usize = 64;
/// Concurrent engine calls while translating history on demand.
pub const HISTORY_TRANSLATE_CONCURRENCY: usize = 8;
/// Frames queued for one local connection; a reader that lets more pile
/// up is closed with 1013 so it reconnects and catches up from history.
pub const LOCAL_SEND_QUEUE: usize = 1024;
/// A `clientMsgId` stays used this long, so a client that reconnects and
/// resends is still recognised.
pub const CLIENT_MSG_ID_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// A fan-out batch's delivery marker lives this long (SQS keeps a message
/// at most 14 days, but redeliveries come within minutes).
pub const DELIVERY_MARKER_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// One engine call may take this long; API Gateway gives the whole route 29 s.
pub const ENGINE_TIMEOUT: Duration = Duration::from_secs(10);
/// One call to one engine may take this long; then the next engine for
/// the pair is tried.
pub const ENGINE_CALL_TIMEOUT: Duration = Duration::from_secs(4);
/// All the engine calls of one translation (fallbacks, pivot legs), within
/// [`ENGINE_TIMEOUT`].
pub const ROUTE_BUDGET: Duration = Duration::from_secs(9);
/// Failures in a row after which an engine rests.
pub const ENGINE_FAILURES_TO_REST: u32 = 3;
/// How long a failing engine rests before it is tried again.
pub const ENGINE_REST: Duration = Duration::from_secs(30);
/// How often the engines' language lists are read again.
pub const ENGINE_REFRESH_INTERVAL: Duration = Duration::from_secs(5 * 60);
/// Where LibreTranslate listens unless told otherwise (its own default).
pub const DEFAULT_LIBRETRANSLATE_URL: &str = "http://127.0.0.1:5000";
/// The start-up probe for a LibreTranslate at the default URL waits this
/// long, no more.
pub const LIBRETRANSLATE_PROBE_TIMEOUT: Duration = Duration::from_millis(800);
/// Largest body `POST /translate` accepts: room for a 10,000-byte text even
/// when every byte is written as a 6-byte `\u00XX` escape.
pub const MAX_REST_BODY_BYTES: usize = 64 * 1024;
/// Largest request line plus headers the local gateway reads, as API
/// Gateway caps them (10 KB); larger gets 431.
pub const MAX_REQUEST_HEAD_BYTES: usize = 10 * 1024;
/// The longest an access token may live (`honyaku token --ttl`): a leaked
/// token opens its room this long.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// A glossary holds at most this many terms (v1.2).
pub const GLOSSARY_MAX_TERMS: usize = 200;
/// A glossary term, and its rendering, at most this many characters.
pub const GLOSSARY_TERM_MAX_CHARS: usize = 100;
/// A glossary's terms as JSON at most this many bytes, so the `glossary`
/// frame always fits API Gateway's 128 KB (200 terms of 100 ASCII
/// characters each, with renderings, take under half of it).
pub const GLOSSARY_MAX_BYTES: usize = 96 * 1024;
/// v1.2: a reply's quote, at most this many characters (cut on a
/// grapheme boundary, `…` included when cut).
pub const QUOTE_MAX_CHARS: usize = 200;
/// v1.2: distinct emoji on one message; the next is refused
/// (`too_many_reactions`).
pub const REACTIONS_MAX_EMOJI: usize = 20;
/// v1.2: tags listed with each emoji in `history` (its first reactors).
pub const REACTION_TAGS_LISTED: usize = 20;
/// v1.2: one reaction's emoji in UTF-8 bytes: the longest standard emoji
/// (a kiss with two skin tones, a subdivision flag) take under 40.
pub const REACTION_EMOJI_MAX_BYTES: usize = 64;
/// Corrections one room remembers; past it the oldest go first. Each is
/// its own item; the room's index of them stays within one item too
/// (about 60 bytes an entry).
pub const ROOM_MEMORY_MAX: usize = 1_000;
/// A request's line and headers must arrive within this long (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole request, body included, must arrive within this long (a slow
/// body must not hold a connection's place); then 408 and the connection
/// closes. 64 KiB in 30 s is 2 KiB/s, slower than any real client.
pub const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(30);

// ---- policy defaults (flags, environment and template parameters) ----

/// Chat messages one sender may send per minute.
pub const DEFAULT_MESSAGES_PER_MINUTE: u32 = 100;
/// Refused frames after which a flooding connection is closed with 1008.
pub const DEFAULT_STRIKES_BEFORE_CLOSE: u32 = 50;
/// Members one room may hold.
pub const DEFAULT_MAX_ROOM_MEMBERS: usize = 5_000;
/// What one address may send, in messages a minute and characters an
/// hour, as a multiple of one sender's limits: senders that name
/// themselves (`client`) share their address's total, so a fresh `client`
/// per connection resets nothing; a few people behind one NAT still fit.
pub const ADDRESS_LIMIT_MULTIPLE: u32 = 3;
/// Characters one sender may have translated per hour.
pub const DEFAULT_CHARS_PER_HOUR: u32 = 100_000;
/// Characters the whole deployment may send to the engine per UTC day
/// (about 15 USD a day at Amazon Translate's list price); 0 is unlimited.
pub const DEFAULT_CHARS_PER_DAY: u64 = 1_000_000;
/// Rooms larger than this get no `presence` and no `typing`.
pub const DEFAULT_PRESENCE_MAX_MEMBERS: usize = 100;
/// Recipients up to this many are posted directly; more go through the
/// fan-out queue (when there is one).
pub const DEFAULT_FANOUT_DIRECT_MAX: usize = 1_000;
/// REST calls one source IP may make per minute.
pub const DEFAULT_REST_PER_MINUTE: u32 = 60;
/// Days messages and REST records are kept; 0 keeps them for ever.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Live connections one local server accepts (pending handshakes count).
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// How often the local server sweeps rows of connections no longer live.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// How long after sending a message its sender may edit or delete it
/// (`--edit-window`), in hours.
pub const DEFAULT_EDIT_WINDOW_HOURS: u32 = 24;
/// The daily budget's alarm threshold, in percent.
pub const BUDGET_ALARM_PERCENT: u64 = 80;
/// The longest link `GET /qr.svg` draws (a room link is far shorter; a QR
/// code of more is hard to scan from a screen).
pub const QR_MAX_TEXT_BYTES: usize = 512;
