//! The request side: methods, request headers, and what a page's `fetch()`
//! puts on the wire, including whether a CORS-preflight request goes first
//! and why.
#![cfg(feature = "fetch")]

use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::vocab::{
    has_forbidden_value_byte, is_http_tab_or_space, is_http_whitespace, is_token, to_byte_string,
    trim_by, trim_end_by,
};

// ---------------------------------------------------------------------------
// Methods (Fetch "Methods")
// ---------------------------------------------------------------------------

/// CORS-safelisted method: exactly `GET`, `HEAD` or `POST` (case-sensitive).
pub fn is_cors_safelisted_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"POST")
}

/// Forbidden method: `CONNECT`, `TRACE` or `TRACK`, byte-case-insensitive.
pub fn is_forbidden_method(method: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|m| method.eq_ignore_ascii_case(m))
}

/// Method "normalize": DELETE, GET, HEAD, OPTIONS, POST and PUT are uppercased when
/// they match case-insensitively; every other method is kept as written.
pub fn normalize_method(method: &[u8]) -> Vec<u8> {
    const NORMALIZED: [&[u8]; 6] = [b"DELETE", b"GET", b"HEAD", b"OPTIONS", b"POST", b"PUT"];
    if NORMALIZED.iter().any(|m| method.eq_ignore_ascii_case(m)) {
        method.to_ascii_uppercase()
    } else {
        method.to_vec()
    }
}

// ---------------------------------------------------------------------------
// Request headers (Fetch "Headers" / "CORS-safelisted request-header" / ...)
// ---------------------------------------------------------------------------

const METHOD_OVERRIDE_HEADER_NAMES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// Forbidden request-header (name, value): a header script may not set. `Headers`
/// drops such a header silently, so it never reaches the network or the preflight.
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    // The names and the `proxy-`/`sec-` prefixes: the list the policy
    // loader refuses in allowHeaders.
    if crate::headers::is_forbidden_request_header(name) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    if METHOD_OVERRIDE_HEADER_NAMES
        .iter()
        .any(|f| lower == f.as_bytes())
    {
        return get_decode_split(value)
            .iter()
            .any(|method| is_forbidden_method(method));
    }
    false
}

/// Fetch "get, decode, and split" on one header value: split on commas that are
/// not inside a quoted string, trimming HTTP tab or space around each element.
/// Quoted strings are kept raw (quotes and backslashes included). Works on bytes,
/// which is what isomorphic decoding then encoding amounts to.
pub fn get_decode_split(value: &[u8]) -> Vec<Vec<u8>> {
    let mut values = Vec::new();
    let mut temporary = Vec::new();
    let mut pos = 0;
    loop {
        // Collect everything up to a `"` or a `,`.
        while pos < value.len() && value[pos] != b'"' && value[pos] != b',' {
            temporary.push(value[pos]);
            pos += 1;
        }
        // A quoted string is taken whole, commas inside it included.
        if pos < value.len() && value[pos] == b'"' {
            let (quoted, next) = collect_http_quoted_string(value, pos);
            temporary.extend_from_slice(quoted);
            pos = next;
            if pos < value.len() {
                continue;
            }
        }
        values.push(trim_by(&temporary, is_http_tab_or_space).to_vec());
        temporary.clear();
        if pos >= value.len() {
            return values;
        }
        debug_assert_eq!(value[pos], b',');
        pos += 1;
    }
}

/// Fetch "collect an HTTP quoted string" with extract-value false. `input[start]`
/// is a `"`. Returns the raw quoted string (up to and including the closing quote,
/// or to the end of input when unterminated) and the position after it.
fn collect_http_quoted_string(input: &[u8], start: usize) -> (&[u8], usize) {
    debug_assert_eq!(input[start], b'"');
    let mut pos = start + 1;
    loop {
        while pos < input.len() && input[pos] != b'"' && input[pos] != b'\\' {
            pos += 1;
        }
        if pos >= input.len() {
            break;
        }
        let quote_or_backslash = input[pos];
        pos += 1;
        if quote_or_backslash == b'\\' {
            if pos >= input.len() {
                break;
            }
            // The escaped code point, whatever it is.
            pos += 1;
        } else {
            // The closing quote.
            break;
        }
    }
    (&input[start..pos], pos)
}

