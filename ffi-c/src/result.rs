//! Result codes: the boundary's own errors and one code per kind of
//! configuration error of the core, each with a stable snake_case name.

use crate::strings::corsguard_str;

/// What a function did. `CORSGUARD_RESULT_OK` (0) is success. Codes 1 to 99
/// are errors of the C boundary itself; codes 100 to 119 are the core's
/// configuration errors (one per kind, with the same snake_case name as
/// `corsguard_result_code` returns and the core's `ConfigError::code()`);
/// codes from 120 are the policy document's own problems
/// (`corsguard_policy_from_json`, named as the core's `Problem::code()`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL (or a NULL pointer came with a
    /// non-zero length).
    NullPointer = 1,
    /// An argument is out of range: an unknown enum value or flag, or a
    /// length too large to be a real buffer.
    InvalidArgument = 2,
    /// A configuration entry is not valid UTF-8. Configured origins and
    /// names are text; request values may be any bytes.
    NotUtf8 = 3,
    /// The output buffer is too short; the size needed was stored and
    /// nothing was written.
    BufferTooSmall = 4,
    /// Caller-provided policy memory is too small for the capacity class.
    MemoryTooSmall = 5,
    /// Caller-provided policy memory is not aligned as `corsguard_policy_size` says.
    BadAlignment = 6,
    /// `corsguard_policy_free` was given a policy built in caller memory by
    /// `corsguard_policy_init`; such memory is the caller's to reuse.
    NotOwned = 7,
    /// The pointer does not point to a live policy: not a policy, ended by
    /// `corsguard_policy_deinit`, in memory where a build failed, or (caught
    /// only at best) already freed.
    InvalidHandle = 8,
    /// An internal error was caught at the boundary (a bug: please report it).
    Panic = 9,
    /// No policy serves the request's path (`corsguard_evaluate_path`,
    /// `corsguard_policy_route`): the document's routes leave CORS off it, so
    /// the response gets no CORS headers at all. Not a failure of the call:
    /// pass the request on untouched.
    NoPolicy = 10,
    /// The policy was loaded from a document with `routes`, so which of its
    /// policies serves a request depends on the path: evaluate with
    /// `corsguard_evaluate_path`.
    NeedsPath = 11,
    /// `allowed_origins` has `*` on a policy with credentials.
    WildcardOriginWithCredentials = 100,
    /// `*` as methods, allowed or exposed headers on a policy with credentials.
    WildcardWithCredentials = 101,
    /// `allowed_origins` has `null` on a policy with credentials.
    NullOriginWithCredentials = 102,
    /// `*` among other origins.
    WildcardOriginAmongOthers = 103,
    /// An origin entry a browser could never send (see `corsguard_error.problem`).
    MalformedOrigin = 104,
    /// No origin is allowed at all.
    NoOrigins = 105,
    /// CONNECT, TRACE or TRACK among the methods.
    ForbiddenMethod = 106,
    /// A method in lowercase that browsers uppercase (`delete`, `get`, ...).
    MethodNotNormalized = 107,
    /// A method or header name that is not an HTTP token.
    NotAToken = 108,
    /// A request header browsers never let scripts set.
    ForbiddenRequestHeader = 109,
    /// A response header browsers never expose (`Set-Cookie`).
    ForbiddenResponseHeader = 110,
    /// The same entry twice.
    Duplicate = 111,
    /// A value containing CR, LF or NUL.
    UnsafeValue = 112,
    /// A max-age above 86400 seconds.
    MaxAgeOutOfRange = 113,
    /// A literal max-age outside the literal syntax of the compatibility profiles.
    LiteralNeedsLiteralSyntax = 114,
    /// A status code outside its range.
    StatusOutOfRange = 115,
    /// The policy's capacity class is too small for this configuration.
    CapacityExceeded = 116,
    /// A host verdict that admits any site's origin, with credentials.
    WideVerdictWithCredentials = 117,
    /// A policy document that is not valid JSON, or whose root is no object.
    InvalidJson = 120,
    /// A document value of the wrong JSON type.
    WrongType = 121,
    /// A document key the format does not have (often a misspelling).
    UnknownKey = 122,
    /// A document key given twice in one object.
    DuplicateKey = 123,
    /// A key the document must have (`version`, `allowOrigins`).
    MissingKey = 124,
    /// A document `version` this library does not read.
    UnsupportedVersion = 125,
    /// A document string that is none of the values its key takes.
    UnknownValue = 126,
    /// A document number outside its key's range.
    OutOfRange = 127,
    /// A name under `policies` that is empty, `default` or given twice.
    BadPolicyName = 128,
    /// A route's `path` rule that is not a valid rule (see
    /// `corsguard_problem.problem` for what is wrong).
    BadPathRule = 129,
    /// A route's `policy` that names no policy of the document.
    UnknownPolicy = 130,
    /// A configuration error this version of the C API has no code for (its
    /// message still says what is wrong).
    ConfigOther = 199,
}

