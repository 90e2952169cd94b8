//! Parsing and matching origins and origin patterns.
//!
//! Configured origins are checked against the form a browser serializes an
//! origin in (`scheme://host[:port]`, lowercase, no default port, no path),
//! because an entry in any other form can never match a real request. Request
//! origins are only parsed when a pattern needs their parts; exact entries
//! are found by hashing the raw bytes.
//!
//! IP hosts are held to the URL standard's serialization (see
//! [`crate::host`]); a host with a trailing dot (`https://example.com.`) is
//! a distinct origin that browsers do send, matched only by entries and
//! patterns written with the dot.

use core::fmt;

use crate::headers::{word_at, zero_bytes};
use crate::host::{self, IpHost};

/// Longest origin (in bytes) that can match a pattern. Longer request origins
/// can still match an exact entry; a configured pattern longer than this is
/// refused. A DNS name is at most 253 bytes, so real origins fit easily.
pub const MAX_PATTERN_ORIGIN_LEN: usize = 320;

/// What is wrong with a configured origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginProblem {
    /// The entry is empty.
    Empty,
    /// The entry contains whitespace or a control character.
    Whitespace,
    /// There is no `scheme://` in front of the host.
    MissingScheme,
    /// The scheme is not letters, digits, `+`, `-`, `.` starting with a letter.
    BadScheme,
    /// The entry has uppercase letters; browsers always send origins in lowercase.
    Uppercase,
    /// The entry ends with `/`; an origin has no path, not even `/`.
    TrailingSlash,
    /// The entry has a path after the host.
    Path,
    /// The entry has a `?query`.
    Query,
    /// The entry has a `#fragment`.
    Fragment,
    /// The entry has `user@` credentials before the host.
    UserInfo,
    /// The host is empty or has characters a serialized origin never has.
    BadHost,
    /// The port is not a number from 1 to 65535 written without leading zeros.
    BadPort,
    /// The port is the scheme's default, which browsers leave out.
    DefaultPort,
    /// A `*` appears where patterns do not allow one.
    BadPattern,
    /// A subdomain pattern so wide it covers a whole top-level domain.
    PatternTooWide,
    /// A pattern longer than [`MAX_PATTERN_ORIGIN_LEN`].
    TooLong,
    /// An IP address that browsers serialize differently (`http://127.1`,
    /// `http://[0:0:0:0:0:0:0:1]`); the error message gives the canonical form.
    NonCanonicalIp,
    /// A host that is no valid IP address although it must be one: brackets
    /// around something that is not IPv6 (`http://[1::2::3]`), or a host
    /// ending in a number that is not IPv4 (`http://999.1.1.1`, `https://a.123`).
    InvalidIp,
    /// A `file:`, `data:`, `javascript:` or `blob:` URL, whose page never
    /// sends it as its origin.
    OpaqueOrigin,
    /// A subdomain pattern whose domain is a public suffix on the Public
    /// Suffix List (`https://*.co.uk`, `https://*.github.io`); checked with
    /// the `psl` feature.
    PublicSuffix,
}

impl OriginProblem {
    /// Every problem, in declaration order.
    pub const ALL: [OriginProblem; 20] = [
        OriginProblem::Empty,
        OriginProblem::Whitespace,
        OriginProblem::MissingScheme,
        OriginProblem::BadScheme,
        OriginProblem::Uppercase,
        OriginProblem::TrailingSlash,
        OriginProblem::Path,
        OriginProblem::Query,
        OriginProblem::Fragment,
        OriginProblem::UserInfo,
        OriginProblem::BadHost,
        OriginProblem::BadPort,
        OriginProblem::DefaultPort,
        OriginProblem::BadPattern,
        OriginProblem::PatternTooWide,
        OriginProblem::TooLong,
        OriginProblem::NonCanonicalIp,
        OriginProblem::InvalidIp,
        OriginProblem::OpaqueOrigin,
        OriginProblem::PublicSuffix,
    ];

