//! corsguard `Policy::evaluate` against tower-http's `CorsLayer`.
//!
//! Groups (see `benches/README.md` for what each one includes):
//! - `evaluate_actual`, `evaluate_preflight`: corsguard alone, the pure
//!   `Policy::evaluate` call on a prebuilt `corsguard::Request`.
//! - `http_actual`, `http_preflight`: the same observable work for both
//!   libraries: an `http::Request` in, an `http::Response` carrying the CORS
//!   headers out. tower-http runs its `Cors` service around a trivial
//!   `service_fn`. corsguard reads the request headers, evaluates, and
//!   writes the decision's headers into the response's `HeaderMap`, three
//!   ways:
//!   - `corsguard`: the writer in this file, copying each value into a new
//!     `HeaderValue`;
//!   - `corsguard-adapter`: corsguard's own `corsguard::http` adapter
//!     (`RequestHeaders` to read, `Writer` with its prebuilt header values
//!     to write);
//!   - `corsguard-cached`: this file's writer with the values the policy
//!     owns kept as ready-made, reference-counted `HeaderValue`s (and the
//!     echoed origin taken from the request's own value), prototyping an
//!     adapter that does not copy every value.
//! - `baseline`: the fixed cost of driving a tower service with
//!   `futures_executor::block_on`, without CORS, to read the tower-http
//!   numbers against.
//!
//! Set `CORSGUARD_BENCH_CPU_TIME=1` to measure thread CPU time instead of
//! wall-clock time (on a machine shared with other work).
//!
//! Cases: 1, 16, 1,000 and 10,000 exact origins (the request hits the one in
//! the middle), and the subdomain pattern `https://*.example.com` with the
//! request origin `https://a.b.example.com`.

use std::convert::Infallible;
use std::time::Duration;

use criterion::measurement::Measurement;
use criterion::{black_box, BatchSize, BenchmarkId, Criterion};
use futures_executor::block_on;
use http::header::{self, HeaderMap, HeaderName as HttpName, HeaderValue};
use http::{Method, Request as HttpRequest, Response, StatusCode};
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::CorsLayer;

use corsguard::http::RequestHeaders;
use corsguard::{Action, Decision, HeaderName, Request};
use corsguard_benches::{
    cases, corsguard_actual, corsguard_policy, corsguard_preflight, BenchPolicy, Case,
    PREFLIGHT_HEADERS, PREFLIGHT_METHOD,
};

/// Requests cloned per timed batch. Small enough that the clones stay in
/// the L1/L2 cache, as a request a server has just parsed does; criterion's
/// `SmallInput` clones thousands per batch (megabytes), and each request
/// then comes from memory, which adds up to a few hundred nanoseconds to
/// every `http_*` measurement of both libraries.
const BATCH: BatchSize = BatchSize::NumIterations(64);

const ALLOW_PRIVATE_NETWORK: HttpName =
    HttpName::from_static("access-control-allow-private-network");
const REQUEST_PRIVATE_NETWORK: HttpName =
    HttpName::from_static("access-control-request-private-network");

// ---------------------------------------------------------------- corsguard

fn http_name(name: HeaderName) -> HttpName {
    match name {
        HeaderName::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderName::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderName::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderName::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderName::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        HeaderName::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderName::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK,
        HeaderName::Vary => header::VARY,
    }
}

/// Adds a `Vary` value the way `VaryMerge::Dedup` asks: each token unless the
/// response already varies on it (case-insensitively) or on `*`.
fn add_vary(headers: &mut HeaderMap, value: HeaderValue) {
    if !headers.contains_key(header::VARY) {
        headers.append(header::VARY, value);
        return;
    }
    let existing_has = |headers: &HeaderMap, token: &[u8]| {
        headers.get_all(header::VARY).iter().any(|v| {
            v.as_bytes().split(|&b| b == b',').any(|t| {
                let t = t.trim_ascii();
                t == b"*" || t.eq_ignore_ascii_case(token)
            })
        })
    };
    for token in value.as_bytes().split(|&b| b == b',') {
        let token = token.trim_ascii();
        if !token.is_empty() && !existing_has(headers, token) {
            if let Ok(v) = HeaderValue::from_bytes(token) {
                headers.append(header::VARY, v);
            }
        }
    }
}

