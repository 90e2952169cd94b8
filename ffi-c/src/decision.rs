//! `corsguard_evaluate`: a C request in, the core's `Decision` copied into a
//! caller-provided C struct out; plus the helpers that write it.

use core::ffi::c_char;
use core::ptr::{self, addr_of};

use corsguard_core::limits::MAX_DECISION_HEADERS;
use corsguard_core::{
    Action, Decision, HeaderName, Outcome, Reason, Request, RequestKind, VaryMerge,
};

use crate::boundary::guard_try;
use crate::config::corsguard_vary_merge_mode;
use crate::policy::{corsguard_policy, with_policy};
use crate::result::corsguard_result;
use crate::routes::{routing_of, served};
use crate::strings::{optional, required, write_out, Bytes, Displayed, Pieces};

/// The most headers one decision lists (the length of
/// `corsguard_decision.headers`).
pub const CORSGUARD_MAX_HEADERS: usize = 12;
const _: () = assert!(CORSGUARD_MAX_HEADERS == MAX_DECISION_HEADERS);

/// Failure bit: the origin is not allowed (`corsguard_decision.failures`).
pub const CORSGUARD_FAILURE_ORIGIN: u32 = 1;
/// Failure bit: the requested method is not allowed.
pub const CORSGUARD_FAILURE_METHOD: u32 = 2;
/// Failure bit: a requested header is not allowed.
pub const CORSGUARD_FAILURE_HEADERS: u32 = 4;
/// Failure bit: Private Network Access is not granted.
pub const CORSGUARD_FAILURE_PRIVATE_NETWORK: u32 = 8;

/// Flag for `corsguard_decision_write_headers`: leave out `Vary` lines (for
/// a host that merges `Vary` itself with `corsguard_vary_merge`).
pub const CORSGUARD_WRITE_SKIP_VARY: u32 = 1;
/// Flag for `corsguard_decision_write_headers`: write header names in
/// lowercase (the HTTP/2 and HTTP/3 spelling).
pub const CORSGUARD_WRITE_LOWERCASE: u32 = 2;

/// The host's own verdict on a request's origin, for policies built with
/// `corsguard_config_set_origin_verdict`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_verdict {
    /// No verdict (the zero value).
    None = 0,
    /// The host's rule allows the origin.
    Allowed = 1,
    /// The host's rule does not allow the origin.
    Denied = 2,
}

/// The CORS-relevant parts of one request, as byte ranges that need not be
/// UTF-8 nor NUL-terminated. A header that is absent has a NULL pointer (and
/// length 0); a header that is present but empty has any non-NULL pointer
/// and length 0. Zero-initialize the struct (`corsguard_request r = {0};`)
/// and set the fields you have.
///
/// When a request carries `Access-Control-Request-Headers` on several lines,
/// join their values with `,` into one range.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_request {
    /// The request method (required, non-NULL; may be empty).
    pub method: *const c_char,
    /// Its length in bytes.
    pub method_len: usize,
    /// `Origin`, or NULL when absent.
    pub origin: *const c_char,
    /// Its length in bytes.
    pub origin_len: usize,
    /// `Access-Control-Request-Method`, or NULL when absent.
    pub request_method: *const c_char,
    /// Its length in bytes.
    pub request_method_len: usize,
    /// `Access-Control-Request-Headers`, or NULL when absent.
    pub request_headers: *const c_char,
    /// Its length in bytes.
    pub request_headers_len: usize,
    /// `Access-Control-Request-Private-Network`, or NULL when absent.
    pub request_private_network: *const c_char,
    /// Its length in bytes.
    pub request_private_network_len: usize,
    /// The host's verdict on the origin (a `corsguard_verdict`), used only
    /// by policies built with `corsguard_config_set_origin_verdict`.
    pub origin_verdict: u32,
}

/// What kind of request it is, for CORS.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_kind {
    /// No `Origin`: not a cross-origin request a browser made.
    NotCors = 0,
    /// A cross-origin ("actual") request.
    Actual = 1,
    /// A preflight.
    Preflight = 2,
    /// `OPTIONS` with `Origin` but no `Access-Control-Request-Method`: a
    /// cross-origin request whose method is OPTIONS.
    PlainOptions = 3,
}