    /// A stable snake_case code for the problem.
    pub const fn code(self) -> &'static str {
        match self {
            OriginProblem::Empty => "empty",
            OriginProblem::Whitespace => "whitespace",
            OriginProblem::MissingScheme => "missing_scheme",
            OriginProblem::BadScheme => "bad_scheme",
            OriginProblem::Uppercase => "uppercase",
            OriginProblem::TrailingSlash => "trailing_slash",
            OriginProblem::Path => "path",
            OriginProblem::Query => "query",
            OriginProblem::Fragment => "fragment",
            OriginProblem::UserInfo => "user_info",
            OriginProblem::BadHost => "bad_host",
            OriginProblem::BadPort => "bad_port",
            OriginProblem::DefaultPort => "default_port",
            OriginProblem::BadPattern => "bad_pattern",
            OriginProblem::PatternTooWide => "pattern_too_wide",
            OriginProblem::TooLong => "too_long",
            OriginProblem::NonCanonicalIp => "non_canonical_ip",
            OriginProblem::InvalidIp => "invalid_ip",
            OriginProblem::OpaqueOrigin => "opaque_origin",
            OriginProblem::PublicSuffix => "public_suffix",
        }
    }

    /// The rule the entry breaks and what to write instead, as one sentence.
    pub const fn explanation(self) -> &'static str {
        match self {
            OriginProblem::Empty => "an origin cannot be empty; write one like `https://app.example.com`",
            OriginProblem::Whitespace => "an origin has no whitespace or control characters; remove them",
            OriginProblem::MissingScheme => "an origin starts with its scheme; write it like `https://app.example.com`",
            OriginProblem::BadScheme => "the scheme must be letters, digits, `+`, `-` or `.` starting with a letter; write one such as `https`",
            OriginProblem::Uppercase => "browsers send origins in lowercase, so this entry could never match; write it in lowercase",
            OriginProblem::TrailingSlash => "an origin has no path, not even `/`; remove the trailing slash",
            OriginProblem::Path => "an origin has no path; keep only `scheme://host[:port]`",
            OriginProblem::Query => "an origin has no query; keep only `scheme://host[:port]`",
            OriginProblem::Fragment => "an origin has no fragment; keep only `scheme://host[:port]`",
            OriginProblem::UserInfo => "an origin has no `user@` part; keep only `scheme://host[:port]`",
            OriginProblem::BadHost => "the host must be a lowercase DNS name (punycode for international names), an IPv4 address or a bracketed IPv6 address; write the host as a browser sends it",
            OriginProblem::BadPort => "the port must be a number from 1 to 65535 without leading zeros, or `*` for any port; write it like `:8080`, or `:*`",
            OriginProblem::DefaultPort => "browsers leave out the scheme's default port, so this entry could never match; remove the port",
            OriginProblem::BadPattern => "a pattern may only use `*.` as the first label of the host or `*` as the port; write it like `https://*.example.com` or `http://localhost:*`",
            OriginProblem::PatternTooWide => "a subdomain pattern must name at least a registrable domain, not a whole top-level domain; name a domain you own, like `https://*.example.com`",
            OriginProblem::TooLong => "an origin pattern may be at most 320 bytes long; shorten it",
            OriginProblem::NonCanonicalIp => "browsers send an IP address in its canonical form (IPv4 as four decimal numbers without leading zeros, IPv6 in lowercase hex with the longest run of zeros as `::`), so this entry could never match; write it as a browser does",
            OriginProblem::InvalidIp => "the host is not a valid IP address, so browsers refuse such a URL (a host whose last label is a number must be an IPv4 address, each number at most 255; an IPv6 address has eight groups of up to four hex digits and at most one `::`); write a valid address or a DNS name",
            OriginProblem::OpaqueOrigin => "pages loaded from `file:`, `data:` or `javascript:` URLs have an opaque origin, for which browsers send `Origin: null` (allow `null` instead, never with credentials), and a `blob:` URL's page sends the origin of the page that created it; list that origin instead",
            OriginProblem::PublicSuffix => "the pattern's domain is a public suffix (on the Public Suffix List), under which anyone can register a site, so this pattern would allow sites you do not control; name a domain you own under it",
        }
    }
}

/// The kind of a valid configured origin entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// `*`: any origin.
    Any,
    /// `null`: the opaque origin of sandboxed documents and local files.
    Null,
    /// One exact origin.
    Exact,
    /// `scheme://*.domain[:port|:*]` or `scheme://host:*`.
    Pattern,
}

fn default_port(scheme: &[u8]) -> Option<&'static [u8]> {
    match scheme {
        b"http" | b"ws" => Some(b"80"),
        b"https" | b"wss" => Some(b"443"),
        b"ftp" => Some(b"21"),
        _ => None,
    }
}

/// The parts of a syntactically valid origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub scheme: &'a [u8],
    pub host: &'a [u8],
    /// The port digits, or `*` in a pattern; `None` when absent.
    pub port: Option<&'a [u8]>,
}

