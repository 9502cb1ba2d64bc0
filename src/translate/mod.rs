//! [`Translator`](crate::ports::Translator) engines. `pseudo` and `none`
//! live here; Apertium and Amazon Translate come as their own adapters.
//! `mask` (what no engine may translate), `glossary` (protected terms, v1.2), `chunk` (sentence splitting),
//! `languages` (code mappings), `detect` (local language identification)
//! and `cache` are shared by the engines.

#[cfg(feature = "aws")]
pub mod amazon;
#[cfg(feature = "local")]
pub mod apertium;
#[cfg(feature = "local")]
pub mod cache;
pub mod chunk;
#[cfg(feature = "local")]
pub mod detect;
pub mod glossary;
pub mod languages;
pub mod mask;
mod none;
mod pseudo;

#[cfg(feature = "aws")]
pub use amazon::AmazonTranslate;
pub use none::NoTranslator;
pub use pseudo::PseudoTranslator;
