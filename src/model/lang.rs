//! Language codes: Amazon Translate's list (docs/PROTOCOL.md "Languages"), read
//! from `web/contract.json` so the page and the server share one list.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{InvalidInput, truncate};
use crate::contract;

/// A language code from the protocol's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Lang(&'static str);

// By hand: a derive would demand `'de: 'static` for the `&'static str`.
// The code is looked at where it lies, not copied first (every stored
// member's language is read again once per message).
impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Code;
        impl serde::de::Visitor<'_> for Code {
            type Value = Lang;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a language code")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Lang, E> {
                Lang::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(Code)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<Lang> for String {
    fn from(v: Lang) -> Self {
        v.0.to_owned()
    }
}

impl Lang {
    /// English: the default `lang`.
    pub const EN: Lang = Lang("en");
    /// Spanish: with English, where engines' pairs meet (pivots).
    pub const ES: Lang = Lang("es");

    /// Checks `s` against the list (case-sensitive, as the codes are written).
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        contract::language(s)
            .map(|l| Lang(l.code))
            .ok_or_else(|| InvalidInput::Lang(format!("unknown language code {:?}", truncate(s))))
    }

    /// The code as written in the list (`en`, `zh-TW`).
    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// Every language of the protocol, in its order.
    pub fn all() -> impl Iterator<Item = Lang> {
        contract::LANGUAGES.iter().map(|l| Lang(l.code))
    }
}

/// The source of a `translate`: a code, or `auto` (detect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceLang {
    /// `auto`: let the engine detect the language.
    Auto,
    /// A code from the list.
    Code(Lang),
}

impl SourceLang {
    /// Reads `auto` or a language code.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        if s == "auto" {
            Ok(Self::Auto)
        } else {
            Lang::parse(s).map(Self::Code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_codes() {
        assert_eq!(Lang::parse("zh-TW").unwrap().as_str(), "zh-TW");
        assert!(Lang::parse("zh-tw").is_err());
        assert!(Lang::parse("auto").is_err());
        assert_eq!(SourceLang::parse("auto").unwrap(), SourceLang::Auto);
        assert_eq!(Lang::all().count(), 75);
        assert_eq!(Lang::parse("en").unwrap(), Lang::EN);
    }
}
