//! Every operation of the OpenAPI document, with hostile values in each of its path and query
//! parameters: a client's mistake is a 4xx problem, never a 500.

use actix_web::http::Method;

use crate::helpers::{Session, TestApp};

/// Values that reach the server only from a careless or hostile client, percent-encoded as they
/// travel: a NUL (PostgreSQL refuses it), bytes that are not UTF-8, and one far longer than any
/// name, slug or id.
fn hostile_values() -> Vec<(&'static str, String, Expect)> {
    let longest = masthead::middleware::MAX_URL_VALUE_CHARS;
    vec![
        ("a NUL byte", "%00".to_owned(), Expect::Refusal),
        (
            "bytes that are not UTF-8",
            "%FF%FEx".to_owned(),
            Expect::Refusal,
        ),
        (
            "an over-long value",
            "a".repeat(longest + 1),
            Expect::Refusal,
        ),
        (
            "an over-long non-ASCII value",
            "%E6%96%B0".repeat(longest + 1),
            Expect::Refusal,
        ),
        // The longest value taken reaches the handlers and the database.
        (
            "the longest value",
            "b".repeat(longest),
            Expect::NoServerError,
        ),
        (
            "the longest non-ASCII value",
            "%E6%96%B0".repeat(longest),
            Expect::NoServerError,
        ),
    ]
}

struct Operation {
    method: Method,
    path: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    takes_json: bool,
}

fn operations() -> Vec<Operation> {
    let document =
        serde_json::to_value(masthead::openapi::document()).expect("the document serialises");
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let named = |place: &str| -> Vec<String> {
                operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            found.push(Operation {
                method,
                path: path.clone(),
                path_params: named("path"),
                query_params: named("query"),
                takes_json: operation["requestBody"]["content"]
                    .get("application/json")
                    .is_some(),
            });
        }
    }
    found
}

/// The path with `value` in `hostile` and an id that exists nowhere in every other parameter.
fn fill(operation: &Operation, hostile: Option<&str>, value: &str) -> String {
    let mut path = operation.path.clone();
    for name in &operation.path_params {
        let filler = if Some(name.as_str()) == hostile {
            value.to_owned()
        } else {
            uuid::Uuid::now_v7().to_string()
        };
        path = path.replace(&format!("{{{name}}}"), &filler);
    }
    path
}

/// How a request with a hostile value may be answered.
#[derive(Clone, Copy)]
enum Expect {
    /// Refused: a 4xx problem.
    Refusal,
    /// Anything but a server error: a long value within the limit may match nothing (200).
    NoServerError,
}

async fn check(
    app: &TestApp,
    who: Option<&Session>,
    operation: &Operation,
    uri: &str,
    what: &str,
    expect: Expect,
) {
    let mut request = app.request(operation.method.clone(), uri);
    if let Some(session) = who {
        request = request.as_user(session);
    }
    if operation.takes_json {
        request = request.body("application/json", "{}");
    }
    let response = request.send().await;
    let status = response.status.as_u16();
    let shown_uri: String = uri.chars().take(120).collect();
    if let Expect::NoServerError = expect {
        assert!(
            status < 500,
            "{} {shown_uri} with {what} in it answered {status}: {}",
            operation.method,
            response.text()
        );
        return;
    }
    assert!(
        (400..500).contains(&status),
        "{} {shown_uri} with {what} in it answered {status}: {}",
        operation.method,
        response.text()
    );
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json"),
        "{} {shown_uri} with {what}",
        operation.method
    );
}

#[actix_web::test]
async fn hostile_path_and_query_values_are_client_errors_on_every_operation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let operations = operations();
    assert!(operations.len() > 50, "the whole document is walked");
    let mut sent = 0;
    for operation in &operations {
        for (what, value, expect) in hostile_values() {
            for name in &operation.path_params {
                let uri = fill(operation, Some(name), &value);
                for who in [None, Some(&admin)] {
                    let what = format!("{what} in {name}");
                    check(&app, who, operation, &uri, &what, expect).await;
                    sent += 1;
                }
            }
            for name in &operation.query_params {
                let uri = format!("{}?{name}={value}", fill(operation, None, ""));
                for who in [None, Some(&admin)] {
                    let what = format!("{what} in ?{name}");
                    check(&app, who, operation, &uri, &what, expect).await;
                    sent += 1;
                }
            }
        }
    }
    assert!(sent > 300, "{sent} requests");
    // The admin's session survived it all.
    let me = app.get("/api/v1/auth/me").as_user(&admin).send().await;
    assert_eq!(me.status, 200);
}
