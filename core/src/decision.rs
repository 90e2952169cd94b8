//! `evaluate`: one request in, one `Decision` out, without allocating.

use core::fmt;

use heapless::Vec;

use crate::config::{ActualHeaders, PreflightBody, PreflightDetection, Syntax, VaryStyle};
use crate::headers::{is_safe_value, is_token, ListElements};
use crate::origin::parse_request_origin;
use crate::policy::{common_method_bit, HeaderMode, Policy, MAX_DECISION_HEADERS};
use crate::template::{Dynamic, TemplateKind};

/// The CORS-relevant parts of a request, as raw bytes (not necessarily UTF-8).
///
/// ```
/// use corsguard::Request;
/// let preflight = Request::new(b"OPTIONS")
///     .origin(b"https://app.example.com")
///     .request_method(b"PUT")
///     .request_headers(b"content-type, x-request-id");
/// # let _ = preflight;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request<'r> {
    /// The request method.
    pub method: &'r [u8],
    /// `Origin`.
    pub origin: Option<&'r [u8]>,
    /// `Access-Control-Request-Method`.
    pub request_method: Option<&'r [u8]>,
    /// `Access-Control-Request-Headers` (several header lines joined with `,`).
    pub request_headers: Option<&'r [u8]>,
    /// `Access-Control-Request-Private-Network`.
    pub request_private_network: Option<&'r [u8]>,
    /// The host's verdict on the origin, for a policy built with
    /// [`Config::origin_verdict`](crate::Config::origin_verdict): `Some(true)`
    /// when the host's own rule (a regular expression, a callback) allows it.
    pub origin_verdict: Option<bool>,
}

impl<'r> Request<'r> {
    /// A request with this method and no CORS headers.
    pub const fn new(method: &'r [u8]) -> Self {
        Request {
            method,
            origin: None,
            request_method: None,
            request_headers: None,
            request_private_network: None,
            origin_verdict: None,
        }
    }
    /// Sets `Origin`.
    pub const fn origin(mut self, origin: &'r [u8]) -> Self {
        self.origin = Some(origin);
        self
    }
    /// Sets `Access-Control-Request-Method`.
    pub const fn request_method(mut self, method: &'r [u8]) -> Self {
        self.request_method = Some(method);
        self
    }
    /// Sets `Access-Control-Request-Headers`.
    pub const fn request_headers(mut self, headers: &'r [u8]) -> Self {
        self.request_headers = Some(headers);
        self
    }
    /// Sets `Access-Control-Request-Private-Network`.
    pub const fn request_private_network(mut self, value: &'r [u8]) -> Self {
        self.request_private_network = Some(value);
        self
    }
    /// Sets the host's verdict on the origin.
    pub const fn origin_verdict(mut self, allowed: bool) -> Self {
        self.origin_verdict = Some(allowed);
        self
    }
}

/// What kind of request this is, for CORS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// No `Origin`: not a cross-origin request a browser made.
    NotCors,
    /// A cross-origin request (the "actual" request).
    Actual,
    /// A preflight.
    Preflight,
    /// `OPTIONS` with `Origin` that is not a preflight (no
    /// `Access-Control-Request-Method`, or a profile that takes no request
    /// for one): a cross-origin request whose method happens to be OPTIONS,
    /// answered by the application like any actual request.
    PlainOptions,
}

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Not a CORS request; nothing was judged.
    NotCors,
    /// Allowed: the browser will let the page read the response.
    Allowed,
    /// Refused: see [`Decision::reason`].
    Denied,
}

/// Why a request was refused (the first failure found, in the order origin,
/// method, headers, private network).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason<'a> {
    /// The origin is well formed but not allowed.
    OriginNotAllowed,
    /// The `Origin` header is not an origin a browser sends.
    MalformedOrigin,
    /// An `OPTIONS` request without `Origin`, answered as a preflight.
    MissingOrigin,
    /// The requested method is not allowed.
    MethodNotAllowed {
        /// The requested method.
        method: &'a [u8],
    },
    /// A requested header is not allowed.
    HeaderNotAllowed {
        /// The requested header name, as sent (empty for an empty element).
        name: &'a [u8],
    },
    /// `Access-Control-Request-Headers` is not a list of header names.
    MalformedRequestHeaders,
    /// The preflight asked for Private Network Access, which is not granted.
    PrivateNetworkNotAllowed,
}

