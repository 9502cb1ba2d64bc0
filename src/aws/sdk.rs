//! AWS SDK configuration shared by the adapters: one HTTPS client (rustls
//! with ring — the SDKs' default would pull in aws-lc, slow to build —
//! trusting the Amazon roots compiled in), clients built on first use, and
//! loading region and credentials the SDK's usual way (environment,
//! profile, the Lambda's role).

use std::future::Future;
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider, SharedHttpClient};
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode};

/// Region used against DynamoDB Local when none is configured; DynamoDB
/// Local accepts any.
pub const LOCAL_REGION: &str = "us-east-1";

/// The roots every AWS service endpoint chains to (see the file's header).
pub const AMAZON_ROOTS: &str = include_str!("roots.pem");

/// The HTTP(S) client every SDK client here uses: it trusts the Amazon
/// roots alone, compiled in — reading and parsing the machine's CA
/// directory was most of the Lambda's start (BENCHMARKS.md). It also
/// speaks plain HTTP, for DynamoDB Local, moto and the local management
/// API. All clients built from one [`SdkConfig`] share its connection
/// pool, so each host costs one TLS handshake, whichever client asks first.
pub fn http_client() -> SharedHttpClient {
    https(TrustStore::empty().with_pem_certificate(AMAZON_ROOTS))
}

/// An HTTP(S) client trusting the platform's roots: for an endpoint that
/// is not AWS's own name, such as a custom domain (`PUSH_ENDPOINT`) whose
/// certificate may come from any CA. They are read when it first connects.
pub fn http_client_platform_roots() -> SharedHttpClient {
    https(TrustStore::default())
}

fn https(roots: TrustStore) -> SharedHttpClient {
    let tls = TlsContext::builder()
        .with_trust_store(roots)
        .build()
        .unwrap_or_default();
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(tls)
        .build_https()
}

/// A value made on first use instead of at init: SDK clients that many
/// invocations never need (building one parses its endpoint rules and
/// sets up its connector).
pub struct OnFirstUse<T> {
    cell: OnceLock<T>,
    make: Box<dyn Fn() -> T + Send + Sync>,
}

impl<T: 'static> OnFirstUse<T> {
    /// Makes the value with `make` when it is first asked for.
    pub fn new(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self {
            cell: OnceLock::new(),
            make: Box::new(make),
        }
    }

    /// A client of `sdk`'s configuration, e.g. `aws_sdk_sqs::Client::new`.
    pub fn client(sdk: &SdkConfig, build: fn(&SdkConfig) -> T) -> Self {
        let sdk = sdk.clone();
        Self::new(move || build(&sdk))
    }

    /// One already made (tests, mocks).
    pub fn ready(value: T) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(value);
        Self {
            cell,
            make: Box::new(|| unreachable!("OnFirstUse::ready is set")),
        }
    }

    /// The value, made now if it was not yet.
    pub fn get(&self) -> &T {
        self.cell.get_or_init(|| (self.make)())
    }
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

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    #[test]
    fn the_compiled_in_roots_are_five_certificates() {
        let mut count = 0;
        for block in AMAZON_ROOTS.split("-----BEGIN CERTIFICATE-----").skip(1) {
            let body: String = block
                .split("-----END CERTIFICATE-----")
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap();
            assert_eq!(der[0], 0x30, "a DER SEQUENCE");
            count += 1;
        }
        assert_eq!(count, 5);
    }

    #[test]
    fn on_first_use_makes_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let lazy = OnFirstUse::new(|| MADE.fetch_add(1, Ordering::SeqCst) + 41);
        assert_eq!(MADE.load(Ordering::SeqCst), 0, "nothing made before use");
        assert_eq!(*lazy.get(), 41);
        assert_eq!(*lazy.get(), 41);
        assert_eq!(MADE.load(Ordering::SeqCst), 1);
        assert_eq!(*OnFirstUse::ready(7).get(), 7);
    }
}
