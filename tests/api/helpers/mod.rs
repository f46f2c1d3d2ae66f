//! Helpers that read like the API: `app.post("/api/v1/users").json(&body).as_user(&admin).send()`.

pub mod database;
pub mod files;
pub mod receiver;

use std::net::SocketAddr;

use actix_service::{Service, boxed::RcService};
use actix_web::{
    body::BoxBody,
    dev::ServiceResponse,
    http::{Method, StatusCode, header::HeaderMap},
    test::TestRequest,
    web,
};
use masthead::{app, config::Config, secret::Secret, state::AppState};
use serde_json::{Value, json};

pub use database::TestDatabase;

pub const SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const PASSWORD: &str = "correct horse battery";

type AppService = RcService<actix_http::Request, ServiceResponse<BoxBody>, actix_web::Error>;

pub struct TestApp {
    service: AppService,
    state: web::Data<AppState>,
    pub db: TestDatabase,
    /// The app's media directory, removed with the app.
    pub media: tempfile::TempDir,
    /// The app's search index directory, removed with the app.
    _search: tempfile::TempDir,
}

/// The tokens of a signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: String,
    pub email: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// An app on a fresh database, with `adjust` applied to the default test configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let app = Self::spawn_unindexed(adjust).await;
        // As `serve` does: the index of this app, kept current from the change log.
        masthead::search::indexer::start(&app.state).expect("the search index opens");
        app.search_ready().await;
        app
    }

    /// An app whose search index is not started (as a process still opening it).
    pub async fn spawn_unindexed(adjust: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::new();
        let media = tempfile::tempdir().expect("a media directory");
        let mut config = Config::new(db.url.clone(), Secret::new(SECRET));
        config.db_pool_size = 4;
        config.media_dir = media.path().to_string_lossy().into_owned();
        let search = tempfile::tempdir().expect("a search directory");
        config.search_dir = search.path().to_string_lossy().into_owned();
        // Tests call only receivers they start on this machine.
        config.outbound = "loopback".parse().expect("a valid setting");
        adjust(&mut config);
        let state =
            web::Data::new(AppState::new(config).expect("test storage settings are usable"));
        let service = actix_web::test::init_service(app::build(state.clone())).await;
        Self {
            service: actix_service::boxed::rc_service(service),
            state,
            db,
            media,
            _search: search,
        }
    }

    /// Posts each body to `path` as `who`, and checks that the 422 names exactly the expected
    /// `(field, code)` pairs, in any order.
    pub async fn assert_field_errors<'c>(
        &self,
        path: &str,
        who: &Session,
        cases: impl IntoIterator<Item = (Value, Vec<(&'c str, &'c str)>)>,
    ) {
        for (body, expected) in cases {
            let response = self.post(path).as_user(who).json(&body).send().await;
            let mut expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(field, code)| (field.to_owned(), code.to_owned()))
                .collect();
            expected.sort();
            assert_eq!(response.field_errors(), expected, "for {body}");
        }
    }

    /// Stops the app's clock at `at`, for time windows at explicit moments.
    pub fn set_clock(&self, at: chrono::DateTime<chrono::Utc>) {
        self.state.clock.set(at);
    }

    /// Waits until the app's search index has caught up with the database.
    pub async fn search_ready(&self) {
        let index = self.state.search.clone();
        let ready = actix_web::rt::task::spawn_blocking(move || {
            index.wait_ready(std::time::Duration::from_secs(30))
        })
        .await
        .expect("the wait ran");
        assert!(ready, "the search index caught up within 30 s");
    }

    /// The app's state, for driving its background work by hand.
    pub fn state(&self) -> &web::Data<AppState> {
        &self.state
    }

    /// Sends every due webhook delivery, as the worker would; returns what came of each.
    pub async fn deliver_webhooks(&self) -> Vec<masthead::webhooks::worker::Outcome> {
        let state = self.state.clone();
        actix_web::rt::task::spawn_blocking(move || masthead::webhooks::worker::run_due(&state))
            .await
            .expect("the worker ran")
            .expect("deliveries were recorded")
    }

    /// SQL statements the app has run so far.
    pub fn statements(&self) -> u64 {
        self.state.statements.get()
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        RequestBuilder {
            app: self,
            request: TestRequest::default().method(method).uri(path),
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// The first admin, made through `auth/setup`.
    pub async fn admin(&self) -> Session {
        let response = self
            .post("/api/v1/auth/setup")
            .json(&json!({"email": "admin@example.com", "password": PASSWORD, "name": "管理员"}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        Session::from_tokens(&response.json())
    }

    /// An account with `role`, created by `admin` and signed in.
    pub async fn user(&self, admin: &Session, role: &str) -> Session {
        let email = format!("{role}-{}@example.com", uuid::Uuid::now_v7().simple());
        let created = self
            .post("/api/v1/users")
            .as_user(admin)
            .json(&json!({"email": email, "password": PASSWORD, "name": role, "role": role}))
            .send()
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        self.login(&email, PASSWORD).await
    }

    /// An editor, with the admin made on the way.
    pub async fn editor(&self) -> Session {
        let admin = self.admin().await;
        self.user(&admin, "editor").await
    }

    pub async fn login(&self, email: &str, password: &str) -> Session {
        let response = self
            .post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": password}))
            .send()
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        Session::from_tokens(&response.json())
    }
}

impl Session {
    pub fn from_tokens(body: &Value) -> Self {
        let text = |v: &Value| v.as_str().expect("a string").to_owned();
        Self {
            access_token: text(&body["access_token"]),
            refresh_token: text(&body["refresh_token"]),
            user_id: text(&body["user"]["id"]),
            email: text(&body["user"]["email"]),
        }
    }
}

/// The `name` of every item of a list response, in order.
pub fn names(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["name"].as_str().expect("a name"))
        .collect()
}

/// One part of a multipart form.
pub struct Part {
    name: String,
    /// File name and content type, for file parts.
    file: Option<(String, String)>,
    bytes: Vec<u8>,
}

impl Part {
    pub fn text(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            file: None,
            bytes: value.as_bytes().to_vec(),
        }
    }

    pub fn file(name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self {
            name: name.into(),
            file: Some((filename.into(), content_type.into())),
            bytes: bytes.to_vec(),
        }
    }
}

pub struct RequestBuilder<'a> {
    app: &'a TestApp,
    request: TestRequest,
}

