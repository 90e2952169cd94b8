//! The layer in a real axum app over real HTTP on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use corsguard_tower::{CorsLayer, Refusal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PAGE: &str = "https://app.example.com";

/// A response as read off the wire: status and (lowercased name, value) lines.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn cors(&self) -> Vec<(String, String)> {
        let mut cors: Vec<_> = self
            .headers
            .iter()
            .filter(|(n, _)| n.starts_with("access-control-") || n == "vary")
            .cloned()
            .collect();
        cors.sort();
        cors
    }
}

/// One HTTP/1.1 request on a fresh connection, bounded in time.
async fn send(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("content-length: 0\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_owned(),
        }
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the server answers within 10 s")
}

async fn serve(app: Router) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

const DOCUMENT: &[u8] = br#"{"version": 1,
    "allowOrigins": ["https://app.example.com"],
    "allowMethods": ["GET", "POST", "PUT"],
    "allowHeaders": ["content-type", "x-request-id"],
    "exposeHeaders": ["x-total"],
    "allowCredentials": true,
    "maxAge": 600}"#;

fn app(calls: Arc<AtomicUsize>) -> Router {
    let counted = move |response: &'static str| {
        let calls = calls.clone();
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { ([("vary", "accept-encoding"), ("x-total", "3")], response) }
        }
    };
    Router::new()
        .route(
            "/api/items",
            get(counted("items"))
                .post(counted("created"))
                .put(counted("put")),
        )
        .route(
            "/api/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "it broke").into_response() }),
        )
}

#[test]
fn the_layer_is_clone_send_sync() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<CorsLayer>();
    check::<corsguard_tower::Cors<Router>>();
}

