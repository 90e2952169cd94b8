//! The Node.js addon for corsguard: translates JS options into the core's
//! `Config`, builds the `Policy`, and answers requests.
//!
//! Two entry points per policy:
//! - `run`: the per-request path of the middlewares. It returns a small
//!   integer naming the *shape* of the decision (status, header names and
//!   where each value comes from). A value is either a constant of the policy,
//!   or the request's own `Origin` / `Access-Control-Request-Headers` string,
//!   which the JS side already holds; so no string crosses back per request.
//!   Shapes are interned on first sight and fetched once with `shape`.
//! - `evaluate`: the whole decision (kind, outcome, reason, headers as bytes),
//!   for the strict `Policy` API and the conformance vectors.
//!
//! All CORS logic is the core's; this file only converts types.

use std::cell::RefCell;

use corsguard::{
    Action, AllowedHeaders, Behaviour, Capacity, Config, ConfigError, Decision, ExposedHeaders,
    Failures, HeaderName, MaxAge, Methods, OptionNames, Policy, Reason, Request,
    MAX_DECISION_HEADERS,
};
use napi::bindgen_prelude::{Buffer, Either};
use napi::{Env, JsString, JsUnknown, ValueType};
use napi_derive::napi;

// ---------------------------------------------------------------------------
// Size classes
// ---------------------------------------------------------------------------

/// Policies are built in the smallest class that fits. `Default` is the
/// core's default `Policy` (the capacities the conformance vectors assume);
/// `Large` is only offered to the `cors` drop-in, whose peer has no limits.
type SmallPolicy = Policy<16, 16, 1024>;
type DefaultPolicy = Policy<256, 64, 16384>;
type LargePolicy = Policy<2048, 256, 131072>;

enum SizedPolicy {
    Small(Box<SmallPolicy>),
    Default(Box<DefaultPolicy>),
    Large(Box<LargePolicy>),
}

macro_rules! with_policy {
    ($sized:expr, $p:ident => $body:expr) => {
        match $sized {
            SizedPolicy::Small($p) => $body,
            SizedPolicy::Default($p) => $body,
            SizedPolicy::Large($p) => $body,
        }
    };
}

/// The empty policies a build starts from, copied into each new allocation.
static EMPTY_SMALL: SmallPolicy = Policy::empty();
static EMPTY_DEFAULT: DefaultPolicy = Policy::empty();
static EMPTY_LARGE: LargePolicy = Policy::empty();

/// Validates `config` and builds the policy on the heap, in place: `empty`
/// is copied into a fresh allocation and `rebuild` fills the tables there.
/// `Box::new(Policy::new(..)?)` built the policy on the stack and moved it
/// (with every class's temporaries in one frame); this needs at most 16 KiB
/// of stack, whatever the class.
fn boxed<'a, const O: usize, const N: usize, const B: usize>(
    empty: &'static Policy<O, N, B>,
    config: &Config<'a>,
) -> Result<Box<Policy<O, N, B>>, ConfigError<'a>> {
    let mut slot = Box::<Policy<O, N, B>>::new_uninit();
    // SAFETY: a byte copy of a valid policy is a valid policy: it is plain
    // data (fixed-capacity tables of `Copy` items and `'static` references,
    // nothing owned, nothing pointing into itself), and the static is never
    // dropped. The two do not overlap. Copying from memory, unlike writing a
    // value, puts no policy-sized temporary on the stack.
    let mut policy = unsafe {
        std::ptr::copy_nonoverlapping(empty, slot.as_mut_ptr(), 1);
        slot.assume_init()
    };
    policy.rebuild(config)?;
    Ok(policy)
}

fn is_capacity(error: &ConfigError<'_>) -> bool {
    matches!(
        error,
        ConfigError::CapacityExceeded {
            capacity: Capacity::Origins | Capacity::Names | Capacity::Bytes,
            ..
        }
    )
}

// ---------------------------------------------------------------------------
// Options, as the JS side has already translated them
// ---------------------------------------------------------------------------

