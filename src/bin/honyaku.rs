//! `honyaku serve`: the whole chat on one machine, no cloud.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use honyaku::config::{ServeConfig, StoreKind, TranslatorKind, parse_duration, parse_stage};
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
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Stage: the WebSocket URL is ws://ADDR/STAGE.
    #[arg(long, default_value = "local", value_parser = parse_stage)]
    stage: String,
    /// memory | redb | dynamodb
    #[arg(long, default_value = "redb")]
    store: StoreKind,
    /// Directory of the redb store.
    #[arg(long, default_value = "./honyaku-data")]
    data: PathBuf,
    /// apertium | aws | pseudo | none
    #[arg(long, default_value = "pseudo")]
    translator: TranslatorKind,
    /// Directory of the chat page served at `/`.
    #[arg(long)]
    web: Option<PathBuf>,
    /// Close connections idle this long (API Gateway: 10m).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    idle_timeout: Duration,
    /// Close connections after this long (API Gateway: 2h).
    #[arg(long, default_value = "2h", value_parser = parse_duration)]
    max_connection: Duration,
}

#[tokio::main]
async fn main() -> ExitCode {
    match serve_main().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "honyaku=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let Command::Serve(args) = Cli::parse().command;
    let defaults = ServeConfig::default();
    let config = ServeConfig {
        stage: args.stage,
        store: args.store,
        data_dir: args.data,
        translator: args.translator,
        web_dir: args.web.unwrap_or(defaults.web_dir),
        idle_timeout: args.idle_timeout,
        max_connection: args.max_connection,
    };
    let stage = config.stage.clone();
    let server = honyaku::local::prepare(config)?;
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // One write; a closed stdout must not stop the server.
    let _ = writeln!(
        std::io::stdout(),
        "listening on http://{addr}\nchat page: http://{addr}/   websocket: ws://{addr}/{stage}"
    );
    server.run(listener, shutdown_signal()).await?;
    Ok(())
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
