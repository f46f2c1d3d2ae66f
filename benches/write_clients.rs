//! The write load of `read_path.sh`: 8 clients, each on one keep-alive connection, create and
//! publish articles through the API, each article as one client would: `POST /articles`, then
//! `POST /articles/{id}/publish` for one sent as a draft (a body with `status: published` needs
//! no second request). The request bodies are made beforehand (one JSON document per
//! line of `<bodies file>`), so the clients spend as little of the machine's two cores as a
//! client can: what is measured is the server's writes, not the client's.
//!
//! `cargo run --release --example write_clients -- <base url> <access token> <bodies file>`
//!
//! Prints the seconds the writes took, then the slug of each article in the order of the file.

use std::{
    io::{BufRead, BufReader, Write},
    sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

const CLIENTS: usize = 8;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, bodies] = args.as_slice() else {
        eprintln!("usage: write_clients <base url> <access token> <bodies file>");
        std::process::exit(2);
    };
    let bodies: Vec<String> = BufReader::new(std::fs::File::open(bodies).expect("the bodies file"))
        .lines()
        .collect::<Result<_, _>>()
        .expect("readable bodies");
    // Decided by what is sent, not by what comes back, so an answer that lost its status could
    // not skip a publish unnoticed.
    let drafts: Vec<bool> = bodies
        .iter()
        .map(|body| {
            let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
            body.get("status").is_none_or(|status| status == "draft")
        })
        .collect();
    let slugs = Mutex::new(vec![String::new(); bodies.len()]);
    let next = AtomicUsize::new(0);
    let authorization = format!("Bearer {token}");
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_idle_connections_per_host(1)
                    .build()
                    .into();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(n) else {
                        return;
                    };
                    let created = call(
                        &agent,
                        &format!("{base}/api/v1/articles"),
                        &authorization,
                        body,
                    );
                    let id = created["id"].as_str().expect("an id");
                    if drafts[n] {
                        call(
                            &agent,
                            &format!("{base}/api/v1/articles/{id}/publish"),
                            &authorization,
                            "",
                        );
                    }
                    let slug = created["slug"].as_str().expect("a slug").to_owned();
                    slugs.lock().expect("the slugs")[n] = slug;
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{seconds}").expect("stdout");
    for slug in slugs.into_inner().expect("the slugs") {
        writeln!(out, "{slug}").expect("stdout");
    }
}

/// A `POST` that must succeed; its answer as JSON.
fn call(agent: &ureq::Agent, url: &str, authorization: &str, body: &str) -> serde_json::Value {
    let mut response = agent
        .post(url)
        .header("Authorization", authorization)
        .content_type("application/json")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    assert!(status.is_success(), "POST {url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: {e}"))
}
