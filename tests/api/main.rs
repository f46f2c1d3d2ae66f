//! One integration test binary: one link step instead of one per file.

mod helpers;

mod api_keys;
mod articles;
mod auth;
mod authors;
mod categories;
mod command_line;
mod errors;
mod images;
mod openapi;
mod operations;
mod site;
mod site_files;
mod taxonomy_tags;
mod users;
