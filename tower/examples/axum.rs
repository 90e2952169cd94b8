//! An axum API with CORS from a policy document:
//!
//!     cargo run -p corsguard-tower --example axum
//!
//! serves http://127.0.0.1:8080/api/items for pages on
//! http://localhost:3000 (PORT changes the port), and logs each refused
//! request with its reason.

use axum::routing::get;
use axum::Router;
use corsguard_tower::CorsLayer;

const POLICY: &[u8] = br#"{
    "version": 1,
    "allowOrigins": ["http://localhost:3000"],
    "allowMethods": ["GET", "POST", "PUT"],
    "allowHeaders": ["content-type", "x-request-id"],
    "allowCredentials": true,
    "maxAge": 600
}"#;

#[tokio::main]
async fn main() {
    let cors = CorsLayer::from_json(POLICY)
        .expect("a valid policy")
        .on_refusal(|refusal| {
            eprintln!(
                "CORS refused {} {} from {}: {} ({})",
                refusal.method,
                refusal.uri,
                refusal.origin.as_deref().unwrap_or("-"),
                refusal.reason,
                refusal.code
            )
        });
    let app = Router::new()
        .route("/api/items", get(|| async { r#"["teapot"]"# }))
        .layer(cors);
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("a free port");
    eprintln!("serving http://127.0.0.1:{port}/api/items");
    axum::serve(listener, app).await.expect("the server runs");
}
