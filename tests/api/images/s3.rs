//! The S3 storage, against a moto server of the test's own.

use super::{jpeg, sha256, stored_files, upload_ok};
use crate::helpers::TestApp;

/// A moto S3 server of this test's own, stopped with it.
struct S3Server {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `moto_server` (an S3-compatible server: `pip install 'moto[server]'`, which `.ci/run`
/// installs). Without it the test is skipped with a notice, unless `MASTHEAD_REQUIRE_S3_TEST`
/// is set, as CI does.
fn s3_server() -> Option<S3Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = match std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if std::env::var_os("MASTHEAD_REQUIRE_S3_TEST").is_none() => {
            eprintln!(
                "SKIPPED the S3 storage test: moto_server cannot start ({error}); pip install 'moto[server]'"
            );
            return None;
        }
        Err(error) => panic!("moto_server cannot start: {error}"),
    };
    let server = S3Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("moto_server did not start listening");
}

#[actix_web::test]
async fn s3_storage_keeps_serves_and_removes_the_files() {
    use masthead::{
        config::{S3Settings, StorageSettings},
        secret::Secret,
    };
    use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
    let Some(s3) = s3_server() else { return };
    let bucket = Bucket::new(
        s3.endpoint.parse().expect("a URL"),
        UrlStyle::Path,
        "media",
        "us-east-1",
    )
    .expect("a bucket");
    let credentials = Credentials::new("test-key", "test-secret");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let created = agent
        .put(
            bucket
                .create_bucket(&credentials)
                .sign(std::time::Duration::from_secs(60))
                .as_str(),
        )
        .send_empty()
        .expect("create the bucket");
    assert_eq!(created.status(), 200);
    let object_status = |key: &str| {
        let url = bucket
            .head_object(Some(&credentials), key)
            .sign(std::time::Duration::from_secs(60));
        agent
            .head(url.as_str())
            .call()
            .expect("HEAD")
            .status()
            .as_u16()
    };

    let endpoint = s3.endpoint.clone();
    let app = TestApp::spawn_with(move |config| {
        config.storage = StorageSettings::S3(S3Settings {
            endpoint,
            bucket: "media".into(),
            region: "us-east-1".into(),
            access_key: "test-key".into(),
            secret_key: Secret::new("test-secret"),
            path_style: true,
        });
    })
    .await;
    let editor = app.editor().await;
    let bytes = jpeg(700, 500);
    let image = upload_ok(&app, &editor, "a.jpg", "image/jpeg", &bytes).await;
    let sha = sha256(&bytes);
    assert_eq!(object_status(&format!("originals/{sha}")), 200);
    assert_eq!(object_status(&format!("public/{sha}/original.jpg")), 200);
    assert_eq!(
        stored_files(&app, &sha),
        Vec::<String>::new(),
        "nothing on the local disk"
    );

    let url = image["url"].as_str().expect("url");
    let whole = app.get(url).send().await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        image::load_from_memory(&whole.body)
            .expect("decodes")
            .width(),
        700
    );
    let part = app.get(url).header("range", "bytes=2-5").send().await;
    assert_eq!(part.status, 206);
    assert_eq!(&part.body[..], &whole.body[2..6]);
    let variant = app
        .get(image["variants"][3]["url"].as_str().expect("url"))
        .send()
        .await;
    assert_eq!(
        (variant.status.as_u16(), variant.header("content-type")),
        (200, Some("image/webp"))
    );
    assert_eq!(object_status(&format!("public/{sha}/640.webp")), 200);
    // A preset's files are stored beside the variants, all of one crop at once.
    let card = image["presets"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["preset"] == "card"))
        .and_then(|f| f["url"].as_str())
        .expect("a card file")
        .to_owned();
    assert_eq!(app.get(&card).send().await.status, 200);
    let card_key = format!(
        "public/{sha}/{}",
        card.rsplit('/').next().unwrap_or_default()
    );
    assert_eq!(object_status(&card_key), 200);

    let path = format!("/api/v1/images/{}", image["id"].as_str().expect("id"));
    assert_eq!(app.delete(&path).as_user(&editor).send().await.status, 204);
    assert_eq!(object_status(&format!("originals/{sha}")), 404);
    assert_eq!(object_status(&format!("public/{sha}/640.webp")), 404);
    assert_eq!(
        object_status(&card_key),
        404,
        "derived files go with the folder"
    );
    app.get(url).send().await.problem(404);
}
