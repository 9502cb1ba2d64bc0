//! [`Translator`](crate::ports::Translator) engines. `pseudo` and `none`
//! live here; Apertium and Amazon Translate come as their own adapters.

mod none;
mod pseudo;

pub use none::NoTranslator;
pub use pseudo::PseudoTranslator;
