//! An independent model of what a policy allows, written from the documented
//! rules (the core's rustdoc, the README's policy table, the Fetch standard),
//! not from the core's code: a browser-form origin grammar, pattern matching
//! by suffix, header lists split on commas.

use corsguard::Behaviour;
use corsguard::compat::{Syntax, WildcardWithCredentials};

use crate::input::{FuzzConfig, Names};

/// CR, LF or NUL: what no response header value may contain.
pub fn is_safe_value(v: &[u8]) -> bool {
    !v.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

/// An HTTP token (RFC 9110 `tchar`).
pub fn is_token(v: &[u8]) -> bool {
    const SPECIAL: &[u8] = b"!#$%&'*+-.^_`|~";
    !v.is_empty()
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || SPECIAL.contains(b))
}

/// The parts of a serialized tuple origin (`scheme://host[:port]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    pub scheme: &'a [u8],
    pub host: &'a [u8],
    pub port: Option<&'a [u8]>,
}

impl Origin<'_> {
    /// Whether the host is an IP address literal (patterns never cover those).
    fn ip_host(&self) -> bool {
        self.host.starts_with(b"[") || self.host.iter().all(|b| b.is_ascii_digit() || *b == b'.')
    }

    /// A plain origin every reasonable parser accepts: letters-only scheme,
    /// DNS labels of `[a-z][a-z0-9-]*`, an optional port 1..65535.
    pub fn is_canonical(&self) -> bool {
        let label_ok = |l: &[u8]| {
            matches!(l.first(), Some(b'a'..=b'z'))
                && l.iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                && !l.ends_with(b"-")
        };
        !self.scheme.is_empty()
            && self.scheme.iter().all(u8::is_ascii_lowercase)
            && self.host.split(|&b| b == b'.').all(label_ok)
            && self.host.len() <= 200
    }
}

fn port_ok(p: &[u8]) -> bool {
    !p.is_empty()
        && p.len() <= 5
        && p[0] != b'0'
        && p.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(p)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            <= Some(65_535)
}

/// Parses an origin in the form browsers serialize it: lowercase scheme,
/// `://`, a lowercase DNS name (letters, digits, `-`, `_`, non-empty labels,
/// perhaps one trailing dot),
/// an IPv4 address or a bracketed IPv6 address, and an optional port.
pub fn parse_origin(s: &[u8]) -> Option<Origin<'_>> {
    let sep = s.windows(3).position(|w| w == b"://")?;
    let scheme = &s[..sep];
    let rest = &s[sep + 3..];
    if !matches!(scheme.first(), Some(b'a'..=b'z'))
        || !scheme
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(b))
    {
        return None;
    }
    let (host, port) = if rest.starts_with(b"[") {
        let close = rest.iter().position(|&b| b == b']')?;
        let (host, after) = rest.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner.contains(&b':')
            || !inner
                .iter()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase() || b":.".contains(b))
        {
            return None;
        }
        match after {
            [] => (host, None),
            [b':', p @ ..] => (host, Some(p)),
            _ => return None,
        }
    } else {
        let (host, port) = match rest.iter().position(|&b| b == b':') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(b);
        // A host may end in one dot (`https://example.com.`): browsers send
        // it so, as an origin of its own.
        let labels = host.strip_suffix(b".").unwrap_or(host);
        if labels.is_empty()
            || !host.iter().all(ok)
            || labels.split(|&b| b == b'.').any(<[u8]>::is_empty)
        {
            return None;
        }
        (host, port)
    };
    if let Some(p) = port {
        if !port_ok(p) {
            return None;
        }
    }
    Some(Origin { scheme, host, port })
}

/// Whether the configured pattern `entry` (`scheme://*.domain[:port|:*]` or
/// `scheme://host:*`) covers `origin`. Entries without `*` are not patterns.
pub fn pattern_covers(entry: &str, origin: &Origin<'_>) -> bool {
    let entry = entry.as_bytes();
    if !entry.contains(&b'*') {
        return false;
    }
    let Some(sep) = entry.windows(3).position(|w| w == b"://") else {
        return false;
    };
    if &entry[..sep] != origin.scheme {
        return false;
    }
    let authority = &entry[sep + 3..];
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(i) if !authority[i..].contains(&b']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let port_matches = match port {
        Some(b"*") => true,
        Some(p) => origin.port == Some(p),
        None => origin.port.is_none(),
    };
    let host_matches = match host.strip_prefix(b"*.") {
        // Any depth of subdomain, never the apex, never an IP address.
        Some(domain) => {
            !origin.ip_host()
                && origin.host.len() > domain.len() + 1
                && origin.host.ends_with(domain)
                && origin.host[origin.host.len() - domain.len() - 1] == b'.'
        }
        None => host == origin.host && port == Some(b"*"),
    };
    port_matches && host_matches
}

/// What the model says about a request's origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginVerdict {
    /// Nothing in the configuration allows it.
    No,
    /// Allowed, and any correct implementation must allow it.
    Yes,
    /// Allowed by the documented rules, but through a parse of the request
    /// origin that a stricter implementation may refuse (not canonical).
    Lenient,
}

pub fn entries(cfg: &FuzzConfig) -> impl Iterator<Item = &str> {
    cfg.origins
        .iter()
        .chain(cfg.fixed_origin.iter())
        .map(String::as_str)
}

pub fn any_origin(cfg: &FuzzConfig) -> bool {
    entries(cfg).any(|e| e == "*")
}

/// `*` with credentials answered by reflecting the request's origin.
pub fn reflects_any(cfg: &FuzzConfig, b: &Behaviour) -> bool {
    any_origin(cfg)
        && cfg.credentials
        && b.wildcard_with_credentials == WildcardWithCredentials::Reflect
}

