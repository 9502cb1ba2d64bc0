//! moto's server for the SQS and SSM tests: `scripts/test` starts
//! `moto_server` (installed by scripts/setup from PyPI's `moto[server]`)
//! and exports its URL as `HONYAKU_SQS_ENDPOINT`. Without the variable a
//! test is skipped — except under `CI=true`, where that is a failure.

use std::io::Write;

use aws_config::SdkConfig;

pub const ENDPOINT_VAR: &str = "HONYAKU_SQS_ENDPOINT";

/// The SDK configuration for moto (any credentials, region us-east-1),
/// or `None` after saying why `test` is skipped.
pub async fn sdk(test: &str) -> Option<SdkConfig> {
    match std::env::var(ENDPOINT_VAR) {
        Ok(url) if !url.is_empty() => Some(super::sdk::load_for_endpoint(&url).await),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{ENDPOINT_VAR} is not set, so the SQS and SSM tests cannot run; in CI, \
             scripts/test must start moto_server (installed by scripts/setup) and export it"
        ),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIP {test}: {ENDPOINT_VAR} is not set (scripts/test starts moto_server and sets it)"
            );
            None
        }
    }
}