/// CORS-unsafe request-header byte: a control byte other than HTAB, DEL, or one of
/// `"():<>?@[\]{}`.
pub fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7F || b"\"():<>?@[\\]{}".contains(&b)
}

/// CORS-safelisted request-header (name, value): value-aware for `accept`,
/// `accept-language`, `content-language`, `content-type` and `range`; every other
/// name is unsafe. Values over 128 bytes are never safelisted.
pub fn is_cors_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    if value.len() > 128 {
        return false;
    }
    let has_unsafe_byte = value.iter().any(|&b| is_cors_unsafe_request_header_byte(b));
    match name.to_ascii_lowercase().as_slice() {
        b"accept" => !has_unsafe_byte,
        b"accept-language" | b"content-language" => value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        b"content-type" => {
            !has_unsafe_byte
                && matches!(
                    mime_type_essence(value).as_deref(),
                    Some(
                        b"application/x-www-form-urlencoded"
                            | b"multipart/form-data"
                            | b"text/plain"
                    )
                )
        }
        // `bytes=-500` (no start) is not safelisted.
        b"range" => matches!(parse_single_range_header_value(value), Some((Some(_), _))),
        _ => false,
    }
}

/// The essence ("type/subtype", lowercased) of MIME Sniffing "parse a MIME type",
/// or `None` on failure. Parameters never make that algorithm fail, so they are
/// not parsed.
fn mime_type_essence(value: &[u8]) -> Option<Vec<u8>> {
    let input = trim_by(value, is_http_whitespace);
    // Without a `/` the type runs to the end of input: failure either way.
    let slash = input.iter().position(|&b| b == b'/')?;
    let mime_type = &input[..slash];
    if !is_token(mime_type) {
        return None;
    }
    let rest = &input[slash + 1..];
    let subtype_end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let subtype = trim_end_by(&rest[..subtype_end], is_http_whitespace);
    if !is_token(subtype) {
        return None;
    }
    let mut essence = mime_type.to_ascii_lowercase();
    essence.push(b'/');
    essence.extend(subtype.to_ascii_lowercase());
    Some(essence)
}

/// The (start, end) of a single byte range, as digit strings; either may be absent.
type RangeBounds<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// Fetch "parse a single range header value" with allowWhitespace false:
/// `bytes=<start>-<end>` with either bound (not both) possibly empty. Returns the
/// bounds as digit strings, or `None` on failure.
fn parse_single_range_header_value(value: &[u8]) -> Option<RangeBounds<'_>> {
    let rest = value.strip_prefix(b"bytes")?;
    let rest = rest.strip_prefix(b"=")?;
    let (start, rest) = rest.split_at(rest.iter().take_while(|b| b.is_ascii_digit()).count());
    let rest = rest.strip_prefix(b"-")?;
    let (end, rest) = rest.split_at(rest.iter().take_while(|b| b.is_ascii_digit()).count());
    if !rest.is_empty() {
        return None;
    }
    let start = (!start.is_empty()).then_some(start);
    let end = (!end.is_empty()).then_some(end);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if decimal_greater(s, e) => None,
        bounds => Some(bounds),
    }
}

/// Compares two ASCII digit strings as (unbounded) decimal numbers: `a > b`.
fn decimal_greater(a: &[u8], b: &[u8]) -> bool {
    fn significant(d: &[u8]) -> &[u8] {
        &d[d.iter().position(|&c| c != b'0').unwrap_or(d.len())..]
    }
    let (a, b) = (significant(a), significant(b));
    (a.len(), a) > (b.len(), b)
}

/// CORS non-wildcard request-header name: `Authorization`, which `*` in
/// `Access-Control-Allow-Headers` never covers.
pub fn is_cors_non_wildcard_request_header_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"authorization")
}

/// What `Headers.append` (guard "request") does with one author header.
enum Append {
    /// Not a header name, or not a header value: `fetch()` throws a TypeError.
    Throws,
    /// A forbidden request-header: silently ignored.
    Dropped,
    /// Kept in the request's header list, value normalized.
    Kept(Vec<u8>, Vec<u8>),
}