fn is_ipv4(host: &[u8]) -> bool {
    !host.is_empty() && host.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

/// Whether a host is an IPv4 or IPv6 address (which has no subdomains).
pub(crate) fn is_ip_host(host: &[u8]) -> bool {
    is_ipv4(host) || host.starts_with(b"[")
}

/// The position of the last `:` in `s`, eight bytes at a time from the
/// end; the first few bytes of a string of at least eight are the first
/// word with the bytes already looked at masked off.
fn rfind_colon(s: &[u8]) -> Option<usize> {
    const COLONS: u64 = u64::from_ne_bytes([b':'; 8]);
    let n = s.len();
    if n < 8 {
        return s.iter().rposition(|&b| b == b':');
    }
    let mut end = n;
    while end >= 8 {
        let found = zero_bytes(word_at(s, end - 8) ^ COLONS);
        if found != 0 {
            return Some(end - 8 + (63 - found.leading_zeros() as usize) / 8);
        }
        end -= 8;
    }
    if end == 0 {
        return None;
    }
    // Bytes `end..8` of the first word were in the last word read.
    let found = zero_bytes(word_at(s, 0) ^ COLONS) & ((1u64 << (8 * end)) - 1);
    (found != 0).then(|| (63 - found.leading_zeros() as usize) / 8)
}

/// Splits `scheme://host[:port]` without judging the characters of the host.
pub(crate) fn split(s: &[u8]) -> Option<OriginParts<'_>> {
    // The first `:` starts the separator in every origin (a scheme has no
    // `:`); search on for `://` only when it does not.
    let sep = match s.iter().position(|&b| b == b':') {
        Some(i) if s[i..].starts_with(b"://") => i,
        _ => s.windows(3).position(|w| w == b"://")?,
    };
    let (scheme, authority) = (&s[..sep], &s[sep + 3..]);
    let (host, port) = if let Some(rest) = authority.strip_prefix(b"[") {
        let close = rest.iter().position(|&b| b == b']')?;
        let host = &authority[..close + 2];
        match &authority[close + 2..] {
            [] => (host, None),
            [b':', port @ ..] => (host, Some(port)),
            _ => return None,
        }
    } else {
        match rfind_colon(authority) {
            Some(i) => (&authority[..i], Some(&authority[i + 1..])),
            None => (authority, None),
        }
    };
    Some(OriginParts { scheme, host, port })
}

fn valid_scheme(scheme: &[u8]) -> bool {
    matches!(scheme.first(), Some(b'a'..=b'z'))
        && scheme.iter().all(|&b| crate::headers::is_scheme_byte(b))
}

fn valid_port_digits(port: &[u8]) -> bool {
    if port.is_empty() || port.len() > 5 || port[0] == b'0' || !port.iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    port.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 65_535
}

fn valid_host(host: &[u8]) -> bool {
    if let Some(inner) = host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        return !inner.is_empty()
            && inner.contains(&b':')
            && inner
                .iter()
                .all(|&b| b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':' | b'.'));
    }
    // One trailing dot is part of the host: `example.com.` is its own origin.
    let name = host.strip_suffix(b".").unwrap_or(host);
    // One pass: host characters only, and no empty label (which also
    // refuses an empty name).
    let mut label_empty = true;
    // A label byte, by far the most common, is answered by the one table
    // load; only the others are compared with `.`.
    for &b in name {
        if crate::headers::is_host_label_byte(b) {
            label_empty = false;
        } else if b == b'.' && !label_empty {
            label_empty = true;
        } else {
            return false;
        }
    }
    !label_empty
}

/// Schemes whose URLs a page never sends as its origin (`Origin: null`, or
/// for `blob:` the origin of the page that created the URL).
const OPAQUE_SCHEMES: [&[u8]; 4] = [b"file:", b"data:", b"javascript:", b"blob:"];

/// Uppercase outside `[...]`: an uppercase IPv6 address is judged as a
/// non-canonical address instead, with its lowercase form as the fix.
fn has_uppercase_outside_brackets(s: &[u8]) -> bool {
    let mut in_brackets = false;
    s.iter().any(|&b| {
        match b {
            b'[' => in_brackets = true,
            b']' => in_brackets = false,
            _ => {}
        }
        !in_brackets && b.is_ascii_uppercase()
    })
}

/// Whether `domain` is itself a public suffix.
#[cfg(feature = "psl")]
fn is_public_suffix(domain: &[u8]) -> bool {
    use psl::Psl as _;
    psl::List
        .suffix(domain)
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes().len() == domain.len())
}

