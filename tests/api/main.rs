//! One integration test binary: one link step instead of one per file.

mod helpers;

mod api_keys;
mod auth;
mod command_line;
mod errors;
mod openapi;
mod operations;
mod users;