fn append_header(name: &str, value: &str) -> Append {
    let (Some(name), Some(value)) = (to_byte_string(name), to_byte_string(value)) else {
        return Append::Throws;
    };
    // "Normalize" the value: strip leading and trailing HTTP whitespace bytes.
    let value = trim_by(&value, is_http_whitespace).to_vec();
    if !is_token(&name) || has_forbidden_value_byte(&value) {
        return Append::Throws;
    }
    if is_forbidden_request_header(&name, &value) {
        return Append::Dropped;
    }
    Append::Kept(name, value)
}

// ---------------------------------------------------------------------------
// The request a page's script makes
// ---------------------------------------------------------------------------

/// What the page's script asks for: `fetch(url, {method, headers,
/// credentials: 'include' | 'same-origin'})` from a page whose origin is
/// `origin`.
///
/// ```
/// use corsguard::fetch::{BrowserRequest, PreflightTrigger};
/// let put = BrowserRequest::new("http://localhost:3000", "put")
///     .with_header("Content-Type", "application/json");
/// assert_eq!(put.normalized_method(), "PUT");
/// assert_eq!(put.acrh_value().as_deref(), Some("content-type"));
/// assert!(put.needs_preflight());
/// assert_eq!(put.preflight_triggers()[0], PreflightTrigger::Method { method: "PUT".into() });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserRequest {
    /// The page's serialized origin, e.g. `https://app.example.com`, or `null`.
    pub origin: String,
    /// The method as the script writes it; [`normalized_method`](Self::normalized_method)
    /// is what the browser sends.
    pub method: String,
    /// Author request headers (name, value) the script sets, in order.
    pub headers: Vec<(String, String)>,
    /// Credentials mode "include" (cookies and HTTP authentication go with
    /// the request, so the answer must name the origin and allow credentials).
    pub credentials: bool,
    /// The browser sends `Access-Control-Request-Private-Network: true`
    /// (Private Network Access).
    pub private_network: bool,
}

/// Why `fetch()` rejects a request before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsendable {
    /// The method is not a token (or not a ByteString).
    InvalidMethod {
        /// The method as written.
        method: String,
    },
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod {
        /// The method as written.
        method: String,
    },
    /// A header name is not a token, or a value holds NUL, CR, LF or a code
    /// point above U+00FF.
    InvalidHeader {
        /// The header's name as written.
        name: String,
    },
}

impl fmt::Display for Unsendable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsendable::InvalidMethod { method } => {
                write!(f, "fetch() throws a TypeError: `{method}` is not a valid HTTP method")
            }
            Unsendable::ForbiddenMethod { method } => write!(
                f,
                "fetch() throws a TypeError: `{method}` is a forbidden method (CONNECT, TRACE and TRACK are never sent)"
            ),
            Unsendable::InvalidHeader { name } => write!(
                f,
                "fetch() throws a TypeError: the header `{name}` is not a valid header name and value"
            ),
        }
    }
}

/// One reason a request needs a CORS-preflight request (Fetch "main fetch":
/// the use-CORS-preflight flag, a method that is not safelisted, or a
/// CORS-unsafe request-header name), in the order
/// [`BrowserRequest::preflight_triggers`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightTrigger {
    /// The method is not CORS-safelisted (only `GET`, `HEAD` and `POST` are).
    Method {
        /// The normalized method.
        method: String,
    },
    /// A header whose name is never CORS-safelisted.
    Header {
        /// The header's name, lowercased.
        name: String,
    },
    /// `Content-Type` with a value other than
    /// `application/x-www-form-urlencoded`, `multipart/form-data` or
    /// `text/plain` (parameters aside).
    ContentType {
        /// The value as sent.
        value: String,
    },
    /// `Accept`, `Accept-Language`, `Content-Language` or `Range` with a
    /// value outside what the safelist allows for that name (or over 128 bytes).
    HeaderValue {
        /// The header's name, lowercased.
        name: String,
        /// The value as sent.
        value: String,
    },
    /// The safelisted headers' values add up to more than 1024 bytes, so the
    /// browser counts them all as unsafe.
    SafelistBudget,
    /// The request goes from a public to a private network address (Private
    /// Network Access).
    PrivateNetwork,
}

