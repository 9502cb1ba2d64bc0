//! Typed configuration, read once from flags and the environment by the
//! binaries and passed down. The core never reads the environment.

mod engines;

pub use engines::{EngineConfig, TranslatorKind, Translators};

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::core::Policy;
use crate::limits::{
    DEFAULT_MAX_CONNECTIONS, HEADER_READ_TIMEOUT, IDLE_TIMEOUT, INTEGRATION_TIMEOUT,
    MAX_CONNECTION_DURATION, REQUEST_READ_TIMEOUT, SWEEP_INTERVAL,
};

/// `--store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// The in-memory store: gone when the server stops.
    Memory,
    /// The redb file in `--data`: kept across restarts.
    Redb,
    /// A DynamoDB table (`--table`, feature `aws`).
    Dynamodb,
}

/// A value a flag does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl FromStr for StoreKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "memory" => Ok(Self::Memory),
            "redb" => Ok(Self::Redb),
            "dynamodb" => Ok(Self::Dynamodb),
            _ => Err(ConfigError(format!(
                "unknown store {s:?}; expected memory, redb or dynamodb"
            ))),
        }
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Memory => "memory",
            Self::Redb => "redb",
            Self::Dynamodb => "dynamodb",
        })
    }
}

/// A duration flag: `90`, `90s`, `500ms`, `10m` or `2h`.
pub fn parse_duration(s: &str) -> Result<Duration, ConfigError> {
    let bad = || {
        ConfigError(format!(
            "bad duration {s:?}; use e.g. 500ms, 30s, 10m or 2h"
        ))
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    Ok(match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(bad()),
    })
}

/// A duration as a flag takes it and `--help` shows it: `500ms`, `30s`,
/// `10m` or `2h` (the largest unit that says it exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagDuration(pub Duration);

impl FromStr for FlagDuration {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_duration(s).map(Self)
    }
}

impl fmt::Display for FlagDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        let whole = |unit: u128| ms > 0 && ms.is_multiple_of(unit);
        if whole(3_600_000) {
            write!(f, "{}h", ms / 3_600_000)
        } else if whole(60_000) {
            write!(f, "{}m", ms / 60_000)
        } else if whole(1000) || ms == 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

/// Where `honyaku serve` listens unless told otherwise: this machine only.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));

/// Everything `honyaku serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The stage, the first path segment of the WebSocket URL.
    pub stage: String,
    /// `--store`: where connections, rooms and history are kept.
    pub store: StoreKind,
    /// Directory of the redb file.
    pub data_dir: PathBuf,
    /// `--translator`: the engines, in order of preference.
    pub translator: Translators,
    /// The engines' URLs, keys and timing.
    pub engines: EngineConfig,
    /// `--web DIR`: serve the chat page from this directory (for work on
    /// the page); the copy built into the binary when `None`.
    pub web_dir: Option<PathBuf>,
    /// `--idle-timeout`: connections idle this long are closed (10 minutes by default).
    pub idle_timeout: Duration,
    /// `--max-connection`: every connection is closed after this long (2 hours by default).
    pub max_connection: Duration,
    /// `--dynamodb-endpoint`: DynamoDB Local's URL; AWS's own when `None`.
    pub dynamodb_endpoint: Option<String>,
    /// `--table`: the DynamoDB table, created if missing.
    pub table: String,
    /// Where the installed Apertium modes are.
    pub apertium_modes: PathBuf,
    /// Why the engine is not the one a user would expect (e.g. Apertium
    /// is missing); shown at start-up and on the page.
    pub translator_notice: Option<String>,
    /// Rates, sizes, budgets, origins and tokens the routes enforce.
    pub policy: Policy,
    /// Live connections the local gateway accepts (429 beyond).
    pub max_connections: usize,
    /// How often rows of connections that are no longer live are swept.
    pub sweep_every: Duration,
    /// `--max-connections-per-ip`: live and pending connections one source
    /// address may hold; no limit when `None`.
    pub max_connections_per_ip: Option<usize>,
    /// A request's line and headers must arrive within this long.
    pub header_read_timeout: Duration,
    /// A route's handler may run this long (API Gateway's integration
    /// timeout, and the Lambda's in template.yaml); then it is cut off.
    pub integration_timeout: Duration,
    /// `--management-key ID:SECRET`: the management API requires SigV4
    /// signatures by this key, from any peer; loopback peers only when
    /// `None`.
    pub management_key: Option<ManagementKey>,
    /// This server's instance id, written on its connection rows so a
    /// restart can clear what a crash left; `None`: kept in the data
    /// directory (`instance-id`), made on first start.
    pub instance_id: Option<String>,
    /// `--allowed-host`: names (`name` or `name:port`) this server answers
    /// to besides the address it listens on (the Host check).
    pub allowed_hosts: Vec<String>,
    /// A request (line, headers and body) must arrive in full within this
    /// long; then it is answered 408 and its connection closed.
    pub request_read_timeout: Duration,
    /// `--trusted-proxy`: peers whose `X-Forwarded-For` names the caller.
    pub trusted_proxies: Vec<Cidr>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            stage: "local".into(),
            store: StoreKind::Redb,
            data_dir: PathBuf::from("honyaku-data"),
            translator: TranslatorKind::Pseudo.into(),
            engines: EngineConfig::default(),
            web_dir: None,
            idle_timeout: IDLE_TIMEOUT,
            max_connection: MAX_CONNECTION_DURATION,
            dynamodb_endpoint: None,
            table: "honyaku".into(),
            apertium_modes: PathBuf::from("/usr/share/apertium/modes"),
            translator_notice: None,
            policy: Policy::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            sweep_every: SWEEP_INTERVAL,
            max_connections_per_ip: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            integration_timeout: INTEGRATION_TIMEOUT,
            management_key: None,
            instance_id: None,
            allowed_hosts: Vec::new(),
            request_read_timeout: REQUEST_READ_TIMEOUT,
            trusted_proxies: Vec::new(),
        }
    }
}