/// The core's configuration in JS terms (camelCase). Lists are arrays of
/// strings; `"*"` (and `"mirror"` for allowed headers) are the keywords.
#[napi(object)]
pub struct NativeOptions {
    /// `strict` (default), `cors_npm` or `starlette`.
    pub profile: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub fixed_origin: Option<String>,
    pub origin_verdict: Option<bool>,
    /// Which of the core's `VERDICT_PROBES` the JS verdict admits (bit i).
    pub origin_verdict_probes: Option<u32>,
    pub allow_wide_verdict_with_credentials: Option<bool>,
    /// How errors and findings name the options: `rust` (default),
    /// `cors_npm` (the drop-in: `origin`, `maxAge`) or `node` (`Policy`).
    pub option_names: Option<String>,
    pub allowed_methods: Option<Either<Vec<String>, String>>,
    pub allowed_headers: Option<Either<Vec<String>, String>>,
    pub exposed_headers: Option<Either<Vec<String>, String>>,
    pub credentials: Option<bool>,
    /// Seconds, or a literal value (compatibility profiles only).
    pub max_age: Option<Either<u32, String>>,
    pub private_network: Option<bool>,
    pub preflight_continue: Option<bool>,
    pub preflight_status: Option<u32>,
}

/// A configuration the core refused (or a finding): `code` is
/// `ConfigError::code()`, `message` its `Display` with the options named as
/// asked, `range` whether JS should throw a `RangeError`.
#[napi(object)]
#[derive(Clone)]
pub struct NativeConfigError {
    pub code: String,
    pub message: String,
    pub range: bool,
    /// For `malformed_origin`: what is wrong (`OriginProblem::code()`).
    pub problem: Option<String>,
    /// The configured entry the error is about, if any.
    pub entry: Option<String>,
}

fn profile_behaviour(name: Option<&str>) -> Result<Behaviour, NativeConfigError> {
    let name = name.unwrap_or("strict");
    match Behaviour::named(name) {
        Some(behaviour) => Ok(behaviour),
        None => Err(NativeConfigError {
            code: "unknown_profile".into(),
            message: format!(
                "profile `{name}`: not a profile; use \"strict\", \"cors_npm\" or \"starlette\""
            ),
            range: false,
            problem: None,
            entry: None,
        }),
    }
}

fn keyword_error(option: &str, value: &str, allowed: &str) -> NativeConfigError {
    NativeConfigError {
        code: "bad_keyword".into(),
        message: format!("{option} `{value}`: not a keyword; give a list of names or {allowed}"),
        range: false,
        problem: None,
        entry: None,
    }
}

fn as_strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// The core's error as JS sees it, with the options named by `names`.
fn native_error(e: &ConfigError<'_>, names: &OptionNames) -> NativeConfigError {
    NativeConfigError {
        code: e.code().to_string(),
        message: e.named(names).to_string(),
        range: matches!(
            e,
            ConfigError::StatusOutOfRange { .. }
                | ConfigError::MaxAgeOutOfRange { .. }
                | ConfigError::CapacityExceeded { .. }
        ),
        problem: e.problem().map(|p| p.code().to_string()),
        entry: e.entry().map(str::to_string),
    }
}

fn option_names(name: Option<&str>) -> Result<&'static OptionNames, NativeConfigError> {
    match name.unwrap_or("rust") {
        "rust" => Ok(&OptionNames::RUST),
        "cors_npm" => Ok(&OptionNames::CORS_NPM),
        "node" => Ok(&OptionNames::NODE),
        other => Err(keyword_error(
            "optionNames",
            other,
            "\"rust\", \"cors_npm\" or \"node\"",
        )),
    }
}

