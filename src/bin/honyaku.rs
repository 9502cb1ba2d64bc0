//! `honyaku serve`: the whole chat on one machine, no cloud.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use honyaku::config::{
    APERTIUM_INSTALL, Cidr, DEFAULT_ADDR, EngineConfig, FlagDuration, ManagementKey, ServeConfig,
    StoreKind, TranslatorKind, Translators, parse_duration, parse_instance_id, parse_stage,
};
use honyaku::core::policy::{edit_window_hours, retention_days};
use honyaku::core::{Policy, TokenSecret, access};
use honyaku::limits;
use honyaku::model::RoomName;
use honyaku::ports::EngineStatus;
use honyaku::translate::apertium::Apertium;
use honyaku::translate::engine::Engine;
use honyaku::translate::libretranslate::LibreTranslate;
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(name = "honyaku", version, about = "Realtime translation chat")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local API Gateway, store and engine, and serve the chat page.
    Serve(Box<ServeArgs>),
    /// Print an access token that opens one room (for `--token-secret`).
    Token(TokenArgs),
}

#[derive(clap::Args)]
struct TokenArgs {
    /// The server's token secret.
    #[arg(long, env = "HONYAKU_TOKEN_SECRET", hide_env_values = true)]
    secret: String,
    /// The room the token opens.
    #[arg(long)]
    room: String,
    /// How long the token is valid, e.g. 30m, 1h, 24h (at most 30 days).
    #[arg(long, default_value = "1h", value_parser = parse_ttl)]
    ttl: Duration,
    /// An admin token: besides opening the room, it may change the room
    /// glossary (which, with tokens required, only admins may).
    #[arg(long)]
    admin: bool,
}

fn parse_ttl(s: &str) -> Result<Duration, String> {
    let ttl = parse_duration(s).map_err(|e| e.to_string())?;
    if ttl > limits::MAX_TOKEN_TTL {
        let hours = limits::MAX_TOKEN_TTL.as_secs() / 3600;
        return Err(format!(
            "{s} is longer than the maximum of {} days ({hours}h)",
            hours / 24
        ));
    }
    Ok(ttl)
}

