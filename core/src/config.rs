//! The `Config` builder, the behaviour settings that express the peers'
//! compatibility profiles, and `ConfigError`.

use core::fmt;

use crate::origin::OriginProblem;

/// Which request methods a preflight may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Methods<'a> {
    /// These methods (case-sensitive, as the Fetch standard compares them).
    /// In the strict profile GET, HEAD and POST are always allowed, as
    /// browsers never preflight them.
    List(&'a [&'a str]),
    /// Any method: answered with `Access-Control-Allow-Methods: *`, which
    /// browsers honour only for requests without credentials.
    Any,
}

/// Which request headers a preflight may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowedHeaders<'a> {
    /// These header names (compared case-insensitively).
    List(&'a [&'a str]),
    /// Any header: answered with `Access-Control-Allow-Headers: *`, which
    /// browsers honour only without credentials and never for `Authorization`.
    Any,
    /// Whatever the preflight asks for, echoed back (the `cors` npm default).
    Mirror,
}

/// Which response headers scripts may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExposedHeaders<'a> {
    /// These header names.
    List(&'a [&'a str]),
    /// Every header: `Access-Control-Expose-Headers: *`, honoured by browsers
    /// only for requests without credentials.
    Any,
}

/// How long a browser may cache a preflight answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxAge<'a> {
    /// A number of seconds (strict profile: at most 86400, the largest cap a
    /// browser applies).
    Seconds(u32),
    /// A value sent exactly as given (only with [`Syntax::Literal`], to match
    /// peers that send whatever they were given).
    Literal(&'a str),
}

/// How configured origins, methods and header names are read and validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Every entry must be in the form a browser sends: origins are
    /// serialized origins or patterns, names are tokens, nothing is
    /// duplicated, browser-forbidden names and risky combinations are refused.
    Strict,
    /// Entries are opaque strings compared byte for byte, as the peers do;
    /// only values that could break a response header (CR, LF, NUL) are
    /// refused. Origins are never patterns. Any value of
    /// `Access-Control-Request-Private-Network` counts as a request.
    Literal,
}

/// Which requests are answered as preflights, and what an `OPTIONS`
/// request that is not one gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreflightDetection {
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method` (the
    /// Fetch standard); any other `OPTIONS` is passed on to the application.
    OriginAndMethod,
    /// Every `OPTIONS` request, whatever its headers (the `cors` npm package).
    AnyOptions,
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`; any
    /// other `OPTIONS` is answered `400` with the `text/plain` body
    /// `Invalid Preflight Request` and the headers of a request that is not
    /// a preflight (@fastify/cors's `strictPreflight`).
    RefuseIncomplete,
    /// `OPTIONS` with `Access-Control-Request-Method`, with or without
    /// `Origin`: one without `Origin` is a refused preflight
    /// (django-cors-headers).
    RequestMethod,
    /// No request: an `OPTIONS` is judged as any other request and passed on
    /// (@fastify/cors's `preflight: false`).
    Never,
}

impl PreflightDetection {
    /// Each detection by the name the policy document's
    /// `preflightDetection` gives it.
    pub const NAMES: [(&'static str, PreflightDetection); 5] = [
        ("originAndMethod", PreflightDetection::OriginAndMethod),
        ("anyOptions", PreflightDetection::AnyOptions),
        ("refuseIncomplete", PreflightDetection::RefuseIncomplete),
        ("requestMethod", PreflightDetection::RequestMethod),
        ("never", PreflightDetection::Never),
    ];

    /// The detection called `name` in the policy document.
    ///
    /// ```
    /// use corsguard::compat::PreflightDetection;
    /// assert_eq!(PreflightDetection::named("never"), Some(PreflightDetection::Never));
    /// assert_eq!(PreflightDetection::named("strict"), None);
    /// ```
    pub fn named(name: &str) -> Option<PreflightDetection> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
    }

    /// The status and body an `OPTIONS` request that is not a preflight is
    /// answered with, when the detection answers it.
    pub const INCOMPLETE_ANSWER: (u16, &'static str) = (400, "Invalid Preflight Request");
}

/// What a credentialed policy answers when `*` is among its origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WildcardWithCredentials {
    /// Refused at construction: browsers reject `*` with credentials.
    Refuse,
    /// Send `*` and `true` anyway (the `cors` npm package; browsers block it).
    SendWildcard,
    /// Reflect whatever origin asked (Starlette; allows every site to read
    /// credentialed responses).
    Reflect,
}

/// When an actual (non-preflight) response carries CORS headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActualHeaders {
    /// Only when the request's origin is allowed (a wildcard policy without
    /// credentials answers `*` to every request, so caches need no `Vary`).
    WhenAllowed,
    /// `Access-Control-Allow-Origin` when allowed; credentials and exposed
    /// headers on every response (the `cors` npm package).
    Always,
    /// Credentials, exposed headers and a wildcard whenever the request has
    /// an `Origin`; the origin itself when allowed (Starlette).
    WhenOriginPresent,
}

/// The separator between list elements in the header values sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    /// `, `
    CommaSpace,
    /// `,`
    Comma,
}

impl Separator {
    pub(crate) const fn as_bytes(self) -> &'static [u8] {
        match self {
            Separator::CommaSpace => b", ",
            Separator::Comma => b",",
        }
    }
}

/// Which `Vary` tokens the answers carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaryStyle {
    /// `Origin` whenever the answer depends on it; preflights add the
    /// request headers they are judged on.
    Minimal,
    /// `Origin` unless the origin is `*`, on every answer; plus
    /// `Access-Control-Request-Headers` when mirroring (the `cors` npm package).
    CorsNpm,
    /// Preflights carry a fixed list of four names; every other response gets
    /// `Origin` appended (Starlette).
    Starlette,
    /// `Origin` on every answer when the origins are a list or the host's
    /// verdict (not for `*` nor a fixed origin); plus
    /// `Access-Control-Request-Headers` when mirroring (@fastify/cors).
    ListedOrigins,
}

/// How a binding adds the decision's `Vary` values to the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaryMerge {
    /// Add each token unless the response already lists it (compared
    /// case-insensitively) or already varies on `*`.
    Dedup,
    /// Join the response's existing `Vary` values and the new one with `, `
    /// into a single header, without deduplication (Starlette).
    Join,
}