/// Translates `options` into the core's `Config` and hands it to `then`,
/// with the option names errors are to use.
fn configure<R>(
    options: &NativeOptions,
    then: impl FnOnce(&Config<'_>, &'static OptionNames) -> Result<R, NativeConfigError>,
) -> Result<R, NativeConfigError> {
    let behaviour = profile_behaviour(options.profile.as_deref())?;
    let names = option_names(options.option_names.as_deref())?;
    let origins = options
        .allowed_origins
        .as_deref()
        .map(as_strs)
        .unwrap_or_default();
    fn list(e: &Option<Either<Vec<String>, String>>) -> Vec<&str> {
        match e {
            Some(Either::A(list)) => as_strs(list),
            _ => Vec::new(),
        }
    }
    let methods = list(&options.allowed_methods);
    let headers = list(&options.allowed_headers);
    let exposed = list(&options.exposed_headers);

    let mut config = Config::new().behaviour(behaviour).allowed_origins(&origins);
    if let Some(fixed) = &options.fixed_origin {
        config = config.fixed_origin(fixed);
    }
    if let Some(verdict) = options.origin_verdict {
        config = config.origin_verdict(verdict);
    }
    if let Some(admitted) = options.origin_verdict_probes {
        config = config.origin_verdict_probes(admitted as u8);
    }
    if let Some(allow) = options.allow_wide_verdict_with_credentials {
        config = config.allow_wide_verdict_with_credentials(allow);
    }
    config = match &options.allowed_methods {
        None => config,
        Some(Either::A(_)) => config.allowed_methods(Methods::List(&methods)),
        Some(Either::B(k)) if k == "*" => config.allowed_methods(Methods::Any),
        Some(Either::B(k)) => return Err(keyword_error("allowedMethods", k, "\"*\"")),
    };
    config = match &options.allowed_headers {
        None => config,
        Some(Either::A(_)) => config.allowed_headers(AllowedHeaders::List(&headers)),
        Some(Either::B(k)) if k == "*" => config.allowed_headers(AllowedHeaders::Any),
        Some(Either::B(k)) if k == "mirror" => config.allowed_headers(AllowedHeaders::Mirror),
        Some(Either::B(k)) => {
            return Err(keyword_error("allowedHeaders", k, "\"*\" or \"mirror\""))
        }
    };
    config = match &options.exposed_headers {
        None => config,
        Some(Either::A(_)) => config.exposed_headers(ExposedHeaders::List(&exposed)),
        Some(Either::B(k)) if k == "*" => config.exposed_headers(ExposedHeaders::Any),
        Some(Either::B(k)) => return Err(keyword_error("exposedHeaders", k, "\"*\"")),
    };
    if let Some(allow) = options.credentials {
        config = config.credentials(allow);
    }
    config = match &options.max_age {
        None => config,
        Some(Either::A(seconds)) => config.max_age_value(Some(MaxAge::Seconds(*seconds))),
        Some(Either::B(literal)) => config.max_age_value(Some(MaxAge::Literal(literal))),
    };
    if let Some(allow) = options.private_network {
        config = config.private_network(allow);
    }
    if let Some(pass) = options.preflight_continue {
        config = config.preflight_continue(pass);
    }
    if let Some(status) = options.preflight_status {
        // Out of u16 range: 0 is refused by the core with the same rule.
        config = config.preflight_status(u16::try_from(status).unwrap_or(0));
    }

    then(&config, names)
}

/// The core's findings on a configuration, without building a policy.
fn findings_of(config: &Config<'_>, names: &OptionNames) -> Vec<NativeConfigError> {
    let mut found = Vec::new();
    corsguard::findings(config, &mut |finding| {
        found.push(native_error(&finding, names))
    });
    found
}

/// Builds the policy in the smallest class it fits (the large one only when
/// `large`).
fn construct(
    config: &Config<'_>,
    names: &OptionNames,
    large: bool,
) -> Result<SizedPolicy, NativeConfigError> {
    let refused = |e: ConfigError<'_>| native_error(&e, names);
    match boxed(&EMPTY_SMALL, config) {
        Ok(p) => return Ok(SizedPolicy::Small(p)),
        Err(e) if !is_capacity(&e) => return Err(refused(e)),
        Err(_) => {}
    }
    match boxed(&EMPTY_DEFAULT, config) {
        Ok(p) => return Ok(SizedPolicy::Default(p)),
        Err(e) if !(large && is_capacity(&e)) => return Err(refused(e)),
        Err(_) => {}
    }
    boxed(&EMPTY_LARGE, config)
        .map(SizedPolicy::Large)
        .map_err(refused)
}