/// Whether the configuration allows `origin`.
pub fn origin_allowed(
    cfg: &FuzzConfig,
    b: &Behaviour,
    origin: &[u8],
    verdict: Option<bool>,
) -> OriginVerdict {
    use OriginVerdict::*;
    let strict = b.syntax == Syntax::Strict;
    if any_origin(cfg) {
        // Reflecting an origin that would break the header is refused.
        return if !reflects_any(cfg, b) || is_safe_value(origin) {
            Yes
        } else {
            No
        };
    }
    // Exact entries (and `null`) match byte for byte; in strict syntax an
    // entry with `*` is a pattern and never matches its own text.
    if entries(cfg).any(|e| e.as_bytes() == origin && !(strict && e.contains('*'))) {
        return Yes;
    }
    let parsed = parse_origin(origin);
    let grade = |o: &Origin<'_>| {
        if o.is_canonical() && origin.len() <= 200 {
            Yes
        } else {
            Lenient
        }
    };
    if strict {
        if let Some(o) = &parsed {
            if entries(cfg).any(|e| pattern_covers(e, o)) {
                return grade(o);
            }
        }
    }
    // The host's verdict: in strict syntax only for tuple origins (`null`
    // stays opt-in by listing it); never for a value that breaks a header.
    if cfg.origin_verdict && verdict == Some(true) && is_safe_value(origin) {
        if !strict {
            return Yes;
        }
        if let Some(o) = &parsed {
            return grade(o);
        }
    }
    No
}

/// Whether a preflight's requested method passes the policy's method check.
pub fn method_allowed(cfg: &FuzzConfig, b: &Behaviour, method: &[u8]) -> bool {
    // Browsers never preflight the safelisted methods; the comparison is
    // case-sensitive (Fetch compares methods byte for byte after it
    // normalizes the six standard ones, which the config must spell in
    // uppercase).
    let safelisted = matches!(method, b"GET" | b"HEAD" | b"POST");
    (b.safelisted_methods_implicit && safelisted)
        || match &cfg.methods {
            Names::Any => b.syntax == Syntax::Literal || is_token(method),
            names => names.listed().iter().any(|m| m.as_bytes() == method),
        }
}

/// The elements of a header list: split on `,`, trimmed of SP and HTAB.
pub fn list_elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(|e| {
        let start = e
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(e.len());
        let end = e
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(start, |i| i + 1);
        &e[start..end.max(start)]
    })
}

/// The four CORS-safelisted request headers some profiles always add.
const SAFELISTED_HEADERS: [&str; 4] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
];

/// Whether one element of `Access-Control-Request-Headers` is allowed.
pub fn header_allowed(cfg: &FuzzConfig, b: &Behaviour, name: &[u8]) -> bool {
    let strict = b.syntax == Syntax::Strict;
    let listed = |name: &[u8]| {
        cfg.allowed_headers
            .listed()
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(name))
            || (b.safelisted_headers_added
                && SAFELISTED_HEADERS
                    .iter()
                    .any(|h| h.as_bytes().eq_ignore_ascii_case(name)))
    };
    match &cfg.allowed_headers {
        // Literal mirroring echoes anything; strict mirroring only names.
        Names::Mirror => {
            !strict || is_token(name) || (name.is_empty() && b.skip_empty_header_elements)
        }
        _ if name.is_empty() => b.skip_empty_header_elements || listed(name),
        // `*` never covers Authorization (Fetch: CORS non-wildcard
        // request-header name).
        Names::Any => !name.eq_ignore_ascii_case(b"authorization") && (!strict || is_token(name)),
        Names::List(_) => listed(name),
    }
}

/// Whether the whole `Access-Control-Request-Headers` value is allowed.
pub fn headers_allowed(cfg: &FuzzConfig, b: &Behaviour, value: &[u8]) -> bool {
    list_elements(value).all(|name| header_allowed(cfg, b, name))
}

/// Whether the preflight's private network request, if any, is granted.
pub fn private_network_ok(cfg: &FuzzConfig, b: &Behaviour, value: Option<&[u8]>) -> bool {
    match value {
        None => true,
        Some(v) => {
            let asks = b.syntax == Syntax::Literal || v.eq_ignore_ascii_case(b"true");
            !asks || cfg.private_network
        }
    }
}

/// Fetch's forbidden request-header names (lowercase), and the prefixes.
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
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

pub fn forbidden_request_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("proxy-")
        || lower.starts_with("sec-")
        || FORBIDDEN_REQUEST_HEADERS.contains(&lower.as_str())
}

/// Whether a configured origin entry has a form a strict policy may accept:
/// `*`, `null`, an origin, or a pattern with `*.` as the first host label
/// and/or `*` as the port. Stricter rules (wide patterns, default ports) may
/// refuse more; nothing outside this may be accepted.
pub fn entry_form_ok(entry: &str) -> bool {
    if entry == "*" || entry == "null" {
        return true;
    }
    if entry.contains(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    // Replace the pattern parts by concrete ones and parse the result.
    let Some(sep) = entry.find("://") else {
        return false;
    };
    let (scheme, authority) = (&entry[..sep], &entry[sep + 3..]);
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let host = match host.strip_prefix("*.") {
        Some(domain) => {
            if parse_origin(format!("{scheme}://{domain}").as_bytes()).is_none_or(|o| o.ip_host()) {
                return false;
            }
            format!("x.{domain}")
        }
        None => host.to_owned(),
    };
    let port = match port {
        Some("*") => Some("1"),
        p => p,
    };
    let concrete = match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    };
    parse_origin(concrete.as_bytes()).is_some()
}
