//! The browser model the property tests use as their oracle: the library's
//! `corsguard::fetch` module (feature `fetch`), with the yes/no verdicts the
//! tests assert. The module's failures say why; these say only whether.

#![allow(dead_code, unused_imports)]

pub use corsguard::fetch::*;

/// Whether the CORS check passes.
pub fn cors_check(req: &BrowserRequest, headers: &[(String, Vec<u8>)]) -> bool {
    corsguard::fetch::cors_check(req, headers).is_ok()
}

/// Whether a CORS-preflight fetch answered with (status, headers) passes.
pub fn preflight_passes(req: &BrowserRequest, status: u16, headers: &[(String, Vec<u8>)]) -> bool {
    corsguard::fetch::cors_preflight_fetch(req, status, headers).is_ok()
}

/// Whether the whole fetch lets the page read the response.
#[allow(clippy::type_complexity)] // the signature the property tests use
pub fn fetch_succeeds(
    req: &BrowserRequest,
    preflight: Option<(u16, &[(String, Vec<u8>)])>,
    actual: &[(String, Vec<u8>)],
) -> bool {
    corsguard::fetch::fetch(req, preflight, actual).is_ok()
}