// ---------------------------------------------------------------------------
// Reading request strings without a heap allocation in the common case
// ---------------------------------------------------------------------------

/// Request header values shorter than this are copied onto the stack.
const INLINE: usize = 256;

/// The UTF-8 bytes of a JS string: inline when short, on the heap when long.
struct Utf8Buf {
    inline: [u8; INLINE],
    len: usize,
    heap: Vec<u8>,
    on_heap: bool,
}

impl Utf8Buf {
    fn new() -> Self {
        Utf8Buf {
            inline: [0; INLINE],
            len: 0,
            heap: Vec::new(),
            on_heap: false,
        }
    }

    fn bytes(&self) -> &[u8] {
        if self.on_heap {
            &self.heap
        } else {
            &self.inline[..self.len]
        }
    }

    /// Copies `value` (a JS string) in. Lone surrogates become U+FFFD, as
    /// N-API's UTF-8 conversion does.
    fn fill(&mut self, env: &Env, value: &JsString) -> napi::Result<()> {
        use napi::NapiRaw;
        let raw_env = env.raw();
        // SAFETY: `value` is a live JS string handle of this env; the buffer
        // pointer and capacity describe `self.inline`, which N-API writes at
        // most `INLINE - 1` bytes plus a NUL into.
        let mut written = 0usize;
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                raw_env,
                value.raw(),
                self.inline.as_mut_ptr().cast(),
                INLINE,
                &mut written,
            )
        };
        check(status)?;
        if written < INLINE - 4 {
            // Room to spare: the string was not truncated (a truncated copy
            // fills the buffer to within one UTF-8 sequence).
            self.len = written;
            self.on_heap = false;
            return Ok(());
        }
        let mut total = 0usize;
        // SAFETY: a NULL buffer asks N-API for the length only.
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                raw_env,
                value.raw(),
                std::ptr::null_mut(),
                0,
                &mut total,
            )
        };
        check(status)?;
        self.heap.clear();
        self.heap.resize(total + 1, 0);
        // SAFETY: `self.heap` has `total + 1` bytes, room for the copy and NUL.
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                raw_env,
                value.raw(),
                self.heap.as_mut_ptr().cast(),
                total + 1,
                &mut written,
            )
        };
        check(status)?;
        self.heap.truncate(written);
        self.on_heap = true;
        Ok(())
    }
}

fn check(status: napi::sys::napi_status) -> napi::Result<()> {
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::from(status),
            "cannot read a request header string".to_string(),
        ))
    }
}

/// Reads an optional string argument: `undefined`/`null` are absent; any
/// other non-string is absent too (the JS side only passes strings).
fn read_opt(env: &Env, value: Option<JsUnknown>, buf: &mut Utf8Buf) -> napi::Result<bool> {
    let Some(value) = value else { return Ok(false) };
    if value.get_type()? != ValueType::String {
        return Ok(false);
    }
    // SAFETY-free cast: the type was checked just above.
    let s: JsString = unsafe { value.cast() };
    buf.fill(env, &s)?;
    Ok(true)
}

/// Bytes in, text out: UTF-8 when valid, otherwise Latin-1 (one char per
/// byte, which is what Node writes back as those same bytes).
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

// ---------------------------------------------------------------------------
// Decision shapes
// ---------------------------------------------------------------------------

