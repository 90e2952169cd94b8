//! Shared code of the corsguard fuzz targets: the input layout ([`input`]),
//! an independent model of the documented rules ([`oracle`]) and the
//! invariants every decision must satisfy ([`check_decision`]).

pub mod input;
pub mod oracle;

use corsguard::{Action, AllowedHeaders, Behaviour, Config, Decision, ExposedHeaders, HeaderName, MaxAge, Methods, Outcome, Policy, Reason, Request, RequestKind};
use corsguard::compat::{PreflightDetection, Slot, Syntax, WildcardWithCredentials};

use input::{FuzzConfig, FuzzMaxAge, Names};
use oracle::{OriginVerdict, *};

/// The small policy type, so capacity errors are reached.
pub type SmallPolicy = Policy<4, 4, 256>;

impl FuzzConfig {
    /// The behaviour the profile name selects (`Behaviour::named`), strict
    /// when the name is not a profile.
    pub fn behaviour(&self) -> Behaviour {
        Behaviour::named(self.profile).unwrap_or(Behaviour::STRICT)
    }

    /// Lends this configuration out as a `corsguard::Config`.
    pub fn with_config<R>(&self, f: impl FnOnce(&Config<'_>) -> R) -> R {
        fn strs(l: &[String]) -> Vec<&str> {
            l.iter().map(String::as_str).collect()
        }
        let origins = strs(&self.origins);
        let methods = strs(self.methods.listed());
        let allowed = strs(self.allowed_headers.listed());
        let exposed = strs(self.exposed_headers.listed());
        let mut config = Config::new()
            .behaviour(self.behaviour())
            .allowed_origins(&origins)
            .origin_verdict(self.origin_verdict)
            .allowed_methods(match self.methods {
                Names::List(_) => Methods::List(&methods),
                _ => Methods::Any,
            })
            .allowed_headers(match self.allowed_headers {
                Names::List(_) => AllowedHeaders::List(&allowed),
                Names::Any => AllowedHeaders::Any,
                Names::Mirror => AllowedHeaders::Mirror,
            })
            .exposed_headers(match self.exposed_headers {
                Names::List(_) => ExposedHeaders::List(&exposed),
                _ => ExposedHeaders::Any,
            })
            .credentials(self.credentials)
            .max_age_value(match &self.max_age {
                None => None,
                Some(FuzzMaxAge::Seconds(s)) => Some(MaxAge::Seconds(*s)),
                Some(FuzzMaxAge::Literal(l)) => Some(MaxAge::Literal(l)),
            })
            .private_network(self.private_network)
            .preflight_continue(self.preflight_continue)
            .preflight_status(self.preflight_status);
        if let Some(fixed) = &self.fixed_origin {
            config = config.fixed_origin(fixed);
        }
        f(&config)
    }
}

/// Renders bytes for assertion messages.
pub fn show(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

/// Asserts every invariant of one decision of a policy built from `cfg`.
pub fn check_decision(cfg: &FuzzConfig, request: &Request<'_>, decision: &Decision<'_>) {
    let b = cfg.behaviour();
    let strict = b.syntax == Syntax::Strict;
    let ctx = || format!("config {cfg:?}\nrequest {request:?}\ndecision {decision:?}");

    // No response header value ever carries CR, LF or NUL.
    for h in decision.headers() {
        assert!(
            is_safe_value(h.value),
            "{} value {} is unsafe\n{}",
            h.name.as_str(),
            show(h.value),
            ctx()
        );
    }
    // Every header but Vary at most once: browsers refuse a repeated
    // Access-Control-Allow-Origin.
    for (i, h) in decision.headers().iter().enumerate() {
        if h.name != HeaderName::Vary {
            let repeated = decision.headers()[i + 1..].iter().any(|o| o.name == h.name);
            assert!(!repeated, "{} sent twice\n{}", h.name.as_str(), ctx());
        }
    }

    // The kind, by the documented preflight detection.
    let options = request.method == b"OPTIONS";
    let (has_origin, has_method) = (request.origin.is_some(), request.request_method.is_some());
    let taken = match b.preflight_detection {
        PreflightDetection::OriginAndMethod | PreflightDetection::RefuseIncomplete => {
            options && has_origin && has_method
        }
        PreflightDetection::AnyOptions => request.method.eq_ignore_ascii_case(b"OPTIONS"),
        PreflightDetection::RequestMethod => options && has_method,
        PreflightDetection::Never => false,
    };
    let expected_kind = match (taken, has_origin, options) {
        (true, ..) => RequestKind::Preflight,
        (false, true, true) => RequestKind::PlainOptions,
        (false, true, false) => RequestKind::Actual,
        (false, false, _) => RequestKind::NotCors,
    };
    assert_eq!(decision.kind(), expected_kind, "kind\n{}", ctx());
    let preflight = decision.kind() == RequestKind::Preflight;
    // An OPTIONS that is not a preflight, refused as an incomplete one.
    let incomplete =
        !preflight && options && b.preflight_detection == PreflightDetection::RefuseIncomplete;
    match decision.action() {
        Action::Continue => assert!(
            !incomplete && (!preflight || cfg.preflight_continue),
            "a preflight not passed on must be answered\n{}",
            ctx()
        ),
        Action::Respond { status } => {
            if incomplete {
                assert_eq!(
                    (status, decision.body()),
                    (400, Some("Invalid Preflight Request")),
                    "an incomplete preflight's refusal\n{}",
                    ctx()
                );
            } else {
                assert!(
                    preflight && !cfg.preflight_continue,
                    "only preflights are answered\n{}",
                    ctx()
                );
            }
            if decision.is_allowed() && preflight {
                assert_eq!(
                    status,
                    cfg.preflight_status,
                    "allowed preflight status\n{}",
                    ctx()
                );
            }
        }
    }
    if request.origin.is_none() && !preflight {
        assert_eq!(
            decision.outcome(),
            Outcome::NotCors,
            "no Origin, not CORS\n{}",
            ctx()
        );
    }

    // The origin: allowed only when the configuration allows it.
    let verdict = request
        .origin
        .map(|o| origin_allowed(cfg, &b, o, request.origin_verdict));
    if decision.is_allowed() {
        assert!(
            matches!(verdict, Some(OriginVerdict::Yes | OriginVerdict::Lenient)),
            "an origin outside the policy was allowed\n{}",
            ctx()
        );
    }
    if decision.kind() == RequestKind::Actual || decision.kind() == RequestKind::PlainOptions {
        // An actual request is judged on its origin alone.
        if verdict == Some(OriginVerdict::Yes) {
            assert!(
                decision.is_allowed(),
                "an origin the policy lists was refused\n{}",
                ctx()
            );
        }
    }

    // Access-Control-Allow-Origin: the request's origin when that origin is
    // allowed, or a value of the policy's own (`*`, a fixed origin sent to
    // everyone).
    let fixed_sent = cfg
        .fixed_origin
        .as_deref()
        .filter(|f| *f != "*" && b.fixed_origin_always_sent);
    if let Some(acao) = decision.header(HeaderName::AllowOrigin) {
        if let Some(fixed) = fixed_sent {
            assert_eq!(
                acao,
                fixed.as_bytes(),
                "the fixed origin is sent as given\n{}",
                ctx()
            );
        } else if any_origin(cfg) && !reflects_any(cfg, &b) {
            assert_eq!(acao, b"*", "a wildcard policy answers `*`\n{}", ctx());
        } else {
            assert_eq!(
                Some(acao),
                request.origin,
                "ACAO reflects the request's origin\n{}",
                ctx()
            );
            assert!(
                matches!(verdict, Some(OriginVerdict::Yes | OriginVerdict::Lenient)),
                "ACAO reflects an origin outside the policy\n{}",
                ctx()
            );
        }
        // A reflected origin makes the answer depend on Origin: caches
        // must be told (strict profile).
        if strict && acao != b"*" {
            let varies = decision
                .headers()
                .iter()
                .filter(|h| h.name == HeaderName::Vary)
                .flat_map(|h| h.value.split(|&c| c == b','))
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"origin"));
            assert!(varies, "a reflected origin without Vary: Origin\n{}", ctx());
        }
    }

