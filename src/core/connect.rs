//! `$connect` and `$disconnect`, and clearing what a crashed local
//! instance left behind.

use super::{App, ConnectError, access, now_ms};
use crate::model::{ClientKey, Connection, ConnectionId, Lang, RoomName, UserName};
use crate::ports::{Admission, StoreError};

/// `$connect` query parameters as they came; `None` when absent. Its
/// `Debug` leaves out the token and the `client` secret.
#[derive(Clone, Default)]
pub struct ConnectParams {
    /// `room`, unchecked.
    pub room: Option<String>,
    /// `lang`, unchecked.
    pub lang: Option<String>,
    /// `name`, unchecked.
    pub name: Option<String>,
    /// `token` from the query string (never logged).
    pub token: Option<String>,
    /// `client` from the query string (never logged or echoed).
    pub client: Option<String>,
    /// The handshake's `Origin` header.
    pub origin: Option<String>,
    /// The handshake's `Host` header: an `Origin` of the same host is the
    /// page this server itself serves.
    pub host: Option<String>,
    /// `identity.sourceIp`.
    pub source_ip: Option<String>,
}

impl std::fmt::Debug for ConnectParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "…");
        f.debug_struct("ConnectParams")
            .field("room", &self.room)
            .field("lang", &self.lang)
            .field("name", &self.name)
            .field("token", &hidden(&self.token))
            .field("client", &hidden(&self.client))
            .field("origin", &self.origin)
            .field("host", &self.host)
            .field("source_ip", &self.source_ip)
            .finish()
    }
}

impl App {
    /// Whether a stored connection is so young that its own `$connect`
    /// may still be running.
    pub(super) fn connecting(conn: &Connection) -> bool {
        now_ms() - conn.connected_at < crate::limits::CONNECT_GRACE.as_millis() as i64
    }
}

/// `$connect`: takes a place in the room and tells its members, before
/// the gateway completes the handshake.
#[tracing::instrument(skip(app, params), fields(conn = %id))]
pub(super) async fn connect(
    app: &App,
    id: ConnectionId,
    params: ConnectParams,
    connected_at: i64,
) -> Result<(), ConnectError> {
    let asked = params.room.as_deref().map(RoomName::parse).transpose()?;
    let opened = access::admit(
        &app.policy,
        params.origin.as_deref(),
        params.host.as_deref(),
        params.token.as_deref(),
        asked.as_ref(),
        connected_at / 1000,
    )?;
    let admin = access::is_admin(&app.policy, params.token.as_deref(), connected_at / 1000);
    // A token's room is the default room.
    let room = asked.or(opened).unwrap_or_else(RoomName::lobby);
    let lang = params
        .lang
        .as_deref()
        .map(Lang::parse)
        .transpose()?
        .unwrap_or(Lang::EN);
    let name = match params.name.as_deref() {
        Some(n) => UserName::parse(n)?,
        None => UserName::guest(&id),
    };
    let conn = Connection {
        id,
        room,
        lang,
        name,
        connected_at,
        joined_at: connected_at,
        client: params.client.as_deref().map(ClientKey::parse).transpose()?,
        source_ip: params.source_ip,
        instance: app.instance.as_deref().map(str::to_owned),
        admin,
    };
    match app
        .store
        .put_connection(&conn, app.policy.max_room_members)
        .await?
    {
        Admission::Full => Err(ConnectError::RoomFull(conn.room.as_str().to_owned())),
        Admission::Admitted { count } => {
            app.presence_join(&conn, count).await;
            Ok(())
        }
    }
}

/// `$disconnect`: forgets the connection and tells the room.
#[tracing::instrument(skip(app), fields(conn = %id))]
pub(super) async fn disconnect(app: &App, id: &ConnectionId) {
    app.flood.forget(id);
    match app.store.delete_connection(id).await {
        Ok(Some(gone)) => {
            app.presence_leave(&gone.conn, gone.count).await;
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "delete connection"),
    }
}

/// Deletes the rows of every connection `instance` held, telling no
/// one: they belong to sockets of a process that is no more, and the
/// room never heard those members leave — nor should it now, when
/// nobody in it can be one of them. Returns how many went.
#[tracing::instrument(skip(app))]
pub(super) async fn clear_instance(app: &App, instance: &str) -> Result<usize, StoreError> {
    let mut cleared = 0;
    for conn in app.store.connections_of_instance(instance).await? {
        if app.store.delete_connection(&conn.id).await?.is_some() {
            // Its client is back soon, most likely: not a new member.
            app.note_left(&conn).await;
            cleared += 1;
        }
    }
    if cleared > 0 {
        tracing::info!(cleared, "removed connections left by an earlier run");
    }
    Ok(cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token_and_the_client() {
        let p = ConnectParams {
            room: Some("team".into()),
            token: Some("tok.SECRET".into()),
            client: Some("client-SECRET-value".into()),
            ..ConnectParams::default()
        };
        let shown = format!("{p:?}");
        assert!(
            shown.contains("team") && !shown.contains("SECRET"),
            "{shown}"
        );
    }
}
