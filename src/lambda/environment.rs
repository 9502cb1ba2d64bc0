//! [`LambdaConfig`]: everything `honyaku-lambda` reads from its
//! environment, once, at init. README ("On AWS") lists the same variables;
//! `template.yaml` sets them from its parameters.

pub use super::engines::{KeySource, LambdaEngines};
use crate::config::ConfigError;
use crate::core::policy::{edit_window_hours, retention_days};
use crate::core::{Policy, TokenSecret};

/// Everything the function reads from its environment, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaConfig {
    /// `TABLE_NAME`: the single table.
    pub table: String,
    /// `AWS_REGION` (set by Lambda); the SDK's default chain otherwise.
    pub region: Option<String>,
    /// `PUSH_ENDPOINT`: a fixed Management API endpoint (e.g. behind a
    /// custom domain); by default each event's `domainName/stage`.
    pub push_endpoint: Option<String>,
    /// `METRICS_NAMESPACE`, default `honyaku`.
    pub metrics_namespace: String,
    /// `AWS_LAMBDA_FUNCTION_NAME` (set by Lambda): the metrics' dimension.
    pub function_name: String,
    /// `ALLOWED_ORIGINS`: comma-separated `Origin`s accepted at `$connect`
    /// (`*`: any); any when unset, as the page is usually hosted on
    /// another origin than the API.
    pub allowed_origins: Vec<String>,
    /// Where the room-token secret comes from, if tokens are required.
    pub token_secret: Option<SecretSource>,
    /// `FANOUT_QUEUE_URL`: the SQS queue big rooms fan out through; without
    /// it every fan-out posts directly.
    pub fanout_queue_url: Option<String>,
    /// The policy's numbers the environment sets.
    pub limits: Limits,
    /// `TRANSLATORS`, `LIBRETRANSLATE_URL`, `DEEPL_AUTH_KEY_PARAMETER`, ….
    pub engines: LambdaEngines,
}

/// The room-token secret: given as is, or the name of an SSM parameter
/// read once, by the first event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `TOKEN_SECRET` (tests, local runs; the template never sets it).
    Value(TokenSecret),
    /// `TOKEN_SECRET_PARAMETER`: an SSM Parameter Store SecureString.
    SsmParameter(String),
}

/// The policy's numbers from the environment; `None` keeps
/// [`Policy::default`]'s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// `RATE_LIMIT_PER_MINUTE`: frames one connection may send a minute.
    pub messages_per_minute: Option<u32>,
    /// `MAX_ROOM_MEMBERS`: members one room may hold.
    pub max_room_members: Option<usize>,
    /// `CHARS_PER_HOUR`: characters one connection may have translated an
    /// hour.
    pub chars_per_hour: Option<u32>,
    /// `CHARS_PER_DAY`: characters the whole deployment may send to the
    /// engine per UTC day; 0 is unlimited.
    pub chars_per_day: Option<u64>,
    /// `RETENTION_DAYS`: days messages and REST records are kept; 0 keeps
    /// them for ever.
    pub retention_days: Option<u32>,
    /// `PRESENCE_MAX_MEMBERS`: rooms larger than this get no presence and
    /// no typing.
    pub presence_max_members: Option<usize>,
    /// `FANOUT_DIRECT_MAX`: rooms up to this many recipients are posted
    /// to directly; bigger ones go through the queue.
    pub fanout_direct_max: Option<usize>,
    /// `REST_PER_MINUTE`: REST calls one source address may make a minute.
    pub rest_per_minute: Option<u32>,
    /// `EDIT_WINDOW_HOURS`: how long a sender may edit or delete a message.
    pub edit_window_hours: Option<u32>,
}