/// The flags' defaults are the configuration's own (`ServeConfig`,
/// `Policy`, `limits.rs`), so they are written once.
static DEFAULTS: LazyLock<ServeConfig> = LazyLock::new(ServeConfig::default);

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value_t = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Stage: the WebSocket URL is ws://ADDR/STAGE.
    #[arg(long, default_value_t = DEFAULTS.stage.clone(), value_parser = parse_stage)]
    stage: String,
    /// memory | redb | dynamodb
    #[arg(long, default_value_t = DEFAULTS.store)]
    store: StoreKind,
    /// Directory of the redb store.
    #[arg(long, default_value_os_t = DEFAULTS.data_dir.clone())]
    data: PathBuf,
    /// Engines in order of preference, comma-separated: apertium,
    /// libretranslate, deepl, aws, pseudo, none. Per language pair the
    /// first that translates it is used (default: apertium when installed,
    /// plus libretranslate when one answers at --libretranslate-url; else
    /// pseudo).
    #[arg(long, value_name = "LIST")]
    translator: Option<Translators>,
    /// Where a LibreTranslate (or LTEngine) server listens.
    #[arg(long, env = "LIBRETRANSLATE_URL", value_name = "URL",
        default_value_t = DEFAULTS.engines.libretranslate_url.clone())]
    libretranslate_url: String,
    /// The LibreTranslate server's API key, if it wants one.
    #[arg(
        long,
        env = "LIBRETRANSLATE_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    libretranslate_api_key: Option<String>,
    /// The DeepL API key; one ending in :fx uses DeepL API Free.
    #[arg(
        long,
        env = "DEEPL_AUTH_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    deepl_auth_key: Option<String>,
    /// The DeepL endpoint, instead of the one the key implies.
    #[arg(long, env = "DEEPL_API_URL", value_name = "URL")]
    deepl_api_url: Option<String>,
    /// One call to one engine may take this long; then the next engine
    /// for the pair is tried.
    #[arg(long, default_value_t = FlagDuration(DEFAULTS.engines.router.call_timeout))]
    engine_timeout: FlagDuration,
    /// Where Apertium's modes are installed.
    #[arg(long, default_value_os_t = DEFAULTS.apertium_modes.clone())]
    apertium_modes: PathBuf,
    /// Serve the chat page from this directory instead of the copy built
    /// into the binary (for work on the page).
    #[arg(long, value_name = "DIR")]
    web: Option<PathBuf>,
    /// Close connections idle this long (API Gateway: 10m).
    #[arg(long, default_value_t = FlagDuration(DEFAULTS.idle_timeout))]
    idle_timeout: FlagDuration,
    /// Close connections after this long (API Gateway: 2h).
    #[arg(long, default_value_t = FlagDuration(DEFAULTS.max_connection))]
    max_connection: FlagDuration,
    /// With --store dynamodb: DynamoDB Local's URL (default: AWS itself,
    /// with the environment's region and credentials).
    #[arg(long, value_name = "URL")]
    dynamodb_endpoint: Option<String>,
    /// With --store dynamodb: the table, created if missing.
    #[arg(long, value_name = "NAME", default_value_t = DEFAULTS.table.clone())]
    table: String,
    /// Also accept WebSocket handshakes from this Origin (repeatable;
    /// exact match). By default only the page's own origin and clients
    /// that send no Origin; '*' accepts any web page.
    #[arg(long = "allowed-origin", value_name = "URL")]
    allowed_origins: Vec<String>,
    /// Also answer requests whose Host is this name (repeatable; `NAME` or
    /// `NAME:PORT`), e.g. the public name of a shared server behind a
    /// proxy. By default only the address the server listens on (and
    /// localhost on loopback): other names get 421 (DNS rebinding).
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// A proxy in front of this server (repeatable; an address or a range,
    /// e.g. 127.0.0.1/32): requests from it are taken to come from the
    /// right-most X-Forwarded-For address that is not a trusted proxy, for
    /// the per-address limits and sourceIp. Without it X-Forwarded-For is
    /// ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    trusted_proxies: Vec<Cidr>,
    /// Require access tokens signed with this secret at $connect.
    #[arg(long, env = "HONYAKU_TOKEN_SECRET", hide_env_values = true)]
    token_secret: Option<String>,
    /// Chat messages one sender (its client, else its address) may send
    /// per minute; a connection flooding frames past it is refused, then
    /// closed.
    #[arg(long, default_value_t = DEFAULTS.policy.messages_per_minute)]
    rate_limit: u32,
    /// Members one room may hold.
    #[arg(long, default_value_t = DEFAULTS.policy.max_room_members)]
    max_room_members: usize,
    /// Live connections this server accepts (pending handshakes count).
    #[arg(long, default_value_t = DEFAULTS.max_connections)]
    max_connections: usize,
    /// Live connections one source address may hold (default: no limit).
    #[arg(long, value_name = "N")]
    max_connections_per_ip: Option<usize>,
    /// Require AWS SigV4 signatures by this key (ACCESS_KEY_ID:SECRET) on
    /// every management API call, from any peer. Without it, only this
    /// machine may call the management API.
    #[arg(
        long,
        env = "HONYAKU_MANAGEMENT_KEY",
        hide_env_values = true,
        value_name = "ID:SECRET"
    )]
    management_key: Option<ManagementKey>,
    /// This server's id on the rows of its connections (default: kept in
    /// DATA/instance-id, created once; a fresh one with --store memory).
    #[arg(long, value_parser = parse_instance_id)]
    instance_id: Option<String>,
    /// Characters one sender may have translated per hour.
    #[arg(long, default_value_t = DEFAULTS.policy.chars_per_hour)]
    chars_per_hour: u32,
    /// Characters sent to the engine per UTC day, for the whole server;
    /// 0 is unlimited (default: 1,000,000 for an engine that bills — aws,
    /// deepl — as on the Lambda; unlimited for local engines).
    #[arg(long, env = "CHARS_PER_DAY")]
    chars_per_day: Option<u64>,
    /// Rooms larger than this get no presence and no typing.
    #[arg(long, env = "PRESENCE_MAX_MEMBERS", default_value_t = DEFAULTS.policy.presence_max_members)]
    presence_max_members: usize,
    /// REST calls (POST /translate) one address may make per minute.
    #[arg(long, default_value_t = DEFAULTS.policy.rest_per_minute)]
    rest_rate_limit: u32,
    /// How long messages and REST records are kept, in days (`30d`, or
    /// `30`); 0 keeps them for ever.
    #[arg(long, default_value_t = limits::DEFAULT_RETENTION_DAYS, value_parser = parse_days)]
    retention: u32,
    /// How long after sending a message its sender may edit or delete it,
    /// in hours (`24h`, or `24`); 0 allows neither.
    #[arg(long, env = "EDIT_WINDOW_HOURS", default_value_t = limits::DEFAULT_EDIT_WINDOW_HOURS, value_parser = parse_hours)]
    edit_window: u32,
}