impl corsguard_result {
    fn describe(self) -> (&'static str, &'static str) {
        use corsguard_result as R;
        match self {
            R::Ok => ("ok\0", "success\0"),
            R::NullPointer => ("null_pointer\0", "a required pointer argument was NULL\0"),
            R::InvalidArgument => ("invalid_argument\0", "an argument is out of range (unknown enum value, flag or length)\0"),
            R::NotUtf8 => ("not_utf8\0", "a configuration entry is not valid UTF-8\0"),
            R::BufferTooSmall => ("buffer_too_small\0", "the output buffer is too short; the size needed was reported\0"),
            R::MemoryTooSmall => ("memory_too_small\0", "the policy memory is smaller than corsguard_policy_size reports\0"),
            R::BadAlignment => ("bad_alignment\0", "the policy memory is not aligned as corsguard_policy_size reports\0"),
            R::NotOwned => ("not_owned\0", "the policy lives in caller memory (corsguard_policy_init) and is not freed by the library\0"),
            R::InvalidHandle => ("invalid_handle\0", "the pointer does not point to a live policy\0"),
            R::Panic => ("panic\0", "an internal error was caught at the library boundary\0"),
            R::NoPolicy => ("no_policy\0", "no policy serves this path: send no CORS headers\0"),
            R::NeedsPath => ("needs_path\0", "the policy document has routes: evaluate with corsguard_evaluate_path\0"),
            R::WildcardOriginWithCredentials => ("wildcard_origin_with_credentials\0", "configuration error: `*` origin with credentials\0"),
            R::WildcardWithCredentials => ("wildcard_with_credentials\0", "configuration error: `*` names with credentials\0"),
            R::NullOriginWithCredentials => ("null_origin_with_credentials\0", "configuration error: `null` origin with credentials\0"),
            R::WildcardOriginAmongOthers => ("wildcard_origin_among_others\0", "configuration error: `*` among other origins\0"),
            R::MalformedOrigin => ("malformed_origin\0", "configuration error: an origin a browser could never send\0"),
            R::NoOrigins => ("no_origins\0", "configuration error: no origin is allowed\0"),
            R::ForbiddenMethod => ("forbidden_method\0", "configuration error: a method browsers never send\0"),
            R::MethodNotNormalized => ("method_not_normalized\0", "configuration error: a method browsers uppercase\0"),
            R::NotAToken => ("not_a_token\0", "configuration error: a name that is not an HTTP token\0"),
            R::ForbiddenRequestHeader => ("forbidden_request_header\0", "configuration error: a request header scripts cannot set\0"),
            R::ForbiddenResponseHeader => ("forbidden_response_header\0", "configuration error: a response header browsers never expose\0"),
            R::Duplicate => ("duplicate\0", "configuration error: an entry listed twice\0"),
            R::UnsafeValue => ("unsafe_value\0", "configuration error: a value with CR, LF or NUL\0"),
            R::MaxAgeOutOfRange => ("max_age_out_of_range\0", "configuration error: max-age above 86400 seconds\0"),
            R::LiteralNeedsLiteralSyntax => ("literal_needs_literal_syntax\0", "configuration error: a literal value outside the literal syntax\0"),
            R::StatusOutOfRange => ("status_out_of_range\0", "configuration error: a status code out of range\0"),
            R::CapacityExceeded => ("capacity_exceeded\0", "configuration error: the capacity class is too small\0"),
            R::WideVerdictWithCredentials => ("wide_verdict_with_credentials\0", "configuration error: a host verdict admitting any site, with credentials\0"),
            R::InvalidJson => ("invalid_json\0", "policy document error: not valid JSON, or not an object\0"),
            R::WrongType => ("wrong_type\0", "policy document error: a value of the wrong type\0"),
            R::UnknownKey => ("unknown_key\0", "policy document error: an unknown key\0"),
            R::DuplicateKey => ("duplicate_key\0", "policy document error: a key given twice\0"),
            R::MissingKey => ("missing_key\0", "policy document error: a required key is missing\0"),
            R::UnsupportedVersion => ("unsupported_version\0", "policy document error: an unsupported version\0"),
            R::UnknownValue => ("unknown_value\0", "policy document error: a value the key does not take\0"),
            R::OutOfRange => ("out_of_range\0", "policy document error: a number out of range\0"),
            R::BadPolicyName => ("bad_policy_name\0", "policy document error: a policy name that is empty, default or taken\0"),
            R::BadPathRule => ("bad_path_rule\0", "policy document error: a route path rule that is not valid\0"),
            R::UnknownPolicy => ("unknown_policy\0", "policy document error: a route naming no policy\0"),
            R::ConfigOther => ("config_other\0", "configuration error\0"),
        }
    }

