//! What one message costs on AWS, from the operations the simulation
//! counted and us-east-1 list prices (on-demand; checked 2026-11). Sizes
//! are estimates, stated with each figure: a 100-character message from a
//! sender with a `clientMsgId` (as the page sends), members in 5 languages.

use honyaku::store::StoreOp;

use super::Measured;
use crate::common::Table;

/// USD per unit.
const API_GATEWAY_MESSAGE: f64 = 1.00 / 1e6;
const DYNAMODB_WRU: f64 = 0.625 / 1e6;
const DYNAMODB_RRU: f64 = 0.125 / 1e6;
const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
/// arm64, per GB-second; the function has 256 MB.
const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
const LAMBDA_GB: f64 = 0.25;
const SQS_REQUEST: f64 = 0.40 / 1e6;
const TRANSLATE_CHARACTER: f64 = 15.0 / 1e6;

/// A member row as stored (name, language, tag, keys, expiry), bytes.
const MEMBER_ITEM_BYTES: f64 = 110.0;

/// Read and write units one call of `op` costs (strongly consistent reads,
/// 4 KB per read unit, 1 KB per write unit, transactions at twice), for a
/// room of `members`.
fn units(op: StoreOp, members: usize, langs: usize) -> (f64, f64) {
    match op {
        StoreOp::GetConnection | StoreOp::HasClientMsg | StoreOp::RoomCount => (1.0, 0.0),
        StoreOp::Delivery => (1.0, 0.0),
        // v1.2: the room memory's Query and the glossary's GetItem, both
        // small items.
        StoreOp::Recall | StoreOp::Glossary => (1.0, 0.0),
        // v1.2: a client's departure noted at `$disconnect`, read at `$connect`.
        StoreOp::LeftAt => (1.0, 0.0),
        StoreOp::NoteLeft => (0.0, 1.0),
        // One page per 1,000 members, 4 KB per unit.
        StoreOp::RoomMembers => {
            let page = members.min(1_000) as f64;
            ((page * MEMBER_ITEM_BYTES / 4096.0).ceil().max(1.0), 0.0)
        }
        StoreOp::IncrementSender | StoreOp::IncrementBudget => (0.0, 1.0),
        // One item per translation (under 1 KB each), then the message and
        // its clientMsgId mark in one transaction (2 items × 2).
        StoreOp::PutMessage => (0.0, (langs - 1) as f64 + 4.0),
        StoreOp::PutDelivery => (0.0, 1.0),
        _ => (0.0, 0.0),
    }
}

pub fn table(results: &[Measured]) -> Table {
    let mut t = Table::new(
        "Cost per message on AWS (us-east-1 list prices)",
        &[
            "members",
            "API Gateway messages",
            "DynamoDB RRU / WRU",
            "Lambda invocations / ms",
            "SQS requests",
            "Translate characters",
            "USD per message",
            "of which translation",
        ],
    );
    for m in results {
        let langs = super::LANGS.len().min(m.members + 1);
        let (mut rru, mut wru) = (0.0, 0.0);
        for (op, calls) in &m.ops {
            let (r, w) = units(*op, m.members, langs);
            rru += r * calls;
            wru += w * calls;
        }
        // One inbound frame, then one post per member and the sender.
        let api = 1.0 + m.posts;
        let invocations = 1.0 + m.batches;
        let lambda_ms = m.translate_ms + m.worker_ms;
        // Each batch is sent (10 per call), received and deleted.
        let sqs = m.sqs_sends + 2.0 * m.batches;
        let characters = 100.0 * (langs - 1) as f64;
        let translation = characters * TRANSLATE_CHARACTER;
        let usd = api * API_GATEWAY_MESSAGE
            + rru * DYNAMODB_RRU
            + wru * DYNAMODB_WRU
            + invocations * LAMBDA_REQUEST
            + lambda_ms / 1e3 * LAMBDA_GB * LAMBDA_GB_SECOND
            + sqs * SQS_REQUEST
            + translation;
        t.row(vec![
            crate::common::thousands(m.members as u64),
            format!("{api:.0}"),
            format!("{rru:.0} / {wru:.0}"),
            format!("{invocations:.0} / {lambda_ms:.0}"),
            format!("{sqs:.0}"),
            format!("{characters:.0}"),
            format!("{usd:.6}"),
            format!("{:.0}%", 100.0 * translation / usd),
        ]);
    }
    t.note(
        "The shared limits cost one write unit per message (the sender's counter: messages this \
         minute and characters this hour in one conditional UpdateItem ADD), and one more when the \
         message is translated and a daily budget is set (the deployment's counter); both are in \
         the WRU column. Counted in the simulation: store calls per message (the core's, through \
         a counting hook), posts, fan-out batches and SQS send calls; Lambda time is the measured wall time \
         of the `translate` invocation and of the workers with 25 ms per post. Estimated: a \
         member item of 110 bytes (so a 1,000-member page is 27 read units), every other item \
         under 1 KB (1 unit), SQS billing per 64 KB chunk (a batch of 1,000 ids is about 22 KB). \
         Prices: API Gateway WebSocket $1.00 per million messages, DynamoDB on demand $0.125 per \
         million read and $0.625 per million write request units, Lambda arm64 $0.20 per million \
         requests and $0.0000133334 per GB-second at 256 MB, SQS $0.40 per million requests, \
         Amazon Translate $15 per million characters. Connection minutes ($0.25 per million) \
         are per member, not per message.",
    );
    t
}