/// The verdict.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_outcome {
    /// Not a CORS request; nothing was judged.
    NotCors = 0,
    /// Allowed: the browser will let the page read the response.
    Allowed = 1,
    /// Refused: see `corsguard_decision.reason`.
    Denied = 2,
}

/// Why a request was refused (the first failure found, in the order origin,
/// method, headers, private network).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_reason {
    /// Not refused.
    None = 0,
    /// The origin is well formed but not allowed.
    OriginNotAllowed = 1,
    /// The `Origin` header is not an origin a browser sends.
    MalformedOrigin = 2,
    /// An `OPTIONS` request without `Origin`, answered as a preflight.
    MissingOrigin = 3,
    /// The requested method is not allowed (`reason_detail` is the method).
    MethodNotAllowed = 4,
    /// A requested header is not allowed (`reason_detail` is its name).
    HeaderNotAllowed = 5,
    /// `Access-Control-Request-Headers` is not a list of header names.
    MalformedRequestHeaders = 6,
    /// Private Network Access was asked for and is not granted.
    PrivateNetworkNotAllowed = 7,
    /// A reason this version of the C API has no code for.
    Other = 8,
}

/// What the host does with the request.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_action {
    /// Hand the request to the application, then add the headers to its response.
    Continue = 0,
    /// Answer now with `status`, the headers and `body` (a preflight).
    Respond = 1,
}

/// A CORS response header name.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_header_name {
    /// `Access-Control-Allow-Origin`
    AllowOrigin = 0,
    /// `Access-Control-Allow-Credentials`
    AllowCredentials = 1,
    /// `Access-Control-Allow-Methods`
    AllowMethods = 2,
    /// `Access-Control-Allow-Headers`
    AllowHeaders = 3,
    /// `Access-Control-Max-Age`
    MaxAge = 4,
    /// `Access-Control-Expose-Headers`
    ExposeHeaders = 5,
    /// `Access-Control-Allow-Private-Network`
    AllowPrivateNetwork = 6,
    /// `Vary`: its value is *added* to the response's `Vary`, never replaces it.
    Vary = 7,
}

const HEADER_NAMES: [(corsguard_header_name, HeaderName); 8] = {
    use corsguard_header_name as C;
    [
        (C::AllowOrigin, HeaderName::AllowOrigin),
        (C::AllowCredentials, HeaderName::AllowCredentials),
        (C::AllowMethods, HeaderName::AllowMethods),
        (C::AllowHeaders, HeaderName::AllowHeaders),
        (C::MaxAge, HeaderName::MaxAge),
        (C::ExposeHeaders, HeaderName::ExposeHeaders),
        (C::AllowPrivateNetwork, HeaderName::AllowPrivateNetwork),
        (C::Vary, HeaderName::Vary),
    ]
};

fn core_header_name(id: u32) -> Option<HeaderName> {
    HEADER_NAMES.get(id as usize).map(|(_, name)| *name)
}

/// One response header of a decision.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_header {
    /// Which header.
    pub id: corsguard_header_name,
    /// Its name in canonical capitalization (static, also NUL-terminated).
    pub name: *const c_char,
    /// The name's length.
    pub name_len: usize,
    /// The value, borrowed from the policy or the request (not
    /// NUL-terminated); it never contains CR, LF or NUL.
    pub value: *const c_char,
    /// The value's length.
    pub value_len: usize,
}