/// Where a header value comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Source {
    #[default]
    Origin,
    RequestHeaders,
    /// A constant of the policy (or a `'static` literal): stable address.
    Const {
        ptr: usize,
        len: usize,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    name: u8,
    source: Source,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShapeKey {
    /// `None`: continue to the application; `Some(status)`: respond.
    status: Option<u16>,
    body: Option<&'static str>,
    len: usize,
    slots: [Slot; MAX_DECISION_HEADERS],
}

struct Shape {
    key: ShapeKey,
    /// For each slot: its header name and, for constants, the value.
    names: Vec<&'static str>,
    values: Vec<Option<String>>,
}

/// The shape table never grows past this; beyond it (never seen in practice:
/// a policy has a handful of shapes) decisions are described uncached.
const MAX_SHAPES: usize = 64;
const UNCACHED: u32 = u32::MAX;

fn header_code(name: HeaderName) -> u8 {
    match name {
        HeaderName::AllowOrigin => 0,
        HeaderName::AllowCredentials => 1,
        HeaderName::AllowMethods => 2,
        HeaderName::AllowHeaders => 3,
        HeaderName::MaxAge => 4,
        HeaderName::ExposeHeaders => 5,
        HeaderName::AllowPrivateNetwork => 6,
        HeaderName::Vary => 7,
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

fn within(part: &[u8], whole: &[u8]) -> bool {
    let (p, w) = (part.as_ptr() as usize, whole.as_ptr() as usize);
    p >= w && p + part.len() <= w + whole.len()
}

/// The shape of `decision`, or `None` when a value borrows from the request
/// other than as the whole Origin or Access-Control-Request-Headers (the
/// core never does this today; such a decision is described uncached).
fn shape_of(decision: &Decision<'_>, request: &Request<'_>) -> Option<ShapeKey> {
    let mut key = ShapeKey {
        status: match decision.action() {
            Action::Continue => None,
            Action::Respond { status } => Some(status),
        },
        body: decision.body(),
        len: 0,
        slots: [Slot::default(); MAX_DECISION_HEADERS],
    };
    let borrowed = [
        request.origin,
        request.request_headers,
        request.request_method,
        request.request_private_network,
        Some(request.method),
    ];
    for (i, header) in decision.headers().iter().enumerate() {
        let v = header.value;
        let source = match (request.origin, request.request_headers) {
            (Some(o), _) if same(v, o) => Source::Origin,
            (_, Some(h)) if same(v, h) => Source::RequestHeaders,
            _ if !v.is_empty() && borrowed.iter().flatten().any(|b| within(v, b)) => return None,
            _ => Source::Const {
                ptr: v.as_ptr() as usize,
                len: v.len(),
            },
        };
        *key.slots.get_mut(i)? = Slot {
            name: header_code(header.name),
            source,
        };
        key.len = i + 1;
    }
    Some(key)
}

/// A shape as JS reads it: `status` is -1 to continue; `sources` per header
/// is 0 for a constant (in `values`), 1 for the request's Origin, 2 for its
/// Access-Control-Request-Headers, 3 for a literal value in `values`.
#[napi(object)]
pub struct NativeShape {
    pub status: i32,
    pub body: Option<String>,
    pub names: Vec<String>,
    pub sources: Vec<u32>,
    pub values: Vec<Option<String>>,
}

// ---------------------------------------------------------------------------
// The policy class
// ---------------------------------------------------------------------------

/// A validated policy. Built with `compile`; not constructible from JS.
#[napi]
pub struct NativePolicy {
    policy: SizedPolicy,
    /// What the strict profile would refuse in the configuration.
    findings: Vec<NativeConfigError>,
    shapes: RefCell<Vec<Shape>>,
    /// The description of the last uncached decision.
    uncached: RefCell<Option<NativeShape>>,
}

/// The origins a host verdict is tried on when a policy is built (the
/// core's `VERDICT_PROBES`).
#[napi]
pub fn verdict_probes() -> Vec<&'static str> {
    corsguard::VERDICT_PROBES.to_vec()
}

/// The core's findings on a configuration (what the strict profile would
/// refuse, named as `optionNames` says), without building a policy: cheap
/// enough to check each value an origin callback returns.
#[napi]
pub fn findings(options: NativeOptions) -> Either<Vec<NativeConfigError>, NativeConfigError> {
    match configure(&options, |config, names| Ok(findings_of(config, names))) {
        Ok(found) => Either::A(found),
        Err(e) => Either::B(e),
    }
}

/// Builds a policy, or describes why the core refused the configuration.
/// `large` allows the large size class (the `cors` drop-in).
#[napi]
pub fn compile(options: NativeOptions, large: bool) -> Either<NativePolicy, NativeConfigError> {
    let built = configure(&options, |config, names| {
        Ok((construct(config, names, large)?, findings_of(config, names)))
    });
    match built {
        Ok((policy, findings)) => Either::A(NativePolicy {
            policy,
            findings,
            shapes: RefCell::new(Vec::new()),
            uncached: RefCell::new(None),
        }),
        Err(e) => Either::B(e),
    }
}

/// The full decision, for the strict API and the conformance vectors.
#[napi(object)]
pub struct NativeDecision {
    pub kind: String,
    pub outcome: String,
    pub reason: Option<String>,
    /// The method or header name a refusal is about, as bytes.
    pub reason_detail: Option<Buffer>,
    /// The reason as a sentence.
    pub message: Option<String>,
    pub failures: Vec<String>,
    pub action: String,
    pub status: Option<u32>,
    pub names: Vec<String>,
    pub values: Vec<Buffer>,
    pub body: Option<String>,
}

fn bytes_arg(value: &Option<Either<String, Buffer>>) -> Option<&[u8]> {
    value.as_ref().map(|v| match v {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => &b[..],
    })
}

#[napi]
impl NativePolicy {
    /// The per-request path: judges one request and returns its shape id
    /// (`0xFFFFFFFF` when uncached: read it with `shape(0xFFFFFFFF)` at once).
    /// Arguments that are not strings count as absent.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        env: Env,
        method: Option<JsUnknown>,
        origin: Option<JsUnknown>,
        request_method: Option<JsUnknown>,
        request_headers: Option<JsUnknown>,
        request_private_network: Option<JsUnknown>,
        verdict: Option<bool>,
    ) -> napi::Result<u32> {
        let mut bufs = [
            Utf8Buf::new(),
            Utf8Buf::new(),
            Utf8Buf::new(),
            Utf8Buf::new(),
            Utf8Buf::new(),
        ];
        let args = [
            method,
            origin,
            request_method,
            request_headers,
            request_private_network,
        ];
        let mut present = [false; 5];
        for ((arg, buf), seen) in args
            .into_iter()
            .zip(bufs.iter_mut())
            .zip(present.iter_mut())
        {
            *seen = read_opt(&env, arg, buf)?;
        }
        let get = |i: usize| present[i].then(|| bufs[i].bytes());
        let mut request = Request::new(get(0).unwrap_or_default());
        request.origin = get(1);
        request.request_method = get(2);
        request.request_headers = get(3);
        request.request_private_network = get(4);
        request.origin_verdict = verdict;
        Ok(with_policy!(&self.policy, p => {
            let decision = p.evaluate(&request);
            self.intern(&decision, &request)
        }))
    }

    /// Describes shape `id` (JS caches it).
    #[napi]
    pub fn shape(&self, id: u32) -> Option<NativeShape> {
        if id == UNCACHED {
            return self.uncached.borrow_mut().take();
        }
        let shapes = self.shapes.borrow();
        let shape = shapes.get(id as usize)?;
        Some(NativeShape {
            status: shape.key.status.map_or(-1, i32::from),
            body: shape.key.body.map(str::to_owned),
            names: shape.names.iter().map(|n| n.to_string()).collect(),
            sources: shape.key.slots[..shape.key.len]
                .iter()
                .map(|s| match s.source {
                    Source::Const { .. } => 0,
                    Source::Origin => 1,
                    Source::RequestHeaders => 2,
                })
                .collect(),
            values: shape.values.clone(),
        })
    }

    /// The whole decision. Strings are read as UTF-8, buffers as bytes.
    #[napi]
    pub fn evaluate(
        &self,
        method: Either<String, Buffer>,
        origin: Option<Either<String, Buffer>>,
        request_method: Option<Either<String, Buffer>>,
        request_headers: Option<Either<String, Buffer>>,
        request_private_network: Option<Either<String, Buffer>>,
        verdict: Option<bool>,
    ) -> NativeDecision {
        let method = Some(method);
        let mut request = Request::new(bytes_arg(&method).unwrap_or_default());
        request.origin = bytes_arg(&origin);
        request.request_method = bytes_arg(&request_method);
        request.request_headers = bytes_arg(&request_headers);
        request.request_private_network = bytes_arg(&request_private_network);
        request.origin_verdict = verdict;
        with_policy!(&self.policy, p => describe(&p.evaluate(&request)))
    }

    /// How the decision's `Vary` is added to a response: `dedup` or `join`.
    #[napi(getter)]
    pub fn vary_merge(&self) -> &'static str {
        let merge = with_policy!(&self.policy, p => p.behaviour().vary_merge);
        match merge {
            corsguard::VaryMerge::Dedup => "dedup",
            corsguard::VaryMerge::Join => "join",
        }
    }

    /// What the strict profile would refuse in the configuration (the
    /// core's findings); empty for a valid strict policy.
    #[napi(getter)]
    pub fn findings(&self) -> Vec<NativeConfigError> {
        self.findings.clone()
    }

    /// Which size class the policy was built in (`small`, `default`, `large`).
    #[napi(getter)]
    pub fn size_class(&self) -> &'static str {
        match self.policy {
            SizedPolicy::Small(_) => "small",
            SizedPolicy::Default(_) => "default",
            SizedPolicy::Large(_) => "large",
        }
    }
}

