//! Proves that the core never touches the heap: `Policy::evaluate` (and
//! reading the decision it returns) allocates nothing, whatever the request
//! and whatever the profile, and a policy can be built without a heap.
//!
//! A counting global allocator wraps the system allocator. Only allocations
//! made by the current thread while it is inside [`allocations_during`] are
//! counted, so the test harness (other threads, output capture) does not
//! disturb the count, and a global lock keeps two tests from counting at once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use corsguard::{
    AllowedHeaders, Behaviour, Config, Decision, ExposedHeaders, Methods, Outcome, Policy, Reason,
    Request, RequestKind,
};

// ---------------------------------------------------------------------------
// The counting allocator
// ---------------------------------------------------------------------------

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether allocations on this thread are being counted. A `const`
    /// initializer and a type without `Drop` mean that reading it never
    /// allocates, so the allocator can consult it.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn counting_here() -> bool {
    COUNTING.try_with(Cell::get).unwrap_or(false)
}

fn record() {
    if counting_here() {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; counting has no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record();
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Serializes the counting sections of the tests, which run on several threads.
static COUNTING_LOCK: Mutex<()> = Mutex::new(());

/// Runs `f` and returns how many allocations (including reallocations) this
/// thread made while it ran, with `f`'s result.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let _guard = COUNTING_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.with(|c| c.set(true));
    let result = black_box(f());
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.load(Ordering::SeqCst), result)
}

// ---------------------------------------------------------------------------
// Evaluating under the counter
// ---------------------------------------------------------------------------

/// What a host reads from a decision, copied out so it can be checked after
/// counting stops. Copying is allocation-free: everything here is `Copy`.
#[derive(Clone, Copy, Debug)]
struct Summary {
    kind: RequestKind,
    outcome: Outcome,
    reason: Option<Reason<'static>>,
    headers: usize,
    header_bytes: usize,
    status: Option<u16>,
}

/// Everything a binding does with a decision: every header name and value,
/// the verdict, the reason, the action and the body.
fn read(decision: &Decision<'_>) -> Summary {
    let mut header_bytes = 0;
    for header in decision.headers() {
        header_bytes += black_box(header.name.as_str()).len();
        header_bytes += black_box(header.value).len();
    }
    let _ = black_box(decision.body());
    let _ = black_box(decision.failures().text());
    Summary {
        kind: decision.kind(),
        outcome: decision.outcome(),
        // Only the variants without borrowed data are kept; the others are
        // checked through `outcome`.
        reason: decision.reason().and_then(|r| match r {
            Reason::OriginNotAllowed => Some(Reason::OriginNotAllowed),
            Reason::MalformedOrigin => Some(Reason::MalformedOrigin),
            Reason::MissingOrigin => Some(Reason::MissingOrigin),
            Reason::MalformedRequestHeaders => Some(Reason::MalformedRequestHeaders),
            Reason::PrivateNetworkNotAllowed => Some(Reason::PrivateNetworkNotAllowed),
            _ => None,
        }),
        headers: decision.headers().len(),
        header_bytes,
        status: match decision.action() {
            corsguard::Action::Respond { status } => Some(status),
            corsguard::Action::Continue => None,
        },
    }
}

/// Evaluates `request` under the counter, asserts it allocated nothing and
/// returns what the decision said.
fn evaluate_without_allocating<const O: usize, const N: usize, const B: usize>(
    policy: &Policy<O, N, B>,
    request: &Request<'_>,
) -> Summary {
    let (allocations, summary) = allocations_during(|| read(&policy.evaluate(black_box(request))));
    assert_eq!(
        allocations, 0,
        "evaluate allocated {allocations} times for {:?}",
        summary
    );
    summary
}

// ---------------------------------------------------------------------------
// Policies, built before counting starts
// ---------------------------------------------------------------------------

const APP: &[u8] = b"https://app.example.com";

fn strict_config() -> Config<'static> {
    Config::new()
        .allowed_origins(&[
            "https://app.example.com",
            "https://*.example.org",
            "http://localhost:*",
        ])
        .allowed_methods(Methods::List(&["PUT", "DELETE", "PATCH"]))
        .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
        .exposed_headers(ExposedHeaders::List(&["x-total-count"]))
        .credentials(true)
        .private_network(true)
        .max_age(600)
}

fn strict_policy() -> Policy {
    Policy::new(&strict_config()).expect("valid strict policy")
}

