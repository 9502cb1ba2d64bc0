//! Posting frames. Small rooms are posted directly with bounded
//! concurrency; past `fanout_direct_max` recipients, and with a queue, the
//! recipients go to the fan-out worker in batches (SQS on AWS, so a room of
//! 10,000 never races API Gateway's 29 s), each batch carrying its
//! language's frame encoded once. The worker's entry is [`App::deliver`]:
//! a delivery marker per batch keeps a redelivered batch from posting
//! twice to anyone.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};

use super::App;
use super::plan::FanoutPlan;
use crate::limits::{
    FANOUT_BATCH_BYTES, FANOUT_BATCH_RECIPIENTS, FANOUT_CONCURRENCY, MAX_MESSAGE_BYTES,
};
use crate::model::{ConnectionId, Lang, Message, RoomName};
use crate::ports::{Delivery, FanoutBatch, Frame, PushError, StoreError, TranslateError};
use crate::protocol::{MessageFrame, ServerFrame};

/// Why a fan-out batch is not finished; the queue hands it out again.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// Some recipients could not be posted to yet (throttled, or the gateway
    /// failed); how many.
    #[error("{0} recipients not reached yet")]
    Undelivered(usize),
    /// The delivery marker could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How one post ended.
enum Posted {
    Done,
    /// Worth another try later (throttled, or the gateway failed).
    Retry,
}

impl Posted {
    /// The recipient, if worth another try.
    fn retry(self, to: ConnectionId) -> Option<ConnectionId> {
        matches!(self, Posted::Retry).then_some(to)
    }
}

impl App {
    /// Hands each language's frame to its readers; the sender's own copy
    /// (with its `clientMsgId`) is the only one rendered apart. `as_`
    /// says which frame: a new message, or (v1.2) its edited text.
    pub(super) async fn fan_out(
        &self,
        msg: &Message,
        plan: &FanoutPlan<'_>,
        failures: &HashMap<Lang, TranslateError>,
        sender: &ConnectionId,
        as_: Rendered,
    ) {
        let mut direct: Vec<(ConnectionId, Frame)> = Vec::new();
        let own = msg.client_msg_id.as_ref().map(|cmid| {
            let lang = msg_lang(plan, sender);
            let mut frame = MessageFrame::render(msg, lang, failures.get(&lang));
            frame.client_msg_id = Some(cmid.as_str().to_owned());
            frame
        });
        if let Some(own) = own.and_then(|f| fitted_as(f, as_)) {
            direct.push((sender.clone(), own));
        }
        let skip_sender = !direct.is_empty();
        let mut by_lang: Vec<(Frame, Vec<ConnectionId>)> = Vec::new();
        for (lang, members) in &plan.by_lang {
            let rendered = MessageFrame::render(msg, *lang, failures.get(lang));
            let Some(frame) = fitted_as(rendered, as_) else {
                continue;
            };
            let to = members
                .iter()
                .map(|m| m.connection_id.clone())
                .filter(|id| !(skip_sender && id == sender))
                .collect::<Vec<_>>();
            by_lang.push((frame, to));
        }
        // Each change of a message is a fan-out of its own: its batches'
        // delivery markers must not be taken for the first one's.
        let batch_id = match (as_, msg.edited_at) {
            (Rendered::Edited, Some(at)) => format!("{}@e{at}", msg.id),
            _ => msg.id.clone(),
        };
        self.hand_out(&batch_id, &msg.room, by_lang, direct).await;
    }

    /// One frame to every reader in `to` (`deleted`, `corrected`,
    /// `glossary`), through the queue when they are many.
    pub(super) async fn broadcast(
        &self,
        batch_id: &str,
        room: &RoomName,
        frame: &ServerFrame,
        to: Vec<ConnectionId>,
    ) {
        let frame = frame.to_frame();
        if frame.len() > MAX_MESSAGE_BYTES {
            tracing::error!(bytes = frame.len(), "a frame does not fit in 128 KB");
            return;
        }
        self.hand_out(batch_id, room, vec![(frame, to)], Vec::new())
            .await;
    }

    /// Posts `by_lang` (through the queue past `fanout_direct_max`
    /// recipients) and `direct`.
    async fn hand_out(
        &self,
        batch_id: &str,
        room: &RoomName,
        by_lang: Vec<(Frame, Vec<ConnectionId>)>,
        mut direct: Vec<(ConnectionId, Frame)>,
    ) {
        let total: usize = by_lang.iter().map(|(_, to)| to.len()).sum();
        match &self.queue {
            Some(queue) if total > self.policy.fanout_direct_max => {
                let (batches, oversized) = batches(batch_id, room, by_lang);
                direct.extend(oversized);
                let count = batches.len();
                match queue.enqueue(batches).await {
                    Ok(()) => tracing::info!(batch = %batch_id, batches = count, "fan-out queued"),
                    Err(e) => {
                        tracing::warn!(batch = %batch_id, error = %e, "fan-out queue failed; posting directly");
                        for batch in e.unsent {
                            let frame = Frame::new(batch.frame);
                            direct.extend(batch.to.into_iter().map(|id| (id, frame.clone())));
                        }
                    }
                }
            }
            _ => {
                for (frame, to) in by_lang {
                    direct.extend(to.into_iter().map(|id| (id, frame.clone())));
                }
            }
        }
        self.post_all(direct.into_iter()).await;
    }