/// `24h` or `24`: a whole number of hours.
fn parse_hours(s: &str) -> Result<u32, String> {
    s.strip_suffix('h')
        .unwrap_or(s)
        .parse()
        .map_err(|_| format!("bad edit window {s:?}; use a number of hours such as 24h"))
}

/// `30d` or `30`: a whole number of days.
fn parse_days(s: &str) -> Result<u32, String> {
    s.strip_suffix('d').unwrap_or(s).parse().map_err(|_| {
        format!("bad retention {s:?}; use a number of days such as 30d (0d keeps everything)")
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve(args) => serve(*args).await,
        Command::Token(args) => token(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn token(args: TokenArgs) -> anyhow::Result<()> {
    let room = RoomName::parse(&args.room)?;
    let secret = TokenSecret::parse(&args.secret)?;
    let expires = chrono::Utc::now().timestamp() + args.ttl.as_secs() as i64;
    println!("{}", access::mint_as(&secret, &room, expires, args.admin));
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "honyaku=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let token_secret = args
        .token_secret
        .as_deref()
        .map(TokenSecret::parse)
        .transpose()
        .context("--token-secret (HONYAKU_TOKEN_SECRET)")?;
    let mut engines = EngineConfig {
        libretranslate_url: args.libretranslate_url,
        libretranslate_api_key: args.libretranslate_api_key,
        deepl_auth_key: args.deepl_auth_key,
        deepl_api_url: args.deepl_api_url,
        ..DEFAULTS.engines.clone()
    };
    engines.router.call_timeout = args.engine_timeout.0;
    let (translator, translator_notice) =
        pick_translator(args.translator, &args.apertium_modes, &engines).await;
    // Billed engines get the Lambda's daily budget unless told otherwise.
    let chars_per_day = args
        .chars_per_day
        .unwrap_or(translator.default_chars_per_day());
    let config = ServeConfig {
        stage: args.stage,
        store: args.store,
        data_dir: args.data,
        translator,
        engines,
        translator_notice,
        apertium_modes: args.apertium_modes,
        web_dir: args.web,
        idle_timeout: args.idle_timeout.0,
        max_connection: args.max_connection.0,
        dynamodb_endpoint: args.dynamodb_endpoint,
        table: args.table,
        policy: Policy {
            messages_per_minute: args.rate_limit,
            max_room_members: args.max_room_members,
            chars_per_hour: args.chars_per_hour,
            chars_per_day,
            presence_max_members: args.presence_max_members,
            rest_per_minute: args.rest_rate_limit,
            retention: retention_days(args.retention),
            edit_window: edit_window_hours(args.edit_window),
            allowed_origins: args.allowed_origins,
            token_secret,
            ..Policy::default()
        },
        max_connections: args.max_connections,
        max_connections_per_ip: args.max_connections_per_ip,
        management_key: args.management_key,
        instance_id: args.instance_id,
        allowed_hosts: args.allowed_hosts,
        trusted_proxies: args.trusted_proxies,
        ..DEFAULTS.clone()
    };
    let management_keyed = config.management_key.is_some();
    let stage = config.stage.clone();
    let server = honyaku::local::prepare(config)?;
    for engine in server.engines().await {
        eprintln!("{}", engine_line(&engine));
    }
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // One write; a closed stdout must not stop the server.
    let _ = writeln!(
        std::io::stdout(),
        "listening on http://{addr}\nchat page: http://{addr}/   websocket: ws://{addr}/{stage}"
    );
    if !addr.ip().is_loopback() {
        eprintln!("\n{}\n", network_note(&stage, management_keyed));
    }
    server.run(listener, shutdown_signal()).await?;
    Ok(())
}

/// What someone exposing the server on a network must know.
fn network_note(stage: &str, management_keyed: bool) -> String {
    let management = if management_keyed {
        "the management API (/STAGE/@connections) accepts only calls signed with \
         --management-key (AWS SigV4)"
    } else {
        "the management API (/STAGE/@connections) answers only this machine; \
         give --management-key ID:SECRET to call it signed from elsewhere"
    }
    .replace("STAGE", stage);
    format!(
        "*** Note: listening beyond this machine, without TLS: chat traffic and tokens \
         travel in clear text. Put a TLS proxy in front (README: \"Sharing on a network\"). \
         Web pages may connect only from this page's own origin (--allowed-origin adds \
         others); requests must name this server in Host (--allowed-host adds a name, \
         --trusted-proxy a proxy whose X-Forwarded-For is read); {management}."
    )
}

/// One start-up line: `engine libretranslate: ok, 812 pairs (http://…)`.
fn engine_line(e: &EngineStatus) -> String {
    let pairs = e
        .pairs
        .map_or_else(|| "all pairs".to_owned(), |n| format!("{n} pairs"));
    let url = e
        .url
        .as_ref()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    match &e.notice {
        None => format!("engine {}: ok, {pairs}{url}", e.name),
        Some(why) => format!("engine {}: NOT OK, {pairs}{url}: {why}", e.name),
    }
}

/// The engines asked for; or Apertium when it is installed plus a
/// LibreTranslate when one answers at its URL (a short probe); or else the
/// pseudo engine with a loud notice (shown here and on the page).
async fn pick_translator(
    asked: Option<Translators>,
    modes: &Path,
    engines: &EngineConfig,
) -> (Translators, Option<String>) {
    if let Some(list) = asked {
        return (list, None);
    }
    let mut found = Vec::new();
    if Apertium::installed(modes) {
        found.push(TranslatorKind::Apertium);
    }
    if libretranslate_answers(engines).await {
        found.push(TranslatorKind::LibreTranslate);
    }
    if !found.is_empty() {
        return (Translators(found), None);
    }
    let notice = format!(
        "Apertium is not installed and no LibreTranslate answers at {}, so messages are \
         only pseudo-translated (\"[es] text\"). For real translations: {APERTIUM_INSTALL}; \
         or start LibreTranslate (see the README) and pass --translator \
         apertium,libretranslate",
        engines.libretranslate_url
    );
    eprintln!("\n*** {notice}\n");
    (TranslatorKind::Pseudo.into(), Some(notice))
}

/// Whether a LibreTranslate lists its languages at the configured URL
/// within a moment.
async fn libretranslate_answers(engines: &EngineConfig) -> bool {
    let Ok(engine) = LibreTranslate::new(
        &engines.libretranslate_url,
        engines.libretranslate_api_key.clone(),
    ) else {
        return false;
    };
    matches!(
        tokio::time::timeout(limits::LIBRETRANSLATE_PROBE_TIMEOUT, engine.refresh()).await,
        Ok(Ok(()))
    )
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