/// Whether a subdomain pattern (`*.` and the rest) covers a public suffix:
/// its domain is one, or the list has a wildcard rule making every label
/// under it one (`*.kawasaki.jp`). The `*` label never equals a rule's
/// exception, so the list's own wildcard rules answer the second question.
#[cfg(feature = "psl")]
fn covers_public_suffix(pattern_host: &[u8], domain: &[u8]) -> bool {
    use psl::Psl as _;
    psl::List
        .suffix(pattern_host)
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes().len() >= domain.len())
}

/// Parses an origin as a browser sends it in the `Origin` header (not `null`).
/// Returns `None` for anything that is not a serialized tuple origin.
pub(crate) fn parse_request_origin(s: &[u8]) -> Option<OriginParts<'_>> {
    let parts = split(s)?;
    if !valid_scheme(parts.scheme) || !valid_host(parts.host) {
        return None;
    }
    if let Some(p) = parts.port {
        if !valid_port_digits(p) {
            return None;
        }
    }
    Some(parts)
}

/// Checks a configured origin entry (strict syntax) and says what kind it is.
pub(crate) fn classify_entry(entry: &str) -> Result<EntryKind, OriginProblem> {
    let s = entry.as_bytes();
    match s {
        b"" => return Err(OriginProblem::Empty),
        b"*" => return Ok(EntryKind::Any),
        b"null" => return Ok(EntryKind::Null),
        _ => {}
    }
    if s.iter()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(OriginProblem::Whitespace);
    }
    if has_uppercase_outside_brackets(s) {
        return Err(OriginProblem::Uppercase);
    }
    if OPAQUE_SCHEMES.iter().any(|scheme| s.starts_with(scheme)) {
        return Err(OriginProblem::OpaqueOrigin);
    }
    let Some(sep) = s.windows(3).position(|w| w == b"://") else {
        return Err(OriginProblem::MissingScheme);
    };
    if !valid_scheme(&s[..sep]) {
        return Err(OriginProblem::BadScheme);
    }
    let authority = &s[sep + 3..];
    if let Some(i) = authority
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
    {
        return Err(match authority[i] {
            b'?' => OriginProblem::Query,
            b'#' => OriginProblem::Fragment,
            _ if i + 1 == authority.len() => OriginProblem::TrailingSlash,
            _ => OriginProblem::Path,
        });
    }
    if authority.contains(&b'@') {
        return Err(OriginProblem::UserInfo);
    }
    let Some(OriginParts { scheme, host, port }) = split(s) else {
        return Err(OriginProblem::BadHost);
    };
    let mut pattern = false;
    if let Some(p) = port {
        if p == b"*" {
            pattern = true;
        } else if !valid_port_digits(p) {
            return Err(OriginProblem::BadPort);
        } else if default_port(scheme) == Some(p) {
            return Err(OriginProblem::DefaultPort);
        }
    }
    let pattern_host = host;
    let subdomains = host.strip_prefix(b"*.");
    let host = match subdomains {
        Some(rest) => {
            pattern = true;
            if rest.starts_with(b"[") {
                return Err(OriginProblem::BadPattern);
            }
            if host::ends_in_a_number(rest) {
                // Patterns cover DNS names; a host ending in a number is an
                // IPv4 address or no valid host at all.
                return Err(match host::parse_ipv4(rest) {
                    Some(_) => OriginProblem::BadPattern,
                    None => OriginProblem::InvalidIp,
                });
            }
            let name = rest.strip_suffix(b".").unwrap_or(rest);
            if !name.contains(&b'.') && name != b"localhost" {
                return Err(OriginProblem::PatternTooWide);
            }
            rest
        }
        None => host,
    };
    if host.contains(&b'*') {
        return Err(OriginProblem::BadPattern);
    }
    if !host.starts_with(b"[") && !valid_host(host) {
        return Err(OriginProblem::BadHost);
    }
    match host::judge(host) {
        IpHost::Invalid => return Err(OriginProblem::InvalidIp),
        IpHost::NonCanonical(_) => return Err(OriginProblem::NonCanonicalIp),
        IpHost::NotIp | IpHost::Canonical => {}
    }
    #[cfg(feature = "psl")]
    if let Some(domain) = subdomains {
        if covers_public_suffix(pattern_host, domain) {
            return Err(OriginProblem::PublicSuffix);
        }
    }
    #[cfg(not(feature = "psl"))]
    let _ = (pattern_host, subdomains);
    if pattern {
        if s.len() > MAX_PATTERN_ORIGIN_LEN {
            return Err(OriginProblem::TooLong);
        }
        return Ok(EntryKind::Pattern);
    }
    Ok(EntryKind::Exact)
}

