//! `honyaku-lambda`: the function behind the API Gateway WebSocket API,
//! the REST API's HTTP API and the fan-out queue.
//! Configuration once at init, SDK clients on the first events, then one
//! event at a time (see `honyaku::lambda::function`). Built without the local
//! server: `cargo build --bin honyaku-lambda --no-default-features --features aws`.

use std::sync::Arc;

use honyaku::lambda::function::{Function, LambdaConfig, init_logging};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let function = Arc::new(Function::new(LambdaConfig::from_env()?));
    // Raw JSON in: the queue and the two APIs send different events.
    run(service_fn(move |event: LambdaEvent<Value>| {
        let function = function.clone();
        async move { function.handle(event).await }
    }))
    .await
}