impl<'a> Reason<'a> {
    /// Every reason's code, in declaration order.
    pub const CODES: [&'static str; 7] = [
        "origin_not_allowed",
        "malformed_origin",
        "missing_origin",
        "method_not_allowed",
        "header_not_allowed",
        "malformed_request_headers",
        "private_network_not_allowed",
    ];

    /// What the reason is about, as the request sent it: the method of
    /// `method_not_allowed`, the header name of `header_not_allowed`.
    ///
    /// ```
    /// use corsguard::Reason;
    /// assert_eq!(Reason::MethodNotAllowed { method: b"PUT" }.detail(), Some(&b"PUT"[..]));
    /// assert_eq!(Reason::OriginNotAllowed.detail(), None);
    /// ```
    pub const fn detail(&self) -> Option<&'a [u8]> {
        match *self {
            Reason::MethodNotAllowed { method } => Some(method),
            Reason::HeaderNotAllowed { name } => Some(name),
            _ => None,
        }
    }

    /// A stable snake_case code for the reason, shared by every binding and
    /// the conformance vectors.
    pub const fn code(&self) -> &'static str {
        match self {
            Reason::OriginNotAllowed => "origin_not_allowed",
            Reason::MalformedOrigin => "malformed_origin",
            Reason::MissingOrigin => "missing_origin",
            Reason::MethodNotAllowed { .. } => "method_not_allowed",
            Reason::HeaderNotAllowed { .. } => "header_not_allowed",
            Reason::MalformedRequestHeaders => "malformed_request_headers",
            Reason::PrivateNetworkNotAllowed => "private_network_not_allowed",
        }
    }
}

impl RequestKind {
    /// Every kind's code.
    pub const CODES: [&'static str; 4] = ["not_cors", "actual", "preflight", "plain_options"];

    /// A stable snake_case code: `not_cors`, `actual`, `preflight`, `plain_options`.
    pub const fn code(self) -> &'static str {
        match self {
            RequestKind::NotCors => "not_cors",
            RequestKind::Actual => "actual",
            RequestKind::Preflight => "preflight",
            RequestKind::PlainOptions => "plain_options",
        }
    }
}

impl Outcome {
    /// Every outcome's code.
    pub const CODES: [&'static str; 3] = ["not_cors", "allowed", "denied"];

    /// A stable snake_case code: `not_cors`, `allowed`, `denied`.
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::NotCors => "not_cors",
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn bytes(f: &mut fmt::Formatter<'_>, b: &[u8]) -> fmt::Result {
            for chunk in b.utf8_chunks() {
                f.write_str(chunk.valid())?;
                for byte in chunk.invalid() {
                    write!(f, "\\x{byte:02x}")?;
                }
            }
            Ok(())
        }
        match self {
            Reason::OriginNotAllowed => f.write_str("the origin is not allowed by the policy"),
            Reason::MalformedOrigin => {
                f.write_str("the Origin header is not an origin a browser would send")
            }
            Reason::MissingOrigin => f.write_str("the OPTIONS request has no Origin header"),
            Reason::MethodNotAllowed { method } => {
                f.write_str("the method `")?;
                bytes(f, method)?;
                f.write_str("` is not allowed by the policy")
            }
            Reason::HeaderNotAllowed { name } => {
                f.write_str("the request header `")?;
                bytes(f, name)?;
                f.write_str("` is not allowed by the policy")
            }
            Reason::MalformedRequestHeaders => f.write_str(
                "Access-Control-Request-Headers is not a comma-separated list of header names",
            ),
            Reason::PrivateNetworkNotAllowed => {
                f.write_str("the policy does not grant Private Network Access")
            }
        }
    }
}

/// The set of checks a preflight failed (all of them, not only the first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures(u8);

impl Failures {
    /// The origin is not allowed.
    pub const ORIGIN: Failures = Failures(1);
    /// The method is not allowed.
    pub const METHOD: Failures = Failures(2);
    /// A header is not allowed.
    pub const HEADERS: Failures = Failures(4);
    /// Private Network Access is not granted.
    pub const PRIVATE_NETWORK: Failures = Failures(8);

