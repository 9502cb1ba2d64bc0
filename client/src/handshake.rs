//! One connection attempt, and what to tell a person when it fails: the
//! network error in plain words, or the HTTP status of a refused handshake
//! together with the parameter it most likely blames.

use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::ClientError;
use crate::reasons;
use crate::target::Target;

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens the WebSocket, giving up after `timeout`.
#[tracing::instrument(skip_all, fields(endpoint = target.endpoint()))]
pub async fn connect(target: &Target, timeout: Duration) -> Result<Socket, ClientError> {
    let endpoint = target.endpoint().to_owned();
    let mut request = target
        .url()
        .into_client_request()
        .map_err(|e| ClientError::BadUrl {
            url: endpoint.clone(),
            reason: e.to_string(),
        })?;
    request.headers_mut().insert(
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("honyaku-chat/", env!("CARGO_PKG_VERSION"))),
    );
    let attempt = tokio_tungstenite::connect_async(request);
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok((socket, _))) => {
            tracing::debug!("connected");
            Ok(socket)
        }
        Ok(Err(e)) => Err(classify(e, endpoint)),
        Err(_) => Err(ClientError::Unreachable {
            endpoint,
            reason: format!("no answer within {}s", timeout.as_secs_f32()),
        }),
    }
}

fn classify(e: WsError, endpoint: String) -> ClientError {
    match e {
        WsError::Http(resp) => {
            let status = resp.status();
            let body = resp.body().as_deref().unwrap_or_default();
            ClientError::Rejected {
                endpoint,
                status: status.as_u16(),
                reason: status
                    .canonical_reason()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default(),
                hint: rejection_hint(status.as_u16(), body),
            }
        }
        WsError::Io(e) => ClientError::Unreachable {
            endpoint,
            reason: reasons::network(&e),
        },
        WsError::Url(e) => ClientError::BadUrl {
            url: endpoint,
            reason: e.to_string(),
        },
        WsError::Tls(e) => ClientError::Unreachable {
            endpoint,
            reason: format!("TLS failed: {e}"),
        },
        other => ClientError::Unreachable {
            endpoint,
            reason: format!("not a WebSocket endpoint? {other}"),
        },
    }
}

/// Which parameter a refused handshake most likely blames. A local server
/// sends `{"code","message"}` and names it; API Gateway sends only the
/// status, so the status alone must do.
pub fn rejection_hint(status: u16, body: &[u8]) -> String {
    let detail = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        let code = v.get("code")?.as_str()?.to_owned();
        let message = v.get("message").and_then(Value::as_str).unwrap_or("");
        Some((code, message.to_owned()))
    });
    if let Some((code, message)) = detail {
        let flag = match code.as_str() {
            "invalid_room" => "; check --room and the URL's query",
            "invalid_lang" => "; check --lang and the URL's query",
            "invalid_name" => "; check --name and the URL's query",
            "unauthorized" => "; check --token and the URL's query",
            "room_full" => "; try again later, or another --room",
            _ => "",
        };
        return format!("{code}: {message}{flag}");
    }
    match status {
        400 => "a connection parameter was refused: check --room, --lang and --name, \
                and the URL's query"
            .into(),
        401 => "missing or wrong access token: check --token".into(),
        403 => "the server does not accept this client's Origin".into(),
        404 => "nothing at this path: the URL must end with the stage, \
                e.g. ws://127.0.0.1:8080/local"
            .into(),
        429 => "the server is at its connection limit, or the room is full; \
                try again later"
            .into(),
        s if s >= 500 => "the server failed; try again".into(),
        _ => "the server refused the connection".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_parameter() {
        let h = rejection_hint(
            400,
            br#"{"code":"invalid_lang","message":"unknown language code \"xx\""}"#,
        );
        assert!(h.contains("invalid_lang") && h.contains("--lang"), "{h}");
        assert!(rejection_hint(400, b"").contains("--lang"));
        assert!(rejection_hint(401, b"").contains("--token"));
        assert!(rejection_hint(404, b"").contains("stage"));
        assert!(rejection_hint(429, b"").contains("limit"));
        assert!(rejection_hint(429, b"").contains("room is full"));
        let full = rejection_hint(429, br#"{"code":"room_full","message":"room is full"}"#);
        assert!(full.contains("another --room"), "{full}");
        assert!(rejection_hint(502, b"").contains("try again"));
    }
}
