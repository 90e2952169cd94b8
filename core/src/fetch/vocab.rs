//! The bytes the Fetch standard's algorithms speak of: HTTP whitespace, RFC
//! 9110 tokens, header values, and WebIDL ByteStrings.
#![cfg(feature = "fetch")]

use alloc::vec::Vec;

/// HTTP tab or space byte: 0x09 or 0x20.
pub(crate) fn is_http_tab_or_space(b: u8) -> bool {
    b == b'\t' || b == b' '
}

/// HTTP whitespace byte: HTTP tab or space, LF or CR.
pub(crate) fn is_http_whitespace(b: u8) -> bool {
    is_http_tab_or_space(b) || b == b'\n' || b == b'\r'
}

/// `bytes` without the leading and trailing bytes for which `strip` holds.
pub(crate) fn trim_by(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let start = bytes.iter().position(|&b| !strip(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !strip(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// `bytes` without the trailing bytes for which `strip` holds.
pub(crate) fn trim_end_by(bytes: &[u8], strip: fn(u8) -> bool) -> &[u8] {
    let end = bytes.iter().rposition(|&b| !strip(b)).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 9110 `token`: one or more `tchar`.
pub fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// A Fetch "header value" may not contain NUL, LF or CR.
pub(crate) fn has_forbidden_value_byte(value: &[u8]) -> bool {
    value.iter().any(|&b| matches!(b, 0x00 | b'\n' | b'\r'))
}

/// WebIDL ByteString conversion, as `fetch()` applies it to methods and headers:
/// every code point must be at most U+00FF and becomes one byte. `None` is the
/// TypeError the browser throws.
pub(crate) fn to_byte_string(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}