    /// Every code, for lookups by number.
    const ALL: [corsguard_result; 42] = {
        use corsguard_result as R;
        [
            R::Ok,
            R::NullPointer,
            R::InvalidArgument,
            R::NotUtf8,
            R::BufferTooSmall,
            R::MemoryTooSmall,
            R::BadAlignment,
            R::NotOwned,
            R::InvalidHandle,
            R::Panic,
            R::NoPolicy,
            R::NeedsPath,
            R::WildcardOriginWithCredentials,
            R::WildcardWithCredentials,
            R::NullOriginWithCredentials,
            R::WildcardOriginAmongOthers,
            R::MalformedOrigin,
            R::NoOrigins,
            R::ForbiddenMethod,
            R::MethodNotNormalized,
            R::NotAToken,
            R::ForbiddenRequestHeader,
            R::ForbiddenResponseHeader,
            R::Duplicate,
            R::UnsafeValue,
            R::MaxAgeOutOfRange,
            R::LiteralNeedsLiteralSyntax,
            R::StatusOutOfRange,
            R::CapacityExceeded,
            R::WideVerdictWithCredentials,
            R::InvalidJson,
            R::WrongType,
            R::UnknownKey,
            R::DuplicateKey,
            R::MissingKey,
            R::UnsupportedVersion,
            R::UnknownValue,
            R::OutOfRange,
            R::BadPolicyName,
            R::BadPathRule,
            R::UnknownPolicy,
            R::ConfigOther,
        ]
    };

    /// The code whose snake_case name is `code` (a `Problem::code()` of the
    /// core); `CORSGUARD_RESULT_CONFIG_OTHER` for a name this version lacks.
    pub(crate) fn of_code(code: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .filter(|r| *r as u32 >= 100)
            .find(|r| r.describe().0.strip_suffix('\0') == Some(code))
            .unwrap_or(corsguard_result::ConfigOther)
    }

    fn from_u32(value: u32) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| *r as u32 == value)
    }
}

/// The stable snake_case name of a result code (`"ok"`, `"null_pointer"`,
/// `"malformed_origin"`, ...), as a static NUL-terminated string. For a
/// configuration error it is the core's `ConfigError::code()`, the name the
/// conformance vectors use. An unknown number gives `"unknown"`.
#[no_mangle]
pub extern "C" fn corsguard_result_code(result: u32) -> corsguard_str {
    match corsguard_result::from_u32(result) {
        Some(r) => corsguard_str::from_static(r.describe().0),
        None => corsguard_str::from_static("unknown\0"),
    }
}

/// A short English description of a result code, as a static NUL-terminated
/// string. For configuration errors prefer the full message of
/// `corsguard_error.message`, which names the entry, the rule and the fix.
#[no_mangle]
pub extern "C" fn corsguard_result_message(result: u32) -> corsguard_str {
    match corsguard_result::from_u32(result) {
        Some(r) => corsguard_str::from_static(r.describe().1),
        None => corsguard_str::from_static("unknown result code\0"),
    }
}

