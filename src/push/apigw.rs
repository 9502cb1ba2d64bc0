//! [`ApiGatewayPush`]: delivery through the API Gateway Management API
//! (`PostToConnection` on `https://{domainName}/{stage}/@connections/{id}`).
//!
//! The endpoint comes from the events themselves (`domainName` and `stage`
//! of the request context), so the function needs no configuration that
//! would tie it to its own API — in the template that would be a Stage ↔
//! Function cycle. A configured endpoint wins (a custom domain name, or
//! the local gateway's `http://ADDR/STAGE` in tests).
//!
//! `GoneException` (HTTP 410) is [`PushError::Gone`], on which the core
//! deletes the connection's rows; every other failure is that recipient's
//! alone. Throttling (`LimitExceededException`) is retried by the SDK.

use std::sync::RwLock;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequestContext;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::http::HttpResponse;
use aws_sdk_apigatewaymanagement::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;

use crate::model::ConnectionId;
use crate::ports::{Frame, Push, PushError};

/// Posts frames to connections through the Management API.
pub struct ApiGatewayPush {
    sdk: SdkConfig,
    /// A configured endpoint; events cannot change it.
    fixed: Option<String>,
    /// The client for the endpoint in use, built once per endpoint.
    current: RwLock<Option<(String, Client)>>,
}

/// The Management API endpoint of the API and stage an event came from.
pub fn endpoint_for(domain_name: &str, stage: &str) -> String {
    format!("https://{domain_name}/{stage}")
}

impl ApiGatewayPush {
    /// A push that learns its endpoint from events ([`Self::use_event`]),
    /// or always uses `endpoint` when given.
    pub fn new(sdk: SdkConfig, endpoint: Option<String>) -> Self {
        let current = endpoint.as_ref().map(|e| (e.clone(), client(&sdk, e)));
        Self {
            sdk,
            fixed: endpoint,
            current: RwLock::new(current),
        }
    }

    /// Points the push at the API and stage of this event (unless an
    /// endpoint was configured). Cheap when it does not change.
    pub fn use_event(&self, ctx: &ApiGatewayWebsocketProxyRequestContext) {
        if self.fixed.is_some() {
            return;
        }
        let (Some(domain), Some(stage)) = (ctx.domain_name.as_deref(), ctx.stage.as_deref()) else {
            return;
        };
        let endpoint = endpoint_for(domain, stage);
        let same = |c: &Option<(String, Client)>| c.as_ref().is_some_and(|(e, _)| *e == endpoint);
        if same(&self.current.read().unwrap_or_else(|p| p.into_inner())) {
            return;
        }
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        if !same(&current) {
            tracing::info!(%endpoint, "management API endpoint");
            *current = Some((endpoint.clone(), client(&self.sdk, &endpoint)));
        }
    }

    /// The endpoint in use, if known yet.
    pub fn endpoint(&self) -> Option<String> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        current.as_ref().map(|(e, _)| e.clone())
    }
}

fn client(sdk: &SdkConfig, endpoint: &str) -> Client {
    let conf = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(conf)
}

#[async_trait]
impl Push for ApiGatewayPush {
    #[tracing::instrument(skip(self, frame), fields(bytes = frame.len()))]
    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Result<(), PushError> {
        self.client()?
            .post_to_connection()
            .connection_id(to.as_str())
            .data(Blob::new(frame.bytes().to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(map_error)
    }

    /// `DeleteConnection`: API Gateway closes the socket its own way (no
    /// close code of ours) and then runs `$disconnect`.
    #[tracing::instrument(skip(self, _code, _reason))]
    async fn close(
        &self,
        to: &ConnectionId,
        _code: u16,
        _reason: &'static str,
    ) -> Result<(), PushError> {
        let result = self
            .client()?
            .delete_connection()
            .connection_id(to.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx))
                if ctx.err().is_gone_exception() || ctx.raw().status().as_u16() == 410 =>
            {
                Err(PushError::Gone)
            }
            Err(SdkError::ServiceError(ctx)) if ctx.err().is_limit_exceeded_exception() => {
                Err(PushError::Throttled)
            }
            Err(e) => Err(PushError::Other(format!(
                "DeleteConnection: {}",
                e.code().unwrap_or("no response")
            ))),
        }
    }
}

impl ApiGatewayPush {
    /// The client for the endpoint in use.
    fn client(&self) -> Result<Client, PushError> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        match current.as_ref() {
            Some((_, c)) => Ok(c.clone()),
            None => Err(PushError::Other(
                "no management API endpoint: no event seen yet and none configured".into(),
            )),
        }
    }
}

/// An SDK error as a [`PushError`]: the service's error code and status,
/// never the frame.
fn map_error(e: SdkError<PostToConnectionError, HttpResponse>) -> PushError {
    match &e {
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            match ctx.err() {
                PostToConnectionError::GoneException(_) => PushError::Gone,
                _ if status == 410 => PushError::Gone,
                PostToConnectionError::PayloadTooLargeException(_) => PushError::PayloadTooLarge,
                // Still throttled after the SDK's own retries.
                PostToConnectionError::LimitExceededException(_) => PushError::Throttled,
                other => PushError::Other(format!(
                    "{} (HTTP {status})",
                    other.code().unwrap_or("unknown error")
                )),
            }
        }
        SdkError::TimeoutError(_) => PushError::Other("timed out".into()),
        SdkError::DispatchFailure(_) => {
            PushError::Other("could not reach the management API".into())
        }
        _ => PushError::Other("unreadable response from the management API".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_from_the_event() {
        assert_eq!(
            endpoint_for("abc123.execute-api.eu-west-1.amazonaws.com", "prod"),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
        );
    }
}
