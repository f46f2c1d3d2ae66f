//! Masthead: a headless CMS for news sites. `main` and the tests build the same app from here.

pub mod api_keys;
pub mod app;
pub mod articles;
pub mod auth;
pub mod authors;
pub mod cache;
pub mod categories;
pub mod config;
pub mod db;
pub mod error;
pub mod etag;
pub mod extract;
pub mod health;
pub mod images;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod routes;
pub mod schema;
pub mod site;
pub mod sitefiles;
pub mod slugs;
pub mod tags;
pub mod text;
pub mod users;