/// Writes the specific fix for an entry refused with `problem`, when there
/// is one: the form a browser would send, or an example to follow.
pub(crate) fn write_fix(
    f: &mut fmt::Formatter<'_>,
    entry: &str,
    problem: OriginProblem,
) -> fmt::Result {
    match problem {
        OriginProblem::NonCanonicalIp => {
            let Some(OriginParts { scheme, host, port }) = split(entry.as_bytes()) else {
                return Ok(());
            };
            let IpHost::NonCanonical(canonical) = host::judge(host) else {
                return Ok(());
            };
            write!(f, ": `{}://{}", text(scheme), canonical.as_str())?;
            if let Some(port) = port {
                write!(f, ":{}", text(port))?;
            }
            f.write_str("`")
        }
        OriginProblem::OpaqueOrigin => {
            // `blob:https://app.example.com/uuid`: the creator's origin.
            let Some(inner) = entry.strip_prefix("blob:") else {
                return Ok(());
            };
            let Some(sep) = inner.find("://") else {
                return Ok(());
            };
            let end = inner[sep + 3..]
                .find(['/', '?', '#'])
                .map_or(inner.len(), |i| sep + 3 + i);
            let origin = &inner[..end];
            if classify_entry(origin) == Ok(EntryKind::Exact) {
                write!(f, ": `{origin}`")?;
            }
            Ok(())
        }
        #[cfg(feature = "psl")]
        OriginProblem::PublicSuffix => {
            let Some(OriginParts { scheme, host, port }) = split(entry.as_bytes()) else {
                return Ok(());
            };
            let domain = host.strip_prefix(b"*.").unwrap_or(host);
            // Under a wildcard rule (`*.kawasaki.jp`) one more label is still
            // a suffix: no example then.
            if !is_public_suffix(domain) {
                return Ok(());
            }
            write!(
                f,
                ", such as `{}://*.example.{}",
                text(scheme),
                text(domain)
            )?;
            if let Some(port) = port {
                write!(f, ":{}", text(port))?;
            }
            f.write_str("`")
        }
        _ => Ok(()),
    }
}

/// Bytes of an entry that passed validation, which are ASCII.
fn text(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or("")
}

/// A 64-bit hash of a byte string (a multiply-rotate over 8-byte words,
/// then a multiply-xorshift).
/// The keys are configured origins, so the table's shape is fixed at
/// construction; a request can only choose which bucket it probes.
///
/// The last word of a string longer than 8 bytes overlaps the one before
/// it, and a shorter string is read as two overlapping halves, so every
/// read is a whole word and no byte is copied one at a time. The length is
/// mixed in first, so two strings that read as the same words differ.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    // A rotation moves the high bits the multiply built back down for the
    // next word, in one instruction where a shift and xor take three.
    fn mix(h: u64, word: u64) -> u64 {
        (h ^ word).wrapping_mul(K).rotate_left(29)
    }
    fn word4(bytes: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    }
    let n = bytes.len();
    let mut h: u64 = (n as u64).wrapping_mul(K) ^ 0x2545_F491_4F6C_DD1D;
    match n {
        0 => {}
        1..=3 => {
            let w =
                u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16;
            h = mix(h, w);
        }
        4..=8 => h = mix(h, word4(bytes, 0) | word4(bytes, n - 4) << 32),
        _ => {
            let mut at = 0;
            while at + 8 < n {
                h = mix(h, word_at(bytes, at));
                at += 8;
            }
            h = mix(h, word_at(bytes, n - 8));
        }
    }
    h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Writes into `buf` the pattern keys a request origin could match, one at a
