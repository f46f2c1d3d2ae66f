use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn generated() -> Value {
    serde_json::to_value(masthead::openapi::document()).expect("the document serialises")
}

#[test]
fn the_committed_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
            .expect("openapi/openapi.json is JSON");
    assert!(
        committed == generated(),
        "openapi/openapi.json is out of date. Regenerate it with:\n\
         cargo run -q -- openapi > openapi/openapi.json"
    );
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one() {
    let app = TestApp::spawn().await;
    let served = app.get("/openapi.json").send().await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.json(), generated());
}

/// Whether an operation needs credentials: it lists security requirements, and none of them is
/// the empty one (`{}`), which lets anonymous callers in.
fn needs_credentials(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .is_some_and(|requirements| {
            !requirements.is_empty()
                && requirements
                    .iter()
                    .all(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        })
}

fn operations(document: &Value) -> Vec<(Method, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            found.push((method, path.clone(), operation.clone()));
        }
    }
    found
}

/// The document and the code agree on who may call what: an operation documented as needing
/// a bearer token refuses anonymous callers; one that lets them in (an empty requirement) does
/// not ask for one, and when it also takes a token, a bad one is refused rather than ignored.
#[actix_web::test]
async fn secured_operations_refuse_anonymous_callers_and_public_ones_do_not() {
    let app = TestApp::spawn().await;
    let document = generated();
    let operations = operations(&document);
    assert!(operations.len() >= 14);
    for (method, path, operation) in operations {
        // Every parameter an id, which each route takes, so that only credentials decide.
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    uuid::Uuid::now_v7().to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let request = || {
            let request = app.request(method.clone(), &concrete);
            if operation.get("requestBody").is_some() {
                request.json(&json!({}))
            } else {
                request
            }
        };
        // An event stream let in answers a body that never ends: only its refusal is read here
        // (tests/api/events.rs reads the streams).
        if operation["responses"]["200"]["content"]
            .get("text/event-stream")
            .is_some()
        {
            assert!(!needs_credentials(&operation), "{method} {path}");
            request().bearer("not-a-token").send().await.problem(401);
            continue;
        }
        let response = request().send().await;
        if needs_credentials(&operation) {
            response.problem(401);
            assert_eq!(
                response.header("www-authenticate"),
                Some("Bearer"),
                "{method} {path}"
            );
        } else {
            assert_ne!(
                response.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} is documented as public"
            );
            let takes_a_token = operation["security"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r.get("bearer").is_some()));
            if takes_a_token {
                request().bearer("not-a-token").send().await.problem(401);
            }
        }
    }
}

#[test]
fn every_operation_is_named_and_documents_its_errors_as_problems() {
    let document = generated();
    for (method, path, operation) in operations(&document) {
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        assert!(
            operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{id} has no tag"
        );
        let responses = operation["responses"].as_object().expect("responses");
        assert!(responses.contains_key("503"), "{id} does not document 503");
        assert!(
            operation["security"].is_array(),
            "{id} does not say who may call it"
        );
        if needs_credentials(&operation) {
            assert!(responses.contains_key("401"), "{id} does not document 401");
        }
        if operation.get("requestBody").is_some() {
            assert!(responses.contains_key("422"), "{id} does not document 422");
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response.get("$ref").is_some(),
                    "{id} {status} is not a shared problem response"
                );
            }
        }
    }
    let responses = &document["components"]["responses"];
    assert!(responses["ValidationFailed"]["content"]["application/problem+json"].is_object());
    assert!(document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
}
