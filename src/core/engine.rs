//! One engine call under the route's time budget, shared by the routes
//! that translate: `translate` (fan-out), `history` (on demand) and the
//! REST API. Past the budget the call counts as the engine being
//! unavailable, so the message goes out untranslated rather than late.

use std::time::Duration;

use crate::model::{Lang, Translation};
use crate::ports::{Hints, TranslateError, Translator};

/// One engine call under the route's time budget, with what the call
/// keeps untranslated and its context.
pub(crate) async fn translate_one(
    translator: &dyn Translator,
    limit: Duration,
    text: &str,
    from: Lang,
    to: Lang,
    hints: &Hints,
) -> Result<Translation, TranslateError> {
    match tokio::time::timeout(limit, translator.translate_with(text, from, to, hints)).await {
        Ok(result) => result,
        Err(_) => Err(TranslateError::Unavailable("engine timed out".into())),
    }
}
