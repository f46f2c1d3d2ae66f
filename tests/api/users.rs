use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn admins_create_list_and_read_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app
        .post("/api/v1/users")
        .as_user(&admin)
        .json(&json!({"email": "Editor@Example.com", "password": PASSWORD, "name": "王编辑", "role": "editor"}))
        .send()
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(created.json()["email"], "editor@example.com");
    assert_eq!(created.json()["role"], "editor");
    assert_eq!(created.json()["version"], 1);

    let read = app
        .get(&format!("/api/v1/users/{id}"))
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["name"], "王编辑");
    assert_eq!(read.header("cache-control"), Some("private, no-store"));

    let list = app
        .get("/api/v1/users?per_page=1")
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let body = list.json();
    assert_eq!(body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        body["meta"],
        json!({"page": 1, "per_page": 1, "total": 2, "total_pages": 2})
    );
    assert_eq!(
        list.header("link"),
        Some("</api/v1/users?per_page=1&page=2>; rel=\"next\"")
    );
    let second = app
        .get("/api/v1/users?per_page=1&page=2")
        .as_user(&admin)
        .send()
        .await;
    assert_eq!(second.json()["data"][0]["id"], id.as_str());
    assert_eq!(
        second.header("link"),
        Some("</api/v1/users?per_page=1&page=1>; rel=\"prev\"")
    );
}

#[actix_web::test]
async fn a_taken_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post("/api/v1/users")
        .as_user(&admin)
        .json(&json!({"email": "ADMIN@example.com", "password": PASSWORD, "name": "x", "role": "editor"}))
        .send()
        .await;
    let problem = response.problem(409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("email")
    );
}

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for role in ["editor", "author", "contributor", "member"] {
        let user = app.user(&admin, role).await;
        app.get("/api/v1/users")
            .as_user(&user)
            .send()
            .await
            .problem(403);
        app.get(&format!("/api/v1/users/{}", admin.user_id))
            .as_user(&user)
            .send()
            .await
            .problem(403);
        app.post("/api/v1/users")
            .as_user(&user)
            .json(&json!({"email": "x@example.com", "password": PASSWORD, "name": "x", "role": "admin"}))
            .send()
            .await
            .problem(403);
        app.patch(&format!("/api/v1/users/{}", user.user_id))
            .as_user(&user)
            .json(&json!({"role": "admin"}))
            .send()
            .await
            .problem(403);
    }
    app.get("/api/v1/users").send().await.problem(401);
}

#[actix_web::test]
async fn a_role_change_applies_to_existing_tokens_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let promoted = app
        .patch(&format!("/api/v1/users/{}", editor.user_id))
        .as_user(&admin)
        .json(&json!({"role": "admin"}))
        .send()
        .await;
    assert_eq!(promoted.status, StatusCode::OK);
    assert_eq!(promoted.json()["version"], 2);
    let list = app.get("/api/v1/users").as_user(&editor).send().await;
    assert_eq!(list.status, StatusCode::OK);
}

#[actix_web::test]
async fn deactivation_stops_tokens_at_once_and_reactivation_restores_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let path = format!("/api/v1/users/{}", editor.user_id);
    let off = app
        .patch(&path)
        .as_user(&admin)
        .json(&json!({"active": false}))
        .send()
        .await;
    assert_eq!(off.json()["active"], false);

    app.get("/api/v1/auth/me")
        .as_user(&editor)
        .send()
        .await
        .problem(401);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": editor.refresh_token}))
        .send()
        .await
        .problem(401);
    app.post("/api/v1/auth/login")
        .json(&json!({"email": editor.email, "password": PASSWORD}))
        .send()
        .await
        .problem(401);

    let on = app
        .patch(&path)
        .as_user(&admin)
        .json(&json!({"active": true}))
        .send()
        .await;
    assert_eq!(on.json()["active"], true);
    let again = app.login(&editor.email, PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/auth/me")
            .as_user(&again)
            .send()
            .await
            .status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = format!("/api/v1/users/{}", admin.user_id);
    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"role": "editor"}))
        .send()
        .await
        .problem(409);
    app.patch(&path)
        .as_user(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .problem(409);

    // With a second admin, the first may step down.
    let second = app.user(&admin, "admin").await;
    let demoted = app
        .patch(&path)
        .as_user(&second)
        .json(&json!({"role": "editor"}))
        .send()
        .await;
    assert_eq!(demoted.status, StatusCode::OK);
    let second_path = format!("/api/v1/users/{}", second.user_id);
    app.patch(&second_path)
        .as_user(&second)
        .json(&json!({"active": false}))
        .send()
        .await
        .problem(409);
}

