//! Header-list parsing and header-name rules: HTTP tokens, case-insensitive
//! comparison, and the names the Fetch standard reserves to the browser.

/// Whether `b` may appear in an HTTP token (RFC 9110 `tchar`).
pub(crate) const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
        b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// What a byte may be, as bits of `CLASSES`: one table of 256 bytes serves
/// the per-byte checks of tokens, hosts and schemes (a firmware image pays for
/// each table it links).
const TOKEN: u8 = 1;
const HOST_LABEL: u8 = 2;
const SCHEME: u8 = 4;

/// `CLASSES[b]`: `TOKEN` when byte `b` may appear in a token, `HOST_LABEL`
/// when it may appear in a label of a host a browser serializes (lowercase
/// letters, digits, `-`, `_`), `SCHEME` when it may appear in a serialized
/// scheme (lowercase letters, digits, `+`, `-`, `.`). A table, so each
/// check is one load.
static CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if is_tchar(c) {
            table[b] |= TOKEN;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_' {
            table[b] |= HOST_LABEL;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.') {
            table[b] |= SCHEME;
        }
        b += 1;
    }
    table
};

/// Whether `s` is a non-empty HTTP token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| CLASSES[usize::from(b)] & TOKEN != 0)
}

/// Whether `b` may appear in a label of a host a browser serializes.
#[inline(always)]
pub(crate) fn is_host_label_byte(b: u8) -> bool {
    CLASSES[usize::from(b)] & HOST_LABEL != 0
}

/// Whether `b` may appear in a scheme a browser serializes (lowercase).
#[inline(always)]
pub(crate) fn is_scheme_byte(b: u8) -> bool {
    CLASSES[usize::from(b)] & SCHEME != 0
}

/// Whether `s` can be written as a response header value without opening a
/// way to header injection: no CR, LF or NUL anywhere.
pub(crate) fn is_safe_value(s: &[u8]) -> bool {
    !s.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0)
}

/// Whether `a` and `b` are the same bytes. Strings of 8 to 16 bytes (most
/// header names) are compared as two overlapping words in line, which
/// costs less than a call to the library's `memcmp`; other lengths go to
/// the slice comparison.
// Always inlined on hosts, where it pays in instructions; a bare-metal
// image keeps one copy of it, for size.
#[cfg_attr(not(target_os = "none"), inline(always))]
#[cfg_attr(target_os = "none", inline)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8),
        _ => a == b,
    }
}

/// The little-endian word of the eight bytes of `s` from `at` (zeros
/// where `s` ends first): how the word-at-a-time searches, comparisons and
/// the origin hash read their input.
#[inline(always)]
pub(crate) fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(part) = s.get(at..at + 8) {
        w.copy_from_slice(part);
    }
    u64::from_le_bytes(w)
}

/// Each byte of `x` that is zero, as its high bit, and only those (no
/// carry crosses a byte), so that the last flagged byte is a true one too:
/// `zero_bytes(word ^ [b; 8])` marks the bytes `b`.
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = u64::from_ne_bytes([0x7F; 8]);
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// Trims the optional whitespace (SP, HTAB) HTTP allows around list elements.
#[inline]
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    // Nearly every element has no whitespace around it: one test of each
    // end (a byte above SP is neither SP nor HTAB) answers for those.
    if let [first, .., last] = s {
        if *first > b' ' && *last > b' ' {
            return s;
        }
    }
    // Most of the rest follow a `, ` separator: one space before, none after.
    if let [b' ', rest @ ..] = s {
        if let [second, .., last] = rest {
            if *second > b' ' && *last > b' ' {
                return rest;
            }
        }
    }
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Compares two byte strings, ASCII case-insensitively, as an ordering on
/// their lowercase forms (so that a table of lowercase names can be searched).
pub(crate) fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i < n {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// Iterates over the elements of a comma-separated header list, each trimmed
/// of optional whitespace. Empty elements (`a,,b`, a trailing comma) are
/// yielded as empty slices so the caller decides whether to tolerate them.
///
/// The work is linear in the input: each byte is looked at once.
#[derive(Clone, Debug)]
pub(crate) struct ListElements<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> ListElements<'a> {
    pub(crate) fn new(value: &'a [u8]) -> Self {
        ListElements { rest: Some(value) }
    }
}