/// time, calling `found` on each until it returns true. The keys have the
/// configured spelling: `scheme://host:*`, `scheme://*.parent[:port]` and
/// `scheme://*.parent:*`.
pub(crate) fn any_pattern_key(
    parts: &OriginParts<'_>,
    mut found: impl FnMut(&[u8]) -> bool,
) -> bool {
    let mut buf = [0u8; MAX_PATTERN_ORIGIN_LEN];
    let mut key = KeyWriter {
        buf: &mut buf,
        len: 0,
    };
    // Port wildcard on the same host.
    key.clear();
    key.push(parts.scheme);
    key.push(b"://");
    key.push(parts.host);
    key.push(b":*");
    if key.fits() && found(key.bytes()) {
        return true;
    }
    if is_ip_host(parts.host) {
        return false;
    }
    // Each strict parent domain, with the same port and with any port.
    let host = parts.host;
    for (i, _) in host.iter().enumerate().filter(|(_, &b)| b == b'.') {
        let parent = &host[i + 1..];
        for any_port in [false, true] {
            key.clear();
            key.push(parts.scheme);
            key.push(b"://*.");
            key.push(parent);
            if any_port {
                key.push(b":*");
            } else if let Some(p) = parts.port {
                key.push(b":");
                key.push(p);
            }
            if key.fits() && found(key.bytes()) {
                return true;
            }
        }
    }
    false
}

struct KeyWriter<'b> {
    buf: &'b mut [u8; MAX_PATTERN_ORIGIN_LEN],
    /// Bytes wanted so far; more than the buffer means the key cannot exist.
    len: usize,
}

