//! The tower layer cases, shared by `benches/layer.rs` (criterion's times)
//! and `count-layer` (callgrind's instruction counts): corsguard's tower
//! layer and tower-http's `CorsLayer` configured alike, around the same
//! trivial service, and the requests they answer.

use std::convert::Infallible;
use std::time::Duration;

use futures_executor::block_on;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response};
use tower::{Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer as TowerHttpLayer};

const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const ALLOWED_HEADERS: [&str; 2] = ["content-type", "x-request-id"];
const EXPOSED_HEADERS: [&str; 1] = ["x-request-id"];
const PATTERN_SUFFIX: &[u8] = b".example.com";

/// One policy shape and the origin the requests carry.
pub struct Case {
    pub name: &'static str,
    pub origins: Vec<String>,
    pub pattern: bool,
    pub hit: String,
}

/// See the module.
pub fn cases() -> Vec<Case> {
    let exact = |i: usize| format!("https://app{i}.example{}.com", i % 97);
    vec![
        Case {
            name: "exact_16",
            origins: (0..16).map(exact).collect(),
            pattern: false,
            hit: exact(8),
        },
        Case {
            name: "pattern",
            origins: vec!["https://*.example.com".to_owned()],
            pattern: true,
            hit: "https://a.b.example.com".to_owned(),
        },
    ]
}

/// See the module.
pub fn document(case: &Case) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "version": 1,
        "allowOrigins": case.origins,
        "allowMethods": METHODS,
        "allowHeaders": ALLOWED_HEADERS,
        "exposeHeaders": EXPOSED_HEADERS,
        "allowCredentials": true,
        "maxAge": 600,
    }))
    .expect("a JSON document")
}

/// tower-http's `CorsLayer` for the case's origins (`pattern`: the one
/// subdomain pattern, as a predicate), with the policy every case shares.
pub fn tower_http_layer_for(origins: &[String], pattern: bool) -> TowerHttpLayer {
    let allow_origin = if pattern {
        AllowOrigin::predicate(|origin: &HeaderValue, _: &http::request::Parts| {
            origin
                .as_bytes()
                .strip_prefix(b"https://")
                .is_some_and(|host| {
                    host.len() > PATTERN_SUFFIX.len() && host.ends_with(PATTERN_SUFFIX)
                })
        })
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .map(|o| HeaderValue::from_str(o).expect("origin")),
        )
    };
    TowerHttpLayer::new()
        .allow_origin(allow_origin)
        .allow_methods(METHODS.map(|m| Method::from_bytes(m.as_bytes()).expect("method")))
        .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

/// [`tower_http_layer_for`] the case.
pub fn tower_http_layer(case: &Case) -> TowerHttpLayer {
    tower_http_layer_for(&case.origins, case.pattern)
}

/// See the module.
pub fn app(_: Request<()>) -> Response<String> {
    let mut response = Response::new(String::new());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// See the module.
pub fn bare() -> impl Service<Request<()>, Response = Response<String>, Error = Infallible> + Clone
{
    tower::service_fn(|req: Request<()>| async move { Ok::<_, Infallible>(app(req)) })
}

/// See the module.
pub fn call<S>(svc: &mut S, req: Request<()>) -> Response<String>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    match block_on(async { svc.ready().await?.call(req).await }) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// See the module.
pub fn actual(origin: &str) -> Request<()> {
    Request::builder()
        .method(Method::GET)
        .uri("https://api.example.net/v1/items")
        .header(header::HOST, "api.example.net")
        .header(header::ORIGIN, origin)
        .body(())
        .expect("request")
}

/// See the module.
pub fn preflight(origin: &str) -> Request<()> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("https://api.example.net/v1/items")
        .header(header::HOST, "api.example.net")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type, x-request-id",
        )
        .body(())
        .expect("request")
}