#[actix_web::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user(&admin, "editor").await;
    let path = format!("/api/v1/users/{}", editor.user_id);
    let read = app.get(&path).as_user(&admin).send().await;
    let etag = read.header("etag").expect("an ETag").to_owned();

    let first = app
        .patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"name": "第一"}))
        .send()
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let second = app
        .patch(&path)
        .as_user(&admin)
        .header("if-match", &etag)
        .json(&json!({"name": "第二"}))
        .send()
        .await;
    second.problem(412);
    let now = app.get(&path).as_user(&admin).send().await;
    assert_eq!(now.json()["name"], "第一");
}

#[actix_web::test]
async fn get_answers_304_to_a_matching_if_none_match() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let path = format!("/api/v1/users/{}", admin.user_id);
    let read = app.get(&path).as_user(&admin).send().await;
    let etag = read.header("etag").expect("an ETag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong: {etag}"
    );
    let cached = app
        .get(&path)
        .as_user(&admin)
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());
    assert_eq!(cached.header("etag"), Some(etag.as_str()));
    let changed = app
        .get(&path)
        .as_user(&admin)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK);
}

#[actix_web::test]
async fn bad_account_input_is_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let cases = [
        (
            json!({"email": "x", "password": "short", "name": "", "role": "editor"}),
            vec![
                ("email", "invalid"),
                ("name", "required"),
                ("password", "too_short"),
            ],
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "x", "role": "overlord"}),
            vec![("role", "invalid")],
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "x".repeat(101), "role": "editor"}),
            vec![("name", "too_long")],
        ),
        (
            json!({"email": "a@example.com", "password": "x".repeat(257), "name": "x", "role": "editor"}),
            vec![("password", "too_long")],
        ),
        (
            json!({"password": PASSWORD}),
            vec![
                ("email", "required"),
                ("name", "required"),
                ("role", "required"),
            ],
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "x", "role": "editor", "nmae": "typo"}),
            vec![("nmae", "unknown_field")],
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "a\u{0}b", "role": "editor"}),
            vec![("name", "null_character")],
        ),
        (
            json!({"email": 42, "password": PASSWORD, "name": "x", "role": "editor"}),
            vec![("email", "invalid_type")],
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "", "role": "emperor"}),
            vec![
                ("email", "invalid"),
                ("name", "required"),
                ("role", "invalid"),
            ],
        ),
        (
            json!({"email": 42, "password": "short", "name": 5, "role": 1}),
            vec![
                ("email", "invalid_type"),
                ("name", "invalid_type"),
                ("password", "too_short"),
                ("role", "invalid_type"),
            ],
        ),
    ];
    app.assert_field_errors("/api/v1/users", &admin, cases)
        .await;
    let list = app.get("/api/v1/users").as_user(&admin).send().await;
    assert_eq!(list.json()["meta"]["total"], 1, "nothing was created");
}

#[actix_web::test]
async fn unknown_and_malformed_ids_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()))
        .as_user(&admin)
        .send()
        .await
        .problem(404);
    app.get("/api/v1/users/not-a-uuid")
        .as_user(&admin)
        .send()
        .await
        .problem(404);
    app.patch(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()))
        .as_user(&admin)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn bad_paging_parameters_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for query in [
        "per_page=0",
        "per_page=101",
        "page=0",
        "page=abc",
        "per_page=-5",
    ] {
        app.get(&format!("/api/v1/users?{query}"))
            .as_user(&admin)
            .send()
            .await
            .problem(400);
    }
}
