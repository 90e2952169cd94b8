//! The response side: the CORS check, the checks of a CORS-preflight fetch,
//! and the verdict on a whole fetch, each failure named with the check that
//! failed and the message Chromium prints for it.
//!
//! Response headers are (name, value) pairs. Names match case-insensitively. As an
//! HTTP parser does, leading and trailing SP/HTAB are dropped from each value. A
//! response holding a header whose name is not a token, or whose value holds NUL, CR
//! or LF, cannot be what was parsed off the wire, so it is treated as a network error.
#![cfg(feature = "fetch")]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::request::{
    is_cors_non_wildcard_request_header_name, is_cors_safelisted_method, normalize_method,
    BrowserRequest, Unsendable,
};
use super::vocab::{has_forbidden_value_byte, is_http_tab_or_space, is_token, trim_by};
use super::{ACAC, ACAH, ACAM, ACAO, ACAPN, ACMA};

/// Response headers: (name, value) pairs, names in any case, possibly repeated.
pub type Headers = [(String, Vec<u8>)];

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// False when the pairs cannot be a parsed HTTP response: a name that is not a
/// token, or a value with NUL, CR or LF (which on the wire would be a different
/// message). The browser fails such a fetch with a network error.
fn is_parseable_response(headers: &Headers) -> bool {
    headers
        .iter()
        .all(|(name, value)| is_token(name.as_bytes()) && !has_forbidden_value_byte(value))
}

/// The values of every header called `name` (case-insensitive), in order, each
/// without surrounding SP/HTAB as HTTP parsing leaves it.
fn values_of<'a>(headers: &'a Headers, name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| trim_by(value, is_http_tab_or_space))
        .collect()
}

/// How many times a header called `name` appears.
pub fn header_count(headers: &Headers, name: &str) -> usize {
    values_of(headers, name).len()
}

/// Header list "get": `None` when there is no such header, else all its values
/// combined with ", ".
pub fn get_header(headers: &Headers, name: &str) -> Option<Vec<u8>> {
    let values = values_of(headers, name);
    (!values.is_empty()).then(|| values.join(&b", "[..]))
}

/// "Extract header list values" failed: an element of the list is not a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListParseFailure;

/// "Extract header list values" for a `#token` header (`#method` for ACAM,
/// `#field-name` for ACAH): `Ok(None)` when absent; otherwise every header's value
/// split on commas, elements trimmed of SP/HTAB, empty elements skipped (as the
/// `#rule` requires), and a failure if any element is not a token.
pub fn extract_token_list(
    headers: &Headers,
    name: &str,
) -> Result<Option<Vec<Vec<u8>>>, ListParseFailure> {
    let values = values_of(headers, name);
    if values.is_empty() {
        return Ok(None);
    }
    let mut items = Vec::new();
    for value in values {
        for element in value.split(|&b| b == b',') {
            let element = trim_by(element, is_http_tab_or_space);
            if element.is_empty() {
                continue;
            }
            if !is_token(element) {
                return Err(ListParseFailure);
            }
            items.push(element.to_vec());
        }
    }
    Ok(Some(items))
}

