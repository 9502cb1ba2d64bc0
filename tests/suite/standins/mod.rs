//! Stand-ins for the HTTP engines' servers, one module per API, each
//! implementing the documented request shape, auth, errors and languages
//! endpoint on a free port. They never echo: each answers with a
//! recognisable rendering and records (and checks) what it was sent.
//! `Served::stop` drops every connection at once (a killed server), and a
//! stand-in can be started again on the same port.

pub mod deepl;
pub mod libretranslate;

use std::net::SocketAddr;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A running stand-in server.
pub struct Served {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Served {
    /// Serves `app` on `addr` (port 0: a free one), retrying a moment for
    /// a port given up just before.
    pub async fn start(addr: SocketAddr, app: axum::Router) -> Self {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("stand-in cannot listen on {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            // Connections live in this set: aborting the task drops them all.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let service = TowerToHyperService::new(app.clone());
                connections.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills the server: the listener and every open connection go.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// A JSON answer.
pub fn json(status: u16, body: serde_json::Value) -> axum::response::Response {
    axum::response::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}
