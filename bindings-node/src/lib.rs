//! The Node.js addon for corsguard: loads policy documents (the core's
//! `Document`, the one format every runtime reads) and answers requests.
//! The JS side turns its options (`new Policy({...})`, the `cors` drop-in's
//! options) into a document; no option is translated here.
//!
//! A loaded document holds every policy it serves (one without `routes`),
//! each built by the core's `Document::build_all` in the smallest capacity
//! class that holds it, and, with routes, the document that picks one per
//! request path (`route`). Per served policy:
//! - `run`: the per-request path of the middlewares. It returns a small
//!   integer naming the *shape* of the decision (status, header names and
//!   where each value comes from). A value is either a constant of the policy,
//!   or the request's own `Origin` / `Access-Control-Request-Headers` string,
//!   which the JS side already holds; so no string crosses back per request.
//!   Shapes are interned on first sight, in a table per served policy, and
//!   fetched once with `shape`.
//! - `evaluate`: the whole decision (kind, outcome, reason, headers as bytes),
//!   for the strict `Policy` API and the conformance vectors.
//!
//! All CORS logic is the core's; this file only converts types.

use std::cell::RefCell;

use corsguard::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard::document::{PolicySlots, Rebuild};
use corsguard::limits::MAX_DECISION_HEADERS;
use corsguard::{
    Action, Decision, Document, DocumentErrors, HeaderName, OptionNames, Policy, Problem, Request,
};
use napi::bindgen_prelude::{Buffer, Either};
use napi::{Env, JsUnknown, ValueType};
use napi_derive::napi;

// ---------------------------------------------------------------------------
// Capacity classes: the core's table
// ---------------------------------------------------------------------------

/// A policy in one of the core's capacity classes (`CapacityClass`).
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

/// An empty policy on the heap, allocated in place: `empty` is copied into
/// a fresh allocation. `Box::new(Policy::empty())` would pass the policy
/// through the stack; building into this one needs at most the core's
/// 16 KiB of stack, whatever the class.
fn boxed<const O: usize, const N: usize, const B: usize>(
    empty: &'static Policy<O, N, B>,
) -> Box<Policy<O, N, B>> {
    let mut slot = Box::<Policy<O, N, B>>::new_uninit();
    // SAFETY: a byte copy of a valid policy is a valid policy: it is plain
    // data (fixed-capacity tables of `Copy` items and `'static` references,
    // nothing owned, nothing pointing into itself), and the static is never
    // dropped. The two do not overlap. Copying from memory, unlike writing a
    // value, puts no policy-sized temporary on the stack.
    unsafe {
        std::ptr::copy_nonoverlapping(empty, slot.as_mut_ptr(), 1);
        slot.assume_init()
    }
}

impl SizedPolicy {
    /// An empty policy of `class`, allocated in place.
    fn new(class: CapacityClass) -> SizedPolicy {
        if class == CapacityClass::SMALL {
            SizedPolicy::Small(boxed(&EMPTY_SMALL))
        } else if class == CapacityClass::DEFAULT {
            SizedPolicy::Default(boxed(&EMPTY_DEFAULT))
        } else {
            SizedPolicy::Large(boxed(&EMPTY_LARGE))
        }
    }

    fn class(&self) -> CapacityClass {
        match self {
            SizedPolicy::Small(_) => CapacityClass::SMALL,
            SizedPolicy::Default(_) => CapacityClass::DEFAULT,
            SizedPolicy::Large(_) => CapacityClass::LARGE,
        }
    }

    /// The bytes its tables take on the heap (its class's `Policy` type).
    fn bytes(&self) -> usize {
        match self {
            SizedPolicy::Small(_) => std::mem::size_of::<SmallPolicy>(),
            SizedPolicy::Default(_) => std::mem::size_of::<DefaultPolicy>(),
            SizedPolicy::Large(_) => std::mem::size_of::<LargePolicy>(),
        }
    }

