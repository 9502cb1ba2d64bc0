//! `honyaku-lambda`: the function behind the API Gateway WebSocket API,
//! the REST API's HTTP API and the fan-out queue.
//! Configuration and SDK clients once at init, then one event at a time
//! (see `honyaku::aws::function`). Built without the local server:
//! `cargo build --bin honyaku-lambda --no-default-features --features aws`.

use honyaku::aws::function::{Function, LambdaConfig, init_logging};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    init_logging();
    let config = LambdaConfig::from_env()?;
    let function = Function::init(&config).await?;
    // Raw JSON in: the WebSocket and the HTTP API send different events.
    run(service_fn(move |event: LambdaEvent<Value>| {
        let function = function.clone();
        async move { function.handle(event).await }
    }))
    .await
}