impl LambdaConfig {
    /// From the function's environment variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// From any source of variables; empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        let token_secret = match (var("TOKEN_SECRET"), var("TOKEN_SECRET_PARAMETER")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError(
                    "TOKEN_SECRET and TOKEN_SECRET_PARAMETER are both set: set one".into(),
                ));
            }
            (Some(v), None) => Some(SecretSource::Value(
                TokenSecret::parse(&v).map_err(|e| ConfigError(format!("TOKEN_SECRET: {e}")))?,
            )),
            (None, Some(name)) => Some(SecretSource::SsmParameter(name.trim().to_owned())),
            (None, None) => None,
        };
        Ok(Self {
            table: var("TABLE_NAME").ok_or_else(|| {
                ConfigError("TABLE_NAME is not set: name the DynamoDB table".into())
            })?,
            region: var("AWS_REGION"),
            push_endpoint: var("PUSH_ENDPOINT"),
            metrics_namespace: var("METRICS_NAMESPACE").unwrap_or_else(|| "honyaku".into()),
            function_name: var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|| "honyaku".into()),
            allowed_origins: var("ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec!["*".into()]),
            token_secret,
            fanout_queue_url: var("FANOUT_QUEUE_URL"),
            engines: LambdaEngines::from_vars(var)?,
            limits: Limits {
                messages_per_minute: number(&var, "RATE_LIMIT_PER_MINUTE")?,
                max_room_members: number(&var, "MAX_ROOM_MEMBERS")?,
                chars_per_hour: number(&var, "CHARS_PER_HOUR")?,
                chars_per_day: number(&var, "CHARS_PER_DAY")?,
                retention_days: number(&var, "RETENTION_DAYS")?,
                presence_max_members: number(&var, "PRESENCE_MAX_MEMBERS")?,
                fanout_direct_max: number(&var, "FANOUT_DIRECT_MAX")?,
                rest_per_minute: number(&var, "REST_PER_MINUTE")?,
                edit_window_hours: number(&var, "EDIT_WINDOW_HOURS")?,
            },
        })
    }

    /// The routes' policy: the defaults with what the environment sets,
    /// and `token_secret` once read (by the function's first event).
    pub fn policy(&self, token_secret: Option<TokenSecret>) -> Policy {
        let defaults = Policy::default();
        let l = &self.limits;
        Policy {
            messages_per_minute: l
                .messages_per_minute
                .unwrap_or(defaults.messages_per_minute),
            max_room_members: l.max_room_members.unwrap_or(defaults.max_room_members),
            chars_per_hour: l.chars_per_hour.unwrap_or(defaults.chars_per_hour),
            chars_per_day: l.chars_per_day.unwrap_or(defaults.chars_per_day),
            presence_max_members: l
                .presence_max_members
                .unwrap_or(defaults.presence_max_members),
            fanout_direct_max: l.fanout_direct_max.unwrap_or(defaults.fanout_direct_max),
            rest_per_minute: l.rest_per_minute.unwrap_or(defaults.rest_per_minute),
            retention: l.retention_days.map_or(defaults.retention, retention_days),
            edit_window: l
                .edit_window_hours
                .map_or(defaults.edit_window, edit_window_hours),
            allowed_origins: self.allowed_origins.clone(),
            token_secret,
            ..defaults
        }
    }
}