    // Credentials: only `true`, only when configured, never with `*`
    // (except the `cors` package's documented SendWildcard).
    if let Some(acac) = decision.header(HeaderName::AllowCredentials) {
        assert_eq!(acac, b"true", "ACAC value\n{}", ctx());
        assert!(
            cfg.credentials,
            "ACAC without credentials configured\n{}",
            ctx()
        );
        // The documented exceptions: the `cors` package's SendWildcard, and
        // a literal-syntax profile reflecting a request whose Origin is the
        // text `*` (`OriginSlot::Reflected`, as Starlette does); browsers
        // never send that Origin.
        let send_wildcard = b.wildcard_with_credentials == WildcardWithCredentials::SendWildcard;
        let reflected_star = !strict && request.origin == Some(b"*");
        if !send_wildcard && !reflected_star {
            assert_ne!(
                decision.header(HeaderName::AllowOrigin),
                Some(&b"*"[..]),
                "`*` with credentials\n{}",
                ctx()
            );
        }
        if strict {
            for name in [HeaderName::AllowMethods, HeaderName::ExposeHeaders] {
                let wildcard = matches!(
                    (name, &cfg.methods, &cfg.exposed_headers),
                    (HeaderName::AllowMethods, Names::Any, _)
                        | (HeaderName::ExposeHeaders, _, Names::Any)
                );
                assert!(
                    !wildcard,
                    "{} `*` with credentials\n{}",
                    name.as_str(),
                    ctx()
                );
            }
            assert!(
                !matches!(cfg.allowed_headers, Names::Any),
                "Access-Control-Allow-Headers `*` with credentials\n{}",
                ctx()
            );
        }
    }
    if decision.header(HeaderName::AllowPrivateNetwork).is_some() {
        assert!(
            cfg.private_network,
            "ACAPN without private network configured\n{}",
            ctx()
        );
        // Only an allowed preflight gets it, unless the profile answers
        // refused preflights with their headers or grants it on any answer.
        let refused_answered =
            b.refused_preflight.keep_headers || b.refused_preflight.answer_allowed_origin;
        let on_any_answer = b.actual_order.contains(&Slot::AllowPrivateNetwork);
        if !refused_answered && !on_any_answer {
            assert!(
                preflight && decision.is_allowed(),
                "ACAPN on a refusal\n{}",
                ctx()
            );
        }
    }

