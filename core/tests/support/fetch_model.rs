//! A small, std-only model of how a browser judges a CORS exchange, following the
//! WHATWG Fetch standard (<https://fetch.spec.whatwg.org/>) and, for
//! `Access-Control-Allow-Private-Network`, the Private Network Access draft.
//!
//! It is a test oracle: property tests hand it a policy's response headers and
//! assert that "the browser lets it through exactly when the policy allows it".
//! Clarity beats speed; each function names the Fetch algorithm it models.
//!
//! Modelled:
//! - request side: method normalization and forbidden methods, forbidden
//!   request-headers (silently dropped by `Headers`), value-aware CORS-safelisted
//!   request-headers with the 1024-byte safelist budget, "CORS-unsafe request-header
//!   names", the `Access-Control-Request-Headers` value, and whether a preflight is
//!   needed;
//! - response side: "CORS check", the verdict of "CORS-preflight fetch" (ok status,
//!   ACAM, ACAH, the `Authorization` exception to `*`, PNA) and
//!   `Access-Control-Max-Age`.
//!
//! Not modelled: redirects, the preflight cache, the use-CORS-preflight flag (XHR
//! upload listeners), `Access-Control-Expose-Headers`, no-cors requests.
//!
//! Response headers are (name, value) pairs. Names match case-insensitively. As an
//! HTTP parser does, leading and trailing SP/HTAB are dropped from each value. A
//! response holding a header whose name is not a token, or whose value holds NUL, CR
//! or LF, cannot be what was parsed off the wire, so it is treated as a network error.

#![allow(dead_code)]

use std::collections::BTreeSet;

pub const ACAO: &str = "access-control-allow-origin";
pub const ACAC: &str = "access-control-allow-credentials";
pub const ACAM: &str = "access-control-allow-methods";
pub const ACAH: &str = "access-control-allow-headers";
pub const ACMA: &str = "access-control-max-age";
pub const ACAPN: &str = "access-control-allow-private-network";

// ---------------------------------------------------------------------------
// Byte vocabulary (Fetch "Infrastructure"; RFC 9110 token)
// ---------------------------------------------------------------------------

/// HTTP tab or space byte: 0x09 or 0x20.
fn is_http_tab_or_space(b: u8) -> bool {
    b == b'\t' || b == b' '
}

/// HTTP whitespace byte: HTTP tab or space, LF or CR.
fn is_http_whitespace(b: u8) -> bool {
    is_http_tab_or_space(b) || b == b'\n' || b == b'\r'
}