impl PreflightTrigger {
    /// A stable snake_case code: `method`, `header`, `content_type`,
    /// `header_value`, `safelist_budget`, `private_network`.
    pub fn code(&self) -> &'static str {
        match self {
            PreflightTrigger::Method { .. } => "method",
            PreflightTrigger::Header { .. } => "header",
            PreflightTrigger::ContentType { .. } => "content_type",
            PreflightTrigger::HeaderValue { .. } => "header_value",
            PreflightTrigger::SafelistBudget => "safelist_budget",
            PreflightTrigger::PrivateNetwork => "private_network",
        }
    }

    /// What the trigger is about: the method, the header name, or the value.
    pub fn detail(&self) -> Option<&str> {
        match self {
            PreflightTrigger::Method { method } => Some(method),
            PreflightTrigger::Header { name } | PreflightTrigger::HeaderValue { name, .. } => {
                Some(name)
            }
            PreflightTrigger::ContentType { value } => Some(value),
            PreflightTrigger::SafelistBudget | PreflightTrigger::PrivateNetwork => None,
        }
    }
}

impl fmt::Display for PreflightTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightTrigger::Method { method } => write!(
                f,
                "the method `{method}` is not CORS-safelisted (only GET, HEAD and POST are)"
            ),
            PreflightTrigger::Header { name } => {
                write!(f, "the header `{name}` is not a CORS-safelisted request header")
            }
            PreflightTrigger::ContentType { value } => write!(
                f,
                "`Content-Type: {value}` is not one of application/x-www-form-urlencoded, multipart/form-data and text/plain"
            ),
            PreflightTrigger::HeaderValue { name, value } => write!(
                f,
                "the value `{value}` of `{name}` is outside what the CORS safelist allows for it"
            ),
            PreflightTrigger::SafelistBudget => f.write_str(
                "the CORS-safelisted headers' values add up to more than 1024 bytes",
            ),
            PreflightTrigger::PrivateNetwork => {
                f.write_str("the request goes to a more private network (Private Network Access)")
            }
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl BrowserRequest {
    /// A request with no author headers, without credentials, not to a private network.
    pub fn new(origin: &str, method: &str) -> Self {
        BrowserRequest {
            origin: origin.to_string(),
            method: method.to_string(),
            headers: Vec::new(),
            credentials: false,
            private_network: false,
        }
    }

    /// Adds an author request header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets credentials mode "include".
    pub fn with_credentials(mut self) -> Self {
        self.credentials = true;
        self
    }

    /// Marks the request as a Private Network Access request.
    pub fn with_private_network(mut self) -> Self {
        self.private_network = true;
        self
    }

    /// Whether `fetch()` sends anything at all; see [`check_sendable`](Self::check_sendable).
    pub fn is_sendable(&self) -> bool {
        self.check_sendable().is_ok()
    }

    /// `Err` when `fetch()` would throw before sending anything: the method
    /// is not a token or is forbidden (CONNECT, TRACE, TRACK), or a header
    /// name is not a token, or a value holds NUL/CR/LF or a code point above
    /// U+00FF.
    pub fn check_sendable(&self) -> Result<(), Unsendable> {
        match to_byte_string(&self.method) {
            Some(m) if is_token(&m) => {
                if is_forbidden_method(&m) {
                    return Err(Unsendable::ForbiddenMethod {
                        method: self.method.clone(),
                    });
                }
            }
            _ => {
                return Err(Unsendable::InvalidMethod {
                    method: self.method.clone(),
                })
            }
        }
        for (name, value) in &self.headers {
            if matches!(append_header(name, value), Append::Throws) {
                return Err(Unsendable::InvalidHeader { name: name.clone() });
            }
        }
        Ok(())
    }

    /// The method the browser sends (and puts in `Access-Control-Request-Method`).
    pub fn normalized_method(&self) -> String {
        lossy(&normalize_method(self.method.as_bytes()))
    }

    /// The request's header list as the browser holds it: forbidden request-headers
    /// and headers that would throw are left out, values are normalized.
    pub fn header_list(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.headers
            .iter()
            .filter_map(|(name, value)| match append_header(name, value) {
                Append::Kept(name, value) => Some((name, value)),
                Append::Throws | Append::Dropped => None,
            })
            .collect()
    }

    /// The author headers the browser silently leaves out (forbidden
    /// request-headers such as `Cookie`, `Origin` or `Sec-*`), as written.
    pub fn dropped_headers(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(name, value)| matches!(append_header(name, value), Append::Dropped))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Lowercased names of the headers that are not CORS-safelisted (value-aware for
    /// accept, accept-language, content-language, content-type, range), sorted,
    /// deduplicated: what the browser puts in Access-Control-Request-Headers.
    ///
    /// Fetch "CORS-unsafe request-header names": when the safelisted headers'
    /// values add up to more than 1024 bytes, they all count as unsafe.
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let (unsafe_names, _) = self.unsafe_names_and_budget();
        // "Convert header names to a sorted-lowercase set".
        let set: BTreeSet<String> = unsafe_names
            .iter()
            .map(|name| lossy(&name.to_ascii_lowercase()))
            .collect();
        set.into_iter().collect()
    }

    /// The unsafe names (as in the list, not yet lowercased or sorted) and
    /// whether the 1024-byte safelist budget was exceeded.
    fn unsafe_names_and_budget(&self) -> (Vec<Vec<u8>>, bool) {
        let mut unsafe_names = Vec::new();
        let mut potentially_unsafe_names = Vec::new();
        let mut safelist_value_size = 0;
        for (name, value) in self.header_list() {
            if is_cors_safelisted_request_header(&name, &value) {
                safelist_value_size += value.len();
                potentially_unsafe_names.push(name);
            } else {
                unsafe_names.push(name);
            }
        }
        let over_budget = safelist_value_size > 1024;
        if over_budget {
            unsafe_names.extend(potentially_unsafe_names);
        }
        (unsafe_names, over_budget)
    }

    /// The Access-Control-Request-Headers value a browser sends: the unsafe header
    /// names joined with "," (no space), or None when there are none.
    pub fn acrh_value(&self) -> Option<String> {
        let names = self.unsafe_header_names();
        (!names.is_empty()).then(|| names.join(","))
    }

    /// True when the browser sends a preflight first: the method is not
    /// CORS-safelisted (GET/HEAD/POST), or there is an unsafe header, or the
    /// request is a Private Network Access request.
    pub fn needs_preflight(&self) -> bool {
        !is_cors_safelisted_method(&normalize_method(self.method.as_bytes()))
            || !self.unsafe_header_names().is_empty()
            || self.private_network
    }

    /// Every reason the request needs a preflight (empty when it needs
    /// none): the method first, then each unsafe header in the order the
    /// script set them (one entry per name), then the safelist budget, then
    /// Private Network Access.
    pub fn preflight_triggers(&self) -> Vec<PreflightTrigger> {
        let mut triggers = Vec::new();
        let method = normalize_method(self.method.as_bytes());
        if !is_cors_safelisted_method(&method) {
            triggers.push(PreflightTrigger::Method {
                method: lossy(&method),
            });
        }
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        let (_, over_budget) = self.unsafe_names_and_budget();
        for (name, value) in self.header_list() {
            let lower = name.to_ascii_lowercase();
            if is_cors_safelisted_request_header(&name, &value) || !seen.insert(lower.clone()) {
                continue;
            }
            let safelisted_name = matches!(
                lower.as_slice(),
                b"accept" | b"accept-language" | b"content-language" | b"content-type" | b"range"
            );
            triggers.push(if lower == b"content-type" {
                PreflightTrigger::ContentType {
                    value: lossy(&value),
                }
            } else if safelisted_name {
                PreflightTrigger::HeaderValue {
                    name: lossy(&lower),
                    value: lossy(&value),
                }
            } else {
                PreflightTrigger::Header {
                    name: lossy(&lower),
                }
            });
        }
        if over_budget {
            triggers.push(PreflightTrigger::SafelistBudget);
        }
        if self.private_network {
            triggers.push(PreflightTrigger::PrivateNetwork);
        }
        triggers
    }
}