/// Ready-made `HeaderValue`s for the values a decision borrows from the
/// policy (or from `'static` data), found by address. This is a prototype of
/// what an `http` adapter could keep next to the policy so that writing a
/// header clones a reference-counted value instead of allocating a copy; it
/// is measured as `corsguard-cached`, separately from the plain writer.
struct ValueCache {
    values: Vec<(usize, usize, HeaderValue)>,
}

impl ValueCache {
    /// Collects every value the sample requests' decisions list, except the
    /// ones that borrow from the request itself (the echoed origin).
    fn new(policy: &BenchPolicy, samples: &[Request<'_>]) -> Self {
        let mut values: Vec<(usize, usize, HeaderValue)> = Vec::new();
        for sample in samples {
            let from_request = |v: &[u8]| {
                [sample.origin, sample.request_headers]
                    .into_iter()
                    .flatten()
                    .any(|r| r.as_ptr_range().contains(&v.as_ptr()))
            };
            for h in policy.evaluate(sample).headers() {
                let key = (h.value.as_ptr() as usize, h.value.len());
                if from_request(h.value) || values.iter().any(|(p, l, _)| (*p, *l) == key) {
                    continue;
                }
                if let Ok(v) = HeaderValue::from_bytes(h.value) {
                    values.push((key.0, key.1, v));
                }
            }
        }
        ValueCache { values }
    }

    fn get(&self, value: &[u8]) -> Option<HeaderValue> {
        let key = (value.as_ptr() as usize, value.len());
        self.values
            .iter()
            .find(|(p, l, _)| (*p, *l) == key)
            .map(|(_, _, v)| v.clone())
    }
}

/// One decision header as an `http` value. With a cache, an echoed origin
/// is the request's own `HeaderValue` (`origin`) and a policy value is the
/// cached one, both cloned by reference count; otherwise (and for anything
/// not cached) the bytes are copied into a new `HeaderValue`.
fn header_value(
    value: &[u8],
    origin: Option<&HeaderValue>,
    cache: Option<&ValueCache>,
) -> Option<HeaderValue> {
    let reused = cache.and_then(|cache| match origin {
        Some(o) if std::ptr::eq(o.as_bytes(), value) => Some(o.clone()),
        _ => cache.get(value),
    });
    // corsguard never lists CR, LF or NUL; `http` also refuses other
    // controls, which a strict policy cannot produce.
    reused.or_else(|| HeaderValue::from_bytes(value).ok())
}

/// Writes the decision's headers: each one set, `Vary` merged.
fn write_headers(
    headers: &mut HeaderMap,
    decision: &Decision<'_>,
    origin: Option<&HeaderValue>,
    cache: Option<&ValueCache>,
) {
    for h in decision.headers() {
        let Some(value) = header_value(h.value, origin, cache) else {
            continue;
        };
        if h.name == HeaderName::Vary {
            add_vary(headers, value);
        } else {
            headers.insert(http_name(h.name), value);
        }
    }
}

/// `Access-Control-Request-Headers` as one value: the single line borrowed,
/// several lines joined with `,` into `buf` (the Fetch standard's combine).
fn request_headers_value<'h>(headers: &'h HeaderMap, buf: &'h mut Vec<u8>) -> Option<&'h [u8]> {
    let mut lines = headers
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .iter();
    let first = lines.next()?;
    let Some(second) = lines.next() else {
        return Some(first.as_bytes());
    };
    buf.extend_from_slice(first.as_bytes());
    for line in std::iter::once(second).chain(lines) {
        buf.push(b',');
        buf.extend_from_slice(line.as_bytes());
    }
    Some(buf)
}

/// The application behind the CORS layer: an empty response.
fn app(_req: HttpRequest<()>) -> Response<()> {
    Response::new(())
}

/// What a corsguard binding for the `http` crate does per request: read the
/// CORS request headers, evaluate, and answer the preflight, or pass the
/// request on and add the headers to the application's response.
fn corsguard_http(
    policy: &BenchPolicy,
    cache: Option<&ValueCache>,
    req: HttpRequest<()>,
) -> Response<()> {
    if req.method() != Method::OPTIONS {
        // Only `Origin` matters to a request that is not OPTIONS. Evaluating
        // it on a clone of that value (a reference count) leaves the request
        // free to go to the application while the decision is alive.
        let method = req.method().clone();
        let origin = req.headers().get(header::ORIGIN).cloned();
        let mut cg = Request::new(method.as_str().as_bytes());
        cg.origin = origin.as_ref().map(HeaderValue::as_bytes);
        let decision = policy.evaluate(&cg);
        let mut response = app(req);
        write_headers(response.headers_mut(), &decision, origin.as_ref(), cache);
        return response;
    }
    let mut joined = Vec::new();
    let h = req.headers();
    let origin = h.get(header::ORIGIN);
    let mut cg = Request::new(b"OPTIONS");
    cg.origin = origin.map(HeaderValue::as_bytes);
    cg.request_method = h
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .map(HeaderValue::as_bytes);
    cg.request_headers = request_headers_value(h, &mut joined);
    cg.request_private_network = h.get(REQUEST_PRIVATE_NETWORK).map(HeaderValue::as_bytes);
    let decision = policy.evaluate(&cg);
    match decision.action() {
        Action::Respond { status } => {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            write_headers(response.headers_mut(), &decision, origin, cache);
            response
        }
        Action::Continue => {
            // A plain OPTIONS request (or `preflight_continue`): the values
            // may borrow from the request, so own them before passing it on.
            let owned: Vec<(HttpName, HeaderValue)> = decision
                .headers()
                .iter()
                .filter_map(|h| {
                    header_value(h.value, origin, cache).map(|v| (http_name(h.name), v))
                })
                .collect();
            drop(decision);
            let mut response = app(req);
            for (name, value) in owned {
                if name == header::VARY {
                    add_vary(response.headers_mut(), value);
                } else {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
    }
}

/// The same work through corsguard's own adapter for the `http` crate
/// (`corsguard::http`): `RequestHeaders` to read, `Writer` to write. The
/// decision borrows the request, so an actual request's headers are written
/// aside first and moved onto the application's response afterwards.
fn corsguard_adapter(
    policy: &BenchPolicy,
    writer: &corsguard::http::Writer<'_, 16384, 32, 524288>,
    req: HttpRequest<()>,
) -> Response<()> {
    let aside = {
        let cors = RequestHeaders::from_request(&req);
        let decision = policy.evaluate(&cors.request());
        if let Action::Respond { status } = decision.action() {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            writer.apply(&decision, response.headers_mut());
            return response;
        }
        let mut aside = HeaderMap::new();
        writer.apply(&decision, &mut aside);
        aside
    };
    let mut response = app(req);
    let merge = policy.behaviour().vary_merge;
    let headers = response.headers_mut();
    let mut last: Option<HttpName> = None;
    for (name, value) in aside {
        let name = match name {
            Some(name) => last.insert(name).clone(),
            None => last.clone().expect("a value follows its name"),
        };
        if name == header::VARY {
            corsguard::http::merge_vary(headers, value.as_bytes(), merge);
        } else {
            headers.insert(name, value);
        }
    }
    response
}

// ---------------------------------------------------------------- tower-http

fn tower_layer(case: &Case) -> CorsLayer {
    corsguard_benches::layer::tower_http_layer_for(&case.origins, case.pattern)
}

/// `poll_ready` then `call`, driven to completion on this thread, as a server
/// drives each request.
fn tower_call<S>(svc: &mut S, req: HttpRequest<()>) -> Response<()>
where
    S: Service<HttpRequest<()>, Response = Response<()>, Error = Infallible>,
{
    let result = block_on(async { svc.ready().await?.call(req).await });
    match result {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn bare_service() -> impl Service<HttpRequest<()>, Response = Response<()>, Error = Infallible> {
    tower::service_fn(|req: HttpRequest<()>| async move { Ok::<_, Infallible>(app(req)) })
}

// ---------------------------------------------------------------- requests

fn http_actual(origin: &str) -> HttpRequest<()> {
    HttpRequest::builder()
        .method(Method::GET)
        .uri("https://api.example.net/v1/items")
        .header(header::HOST, "api.example.net")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, origin)
        .body(())
        .expect("valid request")
}

fn http_preflight(origin: &str) -> HttpRequest<()> {
    HttpRequest::builder()
        .method(Method::OPTIONS)
        .uri("https://api.example.net/v1/items")
        .header(header::HOST, "api.example.net")
        .header(header::ACCEPT, "*/*")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, PREFLIGHT_METHOD)
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, PREFLIGHT_HEADERS)
        .body(())
        .expect("valid request")
}

/// Both libraries must allow the request and produce the same header names
/// (values may differ: tower-http sends the three preflight `Vary` names on
/// actual responses too, and answers preflights with 200 rather than 204).
fn check_same_headers(case: &Case, kind: &str, ours: &Response<()>, theirs: &Response<()>) {
    fn names(r: &Response<()>) -> Vec<&str> {
        let mut v: Vec<&str> = r.headers().keys().map(HttpName::as_str).collect();
        v.sort_unstable();
        v
    }
    assert_eq!(names(ours), names(theirs), "{} {kind}", case.name);
    for r in [ours, theirs] {
        assert_eq!(
            r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(&HeaderValue::from_str(&case.hit).expect("origin")),
            "{} {kind}: origin not allowed",
            case.name
        );
    }
}

// ---------------------------------------------------------------- benches

fn bench_evaluate<M: Measurement>(c: &mut Criterion<M>) {
    let cases = cases();
    let mut actual = c.benchmark_group("evaluate_actual");
    for case in &cases {
        let policy = corsguard_policy(case);
        let req = corsguard_actual(case.hit.as_bytes());
        assert!(policy.evaluate(&req).is_allowed(), "{}", case.name);
        actual.bench_function(BenchmarkId::new("corsguard", case.name), |b| {
            b.iter(|| policy.evaluate(black_box(&req)))
        });
    }
    actual.finish();

    let mut preflight = c.benchmark_group("evaluate_preflight");
    for case in &cases {
        let policy = corsguard_policy(case);
        let req = corsguard_preflight(case.hit.as_bytes());
        let decision = policy.evaluate(&req);
        assert!(decision.is_allowed(), "{}", case.name);
        assert_eq!(decision.action(), Action::Respond { status: 204 });
        preflight.bench_function(BenchmarkId::new("corsguard", case.name), |b| {
            b.iter(|| policy.evaluate(black_box(&req)))
        });
    }
    preflight.finish();
}

fn bench_http<M: Measurement>(c: &mut Criterion<M>) {
    let cases = cases();
    type MakeRequest = fn(&str) -> HttpRequest<()>;
    let kinds: [(&str, MakeRequest); 2] = [
        ("http_actual", http_actual),
        ("http_preflight", http_preflight),
    ];
    for (group_name, make) in kinds {
        let mut group = c.benchmark_group(group_name);
        for case in &cases {
            let req = make(&case.hit);
            let policy = corsguard_policy(case);
            let mut cors = tower_layer(case).layer(bare_service());
            let samples = [
                corsguard_actual(case.hit.as_bytes()),
                corsguard_preflight(case.hit.as_bytes()),
            ];
            let cache = ValueCache::new(&policy, &samples);
            // `true`, the exposed headers, `Vary: Origin`, the methods, the
            // allowed headers, the max-age and the preflight `Vary`.
            assert_eq!(cache.values.len(), 7, "{}", case.name);
            let ours = corsguard_http(&policy, None, req.clone());
            let cached = corsguard_http(&policy, Some(&cache), req.clone());
            let theirs = tower_call(&mut cors, req.clone());
            check_same_headers(case, group_name, &ours, &theirs);
            let writer = corsguard::http::Writer::new(&*policy);
            let adapted = corsguard_adapter(&policy, &writer, req.clone());
            assert_eq!(ours.headers(), cached.headers(), "{}", case.name);
            assert_eq!(ours.headers(), adapted.headers(), "{}", case.name);
            assert_eq!(ours.status(), adapted.status(), "{}", case.name);
            // The path no benchmark takes: a plain OPTIONS request goes to
            // the application and gets the actual-response headers.
            let mut plain = http_actual(&case.hit);
            *plain.method_mut() = Method::OPTIONS;
            let plain = corsguard_http(&policy, Some(&cache), plain);
            assert_eq!(
                plain.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
                Some(&HeaderValue::from_str(&case.hit).expect("origin")),
                "{}",
                case.name
            );
            drop((ours, cached, adapted, theirs));

            // The request is cloned outside the timing for both libraries;
            // each consumes (and drops) it inside. The responses are dropped
            // outside the timing for both (criterion's batched loop).
            group.bench_function(BenchmarkId::new("corsguard", case.name), |b| {
                b.iter_batched(
                    || req.clone(),
                    |req| corsguard_http(&policy, None, black_box(req)),
                    BATCH,
                )
            });
            group.bench_function(BenchmarkId::new("corsguard-adapter", case.name), |b| {
                b.iter_batched(
                    || req.clone(),
                    |req| corsguard_adapter(&policy, &writer, black_box(req)),
                    BATCH,
                )
            });
            group.bench_function(BenchmarkId::new("corsguard-cached", case.name), |b| {
                b.iter_batched(
                    || req.clone(),
                    |req| corsguard_http(&policy, Some(&cache), black_box(req)),
                    BATCH,
                )
            });
            group.bench_function(BenchmarkId::new("tower-http", case.name), |b| {
                b.iter_batched(
                    || req.clone(),
                    |req| tower_call(&mut cors, black_box(req)),
                    BATCH,
                )
            });
        }
        group.finish();
    }
}

fn bench_baseline<M: Measurement>(c: &mut Criterion<M>) {
    let mut group = c.benchmark_group("baseline");
    group.bench_function("block_on_ready", |b| {
        b.iter(|| block_on(async { black_box(1u8) }))
    });
    let mut svc = bare_service();
    for (name, req) in [
        (
            "bare_service_actual",
            http_actual("https://app8.example8.com"),
        ),
        (
            "bare_service_preflight",
            http_preflight("https://app8.example8.com"),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || req.clone(),
                |req| tower_call(&mut svc, black_box(req)),
                BATCH,
            )
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

/// Thread CPU time instead of wall-clock time, for a machine shared with
/// other work: time the benchmark thread spends preempted is not counted.
/// Reading the clock is a system call (`CLOCK_THREAD_CPUTIME_ID` has no
/// vDSO fast path), about 0.1–0.3 µs, paid once per sample in the
/// `evaluate_*` groups and once per batch of 64 in the `http_*` groups.
#[cfg(unix)]
mod cpu_time {
    use std::time::Duration;

    use criterion::measurement::{Measurement, ValueFormatter, WallTime};

    pub struct ThreadCpuTime;

    static WALL_TIME: WallTime = WallTime;

    fn now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable `timespec` for the call.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    impl Measurement for ThreadCpuTime {
        type Intermediate = Duration;
        type Value = Duration;

        fn start(&self) -> Duration {
            now()
        }
        fn end(&self, start: Duration) -> Duration {
            now().saturating_sub(start)
        }
        fn add(&self, a: &Duration, b: &Duration) -> Duration {
            *a + *b
        }
        fn zero(&self) -> Duration {
            Duration::ZERO
        }
        fn to_f64(&self, value: &Duration) -> f64 {
            value.as_nanos() as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            WALL_TIME.formatter()
        }
    }
}

fn run<M: Measurement>(c: Criterion<M>) {
    let mut c = c.configure_from_args();
    bench_evaluate(&mut c);
    bench_http(&mut c);
    bench_baseline(&mut c);
    c.final_summary();
}

fn main() {
    #[cfg(unix)]
    if std::env::var_os("CORSGUARD_BENCH_CPU_TIME").is_some_and(|v| v != "0") {
        run(config().with_measurement(cpu_time::ThreadCpuTime));
        return;
    }
    run(config());
}