/// The answer to one request, filled in by `corsguard_evaluate`. Its
/// pointers borrow from the policy and from the request's bytes: keep both
/// alive, unchanged, while using the decision.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_decision {
    /// The kind of request.
    pub kind: corsguard_kind,
    /// The verdict.
    pub outcome: corsguard_outcome,
    /// Why it was refused, or `CORSGUARD_REASON_NONE`.
    pub reason: corsguard_reason,
    /// For `METHOD_NOT_ALLOWED` the requested method, for
    /// `HEADER_NOT_ALLOWED` the header name as sent (borrowed from the
    /// request; may be empty); NULL otherwise.
    pub reason_detail: *const c_char,
    /// The length of `reason_detail`.
    pub reason_detail_len: usize,
    /// Every check a preflight failed: `CORSGUARD_FAILURE_*` bits.
    pub failures: u32,
    /// Whether to answer now or pass the request on.
    pub action: corsguard_action,
    /// With `CORSGUARD_ACTION_RESPOND`, the status to answer with; 0 otherwise.
    pub status: u16,
    /// The body of a preflight answer, when the profile sends one (as
    /// `text/plain; charset=utf-8`; static, also NUL-terminated); NULL when none.
    pub body: *const c_char,
    /// The length of `body`.
    pub body_len: usize,
    /// How to add the `Vary` headers to the response (the policy's setting).
    pub vary_merge: corsguard_vary_merge_mode,
    /// The number of entries of `headers` in use.
    pub header_count: usize,
    /// The headers to write, in this order: set each one on the response,
    /// except `Vary`, whose value is added to the response's `Vary` as
    /// `vary_merge` says (see `corsguard_vary_merge`).
    pub headers: [corsguard_header; CORSGUARD_MAX_HEADERS],
}

/// The canonical names, NUL-terminated, in `corsguard_header_name` order.
const CANONICAL: [&str; 8] = [
    "Access-Control-Allow-Origin\0",
    "Access-Control-Allow-Credentials\0",
    "Access-Control-Allow-Methods\0",
    "Access-Control-Allow-Headers\0",
    "Access-Control-Max-Age\0",
    "Access-Control-Expose-Headers\0",
    "Access-Control-Allow-Private-Network\0",
    "Vary\0",
];

fn empty_header() -> corsguard_header {
    corsguard_header {
        id: corsguard_header_name::Vary,
        name: ptr::null(),
        name_len: 0,
        value: ptr::null(),
        value_len: 0,
    }
}

fn to_c(decision: &Decision<'_>, vary_merge: corsguard_vary_merge_mode) -> corsguard_decision {
    let (reason, detail) = match decision.reason() {
        None => (corsguard_reason::None, None),
        Some(Reason::OriginNotAllowed) => (corsguard_reason::OriginNotAllowed, None),
        Some(Reason::MalformedOrigin) => (corsguard_reason::MalformedOrigin, None),
        Some(Reason::MissingOrigin) => (corsguard_reason::MissingOrigin, None),
        Some(Reason::MethodNotAllowed { method }) => {
            (corsguard_reason::MethodNotAllowed, Some(method))
        }
        Some(Reason::HeaderNotAllowed { name }) => (corsguard_reason::HeaderNotAllowed, Some(name)),
        Some(Reason::MalformedRequestHeaders) => (corsguard_reason::MalformedRequestHeaders, None),
        Some(Reason::PrivateNetworkNotAllowed) => {
            (corsguard_reason::PrivateNetworkNotAllowed, None)
        }
        Some(_) => (corsguard_reason::Other, None),
    };
    let (action, status) = match decision.action() {
        Action::Continue => (corsguard_action::Continue, 0),
        Action::Respond { status } => (corsguard_action::Respond, status),
    };
    let mut headers = [empty_header(); CORSGUARD_MAX_HEADERS];
    let mut count = 0;
    for (slot, header) in headers.iter_mut().zip(decision.headers()) {
        let (id, _) = HEADER_NAMES
            .iter()
            .copied()
            .find(|(_, core)| *core == header.name)
            .unwrap_or((corsguard_header_name::Vary, HeaderName::Vary));
        let name = CANONICAL[id as usize];
        *slot = corsguard_header {
            id,
            name: name.as_ptr().cast(),
            name_len: name.len() - 1,
            value: header.value.as_ptr().cast(),
            value_len: header.value.len(),
        };
        count += 1;
    }
    let (body, body_len) = match decision.body() {
        // The core's bodies are static strings without a NUL; `failures` picks
        // which, so lend our NUL-terminated copy of the same text.
        Some(text) => nul_terminated_body(text),
        None => (ptr::null(), 0),
    };
    corsguard_decision {
        kind: match decision.kind() {
            RequestKind::NotCors => corsguard_kind::NotCors,
            RequestKind::Actual => corsguard_kind::Actual,
            RequestKind::Preflight => corsguard_kind::Preflight,
            RequestKind::PlainOptions => corsguard_kind::PlainOptions,
        },
        outcome: match decision.outcome() {
            Outcome::NotCors => corsguard_outcome::NotCors,
            Outcome::Allowed => corsguard_outcome::Allowed,
            Outcome::Denied => corsguard_outcome::Denied,
        },
        reason,
        reason_detail: detail.map_or(ptr::null(), |d| d.as_ptr().cast()),
        reason_detail_len: detail.map_or(0, <[u8]>::len),
        failures: u32::from(decision.failures().bits()),
        action,
        status,
        body,
        body_len,
        vary_merge,
        header_count: count,
        headers,
    }
}

