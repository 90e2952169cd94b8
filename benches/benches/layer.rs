//! corsguard's tower layer (`corsguard-tower`) against tower-http's
//! `CorsLayer`, each around the same trivial `service_fn`, in one run.
//!
//! Groups `layer_actual` and `layer_preflight`, each with `tower-http`,
//! `corsguard-tower` and `bare` (the same service without any CORS layer,
//! the fixed cost both include). Cases: 16 exact origins (the request hits
//! the one in the middle) and the subdomain pattern `https://*.example.com`
//! with `https://a.b.example.com`. Before timing, both layers must answer
//! with the same CORS header names and allow the origin.

use corsguard_benches::layer::{actual, bare, call, cases, document, preflight, tower_http_layer};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use http::header::{self, HeaderName, HeaderValue};
use http::{Request, Response};
use tower::Layer;

const BATCH: BatchSize = BatchSize::NumIterations(64);

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
