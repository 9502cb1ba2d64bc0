//! The cost bench's DynamoDB table: the same `translate`s on the DynamoDB
//! store, on DynamoDB Local, with the capacity units it reports.

use super::*;
use honyaku::store::DynamoStore;

const ENDPOINT_VAR: &str = "HONYAKU_DYNAMODB_ENDPOINT";
/// A room of 3 languages, at the room sizes of the memory table.
const LANGS: usize = 3;

async fn store(endpoint: &str) -> DynamoStore {
    let sdk = honyaku::aws::sdk::load_for_endpoint(endpoint).await;
    let table = format!(
        "honyaku-cost-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table);
    store
        .create_table_if_missing()
        .await
        .expect("create the bench's table in DynamoDB Local");
    store
}

/// The table, or `None` (said on stderr) without DynamoDB Local.
pub async fn table() -> Option<Table> {
    let Some(endpoint) = std::env::var(ENDPOINT_VAR).ok().filter(|v| !v.is_empty()) else {
        eprintln!(
            "cost: {ENDPOINT_VAR} is not set; the DynamoDB table is left out \
             (start DynamoDB Local, as scripts/test does, and set it)"
        );
        return None;
    };
    let mut table = Table::new(
        "Cost per `translate` on DynamoDB (DynamoDB Local, capacity units as it reports them)",
        &[
            "members",
            "languages",
            "store ops",
            "store ops with clientMsgId",
            "read units",
            "write units",
            "write units with clientMsgId",
        ],
    );
    for &members in &SIZES {
        let store = store(&endpoint).await;
        let units: Units = {
            let store = store.clone();
            Arc::new(move || store.capacity_units())
        };
        let m = measure(fixture(Some((Arc::new(store), units))), members, LANGS).await;
        table.row(vec![
            members.to_string(),
            m.langs.min(members).to_string(),
            num(m.plain.store_ops()),
            num(m.with_id.store_ops()),
            num(m.plain.read_units),
            num(m.plain.write_units),
            num(m.with_id.write_units),
        ]);
    }
    table.note(
        "The same `translate`s as above (short texts, the pseudo engine), through the \
         DynamoDB store on DynamoDB Local, which reports consumed capacity as DynamoDB does: \
         a write of up to 1 KB is 1 unit, 2 in a transaction; a strongly consistent read of \
         up to 4 KB is 1 unit. Every call asks for `ReturnConsumedCapacity: TOTAL`; a write \
         refused by its condition consumes units that are not reported. The store's cost in \
         money on AWS is these units at the table's on-demand price.",
    );
    Some(table)
}