impl RequestBuilder<'_> {
    pub fn json(mut self, body: &Value) -> Self {
        self.request = self.request.set_json(body);
        self
    }

    /// A raw body with a content type, for malformed and non-JSON bodies.
    pub fn body(mut self, content_type: &str, body: impl Into<web::Bytes>) -> Self {
        self.request = self
            .request
            .insert_header(("content-type", content_type))
            .set_payload(body.into());
        self
    }

    /// A `multipart/form-data` body of these parts.
    pub fn multipart(self, parts: &[Part]) -> Self {
        const BOUNDARY: &str = "masthead-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match &part.file {
                Some((filename, content_type)) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n",
                        part.name
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name)
                        .as_bytes(),
                ),
            }
            body.extend_from_slice(&part.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.body(&format!("multipart/form-data; boundary={BOUNDARY}"), body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.request = self
            .request
            .insert_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    #[expect(
        clippy::wrong_self_convention,
        reason = "reads as English: `.as_user(&editor)`"
    )]
    pub fn as_user(self, session: &Session) -> Self {
        self.bearer(&session.access_token)
    }

    pub fn with_peer(mut self, address: &str) -> Self {
        let address: SocketAddr = address.parse().expect("a socket address");
        self.request = self.request.peer_addr(address);
        self
    }

    /// The status alone, the body left unread: for streams that never end by themselves.
    pub async fn status_of_stream(self) -> StatusCode {
        match self.app.service.call(self.request.to_request()).await {
            Ok(response) => response.status(),
            Err(error) => panic!("the service failed instead of answering: {error}"),
        }
    }

    pub async fn send(self) -> TestResponse {
        let response = match self.app.service.call(self.request.to_request()).await {
            Ok(response) => response,
            Err(error) => panic!("the service failed instead of answering: {error}"),
        };
        let status = response.status();
        let headers = response.headers().clone();
        // Streamed bodies (the site maps) are read to their end, as a client would.
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap_or_else(|error| panic!("the body failed half-way: {error}"));
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: web::Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with `status`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("/problems/"))
        );
        assert!(body["title"].is_string() && body["detail"].is_string());
        body
    }

    /// The `(field, code)` pairs of a 422.
    #[track_caller]
    pub fn field_errors(&self) -> Vec<(String, String)> {
        let body = self.problem(422);
        let mut pairs: Vec<_> = body["errors"]
            .as_array()
            .expect("a list of errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().expect("field").to_owned(),
                    e["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect();
        pairs.sort();
        pairs
    }
}
