//! The flags, read once into a typed [`Settings`]. Room, language and name
//! are checked with the server's own rules before anything connects, so a
//! typo is a usage error rather than a refused handshake.

use std::time::Duration;

use clap::Parser;
use honyaku::config::parse_duration;
use honyaku::limits::IDLE_TIMEOUT;
use honyaku::model::{ChatText, Lang, RoomName, UserName};

use crate::error::ClientError;
use crate::target::Target;

#[derive(Debug, Parser)]
#[command(
    name = "honyaku-chat",
    version,
    about = "Chat in a honyaku room from a terminal or a script.",
    after_help = "Interactive when stdin and stdout are terminals: type to send, /help for commands.\n\
                  With stdin not a terminal, every line read is sent (lines starting with / are commands).\n\
                  Exit codes: 0 ok, 1 connection ended or no echo, 2 bad flag or URL, 3 cannot connect,\n\
                  4 handshake rejected, 5 the server refused a frame, 130 interrupted."
)]
pub struct Cli {
    /// The WebSocket URL, stage included.
    #[arg(
        long,
        env = "HONYAKU_URL",
        default_value = "ws://127.0.0.1:8080/local",
        value_name = "URL"
    )]
    pub url: String,
    /// Room to join (server default: lobby).
    #[arg(long, env = "HONYAKU_ROOM", value_name = "ROOM")]
    pub room: Option<String>,
    /// Language to read and write in (server default: en).
    #[arg(long, env = "HONYAKU_LANG", value_name = "CODE")]
    pub lang: Option<String>,
    /// Display name (server default: guest-XXXX).
    #[arg(long, env = "HONYAKU_NAME", value_name = "NAME")]
    pub name: Option<String>,
    /// Access token, for deployments that require one.
    #[arg(
        long,
        env = "HONYAKU_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Send one message, wait for its echo, and exit.
    #[arg(long, value_name = "TEXT", conflicts_with = "listen")]
    pub send: Option<String>,
    /// Print incoming frames until the connection is closed (or --count).
    #[arg(long)]
    pub listen: bool,
    /// Print frames as JSON, one per line, exactly as received.
    #[arg(long)]
    pub json: bool,
    /// With --listen: exit after N chat messages. Join, leave and other
    /// notices are printed too but not counted.
    #[arg(long, requires = "listen", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// How long to wait for a connection, and for a sent message's echo.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Ping this often so the server's 10-minute idle timeout never fires.
    #[arg(long, default_value = "5m", value_parser = keepalive, value_name = "DURATION")]
    pub keepalive: Duration,
    /// Exit when the connection drops instead of reconnecting.
    #[arg(long)]
    pub no_reconnect: bool,
    /// Connect without the identity kept in ~/.config/honyaku/client-id
    /// (or $XDG_CONFIG_HOME): your messages then are not recognised as
    /// yours after a restart.
    #[arg(long)]
    pub no_identity: bool,
    /// Log connection events to stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// What the process does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `--send TEXT`.
    Send(String),
    /// `--listen [--count N]`.
    Listen { count: Option<u64> },
    /// Lines from a stdin that is not a terminal (or printed to a stdout
    /// that is not one, or `--json`): plain lines in, plain lines out.
    Lines,
    /// A person at a terminal: line editing, colours, output above the prompt.
    Interactive,
}

/// Everything the client needs, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub target: Target,
    pub mode: Mode,
    pub json: bool,
    pub timeout: Duration,
    pub keepalive: Duration,
    pub reconnect: bool,
    /// Keep and send the `client` secret.
    pub identity: bool,
    pub verbose: bool,
}

impl Cli {
    /// Validates the flags. `stdin_tty` and `stdout_tty` pick the mode when
    /// neither --send nor --listen does.
    pub fn settings(self, stdin_tty: bool, stdout_tty: bool) -> Result<Settings, ClientError> {
        let invalid = |flag: &'static str| {
            move |e: honyaku::model::InvalidInput| ClientError::InvalidFlag {
                flag,
                reason: e.to_string(),
            }
        };
        let mut target = Target::parse(&self.url)?;
        if let Some(room) = &self.room {
            target.set(
                "room",
                RoomName::parse(room).map_err(invalid("room"))?.as_str(),
            );
        }
        if let Some(lang) = &self.lang {
            target.set("lang", Lang::parse(lang).map_err(invalid("lang"))?.as_str());
        }
        if let Some(name) = &self.name {
            target.set(
                "name",
                UserName::parse(name).map_err(invalid("name"))?.as_str(),
            );
        }
        if let Some(token) = &self.token {
            target.set("token", token);
        }
        let mode = match (self.send, self.listen) {
            (Some(text), _) => Mode::Send(
                ChatText::parse(&text)
                    .map_err(invalid("send"))?
                    .into_string(),
            ),
            (None, true) => Mode::Listen { count: self.count },
            (None, false) if stdin_tty && stdout_tty && !self.json => Mode::Interactive,
            (None, false) => Mode::Lines,
        };
        Ok(Settings {
            target,
            mode,
            json: self.json,
            timeout: self.timeout,
            keepalive: self.keepalive,
            reconnect: !self.no_reconnect,
            identity: !self.no_identity,
            verbose: self.verbose,
        })
    }
}

/// `--keepalive`: positive and under the server's idle timeout.
fn keepalive(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    if d.is_zero() || d >= IDLE_TIMEOUT {
        return Err(format!(
            "must be above 0 and under the server's idle timeout ({}s)",
            IDLE_TIMEOUT.as_secs()
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Settings, ClientError> {
        let mut argv = vec!["honyaku-chat"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().settings(false, false)
    }

    #[test]
    fn modes() {
        assert_eq!(
            parse(&["--send", " hi "]).unwrap().mode,
            Mode::Send("hi".into())
        );
        assert_eq!(
            parse(&["--listen", "--count", "2"]).unwrap().mode,
            Mode::Listen { count: Some(2) }
        );
        assert_eq!(parse(&[]).unwrap().mode, Mode::Lines);
        let cli = Cli::try_parse_from(["honyaku-chat"]).unwrap();
        assert_eq!(cli.settings(true, true).unwrap().mode, Mode::Interactive);
        let cli = Cli::try_parse_from(["honyaku-chat", "--json"]).unwrap();
        assert_eq!(cli.settings(true, true).unwrap().mode, Mode::Lines);
        let cli = Cli::try_parse_from(["honyaku-chat"]).unwrap();
        assert_eq!(cli.settings(true, false).unwrap().mode, Mode::Lines);
    }

    #[test]
    fn flags_are_checked_before_connecting() {
        for (args, flag) in [
            (&["--lang", "xx"][..], "lang"),
            (&["--room", "a b"][..], "room"),
            (&["--name", " "][..], "name"),
            (&["--send", "  "][..], "send"),
        ] {
            match parse(args) {
                Err(ClientError::InvalidFlag { flag: f, .. }) => assert_eq!(f, flag),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        assert!(Cli::try_parse_from(["honyaku-chat", "--keepalive", "10m"]).is_err());
        assert!(Cli::try_parse_from(["honyaku-chat", "--count", "1"]).is_err());
        assert!(Cli::try_parse_from(["honyaku-chat", "--send", "a", "--listen"]).is_err());
    }

    #[test]
    fn flags_become_query_parameters() {
        let s = parse(&[
            "--url",
            "ws://h:1/local",
            "--room",
            "r",
            "--lang",
            "ja",
            "--name",
            "Aki",
        ])
        .unwrap();
        assert_eq!(s.target.url(), "ws://h:1/local?room=r&lang=ja&name=Aki");
    }
}
