//! What the benchmarks and `count-instructions` share: the cases (the
//! policies and the requests), so that criterion's times and callgrind's
//! instruction counts measure the same work.

pub mod layer;

use corsguard::{AllowedHeaders, Config, ExposedHeaders, Methods, Policy, Request};

/// Room for 10,000 origins of ~30 bytes each plus the header values.
pub type BenchPolicy = Policy<16384, 32, 524288>;

/// The policy of every case: these methods, request headers, exposed
/// headers and max-age, with credentials.
pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
/// See [`METHODS`].
pub const ALLOWED_HEADERS: [&str; 2] = ["content-type", "x-request-id"];
/// See [`METHODS`].
pub const EXPOSED_HEADERS: [&str; 1] = ["x-request-id"];
/// See [`METHODS`].
pub const MAX_AGE: u32 = 600;
/// The subdomain pattern of the `pattern` case.
pub const PATTERN: &str = "https://*.example.com";
/// What every preflight asks for.
pub const PREFLIGHT_METHOD: &str = "PUT";
/// See [`PREFLIGHT_METHOD`].
pub const PREFLIGHT_HEADERS: &str = "content-type, x-request-id";

/// One policy shape and the origin the requests carry.
pub struct Case {
    pub name: &'static str,
    /// The configured origins (exact origins, or the one pattern).
    pub origins: Vec<String>,
    /// Whether `origins` is a subdomain pattern rather than exact origins.
    pub pattern: bool,
    /// The request's `Origin`, allowed by the policy.
    pub hit: String,
}

/// The `i`th exact origin of the exact cases.
pub fn exact_origin(i: usize) -> String {
    format!("https://app{i}.example{}.com", i % 97)
}

/// 1, 16, 1,000 and 10,000 exact origins (the request hits the one in the
/// middle), and the pattern with `https://a.b.example.com`.
pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = [
        ("exact_1", 1),
        ("exact_16", 16),
        ("exact_1000", 1_000),
        ("exact_10000", 10_000),
    ]
    .into_iter()
    .map(|(name, n)| Case {
        name,
        origins: (0..n).map(exact_origin).collect(),
        pattern: false,
        hit: exact_origin(n / 2),
    })
    .collect();
    cases.push(Case {
        name: "pattern",
        origins: vec![PATTERN.to_owned()],
        pattern: true,
        hit: "https://a.b.example.com".to_owned(),
    });
    cases
}

/// The case's policy, built by the core.
pub fn corsguard_policy(case: &Case) -> Box<BenchPolicy> {
    let origins: Vec<&str> = case.origins.iter().map(String::as_str).collect();
    let config = Config::new()
        .allowed_origins(&origins)
        .allowed_methods(Methods::List(&METHODS))
        .allowed_headers(AllowedHeaders::List(&ALLOWED_HEADERS))
        .exposed_headers(ExposedHeaders::List(&EXPOSED_HEADERS))
        .credentials(true)
        .max_age(MAX_AGE);
    let policy = Box::new(BenchPolicy::new(&config).expect("valid benchmark policy"));
    assert_eq!(policy.origins_used(), case.origins.len());
    policy
}

/// An actual `GET` from `origin`.
pub fn corsguard_actual(origin: &[u8]) -> Request<'_> {
    Request::new(b"GET").origin(origin)
}

/// A preflight from `origin` asking for `PUT` with two request headers.
pub fn corsguard_preflight(origin: &[u8]) -> Request<'_> {
    Request::new(b"OPTIONS")
        .origin(origin)
        .request_method(PREFLIGHT_METHOD.as_bytes())
        .request_headers(PREFLIGHT_HEADERS.as_bytes())
}
