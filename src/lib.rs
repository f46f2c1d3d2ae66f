//! Masthead: a headless CMS for news sites. `main` and the tests build the same app from here.

pub mod api_keys;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod etag;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod routes;
pub mod schema;
pub mod users;