impl<'a> Iterator for ListElements<'a> {
    type Item = &'a [u8];

    // Always inlined on hosts, where it pays in instructions; a bare-metal
    // image keeps one copy of it, for size.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find_comma(rest) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(trim_ows(&rest[..i]))
            }
            None => {
                self.rest = None;
                Some(trim_ows(rest))
            }
        }
    }
}

/// The position of the first `,` in `s`: eight bytes at a time, the last
/// few as the final eight bytes of `s` with the ones already looked at
/// masked off, and one at a time only when `s` is shorter than a word.
#[inline]
fn find_comma(s: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
    // A zero byte of `x` is a comma of the word; the lowest flagged byte
    // of `(x - ONES) & !x & HIGHS` is the first zero byte (the flags above
    // it may be false, never the ones below: only a zero byte borrows).
    #[inline(always)]
    fn commas(word: [u8; 8]) -> u64 {
        let x = u64::from_le_bytes(word) ^ COMMAS;
        x.wrapping_sub(ONES) & !x & HIGHS
    }
    let n = s.len();
    if n < 8 {
        return s.iter().position(|&b| b == b',');
    }
    let mut at = 0;
    while let Some(chunk) = s.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let found = commas(word);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    if at == n {
        return None;
    }
    // The last eight bytes overlap the words already read by `at - (n - 8)`
    // bytes, none of them a comma (so none sets a flag or borrows): only
    // the flags above those count.
    let mut word = [0u8; 8];
    word.copy_from_slice(&s[n - 8..]);
    let seen = at - (n - 8);
    let found = commas(word) & (u64::MAX << (8 * seen));
    (found != 0).then(|| n - 8 + (found.trailing_zeros() / 8) as usize)
}

/// Request-header names that scripts can never set (Fetch "forbidden
/// request-header"), lowercase. Listing one as allowed is always a mistake.
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

/// Whether a browser forbids scripts from setting the header `name`.
pub(crate) fn is_forbidden_request_header(name: &[u8]) -> bool {
    let starts_with_ci = |prefix: &[u8]| {
        name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    starts_with_ci(b"proxy-")
        || starts_with_ci(b"sec-")
        || FORBIDDEN_REQUEST_HEADERS
            .iter()
            .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
}

/// Response-header names a browser never exposes to scripts, whatever
/// `Access-Control-Expose-Headers` says (Fetch "forbidden response-header name").
pub(crate) fn is_forbidden_response_header(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"set-cookie") || name.eq_ignore_ascii_case(b"set-cookie2")
}