impl NativePolicy {
    fn intern(&self, decision: &Decision<'_>, request: &Request<'_>) -> u32 {
        let Some(key) = shape_of(decision, request) else {
            *self.uncached.borrow_mut() = Some(literal_shape(decision));
            return UNCACHED;
        };
        let mut shapes = self.shapes.borrow_mut();
        if let Some(i) = shapes.iter().position(|s| s.key == key) {
            return i as u32;
        }
        if shapes.len() >= MAX_SHAPES {
            *self.uncached.borrow_mut() = Some(literal_shape(decision));
            return UNCACHED;
        }
        let names = decision.headers().iter().map(|h| h.name.as_str()).collect();
        let values = decision
            .headers()
            .iter()
            .zip(&key.slots)
            .map(|(h, slot)| match slot.source {
                Source::Const { .. } => Some(text(h.value)),
                _ => None,
            })
            .collect();
        shapes.push(Shape { key, names, values });
        (shapes.len() - 1) as u32
    }
}

/// A decision described with every value written out (source 3).
fn literal_shape(decision: &Decision<'_>) -> NativeShape {
    NativeShape {
        status: match decision.action() {
            Action::Continue => -1,
            Action::Respond { status } => i32::from(status),
        },
        body: decision.body().map(str::to_owned),
        names: decision
            .headers()
            .iter()
            .map(|h| h.name.as_str().to_string())
            .collect(),
        sources: decision.headers().iter().map(|_| 3).collect(),
        values: decision
            .headers()
            .iter()
            .map(|h| Some(text(h.value)))
            .collect(),
    }
}