    /// Whether nothing failed.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether every failure in `other` is in `self`.
    pub const fn contains(self, other: Failures) -> bool {
        self.0 & other.0 == other.0
    }
    /// The raw bits (origin 1, method 2, headers 4, private network 8).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Each failure with its name (`origin`, `method`, `headers`,
    /// `private-network`), in that order: the names every binding and the
    /// conformance vectors use.
    pub const ALL: [(Failures, &'static str); 4] = [
        (Failures::ORIGIN, "origin"),
        (Failures::METHOD, "method"),
        (Failures::HEADERS, "headers"),
        (Failures::PRIVATE_NETWORK, "private-network"),
    ];

    /// The names of the failures in `self`, in [`Failures::ALL`] order.
    ///
    /// ```
    /// use corsguard::Failures;
    /// let mut names = Failures::ORIGIN.union(Failures::HEADERS).names();
    /// assert_eq!(names.next(), Some("origin"));
    /// assert_eq!(names.next(), Some("headers"));
    /// assert_eq!(names.next(), None);
    /// ```
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, name)| name)
    }

    /// The failures of both.
    pub const fn union(self, other: Failures) -> Failures {
        Failures(self.0 | other.0)
    }
    fn add(&mut self, other: Failures) {
        self.0 |= other.0;
    }

    /// `Disallowed CORS origin, method, headers, private-network`, naming
    /// only what failed, in that order; `OK` when nothing did.
    pub const fn text(self) -> &'static str {
        const TEXTS: [&str; 16] = [
            "OK",
            "Disallowed CORS origin",
            "Disallowed CORS method",
            "Disallowed CORS origin, method",
            "Disallowed CORS headers",
            "Disallowed CORS origin, headers",
            "Disallowed CORS method, headers",
            "Disallowed CORS origin, method, headers",
            "Disallowed CORS private-network",
            "Disallowed CORS origin, private-network",
            "Disallowed CORS method, private-network",
            "Disallowed CORS origin, method, private-network",
            "Disallowed CORS headers, private-network",
            "Disallowed CORS origin, headers, private-network",
            "Disallowed CORS method, headers, private-network",
            "Disallowed CORS origin, method, headers, private-network",
        ];
        TEXTS[(self.0 & 15) as usize]
    }
}

/// What the host does with the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Hand the request to the application, then add the headers to its
    /// response.
    Continue,
    /// Answer now, with this status, the headers and [`Decision::body`].
    Respond {
        /// The status code.
        status: u16,
    },
}

impl Action {
    /// `continue` or `respond`, as the conformance vectors and bindings name it.
    pub const fn code(self) -> &'static str {
        match self {
            Action::Continue => "continue",
            Action::Respond { .. } => "respond",
        }
    }

    /// The status to answer with now, if any.
    pub const fn status(self) -> Option<u16> {
        match self {
            Action::Continue => None,
            Action::Respond { status } => Some(status),
        }
    }
}

