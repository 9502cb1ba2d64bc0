//! The events API Gateway sends to the Lambda for a WebSocket API, built
//! field for field: `CONNECT` (with headers and query string), `MESSAGE`
//! (with `messageId` and body), `DISCONNECT` (with the close code).

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::apigw::{
    ApiGatewayWebsocketProxyRequest, ApiGatewayWebsocketProxyRequestContext,
};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;

/// What every event of one connection shares. Kept for the connection's
/// life; what every connection has in common is shared, not copied.
#[derive(Debug, Clone)]
pub struct EventContext {
    /// The stage (`requestContext.stage`), `local` by default.
    pub stage: Arc<str>,
    /// `host:port` of the gateway; API Gateway's `{apiId}.execute-api...`.
    pub domain_name: Arc<str>,
    /// `requestContext.connectionId`.
    pub connection_id: String,
    /// When the handshake was accepted (ms since the epoch): `connectedAt`.
    pub connected_at_ms: i64,
    /// The peer's address: `identity.sourceIp`.
    pub source_ip: String,
    /// The handshake's `User-Agent`: `identity.userAgent`.
    pub user_agent: Option<String>,
}

/// API Gateway's ids look like `ZLnPzcHhoAMCJoA=`: 11 random bytes, base64.
pub fn new_id() -> String {
    STANDARD.encode(rand::random::<[u8; 11]>())
}

fn base(ctx: &EventContext, route_key: &str, event_type: &str) -> ApiGatewayWebsocketProxyRequest {
    let now = chrono::Utc::now();
    let request_id = new_id();
    let mut rc = ApiGatewayWebsocketProxyRequestContext::default();
    rc.route_key = Some(route_key.to_owned());
    rc.event_type = Some(event_type.to_owned());
    rc.message_direction = Some("IN".into());
    rc.stage = Some(ctx.stage.to_string());
    rc.domain_name = Some(ctx.domain_name.to_string());
    rc.connection_id = Some(ctx.connection_id.clone());
    rc.connected_at = ctx.connected_at_ms;
    rc.request_time_epoch = now.timestamp_millis();
    rc.request_time = Some(now.format("%d/%b/%Y:%H:%M:%S %z").to_string());
    rc.extended_request_id = Some(request_id.clone());
    rc.request_id = Some(request_id);
    rc.apiid = Some("local".into());
    rc.identity.source_ip = Some(ctx.source_ip.clone());
    rc.identity.user_agent = ctx.user_agent.clone();
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    event.request_context = rc;
    event.is_base64_encoded = false;
    event
}

/// `$connect`: the handshake's headers and query string.
pub fn connect_event(
    ctx: &EventContext,
    headers: &HeaderMap,
    query: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(ctx, "$connect", "CONNECT");
    // As API Gateway builds proxy events: `headers` holds the last value
    // of a repeated header, `multiValueHeaders` every value in order.
    let mut last = HeaderMap::with_capacity(headers.keys_len());
    for (k, v) in headers {
        last.insert(k.clone(), v.clone());
    }
    event.headers = last;
    event.multi_value_headers = headers.clone();
    let mut single: HashMap<String, String> = HashMap::new();
    let mut multi: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded(query) {
        // API Gateway keeps the last value in the single-value map.
        single.insert(k.clone(), v.clone());
        multi.entry(k).or_default().push(v);
    }
    event.query_string_parameters = QueryMap::from(single);
    event.multi_value_query_string_parameters = QueryMap::from(multi);
    event
}

/// A frame from the client, already routed (`route_key` is its action or
/// `$default`). Binary frames travel base64-encoded.
pub fn message_event(
    ctx: &EventContext,
    route_key: &str,
    body: &[u8],
    binary: bool,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(ctx, route_key, "MESSAGE");
    event.request_context.message_id = Some(new_id());
    if binary {
        event.body = Some(STANDARD.encode(body));
        event.is_base64_encoded = true;
    } else {
        event.body = Some(String::from_utf8_lossy(body).into_owned());
    }
    event
}

/// `$disconnect`, with the close code and reason.
pub fn disconnect_event(
    ctx: &EventContext,
    status: u16,
    reason: &str,
) -> ApiGatewayWebsocketProxyRequest {
    let mut event = base(ctx, "$disconnect", "DISCONNECT");
    event.request_context.disconnect_status_code = Some(i64::from(status));
    event.request_context.disconnect_reason = Some(reason.to_owned());
    event
}