/// The body a preflight answer carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreflightBody {
    /// No body.
    Empty,
    /// `OK`, or `Disallowed CORS origin, method, headers, private-network`
    /// naming only what failed, as `text/plain` (Starlette).
    FailureList,
}

/// What a refused preflight is answered with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefusedPreflight {
    /// The status; `None` means the configured preflight success status.
    pub status: Option<u16>,
    /// Whether the CORS headers that do not depend on the verdict are still
    /// sent (the peers do; the strict profile sends none).
    pub keep_headers: bool,
    /// Whether a preflight from an allowed origin is answered as an allowed
    /// one (every header, the success status) when only its method, headers
    /// or Private Network Access are refused: the decision still says it is
    /// refused and why, and the browser refuses it on the headers it reads
    /// (django-cors-headers judges the origin only).
    pub answer_allowed_origin: bool,
}

/// Where `Access-Control-Allow-Origin` goes in the header order. Peers set
/// it at different points depending on its value; bindings write headers in
/// the order the decision lists them, so the order is part of the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginSlot {
    /// Whatever the value.
    Always,
    /// Only when `*` is among the policy's origins.
    AnyPolicy,
    /// Only when `*` is not among the policy's origins.
    ListedPolicy,
    /// Only when the value is the policy's own (`*`, or a fixed origin sent
    /// to everyone), whatever the request's `Origin` says.
    Constant,
    /// Only when the value is the request's `Origin`, reflected (even when
    /// that origin is the text `*`).
    Reflected,
}

/// Where `Access-Control-Allow-Headers` goes, by where its value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadersSlot {
    /// Whatever the value.
    Always,
    /// Only the configured list (or `*`).
    Listed,
    /// Only the mirrored request value.
    Mirrored,
}

/// One position in the order of the headers a decision lists.
///
/// In the order of an answer that is not a preflight
/// ([`Behaviour::actual_order`]), the preflight's own headers say what a
/// peer adds there: `AllowMethods`, `AllowHeaders` (the configured list) and
/// `MaxAge` go to `OPTIONS` requests only, and `AllowPrivateNetwork` to
/// requests asking for Private Network Access when it is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin(OriginSlot),
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders(HeadersSlot),
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Access-Control-Allow-Private-Network`.
    AllowPrivateNetwork,
    /// All the `Vary` tokens of the answer, in one value.
    Vary,
    /// `Vary: Origin` alone (when the style adds it).
    VaryOrigin,
    /// `Vary: Access-Control-Request-Headers` alone (when mirroring).
    VaryRequestHeaders,
}

/// The behaviour settings: how strictly configuration is read and how the
/// answers are shaped. [`Behaviour::STRICT`] follows the Fetch standard; the
/// other presets reproduce a peer library's answers so that a drop-in
/// replacement needs no logic of its own.
///
/// ```
/// use corsguard::Behaviour;
/// use corsguard::compat::Separator;
/// let mut b = Behaviour::STRICT;
/// b.separator = Separator::Comma;
/// assert_eq!(b.separator, Separator::Comma);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Behaviour {
    /// How entries are read and validated.
    pub syntax: Syntax,
    /// Which requests are preflights.
    pub preflight_detection: PreflightDetection,
    /// Whether a preflight's requested method and headers are checked. When
    /// not, the configured lists are sent and the browser decides.
    pub check_preflight: bool,
    /// Whether GET, HEAD and POST pass the method check without being listed
    /// (browsers never preflight them, by the Fetch standard).
    pub safelisted_methods_implicit: bool,
    /// Whether empty elements in `Access-Control-Request-Headers` (`a,,b`)
    /// are skipped, as the Fetch standard's list parsing does.
    pub skip_empty_header_elements: bool,
    /// What a refused preflight is answered with.
    pub refused_preflight: RefusedPreflight,
    /// The body of preflight answers.
    pub preflight_body: PreflightBody,
    /// Whether a single origin given with [`Config::fixed_origin`] is sent
    /// to every request (`cors` npm) instead of only to that origin.
    pub fixed_origin_always_sent: bool,
    /// What `*` with credentials does.
    pub wildcard_with_credentials: WildcardWithCredentials,
    /// When actual responses carry CORS headers.
    pub actual_headers: ActualHeaders,
    /// The list separator in header values.
    pub separator: Separator,
    /// Which `Vary` tokens are sent.
    pub vary: VaryStyle,
    /// How bindings add `Vary` to a response.
    pub vary_merge: VaryMerge,
    /// Whether the four CORS-safelisted request headers are added to the
    /// allowed list and the list is sorted (Starlette).
    pub safelisted_headers_added: bool,
    /// Whether a header whose value is empty is still sent: Starlette sends
    /// `Access-Control-Allow-Methods` for an empty list and mirrors an empty
    /// `Access-Control-Request-Headers`; the `cors` package never sends an
    /// empty value (nor does the strict profile).
    pub empty_values_sent: bool,
    /// The order of the headers of a preflight answer.
    pub preflight_order: &'static [Slot],
    /// The order of the headers of an actual response.
    pub actual_order: &'static [Slot],
}

impl Behaviour {
    /// The Fetch-correct default: strict validation, everything checked,
    /// refused preflights answered `403` with no CORS headers.
    pub const STRICT: Behaviour = Behaviour {
        syntax: Syntax::Strict,
        preflight_detection: PreflightDetection::OriginAndMethod,
        check_preflight: true,
        safelisted_methods_implicit: true,
        skip_empty_header_elements: true,
        refused_preflight: RefusedPreflight {
            status: Some(403),
            keep_headers: false,
            answer_allowed_origin: false,
        },
        preflight_body: PreflightBody::Empty,
        fixed_origin_always_sent: false,
        wildcard_with_credentials: WildcardWithCredentials::Refuse,
        actual_headers: ActualHeaders::WhenAllowed,
        separator: Separator::CommaSpace,
        vary: VaryStyle::Minimal,
        vary_merge: VaryMerge::Dedup,
        safelisted_headers_added: false,
        empty_values_sent: false,
        preflight_order: &[
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::AllowCredentials,
            Slot::AllowMethods,
            Slot::AllowHeaders(HeadersSlot::Always),
            Slot::MaxAge,
            Slot::AllowPrivateNetwork,
            Slot::Vary,
        ],
        actual_order: &[
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
            Slot::Vary,
        ],
    };