/// The 16 failure-list bodies, NUL-terminated, indexed by failure bits.
const BODIES: [&str; 16] = [
    "OK\0",
    "Disallowed CORS origin\0",
    "Disallowed CORS method\0",
    "Disallowed CORS origin, method\0",
    "Disallowed CORS headers\0",
    "Disallowed CORS origin, headers\0",
    "Disallowed CORS method, headers\0",
    "Disallowed CORS origin, method, headers\0",
    "Disallowed CORS private-network\0",
    "Disallowed CORS origin, private-network\0",
    "Disallowed CORS method, private-network\0",
    "Disallowed CORS origin, method, private-network\0",
    "Disallowed CORS headers, private-network\0",
    "Disallowed CORS origin, headers, private-network\0",
    "Disallowed CORS method, headers, private-network\0",
    "Disallowed CORS origin, method, headers, private-network\0",
];

/// The body as a NUL-terminated static string with the core's exact text.
fn nul_terminated_body(text: &'static str) -> (*const c_char, usize) {
    match BODIES.iter().find(|b| b.strip_suffix('\0') == Some(text)) {
        Some(body) => (body.as_ptr().cast(), text.len()),
        // A body this table does not know: lend the core's text (not
        // NUL-terminated; the length is what counts).
        None => (text.as_ptr().cast(), text.len()),
    }
}

/// Judges one request against a policy and fills `*decision_out`. Allocates
/// nothing and never blocks; the work is bounded by the size of the
/// request's headers. Any bytes are accepted (non-UTF-8, huge headers,
/// embedded NULs): a malformed request is a refusal, not an error.
///
/// Safe to call from many threads at once on the same policy. The decision
/// borrows from `policy` and from the request's byte ranges (not from the
/// `corsguard_request` struct itself, which may be discarded).
///
/// Returns `CORSGUARD_RESULT_NULL_POINTER` when `policy`, `request`,
/// `request->method` or `decision_out` is NULL, or a header pointer is NULL
/// with a non-zero length; `CORSGUARD_RESULT_INVALID_ARGUMENT` for an
/// unknown `origin_verdict`; `CORSGUARD_RESULT_INVALID_HANDLE` when `policy`
/// is not a live policy; `CORSGUARD_RESULT_NEEDS_PATH` when `policy` was
/// loaded from a document with `routes` (which policy answers depends on
/// the path: use `corsguard_evaluate_path`). `*decision_out` is only
/// written on success.
///
/// # Safety
/// `policy` must be NULL or a live policy; `request` NULL or a readable
/// request whose non-NULL ranges are readable; `decision_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_evaluate(
    policy: *const corsguard_policy,
    request: *const corsguard_request,
    decision_out: *mut corsguard_decision,
) -> corsguard_result {
    guard_try(|| {
        if policy.is_null() || decision_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let core_request = unsafe { core_request(request) }?;
        // SAFETY: forwarded from the caller.
        if unsafe { routing_of(policy) }?.is_some() {
            return Err(corsguard_result::NeedsPath);
        }
        // SAFETY: forwarded from the caller.
        let decision = unsafe { evaluate_with(policy, &core_request) }?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { decision_out.write(decision) };
        Ok(())
    })
}