/// A CORS response header name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HeaderName {
    /// `Access-Control-Allow-Origin`
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`
    AllowCredentials,
    /// `Access-Control-Allow-Methods`
    AllowMethods,
    /// `Access-Control-Allow-Headers`
    AllowHeaders,
    /// `Access-Control-Max-Age`
    MaxAge,
    /// `Access-Control-Expose-Headers`
    ExposeHeaders,
    /// `Access-Control-Allow-Private-Network`
    AllowPrivateNetwork,
    /// `Vary`: its value is to be *added* to the response's `Vary`, as
    /// [`Behaviour::vary_merge`](crate::Behaviour::vary_merge) says.
    Vary,
}

impl HeaderName {
    /// The header name, in its canonical capitalization.
    pub const fn as_str(self) -> &'static str {
        match self {
            HeaderName::AllowOrigin => "Access-Control-Allow-Origin",
            HeaderName::AllowCredentials => "Access-Control-Allow-Credentials",
            HeaderName::AllowMethods => "Access-Control-Allow-Methods",
            HeaderName::AllowHeaders => "Access-Control-Allow-Headers",
            HeaderName::MaxAge => "Access-Control-Max-Age",
            HeaderName::ExposeHeaders => "Access-Control-Expose-Headers",
            HeaderName::AllowPrivateNetwork => "Access-Control-Allow-Private-Network",
            HeaderName::Vary => "Vary",
        }
    }
    /// The header name in lowercase (HTTP/2 and HTTP/3 spelling).
    pub const fn as_lowercase_str(self) -> &'static str {
        match self {
            HeaderName::AllowOrigin => "access-control-allow-origin",
            HeaderName::AllowCredentials => "access-control-allow-credentials",
            HeaderName::AllowMethods => "access-control-allow-methods",
            HeaderName::AllowHeaders => "access-control-allow-headers",
            HeaderName::MaxAge => "access-control-max-age",
            HeaderName::ExposeHeaders => "access-control-expose-headers",
            HeaderName::AllowPrivateNetwork => "access-control-allow-private-network",
            HeaderName::Vary => "vary",
        }
    }
}

/// One response header of a decision; the value borrows from the policy or
/// the request and never contains CR, LF or NUL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The name.
    pub name: HeaderName,
    /// The value.
    pub value: &'a [u8],
}

/// The answer to one request: the verdict and what to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision<'a> {
    kind: RequestKind,
    outcome: Outcome,
    reason: Option<Reason<'a>>,
    failures: Failures,
    action: Action,
    headers: Vec<Header<'a>, MAX_DECISION_HEADERS>,
    body: Option<&'static str>,
    /// The template that wrote `headers`. When it wrote every one of its
    /// entries (`headers` is as long as the template), the `http` adapter
    /// may start from that template's prebuilt map.
    pub(crate) template: Option<TemplateKind>,
}

impl Default for Decision<'_> {
    /// The decision on a request without `Origin`: not CORS, no headers, as
    /// [`Policy::evaluate_into`] finds it before writing.
    fn default() -> Self {
        Decision {
            kind: RequestKind::NotCors,
            outcome: Outcome::NotCors,
            reason: None,
            failures: Failures::default(),
            action: Action::Continue,
            headers: Vec::new(),
            body: None,
            template: None,
        }
    }
}

impl<'a> Decision<'a> {
    /// The kind of request.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }
    /// The verdict.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }
    /// Why the request was refused, when it was.
    pub fn reason(&self) -> Option<Reason<'a>> {
        self.reason
    }
    /// Every check a preflight failed.
    pub fn failures(&self) -> Failures {
        self.failures
    }
    /// Whether to answer now or pass the request on.
    pub fn action(&self) -> Action {
        self.action
    }
    /// The headers to write, in order. Set each one, except [`HeaderName::Vary`],
    /// whose value is added to the response's `Vary`.
    pub fn headers(&self) -> &[Header<'a>] {
        &self.headers
    }
    /// The value of one header of the decision, if present (the first, for `Vary`).
    pub fn header(&self, name: HeaderName) -> Option<&'a [u8]> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value)
    }
    /// The body of a preflight answer, when the profile sends one
    /// (as `text/plain; charset=utf-8`).
    pub fn body(&self) -> Option<&'static str> {
        self.body
    }
}

/// Whether `method` is `OPTIONS`, as two overlapping four-byte compares
/// (a seven-byte comparison assembles its word from three loads).
#[inline(always)]
fn is_options(method: &[u8]) -> bool {
    method.len() == 7
        && method.get(..4) == Some(&b"OPTI"[..])
        && method.get(3..) == Some(&b"IONS"[..])
}

/// How the origin was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OriginJudgement {
    Absent,
    Allowed,
    Denied(Reason<'static>),
}

impl<const ORIGINS: usize, const NAMES: usize, const BYTES: usize> Policy<ORIGINS, NAMES, BYTES> {
    /// Judges one request. Allocates nothing; the work is bounded by the size
    /// of the request's headers; never panics.
    ///
    /// ```
    /// use corsguard::{Config, Methods, Policy, Request, HeaderName, Action, Reason};
    /// let config = Config::new()
    ///     .allowed_origins(&["http://localhost:3000"])
    ///     .allowed_methods(Methods::List(&["PUT"]));
    /// let policy: Policy = Policy::new(&config).unwrap();
    ///
    /// let ok = policy.evaluate(&Request::new(b"OPTIONS")
    ///     .origin(b"http://localhost:3000").request_method(b"PUT"));
    /// assert_eq!(ok.action(), Action::Respond { status: 204 });
    /// assert_eq!(ok.header(HeaderName::AllowMethods), Some(&b"PUT"[..]));
    ///
    /// let refused = policy.evaluate(&Request::new(b"OPTIONS")
    ///     .origin(b"http://localhost:3000").request_method(b"DELETE"));
    /// assert_eq!(refused.reason(), Some(Reason::MethodNotAllowed { method: b"DELETE" }));
    /// ```
    #[inline]
    pub fn evaluate<'a>(&'a self, request: &Request<'a>) -> Decision<'a> {
        let mut decision = Decision::default();
        self.evaluate_into(request, &mut decision);
        decision
    }

    /// Judges one request into `decision`, replacing everything it held:
    /// the same answer as [`Policy::evaluate`], written where the caller
    /// keeps it (a host that reuses one `Decision` per connection, or one
    /// in a `static`, copies nothing).
    ///
    /// ```
    /// use corsguard::{Config, Decision, Outcome, Policy, Request};
    /// let policy: Policy = Policy::new(&Config::new().allowed_origins(&["https://a.example"]))?;
    /// let mut decision = Decision::default();
    /// policy.evaluate_into(&Request::new(b"GET").origin(b"https://a.example"), &mut decision);
    /// assert_eq!(decision.outcome(), Outcome::Allowed);
    /// policy.evaluate_into(&Request::new(b"GET"), &mut decision);
    /// assert_eq!(decision, policy.evaluate(&Request::new(b"GET")));
    /// # Ok::<(), corsguard::ConfigError<'static>>(())
    /// ```
    pub fn evaluate_into<'a>(&'a self, request: &Request<'a>, decision: &mut Decision<'a>) {
        let b = &self.behaviour;
        let options = is_options(request.method);
        let (origin, request_method) = (request.origin.is_some(), request.request_method.is_some());
        let preflight = match b.preflight_detection {
            PreflightDetection::OriginAndMethod | PreflightDetection::RefuseIncomplete => {
                options && origin && request_method
            }
            PreflightDetection::AnyOptions => request.method.eq_ignore_ascii_case(b"OPTIONS"),
            PreflightDetection::RequestMethod => options && request_method,
            PreflightDetection::Never => false,
        };
        let kind = match (preflight, origin, options) {
            (true, ..) => RequestKind::Preflight,
            (false, true, true) => RequestKind::PlainOptions,
            (false, true, false) => RequestKind::Actual,
            (false, false, _) => RequestKind::NotCors,
        };
        let judgement = self.judge_origin(request);
        let allow_origin = self.allow_origin_value(request, judgement);
        // Only what the branch taken may leave unwritten is reset here: a
        // preflight always writes the verdict, the reason, the failures and
        // the template.
        decision.kind = kind;
        decision.action = Action::Continue;
        decision.headers.clear();
        decision.body = None;
        if kind == RequestKind::Preflight {
            self.preflight(request, judgement, allow_origin, decision);
        } else {
            decision.outcome = Outcome::NotCors;
            decision.reason = None;
            decision.failures = Failures::default();
            self.actual(request, judgement, allow_origin, decision);
            if options && b.preflight_detection == PreflightDetection::RefuseIncomplete {
                // An OPTIONS taken for an incomplete preflight: refused
                // whatever `preflight_continue` says (@fastify/cors checks
                // it first).
                let (status, body) = PreflightDetection::INCOMPLETE_ANSWER;
                decision.action = Action::Respond { status };
                decision.body = Some(body);
            }
        }
    }

    /// Whether `value` of `Access-Control-Request-Private-Network` asks for
    /// Private Network Access: `true` in strict syntax, any value in literal
    /// syntax.
    fn asks_private_network(&self, value: &[u8]) -> bool {
        self.behaviour.syntax == Syntax::Literal || value.eq_ignore_ascii_case(b"true")
    }

    fn judge_origin(&self, request: &Request<'_>) -> OriginJudgement {
        let Some(origin) = request.origin else {
            return OriginJudgement::Absent;
        };
        if self.any_origin {
            // A wildcard that reflects the origin cannot reflect one that
            // would break the response header.
            if self.reflects_any_origin() && !is_safe_value(origin) {
                return OriginJudgement::Denied(Reason::MalformedOrigin);
            }
            return OriginJudgement::Allowed;
        }
        if self.has_exact_origins && self.contains_origin(origin, false) {
            return OriginJudgement::Allowed;
        }
        let strict = self.behaviour.syntax == Syntax::Strict;
        let parts = if strict {
            parse_request_origin(origin)
        } else {
            None
        };
        if strict && parts.is_none() && origin != b"null" {
            return OriginJudgement::Denied(Reason::MalformedOrigin);
        }
        if let Some(parts) = parts {
            if self.has_patterns && self.matches_pattern(&parts) {
                return OriginJudgement::Allowed;
            }
        }
        // In strict syntax the verdict covers tuple origins only: `null` stays
        // opt-in by listing it (and refused with credentials), whatever a
        // loose host pattern or callback says.
        let verdict_applies = !strict || parts.is_some();
        if self.origin_verdict
            && verdict_applies
            && request.origin_verdict == Some(true)
            && is_safe_value(origin)
        {
            return OriginJudgement::Allowed;
        }
        if !is_safe_value(origin) {
            return OriginJudgement::Denied(Reason::MalformedOrigin);
        }
        OriginJudgement::Denied(Reason::OriginNotAllowed)
    }

    /// The `Access-Control-Allow-Origin` value this request would get.
    fn allow_origin_value<'a>(
        &'a self,
        request: &Request<'a>,
        judgement: OriginJudgement,
    ) -> Option<&'a [u8]> {
        if let Some(fixed) = self.fixed_origin {
            if self.behaviour.fixed_origin_always_sent {
                return Some(self.get(fixed));
            }
        }
        if self.any_origin {
            if self.reflects_any_origin() {
                return request.origin.filter(|o| is_safe_value(o));
            }
            return Some(b"*");
        }
        match judgement {
            OriginJudgement::Allowed => request.origin,
            _ => None,
        }
    }

    fn preflight<'a>(
        &'a self,
        request: &Request<'a>,
        judgement: OriginJudgement,
        allow_origin: Option<&'a [u8]>,
        decision: &mut Decision<'a>,
    ) {
        let b = &self.behaviour;
        let mut failures = Failures::default();
        let mut reason = match judgement {
            OriginJudgement::Allowed => None,
            OriginJudgement::Absent => Some(Reason::MissingOrigin),
            OriginJudgement::Denied(r) => Some(r),
        };
        if reason.is_some() {
            failures.add(Failures::ORIGIN);
        }
        let mut mirrored = None;
        let mut private_network = false;
        if b.check_preflight {
            if let Some(method) = request.request_method {
                if !self.method_allowed(method) {
                    failures.add(Failures::METHOD);
                    reason = reason.or(Some(Reason::MethodNotAllowed { method }));
                }
            }
            if let Some(requested) = request.request_headers {
                match self.headers_allowed(requested) {
                    Ok(()) => {}
                    Err(r) => {
                        failures.add(Failures::HEADERS);
                        reason = reason.or(Some(r));
                    }
                }
            }
            if let Some(value) = request.request_private_network {
                if self.asks_private_network(value) {
                    if self.private_network {
                        private_network = true;
                    } else {
                        failures.add(Failures::PRIVATE_NETWORK);
                        reason = reason.or(Some(Reason::PrivateNetworkNotAllowed));
                    }
                }
            }
        }
        if self.header_mode == HeaderMode::Mirror {
            mirrored = request.request_headers.filter(|v| is_safe_value(v));
        }
        let allowed = reason.is_none();
        // Answered as allowed: nothing failed, or only what the profile
        // leaves for the browser to refuse.
        let answered_allowed = allowed
            || (b.refused_preflight.answer_allowed_origin && judgement == OriginJudgement::Allowed);
        let send_all = answered_allowed || b.refused_preflight.keep_headers;
        let template = if send_all {
            TemplateKind::Preflight
        } else {
            TemplateKind::PreflightRefused
        };
        let dynamic = Dynamic {
            origin: allow_origin,
            mirrored,
            private_network,
        };
        self.fill_template(template, dynamic, &mut decision.headers);
        decision.template = Some(template);
        let status = if answered_allowed {
            self.preflight_status
        } else {
            b.refused_preflight.status.unwrap_or(self.preflight_status)
        };
        decision.outcome = if allowed {
            Outcome::Allowed
        } else {
            Outcome::Denied
        };
        decision.reason = reason;
        decision.failures = failures;
        if !self.preflight_continue {
            decision.action = Action::Respond { status };
            if b.preflight_body == PreflightBody::FailureList {
                decision.body = Some(failures.text());
            }
        }
    }

    fn actual<'a>(
        &'a self,
        request: &Request<'a>,
        judgement: OriginJudgement,
        allow_origin: Option<&'a [u8]>,
        decision: &mut Decision<'a>,
    ) {
        let b = &self.behaviour;
        // A wildcard policy without credentials answers the same to every
        // request, with or without Origin.
        let origin_free = self.any_origin && !self.credentials && self.fixed_origin.is_none();
        let send = match b.actual_headers {
            ActualHeaders::WhenAllowed => {
                judgement == OriginJudgement::Allowed || (origin_free && !self.origin_verdict)
            }
            ActualHeaders::Always => true,
            ActualHeaders::WhenOriginPresent => request.origin.is_some(),
        };
        // The preflight's own headers, where the order lists them: the lists
        // on any OPTIONS, Private Network Access to whoever asks for it.
        let options = is_options(request.method);
        let private_network = self.private_network
            && request
                .request_private_network
                .is_some_and(|v| self.asks_private_network(v));
        let template = match (send, options) {
            (false, _) => TemplateKind::ActualRefused,
            (true, false) => TemplateKind::Actual,
            (true, true) => TemplateKind::ActualOptions,
        };
        let dynamic = Dynamic {
            origin: allow_origin,
            mirrored: None,
            private_network,
        };
        self.fill_template(template, dynamic, &mut decision.headers);
        decision.template = Some(template);
        match judgement {
            OriginJudgement::Absent => {}
            OriginJudgement::Allowed => decision.outcome = Outcome::Allowed,
            OriginJudgement::Denied(reason) => {
                decision.outcome = Outcome::Denied;
                decision.reason = Some(reason);
                decision.failures = Failures::ORIGIN;
            }
        }
    }

    /// Whether the value of a request's `Origin` can change its decision.
    /// `false` when the policy allows every origin and answers them all
    /// with the same `Access-Control-Allow-Origin` (`*`, or a fixed origin
    /// sent to everyone): then two requests that differ only in the value
    /// of a present `Origin` get equal decisions, so a host may memoize an
    /// answer without keying it on the origin. Whether `Origin` is present
    /// still matters.
    ///
    /// ```
    /// use corsguard::{Config, Policy};
    /// let any: Policy = Policy::new(&Config::new().allowed_origins(&["*"])).unwrap();
    /// assert!(!any.answer_depends_on_origin());
    /// let listed: Policy = Policy::new(&Config::new().allowed_origins(&["https://a.example"])).unwrap();
    /// assert!(listed.answer_depends_on_origin());
    /// ```
    pub fn answer_depends_on_origin(&self) -> bool {
        let fixed_for_all = self.fixed_origin.is_some() && self.behaviour.fixed_origin_always_sent;
        let same_for_all = self.any_origin && !self.reflects_any_origin();
        !(same_for_all && (self.fixed_origin.is_none() || fixed_for_all))
    }

    /// Whether the value of a request's `Origin` can change what is written:
    /// the headers, the action and the body of its decision. `false`
    /// wherever [`Policy::answer_depends_on_origin`] is, and also for a fixed
    /// origin sent to everyone (the `cors` package's `origin: "https://..."`)
    /// when the profile answers a refused origin with the same headers: the
    /// verdict then still differs (an unlisted origin is refused, and a
    /// refusal hook must hear of it), but a host that only writes headers
    /// may reuse them for every present `Origin`.
    ///
    /// ```
    /// use corsguard::{Behaviour, Config, Policy};
    /// let fixed = Config::new().behaviour(Behaviour::CORS_NPM).fixed_origin("https://a.example");
    /// let policy: Policy = Policy::new(&fixed).unwrap();
    /// assert!(policy.answer_depends_on_origin());
    /// assert!(!policy.headers_depend_on_origin());
    /// ```
    pub fn headers_depend_on_origin(&self) -> bool {
        if !self.answer_depends_on_origin() {
            return false;
        }
        let b = &self.behaviour;
        let constant_value = self.fixed_origin.is_some() && b.fixed_origin_always_sent;
        let refused_alike = b.actual_headers != ActualHeaders::WhenAllowed
            && b.refused_preflight.keep_headers
            && b.refused_preflight.status.is_none()
            && b.preflight_body != PreflightBody::FailureList;
        !(constant_value && refused_alike && !self.origin_verdict)
    }

    /// Whether, under a host verdict of `true` ([`Request::origin_verdict`]),
    /// the value of a present `Origin` can change its decision other than by
    /// being echoed in `Access-Control-Allow-Origin`. `false` when two such
    /// requests that differ only in the value of `Origin`, both non-empty
    /// and safe header values (no CR, LF or NUL), get decisions that are equal once each
    /// one's echoed origin is read as the other's: so a host that judges
    /// origins itself (a regular expression, a callback) may memoize the
    /// answer to an admitted origin and write it for every other admitted
    /// one, keying the memo on the verdict rather than on the origin.
    ///
    /// That holds wherever [`Policy::answer_depends_on_origin`] is `false`,
    /// for a wildcard that reflects the origin, and for a policy that
    /// consults the verdict in literal syntax, where the verdict admits any
    /// safe value. In strict syntax the origin's form still decides whether
    /// the verdict applies, so the answer depends on it.
    ///
    /// ```
    /// use corsguard::{Behaviour, Config, Policy};
    /// let judged = Config::new()
    ///     .behaviour(Behaviour::CORS_NPM)
    ///     .allowed_origins(&["https://a.example"])
    ///     .origin_verdict(true);
    /// let policy: Policy = Policy::new(&judged).unwrap();
    /// assert!(policy.answer_depends_on_origin());
    /// assert!(!policy.admitted_answer_depends_on_origin());
    /// let strict: Policy = Policy::new(&judged.behaviour(Behaviour::STRICT)).unwrap();
    /// assert!(strict.admitted_answer_depends_on_origin());
    /// ```
    pub fn admitted_answer_depends_on_origin(&self) -> bool {
        let verdict_admits_any = self.origin_verdict && self.behaviour.syntax == Syntax::Literal;
        self.answer_depends_on_origin() && !self.any_origin && !verdict_admits_any
    }

    /// Whether `*` is answered with the request's origin (`*` with
    /// credentials under [`WildcardWithCredentials::Reflect`]).
    ///
    /// [`WildcardWithCredentials::Reflect`]: crate::WildcardWithCredentials::Reflect
    fn reflects_any_origin(&self) -> bool {
        self.any_origin
            && self.credentials
            && self.behaviour.wildcard_with_credentials
                == crate::config::WildcardWithCredentials::Reflect
    }

    /// Whether `Access-Control-Allow-Origin` carries the request's origin
    /// rather than a value of the policy's own.
    pub(crate) fn reflects_origin(&self) -> bool {
        let fixed = self.fixed_origin.is_some() && self.behaviour.fixed_origin_always_sent;
        !fixed && (!self.any_origin || self.reflects_any_origin())
    }

    pub(crate) fn vary_origin_token(&self) -> Option<&'static [u8]> {
        let depends = match self.behaviour.vary {
            VaryStyle::CorsNpm => !self.any_origin || self.fixed_origin.is_some(),
            VaryStyle::ListedOrigins => !self.any_origin && self.fixed_origin.is_none(),
            _ => false,
        };
        depends.then_some(&b"Origin"[..])
    }

    fn method_allowed(&self, method: &[u8]) -> bool {
        // Listed methods are tokens in strict syntax, so only the wildcard
        // needs the token check.
        (self.behaviour.safelisted_methods_implicit && matches!(method, b"GET" | b"HEAD" | b"POST"))
            || match common_method_bit(method) {
                0 => self.methods.iter().any(|&m| self.get(m) == method),
                bit => self.method_bits & bit != 0,
            }
            || (self.any_method && (self.behaviour.syntax == Syntax::Literal || is_token(method)))
    }

    fn headers_allowed<'a>(&self, requested: &'a [u8]) -> Result<(), Reason<'a>> {
        let strict = self.behaviour.syntax == Syntax::Strict;
        let skip_empty = self.behaviour.skip_empty_header_elements;
        if self.header_mode == HeaderMode::Mirror && !strict {
            return Ok(());
        }
        if self.header_mode == HeaderMode::List {
            // The common case, with the mode decided once: a listed name is
            // a token (strict syntax checks the list), so the token check is
            // needed only for a name the lookup does not find.
            for name in ListElements::new(requested) {
                if self.lists_header(name) {
                    continue;
                }
                // Literal lists may name the empty string (Starlette
                // compares strings), so an empty element was looked up
                // like any name.
                if name.is_empty() {
                    if skip_empty {
                        continue;
                    }
                    return Err(Reason::HeaderNotAllowed { name });
                }
                if strict && !is_token(name) {
                    return Err(Reason::MalformedRequestHeaders);
                }
                return Err(Reason::HeaderNotAllowed { name });
            }
            return Ok(());
        }
        for name in ListElements::new(requested) {
            if name.is_empty() {
                if skip_empty {
                    continue;
                }
                return Err(Reason::HeaderNotAllowed { name });
            }
            // `*` never covers Authorization (Fetch: CORS non-wildcard
            // request-header name).
            let allowed = match self.header_mode {
                HeaderMode::Any => !name.eq_ignore_ascii_case(b"authorization"),
                HeaderMode::List | HeaderMode::Mirror => true,
            };
            if strict && !is_token(name) {
                return Err(Reason::MalformedRequestHeaders);
            }
            if !allowed {
                return Err(Reason::HeaderNotAllowed { name });
            }
        }
        Ok(())
    }
}