    /// Posts each frame to its connection with bounded concurrency. One
    /// recipient's failure never affects the others; a gone one is removed.
    /// Returns those worth another try.
    ///
    /// A post that is answered at once (the local gateway's push only
    /// queues the frame) is settled on the spot: a room's fan-out then runs
    /// without yielding to the sockets it wakes, and the frames of one
    /// message reach every queue before the first of them is written.
    pub(super) async fn post_all(
        &self,
        posts: impl Iterator<Item = (ConnectionId, Frame)>,
    ) -> Vec<ConnectionId> {
        let mut running = FuturesUnordered::new();
        let mut retry = Vec::new();
        for (to, frame) in posts {
            let mut post = Box::pin(async move { (self.post(&to, &frame).await, to) });
            match (&mut post).now_or_never() {
                Some((posted, to)) => retry.extend(posted.retry(to)),
                None => running.push(post),
            }
            while running.len() >= FANOUT_CONCURRENCY {
                if let Some((posted, to)) = running.next().await {
                    retry.extend(posted.retry(to));
                }
            }
        }
        while let Some((posted, to)) = running.next().await {
            retry.extend(posted.retry(to));
        }
        retry
    }

    pub(super) async fn reply(&self, to: &ConnectionId, frame: &ServerFrame) {
        self.post(to, &frame.to_frame()).await;
    }

    async fn post(&self, to: &ConnectionId, frame: &Frame) -> Posted {
        let mut result = self.push.post(to, frame).await;
        // The SDK retries throttling itself; a few more tries here cover
        // gateways that do not, without holding the fan-out for long.
        for pause_ms in [50, 150, 400] {
            if result != Err(PushError::Throttled) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(pause_ms)).await;
            result = self.push.post(to, frame).await;
        }
        match result {
            Ok(()) => Posted::Done,
            Err(PushError::Gone) => {
                self.forget_gone(to).await;
                Posted::Done
            }
            Err(PushError::PayloadTooLarge) => {
                // By construction no frame is over 128 KB; this is a bug.
                tracing::error!(conn = %to, bytes = frame.len(), "post refused: payload too large");
                Posted::Done
            }
            Err(e) => {
                tracing::warn!(conn = %to, error = %e, "post failed");
                Posted::Retry
            }
        }
    }

    /// A post answered Gone: remove the connection's rows, unless it is so
    /// young that its own `$connect` may still be running (a gateway cannot
    /// deliver to a connection before `$connect` returns, so a room joined
    /// by many at once would otherwise lose its newest members).
    async fn forget_gone(&self, id: &ConnectionId) {
        match self.store.get_connection(id).await {
            Ok(Some(conn)) if Self::connecting(&conn) => {
                tracing::debug!(conn = %id, "gone while still connecting; kept");
            }
            Ok(_) => {
                tracing::info!(conn = %id, "gone; removing its rows");
                if let Err(e) = self.store.delete_connection(id).await {
                    tracing::warn!(conn = %id, error = %e, "delete gone connection");
                }
            }
            Err(e) => tracing::warn!(conn = %id, error = %e, "reading a gone connection"),
        }
    }
}

/// The fan-out worker's entry: posts one batch to whoever in it has
/// not had it yet. `Err` means some recipients still wait (throttled,
/// say): the queue should hand the batch out again, and only they will
/// be posted to then.
#[tracing::instrument(skip_all, fields(batch = %batch.id, recipients = batch.to.len()))]
pub(super) async fn deliver(app: &App, batch: FanoutBatch) -> Result<(), DeliverError> {
    let pending = match app.store.delivery(&batch.id).await? {
        Some(Delivery::Done) => {
            tracing::debug!("already delivered");
            return Ok(());
        }
        Some(Delivery::Remaining(ids)) => ids,
        None => batch.to,
    };
    let frame = Frame::new(batch.frame);
    let failed = app
        .post_all(pending.into_iter().map(|id| (id, frame.clone())))
        .await;
    let marker = if failed.is_empty() {
        Delivery::Done
    } else {
        Delivery::Remaining(failed.clone())
    };
    if let Err(e) = app.store.put_delivery(&batch.id, &marker).await {
        tracing::warn!(error = %e, "writing a delivery marker");
        if !failed.is_empty() {
            return Err(e.into());
        }
    }
    match failed.len() {
        0 => Ok(()),
        n => Err(DeliverError::Undelivered(n)),
    }
}