    /// The preset profiles by the names every binding and the policy files
    /// use: `strict`, `cors_npm`, `starlette`, `django_cors_headers`,
    /// `fastify_cors`, `flask_cors`.
    pub const PROFILES: [(&'static str, Behaviour); 6] = [
        ("strict", Behaviour::STRICT),
        ("cors_npm", Behaviour::CORS_NPM),
        ("starlette", Behaviour::STARLETTE),
        ("django_cors_headers", Behaviour::DJANGO_CORS_HEADERS),
        ("fastify_cors", Behaviour::FASTIFY_CORS),
        ("flask_cors", Behaviour::FLASK_CORS),
    ];

    /// The preset profile called `name` (see [`Behaviour::PROFILES`]).
    ///
    /// ```
    /// use corsguard::Behaviour;
    /// assert_eq!(Behaviour::named("cors_npm"), Some(Behaviour::CORS_NPM));
    /// assert_eq!(Behaviour::named("express"), None);
    /// ```
    pub fn named(name: &str) -> Option<Behaviour> {
        Self::PROFILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b)
    }

    /// The answers of the `cors` npm package, version 2.8.6.
    pub const CORS_NPM: Behaviour = Behaviour {
        syntax: Syntax::Literal,
        preflight_detection: PreflightDetection::AnyOptions,
        check_preflight: false,
        safelisted_methods_implicit: true,
        skip_empty_header_elements: true,
        refused_preflight: RefusedPreflight {
            status: None,
            keep_headers: true,
            answer_allowed_origin: false,
        },
        preflight_body: PreflightBody::Empty,
        fixed_origin_always_sent: true,
        wildcard_with_credentials: WildcardWithCredentials::SendWildcard,
        actual_headers: ActualHeaders::Always,
        separator: Separator::Comma,
        vary: VaryStyle::CorsNpm,
        vary_merge: VaryMerge::Dedup,
        safelisted_headers_added: false,
        empty_values_sent: false,
        preflight_order: &[
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::VaryOrigin,
            Slot::AllowCredentials,
            Slot::AllowMethods,
            Slot::VaryRequestHeaders,
            Slot::AllowHeaders(HeadersSlot::Always),
            Slot::MaxAge,
            Slot::ExposeHeaders,
        ],
        actual_order: &[
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::VaryOrigin,
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
        ],
    };

    /// The answers of Starlette's `CORSMiddleware`, version 1.10.0.
    pub const STARLETTE: Behaviour = Behaviour {
        syntax: Syntax::Literal,
        preflight_detection: PreflightDetection::OriginAndMethod,
        check_preflight: true,
        safelisted_methods_implicit: false,
        skip_empty_header_elements: false,
        refused_preflight: RefusedPreflight {
            status: Some(400),
            keep_headers: true,
            answer_allowed_origin: false,
        },
        preflight_body: PreflightBody::FailureList,
        fixed_origin_always_sent: false,
        wildcard_with_credentials: WildcardWithCredentials::Reflect,
        actual_headers: ActualHeaders::WhenOriginPresent,
        separator: Separator::CommaSpace,
        vary: VaryStyle::Starlette,
        vary_merge: VaryMerge::Join,
        safelisted_headers_added: true,
        empty_values_sent: true,
        preflight_order: &[
            Slot::Vary,
            Slot::AllowOrigin(OriginSlot::Constant),
            Slot::AllowMethods,
            Slot::MaxAge,
            Slot::AllowHeaders(HeadersSlot::Listed),
            Slot::AllowCredentials,
            Slot::AllowOrigin(OriginSlot::Reflected),
            Slot::AllowHeaders(HeadersSlot::Mirrored),
            Slot::AllowPrivateNetwork,
        ],
        actual_order: &[
            Slot::AllowOrigin(OriginSlot::AnyPolicy),
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
            Slot::AllowOrigin(OriginSlot::ListedPolicy),
            Slot::Vary,
        ],
    };
}

impl Behaviour {
    /// The answers of django-cors-headers' `CorsMiddleware`, version 4.9.0:
    /// every `OPTIONS` with `Access-Control-Request-Method` answered `200`
    /// with an empty body, with `Origin` or without; a preflight judged by
    /// its origin alone (a refused method or header is left for the browser
    /// to refuse); the lists sent as configured, empty ones too; `*` with
    /// credentials reflects the origin; every answer varies on `Origin`; an
    /// `OPTIONS` that is not a preflight gets the preflight's lists too, and
    /// any request asking for Private Network Access gets it when allowed.
    pub const DJANGO_CORS_HEADERS: Behaviour = Behaviour {
        syntax: Syntax::Literal,
        preflight_detection: PreflightDetection::RequestMethod,
        check_preflight: true,
        safelisted_methods_implicit: true,
        skip_empty_header_elements: true,
        refused_preflight: RefusedPreflight {
            status: None,
            keep_headers: false,
            answer_allowed_origin: true,
        },
        preflight_body: PreflightBody::Empty,
        fixed_origin_always_sent: false,
        wildcard_with_credentials: WildcardWithCredentials::Reflect,
        actual_headers: ActualHeaders::WhenAllowed,
        separator: Separator::CommaSpace,
        vary: VaryStyle::Starlette,
        vary_merge: VaryMerge::Dedup,
        safelisted_headers_added: false,
        empty_values_sent: true,
        preflight_order: DJANGO_ORDER,
        actual_order: DJANGO_ORDER,
    };

    /// The answers of @fastify/cors 11.4.3 (on Fastify 5): those of `cors`
    /// npm, except that lists are joined with `, `, empty values are sent,
    /// `Vary: Origin` is left out for a fixed origin, `Vary` comes first,
    /// and an `OPTIONS` without `Origin` or `Access-Control-Request-Method`
    /// is refused (`strictPreflight`, on by default).
    pub const FASTIFY_CORS: Behaviour = Behaviour {
        separator: Separator::CommaSpace,
        vary: VaryStyle::ListedOrigins,
        empty_values_sent: true,
        preflight_order: &[
            Slot::VaryOrigin,
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
            Slot::AllowMethods,
            Slot::VaryRequestHeaders,
            Slot::AllowHeaders(HeadersSlot::Always),
            Slot::MaxAge,
        ],
        actual_order: &[
            Slot::VaryOrigin,
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
        ],
        preflight_detection: PreflightDetection::RefuseIncomplete,
        ..Behaviour::CORS_NPM
    };

