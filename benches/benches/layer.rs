//! corsguard's tower layer (`corsguard-tower`) against tower-http's
//! `CorsLayer`, each around the same trivial `service_fn`, in one run.
//!
//! Groups `layer_actual` and `layer_preflight`, each with `tower-http`,
//! `corsguard-tower` and `bare` (the same service without any CORS layer,
//! the fixed cost both include). Cases: 16 exact origins (the request hits
//! the one in the middle) and the subdomain pattern `https://*.example.com`
//! with `https://a.b.example.com`. Before timing, both layers must answer
//! with the same CORS header names and allow the origin.

use std::convert::Infallible;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use futures_executor::block_on;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response};
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer as TowerHttpLayer};

const BATCH: BatchSize = BatchSize::NumIterations(64);
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const ALLOWED_HEADERS: [&str; 2] = ["content-type", "x-request-id"];
const EXPOSED_HEADERS: [&str; 1] = ["x-request-id"];
const PATTERN_SUFFIX: &[u8] = b".example.com";

struct Case {
    name: &'static str,
    origins: Vec<String>,
    pattern: bool,
    hit: String,
}

fn cases() -> Vec<Case> {
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

fn document(case: &Case) -> Vec<u8> {
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

fn tower_http_layer(case: &Case) -> TowerHttpLayer {
    let allow_origin = if case.pattern {
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
            case.origins
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

fn app(_: Request<()>) -> Response<String> {
    let mut response = Response::new(String::new());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn bare() -> impl Service<Request<()>, Response = Response<String>, Error = Infallible> + Clone {
    tower::service_fn(|req: Request<()>| async move { Ok::<_, Infallible>(app(req)) })
}

fn call<S>(svc: &mut S, req: Request<()>) -> Response<String>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    match block_on(async { svc.ready().await?.call(req).await }) {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn actual(origin: &str) -> Request<()> {
    Request::builder()
        .method(Method::GET)
        .uri("https://api.example.net/v1/items")
        .header(header::HOST, "api.example.net")
        .header(header::ORIGIN, origin)
        .body(())
        .expect("request")
}

fn preflight(origin: &str) -> Request<()> {
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

fn cors_names(response: &Response<String>) -> Vec<&str> {
    let mut names: Vec<&str> = response
        .headers()
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| n.starts_with("access-control-"))
        .collect();
    names.sort_unstable();
    names
}

fn bench_layers(c: &mut Criterion) {
    type Make = fn(&str) -> Request<()>;
    for (group_name, make) in [
        ("layer_actual", actual as Make),
        ("layer_preflight", preflight as Make),
    ] {
        let mut group = c.benchmark_group(group_name);
        for case in cases() {
            let req = make(&case.hit);
            let mut theirs = tower_http_layer(&case).layer(bare());
            let mut ours = corsguard_tower::CorsLayer::from_json(&document(&case))
                .expect("a valid document")
                .layer(bare());
            let mut plain = bare();
            let (a, b) = (call(&mut ours, req.clone()), call(&mut theirs, req.clone()));
            assert_eq!(cors_names(&a), cors_names(&b), "{} {group_name}", case.name);
            for r in [&a, &b] {
                assert_eq!(
                    r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
                    Some(&HeaderValue::from_str(&case.hit).expect("origin")),
                    "{} {group_name}",
                    case.name
                );
            }
            group.bench_function(BenchmarkId::new("corsguard-tower", case.name), |bench| {
                bench.iter_batched(|| req.clone(), |req| call(&mut ours, black_box(req)), BATCH)
            });
            group.bench_function(BenchmarkId::new("tower-http", case.name), |bench| {
                bench.iter_batched(
                    || req.clone(),
                    |req| call(&mut theirs, black_box(req)),
                    BATCH,
                )
            });
            group.bench_function(BenchmarkId::new("bare", case.name), |bench| {
                bench.iter_batched(
                    || req.clone(),
                    |req| call(&mut plain, black_box(req)),
                    BATCH,
                )
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_layers);
criterion_main!(benches);
