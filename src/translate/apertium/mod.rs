//! The Apertium engine: the installed pairs discovered at start, Amazon's
//! codes mapped to Apertium's modes, one warm pipeline per mode, and a
//! pivot through a shared language when there is no direct pair.
//!
//! - `format.rs`: text ⇄ Apertium's stream format.
//! - `pipeline.rs`: one warm, pipelined process chain per mode.

mod format;
mod pipeline;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::future::try_join_all;

use self::pipeline::Pipeline;
use super::languages::{preferred_variant, targets_for};
use super::{chunk, detect, mask};
use crate::model::{Lang, Translation};
use crate::ports::{Hints, Reach, TranslateError, Translator};

/// The engine's name in `message` frames and records.
pub const ENGINE: &str = "apertium";
/// Where Debian's packages put the modes.
pub const DEFAULT_MODES_DIR: &str = "/usr/share/apertium/modes";
/// Items sent through a pipeline at once; keeps one long text from holding
/// a pipeline for long.
const CHUNK_BYTES: usize = 2_000;
/// Pivots tried, in order, when there is no direct pair: Apertium's pairs
/// mostly meet in Spanish, then English.
const PIVOTS: &[&str] = &["es", "en", "ca", "fr", "pt"];

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum ApertiumError {
    /// The modes directory could not be read.
    #[error("cannot read Apertium modes in {0}: {1}")]
    Modes(PathBuf, std::io::Error),
    /// The modes directory holds no language pair.
    #[error("no Apertium language pair is installed in {0}")]
    NoPairs(PathBuf),
}

/// A way from one language to another: one mode, or two through a pivot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The modes to run in turn (one, or two through the pivot).
    pub modes: Vec<String>,
    /// The pivot language, when there are two modes.
    pub via: Option<Lang>,
}

/// The Apertium engine: the installed pairs, each mode run as a warm
/// pipeline (started on first use, then kept).
pub struct Apertium {
    /// Direct pairs: (from, to) → mode name.
    direct: HashMap<(Lang, Lang), String>,
    pipelines: HashMap<String, Arc<Pipeline>>,
}

impl Apertium {
    /// Reads the installed modes (e.g. `eng-spa.mode`, `es-pt_BR.mode`).
    #[tracing::instrument]
    pub fn discover(modes_dir: &Path) -> Result<Self, ApertiumError> {
        let entries = std::fs::read_dir(modes_dir)
            .map_err(|e| ApertiumError::Modes(modes_dir.to_owned(), e))?;
        let mut scored: HashMap<(Lang, Lang), (u8, String)> = HashMap::new();
        let mut pipelines = HashMap::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(mode) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".mode"))
                .map(str::to_owned)
            else {
                continue;
            };
            for (from, to, score) in pair_langs(&mode) {
                if scored.get(&(from, to)).is_none_or(|(s, _)| *s < score) {
                    scored.insert((from, to), (score, mode.clone()));
                    pipelines
                        .entry(mode.clone())
                        .or_insert_with(|| Arc::new(Pipeline::new(path.clone())));
                }
            }
        }
        if scored.is_empty() {
            return Err(ApertiumError::NoPairs(modes_dir.to_owned()));
        }
        let direct: HashMap<_, _> = scored.into_iter().map(|(k, (_, mode))| (k, mode)).collect();
        tracing::info!(pairs = direct.len(), "apertium pairs found");
        Ok(Self { direct, pipelines })
    }

    /// Whether the `apertium` tools and at least one pair are installed.
    pub fn installed(modes_dir: &Path) -> bool {
        which("apertium-wblank-mode") && which("stdbuf") && Self::discover(modes_dir).is_ok()
    }

    /// The direct pairs, sorted.
    pub fn pairs(&self) -> Vec<(Lang, Lang)> {
        let mut pairs: Vec<_> = self.direct.keys().copied().collect();
        pairs.sort();
        pairs
    }

    /// The way from `from` to `to`, if any.
    pub fn route(&self, from: Lang, to: Lang) -> Option<Route> {
        if let Some(mode) = self.direct.get(&(from, to)) {
            return Some(Route {
                modes: vec![mode.clone()],
                via: None,
            });
        }
        let pivots = PIVOTS
            .iter()
            .filter_map(|p| Lang::parse(p).ok())
            .chain(self.direct.keys().map(|(_, to)| *to));
        for via in pivots.filter(|v| *v != from && *v != to) {
            if let (Some(a), Some(b)) = (self.direct.get(&(from, via)), self.direct.get(&(via, to)))
            {
                return Some(Route {
                    modes: vec![a.clone(), b.clone()],
                    via: Some(via),
                });
            }
        }
        None
    }

    async fn run_route(
        &self,
        route: &Route,
        text: &str,
        keep: &[&str],
    ) -> Result<String, TranslateError> {
        let mut item = format::encode(&mask::segments_keeping(text, keep));
        for mode in &route.modes {
            let pipeline = &self.pipelines[mode];
            item = pipeline.run(&item).await?;
        }
        Ok(format::decode(&item))
    }
}

