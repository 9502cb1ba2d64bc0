//! `POST /translate` on the local gateway, the way an API Gateway HTTP API
//! serves it: the request becomes a payload-2.0 `ApiGatewayV2httpRequest`,
//! goes through its JSON form to [`crate::lambda::rest::handle`] (the entry
//! `honyaku-lambda` calls), and the `ApiGatewayV2httpResponse` comes back
//! as the HTTP response.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use aws_lambda_events::apigw::{
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpRequestContextHttpDescription,
};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::request::Parts;
use http::{StatusCode, header};

use super::client_ip::client_ip;
use super::events::new_id;
use super::gateway::Gateway;
use super::response::into_response;
use crate::lambda::rest::ROUTE_KEY;
use crate::limits::MAX_REST_BODY_BYTES;

/// `POST /translate`. The router caps the body at [`MAX_REST_BODY_BYTES`];
/// over that, or unreadable, the answer is JSON like every other refusal.
pub async fn translate(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                &format!("the body is over {MAX_REST_BODY_BYTES} bytes"),
            );
        }
        Err(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the body could not be read",
            );
        }
    };
    let caller = client_ip(peer, &parts.headers, &gw.config.trusted_proxies);
    let event = http_event(&parts, &body, caller, &gw.domain_name);
    // Through the JSON form, as the Lambda runtime would hand it over.
    let event = serde_json::to_vec(&event)
        .and_then(|json| serde_json::from_slice::<ApiGatewayV2httpRequest>(&json));
    match event {
        Ok(event) => into_response(crate::lambda::rest::handle(&gw.app, event).await),
        Err(e) => {
            tracing::error!(error = %e, "event did not survive its JSON form");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server could not complete the request",
            )
        }
    }
}

/// The event an HTTP API with a `$default` stage sends for this request.
fn http_event(
    parts: &Parts,
    body: &[u8],
    caller: IpAddr,
    domain_name: &str,
) -> ApiGatewayV2httpRequest {
    let now = chrono::Utc::now();
    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = parts.method.clone();
    http.path = Some(parts.uri.path().to_owned());
    http.protocol = Some(format!("{:?}", parts.version));
    http.source_ip = Some(caller.to_string());
    http.user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let mut rc = ApiGatewayV2httpRequestContext::default();
    rc.route_key = Some(ROUTE_KEY.to_owned());
    rc.account_id = Some("local".into());
    rc.stage = Some("$default".into());
    rc.request_id = Some(new_id());
    rc.apiid = Some("local".into());
    rc.domain_name = Some(domain_name.to_owned());
    rc.domain_prefix = domain_name.split(['.', ':']).next().map(str::to_owned);
    rc.time = Some(now.format("%d/%b/%Y:%H:%M:%S %z").to_string());
    rc.time_epoch = now.timestamp_millis();
    rc.http = http;

    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".into());
    event.route_key = Some(ROUTE_KEY.to_owned());
    event.raw_path = Some(parts.uri.path().to_owned());
    event.raw_query_string = Some(parts.uri.query().unwrap_or_default().to_owned());
    event.headers = parts.headers.clone();
    event.request_context = rc;
    // Text as text; anything else base64-encoded, as API Gateway does.
    match std::str::from_utf8(body) {
        Ok(text) => {
            event.body = Some(text.to_owned());
            event.is_base64_encoded = false;
        }
        Err(_) => {
            event.body = Some(STANDARD.encode(body));
            event.is_base64_encoded = true;
        }
    }
    event
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
