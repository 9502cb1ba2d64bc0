//! `run(listener, config, shutdown)`: the local gateway's HTTP routes —
//! the WebSocket at `/{stage}`, the management API, the REST API's
//! `POST /translate`, `/healthz`, and the chat page at `/`, each behind
//! the Host check — until
//! `shutdown` resolves or the server loop fails; then every task stops,
//! every connection is closed with its `$disconnect`, and `run` returns
//! once all of them have finished.

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use http::header;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::connections::Registry;
use super::gateway::Gateway;
use super::handshake::handshake;
use super::host_check::{self, Hosts};
use super::slots::Slots;
use super::web::{Site, SiteError};
use super::{listener, management, management_access, rest, rest_cors, web};
use crate::config::{APERTIUM_INSTALL, ServeConfig, StoreKind, TranslatorKind};
use crate::core::App;
use crate::limits::MAX_REST_BODY_BYTES;
use crate::ports::{EngineStatus, Push, Reach, Store, StoreError, Translator};
use crate::store::{MemoryStore, RedbStore};
use crate::translate::apertium::{Apertium, ApertiumError};
use crate::translate::cache::Cached;
use crate::translate::deepl::Deepl;
use crate::translate::engine::Engine;
use crate::translate::http::HttpError;
use crate::translate::libretranslate::LibreTranslate;
use crate::translate::router::Router as EngineRouter;
use crate::translate::{NoTranslator, PseudoTranslator};

/// Engine results kept in memory (a few MB at most).
const TRANSLATION_CACHE_ENTRIES: NonZeroUsize = NonZeroUsize::new(4096).expect("non-zero");