    fn rebuild(&mut self) -> &mut dyn Rebuild {
        with_policy!(self, p => &mut **p)
    }
}

/// The slots the core builds a document's served policies into, one per
/// policy, each of the class the core asks for (`Document::build_all`
/// picks the class and escalates on capacity errors itself).
struct Slots(Vec<Option<SizedPolicy>>);

impl PolicySlots for Slots {
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        while self.0.len() <= index {
            self.0.push(None);
        }
        let slot = &mut self.0[index];
        if slot.as_ref().map(SizedPolicy::class) != Some(class) {
            *slot = Some(SizedPolicy::new(class));
        }
        match slot {
            Some(policy) => policy.rebuild(),
            None => unreachable!("the slot was just filled"),
        }
    }
}

/// Builds every served policy of `document`, each in the smallest class
/// that holds it, in index order (`Document::policy_names`).
fn build(document: &Document, names: &OptionNames) -> Result<Vec<SizedPolicy>, DocumentErrors> {
    let mut slots = Slots(Vec::new());
    document.build_all_named(&mut slots, names)?;
    let served = document.policy_names().count();
    slots.0.resize_with(served, || None);
    // build_all fills a slot for every served policy; an unfilled one
    // (never seen) stays an empty policy, which allows nothing.
    Ok(slots
        .0
        .into_iter()
        .map(|p| p.unwrap_or_else(|| SizedPolicy::new(CapacityClass::SMALL)))
        .collect())
}

// ---------------------------------------------------------------------------
// Problems, as JS sees them
// ---------------------------------------------------------------------------

/// One problem of a document (an error, or a finding): the core's
/// `Problem`, field by field.
#[napi(object)]
#[derive(Clone)]
pub struct NativeProblem {
    /// The JSON pointer of the value at fault (`/allowOrigins/2`; `""`: the
    /// whole document).
    pub path: String,
    pub code: String,
    /// For `malformed_origin`: `OriginProblem::code()`.
    pub problem: Option<String>,
    pub message: String,
    pub rule: String,
    pub fix: String,
}

/// A document the core refused: its `Display` and every problem, in
/// document order.
#[napi(object)]
pub struct NativeErrors {
    pub message: String,
    pub problems: Vec<NativeProblem>,
}

fn problem(p: &Problem) -> NativeProblem {
    NativeProblem {
        path: p.path().to_string(),
        code: p.code().to_string(),
        problem: p.problem().map(str::to_string),
        message: p.message().to_string(),
        rule: p.rule().to_string(),
        fix: p.fix().to_string(),
    }
}

fn errors(e: &DocumentErrors) -> NativeErrors {
    NativeErrors {
        message: e.to_string(),
        problems: e.problems().iter().map(problem).collect(),
    }
}

/// How messages name the options: `document` (the document's keys, for
/// `Policy`) or `cors_npm` (the `cors` package's options, for the drop-in).
fn names_of(name: Option<&str>) -> &'static OptionNames {
    match name {
        Some("cors_npm") => &OptionNames::CORS_NPM,
        _ => &OptionNames::DOCUMENT,
    }
}

/// Reads a document and sets what the host's verdict admits of the core's
/// `VERDICT_PROBES` (bit i for probe i).
fn parse(json: &str, probes: Option<u32>) -> Result<Document, DocumentErrors> {
    let mut document = Document::parse(json.as_bytes())?;
    document.set_verdict_probes(probes.unwrap_or(0) as u8);
    Ok(document)
}

// ---------------------------------------------------------------------------
// Reading request strings without a heap allocation in the common case
// ---------------------------------------------------------------------------

/// Request header values shorter than this are copied onto the stack.
const INLINE: usize = 256;

/// The UTF-8 bytes of a JS string: inline when short, on the heap when long.
/// The inline buffer is left uninitialized: N-API writes the bytes read.
struct Utf8Buf {
    inline: [std::mem::MaybeUninit<u8>; INLINE],
    len: usize,
    heap: Vec<u8>,
    on_heap: bool,
}

