//! Importing remote pictures from a file server on 127.0.0.1: every check of an upload, the
//! source kept, redirects checked and counted, and addresses the setting refuses never called.

use std::net::TcpListener;

use serde_json::json;

use super::{fetch, jpeg};
use crate::helpers::{Session, TestApp, files::FileServer};

async fn import(app: &TestApp, user: &Session, url: &str) -> crate::helpers::TestResponse {
    app.post("/api/v1/images/import")
        .json(&json!({"url": url, "alt": "草原", "credit": "新华社"}))
        .as_user(user)
        .send()
        .await
}

/// The detail of a 422 about `url`.
#[track_caller]
fn refused(response: &crate::helpers::TestResponse) -> String {
    assert_eq!(
        response.field_errors(),
        [("url".to_owned(), "invalid".to_owned())],
        "{}",
        response.text()
    );
    response.json()["errors"][0]["message"]
        .as_str()
        .expect("message")
        .to_owned()
}

#[actix_web::test]
async fn a_remote_picture_is_imported_once_with_its_source() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = app.user(&admin, "author").await;
    let contributor = app.user(&admin, "contributor").await;
    let server = FileServer::start();
    let bytes = jpeg(700, 500);
    server.serve("/photos/nadam.jpg", "image/jpeg", &bytes);
    let url = server.url("/photos/nadam.jpg");

    import(&app, &contributor, &url).await.problem(403);
    assert!(server.requested().is_empty());

    let first = import(&app, &author, &url).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let location = first.header("location").expect("Location").to_owned();
    let image = first.json();
    assert_eq!(image["source_url"], url);
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(700), Some(500))
    );
    assert_eq!(
        (image["alt"].as_str(), image["credit"].as_str()),
        (Some("草原"), Some("新华社"))
    );
    assert_eq!(image["sha256"], super::sha256(&bytes));
    assert_eq!(
        location,
        format!("/api/v1/images/{}", image["id"].as_str().expect("id"))
    );
    let (status, _, served) = fetch(&app, image["url"].as_str().expect("url")).await;
    assert_eq!(status, 200);
    assert_eq!(
        image::load_from_memory(&served).expect("decodes").width(),
        700
    );

    let again = import(&app, &author, &url).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["id"], image["id"]);
    assert_eq!(
        server.requested().len(),
        1,
        "the second import fetched nothing"
    );
}

#[actix_web::test]
async fn two_imports_of_one_url_at_once_give_one_image() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let server = FileServer::start();
    server.serve("/a.jpg", "image/jpeg", &jpeg(300, 200));
    let url = server.url("/a.jpg");
    let (a, b) =
        futures_util::future::join(import(&app, &editor, &url), import(&app, &editor, &url)).await;
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert!(
        statuses == [200, 201] || statuses == [201, 201] || statuses == [200, 200],
        "{statuses:?}"
    );
    assert_eq!(a.json()["id"], b.json()["id"]);
    let list = app
        .get("/api/v1/images")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 1);
}

#[actix_web::test]
async fn redirects_are_followed_three_times_and_each_is_checked() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let server = FileServer::start();
    server.serve("/final.png", "image/png", &super::png_with_alpha(64, 48));
    server.redirect("/r1", "/r2");
    server.redirect("/r2", "/r3");
    server.redirect("/r3", &server.url("/final.png"));
    server.redirect("/r0", "/r1");

    let three = import(&app, &editor, &server.url("/r1")).await;
    assert_eq!(three.status, 201, "{}", three.text());
    assert_eq!(three.json()["source_url"], server.url("/r1"));

    let four = import(&app, &editor, &server.url("/r0")).await;
    assert!(refused(&four).contains("more than 3 redirects"));

    // A public-looking server may point anywhere: each hop is checked before it is called.
    for (path, target, says) in [
        (
            "/metadata",
            "http://169.254.169.254/latest/meta-data/",
            "never calls",
        ),
        ("/private", "http://10.0.0.7/secret.jpg", "does not allow"),
        ("/ftp", "ftp://127.0.0.1/a.jpg", "http and https"),
    ] {
        server.redirect(path, target);
        let message = refused(&import(&app, &editor, &server.url(path)).await);
        assert!(message.contains(says), "{target}: {message}");
    }
}

#[actix_web::test]
async fn addresses_the_setting_refuses_are_never_connected_to() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/a.jpg", listener.local_addr().expect("address"));
    // Public only, as in production: this machine is off limits.
    let app = TestApp::spawn_with(|config| {
        config.outbound = "public".parse().expect("a setting");
    })
    .await;
    let editor = app.editor().await;
    for target in [
        url.as_str(),
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[fd00:ec2::254]/",
        "http://10.1.2.3/a.jpg",
        "http://localhost/a.jpg",
        "http://0x7f000001/a.jpg",
    ] {
        let message = refused(&import(&app, &editor, target).await);
        assert!(
            message.contains("Masthead never calls") || message.contains("does not allow"),
            "{target}: {message}"
        );
    }
    listener.set_nonblocking(true).expect("non-blocking");
    assert!(listener.accept().is_err(), "a connection arrived");
}

#[actix_web::test]
async fn what_an_upload_refuses_an_import_refuses_too() {
    let app = TestApp::spawn_with(|config| config.max_upload_bytes = 50_000).await;
    let editor = app.editor().await;
    let server = FileServer::start();
    server.serve("/page.html", "text/html", b"<html>not a picture</html>");
    server.serve("/broken.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 not really");
    server.serve("/big.jpg", "image/jpeg", &vec![0xff; 60_000]);
    server.serve("/empty.jpg", "image/jpeg", b"");
    server.serve(
        "/huge.png",
        "image/png",
        &super::png_claiming(20_000, 20_000),
    );
    for (path, says) in [
        ("/page.html", "only JPEG, PNG, WebP and GIF"),
        ("/broken.jpg", "cannot be read"),
        ("/big.jpg", "larger than the 50000 bytes"),
        ("/empty.jpg", "sent nothing"),
        ("/huge.png", "megapixels"),
        ("/missing.jpg", "answered 404"),
    ] {
        let message = refused(&import(&app, &editor, &server.url(path)).await);
        assert!(message.contains(says), "{path}: {message}");
    }
    for bad in [
        "not a url",
        "file:///etc/passwd",
        "http://user:pw@127.0.0.1/a.jpg",
    ] {
        refused(&import(&app, &editor, bad).await);
    }
    let list = app
        .get("/api/v1/images")
        .as_user(&editor)
        .send()
        .await
        .json();
    assert_eq!(list["meta"]["total"], 0, "nothing was kept");
}

#[actix_web::test]
async fn an_import_gives_up_after_ten_seconds() {
    let app = TestApp::spawn().await;
    let editor = app.editor().await;
    let server = FileServer::start();
    server.slow("/slow.jpg", std::time::Duration::from_secs(30));
    let started = std::time::Instant::now();
    let message = refused(&import(&app, &editor, &server.url("/slow.jpg")).await);
    let waited = started.elapsed();
    assert!(message.contains("within 10 s"), "{message}");
    assert!(
        waited >= std::time::Duration::from_millis(9_500)
            && waited < std::time::Duration::from_secs(15),
        "{waited:?}"
    );
}
