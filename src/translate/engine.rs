//! [`Engine`]: a [`Translator`] as the router sees it — a name, where it
//! lives, why it is not ok, and pairs it re-reads.

use async_trait::async_trait;

use crate::ports::{Reach, Translator};

/// One engine behind the router.
#[async_trait]
pub trait Engine: Translator {
    /// `apertium`, `libretranslate`, `deepl`, `amazon-translate`, `pseudo`, `none`.
    fn name(&self) -> &'static str;

    /// The server it calls, for an HTTP engine.
    fn url(&self) -> Option<String> {
        None
    }

    /// Why it cannot translate now, beyond one failed call (wrong key,
    /// quota used up).
    fn notice(&self) -> Option<String> {
        None
    }

    /// How many directed pairs it translates; `None`: all of them.
    fn pairs(&self) -> Option<usize> {
        match self.reach() {
            Reach::All => None,
            Reach::Pairs(p) => Some(p.values().map(|t| t.len()).sum()),
        }
    }

    /// Reads again what it translates (a languages endpoint); `Err` says
    /// why it could not.
    async fn refresh(&self) -> Result<(), String> {
        Ok(())
    }
}

macro_rules! local_engine {
    ($ty:ty, $name:expr) => {
        impl Engine for $ty {
            fn name(&self) -> &'static str {
                $name
            }
        }
    };
}

local_engine!(super::PseudoTranslator, super::pseudo::ENGINE);
local_engine!(super::NoTranslator, "none");
#[cfg(feature = "local")]
local_engine!(super::apertium::Apertium, super::apertium::ENGINE);
#[cfg(feature = "aws")]
local_engine!(super::AmazonTranslate, super::amazon::ENGINE);