impl Utf8Buf {
    fn new() -> Self {
        Utf8Buf {
            inline: [std::mem::MaybeUninit::uninit(); INLINE],
            len: 0,
            heap: Vec::new(),
            on_heap: false,
        }
    }

    fn bytes(&self) -> &[u8] {
        if self.on_heap {
            &self.heap
        } else {
            // SAFETY: `fill` had N-API write `len` bytes at the start of
            // `inline` (`len` stays 0 until then).
            unsafe { std::slice::from_raw_parts(self.inline.as_ptr().cast::<u8>(), self.len) }
        }
    }

    /// Copies the string `value` in (lone surrogates become U+FFFD, as
    /// N-API's UTF-8 conversion does) and returns N-API's status: for any
    /// other type `napi_string_expected`, which callers read as "absent".
    ///
    /// # Safety
    /// `env` is the current env and `value` a live handle of it.
    unsafe fn fill_raw(
        &mut self,
        env: napi::sys::napi_env,
        value: napi::sys::napi_value,
    ) -> napi::sys::napi_status {
        // SAFETY (all three calls): the buffer pointer and capacity describe
        // memory of `self` that N-API writes at most capacity - 1 bytes plus
        // a NUL into; a NULL buffer asks for the length only.
        let mut written = 0usize;
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                env,
                value,
                self.inline.as_mut_ptr().cast(),
                INLINE,
                &mut written,
            )
        };
        if status != napi::sys::Status::napi_ok {
            return status;
        }
        if written < INLINE - 4 {
            // Room to spare: the string was not truncated (a truncated copy
            // fills the buffer to within one UTF-8 sequence).
            self.len = written;
            self.on_heap = false;
            return status;
        }
        let mut total = 0usize;
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(env, value, std::ptr::null_mut(), 0, &mut total)
        };
        if status != napi::sys::Status::napi_ok {
            return status;
        }
        self.heap.clear();
        self.heap.resize(total + 1, 0);
        let status = unsafe {
            napi::sys::napi_get_value_string_utf8(
                env,
                value,
                self.heap.as_mut_ptr().cast(),
                total + 1,
                &mut written,
            )
        };
        self.heap.truncate(written);
        self.on_heap = true;
        status
    }
}

/// Reads `value` into `buf` when it is a string: true then, false for any
/// other type (undefined included), an error only for a failed read.
fn read_string(env: &Env, value: &JsUnknown, buf: &mut Utf8Buf) -> napi::Result<bool> {
    use napi::NapiRaw;
    // SAFETY: `value` is a live handle of this env.
    match unsafe { buf.fill_raw(env.raw(), value.raw()) } {
        napi::sys::Status::napi_ok => Ok(true),
        napi::sys::Status::napi_string_expected => Ok(false),
        status => check(status).map(|()| false),
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
    match value {
        Some(value) => read_string(env, &value, buf),
        None => Ok(false),
    }
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
    /// The refusal's reason code, when the core refused the request (so a
    /// refusal hook needs no second call to know).
    refusal: Option<&'static str>,
    /// The request's kind (`preflight`, `actual`, ...), as the core judged it.
    kind: &'static str,
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
        refusal: decision.reason().map(|r| r.code()),
        kind: decision.kind().code(),
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
    /// The reason code of a refused request, else `None`.
    pub refusal: Option<String>,
    /// The request's kind, as the core judged it.
    pub kind: String,
    pub names: Vec<String>,
    pub sources: Vec<u32>,
    pub values: Vec<Option<String>>,
}

// ---------------------------------------------------------------------------
// The policy class
// ---------------------------------------------------------------------------

/// Shape ids name the served policy too: `index << SHAPE_BITS | shape`, so
/// that each served policy has a table of its own (at most `MAX_SHAPES`).
const SHAPE_BITS: u32 = 6;
/// Served policies beyond this have their decisions described uncached.
const MAX_SHAPE_INDEX: usize = (UNCACHED >> SHAPE_BITS) as usize;

/// A validated document's served policies. Built with `load`; not
/// constructible from JS.
#[napi]
pub struct NativePolicy {
    /// Every served policy, in the order of `Document::policy_names`.
    policies: Vec<SizedPolicy>,
    names: Vec<String>,
    /// The document, kept for its routes; `None` without routes (then
    /// policy 0 serves every path).
    routes: Option<Document>,
    /// The length of the document's text, charged for the routes kept.
    routes_bytes: usize,
    /// What the strict profile would refuse in the document (the core's
    /// findings on a compatibility-profile document), until JS takes them.
    findings: RefCell<Vec<NativeProblem>>,
    /// One shape table per served policy.
    shapes: RefCell<Vec<Vec<Shape>>>,
    /// The description of the last uncached decision.
    uncached: RefCell<Option<NativeShape>>,
}

/// The origins a host verdict is tried on when a policy is built (the
/// core's `VERDICT_PROBES`).
#[napi]
pub fn verdict_probes() -> Vec<&'static str> {
    corsguard::VERDICT_PROBES.to_vec()
}

