//! One integration test binary: one link step instead of one per file.

mod helpers;

mod api_keys;
mod articles;
mod auth;
mod authors;
mod browser;
mod carousels;
mod categories;
mod changes;
mod command_line;
mod compression;
mod corpus;
mod cors;
mod demo;
mod errors;
mod hostile_input;
mod images;
mod links;
mod openapi;
mod operations;
mod processes;
mod recommendations;
mod search;
mod site;
mod site_files;
mod slugs;
mod taxonomy_tags;
mod users;
mod webhooks;
