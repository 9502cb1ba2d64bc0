//! `honyaku-chat`: a terminal and script client for honyaku rooms.
//!
//! # Layout
//!
//! - `cli`: the flags, checked into `Settings` and a `Mode`.
//! - `target`: the URL and its `$connect` query parameters.
//! - `capability`: whether this language translates on the server (`/status.json`).
//! - `handshake`: one connection attempt and why it was refused.
//! - `reasons`: network errors and close codes in plain words.
//! - `connection`: the socket kept alive: keepalive, reconnect, re-join.
//! - `backoff`: reconnect delays with jitter.
//! - `identity`: the `client` secret kept in the config directory.
//! - `chat`: a line-based session (interactive and stdin script modes).
//! - `incoming`: a session's frames: bookkeeping, then lines.
//! - `outbox`: frames out in order, messages pipelined.
//! - `answers`: what answers a frame other than a message.
//! - `screen`: where lines go; lines that update in place.
//! - `wrap`: long lines broken between words.
//! - `typing`: who is typing.
//! - `commands`: typed lines and slash commands.
//! - `requests`: the v1.2 commands about a message or the room.
//! - `handles`: short numbers (`#12`) standing for message ids.
//! - `glossary`: `/glossary add|remove` applied to the room's list.
//! - `export`: `/export FILE`, from history pages, written whole or not at all.
//! - `incoming_amend`: frames that carry on a glossary change or an export.
//! - `interactive`: the line editor and printing above the prompt.
//! - `script`: `--send`, `--listen`, and the plain stdout/stderr screen.
//! - `render`: frames as lines, colours, control characters removed.
//! - `render_amend`: edits, deletions, corrections, glossaries as lines.
//! - `mention`: whether a message names the reader.
//! - `bidi`: right-to-left names and text isolated (FSI…PDI) in a line.
//! - `error`: the error type and the exit codes.
//!
//! The wire frames are the server crate's own (`honyaku::protocol`).

mod answers;
mod backoff;
mod bidi;
mod capability;
mod chat;
mod cli;
mod commands;
mod connection;
mod error;
mod export;
mod glossary;
mod handles;
mod handshake;
mod identity;
mod incoming;
mod incoming_amend;
mod interactive;
mod mention;
mod outbox;
mod reasons;
mod render;
mod render_amend;
mod requests;
mod screen;
mod script;
mod target;
mod typing;
mod wrap;

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::capability::Capability;
use crate::chat::Chat;
use crate::cli::{Cli, Mode, Settings};
use crate::connection::{Connection, Options};
use crate::error::ClientError;
use crate::render::Renderer;
use crate::screen::Screen;
use crate::target::Target;

/// The language `$connect` assumes when none is given (docs/PROTOCOL.md).
const DEFAULT_LANG: &str = "en";
/// How long the start waits for /status.json at most (a local server answers at once).
const STATUS_WAIT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let stdout_tty = io::stdout().is_terminal();
    let settings = match Cli::parse().settings(io::stdin().is_terminal(), stdout_tty) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if settings.verbose {
        tracing_subscriber::fmt()
            .with_writer(io::stderr)
            .with_max_level(tracing::Level::DEBUG)
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(ClientError::Terminal(e.to_string())),
    };
    let result = runtime.block_on(run(settings, stdout_tty));
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

async fn run(s: Settings, stdout_tty: bool) -> Result<(), ClientError> {
    let chatting = matches!(s.mode, Mode::Lines | Mode::Interactive);
    let render = Renderer {
        color: render::want_color(stdout_tty) && !s.json,
        retry_key: matches!(s.mode, Mode::Interactive),
        // Where commands are typed, messages get numbers they can name.
        handles: chatting.then(Default::default),
        ..Renderer::default()
    };
    let options = Options {
        connect_timeout: s.timeout,
        keepalive: s.keepalive,
        reconnect: s.reconnect,
    };
    let mut target = s.target;
    if s.identity && !target.has("client") {
        keep_identity(&mut target, &render);
    }
    let endpoint = target.endpoint().to_owned();
    // Asked while the WebSocket connects; only a person chatting is warned.
    let lang = target.param("lang").unwrap_or(DEFAULT_LANG).to_owned();
    let status = matches!(s.mode, Mode::Lines | Mode::Interactive)
        .then(|| capability::status_authority(&endpoint))
        .flatten()
        .map(|authority| tokio::spawn(capability::fetch_status(authority, STATUS_WAIT)));
    let conn = Connection::open(target, options).await?;
    let connected = render.note(&format!("connected to {endpoint}"));
    let status = match status {
        Some(task) => task.await.ok().flatten(),
        None => None,
    };
    let warning = status
        .as_ref()
        .and_then(|status| capability::warning(status, &lang))
        .map(|w| render.note(&w));
    let capability = Capability::new(status, &lang);
    match s.mode {
        Mode::Send(text) => script::send(conn, &text, s.json, render, s.timeout).await,
        Mode::Listen { count } => {
            script::Plain::new().warn(&connected);
            script::listen(conn, count, s.json, render).await
        }
        Mode::Lines => {
            let mut screen = script::Plain::new();
            screen.warn(&connected);
            if let Some(warning) = &warning {
                screen.warn(warning);
            }
            let chat = Chat {
                conn,
                screen,
                render,
                json: s.json,
                interactive: false,
                echo_timeout: s.timeout,
                capability,
            };
            chat.run(script::stdin_lines()).await
        }
        Mode::Interactive => {
            if let Some(warning) = &warning {
                script::Plain::new().warn(warning);
            }
            interactive::run(conn, render, s.timeout, capability).await
        }
    }
}

/// Sends the kept `client` secret (made on first use). Without one the
/// chat still works; only recognising your messages after a restart does
/// not, so a problem is a note, not an error.
fn keep_identity(target: &mut Target, render: &Renderer) {
    let problem = match identity::default_path() {
        Some(path) => match identity::load_or_create(&path) {
            Ok(secret) => return target.set("client", &secret),
            Err(e) => format!("{}: {e}", path.display()),
        },
        None => "neither XDG_CONFIG_HOME nor HOME is set".into(),
    };
    script::Plain::new().warn(&render.note(&format!(
        "no identity kept ({problem}); your messages will not be known as yours after a restart"
    )));
}

fn fail(e: ClientError) -> ExitCode {
    eprintln!("honyaku-chat: {e}");
    ExitCode::from(e.exit_code())
}