/// The methods `answer` takes as a code (their index; 0 stands for the
/// `method` argument): request methods as Node's parser gives them, so a
/// request's method crosses as a number, not a string.
const METHODS: [&[u8]; 8] = [
    b"", b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS",
];

/// The method names of `answer`'s method codes, in code order (`""` for 0).
#[napi]
pub fn method_codes() -> Vec<&'static str> {
    METHODS
        .iter()
        .map(|m| std::str::from_utf8(m).unwrap_or_default())
        .collect()
}

/// Loads a policy document (JSON text): every policy it serves (one
/// without `routes`), each in the smallest capacity class that holds it,
/// with `probes` the verdict probes the host's rule admits, and messages
/// naming the options as `names` says (`document`, `cors_npm`). Returns the
/// policies, or every problem of the document.
#[napi]
pub fn load(
    json: String,
    probes: Option<u32>,
    names: Option<String>,
) -> Either<NativePolicy, NativeErrors> {
    let names = names_of(names.as_deref());
    let loaded = parse(&json, probes).and_then(|document| {
        let policies = build(&document, names)?;
        let findings = document.findings_named(names);
        Ok((document, policies, findings))
    });
    match loaded {
        Ok((document, policies, findings)) => {
            let served: Vec<String> = document.policy_names().map(str::to_owned).collect();
            let routed = document.has_routes();
            Either::A(NativePolicy {
                shapes: RefCell::new(policies.iter().map(|_| Vec::new()).collect()),
                policies,
                names: served,
                routes: routed.then_some(document),
                routes_bytes: if routed { json.len() } else { 0 },
                findings: RefCell::new(findings.iter().map(problem).collect()),
                uncached: RefCell::new(None),
            })
        }
        Err(e) => Either::B(errors(&e)),
    }
}

/// The core's findings on a document (what the strict profile would refuse
/// in a compatibility-profile document), without building a policy: cheap
/// enough to check each value an origin callback returns.
#[napi]
pub fn findings(
    json: String,
    probes: Option<u32>,
    names: Option<String>,
) -> Either<Vec<NativeProblem>, NativeErrors> {
    match parse(&json, probes) {
        Ok(document) => Either::A(
            document
                .findings_named(names_of(names.as_deref()))
                .iter()
                .map(problem)
                .collect(),
        ),
        Err(e) => Either::B(errors(&e)),
    }
}

