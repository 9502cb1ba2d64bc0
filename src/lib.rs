//! honyaku (翻訳): a realtime translation chat. People join a room, each in
//! their own language, and read everyone else's messages in theirs.
//!
//! The same route handlers run on AWS (API Gateway WebSocket API → Lambda →
//! DynamoDB, Amazon Translate) and locally (`honyaku serve`: a gateway that
//! speaks API Gateway's protocol, an embedded store, a local engine).
//!
//! # Layout
//!
//! This is the one description of the layout; docs/ARCHITECTURE.md and the
//! README link here. Every arrow points down: a module imports only those
//! listed below it, and the core sees only the four ports.
//!
//! ```text
//! src/
//!   bin/         honyaku.rs (the local CLI: serve, token), honyaku-lambda.rs
//!                (thin: the Lambda runtime around lambda::function)
//!   local/       `honyaku serve`, the local API Gateway (feature `local`):
//!                server (routes, start-up), listener (accept, caps), slots,
//!                deadline (whole-request time), host_check (DNS rebinding),
//!                client_ip (--trusted-proxy), gateway (shared state),
//!                handshake, session (one socket), events, connections
//!                (in-process Push), queue (in-process fan-out), management
//!                (@connections), management_access + sigv4 (who may call
//!                it), rest + rest_cors (who may call it), response, web (the
//!                page), qr (the invite's GET /qr.svg), sweep, instance (id),
//!                aws (--store dynamodb, --translator aws; feature `aws`)
//!   lambda/      mod.rs: ApiGatewayWebsocketProxyRequest → core →
//!                ApiGatewayProxyResponse, the entry both gateways call;
//!                rest.rs: the HTTP API's POST /translate; with feature
//!                `aws` the function behind honyaku-lambda: function (init,
//!                dispatch on the event), environment (its configuration),
//!                secret (SSM), worker (SQS events → App::deliver)
//!   push/        ApiGatewayPush, the Management API push (feature `aws`)
//!   queue/       sqs/, the SQS fan-out queue (feature `aws`)
//!   store/       keys (every key), embedded/ (memory and redb on one
//!                implementation), dynamodb/ (feature `aws`), hooked,
//!                private_files (the data directory 0700, files 0600)
//!   translate/   pseudo, none, apertium/, amazon/ (feature `aws`), cache,
//!                languages, mask, chunk, detect
//!   aws/         the AWS SDK setup the AWS adapters share: sdk (HTTPS
//!                client, Amazon roots in roots.pem, clients on first
//!                use), moto (test setup) (feature `aws`)
//!   metrics/     counting wrappers (metered) and EMF lines
//!   core/        the routes, one file each, each entry a free function
//!                named for its route (App's methods in mod.rs hand on to
//!                them): routes (dispatch, ping), connect, rooms, fanout
//!                (translate), deliver, history, rest; shared by them:
//!                engine (one engine call), ids, cursor, quota (rates,
//!                budgets, flood guard), access (origins, tokens), policy;
//!                tests/ (unit tests)
//!   protocol/    wire frames ⇄ commands: client.rs, command.rs, server.rs, message.rs
//!   ports/       store, engine (Translator), push, queue
//!   model/       parsed domain types (names + name_chars, lang, identity,
//!                records)
//!   config.rs    typed configuration (ServeConfig); limits.rs every limit
//!                and default; contract.rs web/contract.json compiled in
//!   testing/     shared test doubles, start_server, the Lambda Runtime
//!                API and Management API stand-ins (feature `testing`)
//! build.rs       web/contract.json's limits as Rust constants
//! client/        honyaku-chat, the terminal client (reuses protocol/)
//! web/           the chat page (ES modules, no build step), built into the
//!                binary; contract.json, config.json, i18n/
//! docs/          PROTOCOL.md (the contract), ARCHITECTURE.md, AWS.md
//! tests/suite/   the one end-to-end test binary (main.rs, helpers/, one
//!                module per area, store_contract/, fixtures/)
//! tests/web/     the page in Chromium (node --test, playwright-core)
//! benches/       apertium, fanout/, cost, aws_fanout/, lambda_start (with
//!                lambda-hello/; its stand-ins are testing's), common/; BENCHMARKS.md
//!                is written from their JSON by scripts/benchmarks
//! fuzz/          cargo fuzz target for the frame parser
//! scripts/       setup, test, build-lambda, check-lambda-build,
//!                check-template, tls-proxy-check, dynamodb/
//! template.yaml  the SAM stack; .ci/run the CI entry
//! ```

#![warn(missing_docs)]

#[cfg(feature = "aws")]
pub mod aws;
pub mod config;
pub mod contract;
pub mod core;
pub mod lambda;
pub mod limits;
#[cfg(feature = "local")]
pub mod local;
pub mod metrics;
pub mod model;
pub mod ports;
pub mod protocol;
#[cfg(feature = "aws")]
pub mod push;
pub mod queue;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod translate;