/// Decodes `a=1&b=x%20y` (with `+` as space).
fn form_urlencoded(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(super) fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&decode(s, true)).into_owned()
}

/// A URL path, percent-decoded (`+` stays `+`); `None` if not UTF-8.
pub(super) fn percent_decode_path(s: &str) -> Option<String> {
    String::from_utf8(decode(s, false)).ok()
}

fn decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) if plus_is_space => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> EventContext {
        EventContext {
            stage: "local".into(),
            domain_name: "127.0.0.1:8080".into(),
            connection_id: "L0SM9cOFvHcCIhw=".into(),
            connected_at_ms: 1_764_150_000_000,
            source_ip: "127.0.0.1".into(),
            user_agent: Some("test".into()),
        }
    }

    /// The JSON form of every event parses back into the same event, with
    /// the fields API Gateway documents under their wire names.
    #[test]
    fn events_survive_their_json_form() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "127.0.0.1:8080".parse().unwrap());
        let events = [
            connect_event(&ctx(), &headers, "room=a&name=%E3%81%82+b&lang=ja"),
            message_event(
                &ctx(),
                "translate",
                br#"{"action":"translate","text":"hi"}"#,
                false,
            ),
            message_event(&ctx(), "$default", &[0, 159, 146], true),
            disconnect_event(&ctx(), 1001, "Going away"),
        ];
        for event in events {
            let json = serde_json::to_value(&event).unwrap();
            let rc = &json["requestContext"];
            for field in [
                "routeKey",
                "eventType",
                "connectionId",
                "connectedAt",
                "requestTimeEpoch",
                "requestTime",
                "requestId",
                "stage",
                "domainName",
                "messageDirection",
                "apiId",
            ] {
                assert!(!rc[field].is_null(), "{field} missing in {json}");
            }
            assert_eq!(rc["identity"]["sourceIp"], "127.0.0.1");
            assert_eq!(rc["identity"]["userAgent"], "test");
            if rc["eventType"] == "MESSAGE" {
                assert!(rc["messageId"].is_string());
            }
            let back: ApiGatewayWebsocketProxyRequest = serde_json::from_value(json).unwrap();
            assert_eq!(back, event);
        }
    }

    #[test]
    fn query_strings_decode() {
        let e = connect_event(
            &ctx(),
            &HeaderMap::new(),
            "room=a&name=%E3%81%82+b&lang=ja&x=%zz",
        );
        assert_eq!(e.query_string_parameters.first("name"), Some("あ b"));
        assert_eq!(e.query_string_parameters.first("x"), Some("%zz"));
        assert_eq!(e.query_string_parameters.first("room"), Some("a"));
    }

    /// A repeated header and a repeated query parameter: the single-value
    /// maps hold the last value, the multi-value maps all of them, in
    /// order, in the event and in its JSON form.
    #[test]
    fn repeated_headers_and_parameters_are_kept() {
        let mut headers = HeaderMap::new();
        headers.append("x-test", "one".parse().unwrap());
        headers.append("x-test", "two".parse().unwrap());
        headers.insert("host", "h".parse().unwrap());
        let e = connect_event(&ctx(), &headers, "lang=ja&lang=es&room=r");
        assert_eq!(e.headers.get("x-test").unwrap(), "two");
        assert_eq!(e.headers.get_all("x-test").iter().count(), 1);
        let all: Vec<_> = e.multi_value_headers.get_all("x-test").iter().collect();
        assert_eq!(all, ["one", "two"]);
        assert_eq!(e.query_string_parameters.first("lang"), Some("es"));
        assert_eq!(
            e.multi_value_query_string_parameters.all("lang"),
            Some(vec!["ja", "es"])
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["headers"]["x-test"], "two");
        assert_eq!(
            json["multiValueHeaders"]["x-test"],
            serde_json::json!(["one", "two"])
        );
        let back: ApiGatewayWebsocketProxyRequest = serde_json::from_value(json).unwrap();
        assert_eq!(back.query_string_parameters.first("lang"), Some("es"));
        assert_eq!(back.headers.get("x-test").unwrap(), "two");
    }

    #[test]
    fn ids_look_like_api_gateway_ids() {
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
    }
}