/// The full decision, for the strict API and the conformance vectors.
#[napi(object)]
pub struct NativeDecision {
    /// The name of the served policy that decided (`default` for the
    /// top-level keys).
    pub policy: String,
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
    /// Which served policy answers a request for `path` (the request
    /// target: a string, or a Buffer of its bytes; `/` when absent or of
    /// another type): its index, or -1 when no policy does (then the
    /// response gets no CORS headers). Always 0 without routes.
    #[napi]
    pub fn route(&self, env: Env, path: Option<JsUnknown>) -> napi::Result<i32> {
        let Some(document) = &self.routes else {
            return Ok(if self.policies.is_empty() { -1 } else { 0 });
        };
        let mut buf = Utf8Buf::new();
        let mut held: Option<napi::JsBuffer> = None;
        let mut is_string = false;
        if let Some(value) = path {
            match value.get_type()? {
                ValueType::String => is_string = read_opt(&env, Some(value), &mut buf)?,
                ValueType::Object if value.is_buffer()? => {
                    // SAFETY-free cast: `is_buffer` was checked just above.
                    held = Some(unsafe { value.cast() });
                }
                _ => {}
            }
        }
        let data = match held {
            Some(b) => Some(b.into_value()?),
            None => None,
        };
        let bytes: &[u8] = match &data {
            Some(d) => d,
            None if is_string => buf.bytes(),
            None => b"/",
        };
        Ok(self.served(document.route(bytes)))
    }