/// An ok status: 200 to 299.
pub fn is_ok_status(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// A redirect status: 301, 302, 303, 307 or 308.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

// ---------------------------------------------------------------------------
// CORS check
// ---------------------------------------------------------------------------

/// Why the CORS check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsCheckFailure {
    /// A header name is not a token or a value holds NUL, CR or LF: not a
    /// response the browser could have parsed (a network error).
    Unparseable,
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` holds several values (sent twice, or as a list).
    MultipleAllowOrigin {
        /// The combined value.
        value: String,
    },
    /// `*` for a credentialed request.
    WildcardWithCredentials,
    /// `Access-Control-Allow-Origin` is not an origin at all.
    InvalidAllowOrigin {
        /// The value.
        value: String,
    },
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch {
        /// The value.
        value: String,
    },
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    CredentialsNotTrue {
        /// The value, empty when absent.
        value: String,
    },
}

/// The CORS check (Fetch "CORS check"): `Access-Control-Allow-Origin` must be
/// exactly `*` (only without credentials) or byte-equal to the request's
/// origin; with credentials, `Access-Control-Allow-Credentials` must be
/// exactly `true`. The failure is classified the way Chromium reports it.
pub fn cors_check(req: &BrowserRequest, headers: &Headers) -> Result<(), CorsCheckFailure> {
    if !is_parseable_response(headers) {
        return Err(CorsCheckFailure::Unparseable);
    }
    let Some(allow_origin) = get_header(headers, ACAO) else {
        return Err(CorsCheckFailure::MissingAllowOrigin);
    };
    if allow_origin == b"*" {
        return if req.credentials {
            Err(CorsCheckFailure::WildcardWithCredentials)
        } else {
            Ok(())
        };
    }
    if allow_origin != req.origin.as_bytes() {
        let value = lossy(&allow_origin);
        return Err(if allow_origin.iter().any(|&b| b == b',' || b == b' ') {
            CorsCheckFailure::MultipleAllowOrigin { value }
        } else if allow_origin != b"null" && !looks_like_origin(&allow_origin) {
            CorsCheckFailure::InvalidAllowOrigin { value }
        } else {
            CorsCheckFailure::AllowOriginMismatch { value }
        });
    }
    if !req.credentials {
        return Ok(());
    }
    match get_header(headers, ACAC) {
        Some(value) if value == b"true" => Ok(()),
        value => Err(CorsCheckFailure::CredentialsNotTrue {
            value: value.map(|v| lossy(&v)).unwrap_or_default(),
        }),
    }
}

/// Whether `value` parses as a URL with a scheme and a host, as Chromium
/// asks before calling a mismatch a mismatch: `scheme://host...`.
fn looks_like_origin(value: &[u8]) -> bool {
    let Some(colon) = value.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let scheme = &value[..colon];
    let rest = &value[colon + 3..];
    !scheme.is_empty()
        && scheme[0].is_ascii_alphabetic()
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !matches!(rest[0], b'/' | b':')
}

impl CorsCheckFailure {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            CorsCheckFailure::Unparseable => "unparseable_response",
            CorsCheckFailure::MissingAllowOrigin => "missing_allow_origin",
            CorsCheckFailure::MultipleAllowOrigin { .. } => "multiple_allow_origin",
            CorsCheckFailure::WildcardWithCredentials => "wildcard_with_credentials",
            CorsCheckFailure::InvalidAllowOrigin { .. } => "invalid_allow_origin",
            CorsCheckFailure::AllowOriginMismatch { .. } => "allow_origin_mismatch",
            CorsCheckFailure::CredentialsNotTrue { .. } => "credentials_not_true",
        }
    }

    /// What Chromium prints after "has been blocked by CORS policy: " for
    /// this failure of the CORS check on an actual response (as Chromium
    /// 156 words it).
    pub fn chromium_message(&self) -> String {
        match self {
            CorsCheckFailure::Unparseable => String::from("(a network error: the response could not be parsed)"),
            CorsCheckFailure::MissingAllowOrigin => String::from(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            CorsCheckFailure::MultipleAllowOrigin { value } => alloc::format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed. Have the server send the header with a valid value."
            ),
            CorsCheckFailure::WildcardWithCredentials => String::from(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
            ),
            CorsCheckFailure::InvalidAllowOrigin { value } => alloc::format!(
                "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'. Have the server send the header with a valid value."
            ),
            CorsCheckFailure::AllowOriginMismatch { value } => alloc::format!(
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin. Have the server send the header with a valid value."
            ),
            CorsCheckFailure::CredentialsNotTrue { value } => alloc::format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'."
            ),
        }
    }
}