    // A preflight is allowed only when its method, every requested header
    // and its private network request pass the documented checks.
    if preflight && b.check_preflight {
        let method_ok = request
            .request_method
            .is_none_or(|m| method_allowed(cfg, &b, m));
        let headers_ok = request
            .request_headers
            .is_none_or(|h| headers_allowed(cfg, &b, h));
        let pn_ok = private_network_ok(cfg, &b, request.request_private_network);
        if decision.is_allowed() {
            assert!(
                method_ok,
                "a preflight with a refused method was allowed\n{}",
                ctx()
            );
            assert!(
                headers_ok,
                "a preflight with a refused header was allowed\n{}",
                ctx()
            );
            assert!(pn_ok, "private network access granted unasked\n{}", ctx());
        }
        if verdict == Some(OriginVerdict::Yes) && method_ok && headers_ok && pn_ok {
            assert!(
                decision.is_allowed(),
                "a preflight the policy allows was refused\n{}",
                ctx()
            );
        }
        // The reason names the first failing check, in the documented order.
        if let Some(reason) = decision.reason() {
            if verdict == Some(OriginVerdict::Yes) {
                match reason {
                    Reason::MethodNotAllowed { method } => {
                        assert!(
                            !method_ok && Some(method) == request.request_method,
                            "{}",
                            ctx()
                        )
                    }
                    Reason::HeaderNotAllowed { name } => {
                        assert!(method_ok && !header_allowed(cfg, &b, name), "{}", ctx());
                        let requested = request.request_headers.unwrap_or_default();
                        assert!(list_elements(requested).any(|e| e == name), "{}", ctx());
                    }
                    Reason::MalformedRequestHeaders => {
                        assert!(method_ok && !headers_ok && strict, "{}", ctx())
                    }
                    Reason::PrivateNetworkNotAllowed => {
                        assert!(method_ok && headers_ok && !pn_ok, "{}", ctx())
                    }
                    other => panic!("unexpected reason {other:?}\n{}", ctx()),
                }
            }
        }
    }

    // Strict refusals carry no CORS headers (only Vary), with status 403.
    if b == Behaviour::STRICT && decision.outcome() == Outcome::Denied {
        for h in decision.headers() {
            assert_eq!(
                h.name,
                HeaderName::Vary,
                "a strict refusal sent {}\n{}",
                h.name.as_str(),
                ctx()
            );
        }
        if preflight && !cfg.preflight_continue {
            assert_eq!(
                decision.action(),
                Action::Respond { status: 403 },
                "{}",
                ctx()
            );
        }
    }
}

/// Evaluates `request` against `policy` (twice: the answer is a function of
/// the request) and checks the decision.
pub fn evaluate_and_check<const O: usize, const N: usize, const B: usize>(
    cfg: &FuzzConfig,
    policy: &Policy<O, N, B>,
    request: &Request<'_>,
) {
    let decision = policy.evaluate(request);
    check_decision(cfg, request, &decision);
    assert_eq!(
        decision,
        policy.evaluate(request),
        "evaluation is deterministic"
    );
    // The reason's message is written without panicking.
    if let Some(reason) = decision.reason() {
        assert!(!reason.to_string().is_empty() && !reason.code().is_empty());
    }
}

