//! CORS on errors: an axum API whose handlers fail, for pages on ORIGIN.
//!
//!     ORIGIN=http://localhost:3000 PORT=8080 cargo run -p corsguard-tower --example errors
//!
//! `GET /api/panic` panics and `GET /api/fail` returns a 500. With
//! `catch_panics`, both answers carry the CORS headers the page's origin is
//! entitled to, so a script on the page reads the status and the body; the
//! panic is still printed to stderr by the panic hook. The end-to-end tests
//! (`e2e/tests/errors.test.js`) load this server's errors in Chromium.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use corsguard_tower::CorsLayer;

#[tokio::main]
async fn main() {
    let origin = std::env::var("ORIGIN").unwrap_or_else(|_| "http://localhost:3000".into());
    let document = format!(r#"{{"version": 1, "allowOrigins": [{origin:?}]}}"#);
    let cors = CorsLayer::from_json(document.as_bytes())
        .expect("a valid policy")
        .catch_panics();
    let app = Router::new()
        .route(
            "/api/panic",
            get(|| async {
                if std::hint::black_box(true) {
                    panic!("boom from axum");
                }
                ""
            }),
        )
        .route(
            "/api/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "the handler failed") }),
        )
        .layer(cors);
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("a free port");
    eprintln!("serving http://127.0.0.1:{port}/api/panic for {origin}");
    axum::serve(listener, app).await.expect("the server runs");
}