impl fmt::Display for CorsCheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CorsCheckFailure::Unparseable => f.write_str(
                "the response holds a header that is not valid HTTP (a network error)",
            ),
            CorsCheckFailure::MissingAllowOrigin => {
                f.write_str("the response has no Access-Control-Allow-Origin header")
            }
            CorsCheckFailure::MultipleAllowOrigin { value } => write!(
                f,
                "Access-Control-Allow-Origin holds several values (`{value}`); it must be exactly one"
            ),
            CorsCheckFailure::WildcardWithCredentials => f.write_str(
                "Access-Control-Allow-Origin is `*`, which never admits a credentialed request",
            ),
            CorsCheckFailure::InvalidAllowOrigin { value } => {
                write!(f, "Access-Control-Allow-Origin `{value}` is not an origin")
            }
            CorsCheckFailure::AllowOriginMismatch { value } => write!(
                f,
                "Access-Control-Allow-Origin is `{value}`, not the page's origin"
            ),
            CorsCheckFailure::CredentialsNotTrue { value } if value.is_empty() => f.write_str(
                "the request is credentialed and the response has no Access-Control-Allow-Credentials: true",
            ),
            CorsCheckFailure::CredentialsNotTrue { value } => write!(
                f,
                "the request is credentialed and Access-Control-Allow-Credentials is `{value}`, not `true`"
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// CORS-preflight fetch
// ---------------------------------------------------------------------------

/// Why a CORS-preflight fetch failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightFailure {
    /// The preflight's response failed the CORS check.
    Cors(CorsCheckFailure),
    /// The preflight was answered with a redirect, which a preflight never follows.
    Redirect {
        /// The status.
        status: u16,
    },
    /// The preflight's status is not 200–299.
    NotOk {
        /// The status.
        status: u16,
    },
    /// `Access-Control-Allow-Methods` is not a list of tokens.
    UnparseableMethods,
    /// `Access-Control-Allow-Headers` is not a list of tokens.
    UnparseableHeaders,
    /// The method is not listed (and not safelisted, and no usable `*`).
    MethodNotAllowed {
        /// The normalized method.
        method: String,
    },
    /// A request header is not listed (and no usable `*`).
    HeaderNotAllowed {
        /// The header name, lowercased.
        name: String,
    },
    /// `Authorization` is requested, and `*` does not cover it.
    AuthorizationNotCoveredByWildcard,
    /// Private Network Access was requested and not granted.
    PrivateNetworkNotAllowed,
}

impl PreflightFailure {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            PreflightFailure::Cors(failure) => failure.code(),
            PreflightFailure::Redirect { .. } => "preflight_redirect",
            PreflightFailure::NotOk { .. } => "preflight_not_ok",
            PreflightFailure::UnparseableMethods => "unparseable_allow_methods",
            PreflightFailure::UnparseableHeaders => "unparseable_allow_headers",
            PreflightFailure::MethodNotAllowed { .. } => "method_not_allowed",
            PreflightFailure::HeaderNotAllowed { .. } => "header_not_allowed",
            PreflightFailure::AuthorizationNotCoveredByWildcard => "authorization_not_covered",
            PreflightFailure::PrivateNetworkNotAllowed => "private_network_not_allowed",
        }
    }

    /// What Chromium prints after "has been blocked by CORS policy: ".
    pub fn chromium_message(&self) -> String {
        const PREFIX: &str = "Response to preflight request doesn't pass access control check: ";
        match self {
            PreflightFailure::Cors(failure) => {
                let mut message = String::from(PREFIX);
                message.push_str(&failure.chromium_message());
                message
            }
            PreflightFailure::Redirect { .. } => {
                alloc::format!("{PREFIX}Redirect is not allowed for a preflight request.")
            }
            PreflightFailure::NotOk { .. } => {
                alloc::format!("{PREFIX}It does not have HTTP ok status.")
            }
            PreflightFailure::UnparseableMethods => String::from(
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
            ),
            PreflightFailure::UnparseableHeaders => String::from(
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
            ),
            PreflightFailure::MethodNotAllowed { method } => alloc::format!(
                "Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
            ),
            PreflightFailure::HeaderNotAllowed { name } => alloc::format!(
                "Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
            PreflightFailure::AuthorizationNotCoveredByWildcard => String::from(
                "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.",
            ),
            PreflightFailure::PrivateNetworkNotAllowed => alloc::format!(
                "{PREFIX}No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the `local` address space."
            ),
        }
    }
}