/// Judges one request for the request target `path` (`path_len` bytes, as
/// received: not percent-decoded; a query is ignored) with the policy that
/// serves it, and fills `*decision_out`, as `corsguard_evaluate` does.
///
/// For a policy loaded from a document with `routes`, the first route
/// whose path rule matches picks the policy (`corsguard_policy_route` tells
/// which); `path` is required. For any other policy the path is ignored (it
/// may be NULL with `path_len` 0) and this is `corsguard_evaluate`.
///
/// Returns `CORSGUARD_RESULT_NO_POLICY` when no policy serves the path (no
/// route matches it, or the one that does says `null`; a path with a `.` or
/// `..` segment, an encoded slash or a backslash matches no rule): the
/// response gets no CORS headers at all, so pass the request on and write
/// nothing. `*decision_out` is then still filled, as a decision that writes
/// nothing: kind and outcome `NOT_CORS`, action `CONTINUE`, no reason, no
/// body, `header_count` 0. Other results as `corsguard_evaluate`
/// (`CORSGUARD_RESULT_NULL_POINTER` also for a NULL `path` on a policy with
/// routes), writing nothing.
///
/// Allocates nothing; the decision borrows from `policy` and the request's
/// byte ranges, not from `path`.
///
/// # Safety
/// As `corsguard_evaluate`; `path` must be NULL (with `path_len` 0) or
/// readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_evaluate_path(
    policy: *const corsguard_policy,
    path: *const c_char,
    path_len: usize,
    request: *const corsguard_request,
    decision_out: *mut corsguard_decision,
) -> corsguard_result {
    guard_try(|| {
        if policy.is_null() || decision_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let core_request = unsafe { core_request(request) }?;
        // SAFETY: forwarded from the caller.
        let served = unsafe { served(policy, path, path_len) }?;
        let Some((_, served)) = served else {
            // SAFETY: checked non-NULL; the caller guarantees it is writable.
            unsafe { decision_out.write(no_cors()) };
            return Err(corsguard_result::NoPolicy);
        };
        // SAFETY: `served` is `policy` or one of its live served policies.
        let decision = unsafe { evaluate_with(served, &core_request) }?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { decision_out.write(decision) };
        Ok(())
    })
}

/// The decision for a path no policy serves: nothing to write.
fn no_cors() -> corsguard_decision {
    corsguard_decision {
        kind: corsguard_kind::NotCors,
        outcome: corsguard_outcome::NotCors,
        reason: corsguard_reason::None,
        reason_detail: ptr::null(),
        reason_detail_len: 0,
        failures: 0,
        action: corsguard_action::Continue,
        status: 0,
        body: ptr::null(),
        body_len: 0,
        vary_merge: corsguard_vary_merge_mode::Dedup,
        header_count: 0,
        headers: [empty_header(); CORSGUARD_MAX_HEADERS],
    }
}

/// The core's request for a C request.
///
/// # Safety
/// `request` must be NULL or a readable request whose non-NULL ranges are
/// readable.
unsafe fn core_request<'a>(
    request: *const corsguard_request,
) -> Result<Request<'a>, corsguard_result> {
    // SAFETY: the caller guarantees a readable request when not NULL.
    let r = unsafe { request.as_ref() }.ok_or(corsguard_result::NullPointer)?;
    // SAFETY (each range): the caller guarantees readable ranges.
    Ok(Request {
        method: unsafe { required(r.method, r.method_len) }?,
        origin: unsafe { optional(r.origin, r.origin_len) }?,
        request_method: unsafe { optional(r.request_method, r.request_method_len) }?,
        request_headers: unsafe { optional(r.request_headers, r.request_headers_len) }?,
        request_private_network: unsafe {
            optional(r.request_private_network, r.request_private_network_len)
        }?,
        origin_verdict: match r.origin_verdict {
            0 => None,
            1 => Some(true),
            2 => Some(false),
            _ => return Err(corsguard_result::InvalidArgument),
        },
    })
}

