//! `honyaku serve`: a local stand-in for API Gateway's WebSocket API. It
//! builds the same `ApiGatewayWebsocketProxyRequest` events API Gateway
//! would and hands them to [`crate::lambda::handle`].
//!
//! - `server.rs`: `run(listener, config, shutdown)`, the HTTP routes, the page.
//! - `gateway.rs`: the WebSocket handshake and `$connect`.
//! - `session.rs`: one live socket: frames → events, limits, `$disconnect`.
//! - `events.rs`: the API Gateway events, fully populated.
//! - `connections.rs`: the live sockets, and the in-process `Push`.
//! - `management.rs`: the `@connections` management API over HTTP.
//! - `rest.rs`: `POST /translate`, the REST API, as an HTTP API event.
//! - `sweep.rs`: removes rows of connections that are no longer live, and
//!   expired rows.
//! - `queue.rs`: the in-process fan-out queue for big rooms.
//! - `instance.rs`: this server's instance id.

mod connections;
mod events;
mod gateway;
mod instance;
mod management;
mod queue;
mod rest;
mod server;
mod session;
mod sweep;

pub use connections::{Outbound, Registry};
pub use events::{EventContext, connect_event, disconnect_event, message_event};
pub use server::{Prepared, ServeError, build_app, prepare, run};
