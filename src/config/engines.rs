//! `--translator` as a list of engines, and what the engines are
//! configured by (URLs, keys, timing), for `honyaku serve` and the Lambda.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::ConfigError;
use crate::limits::{
    DEFAULT_CHARS_PER_DAY, DEFAULT_LIBRETRANSLATE_URL, ENGINE_CALL_TIMEOUT,
    ENGINE_FAILURES_TO_REST, ENGINE_REFRESH_INTERVAL, ENGINE_REST, ROUTE_BUDGET,
};
use crate::translate::router::{BreakerConfig, RouterConfig};

/// One engine of `--translator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranslatorKind {
    /// Local Apertium pipelines.
    Apertium,
    /// A LibreTranslate (or LTEngine) server, over its HTTP API.
    LibreTranslate,
    /// DeepL API Free or Pro.
    Deepl,
    /// Amazon Translate (feature `aws`).
    Aws,
    /// The fake engine that marks its output (`[es] Hello`).
    Pseudo,
    /// No translation: everyone reads originals.
    None,
}

impl FromStr for TranslatorKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "apertium" => Ok(Self::Apertium),
            "libretranslate" => Ok(Self::LibreTranslate),
            "deepl" => Ok(Self::Deepl),
            "aws" => Ok(Self::Aws),
            "pseudo" => Ok(Self::Pseudo),
            "none" => Ok(Self::None),
            _ => Err(ConfigError(format!(
                "unknown translator {s:?}; expected apertium, libretranslate, deepl, aws, \
                 pseudo or none (or a comma list of them)"
            ))),
        }
    }
}

impl TranslatorKind {
    /// Whether the engine bills per character (Amazon Translate, DeepL):
    /// such an engine gets a finite daily
    /// budget by default, so a flood cannot run up the bill.
    pub fn bills(self) -> bool {
        matches!(self, Self::Aws | Self::Deepl)
    }

    /// `--chars-per-day` when not given: [`DEFAULT_CHARS_PER_DAY`] for an
    /// engine that bills, else unlimited (0).
    pub fn default_chars_per_day(self) -> u64 {
        if self.bills() {
            DEFAULT_CHARS_PER_DAY
        } else {
            0
        }
    }
}

impl fmt::Display for TranslatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Apertium => "apertium",
            Self::LibreTranslate => "libretranslate",
            Self::Deepl => "deepl",
            Self::Aws => "aws",
            Self::Pseudo => "pseudo",
            Self::None => "none",
        })
    }
}

/// `--translator a,b,…` (the Lambda's `TRANSLATORS`): engines in order of
/// preference, each once; `none` only alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translators(pub Vec<TranslatorKind>);

impl Translators {
    /// Whether `kind` is listed.
    pub fn contains(&self, kind: TranslatorKind) -> bool {
        self.0.contains(&kind)
    }
}

impl Translators {
    /// `--chars-per-day` when not given: the billed default when any
    /// listed engine bills (`aws`, `deepl`), else unlimited (0).
    pub fn default_chars_per_day(&self) -> u64 {
        self.0
            .iter()
            .map(|k| k.default_chars_per_day())
            .max()
            .unwrap_or(0)
    }
}

impl From<TranslatorKind> for Translators {
    fn from(kind: TranslatorKind) -> Self {
        Self(vec![kind])
    }
}

impl FromStr for Translators {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut kinds = Vec::new();
        for name in s.split(',').map(str::trim) {
            let kind: TranslatorKind = name.parse()?;
            if kinds.contains(&kind) {
                return Err(ConfigError(format!("translator {name:?} is listed twice")));
            }
            kinds.push(kind);
        }
        if kinds.contains(&TranslatorKind::None) && kinds.len() > 1 {
            return Err(ConfigError(
                "translator \"none\" switches translation off; list it alone".into(),
            ));
        }
        Ok(Self(kinds))
    }
}

impl fmt::Display for Translators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, kind) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{kind}")?;
        }
        Ok(())
    }
}

/// What the HTTP engines and the router are configured by. Keys are never
/// printed.
#[derive(Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// `--libretranslate-url` / `LIBRETRANSLATE_URL`.
    pub libretranslate_url: String,
    /// `LIBRETRANSLATE_API_KEY`.
    pub libretranslate_api_key: Option<String>,
    /// `DEEPL_AUTH_KEY` (on AWS read from SSM).
    pub deepl_auth_key: Option<String>,
    /// `DEEPL_API_URL`: the endpoint, instead of the one the key implies.
    pub deepl_api_url: Option<String>,
    /// Per-call timeout, budget and breaker.
    pub router: RouterConfig,
    /// How often the engines' pairs are read again.
    pub refresh_every: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            libretranslate_url: DEFAULT_LIBRETRANSLATE_URL.into(),
            libretranslate_api_key: None,
            deepl_auth_key: None,
            deepl_api_url: None,
            router: RouterConfig {
                call_timeout: ENGINE_CALL_TIMEOUT,
                budget: ROUTE_BUDGET,
                breaker: BreakerConfig {
                    failures: ENGINE_FAILURES_TO_REST,
                    rest: ENGINE_REST,
                },
            },
            refresh_every: ENGINE_REFRESH_INTERVAL,
        }
    }
}

impl fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |k: &Option<String>| k.as_ref().map(|_| "…");
        f.debug_struct("EngineConfig")
            .field("libretranslate_url", &self.libretranslate_url)
            .field("libretranslate_api_key", &set(&self.libretranslate_api_key))
            .field("deepl_auth_key", &set(&self.deepl_auth_key))
            .field("deepl_api_url", &self.deepl_api_url)
            .field("router", &self.router)
            .field("refresh_every", &self.refresh_every)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_print() {
        let t: Translators = "apertium, libretranslate,deepl".parse().unwrap();
        assert_eq!(
            t.0,
            [
                TranslatorKind::Apertium,
                TranslatorKind::LibreTranslate,
                TranslatorKind::Deepl
            ]
        );
        assert_eq!(t.to_string(), "apertium,libretranslate,deepl");
        assert!("apertium,apertium".parse::<Translators>().is_err());
        assert!("none,apertium".parse::<Translators>().is_err());
        assert!("apertium,,deepl".parse::<Translators>().is_err());
        assert!("google".parse::<Translators>().is_err());
    }

    #[test]
    fn keys_are_not_printed() {
        let c = EngineConfig {
            deepl_auth_key: Some("secret-key:fx".into()),
            libretranslate_api_key: Some("lt-secret".into()),
            ..EngineConfig::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
