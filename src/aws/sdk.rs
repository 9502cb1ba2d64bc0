//! AWS SDK configuration shared by the adapters: one HTTPS client (rustls
//! with ring — the SDKs' default would pull in aws-lc, slow to build), and
//! loading region and credentials the SDK's usual way (environment,
//! profile, the Lambda's role).

use std::future::Future;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider, SharedHttpClient};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// Region used against DynamoDB Local when none is configured; DynamoDB
/// Local accepts any.
pub const LOCAL_REGION: &str = "us-east-1";

/// The HTTP(S) client every SDK client here uses. It also speaks plain
/// HTTP, for DynamoDB Local and the local management API.
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// Region and credentials the SDK's usual way (environment, profile, the
/// Lambda's role); `region`, when given, wins over them. For the Lambda,
/// where the environment has both.
pub async fn load(region: Option<String>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
    if let Some(region) = region {
        loader = loader.region(Region::new(region));
    }
    loader.load().await
}

/// For `honyaku serve` against AWS itself: region and credentials from the
/// environment and the profile files (`aws configure`) only — never the
/// instance metadata service, which a laptop has not got and would wait
/// on. `None` when no region is configured anywhere.
pub async fn load_local() -> Option<SdkConfig> {
    use aws_config::environment::{
        EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
    };
    use aws_config::meta::credentials::CredentialsProviderChain;
    use aws_config::meta::region::RegionProviderChain;
    use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
    use aws_config::provider_config::ProviderConfig;

    let providers = ProviderConfig::without_region().with_http_client(http_client());
    let region = RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(
            ProfileFileRegionProvider::builder()
                .configure(&providers)
                .build(),
        )
        .region()
        .await?;
    let providers = providers.with_region(Some(region.clone()));
    let credentials = CredentialsProviderChain::first_try(
        "Environment",
        EnvironmentVariableCredentialsProvider::new(),
    )
    .or_else(
        "Profile",
        ProfileFileCredentialsProvider::builder()
            .configure(&providers)
            .build(),
    );
    // Given a region and credentials, the loader asks nothing else remote.
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .region(region)
        .credentials_provider(credentials)
        .load()
        .await;
    Some(sdk)
}

/// Configuration for a DynamoDB at `endpoint` (DynamoDB Local), from the
/// environment variables alone — no profile lookups, and never the
/// instance metadata service, which a laptop or CI has not got: the keys
/// in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, else fixed ones, which
/// DynamoDB Local accepts; the region in `AWS_REGION`, else
/// [`LOCAL_REGION`].
pub async fn load_for_endpoint(endpoint: &str) -> SdkConfig {
    use aws_config::environment::{
        EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
    };
    use aws_config::meta::region::ProvideRegion;
    use aws_sdk_dynamodb::config::ProvideCredentials;

    let credentials = match EnvironmentVariableCredentialsProvider::new()
        .provide_credentials()
        .await
    {
        Ok(c) => c,
        Err(_) => Credentials::new("honyaku", "local", None, None, "honyaku-local"),
    };
    let region = EnvironmentVariableRegionProvider::new()
        .region()
        .await
        .unwrap_or_else(|| Region::new(LOCAL_REGION));
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .region(region)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// Runs `fut` to completion on a runtime of its own, on a thread of its
/// own. For start-up work in synchronous code that may itself be running
/// on any runtime, even a current-thread one, where `block_in_place` would
/// panic. The SDK clients it builds hold no tie to that runtime.
pub fn block_on<T: Send>(fut: impl Future<Output = T> + Send) -> std::io::Result<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                Ok(rt.block_on(fut))
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