/// The protocol pairs a mode name serves, with a preference score (an
/// output variant that fits the target beats a plain one).
fn pair_langs(mode: &str) -> Vec<(Lang, Lang, u8)> {
    let Some((src, tgt)) = mode.split_once('-') else {
        return Vec::new();
    };
    if tgt.contains('-') || src.contains('_') {
        return Vec::new();
    }
    let (tgt, variant) = match tgt.split_once('_') {
        Some((t, v)) => (t, Some(v)),
        None => (tgt, None),
    };
    let Some(from) = super::languages::from_iso(src) else {
        return Vec::new();
    };
    targets_for(tgt, variant)
        .into_iter()
        .filter(|to| *to != from)
        .map(|to| {
            let score = if preferred_variant(to) == variant {
                2
            } else {
                1
            };
            (from, to, score)
        })
        .collect()
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[async_trait]
impl Translator for Apertium {
    async fn translate(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
    ) -> Result<Translation, TranslateError> {
        self.translate_with(text, from, to, &Hints::default()).await
    }

    /// Kept words travel as superblanks, like URLs; context is not used.
    #[tracing::instrument(skip_all, fields(bytes = text.len(), %from, %to))]
    async fn translate_with(
        &self,
        text: &str,
        from: Lang,
        to: Lang,
        hints: &Hints,
    ) -> Result<Translation, TranslateError> {
        let keep = hints.keep_in(text);
        let keep = &keep;
        let route = self
            .route(from, to)
            .ok_or(TranslateError::unsupported(from, to))?;
        // Chunks travel through the pipeline back to back and come out in order.
        let pieces = try_join_all(chunk::split(text, CHUNK_BYTES).into_iter().map(|piece| {
            let route = &route;
            async move {
                let leading = &piece[..piece.len() - piece.trim_start().len()];
                let out = self.run_route(route, piece, keep).await?;
                Ok::<_, TranslateError>(format!("{leading}{out}"))
            }
        }))
        .await?;
        Ok(Translation {
            text: pieces.concat().trim().to_owned(),
            engine: ENGINE.into(),
            via: route.via,
        })
    }

    async fn detect(&self, text: &str) -> Option<Lang> {
        detect::detect(text)
    }

    /// Every pair with a route, direct or through a pivot.
    fn reach(&self) -> Reach {
        let mut nodes: Vec<Lang> = self
            .direct
            .keys()
            .flat_map(|(from, to)| [*from, *to])
            .collect();
        nodes.sort();
        nodes.dedup();
        let mut pairs: BTreeMap<Lang, BTreeSet<Lang>> = BTreeMap::new();
        for from in &nodes {
            for to in &nodes {
                if from != to && self.route(*from, *to).is_some() {
                    pairs.entry(*from).or_default().insert(*to);
                }
            }
        }
        Reach::Pairs(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Lang {
        Lang::parse(s).unwrap()
    }

    #[test]
    fn mode_names_map_to_protocol_pairs() {
        assert_eq!(
            pair_langs("eng-spa"),
            [(l("en"), l("es"), 2), (l("en"), l("es-MX"), 2)]
        );
        assert_eq!(pair_langs("es-pt_BR"), [(l("es"), l("pt"), 2)]);
        let plain: Vec<_> = pair_langs("es-pt")
            .into_iter()
            .map(|(_, to, s)| (to, s))
            .collect();
        assert_eq!(plain, [(l("pt"), 1), (l("pt-PT"), 2)]);
        assert!(pair_langs("spa-cat_valencia").is_empty());
        assert!(pair_langs("eco-es-fr").is_empty());
        assert!(pair_langs("xxx-yyy").is_empty());
    }
}
