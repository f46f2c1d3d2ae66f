use actix_web::http::StatusCode;
use masthead::auth::{Role, tokens::TokenKeys};
use serde_json::json;

use crate::helpers::{PASSWORD, SECRET, Session, TestApp};

#[actix_web::test]
async fn setup_creates_the_first_admin_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = app.get("/api/v1/auth/me").as_user(&admin).send().await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["role"], "admin");
    assert_eq!(me.json()["email"], "admin@example.com");
    assert!(me.json().get("password_hash").is_none());

    let again = app
        .post("/api/v1/auth/setup")
        .json(&json!({"email": "other@example.com", "password": PASSWORD, "name": "x"}))
        .send()
        .await;
    again.problem(409);
}

#[actix_web::test]
async fn setup_lists_every_bad_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post("/api/v1/auth/setup")
        .json(&json!({"email": "not-an-email", "password": "short", "name": "  "}))
        .send()
        .await;
    assert_eq!(
        response.field_errors(),
        [
            ("email".into(), "invalid".into()),
            ("name".into(), "required".into()),
            ("password".into(), "too_short".into()),
        ]
    );
}

#[actix_web::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    app.admin().await;
    let stored: String = masthead::schema::users::table
        .select(masthead::schema::users::password_hash)
        .first(&mut app.db.connect())
        .expect("one user");
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert!(!stored.contains(PASSWORD));
}

#[actix_web::test]
async fn login_answers_alike_for_unknown_email_and_wrong_password() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let wrong_password = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "admin@example.com", "password": "wrong password!"}))
        .send()
        .await;
    let unknown_email = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "nobody@example.com", "password": "wrong password!"}))
        .send()
        .await;
    let (a, b) = (wrong_password.problem(401), unknown_email.problem(401));
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(wrong_password.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn login_is_case_insensitive_in_the_email() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let session = app.login("ADMIN@Example.com", PASSWORD).await;
    assert_eq!(session.email, "admin@example.com");
}

#[actix_web::test]
async fn repeated_failures_for_one_account_are_throttled() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let attempt = |password: &'static str, address: &'static str| {
        app.post("/api/v1/auth/login")
            .with_peer(address)
            .json(&json!({"email": "admin@example.com", "password": password}))
            .send()
    };
    for n in 0..5 {
        // Different addresses: the per-account budget is what runs out.
        let address = [
            "10.0.0.1:1",
            "10.0.0.2:1",
            "10.0.0.3:1",
            "10.0.0.4:1",
            "10.0.0.5:1",
        ][n];
        attempt("wrong password!", address).await.problem(401);
    }
    let throttled = attempt("wrong password!", "10.0.0.6:1").await;
    throttled.problem(429);
    let wait: u64 = throttled
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=12).contains(&wait), "{wait}");
    // While throttled even the right password is refused, so guessing learns nothing.
    attempt(PASSWORD, "10.0.0.7:1").await.problem(429);
}