/// An optional numeric variable; a value that is not a number is an error.
fn number<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    key: &str,
) -> Result<Option<T>, ConfigError> {
    var(key)
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| ConfigError(format!("{key} must be a whole number ≥ 0; got {v:?}")))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<LambdaConfig, ConfigError> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        LambdaConfig::from_vars(|k| vars.get(k).map(|v| v.to_string()))
    }

    #[test]
    fn config_from_variables() {
        let config = from(&[
            ("TABLE_NAME", "honyaku-Table"),
            ("AWS_REGION", "eu-west-1"),
            ("PUSH_ENDPOINT", ""),
            ("AWS_LAMBDA_FUNCTION_NAME", "honyaku-Chat"),
        ])
        .unwrap();
        assert_eq!(
            config,
            LambdaConfig {
                table: "honyaku-Table".into(),
                region: Some("eu-west-1".into()),
                push_endpoint: None,
                metrics_namespace: "honyaku".into(),
                function_name: "honyaku-Chat".into(),
                allowed_origins: vec!["*".into()],
                token_secret: None,
                fanout_queue_url: None,
                limits: Limits::default(),
                engines: LambdaEngines::from_vars(|_| None).unwrap(),
            }
        );
        let err = from(&[]).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"), "{err}");
    }

    #[test]
    fn access_and_limits_from_variables() {
        let config = from(&[
            ("TABLE_NAME", "t"),
            ("ALLOWED_ORIGINS", "https://a.example, https://b.example"),
            ("TOKEN_SECRET", "s3cret-s3cret-s3cret"),
            ("RATE_LIMIT_PER_MINUTE", "30"),
        ])
        .unwrap();
        let Some(SecretSource::Value(secret)) = config.token_secret.clone() else {
            panic!("TOKEN_SECRET is a value: {config:?}");
        };
        let policy = config.policy(Some(secret));
        assert_eq!(
            policy.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(
            policy.token_secret,
            Some(TokenSecret::new("s3cret-s3cret-s3cret"))
        );
        assert_eq!(policy.messages_per_minute, 30);
        assert!(
            !format!("{config:?}").contains("s3cret"),
            "secrets stay out of Debug"
        );
        let weak = from(&[("TABLE_NAME", "t"), ("TOKEN_SECRET", "short")]);
        assert!(weak.unwrap_err().to_string().contains("TOKEN_SECRET"));
        let bad = from(&[("TABLE_NAME", "t"), ("CHARS_PER_HOUR", "lots")]);
        assert!(bad.unwrap_err().to_string().contains("CHARS_PER_HOUR"));
    }

    #[test]
    fn the_template_variables() {
        let config = from(&[
            ("TABLE_NAME", "t"),
            ("TOKEN_SECRET_PARAMETER", "/honyaku/token-secret"),
            ("CHARS_PER_DAY", "0"),
            ("RETENTION_DAYS", "30"),
            ("PRESENCE_MAX_MEMBERS", "100"),
            (
                "FANOUT_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/1/q",
            ),
            ("FANOUT_DIRECT_MAX", "1000"),
            ("MAX_ROOM_MEMBERS", "5000"),
            ("CHARS_PER_HOUR", "100000"),
            ("REST_PER_MINUTE", "60"),
            ("EDIT_WINDOW_HOURS", "2"),
        ])
        .unwrap();
        assert_eq!(
            config.token_secret,
            Some(SecretSource::SsmParameter("/honyaku/token-secret".into()))
        );
        assert_eq!(
            config.fanout_queue_url.as_deref(),
            Some("https://sqs.us-east-1.amazonaws.com/1/q")
        );
        assert_eq!(
            config.limits,
            Limits {
                messages_per_minute: None,
                max_room_members: Some(5000),
                chars_per_hour: Some(100_000),
                chars_per_day: Some(0),
                retention_days: Some(30),
                presence_max_members: Some(100),
                fanout_direct_max: Some(1000),
                rest_per_minute: Some(60),
                edit_window_hours: Some(2),
            }
        );
        let policy = config.policy(None);
        assert_eq!(policy.chars_per_day, 0);
        assert_eq!(
            policy.retention,
            Some(std::time::Duration::from_secs(30 * 86_400))
        );
        assert_eq!(
            (policy.presence_max_members, policy.fanout_direct_max),
            (100, 1000)
        );
        assert_eq!(policy.rest_per_minute, 60);
        assert_eq!(policy.edit_window.as_secs(), 2 * 3600);
        let forever = from(&[("TABLE_NAME", "t"), ("RETENTION_DAYS", "0")]).unwrap();
        assert_eq!(forever.policy(None).retention, None);
        for key in [
            "CHARS_PER_DAY",
            "RETENTION_DAYS",
            "PRESENCE_MAX_MEMBERS",
            "FANOUT_DIRECT_MAX",
        ] {
            let err = from(&[("TABLE_NAME", "t"), (key, "-1")]).unwrap_err();
            assert!(err.to_string().contains(key), "{err}");
        }
        let both = from(&[
            ("TABLE_NAME", "t"),
            ("TOKEN_SECRET", "x"),
            ("TOKEN_SECRET_PARAMETER", "/p"),
        ]);
        assert!(both.unwrap_err().to_string().contains("set one"));
    }
}