fn describe(decision: &Decision<'_>) -> NativeDecision {
    let reason = decision.reason();
    let reason_detail = match reason {
        Some(Reason::MethodNotAllowed { method }) => Some(method.to_vec().into()),
        Some(Reason::HeaderNotAllowed { name }) => Some(name.to_vec().into()),
        _ => None,
    };
    let failures = [
        (Failures::ORIGIN, "origin"),
        (Failures::METHOD, "method"),
        (Failures::HEADERS, "headers"),
        (Failures::PRIVATE_NETWORK, "private-network"),
    ]
    .into_iter()
    .filter(|(f, _)| decision.failures().contains(*f))
    .map(|(_, name)| name.to_string())
    .collect();
    let (action, status) = match decision.action() {
        Action::Continue => ("continue", None),
        Action::Respond { status } => ("respond", Some(u32::from(status))),
    };
    NativeDecision {
        kind: decision.kind().code().to_string(),
        outcome: decision.outcome().code().to_string(),
        reason: reason.map(|r| r.code().to_string()),
        reason_detail,
        message: reason.map(|r| r.to_string()),
        failures,
        action: action.to_string(),
        status,
        names: decision
            .headers()
            .iter()
            .map(|h| h.name.as_str().to_string())
            .collect(),
        values: decision
            .headers()
            .iter()
            .map(|h| h.value.to_vec().into())
            .collect(),
        body: decision.body().map(str::to_owned),
    }
}