#[tokio::test]
async fn preflights_are_answered_by_the_layer_and_responses_get_the_headers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let port = serve(app(calls.clone()).layer(CorsLayer::from_json(DOCUMENT).unwrap())).await;

    let preflight = send(
        port,
        "OPTIONS",
        "/api/items",
        &[
            ("origin", PAGE),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "content-type,x-request-id",
            ),
        ],
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.get("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        preflight.get("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        preflight.get("access-control-allow-methods"),
        Some("GET, POST, PUT")
    );
    assert_eq!(
        preflight.get("access-control-allow-headers"),
        Some("content-type, x-request-id")
    );
    assert_eq!(preflight.get("access-control-max-age"), Some("600"));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the preflight never reached the handler"
    );

    let actual = send(port, "GET", "/api/items", &[("origin", PAGE)]).await;
    assert_eq!(actual.status, 200);
    assert_eq!(actual.body, "items");
    assert_eq!(actual.get("access-control-allow-origin"), Some(PAGE));
    assert_eq!(actual.get("access-control-expose-headers"), Some("x-total"));
    // The handler's Vary is kept and Origin is added to it: one header.
    assert_eq!(actual.all("vary"), ["accept-encoding, Origin"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Without Origin: not a CORS request; the handler answers alone.
    let plain = send(port, "GET", "/api/items", &[]).await;
    assert_eq!(plain.get("access-control-allow-origin"), None);
    assert_eq!(plain.all("vary"), ["accept-encoding, Origin"]);
}

#[tokio::test]
async fn an_error_response_carries_the_cors_headers_so_the_page_can_read_it() {
    let port = serve(app(Arc::default()).layer(CorsLayer::from_json(DOCUMENT).unwrap())).await;
    let failed = send(port, "GET", "/api/fail", &[("origin", PAGE)]).await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.body, "it broke");
    assert_eq!(failed.get("access-control-allow-origin"), Some(PAGE));
    assert_eq!(failed.get("access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn refusals_are_passed_on_as_the_policy_says_and_reported_to_the_hook() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen: Arc<Mutex<Vec<Refusal>>> = Arc::default();
    let log = seen.clone();
    let layer = CorsLayer::from_json(DOCUMENT)
        .unwrap()
        .on_refusal(move |refusal| log.lock().unwrap().push(refusal.clone()));
    let port = serve(app(calls.clone()).layer(layer)).await;

    // A refused preflight: answered by the layer, without any grant.
    let refused = send(
        port,
        "OPTIONS",
        "/api/items",
        &[
            ("origin", PAGE),
            ("access-control-request-method", "DELETE"),
        ],
    )
    .await;
    assert!(refused.get("access-control-allow-origin").is_none());
    assert!(refused.get("access-control-allow-methods").is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // A refused actual request still reaches the handler, without CORS headers.
    let other = send(
        port,
        "POST",
        "/api/items",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, "created");
    assert!(other.get("access-control-allow-origin").is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let seen = seen.lock().unwrap();
    let codes: Vec<(&str, &str)> = seen.iter().map(|r| (r.kind, r.code)).collect();
    assert_eq!(
        codes,
        [
            ("preflight", "method_not_allowed"),
            ("actual", "origin_not_allowed")
        ]
    );
    assert_eq!(seen[1].origin.as_deref(), Some("https://evil.example"));
    assert_eq!(seen[1].uri.path(), "/api/items");
    assert!(seen[0].reason.contains("DELETE"), "{}", seen[0].reason);
}

#[tokio::test]
async fn a_panicking_hook_does_not_break_the_request() {
    let layer = CorsLayer::from_json(DOCUMENT)
        .unwrap()
        .on_refusal(|_| panic!("a hook that fails"));
    let port = serve(app(Arc::default()).layer(layer)).await;
    let other = send(
        port,
        "GET",
        "/api/items",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, "items");
}

#[tokio::test]
async fn per_route_policies_come_from_the_document_s_routes_or_from_route_layer() {
    let document = br#"{"version": 1,
        "policies": {
            "public": {"allowOrigins": ["*"]},
            "admin": {"allowOrigins": ["https://admin.example.com"], "allowCredentials": true}
        },
        "routes": [
            {"path": "/admin/**", "policy": "admin"},
            {"path": "/public/**", "policy": "public"}
        ]}"#;
    let ok = || async { "ok" };
    let routed = Router::new()
        .route("/admin/users", get(ok))
        .route("/public/news", get(ok))
        .route("/other", get(ok))
        .layer(CorsLayer::from_json(document).unwrap());
    let port = serve(routed).await;
    let admin = send(
        port,
        "GET",
        "/admin/users",
        &[("origin", "https://admin.example.com")],
    )
    .await;
    assert_eq!(
        admin.get("access-control-allow-origin"),
        Some("https://admin.example.com")
    );
    assert_eq!(admin.get("access-control-allow-credentials"), Some("true"));
    let public = send(port, "GET", "/public/news", &[("origin", PAGE)]).await;
    assert_eq!(public.get("access-control-allow-origin"), Some("*"));
    let not_admin = send(port, "GET", "/admin/users", &[("origin", PAGE)]).await;
    assert_eq!(not_admin.get("access-control-allow-origin"), None);
    let unrouted = send(port, "GET", "/other", &[("origin", PAGE)]).await;
    assert_eq!(
        unrouted.cors(),
        Vec::<(String, String)>::new(),
        "no route serves /other"
    );

    // axum's own way: the layer on some routes only.
    let app = Router::new()
        .route(
            "/with",
            post(ok).route_layer(CorsLayer::from_json(DOCUMENT).unwrap()),
        )
        .route("/without", post(ok));
    let port = serve(app).await;
    let with = send(port, "POST", "/with", &[("origin", PAGE)]).await;
    assert_eq!(with.get("access-control-allow-origin"), Some(PAGE));
    let without = send(port, "POST", "/without", &[("origin", PAGE)]).await;
    assert_eq!(without.get("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_profile_s_preflight_body_is_sent() {
    let document = br#"{"version": 1, "profile": "starlette", "allowOrigins": ["https://app.example.com"], "allowMethods": ["GET"]}"#;
    let port = serve(app(Arc::default()).layer(CorsLayer::from_json(document).unwrap())).await;
    let refused = send(
        port,
        "OPTIONS",
        "/api/items",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "GET"),
        ],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body, "Disallowed CORS origin");
    assert_eq!(
        refused.get("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn a_bad_document_is_refused_with_every_problem() {
    let errors = CorsLayer::from_json(
        br#"{"version": 1, "allowOrigins": ["https://a.com/"], "allowMethod": ["PUT"]}"#,
    )
    .unwrap_err();
    let paths: Vec<&str> = errors.problems().iter().map(|p| p.path()).collect();
    assert_eq!(paths, ["/allowOrigins/0", "/allowMethod"]);
}

/// Under concurrent load, each response is wholly the old policy's or the
/// new one's, never a mix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconfiguration_is_atomic_under_load() {
    let a = br#"{"version": 1, "allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "maxAge": 600}"#;
    let b = br#"{"version": 1, "allowOrigins": ["https://app.example.com"], "allowMethods": ["PATCH"], "maxAge": 60, "exposeHeaders": ["x-b"]}"#;
    let layer = CorsLayer::from_json(a).unwrap();
    let port = serve(app(Arc::default()).layer(layer.clone())).await;

    let preflight = move |method: &'static str| async move {
        send(
            port,
            "OPTIONS",
            "/api/items",
            &[("origin", PAGE), ("access-control-request-method", method)],
        )
        .await
    };
    let actual = move || async move { send(port, "GET", "/api/items", &[("origin", PAGE)]).await };
    let expected_a = preflight("PUT").await.cors();
    let actual_a = actual().await.cors();
    layer.reconfigure(b).unwrap();
    let expected_b = preflight("PATCH").await.cors();
    let actual_b = actual().await.cors();
    assert_ne!(actual_a, actual_b, "b exposes x-b");
    assert_ne!(expected_a, expected_b);
    // A refused document changes nothing.
    assert!(layer.reconfigure(br#"{"version": 2}"#).is_err());
    assert_eq!(preflight("PATCH").await.cors(), expected_b);

    let flips = tokio::spawn({
        let layer = layer.clone();
        async move {
            for i in 0..200 {
                layer.reconfigure(if i % 2 == 0 { a } else { b }).unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (expected_a, expected_b) = (expected_a.clone(), expected_b.clone());
        let (actual_a, actual_b) = (actual_a.clone(), actual_b.clone());
        clients.push(tokio::spawn(async move {
            let (mut old, mut new) = (0, 0);
            for _ in 0..40 {
                // Ask for a method each policy grants: the answer names one policy.
                for method in ["PUT", "PATCH"] {
                    let answer = preflight(method).await;
                    let granted = answer.get("access-control-allow-origin").is_some();
                    if granted {
                        let cors = answer.cors();
                        assert!(
                            cors == expected_a || cors == expected_b,
                            "a mixed answer: {cors:?}"
                        );
                        if cors == expected_a {
                            old += 1
                        } else {
                            new += 1
                        }
                    }
                }
                let cors = actual().await.cors();
                assert!(
                    cors == actual_a || cors == actual_b,
                    "a mixed answer: {cors:?}"
                );
            }
            (old, new)
        }));
    }
    let mut totals = (0, 0);
    for client in clients {
        let (old, new) = client.await.unwrap();
        totals = (totals.0 + old, totals.1 + new);
    }
    flips.await.unwrap();
    assert!(
        totals.0 > 0 && totals.1 > 0,
        "both policies served answers: {totals:?}"
    );
}

/// A router whose handler panics while its future runs.
fn panicking_app() -> Router {
    Router::new()
        .route(
            "/api/panic",
            get(|| async {
                if std::hint::black_box(true) {
                    panic!("the handler failed on purpose");
                }
                "unreachable"
            }),
        )
        .route("/api/items", get(|| async { "items" }))
}

#[tokio::test]
async fn with_catch_panics_a_panic_is_a_500_the_page_can_read() {
    let layer = CorsLayer::from_json(DOCUMENT).unwrap().catch_panics();
    let port = serve(panicking_app().layer(layer)).await;
    let failed = send(port, "GET", "/api/panic", &[("origin", PAGE)]).await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.body, "Internal Server Error");
    assert_eq!(failed.get("access-control-allow-origin"), Some(PAGE));
    assert_eq!(failed.get("access-control-allow-credentials"), Some("true"));
    assert_eq!(failed.get("access-control-expose-headers"), Some("x-total"));
    assert_eq!(failed.all("vary"), ["Origin"]);
    // A refused origin gets the 500 without CORS headers.
    let other = send(
        port,
        "GET",
        "/api/panic",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(other.status, 500);
    assert_eq!(other.get("access-control-allow-origin"), None);
    // The server goes on serving.
    let after = send(port, "GET", "/api/items", &[("origin", PAGE)]).await;
    assert_eq!((after.status, after.body.as_str()), (200, "items"));
}

#[tokio::test]
async fn without_catch_panics_a_panic_ends_the_connection_as_without_the_layer() {
    let port = serve(panicking_app().layer(CorsLayer::from_json(DOCUMENT).unwrap())).await;
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request = format!(
            "GET /api/panic HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\norigin: {PAGE}\r\nconnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        // A reset connection is as good as a closed one here.
        let _ = stream.read_to_end(&mut raw).await;
        raw
    };
    let raw = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .expect("the connection ends within 10 s");
    assert!(
        raw.is_empty(),
        "no response is written: {}",
        String::from_utf8_lossy(&raw)
    );
}

#[tokio::test]
async fn with_catch_panics_a_panic_in_call_itself_is_a_500_with_the_headers() {
    use tower::{service_fn, Layer, ServiceExt};
    let service =
        service_fn(
            |_request: axum::http::Request<String>| -> std::future::Ready<
                Result<axum::http::Response<String>, std::convert::Infallible>,
            > { panic!("call failed on purpose") },
        );
    let cors = CorsLayer::from_json(DOCUMENT).unwrap().catch_panics();
    let request = axum::http::Request::get("/api/items")
        .header("origin", PAGE)
        .body(String::new())
        .unwrap();
    let response = cors.layer(service).oneshot(request).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["access-control-allow-origin"], PAGE);
    assert_eq!(response.body(), "Internal Server Error");
}