/// Evaluates `request` with one policy (whatever its routing).
///
/// # Safety
/// `policy` must be NULL or a live policy.
unsafe fn evaluate_with<'a>(
    policy: *const corsguard_policy,
    request: &Request<'a>,
) -> Result<corsguard_decision, corsguard_result> {
    with_policy!(policy, |p| {
        let merge = corsguard_vary_merge_mode::of(p.behaviour().vary_merge);
        to_c(&p.evaluate(request), merge)
    })
}

/// Reads a `u32` field of a caller-owned struct without trusting it to hold
/// a valid Rust enum value.
///
/// # Safety
/// `field` must be readable.
unsafe fn raw_u32<T>(field: *const T) -> u32 {
    // SAFETY: every enum in these structs is `repr(u32)`.
    unsafe { field.cast::<u32>().read() }
}

/// Writes the English explanation of `decision->reason` into `buf` (UTF-8,
/// not NUL-terminated) and its length into `*out_len`, exactly as the core
/// words it, e.g. "the method `PATCH` is not allowed by the policy" (bytes of
/// the request that are not UTF-8 are shown as `\xNN`). Writes nothing (and
/// succeeds) when there is no reason.
///
/// When `buf_len` is too small (`buf` may then be NULL) nothing is written,
/// `*out_len` is the size needed and the result is
/// `CORSGUARD_RESULT_BUFFER_TOO_SMALL`. Needs the request's bytes still alive.
///
/// # Safety
/// `decision` must be NULL or a decision filled by `corsguard_evaluate`;
/// `buf` NULL or writable for `buf_len` bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_decision_reason_message(
    decision: *const corsguard_decision,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if decision.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: the caller guarantees a readable decision.
        let (reason, detail_ptr, detail_len) = unsafe {
            (
                raw_u32(addr_of!((*decision).reason)),
                addr_of!((*decision).reason_detail).read(),
                addr_of!((*decision).reason_detail_len).read(),
            )
        };
        // SAFETY: the detail borrows the request's bytes, which the caller
        // keeps alive.
        let detail = unsafe { optional(detail_ptr, detail_len) }?.unwrap_or_default();
        let reason = match reason {
            0 => None,
            1 => Some(Reason::OriginNotAllowed),
            2 => Some(Reason::MalformedOrigin),
            3 => Some(Reason::MissingOrigin),
            4 => Some(Reason::MethodNotAllowed { method: detail }),
            5 => Some(Reason::HeaderNotAllowed { name: detail }),
            6 => Some(Reason::MalformedRequestHeaders),
            7 => Some(Reason::PrivateNetworkNotAllowed),
            _ => return Err(corsguard_result::InvalidArgument),
        };
        // SAFETY: the caller guarantees the output buffer and length.
        let result = match &reason {
            Some(reason) => unsafe { write_out(&Displayed(reason), buf, buf_len, out_len) },
            None => unsafe { write_out(&Bytes(b""), buf, buf_len, out_len) },
        };
        match result {
            corsguard_result::Ok => Ok(()),
            code => Err(code),
        }
    })
}

/// The header lines of a decision.
struct Lines {
    headers: [(HeaderName, *const u8, usize); CORSGUARD_MAX_HEADERS],
    count: usize,
    lowercase: bool,
}

impl Pieces for Lines {
    fn pieces(&self, sink: &mut dyn FnMut(&[u8])) {
        for &(name, value, len) in &self.headers[..self.count] {
            let name = if self.lowercase {
                name.as_lowercase_str()
            } else {
                name.as_str()
            };
            sink(name.as_bytes());
            sink(b": ");
            // SAFETY: checked readable when `Lines` was built.
            sink(unsafe { core::slice::from_raw_parts(value, len) });
            sink(b"\r\n");
        }
    }
}

