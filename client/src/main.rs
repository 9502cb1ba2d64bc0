//! `honyaku-chat`: a terminal and script client for honyaku rooms.
//!
//! # Layout
//!
//! - `cli`: the flags, checked into `Settings` and a `Mode`.
//! - `target`: the URL and its `$connect` query parameters.
//! - `handshake`: one connection attempt and its errors in plain words.
//! - `connection`: the socket kept alive: keepalive, reconnect, re-join.
//! - `backoff`: reconnect delays with jitter.
//! - `chat`: a line-based session (interactive and stdin script modes).
//! - `outbox`: frames out in order, one message in flight at a time.
//! - `commands`: typed lines and slash commands.
//! - `interactive`: the line editor and printing above the prompt.
//! - `script`: `--send`, `--listen`, and the plain stdout/stderr screen.
//! - `render`: frames as lines, colours, control characters removed.
//! - `error`: the error type and the exit codes.
//!
//! The wire frames are the server crate's own (`honyaku::protocol`).

mod backoff;
mod chat;
mod cli;
mod commands;
mod connection;
mod error;
mod handshake;
mod interactive;
mod outbox;
mod render;
mod script;
mod target;

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::chat::{Chat, Screen};
use crate::cli::{Cli, Mode, Settings};
use crate::connection::{Connection, Options};
use crate::error::ClientError;
use crate::render::Renderer;

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
    let render = Renderer {
        color: render::want_color(stdout_tty) && !s.json,
        show_original: false,
    };
    let options = Options {
        connect_timeout: s.timeout,
        keepalive: s.keepalive,
        reconnect: s.reconnect,
    };
    let endpoint = s.target.endpoint().to_owned();
    let conn = Connection::open(s.target, options).await?;
    let connected = render.note(&format!("connected to {endpoint}"));
    match s.mode {
        Mode::Send(text) => script::send(conn, &text, s.json, render, s.timeout).await,
        Mode::Listen { count } => {
            script::Plain.warn(&connected);
            script::listen(conn, count, s.json, render).await
        }
        Mode::Lines => {
            script::Plain.warn(&connected);
            let chat = Chat {
                conn,
                screen: script::Plain,
                render,
                json: s.json,
                interactive: false,
                echo_timeout: s.timeout,
            };
            chat.run(script::stdin_lines()).await
        }
        Mode::Interactive => interactive::run(conn, render, s.timeout).await,
    }
}

fn fail(e: ClientError) -> ExitCode {
    eprintln!("honyaku-chat: {e}");
    ExitCode::from(e.exit_code())
}