/// The sender's reading language (it is among the members).
fn msg_lang(plan: &FanoutPlan<'_>, sender: &ConnectionId) -> Lang {
    plan.by_lang
        .iter()
        .find(|(_, ms)| ms.iter().any(|m| m.connection_id == *sender))
        .map_or(plan.source, |(lang, _)| *lang)
}

/// Which frame a message goes out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rendered {
    Message,
    /// v1.2's `edited`.
    Edited,
}

impl Rendered {
    fn frame(self, m: MessageFrame) -> ServerFrame {
        match self {
            Self::Message => ServerFrame::Message(m),
            Self::Edited => ServerFrame::Edited(m),
        }
    }
}

/// A message frame within API Gateway's 128 KB. A message whose original
/// and translation together do not fit (only texts made almost entirely
/// of characters JSON must escape come near) goes without its original.
pub(super) fn fitted(frame: MessageFrame) -> Option<Frame> {
    fitted_as(frame, Rendered::Message)
}

fn fitted_as(mut frame: MessageFrame, as_: Rendered) -> Option<Frame> {
    let encoded = as_.frame(frame.clone()).to_frame();
    if encoded.len() <= MAX_MESSAGE_BYTES {
        return Some(encoded);
    }
    frame.original = None;
    let encoded = as_.frame(frame).to_frame();
    if encoded.len() <= MAX_MESSAGE_BYTES {
        return Some(encoded);
    }
    tracing::error!(
        bytes = encoded.len(),
        "a message frame does not fit in 128 KB"
    );
    None
}

/// Splits each language's recipients into batches whose JSON stays under
/// [`FANOUT_BATCH_BYTES`]; a frame too big to travel in a batch at all is
/// returned for posting directly.
fn batches(
    msg_id: &str,
    room: &crate::model::RoomName,
    by_lang: Vec<(Frame, Vec<ConnectionId>)>,
) -> (Vec<FanoutBatch>, Vec<(ConnectionId, Frame)>) {
    let mut out = Vec::new();
    let mut oversized = Vec::new();
    for (frame, to) in by_lang {
        // The frame travels as a JSON string: escaping makes it longer.
        let envelope = serde_json::to_string(frame.as_str()).map_or(usize::MAX, |s| s.len()) + 256;
        if envelope >= FANOUT_BATCH_BYTES {
            oversized.extend(to.into_iter().map(|id| (id, frame.clone())));
            continue;
        }
        let mut chunk: Vec<ConnectionId> = Vec::new();
        let mut size = envelope;
        for id in to {
            let id_size = id.as_str().len() + 4;
            if !chunk.is_empty()
                && (size + id_size > FANOUT_BATCH_BYTES || chunk.len() >= FANOUT_BATCH_RECIPIENTS)
            {
                out.push(batch(
                    msg_id,
                    out.len(),
                    room,
                    &frame,
                    std::mem::take(&mut chunk),
                ));
                size = envelope;
            }
            size += id_size;
            chunk.push(id);
        }
        if !chunk.is_empty() {
            out.push(batch(msg_id, out.len(), room, &frame, chunk));
        }
    }
    (out, oversized)
}

fn batch(
    msg_id: &str,
    n: usize,
    room: &crate::model::RoomName,
    frame: &Frame,
    to: Vec<ConnectionId>,
) -> FanoutBatch {
    FanoutBatch {
        id: format!("{msg_id}#{n}"),
        room: room.clone(),
        frame: frame.as_str().to_owned(),
        to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoomName;

    #[test]
    fn batches_stay_small_and_cover_everyone() {
        let room = RoomName::lobby();
        let frame = Frame::new(format!("{{\"text\":\"{}\"}}", "\\\"".repeat(30_000)));
        let to: Vec<ConnectionId> = (0..2_500)
            .map(|i| ConnectionId::new(format!("conn-{i:05}-abcdefgh=")))
            .collect();
        let (out, oversized) = batches("01MSG", &room, vec![(frame.clone(), to.clone())]);
        assert!(oversized.is_empty());
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].id, "01MSG#0");
        let mut all: Vec<ConnectionId> = out.iter().flat_map(|b| b.to.clone()).collect();
        all.sort();
        assert_eq!(all, to);
        for b in &out {
            assert!(serde_json::to_string(b).unwrap().len() <= FANOUT_BATCH_BYTES);
        }
        let huge = Frame::new("\"".repeat(120_000));
        let (out, oversized) = batches("01MSG", &room, vec![(huge, to[..3].to_vec())]);
        assert!(out.is_empty());
        assert_eq!(oversized.len(), 3);
    }
}