fn mirroring_policy() -> Policy {
    let config = strict_config().allowed_headers(AllowedHeaders::Mirror);
    Policy::new(&config).expect("valid mirroring policy")
}

fn cors_npm_policy() -> Policy {
    let config = Config::new()
        .behaviour(Behaviour::CORS_NPM)
        .allowed_origins(&["https://app.example.com", "https://other.example.com"])
        .allowed_methods(Methods::List(&[
            "GET", "HEAD", "PUT", "PATCH", "POST", "DELETE",
        ]))
        .allowed_headers(AllowedHeaders::Mirror)
        .exposed_headers(ExposedHeaders::List(&["X-Total-Count"]))
        .credentials(true)
        .max_age(600);
    Policy::new(&config).expect("valid cors npm policy")
}

fn starlette_policy() -> Policy {
    let config = Config::new()
        .behaviour(Behaviour::STARLETTE)
        .allowed_origins(&["*"])
        .allowed_methods(Methods::List(&["GET", "POST", "PUT"]))
        .allowed_headers(AllowedHeaders::List(&["X-Request-Id"]))
        .credentials(true)
        .max_age(600);
    Policy::new(&config).expect("valid starlette policy")
}

fn preflight<'r>(origin: &'r [u8], method: &'r [u8]) -> Request<'r> {
    Request::new(b"OPTIONS")
        .origin(origin)
        .request_method(method)
}

/// One mebibyte of `byte` (1 KiB under Miri, which checks the same paths
/// for undefined behaviour, not their speed).
fn megabyte_of(byte: u8) -> Vec<u8> {
    vec![byte; if cfg!(miri) { 1 << 10 } else { 1 << 20 }]
}

// ---------------------------------------------------------------------------
// The strict profile
// ---------------------------------------------------------------------------

#[test]
fn an_allowed_actual_request_allocates_nothing() {
    let policy = strict_policy();
    let s = evaluate_without_allocating(&policy, &Request::new(b"GET").origin(APP));
    assert_eq!((s.kind, s.outcome), (RequestKind::Actual, Outcome::Allowed));
    assert!(s.headers >= 2, "{s:?}");
}

#[test]
fn a_denied_actual_request_allocates_nothing() {
    let policy = strict_policy();
    let request = Request::new(b"POST").origin(b"https://app.example.com.evil.net");
    let s = evaluate_without_allocating(&policy, &request);
    assert_eq!(s.outcome, Outcome::Denied);
    assert_eq!(s.reason, Some(Reason::OriginNotAllowed));
}

#[test]
fn a_request_without_origin_allocates_nothing() {
    let policy = strict_policy();
    let s = evaluate_without_allocating(&policy, &Request::new(b"GET"));
    assert_eq!(s.outcome, Outcome::NotCors);
}

#[test]
fn an_allowed_preflight_allocates_nothing() {
    let policy = strict_policy();
    let request = preflight(APP, b"PUT")
        .request_headers(b"content-type,x-request-id")
        .request_private_network(b"true");
    let s = evaluate_without_allocating(&policy, &request);
    assert_eq!(
        (s.kind, s.outcome),
        (RequestKind::Preflight, Outcome::Allowed)
    );
    assert_eq!(s.status, Some(204));
    assert!(s.headers >= 5, "{s:?}");
}

#[test]
fn a_preflight_denied_for_its_method_allocates_nothing() {
    let policy = strict_policy();
    let s = evaluate_without_allocating(&policy, &preflight(APP, b"PURGE"));
    assert_eq!(s.outcome, Outcome::Denied);
    assert_eq!(s.status, Some(403));
}

#[test]
fn a_preflight_denied_for_a_header_allocates_nothing() {
    let policy = strict_policy();
    let request = preflight(APP, b"PUT").request_headers(b"content-type, x-not-allowed");
    let s = evaluate_without_allocating(&policy, &request);
    assert_eq!(s.outcome, Outcome::Denied);
    assert_eq!(s.status, Some(403));
}

#[test]
fn a_preflight_denied_for_a_malformed_header_list_allocates_nothing() {
    let policy = strict_policy();
    let request = preflight(APP, b"PUT").request_headers(b"content-type x-request-id");
    let s = evaluate_without_allocating(&policy, &request);
    assert_eq!(s.reason, Some(Reason::MalformedRequestHeaders));
}

