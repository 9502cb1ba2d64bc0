//! [`start_server`]: `honyaku serve` in-process on a free port, the one way
//! the end-to-end suite, the client's tests and the benches start it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{ServeConfig, StoreKind, TranslatorKind};
use crate::ports::Translator;

/// The memory store and the pseudo engine: fast, and nothing on disk.
pub fn test_config() -> ServeConfig {
    ServeConfig {
        store: StoreKind::Memory,
        translator: TranslatorKind::Pseudo.into(),
        ..ServeConfig::default()
    }
}

/// A running server; [`TestServer::stop`] shuts it down gracefully.
pub struct TestServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    stage: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts the server on `127.0.0.1:0` (a free port).
pub async fn start_server(config: ServeConfig) -> TestServer {
    start_server_on("127.0.0.1:0".parse().expect("an address"), config).await
}

/// Starts the server on a free port over `engine` instead of the one
/// `config` names (an engine double: counting, mangling).
pub async fn start_server_with_engine(
    config: ServeConfig,
    engine: Arc<dyn Translator>,
) -> TestServer {
    start(
        "127.0.0.1:0".parse().expect("an address"),
        config,
        Some(engine),
    )
    .await
}

/// Starts the server on `addr`; a port given up a moment ago may take a
/// little while to bind again.
pub async fn start_server_on(addr: SocketAddr, config: ServeConfig) -> TestServer {
    start(addr, config, None).await
}

async fn start(
    addr: SocketAddr,
    config: ServeConfig,
    engine: Option<Arc<dyn Translator>>,
) -> TestServer {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let listener = loop {
        match TcpListener::bind(addr).await {
            Ok(l) => break l,
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%addr, error = %e, "bind; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot listen on {addr}: {e}"),
        }
    };
    let addr = listener.local_addr().expect("a bound address");
    let stage = config.stage.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let mut prepared = crate::local::prepare(config).expect("the test server's set-up");
    if let Some(engine) = engine {
        prepared = prepared.with_translator(engine);
    }
    let task = tokio::spawn(async move {
        prepared
            .run(listener, async {
                let _ = stopped.await;
            })
            .await
            .expect("the test server failed");
    });
    TestServer {
        addr,
        stage,
        stop: Some(stop),
        task: Some(task),
    }
}

impl TestServer {
    /// `ws://ADDR/STAGE?query`.
    pub fn ws(&self, query: &str) -> String {
        format!("ws://{}/{}?{query}", self.addr, self.stage)
    }

    /// `http://ADDR{path}`.
    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Graceful shutdown, waiting for every `$disconnect`.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Every connection's `$disconnect` runs first: a thousand on
            // DynamoDB Local take a while.
            tokio::time::timeout(Duration::from_secs(60), task)
                .await
                .expect("the test server did not stop within 60 s")
                .expect("the test server task panicked");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
