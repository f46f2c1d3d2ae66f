//! One integration test binary: one link step instead of one per file.

mod helpers;

mod api_keys;
mod articles;
mod auth;
mod authors;
mod carousels;
mod categories;
mod demo;
mod command_line;
mod corpus;
mod errors;
mod images;
mod links;
mod openapi;
mod operations;
mod recommendations;
mod search;
mod taxonomy_tags;
mod users;
