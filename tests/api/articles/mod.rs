//! Articles: written, published, listed, revised and refused; a file per theme, and here the
//! helpers they share.

mod lists;
mod publishing;
mod reading;
mod revisions;
mod roles;
mod slugs;
mod trash;
mod validation;
mod writing;

use actix_web::http::StatusCode;
use diesel::{RunQueryDsl, sql_query};
use serde_json::Value;

use crate::helpers::{Session, TestApp};

const TITLE: &str = "用民生“温度”标注幸福“刻度”";
const BODY: &str = "利民之事，丝发必兴。近年来，通辽市以群众满意为目标，持续推进社会帮扶体系建设。\n\n\
    翻阅通辽市厚重的社会救助台账，一串串数字，一个个事例，宛若跳动的音符。";

async fn create(app: &TestApp, as_user: &Session, body: Value) -> Value {
    let response = app
        .post("/api/v1/articles")
        .as_user(as_user)
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

async fn publish(app: &TestApp, as_user: &Session, id: &str) -> Value {
    let response = app
        .post(&format!("/api/v1/articles/{id}/publish"))
        .as_user(as_user)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// Rows the articles tests need, written straight into the database.
fn insert(app: &TestApp, table: &str, slug: &str, name: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    sql_query(format!(
        "INSERT INTO {table} (id, slug, name) VALUES ('{id}', '{slug}', '{name}')"
    ))
    .execute(&mut app.db.connect())
    .expect("inserted");
    id
}