    /// The per-request path: judges one request with served policy `index`
    /// (what `route` gave) and returns its shape id (`0xFFFFFFFF` when
    /// uncached: read it with `shape(0xFFFFFFFF)` at once). Arguments that
    /// are not strings count as absent.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        env: Env,
        index: u32,
        method: Option<JsUnknown>,
        origin: Option<JsUnknown>,
        request_method: Option<JsUnknown>,
        request_headers: Option<JsUnknown>,
        request_private_network: Option<JsUnknown>,
        verdict: Option<bool>,
    ) -> napi::Result<u32> {
        let Some(policy) = self.policies.get(index as usize) else {
            return Err(napi::Error::new(
                napi::Status::InvalidArg,
                format!("no served policy {index}"),
            ));
        };
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
        Ok(with_policy!(policy, p => {
            let decision = p.evaluate(&request);
            self.intern(index as usize, &decision, &request)
        }))
    }

    /// The per-request path of the middlewares, with the fewest arguments
    /// to convert: as `run`, but `code` packs the served policy's index
    /// (bits 8 and up), the method (bits 2 to 4: an index into
    /// `methodCodes()`, 0 for the `method` argument) and the host's verdict
    /// (bits 0 and 1: 0 none, 1 false, 2 true). Arguments that are not
    /// strings (undefined, or left out) count as absent.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn answer(
        &self,
        env: Env,
        code: u32,
        origin: JsUnknown,
        request_headers: JsUnknown,
        method: JsUnknown,
        request_method: JsUnknown,
        request_private_network: JsUnknown,
    ) -> napi::Result<u32> {
        let index = code >> 8;
        let Some(policy) = self.policies.get(index as usize) else {
            return Err(napi::Error::new(
                napi::Status::InvalidArg,
                format!("no served policy {index}"),
            ));
        };
        let verdict = match code & 3 {
            1 => Some(false),
            2 => Some(true),
            _ => None,
        };
        let mut method_buf = Utf8Buf::new();
        let method: &[u8] = match METHODS.get(((code >> 2) & 7) as usize) {
            Some(known) if !known.is_empty() => known,
            _ if read_string(&env, &method, &mut method_buf)? => method_buf.bytes(),
            _ => b"",
        };
        let mut origin_buf = Utf8Buf::new();
        let mut headers_buf = Utf8Buf::new();
        let has_origin = read_string(&env, &origin, &mut origin_buf)?;
        let has_headers = read_string(&env, &request_headers, &mut headers_buf)?;
        let mut request = Request::new(method);
        request.origin = has_origin.then(|| origin_buf.bytes());
        request.request_headers = has_headers.then(|| headers_buf.bytes());
        request.origin_verdict = verdict;
        // The Policy API's headers: read only when given.
        let mut method_header_buf = Utf8Buf::new();
        let mut network_buf = Utf8Buf::new();
        if read_string(&env, &request_method, &mut method_header_buf)? {
            request.request_method = Some(method_header_buf.bytes());
        }
        if read_string(&env, &request_private_network, &mut network_buf)? {
            request.request_private_network = Some(network_buf.bytes());
        }
        Ok(with_policy!(policy, p => {
            let decision = p.evaluate(&request);
            self.intern(index as usize, &decision, &request)
        }))
    }

    /// Describes shape `id` (JS caches it).
    #[napi]
    pub fn shape(&self, id: u32) -> Option<NativeShape> {
        if id == UNCACHED {
            return self.uncached.borrow_mut().take();
        }
        let shapes = self.shapes.borrow();
        let table = shapes.get((id >> SHAPE_BITS) as usize)?;
        let shape = table.get((id & ((1 << SHAPE_BITS) - 1)) as usize)?;
        Some(NativeShape {
            status: shape.key.status.map_or(-1, i32::from),
            body: shape.key.body.map(str::to_owned),
            refusal: shape.key.refusal.map(str::to_owned),
            kind: shape.key.kind.to_owned(),
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

    /// The whole decision of the policy serving `path` (`/` when absent;
    /// ignored without routes), or `None` when no policy serves it.
    /// Strings are read as UTF-8, buffers as bytes.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        &self,
        path: Option<Either<String, Buffer>>,
        method: Either<String, Buffer>,
        origin: Option<Either<String, Buffer>>,
        request_method: Option<Either<String, Buffer>>,
        request_headers: Option<Either<String, Buffer>>,
        request_private_network: Option<Either<String, Buffer>>,
        verdict: Option<bool>,
    ) -> Option<NativeDecision> {
        let index = match &self.routes {
            None => 0,
            Some(document) => document.route(bytes_arg(&path).unwrap_or(b"/"))?,
        };
        let policy = self.policies.get(index)?;
        let method = Some(method);
        let mut request = Request::new(bytes_arg(&method).unwrap_or_default());
        request.origin = bytes_arg(&origin);
        request.request_method = bytes_arg(&request_method);
        request.request_headers = bytes_arg(&request_headers);
        request.request_private_network = bytes_arg(&request_private_network);
        request.origin_verdict = verdict;
        let mut decision = with_policy!(policy, p => describe(&p.evaluate(&request)));
        decision.policy = self.names[index].clone();
        Some(decision)
    }

    /// What the strict profile would refuse in the document (the core's
    /// findings, for every served policy; empty for a strict document).
    /// Handed over once: the policy keeps no message afterwards (they may
    /// quote request-derived values).
    #[napi]
    pub fn take_findings(&self) -> Vec<NativeProblem> {
        std::mem::take(&mut *self.findings.borrow_mut())
    }

    /// The names of the served policies (`default` for the top-level keys),
    /// in index order.
    #[napi(getter)]
    pub fn policy_names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Whether the document has `routes` (then `route` picks the policy).
    #[napi(getter)]
    pub fn has_routes(&self) -> bool {
        self.routes.is_some()
    }

    /// The capacity class of each served policy (`small`, `default`,
    /// `large`: the core's `CapacityClass` names), in index order.
    #[napi(getter)]
    pub fn size_classes(&self) -> Vec<&'static str> {
        self.policies.iter().map(|p| p.class().name).collect()
    }

    /// Whether the answers of served policy `index` depend on the value of
    /// a request's `Origin` (the core's `answer_depends_on_origin`): when
    /// not, the runner's memo keys them on its presence alone.
    #[napi]
    pub fn origin_matters(&self, index: u32) -> bool {
        self.policies
            .get(index as usize)
            .is_none_or(|policy| with_policy!(policy, p => p.answer_depends_on_origin()))
    }

    /// Whether the headers, action and body of served policy `index` depend
    /// on the value of a request's `Origin` (the core's
    /// `headers_depend_on_origin`): when not, a caller that writes headers
    /// only (no refusal hook) may reuse an answer across origins.
    #[napi]
    pub fn headers_matter(&self, index: u32) -> bool {
        self.policies
            .get(index as usize)
            .is_none_or(|policy| with_policy!(policy, p => p.headers_depend_on_origin()))
    }

    /// Whether, under a host verdict of `true`, the value of a present
    /// Origin can change the answer of served policy `index` other than by
    /// being echoed (the core's `admitted_answer_depends_on_origin`): when
    /// not, the runner's memo keys answers to admitted origins on the
    /// verdict alone.
    #[napi]
    pub fn admitted_origin_matters(&self, index: u32) -> bool {
        self.policies
            .get(index as usize)
            .is_none_or(|policy| with_policy!(policy, p => p.admitted_answer_depends_on_origin()))
    }

    /// The largest capacity class of the served policies (`small` when the
    /// document serves none).
    #[napi(getter)]
    pub fn size_class(&self) -> &'static str {
        self.policies
            .iter()
            .map(SizedPolicy::class)
            .max_by_key(|c| c.origins)
            .unwrap_or(CapacityClass::SMALL)
            .name
    }

    /// The bytes the served policies' tables take on the native heap (the
    /// size of each one's class's `Policy` type), plus, for a document with
    /// routes, its text's length for the routes kept: for the JS caches'
    /// byte budgets.
    #[napi(getter)]
    pub fn native_bytes(&self) -> u32 {
        let size: usize =
            self.policies.iter().map(SizedPolicy::bytes).sum::<usize>() + self.routes_bytes;
        u32::try_from(size).unwrap_or(u32::MAX)
    }

    /// A response's new `Vary` after adding a decision's `tokens` to its
    /// current value `existing` (its lines joined with `, `; empty for none),
    /// merged as the profile of served policy `index` (0 when absent) says
    /// (the core's `merge_vary`).
    #[napi]
    pub fn merge_vary(&self, existing: String, tokens: String, index: Option<u32>) -> String {
        let mode = match self.policies.get(index.unwrap_or(0) as usize) {
            Some(policy) => with_policy!(policy, p => p.behaviour().vary_merge),
            None => return existing,
        };
        let mut out = Vec::with_capacity(existing.len() + tokens.len() + 2);
        corsguard::merge_vary(mode, existing.as_bytes(), tokens.as_bytes(), |piece| {
            out.extend_from_slice(piece)
        });
        // The pieces are whole UTF-8 strings and ASCII separators.
        String::from_utf8(out).unwrap_or_default()
    }
}

