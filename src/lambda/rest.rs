//! The REST API's entry: one API Gateway HTTP API event (payload format
//! 2.0) in, one `ApiGatewayV2httpResponse` out. The body is parsed here
//! into a typed [`TranslateRequest`] for the core; every refusal is JSON
//! `{"code","message"}`. `honyaku-lambda` calls it for HTTP events, the
//! local gateway for `POST /translate`, so both share every line below.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::{App, Caller, RestError, TranslateRequest};
use crate::limits::MAX_REST_BODY_BYTES;
use crate::model::{ChatText, InvalidInput, Lang, SourceLang, TranslationRecord};

/// The one route, as API Gateway names it in `routeKey`.
pub const ROUTE_KEY: &str = "POST /translate";

/// The body of a successful `POST /translate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranslateResponse {
    /// `translatedText`: the translation (the text itself for the same language).
    pub translated_text: String,
    /// `sourceLang`: the language translated from (the detected one for `auto`).
    pub source_lang: String,
    /// `targetLang`: the language asked for.
    pub target_lang: String,
    /// The call's id under which it is kept: a ULID.
    pub id: String,
}

impl From<TranslationRecord> for TranslateResponse {
    fn from(r: TranslationRecord) -> Self {
        Self {
            translated_text: r.translated_text,
            source_lang: r.source_lang.as_str().to_owned(),
            target_lang: r.target_lang.as_str().to_owned(),
            id: r.id,
        }
    }
}

/// Whether a Lambda payload is an HTTP API event: only those carry
/// `requestContext.http` (WebSocket events have `connectionId` instead).
pub fn is_http_event(payload: &Value) -> bool {
    payload
        .pointer("/requestContext/http")
        .is_some_and(Value::is_object)
}

/// Handles one HTTP API event.
#[tracing::instrument(skip_all, fields(route, request))]
pub async fn handle(app: &App, event: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
    let span = tracing::Span::current();
    let route = event.route_key.as_deref().unwrap_or("-");
    span.record("route", route);
    span.record(
        "request",
        event.request_context.request_id.as_deref().unwrap_or("-"),
    );
    // API Gateway sends only the routes the template names; anything else
    // is a misconfiguration, answered the way API Gateway would.
    if route != ROUTE_KEY {
        return error(404, "not_found", "the only route is POST /translate");
    }
    // Only JSON: a page elsewhere can send a `text/plain` POST without
    // asking first (no CORS preflight), never an `application/json` one.
    if !is_json(event.headers.get(http::header::CONTENT_TYPE)) {
        return error(
            415,
            "unsupported_media_type",
            "the body must be JSON, sent with Content-Type: application/json",
        );
    }
    let body = match body_bytes(&event) {
        Ok(body) => body,
        Err(e) => return refused(&e),
    };
    // API Gateway passes up to 10 MB; the text limit is far below that.
    if body.len() > MAX_REST_BODY_BYTES {
        return error(
            413,
            "payload_too_large",
            &format!("the body is over {MAX_REST_BODY_BYTES} bytes"),
        );
    }
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(e) => return refused(&e),
    };
    let caller = Caller {
        source_ip: event
            .request_context
            .http
            .source_ip
            .clone()
            .unwrap_or_else(|| "unknown".into()),
    };
    match app.translate_text(request, &caller).await {
        Ok(record) => json(200, &TranslateResponse::from(record)),
        Err(e) => refused(&e),
    }
}

/// Whether a `Content-Type` is `application/json` (any parameters).
pub fn is_json(content_type: Option<&http::HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The body as bytes; API Gateway base64-encodes what it takes for binary.
fn body_bytes(event: &ApiGatewayV2httpRequest) -> Result<Vec<u8>, RestError> {
    let body = event.body.as_deref().unwrap_or_default();
    if event.is_base64_encoded {
        STANDARD
            .decode(body)
            .map_err(|_| bad("the body is not valid base64"))
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// `{"text","sourceLang","targetLang"}`, all three required strings;
/// other fields are ignored.
pub fn parse_body(body: &[u8]) -> Result<TranslateRequest, RestError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| bad("the body is not valid JSON"))?;
    let Value::Object(map) = value else {
        return Err(bad("the body must be a JSON object"));
    };
    Ok(TranslateRequest {
        text: ChatText::parse(field(&map, "text")?)?,
        source: SourceLang::parse(field(&map, "sourceLang")?)?,
        target: Lang::parse(field(&map, "targetLang")?)?,
    })
}

fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, RestError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(bad(&format!("missing field `{name}`"))),
        Some(_) => Err(bad(&format!("`{name}` must be a string"))),
    }
}

fn bad(message: &str) -> RestError {
    RestError::Invalid(InvalidInput::BadRequest(message.to_owned()))
}

fn refused(e: &RestError) -> ApiGatewayV2httpResponse {
    tracing::info!(code = e.code(), status = e.status(), "request refused");
    error(e.status(), e.code(), &e.public_message())
}

fn error(status: u16, code: &str, message: &str) -> ApiGatewayV2httpResponse {
    json(
        status,
        &serde_json::json!({ "code": code, "message": message }),
    )
}

fn json(status: u16, body: &impl Serialize) -> ApiGatewayV2httpResponse {
    let mut r = ApiGatewayV2httpResponse::default();
    r.status_code = i64::from(status);
    r.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    r.body = Some(Body::Text(
        serde_json::to_string(body).expect("responses always serialize"),
    ));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> (u16, &'static str) {
        let e = parse_body(body.as_bytes()).unwrap_err();
        (e.status(), e.code())
    }

    #[test]
    fn only_json_content_types() {
        let v = |s: &str| Some(http::HeaderValue::from_str(s).unwrap());
        assert!(is_json(v("application/json").as_ref()));
        assert!(is_json(v("Application/JSON; charset=utf-8").as_ref()));
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/jsonx",
        ] {
            assert!(!is_json(v(bad).as_ref()), "{bad}");
        }
        assert!(!is_json(None));
    }

    #[test]
    fn parses_the_three_fields() {
        let r =
            parse_body(br#"{"text":" Hi ","sourceLang":"auto","targetLang":"es","x":1}"#).unwrap();
        assert_eq!(r.text.as_str(), "Hi");
        assert_eq!(r.source, SourceLang::Auto);
        assert_eq!(r.target.as_str(), "es");
    }

    #[test]
    fn refuses_bad_bodies_with_400() {
        assert_eq!(code("not json"), (400, "bad_request"));
        assert_eq!(code("[1]"), (400, "bad_request"));
        assert_eq!(
            code(r#"{"sourceLang":"en","targetLang":"es"}"#),
            (400, "bad_request")
        );
        assert_eq!(
            code(r#"{"text":5,"sourceLang":"en","targetLang":"es"}"#),
            (400, "bad_request")
        );
        assert_eq!(
            code(r#"{"text":"","sourceLang":"en","targetLang":"es"}"#),
            (400, "empty_text")
        );
        assert_eq!(
            code(r#"{"text":"a","sourceLang":"xx","targetLang":"es"}"#),
            (400, "invalid_lang")
        );
        assert_eq!(
            code(r#"{"text":"a","sourceLang":"en","targetLang":"auto"}"#),
            (400, "invalid_lang")
        );
    }

    #[test]
    fn tells_http_events_from_websocket_ones() {
        let http = serde_json::json!({"requestContext": {"http": {"method": "POST"}}});
        let ws =
            serde_json::json!({"requestContext": {"connectionId": "x", "routeKey": "$connect"}});
        assert!(is_http_event(&http));
        assert!(!is_http_event(&ws));
    }
}