/// Checks what a strict policy accepted against the documented rules: what
/// `Policy::new` returns `Ok` for must follow them.
pub fn check_accepted_config(cfg: &FuzzConfig) {
    let b = cfg.behaviour();
    let ctx = || format!("accepted config {cfg:?}");
    for entry in entries(cfg) {
        if b.syntax == Syntax::Strict {
            assert!(
                entry_form_ok(entry),
                "malformed origin entry {entry:?} accepted\n{}",
                ctx()
            );
        } else {
            assert!(
                is_safe_value(entry.as_bytes()),
                "unsafe origin {entry:?}\n{}",
                ctx()
            );
        }
    }
    let unsafe_entry = cfg
        .methods
        .listed()
        .iter()
        .chain(cfg.allowed_headers.listed())
        .chain(cfg.exposed_headers.listed())
        .find(|e| !is_safe_value(e.as_bytes()));
    assert!(
        unsafe_entry.is_none(),
        "unsafe entry {unsafe_entry:?} accepted\n{}",
        ctx()
    );
    if let Some(FuzzMaxAge::Literal(l)) = &cfg.max_age {
        assert!(
            b.syntax == Syntax::Literal && is_safe_value(l.as_bytes()),
            "{}",
            ctx()
        );
    }
    if b.syntax != Syntax::Strict {
        return;
    }
    let all: Vec<&str> = entries(cfg).collect();
    for (i, e) in all.iter().enumerate() {
        // `*` included: a repeated `*` was accepted once
        // (artifacts-found/README.md).
        assert!(
            !all[..i].contains(e),
            "duplicate origin {e:?} accepted\n{}",
            ctx()
        );
    }
    assert!(
        !all.is_empty() || cfg.origin_verdict,
        "no origins accepted\n{}",
        ctx()
    );
    if any_origin(cfg) {
        assert!(
            all.iter().all(|e| *e == "*"),
            "`*` among other origins\n{}",
            ctx()
        );
    }
    if cfg.credentials {
        assert!(
            !all.contains(&"*") && !all.contains(&"null"),
            "`*`/null with credentials\n{}",
            ctx()
        );
        assert!(
            !matches!(cfg.methods, Names::Any)
                && !matches!(cfg.allowed_headers, Names::Any)
                && !matches!(cfg.exposed_headers, Names::Any),
            "`*` with credentials\n{}",
            ctx()
        );
    }
    let methods = cfg.methods.listed();
    for (i, m) in methods.iter().enumerate() {
        assert!(
            is_token(m.as_bytes()),
            "method {m:?} is not a token\n{}",
            ctx()
        );
        assert!(
            !methods[..i].contains(m),
            "duplicate method {m:?}\n{}",
            ctx()
        );
        let upper = m.to_ascii_uppercase();
        assert!(
            !["CONNECT", "TRACE", "TRACK"].contains(&upper.as_str()),
            "forbidden method {m:?}\n{}",
            ctx()
        );
        let standard =
            ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(&upper.as_str());
        assert!(
            !standard || upper == *m,
            "lowercase standard method {m:?}\n{}",
            ctx()
        );
    }
    for names in [cfg.allowed_headers.listed(), cfg.exposed_headers.listed()] {
        for (i, h) in names.iter().enumerate() {
            assert!(
                is_token(h.as_bytes()),
                "header {h:?} is not a token\n{}",
                ctx()
            );
            let repeat = names[..i].iter().any(|o| o.eq_ignore_ascii_case(h));
            assert!(!repeat, "duplicate header {h:?}\n{}", ctx());
        }
    }
    for h in cfg.allowed_headers.listed() {
        assert!(
            !forbidden_request_header(h),
            "forbidden request header {h:?}\n{}",
            ctx()
        );
    }
    for h in cfg.exposed_headers.listed() {
        let lower = h.to_ascii_lowercase();
        assert!(
            lower != "set-cookie" && lower != "set-cookie2",
            "{h:?} exposed\n{}",
            ctx()
        );
    }
    if let Some(FuzzMaxAge::Seconds(s)) = cfg.max_age {
        assert!(s <= 86_400, "max age {s} accepted\n{}", ctx());
    }
    assert!((200..=299).contains(&cfg.preflight_status), "{}", ctx());
}
