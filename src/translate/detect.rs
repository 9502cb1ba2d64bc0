//! Local language identification for `sourceLang: "auto"` (whatlang: small,
//! no model to download). Below the confidence floor it says nothing and
//! the sender's declared language is used.

use super::languages::from_iso;
use super::mask::{Segment, segments};
use crate::model::Lang;

/// Below this confidence a guess is not used.
pub const CONFIDENCE_FLOOR: f64 = 0.8;

/// The language of `text`, if whatlang is sure enough. URLs, code and the
/// like are left out: they would only add noise.
pub fn detect(text: &str) -> Option<Lang> {
    let words: String = segments(text)
        .into_iter()
        .filter_map(|s| match s {
            Segment::Text(t) => Some(t),
            Segment::Keep(_) => None,
        })
        .collect();
    let info = whatlang::detect(&words)?;
    // whatlang's own `is_reliable` also wants long texts; chat lines are
    // short, so only its confidence counts.
    if info.confidence() < CONFIDENCE_FLOOR {
        return None;
    }
    from_iso(info.lang().code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_sentences_are_recognised() {
        let es = detect("¿Dónde está la biblioteca? Necesito encontrar un libro para mañana.");
        assert_eq!(es, Lang::parse("es").ok());
        let ja = detect("今日はとても良い天気ですね。散歩に行きましょう。");
        assert_eq!(ja, Lang::parse("ja").ok());
    }

    #[test]
    fn short_or_ambiguous_text_is_not_guessed() {
        assert_eq!(detect("ok"), None);
        assert_eq!(detect("https://example.com 123"), None);
    }
}
