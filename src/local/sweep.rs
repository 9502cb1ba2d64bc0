//! The local stand-in for DynamoDB's TTL deletion: connections whose rows
//! outlived their socket (a crash, a lost `$disconnect`) are removed, with
//! a `presence` leave to their room, at start and then periodically.

use std::sync::Arc;
use std::time::Duration;

use super::gateway::Gateway;

/// A connection this young may still be between `$connect` and its
/// registration as live; it is left for the next sweep.
const GRACE: Duration = Duration::from_secs(30);

/// Sweeps until shutdown.
pub async fn run(gw: Arc<Gateway>) {
    loop {
        sweep_once(&gw).await;
        tokio::select! {
            _ = tokio::time::sleep(gw.config.sweep_every) => {}
            _ = gw.shutdown.cancelled() => return,
        }
    }
}

/// Runs `$disconnect` for stored connections that are not live.
#[tracing::instrument(skip_all)]
pub async fn sweep_once(gw: &Gateway) -> usize {
    let cutoff = chrono::Utc::now().timestamp_millis() - GRACE.as_millis() as i64;
    let stale = match gw.app.store().connections_before(cutoff).await {
        Ok(conns) => conns,
        Err(e) => {
            tracing::warn!(error = %e, "listing connections to sweep");
            return 0;
        }
    };
    let mut swept = 0;
    for conn in stale {
        if gw.registry.info(&conn.id).is_none() {
            gw.app.disconnect(&conn.id).await;
            swept += 1;
        }
    }
    if swept > 0 {
        tracing::info!(swept, "removed connections that were no longer live");
    }
    swept
}