impl NativePolicy {
    /// A route's answer as JS reads it: the index, or -1 for none.
    fn served(&self, index: Option<usize>) -> i32 {
        match index {
            Some(i) if i < self.policies.len() => i32::try_from(i).unwrap_or(-1),
            _ => -1,
        }
    }

    fn intern(&self, index: usize, decision: &Decision<'_>, request: &Request<'_>) -> u32 {
        let key = match shape_of(decision, request) {
            Some(key) if index < MAX_SHAPE_INDEX => key,
            _ => {
                *self.uncached.borrow_mut() = Some(literal_shape(decision));
                return UNCACHED;
            }
        };
        let mut tables = self.shapes.borrow_mut();
        let shapes = &mut tables[index];
        let id = |i: usize| ((index as u32) << SHAPE_BITS) | i as u32;
        if let Some(i) = shapes.iter().position(|s| s.key == key) {
            return id(i);
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
        id(shapes.len() - 1)
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
        refusal: decision.reason().map(|r| r.code().to_owned()),
        kind: decision.kind().code().to_owned(),
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
    let reason_detail = reason.and_then(|r| r.detail()).map(|d| d.to_vec().into());
    let failures = decision.failures().names().map(str::to_string).collect();
    let action = decision.action().code();
    let status = decision.action().status().map(u32::from);
    NativeDecision {
        policy: String::new(),
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