    /// The answers of flask-cors 6.0.5 (on Flask 3.1) as `corsguard.flask`
    /// translates its options: those of django-cors-headers, except that a
    /// preflight's method is allowed only when listed, `GET`, `HEAD` and
    /// `POST` included (flask-cors checks every requested method).
    pub const FLASK_CORS: Behaviour = Behaviour {
        preflight_detection: PreflightDetection::OriginAndMethod,
        safelisted_methods_implicit: false,
        refused_preflight: RefusedPreflight {
            status: None,
            keep_headers: false,
            answer_allowed_origin: false,
        },
        empty_values_sent: false,
        actual_order: &[
            Slot::Vary,
            Slot::AllowOrigin(OriginSlot::Always),
            Slot::AllowCredentials,
            Slot::ExposeHeaders,
        ],
        ..Behaviour::DJANGO_CORS_HEADERS
    };
}

/// django-cors-headers' header order, the same on every answer.
const DJANGO_ORDER: &[Slot] = &[
    Slot::Vary,
    Slot::AllowOrigin(OriginSlot::Always),
    Slot::AllowCredentials,
    Slot::ExposeHeaders,
    Slot::AllowHeaders(HeadersSlot::Always),
    Slot::AllowMethods,
    Slot::MaxAge,
    Slot::AllowPrivateNetwork,
];

/// A CORS configuration, built once and turned into a [`Policy`](crate::Policy)
/// by [`Policy::new`](crate::Policy::new), which validates all of it.
///
/// All strings are borrowed: building a configuration allocates nothing.
///
/// ```
/// use corsguard::{Config, Methods, AllowedHeaders, Policy};
/// let config = Config::new()
///     .allowed_origins(&["https://app.example.com", "https://*.example.org"])
///     .allowed_methods(Methods::List(&["GET", "PUT", "DELETE"]))
///     .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
///     .credentials(true)
///     .max_age(600);
/// let policy: Policy = Policy::new(&config).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config<'a> {
    pub(crate) origins: &'a [&'a str],
    pub(crate) fixed_origin: Option<&'a str>,
    pub(crate) origin_verdict: bool,
    pub(crate) verdict_probes: u8,
    pub(crate) wide_verdict_with_credentials: bool,
    pub(crate) methods: Methods<'a>,
    pub(crate) allowed_headers: AllowedHeaders<'a>,
    pub(crate) exposed_headers: ExposedHeaders<'a>,
    pub(crate) credentials: bool,
    pub(crate) max_age: Option<MaxAge<'a>>,
    pub(crate) private_network: bool,
    pub(crate) preflight_continue: bool,
    pub(crate) preflight_status: u16,
    pub(crate) behaviour: Behaviour,
}

impl Default for Config<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Config<'a> {
    /// A strict configuration that allows no origin yet, only the safelisted
    /// methods and no extra request headers, without credentials.
    pub const fn new() -> Self {
        Config {
            origins: &[],
            fixed_origin: None,
            origin_verdict: false,
            verdict_probes: 0,
            wide_verdict_with_credentials: false,
            methods: Methods::List(&[]),
            allowed_headers: AllowedHeaders::List(&[]),
            exposed_headers: ExposedHeaders::List(&[]),
            credentials: false,
            max_age: None,
            private_network: false,
            preflight_continue: false,
            preflight_status: 204,
            behaviour: Behaviour::STRICT,
        }
    }

    /// The allowed origins: exact origins (`https://app.example.com`), `*`,
    /// subdomain patterns (`https://*.example.com`, any depth, not the apex),
    /// port wildcards (`http://localhost:*`) and `null` (opt-in, refused with
    /// credentials).
    pub const fn allowed_origins(mut self, origins: &'a [&'a str]) -> Self {
        self.origins = origins;
        self
    }

    /// One origin given on its own. Strictly this allows just that origin;
    /// with [`Behaviour::fixed_origin_always_sent`] it is sent to everyone.
    pub const fn fixed_origin(mut self, origin: &'a str) -> Self {
        self.fixed_origin = Some(origin);
        self
    }

    /// Lets the host decide about origins the lists do not allow: each
    /// [`Request`](crate::Request) then carries the host's verdict (from a
    /// regular expression or a callback the core cannot run).
    pub const fn origin_verdict(mut self, enabled: bool) -> Self {
        self.origin_verdict = enabled;
        self
    }

    /// Which of [`VERDICT_PROBES`] the host's verdict admits: bit `i` set
    /// when it allows `VERDICT_PROBES[i]`. The host runs its regex or
    /// callback on each probe when the policy is built and reports the
    /// result here; a verdict that admits any of them together with
    /// credentials is refused ([`ConfigError::WideVerdictWithCredentials`])
    /// wherever `*` with credentials is.
    ///
    /// ```
    /// use corsguard::{Config, ConfigError, Policy, VERDICT_PROBES};
    /// // The host's rule, e.g. a regex that allows every https origin.
    /// let allows = |origin: &str| origin.starts_with("https://");
    /// let admitted = VERDICT_PROBES
    ///     .iter()
    ///     .enumerate()
    ///     .filter(|(_, probe)| allows(probe))
    ///     .fold(0u8, |mask, (i, _)| mask | 1 << i);
    /// let config = Config::new()
    ///     .origin_verdict(true)
    ///     .origin_verdict_probes(admitted)
    ///     .credentials(true);
    /// let err = Policy::<8, 8, 512>::new(&config).unwrap_err();
    /// assert_eq!(err.code(), "wide_verdict_with_credentials");
    /// ```
    pub const fn origin_verdict_probes(mut self, admitted: u8) -> Self {
        self.verdict_probes = admitted;
        self
    }

    /// Accepts a verdict that admits probe origins together with credentials
    /// (the opt-in for [`ConfigError::WideVerdictWithCredentials`]): every
    /// site the verdict admits can then read your users' credentialed
    /// responses.
    pub const fn allow_wide_verdict_with_credentials(mut self, allow: bool) -> Self {
        self.wide_verdict_with_credentials = allow;
        self
    }

    /// The methods a preflight may ask for.
    pub const fn allowed_methods(mut self, methods: Methods<'a>) -> Self {
        self.methods = methods;
        self
    }

    /// The request headers a preflight may ask for.
    pub const fn allowed_headers(mut self, headers: AllowedHeaders<'a>) -> Self {
        self.allowed_headers = headers;
        self
    }

    /// The response headers scripts may read.
    pub const fn exposed_headers(mut self, headers: ExposedHeaders<'a>) -> Self {
        self.exposed_headers = headers;
        self
    }

    /// Whether cross-origin requests may carry cookies and HTTP auth.
    pub const fn credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long (seconds) browsers may cache a preflight answer.
    pub const fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(MaxAge::Seconds(seconds));
        self
    }

    /// The `Access-Control-Max-Age` value in any form (`None` sends none).
    pub const fn max_age_value(mut self, value: Option<MaxAge<'a>>) -> Self {
        self.max_age = value;
        self
    }

    /// Whether preflights asking for Private Network Access are granted it.
    pub const fn private_network(mut self, allow: bool) -> Self {
        self.private_network = allow;
        self
    }

    /// Pass preflights on to the application instead of answering them.
    pub const fn preflight_continue(mut self, pass: bool) -> Self {
        self.preflight_continue = pass;
        self
    }

    /// The status of a successful preflight answer (204 by default; 200 for
    /// old clients that mishandle 204).
    pub const fn preflight_status(mut self, status: u16) -> Self {
        self.preflight_status = status;
        self
    }

    /// The behaviour settings (a profile preset or a variation of one).
    pub const fn behaviour(mut self, behaviour: Behaviour) -> Self {
        self.behaviour = behaviour;
        self
    }

    /// The behaviour settings in force.
    pub const fn behaviour_settings(&self) -> &Behaviour {
        &self.behaviour
    }
}