#[test]
fn a_pattern_matched_origin_allocates_nothing() {
    let policy = strict_policy();
    let origin = b"https://deep.sub.domain.example.org";
    let actual = evaluate_without_allocating(&policy, &Request::new(b"GET").origin(origin));
    assert_eq!(actual.outcome, Outcome::Allowed);
    let s = evaluate_without_allocating(&policy, &preflight(origin, b"DELETE"));
    assert_eq!(s.outcome, Outcome::Allowed);
    let port = evaluate_without_allocating(
        &policy,
        &Request::new(b"GET").origin(b"http://localhost:5173"),
    );
    assert_eq!(port.outcome, Outcome::Allowed);
    let lookalike = evaluate_without_allocating(
        &policy,
        &Request::new(b"GET").origin(b"https://evilexample.org"),
    );
    assert_eq!(lookalike.outcome, Outcome::Denied);
}

#[test]
fn a_mirrored_headers_preflight_allocates_nothing() {
    let policy = mirroring_policy();
    let request = preflight(APP, b"PATCH").request_headers(b"x-anything, x-else, content-type");
    let s = evaluate_without_allocating(&policy, &request);
    assert_eq!(s.outcome, Outcome::Allowed);
    assert!(s.header_bytes > b"x-anything, x-else, content-type".len());
}

#[test]
fn a_malformed_origin_allocates_nothing() {
    let policy = strict_policy();
    for origin in [
        &b"https://APP.example.com"[..],
        b"https://app.example.com/",
        b"https://app.example.com\r\nSet-Cookie: a=b",
        b"\xff\xfe\x00",
        b"",
        b"null",
    ] {
        let s = evaluate_without_allocating(&policy, &Request::new(b"GET").origin(origin));
        assert_eq!(s.outcome, Outcome::Denied, "{origin:?}");
        let s = evaluate_without_allocating(&policy, &preflight(origin, b"PUT"));
        assert_eq!(s.outcome, Outcome::Denied, "{origin:?}");
    }
}

#[test]
fn a_megabyte_of_commas_in_request_headers_allocates_nothing() {
    let commas = megabyte_of(b',');
    let spaces = megabyte_of(b' ');
    let policy = strict_policy();
    for acrh in [&commas, &spaces] {
        let request = preflight(APP, b"PUT").request_headers(acrh);
        let s = evaluate_without_allocating(&policy, &request);
        // Empty elements are skipped, as the Fetch standard's list parsing does.
        assert_eq!(s.outcome, Outcome::Allowed);
    }
    let mirroring = mirroring_policy();
    let s =
        evaluate_without_allocating(&mirroring, &preflight(APP, b"PUT").request_headers(&commas));
    assert_eq!(s.outcome, Outcome::Allowed);
}

#[test]
fn a_megabyte_origin_allocates_nothing() {
    let mut origin = b"https://".to_vec();
    let size = if cfg!(miri) { 1 << 10 } else { 1 << 20 };
    while origin.len() < size {
        origin.extend_from_slice(b"a.");
    }
    origin.extend_from_slice(b"example.org");
    let policy = strict_policy();
    let s = evaluate_without_allocating(&policy, &Request::new(b"GET").origin(&origin));
    assert_eq!(s.outcome, Outcome::Allowed);
}

// ---------------------------------------------------------------------------
// The compatibility profiles
// ---------------------------------------------------------------------------

#[test]
fn the_cors_npm_profile_allocates_nothing() {
    let policy = cors_npm_policy();
    let commas = megabyte_of(b',');
    let requests = [
        Request::new(b"GET").origin(APP),
        Request::new(b"GET").origin(b"https://evil.example"),
        Request::new(b"GET"),
        Request::new(b"OPTIONS"),
        Request::new(b"options").origin(APP),
        preflight(APP, b"PUT").request_headers(b"x-anything,content-type"),
        preflight(b"https://evil.example", b"PURGE").request_headers(b"x-a"),
        preflight(APP, b"PUT").request_headers(&commas),
        preflight(APP, b"PUT").request_headers(b"x-a\r\nSet-Cookie: a=b"),
    ];
    for request in &requests {
        evaluate_without_allocating(&policy, request);
    }
    let s = evaluate_without_allocating(&policy, &requests[5]);
    assert_eq!(s.outcome, Outcome::Allowed);
}

