//! Secrets from SSM Parameter Store — the room-token secret, the DeepL
//! key: one `GetParameter` (decrypted) on the first event, kept for the
//! life of the instance. A SecureString keeps the secret out of the
//! template, its parameters and the function's configuration, where a
//! plain environment variable would show it.

use aws_sdk_ssm::Client;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};

use crate::core::TokenSecret;

/// Why a secret could not be read. Never carries the value.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {what} from SSM parameter {name}: {why}")]
pub struct SecretError {
    /// What the parameter holds (the room-token secret, the DeepL key).
    pub what: &'static str,
    /// The SSM parameter's name.
    pub name: String,
    /// What went wrong, in words (an SDK error code at most, never the value).
    pub why: String,
}

/// The room-token secret in the parameter `name`.
pub async fn from_ssm(client: &Client, name: &str) -> Result<TokenSecret, SecretError> {
    let what = "the room-token secret";
    let value = string_from_ssm(client, name, what).await?;
    TokenSecret::parse(&value).map_err(|e| SecretError {
        what,
        name: name.to_owned(),
        why: e.to_string(),
    })
}

/// The decrypted value of the parameter `name`, which holds `what`.
#[tracing::instrument(skip(client))]
pub async fn string_from_ssm(
    client: &Client,
    name: &str,
    what: &'static str,
) -> Result<String, SecretError> {
    let fail = |why: String| SecretError {
        what,
        name: name.to_owned(),
        why,
    };
    let out = client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| {
            fail(match &e {
                SdkError::ServiceError(ctx) => ctx.err().code().unwrap_or("unknown error").into(),
                SdkError::TimeoutError(_) => "timed out".into(),
                SdkError::DispatchFailure(_) => "could not reach SSM".into(),
                _ => "unreadable response from SSM".into(),
            })
        })?;
    match out.parameter.and_then(|p| p.value) {
        Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        _ => Err(fail("the parameter has no value".into())),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ssm::types::ParameterType;

    use super::*;
    use crate::aws::moto;

    #[tokio::test]
    async fn reads_a_secure_string_from_moto() {
        let Some(sdk) = moto::sdk("reads_a_secure_string_from_moto").await else {
            return;
        };
        let client = Client::new(&sdk);
        let name = format!("/honyaku-test/{}", ulid::Ulid::generate());
        client
            .put_parameter()
            .name(&name)
            .value("s3cret value, long enough")
            .r#type(ParameterType::SecureString)
            .send()
            .await
            .expect("moto: PutParameter");
        let secret = from_ssm(&client, &name).await.unwrap();
        assert_eq!(secret, TokenSecret::new("s3cret value, long enough"));

        let err = from_ssm(&client, &format!("{name}-missing"))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ParameterNotFound"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}
