//! The local stand-in for DynamoDB's TTL deletion: connections whose rows
//! outlived their socket (a lost `$disconnect`) are removed, with a
//! `presence` leave to their room, and rows past their `ttl` (used
//! `clientMsgId`s, old messages, REST records, counters) are deleted, at
//! start and then periodically.

use std::sync::Arc;

use super::gateway::Gateway;
use crate::limits::CONNECT_GRACE;

/// Expired rows deleted per sweep at most: the sweep never holds the store
/// for long, and a backlog goes over the next sweeps.
const PURGE_BATCH: usize = 5_000;

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
    // A connection this young may still be between `$connect` and its
    // registration as live; it is left for the next sweep.
    let cutoff = chrono::Utc::now().timestamp_millis() - CONNECT_GRACE.as_millis() as i64;
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
    // DynamoDB deletes expired items by itself; the embedded stores do it
    // here, so the file stops growing with traffic.
    match gw
        .app
        .store()
        .purge_expired(chrono::Utc::now().timestamp(), PURGE_BATCH)
        .await
    {
        Ok(0) => {}
        Ok(purged) => tracing::info!(purged, "deleted expired rows"),
        Err(e) => tracing::warn!(error = %e, "deleting expired rows"),
    }
    swept
}
