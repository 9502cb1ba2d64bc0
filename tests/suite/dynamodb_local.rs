//! DynamoDB Local for the tests: `scripts/test` starts it and exports its
//! URL as `HONYAKU_DYNAMODB_ENDPOINT`. Each test gets a table of its own.
//! Without the variable a test is skipped — except under `CI=true`, where
//! a missing DynamoDB Local is a failure, not a silent pass.

use std::io::Write;
use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use honyaku::ports::Store;
use honyaku::store::DynamoStore;

pub const ENDPOINT_VAR: &str = "HONYAKU_DYNAMODB_ENDPOINT";

/// DynamoDB Local's URL, or `None` after printing why the test is skipped.
pub fn endpoint(test: &str) -> Option<String> {
    match std::env::var(ENDPOINT_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "{ENDPOINT_VAR} is not set, so the DynamoDB tests cannot run; in CI, \
             scripts/test must start DynamoDB Local (installed by scripts/setup) and export it"
        ),
        _ => {
            // Straight to stderr: the test harness captures `println!`.
            let _ = writeln!(
                std::io::stderr(),
                "SKIP {test}: {ENDPOINT_VAR} is not set (scripts/test starts DynamoDB Local and sets it)"
            );
            None
        }
    }
}

/// A client for DynamoDB Local, which accepts any credentials.
pub fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .http_client(honyaku::aws::sdk::http_client())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A fresh, uniquely named table.
pub fn table_name() -> String {
    format!(
        "honyaku-test-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// A store on a new table of its own, or `None` when skipped.
pub async fn fresh_store(test: &str) -> Option<DynamoStore> {
    Some(fresh_table(test).await?.store)
}

/// A new table of its own: its store, and a client and its name for
/// looking behind the store's back.
pub struct Table {
    pub store: DynamoStore,
    pub client: aws_sdk_dynamodb::Client,
    pub name: String,
    pub endpoint: String,
}

/// [`fresh_store`] with the table's client and name.
pub async fn fresh_table(test: &str) -> Option<Table> {
    let endpoint = endpoint(test)?;
    let name = table_name();
    let client = client(&endpoint);
    let store = DynamoStore::new(client.clone(), name.clone());
    assert!(store.create_table_if_missing().await.expect("create table"));
    Some(Table {
        store,
        client,
        name,
        endpoint,
    })
}

impl Table {
    /// Every item of the table, each as its `Debug` text (attribute names
    /// and values), for asserting what is left in it.
    pub async fn scan(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.name)
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .expect("scan the table");
            out.extend(page.items().iter().map(|i| format!("{i:?}")));
            start = page.last_evaluated_key;
            if start.is_none() {
                return out;
            }
        }
    }
}

/// [`fresh_store`] as the contract suite takes it, with a dump of its
/// table (a paginated `Scan`, each item as its `Debug` text).
pub async fn contract_store(
    test: &str,
) -> Option<((), Arc<dyn Store>, crate::store_contract::Dump)> {
    let store = fresh_store(test).await?;
    let url = endpoint(test)?;
    let table = store.table().to_owned();
    let dump: crate::store_contract::Dump = Arc::new(move || {
        let (client, table) = (client(&url), table.clone());
        Box::pin(async move {
            let mut rows = Vec::new();
            let mut start = None;
            loop {
                let out = client
                    .scan()
                    .table_name(&table)
                    .consistent_read(true)
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .expect("scan the test table");
                rows.extend(out.items().iter().map(|item| format!("{item:?}")));
                start = out.last_evaluated_key;
                if start.is_none() {
                    return rows;
                }
            }
        })
    });
    Some(((), Arc::new(store) as Arc<dyn Store>, dump))
}