/// An instance id: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn parse_instance_id(s: &str) -> Result<String, ConfigError> {
    let s = s.trim();
    if !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(s.to_owned())
    } else {
        Err(ConfigError(format!(
            "bad instance id {s:?}; use 1 to 64 letters, digits, _ and -"
        )))
    }
}

/// The AWS key that may call the local management API: an access key id
/// and its secret, as `ID:SECRET`. The secret is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ManagementKey {
    /// The access key id.
    pub id: String,
    /// Its secret (never printed).
    pub secret: String,
}

impl FromStr for ManagementKey {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((id, secret)) if !id.trim().is_empty() && !secret.is_empty() => Ok(Self {
                id: id.trim().to_owned(),
                secret: secret.to_owned(),
            }),
            _ => Err(ConfigError(
                "the management key must be ACCESS_KEY_ID:SECRET_ACCESS_KEY".into(),
            )),
        }
    }
}

impl fmt::Debug for ManagementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ManagementKey({}:…)", self.id)
    }
}

/// An address range, `10.0.0.0/8` or `::1/128` (a bare address is `/32`
/// or `/128`): who `--trusted-proxy` trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Whether `ip` is in the range (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ConfigError(format!(
                "bad address range {s:?}; use e.g. 127.0.0.1/32, 10.0.0.0/8 or ::1/128"
            ))
        };
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let net = net.to_canonical();
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { net, bits })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.bits)
    }
}

/// The one line that installs Apertium with the pairs honyaku pivots
/// through (most meet in Spanish).
pub const APERTIUM_INSTALL: &str = "sudo apt-get install apertium apertium-eng-spa apertium-es-pt \
                                    apertium-fr-es apertium-spa-cat apertium-spa-ita";

/// A stage name: what API Gateway allows (letters, digits, `_`, `-`).
pub fn parse_stage(s: &str) -> Result<String, ConfigError> {
    if !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(s.to_owned())
    } else {
        Err(ConfigError(format!(
            "bad stage {s:?}; use letters, digits, _ and -"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::DEFAULT_CHARS_PER_DAY;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn flag_durations_print_as_they_parse() {
        for text in ["500ms", "30s", "10m", "2h", "90m", "0s"] {
            let d: FlagDuration = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
        }
        assert_eq!(FlagDuration(IDLE_TIMEOUT).to_string(), "10m");
    }

    #[test]
    fn kinds() {
        assert_eq!("redb".parse::<StoreKind>().unwrap(), StoreKind::Redb);
        assert!("postgres".parse::<StoreKind>().is_err());
        assert_eq!(
            "none".parse::<TranslatorKind>().unwrap(),
            TranslatorKind::None
        );
        assert!(parse_stage("a/b").is_err());
        assert_eq!(
            TranslatorKind::Aws.default_chars_per_day(),
            DEFAULT_CHARS_PER_DAY
        );
        const { assert!(DEFAULT_CHARS_PER_DAY > 0) };
        assert_eq!(TranslatorKind::Apertium.default_chars_per_day(), 0);
    }

    #[test]
    fn address_ranges() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(
            v6.contains("fd12::1".parse().unwrap()) && !v6.contains("fe80::1".parse().unwrap())
        );
        for bad in ["", "10.0.0.0/33", "x/8", "::/129", "10.0.0.0/"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
        assert_eq!(c.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn management_keys_and_instance_ids() {
        let k: ManagementKey = "AKID:se:cret".parse().unwrap();
        assert_eq!((k.id.as_str(), k.secret.as_str()), ("AKID", "se:cret"));
        assert!(!format!("{k:?}").contains("cret"));
        for bad in ["", "AKID", "AKID:", ":secret"] {
            assert!(bad.parse::<ManagementKey>().is_err(), "{bad}");
        }
        assert_eq!(parse_instance_id(" host-1 ").unwrap(), "host-1");
        assert!(parse_instance_id("a/b").is_err());
        assert!(parse_instance_id(&"x".repeat(65)).is_err());
    }
}