/// Origins no real policy means to allow, for judging a host's verdict
/// before any request: sites under the reserved `.test` and `.invalid`
/// top-level domains (RFC 6761), which no deployed page is ever served
/// from, over https and http. A regex or callback that admits one of them
/// admits arbitrary sites (`/.*/`, `https://.*`, `() => true`,
/// an unanchored pattern). `null` is not among them: the strict profile
/// never lets a verdict allow `null`. Loopback is not among them either: a
/// development rule allowing `http://127.0.0.1` on any port is narrow.
pub const VERDICT_PROBES: [&str; 3] = [
    "https://evil.test",
    "http://evil.test",
    "https://corsguard-probe.invalid",
];

/// How a binding's users spell each option, so that an error or a finding
/// names the option as they wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionNames {
    /// [`Setting::AllowedOrigins`].
    pub allowed_origins: &'static str,
    /// [`Setting::AllowedMethods`].
    pub allowed_methods: &'static str,
    /// [`Setting::AllowedHeaders`].
    pub allowed_headers: &'static str,
    /// [`Setting::ExposedHeaders`].
    pub exposed_headers: &'static str,
    /// [`Setting::MaxAge`].
    pub max_age: &'static str,
    /// [`Setting::PreflightStatus`].
    pub preflight_status: &'static str,
    /// [`Config::origin_verdict`].
    pub origin_verdict: &'static str,
    /// [`Config::allow_wide_verdict_with_credentials`].
    pub allow_wide_verdict_with_credentials: &'static str,
}

impl OptionNames {
    /// The Rust builder's names (`allowed_origins`, `max_age`), used by
    /// `Display`; the C setters and Python's `Policy` keywords match them.
    pub const RUST: OptionNames = OptionNames {
        allowed_origins: "allowed_origins",
        allowed_methods: "allowed_methods",
        allowed_headers: "allowed_headers",
        exposed_headers: "exposed_headers",
        max_age: "max_age",
        preflight_status: "preflight_status",
        origin_verdict: "origin_verdict",
        allow_wide_verdict_with_credentials: "allow_wide_verdict_with_credentials",
    };
    /// The `cors` npm package's options (the Node drop-in).
    pub const CORS_NPM: OptionNames = OptionNames {
        allowed_origins: "origin",
        allowed_methods: "methods",
        allowed_headers: "allowedHeaders",
        exposed_headers: "exposedHeaders",
        max_age: "maxAge",
        preflight_status: "optionsSuccessStatus",
        origin_verdict: "origin",
        allow_wide_verdict_with_credentials: "allowWideVerdictWithCredentials",
    };
    /// Starlette's `CORSMiddleware` keywords (the Python drop-ins).
    pub const STARLETTE: OptionNames = OptionNames {
        allowed_origins: "allow_origins",
        allowed_methods: "allow_methods",
        allowed_headers: "allow_headers",
        exposed_headers: "expose_headers",
        max_age: "max_age",
        preflight_status: "preflight_status",
        origin_verdict: "allow_origin_regex",
        allow_wide_verdict_with_credentials: "allow_wide_verdict_with_credentials",
    };
    /// The keys of the policy document (`allowOrigins`, `allowMethods`,
    /// ...), which the document loader's messages use.
    pub const DOCUMENT: OptionNames = OptionNames {
        allowed_origins: "allowOrigins",
        allowed_methods: "allowMethods",
        allowed_headers: "allowHeaders",
        exposed_headers: "exposeHeaders",
        max_age: "maxAge",
        preflight_status: "preflightStatus",
        origin_verdict: "originVerdict",
        allow_wide_verdict_with_credentials: "allowWideVerdictWithCredentials",
    };
    /// The Node binding's strict `Policy` options (camelCase).
    pub const NODE: OptionNames = OptionNames {
        allowed_origins: "allowedOrigins",
        allowed_methods: "allowedMethods",
        allowed_headers: "allowedHeaders",
        exposed_headers: "exposedHeaders",
        max_age: "maxAge",
        preflight_status: "preflightStatus",
        origin_verdict: "originVerdict",
        allow_wide_verdict_with_credentials: "allowWideVerdictWithCredentials",
    };

    /// The name of `setting`.
    pub const fn of(&self, setting: Setting) -> &'static str {
        match setting {
            Setting::AllowedOrigins => self.allowed_origins,
            Setting::AllowedMethods => self.allowed_methods,
            Setting::AllowedHeaders => self.allowed_headers,
            Setting::ExposedHeaders => self.exposed_headers,
            Setting::MaxAge => self.max_age,
            Setting::PreflightStatus => self.preflight_status,
            Setting::RefusedPreflightStatus => "refused_preflight.status",
        }
    }
}