#[actix_web::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = TestApp::spawn().await;
    // The address may try 20 times at once, then once every 3 seconds; each attempt costs a
    // password hash, so on a loaded machine a few more may pass before the refusal.
    let mut refused = None;
    let mut failures = 0;
    for n in 0..60 {
        let response = app
            .post("/api/v1/auth/login")
            .with_peer(&format!("192.0.2.9:{}", 4000 + n))
            .json(&json!({"email": format!("user{n}@example.com"), "password": "wrong password!"}))
            .send()
            .await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        response.problem(401);
        failures += 1;
    }
    assert!(failures >= 20, "the first 20 attempts are answered");
    let throttled = refused.expect("an address that keeps failing is refused");
    throttled.problem(429);
    assert!(throttled.header("retry-after").is_some());
    // Another address is not affected.
    app.post("/api/v1/auth/login")
        .with_peer("192.0.2.10:4000")
        .json(&json!({"email": "someone-new@example.com", "password": "wrong password!"}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_sign_in() {
    let app = TestApp::spawn().await;
    let first = app.admin().await;
    let refresh = |token: String| {
        app.post("/api/v1/auth/refresh")
            .json(&json!({"refresh_token": token}))
            .send()
    };
    let rotated = refresh(first.refresh_token.clone()).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    let second = Session::from_tokens(&rotated.json());
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(rotated.json()["token_type"], "Bearer");
    assert_eq!(rotated.json()["expires_in"], 900);
    assert_eq!(rotated.header("cache-control"), Some("no-store"));

    // The first token was stolen and replayed: refused, and the family is revoked.
    refresh(first.refresh_token.clone()).await.problem(401);
    refresh(second.refresh_token.clone()).await.problem(401);

    // Another sign-in of the same account is untouched.
    let other = app.login("admin@example.com", PASSWORD).await;
    assert_eq!(refresh(other.refresh_token).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn unknown_refresh_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": "made-up"}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn logout_ends_the_sign_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let logout = app
        .post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": admin.refresh_token}))
        .send()
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": admin.refresh_token}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn expired_and_forged_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user_id = admin.user_id.parse().expect("uuid");
    let issued_long_ago = chrono::Utc::now() - chrono::Duration::minutes(16);
    let expired = TokenKeys::new(&masthead::secret::Secret::new(SECRET))
        .issue(
            user_id,
            Role::Admin,
            issued_long_ago,
            chrono::Duration::minutes(15),
        )
        .expect("issued");
    let response = app.get("/api/v1/auth/me").bearer(&expired).send().await;
    assert!(
        response.problem(401)["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );

    let forged = TokenKeys::new(&masthead::secret::Secret::new(
        "another secret of 32 bytes or more!",
    ))
    .issue(
        user_id,
        Role::Admin,
        chrono::Utc::now(),
        chrono::Duration::minutes(15),
    )
    .expect("issued");
    app.get("/api/v1/auth/me")
        .bearer(&forged)
        .send()
        .await
        .problem(401);
    app.get("/api/v1/auth/me")
        .bearer("garbage")
        .send()
        .await
        .problem(401);
    app.get("/api/v1/auth/me")
        .header("authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn access_tokens_live_as_long_as_configured() {
    let app =
        TestApp::spawn_with(|c| c.access_token_ttl = std::time::Duration::from_secs(60)).await;
    let admin = app.admin().await;
    let claims = TokenKeys::new(&masthead::secret::Secret::new(SECRET))
        .verify(&admin.access_token)
        .expect("valid");
    assert_eq!(claims.exp - claims.iat, 60);
}

#[actix_web::test]
async fn registration_is_closed_by_default() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/auth/register")
        .json(&json!({"email": "reader@example.com", "password": PASSWORD, "name": "读者"}))
        .send()
        .await
        .problem(403);
}

#[actix_web::test]
async fn open_registration_makes_members() {
    let app = TestApp::spawn_with(|c| c.open_registration = true).await;
    let response = app
        .post("/api/v1/auth/register")
        .json(&json!({"email": "reader@example.com", "password": PASSWORD, "name": "读者"}))
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["user"]["role"], "member");
    let member = Session::from_tokens(&response.json());
    app.get("/api/v1/users")
        .as_user(&member)
        .send()
        .await
        .problem(403);

    let duplicate = app
        .post("/api/v1/auth/register")
        .json(&json!({"email": "Reader@example.com", "password": PASSWORD, "name": "读者"}))
        .send()
        .await;
    duplicate.problem(409);
}

#[actix_web::test]
async fn me_can_change_name_and_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let renamed = app
        .patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"name": "总编"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.json()["name"], "总编");

    let without_current = app
        .patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"password": "a brand new passphrase"}))
        .send()
        .await;
    assert_eq!(
        without_current.field_errors(),
        [("current_password".into(), "required".into())]
    );

    let wrong_current = app
        .patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"password": "a brand new passphrase", "current_password": "nope nope nope"}))
        .send()
        .await;
    assert_eq!(
        wrong_current.field_errors(),
        [("current_password".into(), "invalid".into())]
    );

    let changed = app
        .patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"password": "a brand new passphrase", "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    // The old sessions end; the new password signs in, the old one does not.
    app.post("/api/v1/auth/refresh")
        .json(&json!({"refresh_token": admin.refresh_token}))
        .send()
        .await
        .problem(401);
    app.login("admin@example.com", "a brand new passphrase")
        .await;
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "admin@example.com", "password": PASSWORD}))
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn me_needs_credentials() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/auth/me").send().await;
    response.problem(401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn spaces_around_the_email_do_not_buy_more_attempts() {
    let app = TestApp::spawn().await;
    app.admin().await;
    for email in [
        "admin@example.com",
        " admin@example.com",
        "admin@example.com ",
        "  admin@example.com",
        "ADMIN@example.com  ",
    ] {
        app.post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": "wrong password!"}))
            .send()
            .await
            .problem(401);
    }
    app.post("/api/v1/auth/login")
        .json(&json!({"email": "   admin@example.com   ", "password": "wrong password!"}))
        .send()
        .await
        .problem(429);
}

#[actix_web::test]
async fn guessing_the_current_password_is_throttled() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for _ in 0..5 {
        app.patch("/api/v1/auth/me")
            .as_user(&admin)
            .json(&json!({"password": "a brand new passphrase", "current_password": "guess guess"}))
            .send()
            .await
            .problem(422);
    }
    app.patch("/api/v1/auth/me")
        .as_user(&admin)
        .json(&json!({"password": "a brand new passphrase", "current_password": PASSWORD}))
        .send()
        .await
        .problem(429);
}