/// What is wrong with a malformed origin entry
/// (`CORSGUARD_RESULT_MALFORMED_ORIGIN`); `CORSGUARD_ORIGIN_PROBLEM_NONE` for
/// every other error.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_origin_problem {
    /// Not a malformed-origin error.
    None = 0,
    /// The entry is empty.
    Empty,
    /// Whitespace or a control character.
    Whitespace,
    /// No `scheme://`.
    MissingScheme,
    /// A scheme that is not letters, digits, `+`, `-`, `.` starting with a letter.
    BadScheme,
    /// Uppercase letters.
    Uppercase,
    /// A trailing `/`.
    TrailingSlash,
    /// A path after the host.
    Path,
    /// A `?query`.
    Query,
    /// A `#fragment`.
    Fragment,
    /// `user@` before the host.
    UserInfo,
    /// An empty or invalid host.
    BadHost,
    /// A port that is not 1 to 65535 without leading zeros.
    BadPort,
    /// The scheme's default port.
    DefaultPort,
    /// A `*` where patterns do not allow one.
    BadPattern,
    /// A pattern covering a whole top-level domain.
    PatternTooWide,
    /// A pattern longer than 320 bytes.
    TooLong,
    /// A problem this version of the C API has no code for.
    Other,
    /// An IP address browsers serialize differently (the message gives the form).
    NonCanonicalIp,
    /// A host that must be an IP address and is not a valid one.
    InvalidIp,
    /// A `file:`, `data:`, `javascript:` or `blob:` URL.
    OpaqueOrigin,
    /// A subdomain pattern over a public suffix (`https://*.co.uk`).
    PublicSuffix,
}

/// Every problem with its snake_case code (the core's `OriginProblem::code()`).
const ORIGIN_PROBLEMS: [(corsguard_origin_problem, &str); 22] = {
    use corsguard_origin_problem as P;
    [
        (P::None, "none\0"),
        (P::Empty, "empty\0"),
        (P::Whitespace, "whitespace\0"),
        (P::MissingScheme, "missing_scheme\0"),
        (P::BadScheme, "bad_scheme\0"),
        (P::Uppercase, "uppercase\0"),
        (P::TrailingSlash, "trailing_slash\0"),
        (P::Path, "path\0"),
        (P::Query, "query\0"),
        (P::Fragment, "fragment\0"),
        (P::UserInfo, "user_info\0"),
        (P::BadHost, "bad_host\0"),
        (P::BadPort, "bad_port\0"),
        (P::DefaultPort, "default_port\0"),
        (P::BadPattern, "bad_pattern\0"),
        (P::PatternTooWide, "pattern_too_wide\0"),
        (P::TooLong, "too_long\0"),
        (P::Other, "other\0"),
        (P::NonCanonicalIp, "non_canonical_ip\0"),
        (P::InvalidIp, "invalid_ip\0"),
        (P::OpaqueOrigin, "opaque_origin\0"),
        (P::PublicSuffix, "public_suffix\0"),
    ]
};

impl corsguard_origin_problem {
    /// The problem whose snake_case name is `code` (a `Problem::problem()`
    /// of the core's loader); `CORSGUARD_ORIGIN_PROBLEM_OTHER` for a name
    /// this version lacks.
    pub(crate) fn of_code(code: &str) -> Self {
        ORIGIN_PROBLEMS
            .iter()
            .find(|(_, name)| name.strip_suffix('\0') == Some(code))
            .map_or(corsguard_origin_problem::Other, |(p, _)| *p)
    }
}

/// The stable snake_case name of an origin problem (`"trailing_slash"`, ...;
/// `"none"` for `CORSGUARD_ORIGIN_PROBLEM_NONE`, `"unknown"` for a number
/// that is no problem), as a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn corsguard_origin_problem_code(problem: u32) -> corsguard_str {
    ORIGIN_PROBLEMS
        .iter()
        .find(|(p, _)| *p as u32 == problem)
        .map_or(corsguard_str::from_static("unknown\0"), |(_, name)| {
            corsguard_str::from_static(name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use corsguard_core::{ConfigError, OriginProblem};

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<&str> = corsguard_result::ALL
            .iter()
            .map(|r| r.describe().0)
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), corsguard_result::ALL.len());
        for r in corsguard_result::ALL {
            assert_eq!(corsguard_result::from_u32(r as u32), Some(r));
        }
    }

    #[test]
    fn config_error_names_match_the_core() {
        let error = ConfigError::NoOrigins;
        assert_eq!(
            corsguard_result::of_code(error.code()),
            corsguard_result::NoOrigins
        );
        let error = ConfigError::MalformedOrigin {
            entry: "x",
            problem: OriginProblem::TrailingSlash,
        };
        assert_eq!(
            corsguard_result::of_code(error.code()),
            corsguard_result::MalformedOrigin
        );
        assert_eq!(
            corsguard_origin_problem::of_code(OriginProblem::TrailingSlash.code()),
            corsguard_origin_problem::TrailingSlash
        );
    }
}
