//! `run(listener, config, shutdown)`: the local gateway's HTTP routes —
//! the WebSocket at `/{stage}`, the management API, `/healthz`, and the
//! chat page at `/` — until `shutdown` resolves; then every connection is
//! closed with its `$disconnect` before `run` returns.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use http::{HeaderValue, header};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use super::connections::Registry;
use super::gateway::{Gateway, handshake};
use super::management;
use crate::config::{ServeConfig, StoreKind, TranslatorKind};
use crate::core::App;
use crate::ports::{Push, Store, StoreError, Translator};
use crate::store::{MemoryStore, RedbStore};
use crate::translate::{NoTranslator, PseudoTranslator};

/// Why the local server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the {0} is not built yet in this version of honyaku; use {1}")]
    NotBuilt(&'static str, &'static str),
    #[error("opening the store: {0}")]
    Store(#[from] StoreError),
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The page may load only itself: no inline script, no third parties.
const CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; \
                   style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'";

/// The core with the adapters `config` names and the given `push`.
pub fn build_app(config: &ServeConfig, push: Arc<dyn Push>) -> Result<App, ServeError> {
    let store: Arc<dyn Store> = match config.store {
        StoreKind::Memory => Arc::new(MemoryStore::in_memory()),
        StoreKind::Redb => Arc::new(RedbStore::open(&config.data_dir)?),
        StoreKind::Dynamodb => {
            return Err(ServeError::NotBuilt(
                "dynamodb store",
                "--store redb or --store memory",
            ));
        }
    };
    let translator: Arc<dyn Translator> = match config.translator {
        TranslatorKind::Pseudo => Arc::new(PseudoTranslator),
        TranslatorKind::None => Arc::new(NoTranslator),
        TranslatorKind::Apertium => {
            return Err(ServeError::NotBuilt(
                "apertium translator",
                "--translator pseudo or --translator none",
            ));
        }
        TranslatorKind::Aws => {
            return Err(ServeError::NotBuilt(
                "aws translator",
                "--translator pseudo or --translator none",
            ));
        }
    };
    Ok(App::new(store, translator, push))
}

/// A configured local gateway, ready to serve: adapters opened, so start-up
/// errors surface before anything is printed or bound.
pub struct Prepared {
    app: App,
    registry: Arc<Registry>,
    config: ServeConfig,
}

/// Opens the store and engine that `config` names.
pub fn prepare(config: ServeConfig) -> Result<Prepared, ServeError> {
    let registry = Arc::new(Registry::default());
    let app = build_app(&config, registry.clone())?;
    Ok(Prepared {
        app,
        registry,
        config,
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
    /// Serves until `shutdown` resolves, then closes every connection (each
    /// gets `$disconnect`) and returns.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let addr = listener.local_addr()?;
        let gw = Arc::new(Gateway {
            app: self.app,
            registry: self.registry,
            // The events' domainName is where this gateway listens.
            domain_name: addr.to_string(),
            shutdown: CancellationToken::new(),
            sessions: TaskTracker::new(),
            config: self.config,
        });
        tracing::info!(%addr, stage = %gw.config.stage, store = %gw.config.store,
            translator = %gw.config.translator, "serving");
        serve(gw, listener, shutdown).await
    }
}

async fn serve(
    gw: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let stage = &gw.config.stage;
    let page = ServeDir::new(&gw.config.web_dir);
    let router = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(&format!("/{stage}"), get(handshake))
        .route(
            &format!("/{stage}/@connections/{{id}}"),
            get(management::get)
                .post(management::post)
                .delete(management::delete)
                // Over-limit bodies get API Gateway's 413, not axum's.
                .layer(DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .fallback_service(page)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(gw.clone());

    let stop = gw.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        stop.cancel();
    });
    let stopped = gw.shutdown.clone();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stopped.cancelled().await })
    .await?;

    // Sessions saw the same cancellation; wait for their `$disconnect`s.
    gw.sessions.close();
    gw.sessions.wait().await;
    tracing::info!("stopped");
    Ok(())
}
