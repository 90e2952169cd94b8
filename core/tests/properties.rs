//! Property tests of `Policy::evaluate`: what must hold for every policy and
//! every request, not just the examples the unit tests pick.
//!
//! The central one is [`the_browser_lets_a_request_through_exactly_when_the_policy_allows_it`]:
//! a model of the browser's Fetch-standard checks (`support/fetch_model.rs`)
//! judges the headers the core writes, and must agree with the core's verdict.

mod support;

use corsguard::compat::{
    ActualHeaders, HeadersSlot, OriginSlot, PreflightBody, PreflightDetection, RefusedPreflight,
    Separator, Slot, Syntax, VaryStyle, WildcardWithCredentials,
};
use corsguard::{
    Action, AllowedHeaders, Behaviour, Config, Decision, ExposedHeaders, HeaderName, MaxAge,
    Methods, Outcome, Policy, Request, RequestKind, VaryMerge,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};
use support::fetch_model::{fetch_succeeds, BrowserRequest};

/// `cases` cases, and no regression files written next to the tests.
fn cases(cases: u32) -> ProptestConfig {
    ProptestConfig {
        // Miri is thousands of times slower: a few cases check the code
        // paths for undefined behaviour; the normal run does the searching.
        cases: if cfg!(miri) { 4 } else { cases },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The decision's headers as (name, value) pairs, the way a host writes
/// them on the response (`Vary` included).
fn response_headers(decision: &Decision<'_>) -> Vec<(String, Vec<u8>)> {
    decision
        .headers()
        .iter()
        .map(|h| (h.name.as_str().to_string(), h.value.to_vec()))
        .collect()
}

fn is_header_safe(value: &[u8]) -> bool {
    !value.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

// ---------------------------------------------------------------------------
// Requests made of arbitrary bytes
// ---------------------------------------------------------------------------

/// Values a real request carries, as starting points for the byte fields.
const SEEDS: &[&[u8]] = &[
    b"",
    b"https://app.example.com",
    b"https://a.example.org",
    b"https://app.example.com.evil.net",
    b"http://localhost:3000",
    b"null",
    b"*",
    b"GET",
    b"PUT",
    b"OPTIONS",
    b"options",
    b"content-type, x-request-id",
    b"x-a,,x-b",
    b" , ",
    b"authorization",
    b"true",
    b"Set-Cookie: a=b",
];

/// Bytes worth inserting into a seed: the ones that break headers, and list
/// and origin punctuation.
const SPECIAL_BYTES: &[u8] = b"\r\n\0 \t,:*/.@A\xff";

/// A header value: a seed, a seed with a special byte inserted, or noise.
fn bytes_field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => select(SEEDS).prop_map(<[u8]>::to_vec),
        3 => (select(SEEDS), any::<Index>(), select(SPECIAL_BYTES)).prop_map(|(seed, at, byte)| {
            let mut value = seed.to_vec();
            value.insert(at.index(value.len() + 1), byte);
            value
        }),
        2 => vec(any::<u8>(), 0..40),
    ]
}

/// A request with every field arbitrary (leaning towards OPTIONS, so that
/// preflights are common).
#[derive(Clone, Debug)]
struct RawRequest {
    method: Vec<u8>,
    origin: Option<Vec<u8>>,
    request_method: Option<Vec<u8>>,
    request_headers: Option<Vec<u8>>,
    private_network: Option<Vec<u8>>,
    verdict: Option<bool>,
}

impl RawRequest {
    fn as_request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            origin: self.origin.as_deref(),
            request_method: self.request_method.as_deref(),
            request_headers: self.request_headers.as_deref(),
            request_private_network: self.private_network.as_deref(),
            origin_verdict: self.verdict,
        }
    }
}

fn raw_request() -> impl Strategy<Value = RawRequest> {
    let method = prop_oneof![
        2 => Just(b"OPTIONS".to_vec()),
        1 => bytes_field(),
    ];
    (
        method,
        proptest::option::weighted(0.9, bytes_field()),
        proptest::option::weighted(0.7, bytes_field()),
        proptest::option::of(bytes_field()),
        proptest::option::of(bytes_field()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(method, origin, request_method, request_headers, private_network, verdict)| {
                RawRequest {
                    method,
                    origin,
                    request_method,
                    request_headers,
                    private_network,
                    verdict,
                }
            },
        )
}

/// Configurations of every profile that send request values back: reflected
/// origins (listed, verdict, Starlette's `*` with credentials), mirrored
/// request headers, fixed origins, wildcards.
fn profile_configs() -> Vec<Config<'static>> {
    let strict_listed = Config::new()
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
        .max_age(600);
    let mut keep_refused = Behaviour::STRICT;
    keep_refused.refused_preflight = RefusedPreflight {
        status: None,
        keep_headers: true,
        answer_allowed_origin: false,
    };
    vec![
        strict_listed,
        strict_listed.behaviour(keep_refused),
        Config::new()
            .allowed_origins(&["*"])
            .allowed_methods(Methods::Any)
            .allowed_headers(AllowedHeaders::Any)
            .exposed_headers(ExposedHeaders::Any),
        Config::new()
            .allowed_origins(&["https://app.example.com", "null"])
            .allowed_headers(AllowedHeaders::Mirror)
            .origin_verdict(true)
            .private_network(true),
        Config::new()
            .behaviour(Behaviour::CORS_NPM)
            .allowed_origins(&["*"])
            .allowed_headers(AllowedHeaders::Mirror)
            .credentials(true),
        Config::new()
            .behaviour(Behaviour::CORS_NPM)
            .allowed_origins(&["https://app.example.com", "null"])
            .allowed_methods(Methods::List(&["GET", "PUT"]))
            .allowed_headers(AllowedHeaders::Mirror)
            .exposed_headers(ExposedHeaders::List(&["X-Total-Count"]))
            .origin_verdict(true)
            .credentials(true)
            .max_age_value(Some(MaxAge::Literal("600"))),
        Config::new()
            .behaviour(Behaviour::CORS_NPM)
            .fixed_origin("https://app.example.com")
            .allowed_headers(AllowedHeaders::Mirror),
        Config::new()
            .behaviour(Behaviour::STARLETTE)
            .allowed_origins(&["*"])
            .allowed_headers(AllowedHeaders::Mirror)
            .credentials(true),
        Config::new()
            .behaviour(Behaviour::STARLETTE)
            .allowed_origins(&["https://app.example.com"])
            .allowed_methods(Methods::List(&["GET", "PUT"]))
            .allowed_headers(AllowedHeaders::List(&["X-Request-Id"]))
            .origin_verdict(true)
            .private_network(true)
            .max_age(600),
    ]
}