impl fmt::Display for PreflightFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightFailure::Cors(failure) => write!(f, "preflight: {failure}"),
            PreflightFailure::Redirect { status } => write!(
                f,
                "the preflight was answered with a redirect ({status}); a preflight must be answered directly"
            ),
            PreflightFailure::NotOk { status } => write!(
                f,
                "the preflight's status is {status}; it must be 200-299"
            ),
            PreflightFailure::UnparseableMethods => {
                f.write_str("Access-Control-Allow-Methods is not a comma-separated list of methods")
            }
            PreflightFailure::UnparseableHeaders => f.write_str(
                "Access-Control-Allow-Headers is not a comma-separated list of header names",
            ),
            PreflightFailure::MethodNotAllowed { method } => write!(
                f,
                "the method `{method}` is not in the preflight's Access-Control-Allow-Methods"
            ),
            PreflightFailure::HeaderNotAllowed { name } => write!(
                f,
                "the request header `{name}` is not in the preflight's Access-Control-Allow-Headers"
            ),
            PreflightFailure::AuthorizationNotCoveredByWildcard => f.write_str(
                "`authorization` must be listed by name: `*` in Access-Control-Allow-Headers never covers it",
            ),
            PreflightFailure::PrivateNetworkNotAllowed => f.write_str(
                "the preflight asked for Private Network Access and the answer has no Access-Control-Allow-Private-Network: true",
            ),
        }
    }
}

/// What a passed preflight grants: what the browser stores in its
/// CORS-preflight cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightGrant {
    /// `Access-Control-Allow-Methods`, as listed (empty when absent).
    pub methods: Vec<Vec<u8>>,
    /// `Access-Control-Allow-Headers`, as listed (empty when absent).
    pub headers: Vec<Vec<u8>>,
    /// `Access-Control-Max-Age`, when it parses.
    pub max_age: Option<u64>,
}

/// The checks of a CORS-preflight fetch (Fetch "CORS-preflight fetch", step
/// 7 onwards), in the standard's order: the CORS check and an ok status
/// (a redirect is its own failure, as a preflight never follows one), the
/// two lists parse, the method is allowed (safelisted, listed byte-exact, or
/// `*` without credentials), every CORS-unsafe header name is listed
/// case-insensitively (or `*` without credentials, which never covers
/// `Authorization`), and Private Network Access is granted when asked for.
pub fn cors_preflight_fetch(
    req: &BrowserRequest,
    status: u16,
    headers: &Headers,
) -> Result<PreflightGrant, PreflightFailure> {
    if is_redirect_status(status) {
        return Err(PreflightFailure::Redirect { status });
    }
    cors_check(req, headers).map_err(PreflightFailure::Cors)?;
    if !is_ok_status(status) {
        return Err(PreflightFailure::NotOk { status });
    }
    // An absent header is an empty list (the use-CORS-preflight flag is not modelled).
    let methods = extract_token_list(headers, ACAM)
        .map_err(|_| PreflightFailure::UnparseableMethods)?
        .unwrap_or_default();
    let header_names = extract_token_list(headers, ACAH)
        .map_err(|_| PreflightFailure::UnparseableHeaders)?
        .unwrap_or_default();

    // `*` is a wildcard only without credentials; with them it is a literal item.
    let has_wildcard = |list: &[Vec<u8>]| !req.credentials && list.iter().any(|item| item == b"*");
    let lists_name = |name: &[u8]| {
        header_names
            .iter()
            .any(|item| item.eq_ignore_ascii_case(name))
    };

    let method = normalize_method(req.method.as_bytes());
    if !methods.contains(&method) && !is_cors_safelisted_method(&method) && !has_wildcard(&methods)
    {
        return Err(PreflightFailure::MethodNotAllowed {
            method: lossy(&method),
        });
    }
    for (name, _) in req.header_list() {
        if is_cors_non_wildcard_request_header_name(&name) && !lists_name(&name) {
            return Err(if has_wildcard(&header_names) {
                PreflightFailure::AuthorizationNotCoveredByWildcard
            } else {
                PreflightFailure::HeaderNotAllowed {
                    name: String::from("authorization"),
                }
            });
        }
    }
    for unsafe_name in req.unsafe_header_names() {
        if !lists_name(unsafe_name.as_bytes()) && !has_wildcard(&header_names) {
            return Err(PreflightFailure::HeaderNotAllowed { name: unsafe_name });
        }
    }
    if req.private_network && get_header(headers, ACAPN).as_deref() != Some(&b"true"[..]) {
        return Err(PreflightFailure::PrivateNetworkNotAllowed);
    }
    Ok(PreflightGrant {
        methods,
        headers: header_names,
        max_age: preflight_max_age(headers),
    })
}

