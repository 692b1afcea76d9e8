//! A reference loyalty backend a team could copy: HTTP (axum) over SQLite (bundled, WAL).
//!
//! - [`store`]: the tables (programs, members, journal, events, requests, advance runs) and
//!   the one transaction per event: load the snapshot, apply, compare-and-swap on the
//!   revision, append the journal.
//! - [`api`]: the routes, typed 4xx errors, body limits.
//! - [`client`]: a small HTTP/1.1 client with keep-alive, for the tests and the load bench.
//!
//! Start it with `cargo run --release -p loyalty-backend -- --db loyalty.db`.

pub mod api;
pub mod client;
pub mod store;

pub use api::router;
pub use store::Store;