/// Writes the decision's headers as HTTP/1.1 lines, `Name: value\r\n` each,
/// in the decision's order, into `buf` (not NUL-terminated), and the number
/// of bytes into `*out_len`. `flags` is 0 or a combination of
/// `CORSGUARD_WRITE_SKIP_VARY` and `CORSGUARD_WRITE_LOWERCASE`. Without
/// `SKIP_VARY`, `Vary` is written as its own line(s), which adds to any other
/// `Vary` line of the response.
///
/// When `buf_len` is too small (`buf` may then be NULL) nothing is written,
/// `*out_len` is the size needed and the result is
/// `CORSGUARD_RESULT_BUFFER_TOO_SMALL`; it never writes past `buf_len`.
/// Needs the policy and the request's bytes still alive.
///
/// # Safety
/// `decision` must be NULL or a decision filled by `corsguard_evaluate`;
/// `buf` NULL or writable for `buf_len` bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_decision_write_headers(
    decision: *const corsguard_decision,
    flags: u32,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if decision.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        if flags & !(CORSGUARD_WRITE_SKIP_VARY | CORSGUARD_WRITE_LOWERCASE) != 0 {
            return Err(corsguard_result::InvalidArgument);
        }
        // SAFETY: the caller guarantees a readable decision.
        let count = unsafe { addr_of!((*decision).header_count).read() };
        if count > CORSGUARD_MAX_HEADERS {
            return Err(corsguard_result::InvalidArgument);
        }
        let mut lines = Lines {
            headers: [(HeaderName::Vary, ptr::null(), 0); CORSGUARD_MAX_HEADERS],
            count: 0,
            lowercase: flags & CORSGUARD_WRITE_LOWERCASE != 0,
        };
        for i in 0..count {
            // SAFETY: `i < CORSGUARD_MAX_HEADERS`, inside the readable decision.
            let (id, value, len) = unsafe {
                let header = addr_of!((*decision).headers[i]);
                (
                    raw_u32(addr_of!((*header).id)),
                    addr_of!((*header).value).read(),
                    addr_of!((*header).value_len).read(),
                )
            };
            let name = core_header_name(id).ok_or(corsguard_result::InvalidArgument)?;
            if name == HeaderName::Vary && flags & CORSGUARD_WRITE_SKIP_VARY != 0 {
                continue;
            }
            // SAFETY: values borrow from the policy and request, kept alive.
            let value = unsafe { required(value.cast(), len) }?;
            lines.headers[lines.count] = (name, value.as_ptr(), value.len());
            lines.count += 1;
        }
        // SAFETY: the caller guarantees the output buffer and length.
        match unsafe { write_out(&lines, buf, buf_len, out_len) } {
            corsguard_result::Ok => Ok(()),
            code => Err(code),
        }
    })
}

/// The merged `Vary` value.
struct Merged<'a> {
    mode: corsguard_vary_merge_mode,
    existing: &'a [u8],
    tokens: &'a [u8],
}

impl Pieces for Merged<'_> {
    fn pieces(&self, sink: &mut dyn FnMut(&[u8])) {
        let mode = match self.mode {
            corsguard_vary_merge_mode::Dedup => VaryMerge::Dedup,
            corsguard_vary_merge_mode::Join => VaryMerge::Join,
        };
        corsguard_core::merge_vary(mode, self.existing, self.tokens, sink);
    }
}

/// Computes a response's new `Vary` value: `existing` (the response's
/// current `Vary`, its lines joined with `, `; NULL or empty when it has
/// none) with the decision's `Vary` value `tokens` added the way `mode`
/// says (`decision.vary_merge`). `CORSGUARD_VARY_MERGE_MODE_DEDUP` adds each
/// token the response does not list yet (case-insensitively, and nothing
/// when it varies on `*`); `_JOIN` appends `tokens` after `, `. The result
/// replaces the response's `Vary` header(s).
///
/// Output as `corsguard_decision_write_headers`: nothing written and the
/// size needed reported with `CORSGUARD_RESULT_BUFFER_TOO_SMALL` when
/// `buf_len` is too small. Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an
/// unknown mode, or when `existing` or `tokens` contains CR, LF or NUL.
///
/// # Safety
/// `existing` and `tokens` must be NULL or readable for their lengths; `buf`
/// NULL or writable for `buf_len` bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_vary_merge(
    mode: u32,
    existing: *const c_char,
    existing_len: usize,
    tokens: *const c_char,
    tokens_len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        let mode = match mode {
            0 => corsguard_vary_merge_mode::Dedup,
            1 => corsguard_vary_merge_mode::Join,
            _ => return Err(corsguard_result::InvalidArgument),
        };
        // SAFETY: the caller guarantees readable ranges.
        let existing = unsafe { optional(existing, existing_len) }?.unwrap_or_default();
        // SAFETY: as above.
        let tokens = unsafe { optional(tokens, tokens_len) }?.unwrap_or_default();
        let unsafe_byte = |s: &[u8]| s.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0));
        if unsafe_byte(existing) || unsafe_byte(tokens) {
            return Err(corsguard_result::InvalidArgument);
        }
        let merged = Merged {
            mode,
            existing,
            tokens,
        };
        // SAFETY: the caller guarantees the output buffer and length.
        match unsafe { write_out(&merged, buf, buf_len, out_len) } {
            corsguard_result::Ok => Ok(()),
            code => Err(code),
        }
    })
}