/// Why a whole fetch failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchFailure {
    /// `fetch()` threw before sending anything.
    Unsendable(Unsendable),
    /// A preflight was needed and none was answered.
    NoPreflight,
    /// The preflight failed; the actual request was never sent.
    Preflight(PreflightFailure),
    /// The actual response failed the CORS check.
    Cors(CorsCheckFailure),
}

impl FetchFailure {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            FetchFailure::Unsendable(_) => "unsendable",
            FetchFailure::NoPreflight => "no_preflight_answer",
            FetchFailure::Preflight(failure) => failure.code(),
            FetchFailure::Cors(failure) => failure.code(),
        }
    }

    /// What Chromium prints after "has been blocked by CORS policy: " (for
    /// a request `fetch()` throws on, the reason instead).
    pub fn chromium_message(&self) -> String {
        match self {
            FetchFailure::Unsendable(why) => alloc::format!("{why}"),
            FetchFailure::NoPreflight => String::from("(the preflight got no answer)"),
            FetchFailure::Preflight(failure) => failure.chromium_message(),
            FetchFailure::Cors(failure) => failure.chromium_message(),
        }
    }
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchFailure::Unsendable(why) => why.fmt(f),
            FetchFailure::NoPreflight => f.write_str("the preflight got no answer"),
            FetchFailure::Preflight(failure) => failure.fmt(f),
            FetchFailure::Cors(failure) => failure.fmt(f),
        }
    }
}

/// The verdict on one fetch: when the request needs a preflight, the
/// preflight (status, headers) must pass; then the actual response must
/// pass the CORS check. A preflight given for a request that needs none is
/// ignored, as the browser would not send it.
pub fn fetch(
    req: &BrowserRequest,
    preflight: Option<(u16, &Headers)>,
    actual: &Headers,
) -> Result<(), FetchFailure> {
    req.check_sendable().map_err(FetchFailure::Unsendable)?;
    if req.needs_preflight() {
        let Some((status, headers)) = preflight else {
            return Err(FetchFailure::NoPreflight);
        };
        cors_preflight_fetch(req, status, headers).map_err(FetchFailure::Preflight)?;
    }
    cors_check(req, actual).map_err(FetchFailure::Cors)
}

/// The max-age the browser would cache the preflight for, if the header parses
/// (non-negative integer), else None.
///
/// `Access-Control-Max-Age = delta-seconds` (1*DIGIT) allows a single header, so
/// a repeated header is a failure. Values too large for a u64 saturate, as RFC
/// 9111 allows for delta-seconds. The browser's own cap and default are
/// [`BrowserLimits`](super::BrowserLimits).
pub fn preflight_max_age(headers: &Headers) -> Option<u64> {
    let values = values_of(headers, ACMA);
    let [value] = values.as_slice() else {
        return None;
    };
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0u64, |acc, &digit| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}
