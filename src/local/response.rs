//! A Lambda proxy response — `$connect`'s `ApiGatewayProxyResponse` or the
//! HTTP API's `ApiGatewayV2httpResponse` — turned into the HTTP response
//! API Gateway would send: its status, its headers (the multi-value ones
//! added), its body.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body as LambdaBody;
use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, StatusCode};

/// The parts every Lambda proxy response has.
pub trait LambdaResponse {
    fn into_parts(self) -> (i64, HeaderMap, HeaderMap, Option<LambdaBody>);
}

impl LambdaResponse for ApiGatewayProxyResponse {
    fn into_parts(self) -> (i64, HeaderMap, HeaderMap, Option<LambdaBody>) {
        (
            self.status_code,
            self.headers,
            self.multi_value_headers,
            self.body,
        )
    }
}

impl LambdaResponse for ApiGatewayV2httpResponse {
    fn into_parts(self) -> (i64, HeaderMap, HeaderMap, Option<LambdaBody>) {
        (
            self.status_code,
            self.headers,
            self.multi_value_headers,
            self.body,
        )
    }
}

/// The HTTP response for `reply`; a status that is not one becomes 500.
pub fn into_response(reply: impl LambdaResponse) -> Response {
    let (status, headers, multi, body) = reply.into_parts();
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match body {
        Some(LambdaBody::Text(t)) => Body::from(t),
        Some(LambdaBody::Binary(b)) => Body::from(b),
        _ => Body::empty(),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let out = resp.headers_mut();
    for (k, v) in headers.iter() {
        out.insert(k.clone(), v.clone());
    }
    for (k, v) in multi.iter() {
        if !out.get_all(k).iter().any(|have| have == v) {
            out.append(k.clone(), v.clone());
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_convert_alike() {
        let mut v1 = ApiGatewayProxyResponse::default();
        v1.status_code = 403;
        v1.headers
            .insert("content-type", "application/json".parse().unwrap());
        v1.multi_value_headers.append("x-a", "1".parse().unwrap());
        v1.multi_value_headers.append("x-a", "2".parse().unwrap());
        v1.body = Some(LambdaBody::Text("{}".into()));
        let r = into_response(v1);
        assert_eq!(r.status(), 403);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers().get_all("x-a").iter().count(), 2);

        let mut v2 = ApiGatewayV2httpResponse::default();
        v2.status_code = 99_999;
        assert_eq!(into_response(v2).status(), 500);
    }
}
