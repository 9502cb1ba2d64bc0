//! The Lambda's engines: `TRANSLATORS` (default `aws`) in order of
//! preference behind the router, `LIBRETRANSLATE_URL`, and the DeepL key
//! read once, on the first event, from the SSM SecureString named by
//! `DEEPL_AUTH_KEY_PARAMETER` (or given as `DEEPL_AUTH_KEY`, for tests and
//! local runs). Apertium does not run on Lambda.

use std::fmt;
use std::sync::Arc;

use aws_config::SdkConfig;

use super::secret::{self, SecretError};
use crate::config::{ConfigError, EngineConfig, TranslatorKind, Translators};
use crate::translate::deepl::Deepl;
use crate::translate::engine::Engine;
use crate::translate::libretranslate::LibreTranslate;
use crate::translate::router::Router;
use crate::translate::{AmazonTranslate, NoTranslator, PseudoTranslator};

/// A key given as is, or the name of the SSM parameter that holds it.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `DEEPL_AUTH_KEY`: the key itself (tests, local runs).
    Value(String),
    /// `DEEPL_AUTH_KEY_PARAMETER`: an SSM SecureString's name.
    SsmParameter(String),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(_) => f.write_str("Value(…)"),
            Self::SsmParameter(name) => write!(f, "SsmParameter({name:?})"),
        }
    }
}

/// What the function's engines are configured by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaEngines {
    /// `TRANSLATORS`, default `aws`.
    pub translators: Translators,
    /// URLs, the LibreTranslate key, timing (the DeepL key comes apart).
    pub engines: EngineConfig,
    /// Where the DeepL key comes from, when DeepL is listed.
    pub deepl_key: Option<KeySource>,
}

impl LambdaEngines {
    /// From the environment's variables (empty ones already dropped).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let translators: Translators = match var("TRANSLATORS") {
            Some(list) => list
                .parse()
                .map_err(|e: ConfigError| ConfigError(format!("TRANSLATORS: {e}")))?,
            None => TranslatorKind::Aws.into(),
        };
        if translators.contains(TranslatorKind::Apertium) {
            return Err(ConfigError(
                "TRANSLATORS: apertium does not run on Lambda; use aws, libretranslate or deepl"
                    .into(),
            ));
        }
        let deepl_key = match (var("DEEPL_AUTH_KEY"), var("DEEPL_AUTH_KEY_PARAMETER")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError(
                    "DEEPL_AUTH_KEY and DEEPL_AUTH_KEY_PARAMETER are both set: set one".into(),
                ));
            }
            (Some(v), None) => Some(KeySource::Value(v.trim().to_owned())),
            (None, Some(name)) => Some(KeySource::SsmParameter(name.trim().to_owned())),
            (None, None) => None,
        };
        if translators.contains(TranslatorKind::Deepl) && deepl_key.is_none() {
            return Err(ConfigError(
                "TRANSLATORS names deepl but DEEPL_AUTH_KEY_PARAMETER is not set".into(),
            ));
        }
        let defaults = EngineConfig::default();
        let libretranslate_url = var("LIBRETRANSLATE_URL");
        if translators.contains(TranslatorKind::LibreTranslate) && libretranslate_url.is_none() {
            return Err(ConfigError(
                "TRANSLATORS names libretranslate but LIBRETRANSLATE_URL is not set".into(),
            ));
        }
        Ok(Self {
            translators,
            engines: EngineConfig {
                libretranslate_url: libretranslate_url
                    .unwrap_or(defaults.libretranslate_url.clone()),
                libretranslate_api_key: var("LIBRETRANSLATE_API_KEY"),
                deepl_auth_key: None,
                deepl_api_url: var("DEEPL_API_URL"),
                ..defaults
            },
            deepl_key,
        })
    }

    /// The engines behind a router, the DeepL key read (from SSM, once)
    /// when DeepL is listed, and every engine's pairs read.
    pub async fn router(&self, sdk: &SdkConfig) -> Result<Router, EngineSetupError> {
        let deepl_key = match &self.deepl_key {
            _ if !self.translators.contains(TranslatorKind::Deepl) => None,
            None => None,
            Some(KeySource::Value(v)) => Some(v.clone()),
            Some(KeySource::SsmParameter(name)) => Some(
                secret::string_from_ssm(&aws_sdk_ssm::Client::new(sdk), name, "the DeepL key")
                    .await?,
            ),
        };
        let mut engines: Vec<Arc<dyn Engine>> = Vec::new();
        for kind in &self.translators.0 {
            engines.push(match kind {
                TranslatorKind::Aws => Arc::new(AmazonTranslate::on_first_use(sdk)),
                TranslatorKind::LibreTranslate => Arc::new(
                    LibreTranslate::new(
                        &self.engines.libretranslate_url,
                        self.engines.libretranslate_api_key.clone(),
                    )
                    .map_err(|e| EngineSetupError::Engine(e.to_string()))?,
                ),
                TranslatorKind::Deepl => Arc::new(
                    Deepl::new(deepl_key.as_deref(), self.engines.deepl_api_url.as_deref())
                        .map_err(|e| EngineSetupError::Engine(e.to_string()))?,
                ),
                TranslatorKind::Pseudo => Arc::new(PseudoTranslator),
                TranslatorKind::None => Arc::new(NoTranslator),
                TranslatorKind::Apertium => {
                    return Err(EngineSetupError::Engine(
                        "apertium does not run on Lambda".into(),
                    ));
                }
            });
        }
        let router = Router::new(engines, self.engines.router);
        // Once per instance: a Lambda has no background task to refresh.
        router.start().await;
        for e in crate::ports::Translator::engines(&router) {
            tracing::info!(engine = e.name, ok = e.ok, pairs = ?e.pairs, notice = ?e.notice, "engine");
        }
        Ok(router)
    }
}

/// Why the engines could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum EngineSetupError {
    /// A key could not be read from SSM.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// An engine could not be made (a bad URL, no key).
    #[error("setting up the engines: {0}")]
    Engine(String),
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<LambdaEngines, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        LambdaEngines::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn engines_from_variables() {
        let default = from(&[]).unwrap();
        assert_eq!(default.translators, TranslatorKind::Aws.into());
        let e = from(&[
            ("TRANSLATORS", "deepl,libretranslate,aws"),
            ("LIBRETRANSLATE_URL", "https://lt.example.com"),
            ("DEEPL_AUTH_KEY_PARAMETER", "/honyaku/deepl-key"),
        ])
        .unwrap();
        assert_eq!(e.translators.to_string(), "deepl,libretranslate,aws");
        assert_eq!(e.engines.libretranslate_url, "https://lt.example.com");
        assert_eq!(
            e.deepl_key,
            Some(KeySource::SsmParameter("/honyaku/deepl-key".into()))
        );
        let shown = format!("{:?}", from(&[("DEEPL_AUTH_KEY", "s3cret:fx")]).unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        for (vars, says) in [
            (vec![("TRANSLATORS", "apertium")], "Lambda"),
            (vec![("TRANSLATORS", "deepl")], "DEEPL_AUTH_KEY_PARAMETER"),
            (
                vec![("TRANSLATORS", "libretranslate")],
                "LIBRETRANSLATE_URL",
            ),
            (vec![("TRANSLATORS", "google")], "TRANSLATORS"),
            (
                vec![("DEEPL_AUTH_KEY", "a"), ("DEEPL_AUTH_KEY_PARAMETER", "/b")],
                "set one",
            ),
        ] {
            let err = from(&vars).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
    }
}