/// The CORS-safelisted request headers Starlette always allows, sorted the way
/// Starlette sorts them (by code point, as given).
pub(crate) const SAFELISTED_REQUEST_HEADERS: [&str; 4] = [
    "Accept",
    "Accept-Language",
    "Content-Language",
    "Content-Type",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(s: &str) -> [Option<&[u8]>; 4] {
        let mut it = ListElements::new(s.as_bytes());
        [it.next(), it.next(), it.next(), it.next()]
    }

    #[test]
    fn list_elements_trim_whitespace() {
        assert_eq!(
            elements(" a ,\tb"),
            [Some(&b"a"[..]), Some(&b"b"[..]), None, None]
        );
    }

    #[test]
    fn trim_ows_strips_only_sp_and_htab_on_either_side() {
        let pads: [&[u8]; 4] = [b"", b" ", b"\t", b" \t "];
        let cores: [&[u8]; 5] = [b"", b"a", b"ab", b"a b", b"\x21x\x21"];
        for core in cores {
            for left in pads {
                for right in pads {
                    let padded = [left, core, right].concat();
                    assert_eq!(trim_ows(&padded), core, "{padded:?}");
                }
            }
        }
        // A control byte below SP is not whitespace.
        assert_eq!(trim_ows(b"\x01a\x01"), b"\x01a\x01");
    }

    #[test]
    fn find_comma_finds_the_first_comma_at_every_position() {
        for len in 0..40 {
            for comma in 0..=len {
                let mut s = [b'a'; 40];
                let mut expected = None;
                if comma < len {
                    s[comma] = b',';
                    // A second comma later, and bytes just below and above
                    // `,` in the word, must not change the answer.
                    if comma + 3 < len {
                        s[comma + 3] = b',';
                    }
                    if comma > 0 {
                        s[comma - 1] = b',' - 1;
                    }
                    expected = Some(comma);
                }
                if comma + 1 < len && s[comma + 1] != b',' {
                    s[comma + 1] = b',' + 1;
                }
                assert_eq!(find_comma(&s[..len]), expected, "len {len} comma {comma}");
                let naive = s[..len].iter().position(|&b| b == b',');
                assert_eq!(find_comma(&s[..len]), naive);
            }
        }
        for b in 0..=255u8 {
            let s = [b; 9];
            assert_eq!(find_comma(&s), (b == b',').then_some(0));
        }
    }

    #[test]
    fn list_elements_yield_empty_elements() {
        assert_eq!(
            elements("a,,b,"),
            [
                Some(&b"a"[..]),
                Some(&b""[..]),
                Some(&b"b"[..]),
                Some(&b""[..])
            ]
        );
    }

    #[test]
    fn list_of_an_empty_value_is_one_empty_element() {
        assert_eq!(elements(""), [Some(&b""[..]), None, None, None]);
    }

    #[test]
    fn same_bytes_agrees_with_slice_equality() {
        let base: [u8; 40] = core::array::from_fn(|i| b'a' + (i % 26) as u8);
        for n in 0..40 {
            let a = &base[..n];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &base[..n + 1]));
            for at in 0..n {
                let mut b = base;
                b[at] ^= 0x20;
                assert_eq!(same_bytes(a, &b[..n]), a == &b[..n], "n {n} at {at}");
                assert!(!same_bytes(a, &b[..n]));
            }
        }
    }

    #[test]
    fn byte_classes_match_their_definitions() {
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), CLASSES[usize::from(b)] & TOKEN != 0, "{b}");
            let label = b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_');
            assert_eq!(is_host_label_byte(b), label, "{b}");
            let scheme =
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.');
            assert_eq!(is_scheme_byte(b), scheme, "{b}");
        }
    }

    #[test]
    fn tokens_reject_separators_and_empty() {
        assert!(is_token(b"x-request-id"));
        assert!(!is_token(b""));
        assert!(!is_token(b"x foo"));
        assert!(!is_token(b"x:foo"));
        assert!(!is_token("é".as_bytes()));
    }

    #[test]
    fn forbidden_names_include_prefixes_in_any_case() {
        assert!(is_forbidden_request_header(b"Cookie"));
        assert!(is_forbidden_request_header(b"Sec-Fetch-Mode"));
        assert!(is_forbidden_request_header(b"proxy-authorization"));
        assert!(!is_forbidden_request_header(b"authorization"));
        assert!(!is_forbidden_request_header(b"x-sec"));
    }

    #[test]
    fn case_insensitive_order_matches_lowercase_order() {
        use core::cmp::Ordering::*;
        assert_eq!(cmp_ignore_ascii_case(b"X-Foo", b"x-foo"), Equal);
        assert_eq!(cmp_ignore_ascii_case(b"a", b"B"), Less);
        assert_eq!(cmp_ignore_ascii_case(b"ab", b"a"), Greater);
    }

    #[test]
    fn unsafe_values_are_detected() {
        assert!(is_safe_value(b"https://a.example"));
        assert!(!is_safe_value(b"a\r\nSet-Cookie: x"));
        assert!(!is_safe_value(b"a\0"));
    }
}