/// A [`ConfigError`] displayed with a binding's [`OptionNames`].
#[derive(Clone, Copy, Debug)]
pub struct NamedError<'n, 'a> {
    error: &'n ConfigError<'a>,
    names: &'n OptionNames,
}

impl fmt::Display for NamedError<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.write_message(f, self.names)
    }
}

/// Which configuration option an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// [`Config::allowed_origins`] or [`Config::fixed_origin`].
    AllowedOrigins,
    /// [`Config::allowed_methods`].
    AllowedMethods,
    /// [`Config::allowed_headers`].
    AllowedHeaders,
    /// [`Config::exposed_headers`].
    ExposedHeaders,
    /// [`Config::max_age`].
    MaxAge,
    /// [`Config::preflight_status`].
    PreflightStatus,
    /// [`Behaviour::refused_preflight`].
    RefusedPreflightStatus,
}

impl Setting {
    /// The option's name as the Rust builder spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Setting::AllowedOrigins => "allowed_origins",
            Setting::AllowedMethods => "allowed_methods",
            Setting::AllowedHeaders => "allowed_headers",
            Setting::ExposedHeaders => "exposed_headers",
            Setting::MaxAge => "max_age",
            Setting::PreflightStatus => "preflight_status",
            Setting::RefusedPreflightStatus => "refused_preflight.status",
        }
    }
}

/// A fixed capacity of a [`Policy`](crate::Policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// `ORIGINS`: exact origins plus patterns.
    Origins,
    /// `NAMES`: methods plus allowed request-header names.
    Names,
    /// `BYTES`: the bytes of every stored origin and precomputed header value.
    Bytes,
    /// The most headers one decision can list ([`MAX_DECISION_HEADERS`](crate::limits::MAX_DECISION_HEADERS)),
    /// exceeded by a header order with too many slots.
    DecisionHeaders,
}

/// Why a configuration was refused. Each variant names the entry, and its
/// `Display` says the rule and the fix in one sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError<'a> {
    /// `*` among the origins of a policy with credentials.
    WildcardOriginWithCredentials,
    /// `*` as methods, request headers or exposed headers with credentials,
    /// where browsers read it as a literal name.
    WildcardWithCredentials {
        /// The option set to `*`.
        option: Setting,
    },
    /// `null` among the origins of a policy with credentials.
    NullOriginWithCredentials,
    /// `*` together with other origins, which it makes redundant.
    WildcardOriginAmongOthers {
        /// An entry other than `*`.
        entry: &'a str,
    },
    /// An origin entry that a browser could never send.
    MalformedOrigin {
        /// The entry.
        entry: &'a str,
        /// What is wrong with it.
        problem: OriginProblem,
    },
    /// No origin is allowed at all.
    NoOrigins,
    /// CONNECT, TRACE or TRACK, which browsers refuse to send.
    ForbiddenMethod {
        /// The entry.
        entry: &'a str,
    },
    /// A method written in lowercase that browsers always uppercase
    /// (`delete`, `get`, `head`, `options`, `post`, `put`).
    MethodNotNormalized {
        /// The entry.
        entry: &'a str,
    },
    /// A method or header name that is not an HTTP token.
    NotAToken {
        /// The option.
        option: Setting,
        /// The entry.
        entry: &'a str,
    },
    /// A request header browsers never let scripts set.
    ForbiddenRequestHeader {
        /// The entry.
        entry: &'a str,
    },
    /// A response header browsers never expose (`Set-Cookie`).
    ForbiddenResponseHeader {
        /// The entry.
        entry: &'a str,
    },
    /// The same entry twice (names compared case-insensitively).
    Duplicate {
        /// The option.
        option: Setting,
        /// The repeated entry.
        entry: &'a str,
    },
    /// A value that contains CR, LF or NUL and would break the response.
    UnsafeValue {
        /// The option.
        option: Setting,
        /// The entry.
        entry: &'a str,
    },
    /// A max-age above 86400 seconds.
    MaxAgeOutOfRange {
        /// The configured seconds.
        seconds: u32,
    },
    /// A literal max-age outside [`Syntax::Literal`].
    LiteralNeedsLiteralSyntax {
        /// The option.
        option: Setting,
    },
    /// A status code outside its range.
    StatusOutOfRange {
        /// The option.
        option: Setting,
        /// The configured status.
        status: u16,
    },
    /// A host verdict that admits one of [`VERDICT_PROBES`] in a policy
    /// with credentials: it exposes users as `*` with credentials would.
    WideVerdictWithCredentials {
        /// The first probe origin the verdict admitted.
        probe: &'static str,
    },
    /// A fixed capacity is too small for this configuration.
    CapacityExceeded {
        /// Which capacity.
        capacity: Capacity,
        /// Its size in this policy type.
        limit: usize,
    },
}

impl ConfigError<'_> {
    /// Every error's code, in declaration order.
    pub const CODES: [&'static str; 18] = [
        "wildcard_origin_with_credentials",
        "wildcard_with_credentials",
        "null_origin_with_credentials",
        "wildcard_origin_among_others",
        "malformed_origin",
        "no_origins",
        "forbidden_method",
        "method_not_normalized",
        "not_a_token",
        "forbidden_request_header",
        "forbidden_response_header",
        "duplicate",
        "unsafe_value",
        "max_age_out_of_range",
        "literal_needs_literal_syntax",
        "status_out_of_range",
        "wide_verdict_with_credentials",
        "capacity_exceeded",
    ];

    /// A stable snake_case code for the kind of error (the variant's name),
    /// shared by every binding and the conformance vectors.
    pub const fn code(&self) -> &'static str {
        match self {
            ConfigError::WildcardOriginWithCredentials => "wildcard_origin_with_credentials",
            ConfigError::WildcardWithCredentials { .. } => "wildcard_with_credentials",
            ConfigError::NullOriginWithCredentials => "null_origin_with_credentials",
            ConfigError::WildcardOriginAmongOthers { .. } => "wildcard_origin_among_others",
            ConfigError::MalformedOrigin { .. } => "malformed_origin",
            ConfigError::NoOrigins => "no_origins",
            ConfigError::ForbiddenMethod { .. } => "forbidden_method",
            ConfigError::MethodNotNormalized { .. } => "method_not_normalized",
            ConfigError::NotAToken { .. } => "not_a_token",
            ConfigError::ForbiddenRequestHeader { .. } => "forbidden_request_header",
            ConfigError::ForbiddenResponseHeader { .. } => "forbidden_response_header",
            ConfigError::Duplicate { .. } => "duplicate",
            ConfigError::UnsafeValue { .. } => "unsafe_value",
            ConfigError::MaxAgeOutOfRange { .. } => "max_age_out_of_range",
            ConfigError::LiteralNeedsLiteralSyntax { .. } => "literal_needs_literal_syntax",
            ConfigError::StatusOutOfRange { .. } => "status_out_of_range",
            ConfigError::WideVerdictWithCredentials { .. } => "wide_verdict_with_credentials",
            ConfigError::CapacityExceeded { .. } => "capacity_exceeded",
        }
    }
}