fn profile_policies() -> Vec<Policy> {
    profile_configs()
        .iter()
        .map(|config| Policy::new(config).expect("valid profile configuration"))
        .collect()
}

/// Reads everything a host could read from a decision.
fn read_everything(decision: &Decision<'_>) -> usize {
    let mut n = decision.headers().len();
    for header in decision.headers() {
        n += header.value.len() + header.name.as_lowercase_str().len();
    }
    if let Some(reason) = decision.reason() {
        n += reason.to_string().len() + reason.code().len();
    }
    n += decision.kind().code().len() + decision.outcome().code().len();
    n += decision.failures().text().len() + decision.body().map_or(0, str::len);
    n
}

proptest! {
    #![proptest_config(cases(3000))]

    /// Header injection is impossible: whatever bytes arrive in any request
    /// field, under any profile, no header value written (a reflected origin,
    /// mirrored request headers included) holds CR, LF or NUL.
    #[test]
    fn no_header_value_ever_contains_cr_lf_or_nul(
        request in raw_request(),
        which in any::<Index>(),
    ) {
        let policies = profile_policies();
        let policy = which.get(&policies);
        let decision = policy.evaluate(&request.as_request());
        for header in decision.headers() {
            prop_assert!(
                is_header_safe(header.value),
                "{}: {:?} for {:?} under {:?}",
                header.name.as_str(),
                String::from_utf8_lossy(header.value),
                request,
                policy.behaviour()
            );
        }
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// A policy that says its answer does not depend on the origin
    /// (`answer_depends_on_origin() == false`, what a host's memo relies on
    /// to skip keying answers on the origin) gives equal decisions to two
    /// requests that differ only in the value of a present `Origin`, for
    /// any bytes in either. The profile policies include some of each kind.
    #[test]
    fn an_origin_free_policy_answers_every_origin_alike(
        request in raw_request(),
        first in bytes_field(),
        second in bytes_field(),
    ) {
        let policies = profile_policies();
        let free: Vec<&Policy> = policies.iter().filter(|p| !p.answer_depends_on_origin()).collect();
        prop_assert!(free.len() >= 2, "the profile policies include origin-free ones");
        for policy in free {
            let mut a = request.as_request();
            let mut b = request.as_request();
            a.origin = Some(&first);
            b.origin = Some(&second);
            prop_assert_eq!(policy.evaluate(&a), policy.evaluate(&b));
        }
    }

    /// A policy whose headers cannot depend on the origin
    /// (`headers_depend_on_origin() == false`) writes the same headers,
    /// action and body for two requests that differ only in the value of a
    /// present `Origin`.
    #[test]
    fn origin_free_headers_are_written_alike_for_every_origin(
        request in raw_request(),
        first in bytes_field(),
        second in bytes_field(),
    ) {
        let policies = profile_policies();
        let free: Vec<&Policy> = policies.iter().filter(|p| !p.headers_depend_on_origin()).collect();
        let only_headers = free.iter().filter(|p| p.answer_depends_on_origin()).count();
        prop_assert!(only_headers >= 1, "the profile policies include a fixed origin sent to all");
        for policy in free {
            let mut a = request.as_request();
            let mut b = request.as_request();
            a.origin = Some(&first);
            b.origin = Some(&second);
            let (x, y) = (policy.evaluate(&a), policy.evaluate(&b));
            prop_assert_eq!(x.headers(), y.headers());
            prop_assert_eq!(x.action(), y.action());
            prop_assert_eq!(x.body(), y.body());
        }
    }
}

/// A non-empty header value without CR, LF or NUL.
fn safe_field() -> impl Strategy<Value = Vec<u8>> {
    bytes_field()
        .prop_map(|v| {
            v.into_iter()
                .filter(|b| !matches!(b, b'\r' | b'\n' | 0))
                .collect::<Vec<u8>>()
        })
        .prop_filter("a non-empty value", |v| !v.is_empty())
}

/// Checks what `admitted_answer_depends_on_origin() == false` promises:
/// under a verdict of `true`, the decisions for two non-empty safe origins are equal
/// once each one's echoed origin is read as the other's.
fn check_admitted_alike<const O: usize, const H: usize, const B: usize>(
    policy: &Policy<O, H, B>,
    request: &RawRequest,
    first: &[u8],
    second: &[u8],
) -> Result<(), TestCaseError> {
    let mut a = request.as_request();
    let mut b = request.as_request();
    a.origin = Some(first);
    b.origin = Some(second);
    a.origin_verdict = Some(true);
    b.origin_verdict = Some(true);
    let (x, y) = (policy.evaluate(&a), policy.evaluate(&b));
    prop_assert_eq!(x.kind(), y.kind());
    prop_assert_eq!(x.outcome(), y.outcome());
    prop_assert_eq!(x.reason(), y.reason());
    prop_assert_eq!(x.failures(), y.failures());
    prop_assert_eq!(x.action(), y.action());
    prop_assert_eq!(x.body(), y.body());
    prop_assert_eq!(x.headers().len(), y.headers().len());
    for (p, q) in x.headers().iter().zip(y.headers()) {
        prop_assert_eq!(p.name, q.name);
        let echoed = p.name.as_lowercase_str() == "access-control-allow-origin"
            && p.value == first
            && q.value == second;
        prop_assert!(echoed || p.value == q.value, "{:?} vs {:?}", p, q);
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(2000))]

    /// A policy that says its answer to an admitted origin does not depend
    /// on the origin (`admitted_answer_depends_on_origin() == false`, what
    /// the Node runner's memo relies on to key such answers on the verdict)
    /// answers every safe origin it is told to admit alike but for the
    /// echo. The profile policies include one that consults the verdict.
    #[test]
    fn an_admitted_origin_is_answered_alike_but_for_its_echo(
        request in raw_request(),
        first in safe_field(),
        second in safe_field(),
    ) {
        let policies = profile_policies();
        let free: Vec<&Policy> = policies.iter().filter(|p| !p.admitted_answer_depends_on_origin()).collect();
        let judged = free.iter().filter(|p| p.answer_depends_on_origin()).count();
        prop_assert!(judged >= 1, "the profile policies include a literal one consulting the verdict");
        for policy in free {
            check_admitted_alike(policy, &request, &first, &second)?;
        }
    }

    /// The same whatever the behaviour's settings.
    #[test]
    fn an_admitted_origin_is_answered_alike_whatever_the_settings(
        behaviour in any_behaviour(),
        which in any::<Index>(),
        request in raw_request(),
        first in safe_field(),
        second in safe_field(),
    ) {
        let configs = varied_configs();
        let config = which.get(&configs).behaviour(behaviour).origin_verdict(true);
        if let Ok(policy) = Policy::<8, 8, 1024>::new(&config) {
            if !policy.admitted_answer_depends_on_origin() {
                check_admitted_alike(&policy, &request, &first, &second)?;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Never panicking
// ---------------------------------------------------------------------------

/// Header orders, including one with every kind of slot and the largest
/// allowed length, and one that is too long for a decision.
const ORDERS: &[&[Slot]] = &[
    Behaviour::STRICT.preflight_order,
    Behaviour::STRICT.actual_order,
    Behaviour::CORS_NPM.preflight_order,
    Behaviour::CORS_NPM.actual_order,
    Behaviour::STARLETTE.preflight_order,
    Behaviour::STARLETTE.actual_order,
    &[],
    &[
        Slot::Vary,
        Slot::VaryOrigin,
        Slot::VaryRequestHeaders,
        Slot::AllowOrigin(OriginSlot::AnyPolicy),
        Slot::AllowOrigin(OriginSlot::ListedPolicy),
        Slot::AllowCredentials,
        Slot::AllowMethods,
        Slot::AllowHeaders(HeadersSlot::Listed),
        Slot::AllowHeaders(HeadersSlot::Mirrored),
        Slot::MaxAge,
        Slot::ExposeHeaders,
        Slot::AllowPrivateNetwork,
    ],
    &[Slot::Vary; 13],
];

/// One choice among `options`, made by a random byte.
fn pick<T: Copy>(byte: u8, options: &[T]) -> T {
    options[usize::from(byte) % options.len()]
}

/// A behaviour with every setting chosen at random, starting from a preset.
fn any_behaviour() -> impl Strategy<Value = Behaviour> {
    let presets = [Behaviour::STRICT, Behaviour::CORS_NPM, Behaviour::STARLETTE];
    (select(presets.to_vec()), vec(any::<u8>(), 17)).prop_map(|(mut b, r)| {
        b.syntax = pick(r[0], &[Syntax::Strict, Syntax::Literal]);
        b.preflight_detection = pick(
            r[1],
            &[
                PreflightDetection::OriginAndMethod,
                PreflightDetection::AnyOptions,
                PreflightDetection::RefuseIncomplete,
                PreflightDetection::RequestMethod,
                PreflightDetection::Never,
            ],
        );
        b.check_preflight = r[2] & 1 == 1;
        b.safelisted_methods_implicit = r[3] & 1 == 1;
        b.skip_empty_header_elements = r[4] & 1 == 1;
        b.refused_preflight = RefusedPreflight {
            status: pick(r[5], &[None, Some(403), Some(400), Some(200), Some(1000)]),
            keep_headers: r[6] & 1 == 1,
            answer_allowed_origin: r[6] & 2 == 2,
        };
        b.preflight_body = pick(r[7], &[PreflightBody::Empty, PreflightBody::FailureList]);
        b.fixed_origin_always_sent = r[8] & 1 == 1;
        b.wildcard_with_credentials = pick(
            r[9],
            &[
                WildcardWithCredentials::Refuse,
                WildcardWithCredentials::SendWildcard,
                WildcardWithCredentials::Reflect,
            ],
        );
        b.actual_headers = pick(
            r[10],
            &[
                ActualHeaders::WhenAllowed,
                ActualHeaders::Always,
                ActualHeaders::WhenOriginPresent,
            ],
        );
        b.separator = pick(r[11], &[Separator::CommaSpace, Separator::Comma]);
        b.vary = pick(
            r[12],
            &[VaryStyle::Minimal, VaryStyle::CorsNpm, VaryStyle::Starlette],
        );
        b.vary_merge = pick(r[13], &[VaryMerge::Dedup, VaryMerge::Join]);
        b.safelisted_headers_added = r[14] & 1 == 1;
        b.preflight_order = pick(r[15], ORDERS);
        b.actual_order = pick(r[16], ORDERS);
        b
    })
}

/// Configurations that differ in what the settings act on.
fn varied_configs() -> Vec<Config<'static>> {
    vec![
        Config::new()
            .allowed_origins(&["https://app.example.com", "https://*.example.org"])
            .allowed_methods(Methods::List(&["PUT", "DELETE"]))
            .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
            .exposed_headers(ExposedHeaders::List(&["x-total-count"]))
            .credentials(true)
            .private_network(true)
            .max_age(600),
        Config::new()
            .allowed_origins(&["*"])
            .allowed_methods(Methods::Any)
            .allowed_headers(AllowedHeaders::Any)
            .exposed_headers(ExposedHeaders::Any),
        Config::new()
            .allowed_origins(&["*"])
            .allowed_headers(AllowedHeaders::Mirror)
            .credentials(true),
        Config::new()
            .fixed_origin("https://app.example.com")
            .allowed_headers(AllowedHeaders::Mirror)
            .origin_verdict(true)
            .preflight_continue(true),
        Config::new()
            .allowed_origins(&["null", "http://localhost:*"])
            .allowed_methods(Methods::List(&[]))
            .origin_verdict(true)
            .preflight_status(200),
    ]
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Evaluation is total: no request, made of any bytes, makes any of the
    /// three profiles panic, and every part of the decision can be read.
    #[test]
    fn evaluation_never_panics_under_the_three_profiles(
        request in raw_request(),
        which in any::<Index>(),
    ) {
        let policies = profile_policies();
        let decision = which.get(&policies).evaluate(&request.as_request());
        read_everything(&decision);
    }

    /// Evaluation is total whatever the behaviour settings: every mix of
    /// settings either is refused at construction or evaluates any request
    /// without panicking, and still writes no CR, LF or NUL.
    #[test]
    fn evaluation_never_panics_whatever_the_settings(
        behaviour in any_behaviour(),
        which in any::<Index>(),
        request in raw_request(),
    ) {
        let configs = varied_configs();
        let config = which.get(&configs).behaviour(behaviour);
        if let Ok(policy) = Policy::<8, 8, 1024>::new(&config) {
            let decision = policy.evaluate(&request.as_request());
            read_everything(&decision);
            for header in decision.headers() {
                prop_assert!(is_header_safe(header.value), "{:?}", header);
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(2000))]

    /// A decision reused for a second request holds exactly what a fresh
    /// one would: `evaluate_into` leaves nothing of the first request
    /// behind, whatever the settings and whichever kinds the two are.
    #[test]
    fn a_reused_decision_equals_a_fresh_one(
        behaviour in any_behaviour(),
        which in any::<Index>(),
        first in raw_request(),
        second in raw_request(),
    ) {
        let configs = varied_configs();
        let config = which.get(&configs).behaviour(behaviour);
        if let Ok(policy) = Policy::<8, 8, 1024>::new(&config) {
            let mut decision = policy.evaluate(&first.as_request());
            policy.evaluate_into(&second.as_request(), &mut decision);
            prop_assert_eq!(decision, policy.evaluate(&second.as_request()));
        }
    }
}

/// Configuration strings: real entries, real entries with a special character
/// inserted, and noise.
fn config_string() -> impl Strategy<Value = String> {
    const SEEDS: &[&str] = &[
        "https://app.example.com",
        "https://*.example.org",
        "http://localhost:*",
        "*",
        "null",
        "PUT",
        "content-type",
        "Set-Cookie",
        "",
    ];
    const SPECIAL: &[char] = &['\r', '\n', '\0', ' ', '*', ',', ':', '/', 'A', 'é'];
    prop_oneof![
        select(SEEDS).prop_map(String::from),
        (select(SEEDS), any::<Index>(), select(SPECIAL)).prop_map(|(seed, at, c)| {
            let mut chars: Vec<char> = seed.chars().collect();
            chars.insert(at.index(chars.len() + 1), c);
            chars.into_iter().collect()
        }),
        "[ -~\r\n\0]{0,24}",
    ]
}

proptest! {
    #![proptest_config(cases(1500))]

    /// Construction is total too: arbitrary configuration strings in every
    /// list, under any settings and in a small policy, give a policy or an
    /// error, never a panic; and a policy built from them never writes CR,
    /// LF or NUL.
    #[test]
    fn building_a_policy_never_panics_on_arbitrary_configuration(
        origins in vec(config_string(), 0..4),
        methods in vec(config_string(), 0..3),
        headers in vec(config_string(), 0..3),
        exposed in vec(config_string(), 0..3),
        max_age in config_string(),
        flags in any::<[bool; 4]>(),
        behaviour in any_behaviour(),
        request in raw_request(),
    ) {
        let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
        let methods: Vec<&str> = methods.iter().map(String::as_str).collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let exposed: Vec<&str> = exposed.iter().map(String::as_str).collect();
        let mut config = Config::new()
            .behaviour(behaviour)
            .allowed_origins(&origins)
            .allowed_methods(Methods::List(&methods))
            .allowed_headers(AllowedHeaders::List(&headers))
            .exposed_headers(ExposedHeaders::List(&exposed))
            .credentials(flags[0])
            .origin_verdict(flags[1])
            .max_age_value(Some(MaxAge::Literal(&max_age)));
        if flags[2] {
            config = config.fixed_origin(origins.first().copied().unwrap_or("*"));
        }
        if flags[3] {
            config = config.max_age(86_401);
        }
        if let Ok(policy) = Policy::<4, 4, 256>::new(&config) {
            let decision = policy.evaluate(&request.as_request());
            read_everything(&decision);
            for header in decision.headers() {
                prop_assert!(is_header_safe(header.value), "{:?}", header);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Strict policies, generated
// ---------------------------------------------------------------------------

/// Origins a strict policy may list: exact origins, patterns and `null`.
const POLICY_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "https://foo.com",
    "https://bar.com",
    "https://xn--bcher-kva.example",
    "http://localhost:3000",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "null",
    "https://*.example.org",
    "https://*.example.org:8443",
    "https://*.api.example.net:*",
    "https://*.foo.com",
    "http://localhost:*",
    "http://*.localhost",
];

/// Methods a strict policy may list (`OPTIONS`, a custom method and a
/// lowercase custom method among them).
const POLICY_METHODS: &[&str] = &["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE", "patch"];

/// Request-header names a strict policy may allow, in various spellings.
const POLICY_HEADERS: &[&str] = &[
    "content-type",
    "X-Request-Id",
    "authorization",
    "x-custom",
    "range",
    "Accept",
];

#[derive(Clone, Copy, Debug)]
enum HeadersChoice {
    List,
    Any,
    Mirror,
}

/// A strict policy, described by choices made at random. Wildcards come with
/// flags so that the config can drop them when credentials make them invalid.
#[derive(Clone, Debug)]
struct StrictSpec {
    origins: Vec<&'static str>,
    any_origin: bool,
    methods: Vec<&'static str>,
    any_method: bool,
    headers: Vec<&'static str>,
    headers_choice: HeadersChoice,
    any_exposed: bool,
    credentials: bool,
    private_network: bool,
    max_age: Option<u32>,
    preflight_status: u16,
    refused: RefusedPreflight,
    separator: Separator,
}

fn strict_spec() -> impl Strategy<Value = StrictSpec> {
    (
        subsequence(POLICY_ORIGINS, 1..=5),
        subsequence(POLICY_METHODS, 0..=4),
        subsequence(POLICY_HEADERS, 0..=4),
        select(vec![
            HeadersChoice::List,
            HeadersChoice::List,
            HeadersChoice::Any,
            HeadersChoice::Mirror,
        ]),
        any::<[bool; 5]>(),
        proptest::option::of(0u32..=86_400),
        select(vec![204u16, 200]),
        select(vec![
            RefusedPreflight {
                status: Some(403),
                keep_headers: false,
                answer_allowed_origin: false,
            },
            RefusedPreflight {
                status: Some(200),
                keep_headers: false,
                answer_allowed_origin: false,
            },
            RefusedPreflight {
                status: None,
                keep_headers: true,
                answer_allowed_origin: false,
            },
        ]),
        select(vec![Separator::CommaSpace, Separator::Comma]),
    )
        .prop_map(
            |(origins, methods, headers, headers_choice, flags, max_age, status, refused, sep)| {
                let [any_origin, any_method, any_exposed, credentials, private_network] = flags;
                StrictSpec {
                    origins,
                    any_origin,
                    methods,
                    any_method,
                    headers,
                    headers_choice,
                    any_exposed,
                    credentials,
                    private_network,
                    max_age,
                    preflight_status: status,
                    refused,
                    separator: sep,
                }
            },
        )
}

impl StrictSpec {
    /// The configuration exactly as chosen, wildcards with credentials included.
    fn config(&self) -> Config<'_> {
        let origins: &[&str] = if self.any_origin {
            &["*"]
        } else {
            &self.origins
        };
        let mut behaviour = Behaviour::STRICT;
        behaviour.refused_preflight = self.refused;
        behaviour.separator = self.separator;
        let methods = if self.any_method {
            Methods::Any
        } else {
            Methods::List(&self.methods)
        };
        let headers = match self.headers_choice {
            HeadersChoice::List => AllowedHeaders::List(&self.headers),
            HeadersChoice::Any => AllowedHeaders::Any,
            HeadersChoice::Mirror => AllowedHeaders::Mirror,
        };
        let exposed = if self.any_exposed {
            ExposedHeaders::Any
        } else {
            ExposedHeaders::List(&["x-total-count"])
        };
        Config::new()
            .behaviour(behaviour)
            .allowed_origins(origins)
            .allowed_methods(methods)
            .allowed_headers(headers)
            .exposed_headers(exposed)
            .credentials(self.credentials)
            .private_network(self.private_network)
            .max_age_value(self.max_age.map(MaxAge::Seconds))
            .preflight_status(self.preflight_status)
    }

    /// Whether the Fetch standard makes this configuration meaningless: a
    /// wildcard (or `null`) together with credentials.
    fn is_wildcard_with_credentials(&self) -> bool {
        self.credentials
            && (self.any_origin
                || self.any_method
                || self.any_exposed
                || matches!(self.headers_choice, HeadersChoice::Any)
                || self.origins.contains(&"null"))
    }

    /// The same policy made valid: wildcards and `null` dropped when
    /// credentials are on.
    fn valid(&self) -> StrictSpec {
        let mut spec = self.clone();
        if spec.credentials {
            spec.any_origin = false;
            spec.any_method = false;
            spec.any_exposed = false;
            if matches!(spec.headers_choice, HeadersChoice::Any) {
                spec.headers_choice = HeadersChoice::List;
            }
            spec.origins.retain(|o| *o != "null");
            if spec.origins.is_empty() {
                spec.origins.push("https://app.example.com");
            }
        }
        spec
    }
}

/// Origins as a browser would send them: some inside the generated policies,
/// some lookalikes of them.
const BROWSER_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://example.com",
    "http://app.example.com",
    "https://evilexample.com",
    "https://app.example.com.evil.net",
    "https://foo.com",
    "https://barfoo.com",
    "https://a.foo.com",
    "https://a.example.org",
    "https://a.b.example.org",
    "https://example.org",
    "https://a.example.org:8443",
    "https://v1.api.example.net:9000",
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost",
    "http://app.localhost",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "null",
];

proptest! {
    #![proptest_config(cases(2000))]

    /// A strict decision never pairs `Access-Control-Allow-Origin: *` with
    /// `Access-Control-Allow-Credentials: true` (browsers reject the pair,
    /// and peers that send it teach users to reflect origins instead): such
    /// policies are refused at construction, exactly those, and the others
    /// never answer that pair to any request.
    #[test]
    fn strict_decisions_never_pair_a_wildcard_origin_with_credentials(
        spec in strict_spec(),
        request in raw_request(),
        origin in select(BROWSER_ORIGINS),
        use_browser_origin in any::<bool>(),
    ) {
        let config = spec.config();
        let built = Policy::<16, 16, 2048>::new(&config);
        prop_assert_eq!(
            built.is_err(),
            spec.is_wildcard_with_credentials(),
            "{:?}",
            built.as_ref().err()
        );
        let Ok(policy) = built else { return Ok(()) };
        let mut request = request;
        if use_browser_origin {
            request.origin = Some(origin.as_bytes().to_vec());
        }
        let decision = policy.evaluate(&request.as_request());
        let wildcard = decision.header(HeaderName::AllowOrigin) == Some(&b"*"[..]);
        let credentials = decision.header(HeaderName::AllowCredentials) == Some(&b"true"[..]);
        prop_assert!(!(wildcard && credentials), "{:?}", decision);
    }
}

/// The `Vary` tokens of a decision, from every `Vary` value it lists.
fn vary_tokens(decision: &Decision<'_>) -> Vec<String> {
    decision
        .headers()
        .iter()
        .filter(|h| h.name == HeaderName::Vary)
        .flat_map(|h| h.value.split(|&b| b == b','))
        .map(|t| String::from_utf8_lossy(t).trim().to_ascii_lowercase())
        .collect()
}

proptest! {
    #![proptest_config(cases(1000))]

    /// Caches are told when an answer depends on the origin: under a strict
    /// policy that lists origins, every answer (allowed, refused, or to a
    /// request without `Origin`) varies on `Origin`, so a cache never serves
    /// one origin's answer to another.
    #[test]
    fn strict_answers_that_depend_on_the_origin_vary_on_it(
        spec in strict_spec(),
        request in raw_request(),
    ) {
        let mut spec = spec.valid();
        spec.any_origin = false;
        let config = spec.config();
        let policy: Policy = Policy::new(&config).expect("valid strict policy");
        let decision = policy.evaluate(&request.as_request());
        prop_assert!(
            vary_tokens(&decision).iter().any(|t| t == "origin"),
            "{:?}",
            decision
        );
    }

    /// A strict refusal writes no CORS header at all (only `Vary`), so no
    /// browser can read anything into it; and a refused preflight gets the
    /// configured refusal status.
    #[test]
    fn strict_refusals_carry_no_cors_headers(
        spec in strict_spec(),
        request in raw_request(),
    ) {
        let mut spec = spec.valid();
        spec.refused = Behaviour::STRICT.refused_preflight;
        let config = spec.config();
        let policy: Policy = Policy::new(&config).expect("valid strict policy");
        let decision = policy.evaluate(&request.as_request());
        if decision.outcome() == Outcome::Denied {
            for header in decision.headers() {
                prop_assert_eq!(header.name, HeaderName::Vary, "{:?}", decision);
            }
            if decision.kind() == RequestKind::Preflight {
                prop_assert_eq!(decision.action(), Action::Respond { status: 403 });
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Origins outside the policy
// ---------------------------------------------------------------------------

/// The parts of an origin a browser could send: `scheme://host[:port]`,
/// lowercase, with a valid host and port. `None` for anything else.
fn parse_browser_origin(origin: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && scheme
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if rest.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || ":.".contains(c))
    } else {
        host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c))
        })
    };
    let port_ok = match port {
        None => true,
        Some(p) => {
            !p.is_empty()
                && p.len() <= 5
                && !p.starts_with('0')
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
        }
    };
    (scheme_ok && host_ok && port_ok).then_some((scheme, host, port))
}

/// The reference matcher: whether one configured entry covers `origin`.
/// An exact entry is compared byte for byte; a pattern
/// `scheme://*.domain[:port|:*]` or `scheme://host:*` covers the origins with
/// that scheme, a host strictly below `domain` (or equal to `host`), and the
/// same port (any port, or none, for `:*`).
fn entry_covers(entry: &str, origin: &str) -> bool {
    if !entry.contains('*') {
        return entry == origin;
    }
    let Some((scheme, host, port)) = parse_browser_origin(origin) else {
        return false;
    };
    let (entry_scheme, entry_authority) = entry.split_once("://").expect("a pattern");
    let (entry_host, entry_port) = match entry_authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (entry_authority, None),
    };
    let port_ok = entry_port == Some("*") || entry_port == port;
    let host_ok = match entry_host.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .and_then(|below| below.strip_suffix('.'))
            .is_some_and(|below| !below.is_empty()),
        None => entry_host == host,
    };
    scheme == entry_scheme && host_ok && port_ok
}

/// The reference verdict on an origin: a browser could send it and an entry
/// covers it.
fn reference_allows(entries: &[&str], origin: &str) -> bool {
    let sendable = origin == "null" || parse_browser_origin(origin).is_some();
    sendable && entries.iter().any(|entry| entry_covers(entry, origin))
}

/// Turns a configured entry into an origin a browser could send from it:
/// a pattern's `*.` becomes a subdomain (possibly empty, hence malformed) and
/// its `:*` a port (possibly none).
fn instantiate(entry: &str, subdomain: &str, port: &str) -> String {
    let origin = entry.replace("*.", &format!("{subdomain}."));
    match origin.strip_suffix(":*") {
        Some(host) => format!("{host}{port}"),
        None => origin,
    }
}

/// The lookalikes attackers use against origin matchers.
#[derive(Clone, Copy, Debug)]
enum Lookalike {
    Same,
    HostPrefix(&'static str),
    HostSuffix(&'static str),
    Scheme(&'static str),
    Port(&'static str),
    NoPort,
    Uppercase,
    UppercaseFirstHostLetter,
    Append(&'static str),
    Prepend(&'static str),
    UserInfo,
    DotToLetter,
    Replace(&'static str),
}

/// The origin itself a third of the time, a lookalike otherwise.
fn lookalike() -> impl Strategy<Value = Lookalike> {
    use Lookalike::*;
    let lookalikes = select(vec![
        HostPrefix("evil"),
        HostPrefix("evil."),
        HostPrefix("bar"),
        HostPrefix("-"),
        HostSuffix(".evil.net"),
        HostSuffix("x"),
        HostSuffix("."),
        HostSuffix("evil.com"),
        Scheme("http"),
        Scheme("https"),
        Scheme("wss"),
        Scheme("HTTPS"),
        Port(":8443"),
        Port(":3000"),
        Port(":443"),
        Port(":80"),
        Port(":0"),
        Port(":03000"),
        Port(":65536"),
        Port(":"),
        NoPort,
        Uppercase,
        UppercaseFirstHostLetter,
        Append("/"),
        Append("/path"),
        Append("?q=1"),
        Append("#f"),
        Append(" "),
        Append("\t"),
        Append("\r\n"),
        Prepend(" "),
        UserInfo,
        DotToLetter,
        Replace("null"),
        Replace("NULL"),
        Replace("Null"),
        Replace(""),
        Replace("*"),
        // A pattern's own text sent as an origin is proved separately by
        // `a_pattern_sent_as_the_origin_is_not_allowed`.
    ]);
    prop_oneof![1 => Just(Same), 2 => lookalikes]
}

/// Splits an origin-like string into (scheme + "://", host, port suffix).
fn split_origin(origin: &str) -> (String, String, String) {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return (String::new(), origin.to_string(), String::new());
    };
    let port_at = if authority.starts_with('[') {
        authority.find(']').map(|i| i + 1)
    } else {
        authority.rfind(':')
    };
    let (host, port) = match port_at {
        Some(i) => authority.split_at(i),
        None => (authority, ""),
    };
    (format!("{scheme}://"), host.to_string(), port.to_string())
}

fn apply(lookalike: Lookalike, origin: &str) -> String {
    use Lookalike::*;
    let (scheme, host, port) = split_origin(origin);
    match lookalike {
        Same => origin.to_string(),
        HostPrefix(p) => format!("{scheme}{p}{host}{port}"),
        HostSuffix(s) => format!("{scheme}{host}{s}{port}"),
        Scheme(s) => format!("{s}://{host}{port}"),
        Port(p) => format!("{scheme}{host}{p}"),
        NoPort => format!("{scheme}{host}"),
        Uppercase => origin.to_ascii_uppercase(),
        UppercaseFirstHostLetter => {
            let mut host = host;
            if let Some(i) = host.find(|c: char| c.is_ascii_lowercase()) {
                host.replace_range(i..=i, &host[i..=i].to_ascii_uppercase());
            }
            format!("{scheme}{host}{port}")
        }
        Append(s) => format!("{origin}{s}"),
        Prepend(s) => format!("{s}{origin}"),
        UserInfo => format!("{scheme}user@{host}{port}"),
        DotToLetter => format!("{scheme}{}{port}", host.replacen('.', "x", 1)),
        Replace(s) => s.to_string(),
    }
}

/// A policy of exact origins and patterns, and a request origin made by one
/// lookalike transformation from an entry: one of the policy's own half the
/// time, any entry of the pool otherwise.
fn policy_and_lookalike() -> impl Strategy<Value = (Vec<&'static str>, bool, String)> {
    (
        subsequence(POLICY_ORIGINS, 1..=6),
        any::<bool>(),
        proptest::option::of(any::<Index>()),
        select(POLICY_ORIGINS),
        select(vec!["a", "a.b", "", "www", "x-y", "evil.a"]),
        select(vec!["", ":8443", ":1", ":443", ":9000"]),
        lookalike(),
    )
        .prop_map(
            |(mut entries, credentials, own, other, subdomain, port, lookalike)| {
                if credentials {
                    entries.retain(|e| *e != "null");
                    if entries.is_empty() {
                        entries.push("https://app.example.com");
                    }
                }
                let base = own.map_or(other, |i| *i.get(&entries));
                let origin = apply(lookalike, &instantiate(base, subdomain, port));
                (entries, credentials, origin)
            },
        )
}

proptest! {
    #![proptest_config(cases(3000))]

    /// An origin outside the policy is never allowed, and one inside always
    /// is: for lookalikes of every entry (prefixes and suffixes on the host,
    /// another scheme or port, uppercase, a trailing slash or path, user
    /// info, `null`), the verdict on an actual request and on a preflight
    /// equals that of a simple reference matcher, and the allowed origin is
    /// the one echoed back.
    #[test]
    fn an_origin_is_allowed_exactly_when_the_reference_matcher_allows_it(
        (entries, credentials, origin) in policy_and_lookalike(),
    ) {
        let config = Config::new().allowed_origins(&entries).credentials(credentials);
        let policy: Policy<16, 8, 1024> = Policy::new(&config).expect("valid origins");
        let expected = reference_allows(&entries, &origin);

        let actual = policy.evaluate(&Request::new(b"GET").origin(origin.as_bytes()));
        prop_assert_eq!(actual.is_allowed(), expected, "actual request from {:?}", origin);
        let echoed = actual.header(HeaderName::AllowOrigin);
        prop_assert_eq!(echoed, expected.then_some(origin.as_bytes()));

        let preflight = Request::new(b"OPTIONS")
            .origin(origin.as_bytes())
            .request_method(b"GET");
        let preflight = policy.evaluate(&preflight);
        prop_assert_eq!(preflight.is_allowed(), expected, "preflight from {:?}", origin);
        prop_assert_eq!(
            preflight.header(HeaderName::AllowOrigin),
            expected.then_some(origin.as_bytes())
        );
    }
}

#[test]
fn the_lookalikes_of_published_advisories_are_refused() {
    let entries = [
        "https://example.com",
        "https://foo.com",
        "https://bar.com",
        "https://*.example.org",
        "http://localhost:*",
    ];
    let policy: Policy = Policy::new(&Config::new().allowed_origins(&entries)).unwrap();
    for origin in [
        "https://evilexample.com",
        "https://example.com.evil.net",
        "https://barfoo.com",
        "https://foo.combar.com",
        "http://example.com",
        "https://example.com:443",
        "https://example.com/",
        "https://EXAMPLE.com",
        "https://example.org",
        "https://evilexample.org",
        "https://example.org.evil.net",
        "https://a.example.org.evil.net",
        "http://a.example.org",
        "https://.example.org",
        "http://localhost.evil.net:3000",
        "http://evillocalhost:3000",
        "https://localhost:3000",
        "null",
        "*",
        "",
    ] {
        assert!(!reference_allows(&entries, origin), "{origin}");
        let decision = policy.evaluate(&Request::new(b"GET").origin(origin.as_bytes()));
        assert_eq!(decision.outcome(), Outcome::Denied, "{origin}");
        assert_eq!(decision.header(HeaderName::AllowOrigin), None, "{origin}");
    }
    for origin in [
        "https://example.com",
        "https://a.example.org",
        "https://a.b.example.org",
        "http://localhost",
        "http://localhost:3000",
    ] {
        assert!(reference_allows(&entries, origin), "{origin}");
        let decision = policy.evaluate(&Request::new(b"GET").origin(origin.as_bytes()));
        assert_eq!(decision.outcome(), Outcome::Allowed, "{origin}");
    }
}

/// A browser never sends `*` in an origin, but any client can: the pattern's
/// own text must not be taken for an allowed origin and reflected back.
#[test]
fn a_pattern_sent_as_the_origin_is_not_allowed() {
    let entries = ["https://*.example.org", "http://localhost:*"];
    let policy: Policy = Policy::new(&Config::new().allowed_origins(&entries)).unwrap();
    for origin in entries {
        assert!(!reference_allows(&entries, origin), "{origin}");
        let decision = policy.evaluate(&Request::new(b"GET").origin(origin.as_bytes()));
        assert_eq!(decision.outcome(), Outcome::Denied, "{origin}");
        assert_eq!(decision.header(HeaderName::AllowOrigin), None, "{origin}");
    }
}

// ---------------------------------------------------------------------------
// The browser agrees with the decision
// ---------------------------------------------------------------------------

const BROWSER_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE", "patch", "delete",
];

/// Author request headers a script might set: safelisted ones (some with
/// values that make them unsafe), custom ones, `Authorization`, and a
/// forbidden one the browser drops.
const AUTHOR_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("Content-Type", "text/plain;charset=UTF-8"),
    ("X-Request-Id", "42"),
    ("Authorization", "Bearer t"),
    ("X-Custom", "v"),
    ("Accept", "text/html"),
    ("Accept-Language", "en-US"),
    ("Range", "bytes=-500"),
    ("Range", "bytes=0-499"),
    ("Cookie", "a=b"),
    ("X-Other", "1"),
];

#[derive(Clone, Debug)]
struct BrowserChoice {
    /// An origin from [`BROWSER_ORIGINS`]; replaced by one made from the
    /// policy's own entries when `own_origin` is set.
    origin: &'static str,
    own_origin: Option<(Index, &'static str, &'static str)>,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    credentials: bool,
    private_network: bool,
}

fn browser_choice() -> impl Strategy<Value = BrowserChoice> {
    let own_origin = (
        any::<Index>(),
        select(vec!["a", "a.b"]),
        select(vec!["", ":8443", ":3000"]),
    );
    let method = prop_oneof![select(&BROWSER_METHODS[..3]), select(BROWSER_METHODS),];
    (
        select(BROWSER_ORIGINS),
        proptest::option::weighted(0.6, own_origin),
        method,
        subsequence(AUTHOR_HEADERS, 0..=2),
        any::<bool>(),
        proptest::bool::weighted(0.25),
    )
        .prop_map(
            |(origin, own_origin, method, headers, credentials, private_network)| BrowserChoice {
                origin,
                own_origin,
                method,
                headers,
                credentials,
                private_network,
            },
        )
}

impl BrowserChoice {
    /// The request the script makes; credentials only when the policy
    /// allows them (the core is not told whether a request carries cookies,
    /// so a credentialed request to a policy without credentials is allowed
    /// by the core and refused by the browser by design).
    fn request(&self, policy: &StrictSpec) -> BrowserRequest {
        let origin = match self.own_origin {
            Some((i, subdomain, port)) if !policy.any_origin => {
                let entry: &&str = i.get(&policy.origins);
                instantiate(entry, subdomain, port)
            }
            _ => self.origin.to_string(),
        };
        let mut request = BrowserRequest::new(&origin, self.method);
        for (name, value) in &self.headers {
            request = request.with_header(name, value);
        }
        if self.credentials && policy.credentials {
            request = request.with_credentials();
        }
        if self.private_network {
            request = request.with_private_network();
        }
        request
    }
}

/// One answer of the core: its verdict, and the response a browser receives.
struct Answer {
    allowed: bool,
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
}

impl Answer {
    fn new(decision: &Decision<'_>, status: u16) -> Self {
        Answer {
            allowed: decision.is_allowed(),
            status,
            headers: response_headers(decision),
        }
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, std::borrow::Cow<'_, str>)> = self
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value)))
            .collect();
        f.debug_struct("Answer")
            .field("allowed", &self.allowed)
            .field("status", &self.status)
            .field("headers", &headers)
            .finish()
    }
}

/// Plays `browser` against `policy` the way a browser does: a preflight
/// first when one is needed, then the actual request (whose response the
/// application gives, assumed `200`).
fn exchange(policy: &Policy, browser: &BrowserRequest) -> (Option<Answer>, Answer) {
    let method = browser.normalized_method();
    let origin = browser.origin.as_bytes();
    let preflight = browser.needs_preflight().then(|| {
        let acrh = browser.acrh_value();
        let mut request = Request::new(b"OPTIONS")
            .origin(origin)
            .request_method(method.as_bytes());
        if let Some(acrh) = &acrh {
            request = request.request_headers(acrh.as_bytes());
        }
        if browser.private_network {
            request = request.request_private_network(b"true");
        }
        let decision = policy.evaluate(&request);
        assert_eq!(decision.kind(), RequestKind::Preflight);
        let Action::Respond { status } = decision.action() else {
            panic!("a preflight is answered when preflight_continue is off");
        };
        Answer::new(&decision, status)
    });
    let actual = policy.evaluate(&Request::new(method.as_bytes()).origin(origin));
    (preflight, Answer::new(&actual, 200))
}

proptest! {
    #![proptest_config(cases(3000))]

    /// The browser lets a request through exactly when the policy allows it:
    /// for a generated strict policy and a request a page's script makes,
    /// the Fetch-standard model judging the core's headers (and the
    /// preflight's status) succeeds if and only if the core allowed the
    /// preflight (when the browser sends one) and the actual request.
    #[test]
    fn the_browser_lets_a_request_through_exactly_when_the_policy_allows_it(
        spec in strict_spec(),
        choice in browser_choice(),
    ) {
        let spec = spec.valid();
        let config = spec.config();
        let policy: Policy = Policy::new(&config).expect("valid strict policy");
        let browser = choice.request(&spec);
        prop_assume!(browser.is_sendable());

        let (preflight, actual) = exchange(&policy, &browser);
        let core_allows = preflight.as_ref().map_or(true, |p| p.allowed) && actual.allowed;
        let browser_allows = fetch_succeeds(
            &browser,
            preflight.as_ref().map(|p| (p.status, p.headers.as_slice())),
            &actual.headers,
        );
        prop_assert_eq!(
            browser_allows,
            core_allows,
            "{:?}\npreflight: {:?}\nactual: {:?}\nconfig: {:?}",
            browser,
            preflight,
            actual,
            config
        );
    }
}

// ---------------------------------------------------------------------------
// Bounded work
// ---------------------------------------------------------------------------

/// About a mebibyte made of whole copies of `unit` (1 KiB under Miri,
/// which checks the same paths for undefined behaviour, not their speed).
fn mebibyte_of(unit: &[u8]) -> Vec<u8> {
    let size = if cfg!(miri) { 1 << 10 } else { 1 << 20 };
    unit.repeat(size / unit.len())
}

#[test]
fn a_mebibyte_of_commas_or_spaces_in_request_headers_is_evaluated_in_one_pass() {
    let policies = profile_policies();
    let inputs = [
        mebibyte_of(b","),
        mebibyte_of(b" "),
        mebibyte_of(b", "),
        mebibyte_of(b" ,\t"),
        mebibyte_of(b"x-request-id,"),
    ];
    for policy in &policies {
        for acrh in &inputs {
            let request = Request::new(b"OPTIONS")
                .origin(b"https://app.example.com")
                .request_method(b"PUT")
                .request_headers(acrh);
            let decision = policy.evaluate(&request);
            assert_eq!(decision.kind(), RequestKind::Preflight);
            read_everything(&decision);
        }
    }
    // The strict listed policy skips the empty elements and allows the rest.
    let strict = &policies[0];
    for acrh in &inputs {
        let request = Request::new(b"OPTIONS")
            .origin(b"https://app.example.com")
            .request_method(b"PUT")
            .request_headers(acrh);
        assert!(strict.evaluate(&request).is_allowed());
    }
}

#[test]
fn a_mebibyte_origin_is_evaluated_in_one_pass() {
    let policies = profile_policies();
    let mut subdomains = mebibyte_of(b"a.");
    subdomains.extend_from_slice(b"example.org");
    let origins = [
        [&b"https://"[..], &subdomains].concat(),
        mebibyte_of(b"."),
        mebibyte_of(b":"),
        [&b"https://"[..], &mebibyte_of(b"a")].concat(),
    ];
    for policy in &policies {
        for origin in &origins {
            let decision = policy.evaluate(&Request::new(b"GET").origin(origin));
            read_everything(&decision);
            let preflight = Request::new(b"OPTIONS")
                .origin(origin)
                .request_method(b"PUT");
            read_everything(&policy.evaluate(&preflight));
        }
    }
    // The pattern `https://*.example.org` covers any depth of subdomain.
    let deep = policies[0].evaluate(&Request::new(b"GET").origin(&origins[0]));
    assert!(deep.is_allowed());
}

// ---------------------------------------------------------------------------
// The `http` adapter's prebuilt answers
// ---------------------------------------------------------------------------

/// The request as an `http::Request`, with each field that is a valid
/// header value (and a method that is a valid method).
#[cfg(feature = "http")]
fn as_http_request(raw: &RawRequest) -> Option<http::Request<()>> {
    let method = http::Method::from_bytes(&raw.method).ok()?;
    let mut request = http::Request::builder().method(method).uri("/");
    let fields = [
        ("origin", &raw.origin),
        ("access-control-request-method", &raw.request_method),
        ("access-control-request-headers", &raw.request_headers),
        (
            "access-control-request-private-network",
            &raw.private_network,
        ),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            if let Ok(value) = http::HeaderValue::from_bytes(value) {
                request = request.header(name, value);
            }
        }
    }
    request.body(()).ok()
}

#[cfg(feature = "http")]
proptest! {
    #![proptest_config(cases(2000))]

    /// A preflight's headers written from a prebuilt map (`write_for` into
    /// an empty map) are the headers, values and order `apply` writes one
    /// by one, under every profile and for any request.
    #[test]
    fn prebuilt_answers_write_what_apply_writes(request in raw_request()) {
        use corsguard::http::{apply, Prebuilt, RequestHeaders};
        let Some(request) = as_http_request(&request) else { return Ok(()) };
        for policy in profile_policies() {
            let prebuilt = Prebuilt::new(&policy);
            let headers = RequestHeaders::from_request(&request);
            let decision = policy.evaluate(&headers.request());
            let (mut slow, mut fast) = (http::HeaderMap::new(), http::HeaderMap::new());
            apply(&policy, &decision, &mut slow);
            prebuilt.write_for(&policy, &decision, &headers, &mut fast);
            let lines = |map: &http::HeaderMap| -> Vec<(String, Vec<u8>)> {
                map.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()
            };
            prop_assert_eq!(lines(&fast), lines(&slow));
        }
    }
}