/// Why the local server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Apertium was chosen but is missing or broken; says how to install it.
    #[error("{0}; install Apertium with: {APERTIUM_INSTALL}")]
    Apertium(#[from] ApertiumError),
    /// The store could not be opened.
    #[error("opening the store: {0}")]
    Store(#[from] StoreError),
    /// Binding or serving the socket failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
    /// The instance id could not be read or kept.
    #[error(transparent)]
    Instance(#[from] super::instance::InstanceError),
    /// An AWS adapter asked of a build without them.
    #[error(
        "the {0} needs the AWS adapters, which this binary was built without; \
         build with `--features aws` (e.g. `cargo run --release --features aws -- serve ...`)"
    )]
    NeedsAws(&'static str),
    /// `--web DIR` could not be read.
    #[error(transparent)]
    Web(#[from] SiteError),
    /// An engine of `--translator` could not be set up (a bad URL, no key).
    #[error("--translator {0}: {1}")]
    Engine(&'static str, String),
    /// An AWS adapter (`--store dynamodb`, `--translator aws`) could not be set up.
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Aws(#[from] super::aws::SetupError),
}

/// What the page shows about this server: the engine, and why it is not
/// the one a user would expect.
async fn status(
    axum::extract::State(gw): axum::extract::State<Arc<Gateway>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let languages = match gw.app.translator().reach() {
        Reach::All => serde_json::json!("all"),
        Reach::Pairs(pairs) => serde_json::json!(
            pairs
                .iter()
                .map(|(from, to)| (
                    from.as_str(),
                    to.iter().map(|l| l.as_str()).collect::<Vec<_>>()
                ))
                .collect::<std::collections::BTreeMap<_, _>>()
        ),
    };
    let engines: Vec<_> = gw
        .app
        .translator()
        .engines()
        .iter()
        .map(engine_json)
        .collect();
    let body = serde_json::json!({
        "engine": gw.config.translator.to_string(),
        "stage": gw.config.stage,
        "notice": gw.config.translator_notice,
        "languages": languages,
        "engines": engines,
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// One engine of `/status.json`: `{"name","ok","pairs"}`, with `url` for
/// an HTTP engine and `notice` when it is not ok (`pairs` null: all).
fn engine_json(e: &EngineStatus) -> serde_json::Value {
    let mut v = serde_json::json!({"name": e.name, "ok": e.ok, "pairs": e.pairs});
    if let Some(url) = &e.url {
        v["url"] = url.as_str().into();
    }
    if let Some(notice) = &e.notice {
        v["notice"] = notice.as_str().into();
    }
    v
}

/// One engine of `--translator`, set up.
fn engine(kind: TranslatorKind, config: &ServeConfig) -> Result<Arc<dyn Engine>, ServeError> {
    let http = |e: HttpError| ServeError::Engine("libretranslate", e.to_string());
    Ok(match kind {
        TranslatorKind::Pseudo => Arc::new(PseudoTranslator),
        TranslatorKind::None => Arc::new(NoTranslator),
        TranslatorKind::Apertium => Arc::new(Apertium::discover(&config.apertium_modes)?),
        TranslatorKind::LibreTranslate => Arc::new(
            LibreTranslate::new(
                &config.engines.libretranslate_url,
                config.engines.libretranslate_api_key.clone(),
            )
            .map_err(http)?,
        ),
        TranslatorKind::Deepl => Arc::new(
            Deepl::new(
                config.engines.deepl_auth_key.as_deref(),
                config.engines.deepl_api_url.as_deref(),
            )
            .map_err(|e| ServeError::Engine("deepl", e.to_string()))?,
        ),
        #[cfg(feature = "aws")]
        TranslatorKind::Aws => Arc::new(super::aws::amazon_translate()?),
        #[cfg(not(feature = "aws"))]
        TranslatorKind::Aws => return Err(ServeError::NeedsAws("aws translator")),
    })
}

/// The engines `config` lists, behind one router.
pub fn build_router(config: &ServeConfig) -> Result<EngineRouter, ServeError> {
    let engines = config
        .translator
        .0
        .iter()
        .map(|kind| engine(*kind, config))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EngineRouter::new(engines, config.engines.router))
}

/// The core with the adapters `config` names and the given `push`, and
/// the engine router inside it (for its start and refreshes).
pub fn build_app(
    config: &ServeConfig,
    push: Arc<dyn Push>,
) -> Result<(App, EngineRouter), ServeError> {
    let store: Arc<dyn Store> = match config.store {
        StoreKind::Memory => Arc::new(MemoryStore::in_memory()),
        StoreKind::Redb => Arc::new(RedbStore::open(&config.data_dir)?),
        #[cfg(feature = "aws")]
        StoreKind::Dynamodb => Arc::new(super::aws::dynamodb_store(config)?),
        #[cfg(not(feature = "aws"))]
        StoreKind::Dynamodb => return Err(ServeError::NeedsAws("dynamodb store")),
    };
    let router = build_router(config)?;
    // The cache in front of the router holds across engines.
    let translator: Arc<dyn Translator> =
        Arc::new(Cached::new(router.clone(), TRANSLATION_CACHE_ENTRIES));
    let app = App::new(store, translator, push).with_policy(config.policy.clone());
    Ok((app, router))
}

/// A configured local gateway, ready to serve: adapters opened, so start-up
/// errors surface before anything is printed or bound.
pub struct Prepared {
    app: App,
    engines: EngineRouter,
    registry: Arc<Registry>,
    site: Arc<Site>,
    config: ServeConfig,
    instance: String,
    queue: super::queue::Pending,
}

/// Opens the store and engine that `config` names, and the page.
pub fn prepare(config: ServeConfig) -> Result<Prepared, ServeError> {
    let site = Arc::new(Site::new(config.web_dir.as_deref(), &config.stage)?);
    let registry = Arc::new(Registry::default());
    let instance = super::instance::id(&config)?;
    let (queue, pending) = super::queue::channel();
    let (app, engines) = build_app(&config, registry.clone())?;
    let app = app
        .with_instance(instance.as_str())
        .with_queue(Arc::new(queue));
    Ok(Prepared {
        app,
        engines,
        registry,
        site,
        config,
        instance,
        queue: pending,
    })
}

/// [`prepare`] and [`Prepared::run`] in one.
pub async fn run(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    prepare(config)?.run(listener, shutdown).await
}

impl Prepared {
    /// The same server over another engine (the end-to-end suite's
    /// engine doubles).
    pub fn with_translator(mut self, translator: Arc<dyn Translator>) -> Self {
        self.app = self.app.with_translator(translator);
        self
    }

    /// The core this server runs, its store included (the simulated AWS
    /// fan-out bench drives a second core on the same store).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Reads every engine's pairs (once; `run` does it too) and says how
    /// each stands, for the start-up lines.
    pub async fn engines(&self) -> Vec<EngineStatus> {
        self.engines.start().await;
        self.engines.engines()
    }

    /// Serves until `shutdown` resolves, then closes every connection (each
    /// gets `$disconnect`) and returns.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let addr = listener.local_addr()?;
        self.engines.start().await;
        // Rows this instance left in a crash go before anyone is let in,
        // quietly: nobody in those rooms is one of them.
        self.app.clear_instance(&self.instance).await?;
        let gw = Arc::new(Gateway {
            app: self.app,
            registry: self.registry,
            // The events' domainName is where this gateway listens.
            domain_name: addr.to_string().into(),
            stage: self.config.stage.as_str().into(),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            slots: Slots::new(
                self.config.max_connections,
                self.config.max_connections_per_ip,
            ),
            site: self.site,
            hosts: Hosts::new(addr, &self.config.allowed_hosts),
            config: self.config,
        });
        tracing::info!(%addr, stage = %gw.config.stage, store = %gw.config.store,
            translator = %gw.config.translator, instance = %self.instance, "serving");
        if gw.config.policy.allowed_origins.iter().any(|o| o == "*") {
            tracing::warn!(
                "--allowed-origin '*': any web page the user visits may open this chat's \
                 WebSocket (read history, post as the user)"
            );
        }
        self.queue
            .start(gw.app.clone(), &gw.tasks, gw.shutdown.clone());
        let (engines, every, stop) = (
            self.engines,
            gw.config.engines.refresh_every,
            gw.shutdown.clone(),
        );
        // Pairs are read again now and then: a LibreTranslate started (or
        // given more models) after honyaku is picked up without a restart.
        gw.tasks.spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(every) => engines.refresh().await,
                }
            }
        });
        serve(gw, listener, shutdown).await
    }
}

async fn serve(
    gw: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let stage = &gw.config.stage;
    let router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/status.json", get(status))
        .route("/qr.svg", get(super::qr::route))
        .route(&format!("/{stage}"), get(handshake))
        .route(
            &format!("/{stage}/@connections/{{id}}"),
            get(management::get)
                .post(management::post)
                .delete(management::delete)
                // Over-limit bodies get API Gateway's 413, not axum's.
                .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
                .layer(from_fn_with_state(gw.clone(), management_access::guard)),
        )
        .route(
            "/translate",
            post(rest::translate)
                // Only ever answered for a listed origin (rest_cors).
                .options(|| async { http::StatusCode::NO_CONTENT })
                .layer(DefaultBodyLimit::max(MAX_REST_BODY_BYTES))
                .layer(from_fn_with_state(gw.clone(), rest_cors::guard)),
        )
        // The page's handlers see only the page, not the gateway.
        .fallback_service(
            Router::new()
                .fallback(web::page)
                .with_state(gw.site.clone()),
        )
        .layer(from_fn_with_state(
            Arc::new(gw.hosts.clone()),
            host_check::guard,
        ))
        .layer(from_fn_with_state(gw.site.clone(), web::security_headers))
        .with_state(gw.clone());

    gw.tasks.spawn(super::sweep::run(gw.clone()));
    let stop = gw.shutdown.clone();
    gw.tasks.spawn(async move {
        tokio::select! {
            _ = shutdown => stop.cancel(),
            _ = stop.cancelled() => {}
        }
    });
    let served = listener::accept_loop(gw.clone(), listener, router).await;
    if let Err(e) = &served {
        tracing::error!(error = %e, "the server loop failed; stopping everything");
    }
    // Whether asked to or because the loop failed: every task sees the
    // same cancellation; sessions close and run their `$disconnect`s.
    gw.shutdown.cancel();
    gw.tasks.close();
    gw.tasks.wait().await;
    tracing::info!(slow_readers_closed = gw.registry.slow_closed(), "stopped");
    Ok(served?)
}