impl fmt::Display for ConfigError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f, &OptionNames::RUST)
    }
}

impl<'a> ConfigError<'a> {
    /// The message with the options named as `names` spells them (the
    /// `Display` form uses [`OptionNames::RUST`]), for bindings whose users
    /// wrote `origin` or `allow_origins` rather than `allowed_origins`.
    ///
    /// ```
    /// use corsguard::{Config, OptionNames, Policy};
    /// let config = Config::new().allowed_origins(&["https://app.example.com/"]);
    /// let err = Policy::<8, 8, 512>::new(&config).unwrap_err();
    /// let message = format!("{}", err.named(&OptionNames::CORS_NPM));
    /// assert!(message.starts_with("origin `https://app.example.com/`"));
    /// ```
    pub const fn named<'n>(&'n self, names: &'n OptionNames) -> NamedError<'n, 'a> {
        NamedError { error: self, names }
    }

    /// The option the error is about, when it is about one.
    pub const fn setting(&self) -> Option<Setting> {
        match *self {
            ConfigError::WildcardOriginWithCredentials
            | ConfigError::NullOriginWithCredentials
            | ConfigError::WildcardOriginAmongOthers { .. }
            | ConfigError::MalformedOrigin { .. }
            | ConfigError::NoOrigins => Some(Setting::AllowedOrigins),
            ConfigError::ForbiddenMethod { .. } | ConfigError::MethodNotNormalized { .. } => {
                Some(Setting::AllowedMethods)
            }
            ConfigError::ForbiddenRequestHeader { .. } => Some(Setting::AllowedHeaders),
            ConfigError::ForbiddenResponseHeader { .. } => Some(Setting::ExposedHeaders),
            ConfigError::MaxAgeOutOfRange { .. } => Some(Setting::MaxAge),
            ConfigError::WildcardWithCredentials { option }
            | ConfigError::NotAToken { option, .. }
            | ConfigError::Duplicate { option, .. }
            | ConfigError::UnsafeValue { option, .. }
            | ConfigError::LiteralNeedsLiteralSyntax { option }
            | ConfigError::StatusOutOfRange { option, .. } => Some(option),
            ConfigError::WideVerdictWithCredentials { .. }
            | ConfigError::CapacityExceeded { .. } => None,
        }
    }

    /// What is wrong with a malformed origin entry.
    pub const fn problem(&self) -> Option<OriginProblem> {
        match *self {
            ConfigError::MalformedOrigin { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The configured entry the error is about, when it is about one.
    pub const fn entry(&self) -> Option<&'a str> {
        match *self {
            ConfigError::WildcardOriginAmongOthers { entry }
            | ConfigError::MalformedOrigin { entry, .. }
            | ConfigError::ForbiddenMethod { entry }
            | ConfigError::MethodNotNormalized { entry }
            | ConfigError::NotAToken { entry, .. }
            | ConfigError::ForbiddenRequestHeader { entry }
            | ConfigError::ForbiddenResponseHeader { entry }
            | ConfigError::Duplicate { entry, .. }
            | ConfigError::UnsafeValue { entry, .. } => Some(entry),
            _ => None,
        }
    }

    fn write_message(&self, f: &mut fmt::Formatter<'_>, names: &OptionNames) -> fmt::Result {
        let origins = names.allowed_origins;
        match *self {
            ConfigError::WildcardOriginWithCredentials => write!(
                f,
                "{origins} `*` with credentials: browsers reject a wildcard origin on credentialed requests; list the exact origins instead",
            ),
            ConfigError::WildcardWithCredentials { option } => write!(
                f,
                "{} `*` with credentials: browsers read `*` as a literal name on credentialed requests; list the names instead",
                names.of(option)
            ),
            ConfigError::NullOriginWithCredentials => write!(
                f,
                "{origins} `null` with credentials: any sandboxed page or local file can claim the `null` origin; give those pages a real origin instead",
            ),
            ConfigError::WildcardOriginAmongOthers { entry } => write!(
                f,
                "{origins} `*` together with `{entry}`: the wildcard already allows every origin; keep either `*` alone or only the listed origins"
            ),
            ConfigError::MalformedOrigin { entry, problem } => {
                write!(f, "{origins} `{entry}`: {}", problem.explanation())?;
                crate::origin::write_fix(f, entry, problem)
            }
            ConfigError::NoOrigins => write!(
                f,
                "{origins} is empty: a policy that allows no origin answers nothing; list at least one origin, or `*`",
            ),
            ConfigError::ForbiddenMethod { entry } => write!(
                f,
                "{} `{entry}`: browsers never send CONNECT, TRACE or TRACK from scripts; remove it",
                names.of(Setting::AllowedMethods)
            ),
            ConfigError::MethodNotNormalized { entry } => write!(
                f,
                "{} `{entry}`: browsers uppercase this method before sending it, so it could never match; write it in uppercase",
                names.of(Setting::AllowedMethods)
            ),
            ConfigError::NotAToken { option, entry } => write!(
                f,
                "{} `{entry}`: a name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~, no spaces or commas); write one name per entry",
                names.of(option)
            ),
            ConfigError::ForbiddenRequestHeader { entry } => write!(
                f,
                "{} `{entry}`: browsers never let scripts set this header, so allowing it has no effect; remove it",
                names.of(Setting::AllowedHeaders)
            ),
            ConfigError::ForbiddenResponseHeader { entry } => write!(
                f,
                "{} `{entry}`: browsers never expose this header to scripts; remove it",
                names.of(Setting::ExposedHeaders)
            ),
            ConfigError::Duplicate { option, entry } => write!(
                f,
                "{} `{entry}`: listed more than once; remove the repeat",
                names.of(option)
            ),
            ConfigError::UnsafeValue { option, entry } => write!(
                f,
                "{} {entry:?}: contains CR, LF or NUL, which would break the response headers; remove them",
                names.of(option)
            ),
            ConfigError::MaxAgeOutOfRange { seconds } => write!(
                f,
                "{} {seconds}: browsers cap the preflight cache at 86400 seconds (Chromium at 7200); use a value from 0 to 86400",
                names.of(Setting::MaxAge)
            ),
            ConfigError::LiteralNeedsLiteralSyntax { option } => write!(
                f,
                "{}: a literal value is only for the compatibility profiles; give a number of seconds",
                names.of(option)
            ),
            ConfigError::StatusOutOfRange { option, status } => match option {
                Setting::PreflightStatus => write!(
                    f,
                    "{} {status}: browsers accept a preflight only with a 2xx status; use 204 or 200",
                    names.of(Setting::PreflightStatus)
                ),
                _ => write!(
                    f,
                    "{} {status}: not an HTTP status code; use one from 100 to 599",
                    names.of(option)
                ),
            },
            ConfigError::WideVerdictWithCredentials { probe } => write!(
                f,
                "{} allows `{probe}`, an origin no policy means to allow, with credentials: any site could read your users' credentialed responses; make the regex or callback admit only your own origins (a regex must match the whole origin), or opt in with {}",
                names.origin_verdict, names.allow_wide_verdict_with_credentials
            ),
            ConfigError::CapacityExceeded { capacity, limit } => {
                let what = match capacity {
                    Capacity::Origins => "ORIGINS (origins and patterns)",
                    Capacity::Names => "NAMES (methods and allowed header names)",
                    Capacity::Bytes => "BYTES (stored origins and header values)",
                    Capacity::DecisionHeaders => "of headers in one decision",
                };
                write!(
                    f,
                    "the policy's capacity {what} of {limit} is too small for this configuration; {}",
                    match capacity {
                        Capacity::Origins => "use a Policy type with a larger ORIGINS",
                        Capacity::Names => "use a Policy type with a larger NAMES",
                        Capacity::Bytes => "use a Policy type with a larger BYTES",
                        Capacity::DecisionHeaders => "list each slot of the header order once",
                    }
                )
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ConfigError<'_> {}

impl Config<'_> {
    /// Refuses a host verdict that admits a probe origin together with
    /// credentials, where the behaviour refuses `*` with credentials.
    pub(crate) fn check_verdict(&self) -> Result<(), ConfigError<'static>> {
        let refused = self.behaviour.wildcard_with_credentials == WildcardWithCredentials::Refuse;
        match self.admitted_probe() {
            Some(probe) if refused => Err(ConfigError::WideVerdictWithCredentials { probe }),
            _ => Ok(()),
        }
    }

    /// The first probe origin a verdict admits in a policy with
    /// credentials, unless the caller opted in.
    pub(crate) fn admitted_probe(&self) -> Option<&'static str> {
        if !self.origin_verdict || !self.credentials || self.wide_verdict_with_credentials {
            return None;
        }
        VERDICT_PROBES
            .iter()
            .enumerate()
            .find(|(i, _)| self.verdict_probes & (1 << i) != 0)
            .map(|(_, probe)| *probe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    type Small = Policy<8, 8, 512>;

    fn verdict(admitted: u8, credentials: bool) -> Config<'static> {
        Config::new()
            .origin_verdict(true)
            .origin_verdict_probes(admitted)
            .credentials(credentials)
    }

    #[test]
    fn a_verdict_admitting_a_probe_with_credentials_is_refused() {
        let err = Small::new(&verdict(0b010, true)).unwrap_err();
        assert_eq!(
            err,
            ConfigError::WideVerdictWithCredentials {
                probe: "http://evil.test"
            }
        );
        let mut message = heapless::String::<512>::new();
        fmt::Write::write_fmt(&mut message, format_args!("{err}")).unwrap();
        assert!(message.starts_with("origin_verdict allows `http://evil.test`"));
        assert!(message.ends_with("opt in with allow_wide_verdict_with_credentials"));
    }

    #[test]
    fn the_first_admitted_probe_is_named() {
        let err = Small::new(&verdict(0b110, true)).unwrap_err();
        assert_eq!(
            err,
            ConfigError::WideVerdictWithCredentials {
                probe: VERDICT_PROBES[1]
            }
        );
    }

    #[test]
    fn a_narrow_verdict_with_credentials_is_accepted() {
        assert!(Small::new(&verdict(0, true)).is_ok());
    }

    #[test]
    fn a_wide_verdict_without_credentials_is_accepted_like_the_wildcard() {
        assert!(Small::new(&verdict(0b111, false)).is_ok());
    }

    #[test]
    fn the_opt_in_accepts_a_wide_verdict_with_credentials() {
        let config = verdict(0b001, true).allow_wide_verdict_with_credentials(true);
        assert!(Small::new(&config).is_ok());
    }

    #[test]
    fn probes_without_a_verdict_are_ignored() {
        let config = Config::new()
            .allowed_origins(&["https://app.example.com"])
            .origin_verdict_probes(0b111)
            .credentials(true);
        assert!(Small::new(&config).is_ok());
    }

    #[test]
    fn profiles_that_send_the_wildcard_with_credentials_accept_a_wide_verdict() {
        for name in ["cors_npm", "starlette"] {
            let behaviour = Behaviour::named(name).unwrap();
            let config = verdict(0b111, true).behaviour(behaviour);
            assert!(Small::new(&config).is_ok(), "{name}");
        }
    }

    #[test]
    fn probes_are_tuple_origins_under_reserved_names() {
        for probe in VERDICT_PROBES {
            let host = probe.split("://").nth(1).unwrap();
            assert!(
                host.ends_with(".test") || host.ends_with(".invalid"),
                "{probe}"
            );
        }
    }
}
