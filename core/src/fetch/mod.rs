//! A model of how a browser judges a CORS exchange, after the WHATWG Fetch
//! standard (<https://fetch.spec.whatwg.org/>) and, for
//! `Access-Control-Allow-Private-Network`, the Private Network Access draft.
//! Each function is named after the algorithm it models.
//!
//! It is the other side of [`Policy::evaluate`](crate::Policy::evaluate):
//! the policy says what the server answers, this module says what the
//! browser then does with the answer, and why it blocks a response. The
//! property tests use it as their oracle, and the `corsguard explain` and
//! `probe` commands and the demo's playground use it to explain a refusal.
//!
//! - Request side ([`BrowserRequest`]): method normalization and forbidden
//!   methods, forbidden request-headers (silently dropped), value-aware
//!   CORS-safelisted request-headers with the 1024-byte budget, the
//!   `Access-Control-Request-Headers` value, and whether a preflight is
//!   needed, with each [`PreflightTrigger`].
//! - Response side: the [`cors_check`], the checks of a
//!   [`cors_preflight_fetch`] (ok status, redirects, the two lists, the
//!   `Authorization` exception to `*`, PNA), and [`fetch`], the verdict on
//!   the whole exchange, each failure with the message Chromium prints.
//! - The [`PreflightCache`] and the browsers' limits on it.
//!
//! Not modelled: following redirects of actual requests, the
//! use-CORS-preflight flag (XHR upload listeners), no-cors requests.
//!
//! Needs the `fetch` feature (it allocates: it is a diagnostic model, not
//! part of evaluating a request).
//!
//! ```
//! use corsguard::fetch::{fetch, BrowserRequest, CorsCheckFailure, FetchFailure};
//! let page = BrowserRequest::new("http://localhost:3000", "GET").with_credentials();
//! let answer = vec![("Access-Control-Allow-Origin".to_string(), b"*".to_vec())];
//! let failure = fetch(&page, None, &answer).unwrap_err();
//! assert_eq!(failure, FetchFailure::Cors(CorsCheckFailure::WildcardWithCredentials));
//! assert!(failure.chromium_message().contains("must not be the wildcard '*'"));
//! ```
#![cfg(feature = "fetch")]

mod cache;
mod request;
mod response;
mod vocab;

pub use cache::{BrowserLimits, PreflightCache};
pub use request::{
    get_decode_split, is_cors_non_wildcard_request_header_name, is_cors_safelisted_method,
    is_cors_safelisted_request_header, is_cors_unsafe_request_header_byte, is_forbidden_method,
    is_forbidden_request_header, normalize_method, BrowserRequest, PreflightTrigger, Unsendable,
};
pub use response::{
    cors_check, cors_preflight_fetch, extract_token_list, fetch, get_header, header_count,
    is_ok_status, is_redirect_status, preflight_max_age, CorsCheckFailure, FetchFailure, Headers,
    ListParseFailure, PreflightFailure, PreflightGrant,
};
pub use vocab::is_token;

/// `access-control-allow-origin`.
pub const ACAO: &str = "access-control-allow-origin";
/// `access-control-allow-credentials`.
pub const ACAC: &str = "access-control-allow-credentials";
/// `access-control-allow-methods`.
pub const ACAM: &str = "access-control-allow-methods";
/// `access-control-allow-headers`.
pub const ACAH: &str = "access-control-allow-headers";
/// `access-control-max-age`.
pub const ACMA: &str = "access-control-max-age";
/// `access-control-allow-private-network`.
pub const ACAPN: &str = "access-control-allow-private-network";
/// `access-control-expose-headers`.
pub const ACEH: &str = "access-control-expose-headers";