#[test]
fn the_starlette_profile_allocates_nothing() {
    let policy = starlette_policy();
    let commas = megabyte_of(b',');
    let requests = [
        Request::new(b"GET").origin(APP),
        Request::new(b"GET"),
        preflight(APP, b"PUT").request_headers(b"x-request-id"),
        preflight(APP, b"DELETE").request_headers(b"x-other"),
        preflight(APP, b"PUT").request_private_network(b"true"),
        preflight(APP, b"PUT").request_headers(&commas),
        preflight(b"https://a.example\r\nX: y", b"PUT"),
    ];
    let mut outcomes = Vec::new();
    for request in &requests {
        let s = evaluate_without_allocating(&policy, request);
        outcomes.push(s.outcome);
    }
    assert_eq!(outcomes[2], Outcome::Allowed);
    assert_eq!(outcomes[3], Outcome::Denied);
    // Starlette does not skip empty elements: the first one is refused.
    assert_eq!(outcomes[5], Outcome::Denied);
}

// ---------------------------------------------------------------------------
// Building a policy
// ---------------------------------------------------------------------------

#[test]
fn a_small_policy_is_built_without_the_heap() {
    let config = Config::new()
        .allowed_origins(&["https://app.example.com", "https://*.example.org"])
        .allowed_methods(Methods::List(&["PUT", "DELETE"]))
        .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
        .exposed_headers(ExposedHeaders::List(&["x-total-count"]))
        .credentials(true)
        .max_age(600);
    let (allocations, policy) = allocations_during(|| Policy::<8, 8, 1024>::new(&config));
    assert_eq!(allocations, 0, "Policy::new allocated");
    let policy = policy.expect("valid small policy");
    let s = evaluate_without_allocating(&policy, &preflight(APP, b"PUT"));
    assert_eq!(s.outcome, Outcome::Allowed);
}

#[test]
fn every_profile_builds_its_policy_without_the_heap() {
    let configs = [
        strict_config(),
        strict_config().allowed_headers(AllowedHeaders::Mirror),
        Config::new()
            .behaviour(Behaviour::CORS_NPM)
            .fixed_origin("https://app.example.com")
            .allowed_headers(AllowedHeaders::Mirror),
        Config::new()
            .behaviour(Behaviour::STARLETTE)
            .allowed_origins(&["*"])
            .allowed_headers(AllowedHeaders::List(&["X-Request-Id"]))
            .credentials(true),
    ];
    for config in &configs {
        let (allocations, policy) = allocations_during(|| Policy::<8, 8, 1024>::new(config));
        assert_eq!(allocations, 0, "Policy::new allocated for {config:?}");
        assert!(policy.is_ok(), "{config:?}: {policy:?}");
    }
}

#[test]
fn a_refused_configuration_is_reported_without_the_heap() {
    let config = Config::new().allowed_origins(&["*"]).credentials(true);
    let (allocations, result) = allocations_during(|| Policy::<8, 8, 1024>::new(&config).err());
    assert_eq!(allocations, 0);
    assert!(result.is_some());
    let too_small = strict_config();
    let (allocations, result) = allocations_during(|| Policy::<1, 1, 16>::new(&too_small).err());
    assert_eq!(allocations, 0);
    assert!(result.is_some());
}

#[test]
fn the_counter_sees_allocations() {
    // Guards against a counter that never counts, which would make every
    // other test here pass vacuously.
    let (allocations, v) = allocations_during(|| vec![1u8; 16]);
    assert!(allocations >= 1);
    drop(v);
}

// ---------------------------------------------------------------------------
// Policies loaded from a document
// ---------------------------------------------------------------------------

/// Loading a document allocates (its strings, the problems); what it builds
/// evaluates without allocating, like a policy built from a `Config`.
#[cfg(feature = "json")]
#[test]
fn a_policy_loaded_from_a_document_evaluates_without_allocating() {
    let (loading, policy) = allocations_during(|| {
        corsguard::Policy::<16, 16, 1024>::from_json(
            br#"{"version": 1, "allowOrigins": ["https://app.example.com", "https://*.example.org"],
                 "allowMethods": ["PUT"], "allowHeaders": ["content-type"], "allowCredentials": true}"#,
        )
        .unwrap()
    });
    assert!(
        loading > 0,
        "the loader is expected to allocate while loading"
    );
    let preflight = Request::new(b"OPTIONS")
        .origin(b"https://a.b.example.org")
        .request_method(b"PUT")
        .request_headers(b"content-type");
    let s = evaluate_without_allocating(&policy, &preflight);
    assert_eq!(
        (s.kind, s.outcome),
        (RequestKind::Preflight, Outcome::Allowed)
    );
}