/// The stable snake_case code of a request kind (`"not_cors"`, `"actual"`,
/// `"preflight"`, `"plain_options"`; `"unknown"` otherwise), static and
/// NUL-terminated; the names the conformance vectors use.
#[no_mangle]
pub extern "C" fn corsguard_kind_code(kind: u32) -> crate::strings::corsguard_str {
    code_of(
        kind,
        &["not_cors\0", "actual\0", "preflight\0", "plain_options\0"],
    )
}

/// The stable snake_case code of an outcome (`"not_cors"`, `"allowed"`,
/// `"denied"`; `"unknown"` otherwise), static and NUL-terminated.
#[no_mangle]
pub extern "C" fn corsguard_outcome_code(outcome: u32) -> crate::strings::corsguard_str {
    code_of(outcome, &["not_cors\0", "allowed\0", "denied\0"])
}

/// The stable snake_case code of a reason (`"origin_not_allowed"`, ...;
/// `"none"` for `CORSGUARD_REASON_NONE`, `"unknown"` for others), static and
/// NUL-terminated; the core's `Reason::code()`.
#[no_mangle]
pub extern "C" fn corsguard_reason_code(reason: u32) -> crate::strings::corsguard_str {
    code_of(
        reason,
        &[
            "none\0",
            "origin_not_allowed\0",
            "malformed_origin\0",
            "missing_origin\0",
            "method_not_allowed\0",
            "header_not_allowed\0",
            "malformed_request_headers\0",
            "private_network_not_allowed\0",
            "other\0",
        ],
    )
}

/// The name of a header (`corsguard_header_name`): canonical capitalization,
/// or lowercase when `lowercase` is true; `"unknown"` for an unknown value.
/// Static and NUL-terminated.
#[no_mangle]
pub extern "C" fn corsguard_header_name_str(
    name: u32,
    lowercase: bool,
) -> crate::strings::corsguard_str {
    const LOWER: [&str; 8] = [
        "access-control-allow-origin\0",
        "access-control-allow-credentials\0",
        "access-control-allow-methods\0",
        "access-control-allow-headers\0",
        "access-control-max-age\0",
        "access-control-expose-headers\0",
        "access-control-allow-private-network\0",
        "vary\0",
    ];
    code_of(name, if lowercase { &LOWER } else { &CANONICAL })
}

fn code_of(value: u32, names: &[&'static str]) -> crate::strings::corsguard_str {
    let name = names.get(value as usize).copied().unwrap_or("unknown\0");
    crate::strings::corsguard_str::from_static(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_the_core() {
        for (id, core) in HEADER_NAMES {
            assert_eq!(
                CANONICAL[id as usize].strip_suffix('\0'),
                Some(core.as_str())
            );
        }
        for bits in 0..16u8 {
            let text = BODIES[bits as usize].strip_suffix('\0').unwrap();
            // The table mirrors the core's; a change there shows up here.
            let (ptr, len) = nul_terminated_body(text);
            assert_eq!(len, text.len());
            assert!(!ptr.is_null());
        }
    }
}