/// `bytes` without the leading and trailing bytes for which `strip` holds.
fn trim_by(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !strip(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !strip(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// `bytes` without the trailing bytes for which `strip` holds.
fn trim_end_by(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let end = bytes.iter().rposition(|&b| !strip(b)).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 9110 `token`: one or more `tchar`.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// A Fetch "header value" may not contain NUL, LF or CR.
fn has_forbidden_value_byte(value: &[u8]) -> bool {
    value.iter().any(|&b| matches!(b, 0x00 | b'\n' | b'\r'))
}

/// WebIDL ByteString conversion, as `fetch()` applies it to methods and headers:
/// every code point must be at most U+00FF and becomes one byte. `None` is the
/// TypeError the browser throws.
fn to_byte_string(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

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

const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

const METHOD_OVERRIDE_HEADER_NAMES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// Forbidden request-header (name, value): a header script may not set. `Headers`
/// drops such a header silently, so it never reaches the network or the preflight.
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_REQUEST_HEADER_NAMES
        .iter()
        .any(|f| lower == f.as_bytes())
    {
        return true;
    }
    if lower.starts_with(b"proxy-") || lower.starts_with(b"sec-") {
        return true;
    }
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

/// What the page's script asks for (already normalized the way a browser does it).
#[derive(Clone, Debug)]
pub struct BrowserRequest {
    /// The page's serialized origin, e.g. "https://app.example.com", or "null".
    pub origin: String,
    /// Method after Fetch normalization (DELETE/GET/HEAD/OPTIONS/POST/PUT
    /// uppercased, others as written). The model normalizes again, harmlessly.
    pub method: String,
    /// Author request headers (name, value) the script sets.
    pub headers: Vec<(String, String)>,
    /// Credentials mode "include".
    pub credentials: bool,
    /// The browser would send `Access-Control-Request-Private-Network: true`.
    pub private_network: bool,
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

    /// False when `fetch()` would throw before sending anything: the method is not
    /// a token or is forbidden (CONNECT, TRACE, TRACK), or a header name is not a
    /// token, or a value holds NUL/CR/LF or a code point above U+00FF.
    pub fn is_sendable(&self) -> bool {
        let method_ok =
            to_byte_string(&self.method).is_some_and(|m| is_token(&m) && !is_forbidden_method(&m));
        method_ok
            && self
                .headers
                .iter()
                .all(|(name, value)| !matches!(append_header(name, value), Append::Throws))
    }

    /// The method the browser sends (and puts in `Access-Control-Request-Method`).
    pub fn normalized_method(&self) -> String {
        String::from_utf8_lossy(&normalize_method(self.method.as_bytes())).into_owned()
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

    /// Lowercased names of the headers that are not CORS-safelisted (value-aware for
    /// accept, accept-language, content-language, content-type, range), sorted,
    /// deduplicated: what the browser puts in Access-Control-Request-Headers.
    ///
    /// Fetch "CORS-unsafe request-header names": when the safelisted headers'
    /// values add up to more than 1024 bytes, they all count as unsafe.
    pub fn unsafe_header_names(&self) -> Vec<String> {
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
        if safelist_value_size > 1024 {
            unsafe_names.extend(potentially_unsafe_names);
        }
        // "Convert header names to a sorted-lowercase set".
        let set: BTreeSet<String> = unsafe_names
            .iter()
            .map(|name| String::from_utf8_lossy(&name.to_ascii_lowercase()).into_owned())
            .collect();
        set.into_iter().collect()
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
}

// ---------------------------------------------------------------------------
// Response headers
// ---------------------------------------------------------------------------

/// False when the pairs cannot be a parsed HTTP response: a name that is not a
/// token, or a value with NUL, CR or LF (which on the wire would be a different
/// message). The browser fails such a fetch with a network error.
fn is_parseable_response(headers: &[(String, Vec<u8>)]) -> bool {
    headers
        .iter()
        .all(|(name, value)| is_token(name.as_bytes()) && !has_forbidden_value_byte(value))
}

/// The values of every header called `name` (case-insensitive), in order, each
/// without surrounding SP/HTAB as HTTP parsing leaves it.
fn values_of<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| trim_by(value, is_http_tab_or_space))
        .collect()
}

/// Header list "get": `None` when there is no such header, else all its values
/// combined with ", ".
pub fn get_header(headers: &[(String, Vec<u8>)], name: &str) -> Option<Vec<u8>> {
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
    headers: &[(String, Vec<u8>)],
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

// ---------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------

/// The response headers are given as (name, value-bytes) pairs in any case, possibly
/// repeated: the model combines repeated names with ", " as a browser does.
/// The CORS check (Fetch "CORS check"): ACAO must be exactly "*" (only when
/// !credentials) or byte-equal to the origin; with credentials ACAC must be exactly
/// "true".
pub fn cors_check(req: &BrowserRequest, headers: &[(String, Vec<u8>)]) -> bool {
    if !is_parseable_response(headers) {
        return false;
    }
    let Some(allow_origin) = get_header(headers, ACAO) else {
        return false;
    };
    if !req.credentials && allow_origin == b"*" {
        return true;
    }
    if allow_origin != req.origin.as_bytes() {
        return false;
    }
    if !req.credentials {
        return true;
    }
    get_header(headers, ACAC).as_deref() == Some(&b"true"[..])
}

/// The whole CORS-preflight fetch verdict: status is an ok status (200..=299),
/// cors_check passes, ACAM/ACAH parse as comma lists of tokens (a parse failure
/// fails the preflight), the method is allowed (safelisted, or listed byte-exact,
/// or "*" without credentials), every unsafe header name is listed
/// case-insensitively (or "*" without credentials, which does not cover
/// "authorization"), and when private_network was requested
/// Access-Control-Allow-Private-Network is exactly "true".
pub fn preflight_passes(req: &BrowserRequest, status: u16, headers: &[(String, Vec<u8>)]) -> bool {
    if !(cors_check(req, headers) && is_ok_status(status)) {
        return false;
    }
    // An absent header is an empty list (the use-CORS-preflight flag is not modelled).
    let (Ok(methods), Ok(header_names)) = (
        extract_token_list(headers, ACAM),
        extract_token_list(headers, ACAH),
    ) else {
        return false;
    };
    let methods = methods.unwrap_or_default();
    let header_names = header_names.unwrap_or_default();

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
        return false;
    }
    for (name, _) in req.header_list() {
        if is_cors_non_wildcard_request_header_name(&name) && !lists_name(&name) {
            return false;
        }
    }
    for unsafe_name in req.unsafe_header_names() {
        if !lists_name(unsafe_name.as_bytes()) && !has_wildcard(&header_names) {
            return false;
        }
    }
    if req.private_network && get_header(headers, ACAPN).as_deref() != Some(&b"true"[..]) {
        return false;
    }
    true
}

/// The full verdict for one fetch: when needs_preflight, the preflight must pass;
/// then the actual response must pass cors_check. A request `fetch()` would reject
/// outright (see [`BrowserRequest::is_sendable`]) never succeeds; a preflight given
/// for a request that needs none is ignored, as the browser would not send it.
#[allow(clippy::type_complexity)] // the signature the property tests use
pub fn fetch_succeeds(
    req: &BrowserRequest,
    preflight: Option<(u16, &[(String, Vec<u8>)])>,
    actual: &[(String, Vec<u8>)],
) -> bool {
    if !req.is_sendable() {
        return false;
    }
    if req.needs_preflight() {
        match preflight {
            Some((status, headers)) if preflight_passes(req, status, headers) => {}
            _ => return false,
        }
    }
    cors_check(req, actual)
}

/// The max-age the browser would cache the preflight for, if the header parses
/// (non-negative integer), else None.
///
/// `Access-Control-Max-Age = delta-seconds` (1*DIGIT) allows a single header, so
/// a repeated header is a failure. Values too large for a u64 saturate, as RFC
/// 9111 allows for delta-seconds. The browser's own cap (and its default of 5
/// seconds when this is None) is not applied here.
pub fn preflight_max_age(headers: &[(String, Vec<u8>)]) -> Option<u64> {
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