impl KeyWriter<'_> {
    fn clear(&mut self) {
        self.len = 0;
    }
    fn push(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if end <= self.buf.len() {
            self.buf[self.len..end].copy_from_slice(bytes);
        }
        self.len = end;
    }
    fn fits(&self) -> bool {
        self.len <= self.buf.len()
    }
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfind_colon_finds_the_last_colon_at_every_position() {
        for len in 0..40 {
            for a in 0..=len {
                for b in [a, a + 1, a + 9] {
                    let mut s = [b'a'; 40];
                    // Bytes just below and above `:` must not count.
                    for (i, byte) in s.iter_mut().enumerate().take(len) {
                        *byte = [b'a', b':' - 1, b':' + 1, 0x80 | b':', 0][i % 5];
                    }
                    for at in [a, b] {
                        if at < len {
                            s[at] = b':';
                        }
                    }
                    let naive = s[..len].iter().rposition(|&c| c == b':');
                    assert_eq!(rfind_colon(&s[..len]), naive, "len {len} at {a} {b}");
                }
            }
        }
    }

    #[test]
    fn exact_origins_are_accepted() {
        for ok in [
            "https://app.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example",
            "app-scheme+x://a",
        ] {
            assert_eq!(classify_entry(ok), Ok(EntryKind::Exact), "{ok}");
        }
    }

    #[test]
    fn malformed_origins_name_their_problem() {
        use OriginProblem::*;
        for (bad, problem) in [
            ("", Empty),
            (" https://a.com", Whitespace),
            ("https://a.com\n", Whitespace),
            ("a.com", MissingScheme),
            ("1https://a.com", BadScheme),
            ("https://A.com", Uppercase),
            ("https://a.com/", TrailingSlash),
            ("https://a.com/api", Path),
            ("https://a.com?x=1", Query),
            ("https://a.com#x", Fragment),
            ("https://u@a.com", UserInfo),
            ("https://", BadHost),
            ("https://a..com", BadHost),
            ("https://bücher.de", BadHost),
            ("https://a.com:0", BadPort),
            ("https://a.com:65536", BadPort),
            ("https://a.com:080", BadPort),
            ("https://a.com:", BadPort),
            ("https://a.com:443", DefaultPort),
            ("http://a.com:80", DefaultPort),
            ("https://a*.com", BadPattern),
            ("https://*", BadPattern),
            ("https://a.*.com", BadPattern),
            ("https://*.com", PatternTooWide),
            ("https://*.0.0.1", BadPattern),
        ] {
            assert_eq!(classify_entry(bad), Err(problem), "{bad:?}");
        }
    }

    #[test]
    fn ip_hosts_a_browser_never_sends_are_refused() {
        use OriginProblem::*;
        for (bad, problem) in [
            ("http://[0:0:0:0:0:0:0:1]", NonCanonicalIp),
            ("http://[::ffff:1.2.3.4]", NonCanonicalIp),
            ("http://[2001:DB8::1]", NonCanonicalIp),
            ("http://[2001:db8:0::1]:8080", NonCanonicalIp),
            ("http://127.1", NonCanonicalIp),
            ("http://0x7f.0.0.1", NonCanonicalIp),
            ("http://2130706433", NonCanonicalIp),
            ("http://127.000.0.1", NonCanonicalIp),
            ("http://0177.0.0.1", NonCanonicalIp),
            ("http://127.0.0.1.", NonCanonicalIp),
            ("http://127.1:*", NonCanonicalIp),
            ("http://999.1.1.1", InvalidIp),
            ("http://[1::2::3]", InvalidIp),
            ("http://[12345::]", InvalidIp),
            ("http://[fe80::1%25eth0]", InvalidIp),
            ("https://a.123", InvalidIp),
            ("https://a.0x10", InvalidIp),
            ("https://*.a.123", InvalidIp),
            ("https://*.1.2.3", BadPattern),
            ("http://[::1", BadHost),
            // Uppercase outside an IPv6 address is still asked to be lowercase.
            ("HTTP://[::1]", Uppercase),
        ] {
            assert_eq!(classify_entry(bad), Err(problem), "{bad:?}");
        }
    }

    #[test]
    fn canonical_ip_hosts_are_accepted() {
        for ok in [
            "http://[::1]",
            "http://[::ffff:102:304]",
            "http://[2001:db8::1]:8443",
            "http://127.0.0.1",
            "http://10.0.0.255:3000",
            "http://[::1]:*",
        ] {
            assert!(classify_entry(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn opaque_scheme_entries_are_refused() {
        for bad in [
            "file://",
            "file:///home/me/index.html",
            "data:text/html,hi",
            "javascript:alert(1)",
            "blob:https://app.example.com/0b1e",
            "blob:null/0b1e",
        ] {
            assert_eq!(
                classify_entry(bad),
                Err(OriginProblem::OpaqueOrigin),
                "{bad:?}"
            );
        }
    }

    fn message(entry: &str) -> heapless::String<1024> {
        use core::fmt::Write as _;
        let problem = classify_entry(entry).expect_err(entry);
        let mut out = heapless::String::new();
        write!(
            out,
            "{}",
            crate::ConfigError::MalformedOrigin { entry, problem }
        )
        .unwrap();
        out
    }

    #[test]
    fn non_canonical_ip_messages_give_the_canonical_origin() {
        for (entry, fix) in [
            (
                "http://[0:0:0:0:0:0:0:1]",
                "as a browser does: `http://[::1]`",
            ),
            (
                "http://[::ffff:1.2.3.4]:8080",
                "as a browser does: `http://[::ffff:102:304]:8080`",
            ),
            (
                "http://[2001:DB8::1]",
                "as a browser does: `http://[2001:db8::1]`",
            ),
            ("http://0x7f.0.0.1", "as a browser does: `http://127.0.0.1`"),
            (
                "http://2130706433:*",
                "as a browser does: `http://127.0.0.1:*`",
            ),
        ] {
            let m = message(entry);
            assert!(m.ends_with(fix), "{m}");
            assert!(m.starts_with("allowed_origins `"), "{m}");
        }
    }

    #[test]
    fn blob_messages_give_the_creating_origin() {
        let m = message("blob:https://app.example.com/0b1e-44");
        assert!(m.contains("`Origin: null`"), "{m}");
        assert!(
            m.ends_with("list that origin instead: `https://app.example.com`"),
            "{m}"
        );
        let m = message("blob:null/0b1e");
        assert!(m.ends_with("list that origin instead"), "{m}");
        let m = message("file:///index.html");
        assert!(m.contains("allow `null` instead"), "{m}");
    }

    #[test]
    fn trailing_dot_hosts_are_their_own_origins() {
        assert_eq!(classify_entry("https://example.com."), Ok(EntryKind::Exact));
        assert_eq!(
            classify_entry("http://localhost.:3000"),
            Ok(EntryKind::Exact)
        );
        assert_eq!(
            classify_entry("https://*.example.com."),
            Ok(EntryKind::Pattern)
        );
        assert_eq!(
            classify_entry("https://example.com.."),
            Err(OriginProblem::BadHost)
        );
        assert_eq!(classify_entry("https://."), Err(OriginProblem::BadHost));
        assert_eq!(
            classify_entry("https://*.com."),
            Err(OriginProblem::PatternTooWide)
        );
        let p = parse_request_origin(b"https://a.example.com.").unwrap();
        assert_eq!(p.host, b"a.example.com.");
        assert!(parse_request_origin(b"https://a.example.com..").is_none());
        // The dot stays in every key, so only patterns written with it match.
        let k = keys("https://a.example.com.");
        assert!(k.iter().any(|k| k == "https://*.example.com."));
        assert!(!k.iter().any(|k| k == "https://*.example.com"));
    }

    #[cfg(feature = "psl")]
    #[test]
    fn patterns_over_a_public_suffix_are_refused() {
        for bad in [
            "https://*.co.uk",
            "https://*.github.io",
            "https://*.github.io:*",
            "https://*.co.uk.",
            // A wildcard rule: every label under kawasaki.jp is a suffix.
            "https://*.kawasaki.jp",
        ] {
            assert_eq!(
                classify_entry(bad),
                Err(OriginProblem::PublicSuffix),
                "{bad:?}"
            );
        }
        for ok in [
            "https://*.example.co.uk",
            "https://*.me.github.io",
            // An exception to the wildcard rule is a registrable domain.
            "https://*.city.kawasaki.jp",
            "https://*.corp.internal",
            "http://*.localhost",
        ] {
            assert_eq!(classify_entry(ok), Ok(EntryKind::Pattern), "{ok:?}");
        }
        let m = message("https://*.kawasaki.jp");
        assert!(m.ends_with("name a domain you own under it"), "{m}");
        let m = message("https://*.co.uk:8443");
        assert!(
            m.ends_with(", such as `https://*.example.co.uk:8443`"),
            "{m}"
        );
    }

    #[cfg(not(feature = "psl"))]
    #[test]
    fn without_the_list_only_single_label_suffixes_are_too_wide() {
        assert_eq!(classify_entry("https://*.co.uk"), Ok(EntryKind::Pattern));
        assert_eq!(
            classify_entry("https://*.uk"),
            Err(OriginProblem::PatternTooWide)
        );
    }

    #[test]
    fn patterns_are_recognized() {
        for p in [
            "https://*.example.com",
            "https://*.example.com:8443",
            "https://*.example.com:*",
            "http://localhost:*",
            "http://*.localhost",
        ] {
            assert_eq!(classify_entry(p), Ok(EntryKind::Pattern), "{p}");
        }
    }

    #[test]
    fn request_origins_parse_into_parts() {
        let p = parse_request_origin(b"http://[::1]:8080").unwrap();
        assert_eq!(
            (p.scheme, p.host, p.port),
            (&b"http"[..], &b"[::1]"[..], Some(&b"8080"[..]))
        );
        assert!(parse_request_origin(b"https://a.com/").is_none());
        assert!(parse_request_origin(b"https://A.com").is_none());
        assert!(parse_request_origin(b"null").is_none());
        assert!(parse_request_origin(b"https://a.com:99999").is_none());
    }

    fn keys(origin: &str) -> heapless::Vec<heapless::String<64>, 16> {
        let parts = parse_request_origin(origin.as_bytes()).unwrap();
        let mut out = heapless::Vec::new();
        any_pattern_key(&parts, |k| {
            let mut s = heapless::String::new();
            s.push_str(core::str::from_utf8(k).unwrap()).unwrap();
            out.push(s).unwrap();
            false
        });
        out
    }

    #[test]
    fn pattern_keys_cover_every_parent_domain() {
        let k = keys("https://a.b.example.com:8443");
        let want = [
            "https://a.b.example.com:*",
            "https://*.b.example.com:8443",
            "https://*.b.example.com:*",
            "https://*.example.com:8443",
            "https://*.example.com:*",
            "https://*.com:8443",
            "https://*.com:*",
        ];
        assert_eq!(k.len(), want.len());
        for (got, want) in k.iter().zip(want) {
            assert_eq!(got.as_str(), want);
        }
    }

    #[test]
    fn ip_hosts_only_get_the_port_wildcard_key() {
        assert_eq!(keys("http://127.0.0.1:3000").len(), 1);
        assert_eq!(keys("http://[::1]:3000").len(), 1);
    }

    #[test]
    fn hash_differs_for_near_identical_origins() {
        assert_ne!(hash(b"https://example.com"), hash(b"https://example.con"));
        assert_ne!(hash(b""), hash(b"\0"));
        // Every length of the word-reading paths, and strings that read
        // as overlapping words of each other.
        let long = b"https://app1234.example42.com:8443";
        for n in 0..long.len() {
            for m in 0..n {
                assert_ne!(hash(&long[..n]), hash(&long[..m]), "{n} {m}");
                if m > 0 {
                    assert_ne!(hash(&long[m..n]), hash(&long[..n]), "{n} {m}");
                }
            }
        }
        assert_ne!(hash(b"abcdabcd"), hash(b"abcdabcda"));
        assert_ne!(hash(b"aaaaaaaaa"), hash(b"aaaaaaaaaa"));
    }
}
