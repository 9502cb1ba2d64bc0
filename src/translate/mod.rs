//! [`Translator`](crate::ports::Translator) engines. `pseudo` and `none`
//! live here; Apertium, Amazon Translate, LibreTranslate and DeepL come as
//! their own adapters, and `router` puts several behind one.
//! `engine` (what the router asks of each), `mask` (what no engine may
//! translate), `glossary` (a room's protected terms, v1.2), `pieces` (a
//! message cut for list-taking engines), `chunk` (sentence splitting),
//! `languages` (code mappings), `detect` (local language identification),
//! `http` (the HTTP engines' client) and `cache` are shared by the engines.

#[cfg(feature = "aws")]
pub mod amazon;
#[cfg(feature = "local")]
pub mod apertium;
#[cfg(feature = "local")]
pub mod cache;
pub mod chunk;
#[cfg(feature = "http-engines")]
pub mod deepl;
#[cfg(feature = "local")]
pub mod detect;
pub mod engine;
pub mod glossary;
#[cfg(feature = "http-engines")]
pub mod http;
pub mod languages;
#[cfg(feature = "http-engines")]
pub mod libretranslate;
pub mod mask;
mod none;
pub mod pieces;
mod pseudo;
pub mod router;
#[cfg(feature = "http-engines")]
mod standing;

#[cfg(feature = "aws")]
pub use amazon::AmazonTranslate;
pub use none::NoTranslator;
pub use pseudo::PseudoTranslator;
