//! What v1.2 lets a room amend: who corrected a translation, the room's
//! memory of corrected sources, and the room glossary — parsed once here.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::{ClientTag, InvalidInput, Lang, UserName};
use crate::limits::{GLOSSARY_MAX_BYTES, GLOSSARY_MAX_TERMS, GLOSSARY_TERM_MAX_CHARS};

/// Who did something to a room's text (`by`, `correctedBy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Their display name then.
    pub name: UserName,
    /// Their `from.tag` in the room, when they connected with `client`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<ClientTag>,
}

/// The room memory's key for a source text: a hash of its language and
/// its text trimmed and NFC-normalized, so the same words typed again
/// find the correction whatever their bytes were.
pub fn source_hash(source: Lang, text: &str) -> String {
    let normal: String = text.trim().nfc().collect();
    let digest = Sha256::digest(format!("{}\u{0}{normal}", source.as_str()));
    // 128 bits: collisions are out of reach, and the key stays short.
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One correction the room remembers: `source` (a [`source_hash`]) reads
/// `text` in `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryEntry {
    /// The [`source_hash`] of the corrected message's source text.
    pub source: String,
    /// The language corrected into.
    pub lang: Lang,
    /// The corrected text.
    pub text: String,
    /// Who corrected it.
    pub by: Author,
    /// When it was made (ms).
    pub at: i64,
}

/// One glossary term: kept as written, or rendered `as` in `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryTerm {
    /// The word or phrase as written in messages.
    pub term: String,
    /// The language of the fixed rendering, with `as`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// `as`: how the term reads in `lang`.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub render: Option<String>,
}

/// A room's glossary: `version` 0 is the empty one nobody saved yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Glossary {
    /// Saved versions count from 1.
    pub version: u64,
    /// The terms, as saved.
    pub terms: Vec<GlossaryTerm>,
    /// Who saved this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Author>,
}

fn glossary_text(what: &str, s: &str) -> Result<String, InvalidInput> {
    let t: String = s.trim().nfc().collect();
    let n = t.chars().count();
    if n == 0 || n > GLOSSARY_TERM_MAX_CHARS || t.chars().any(char::is_control) {
        return Err(InvalidInput::BadRequest(format!(
            "a glossary {what} must be 1 to {GLOSSARY_TERM_MAX_CHARS} characters, \
             without control characters"
        )));
    }
    Ok(t)
}

impl GlossaryTerm {
    /// A term from the wire: `lang` and `as` come together or not at all.
    pub fn parse(
        term: &str,
        lang: Option<&str>,
        render: Option<&str>,
    ) -> Result<Self, InvalidInput> {
        let term = glossary_text("term", term)?;
        let (lang, render) = match (lang, render) {
            (None, None) => (None, None),
            (Some(l), Some(r)) => (Some(Lang::parse(l)?), Some(glossary_text("rendering", r)?)),
            _ => {
                return Err(InvalidInput::BadRequest(
                    "a glossary term takes `lang` and `as` together, or neither".into(),
                ));
            }
        };
        Ok(Self { term, lang, render })
    }
}

/// Checks a whole list: at most [`GLOSSARY_MAX_TERMS`] and
/// [`GLOSSARY_MAX_BYTES`], no term twice for the same language.
pub fn check_terms(terms: &[GlossaryTerm]) -> Result<(), InvalidInput> {
    if terms.len() > GLOSSARY_MAX_TERMS {
        return Err(InvalidInput::BadRequest(format!(
            "a glossary holds at most {GLOSSARY_MAX_TERMS} terms; got {}",
            terms.len()
        )));
    }
    let bytes = serde_json::to_vec(terms).map_or(usize::MAX, |v| v.len());
    if bytes > GLOSSARY_MAX_BYTES {
        return Err(InvalidInput::BadRequest(format!(
            "the glossary would be {bytes} bytes; the limit is {GLOSSARY_MAX_BYTES}"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for t in terms {
        if !seen.insert((t.term.as_str(), t.lang)) {
            return Err(InvalidInput::BadRequest(format!(
                "glossary term {:?} is listed twice",
                super::truncate(&t.term)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_words_hash_alike() {
        let en = Lang::EN;
        assert_eq!(
            source_hash(en, " Cafe\u{301} "),
            source_hash(en, "Caf\u{e9}")
        );
        assert_ne!(
            source_hash(en, "hi"),
            source_hash(Lang::parse("es").unwrap(), "hi")
        );
        assert_eq!(source_hash(en, "hi").len(), 32);
    }

    #[test]
    fn glossary_terms_are_checked() {
        assert!(GlossaryTerm::parse("honyaku", None, None).is_ok());
        let t = GlossaryTerm::parse(" deploy ", Some("ja"), Some("デプロイ")).unwrap();
        assert_eq!(t.term, "deploy");
        assert!(GlossaryTerm::parse("x", Some("ja"), None).is_err());
        assert!(GlossaryTerm::parse("", None, None).is_err());
        assert!(GlossaryTerm::parse(&"a".repeat(101), None, None).is_err());
        assert!(GlossaryTerm::parse("a", Some("xx"), Some("b")).is_err());
        let one = GlossaryTerm::parse("a", None, None).unwrap();
        assert!(check_terms(&[one.clone(), one.clone()]).is_err());
        assert!(check_terms(&vec![one; 201]).is_err());
        // 200 terms of 100 three-byte characters would not fit one frame.
        let wide: Vec<GlossaryTerm> = (0..200)
            .map(|i| {
                let term = format!("{i:03}{}", "語".repeat(97));
                GlossaryTerm::parse(&term, Some("ja"), Some(&"語".repeat(100))).unwrap()
            })
            .collect();
        assert!(
            check_terms(&wide)
                .unwrap_err()
                .to_string()
                .contains("bytes")
        );
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"term":"deploy","lang":"ja","as":"デプロイ"}"#);
    }
}
