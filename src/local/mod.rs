//! `honyaku serve`: a local stand-in for API Gateway's WebSocket API. It
//! builds the same `ApiGatewayWebsocketProxyRequest` events API Gateway
//! would and hands them to [`crate::lambda::handle`].
//!
//! - `server.rs`: `run(listener, config, shutdown)`, the routes, start-up.
//! - `listener.rs`: the accept loop: connection cap, request-head limits.
//! - `deadline.rs`: a request body must arrive within the request's time.
//! - `slots.rs`: places under `--max-connections`, reserved at accept.
//! - `gateway.rs`: the state every part shares, and the Lambda entry.
//! - `host_check.rs`: every request must name this server in `Host` (DNS
//!   rebinding).
//! - `handshake.rs`: the WebSocket handshake and `$connect`.
//! - `session.rs`: one live socket: frames → events, limits, `$disconnect`.
//! - `client_ip.rs`: the caller's address (`X-Forwarded-For` from a
//!   `--trusted-proxy` only).
//! - `events.rs`: the API Gateway events, fully populated.
//! - `connections.rs`: the live sockets, and the in-process `Push`.
//! - `management.rs`: the `@connections` management API over HTTP;
//!   `management_access.rs` who may call it; `sigv4.rs` its signatures.
//! - `rest.rs`: `POST /translate`, the REST API, as an HTTP API event;
//!   `rest_cors.rs` which web pages may call it.
//! - `response.rs`: a Lambda proxy response as an HTTP response.
//! - `web.rs`: the chat page (built in, or `--web DIR`) and its headers.
//! - `sweep.rs`: removes rows of connections that are no longer live, and
//!   expired rows.
//! - `queue.rs`: the in-process fan-out queue for big rooms.
//! - `instance.rs`: this server's instance id.
//! - `aws.rs`: the AWS adapters for `--store dynamodb` and
//!   `--translator aws` (feature `aws`).

#[cfg(feature = "aws")]
pub mod aws;
mod client_ip;
mod connections;
mod deadline;
mod events;
mod gateway;
mod handshake;
mod host_check;
mod instance;
mod listener;
mod management;
mod management_access;
mod queue;
mod response;
mod rest;
mod rest_cors;
mod server;
mod session;
mod sigv4;
mod slots;
mod sweep;
mod web;

pub use connections::{Outbound, Registry};
pub use events::{EventContext, connect_event, disconnect_event, message_event};
pub use server::{Prepared, ServeError, build_app, prepare, run};
