//! Why a browser blocks (or lets through) one request, and the fix.
//!
//! Two sources of answers, one account:
//! - [`explain`]: a policy document and a page's request. The policy answers
//!   the preflight and the actual request as the server would
//!   ([`Policy::evaluate`](crate::Policy::evaluate)); the browser's checks
//!   ([`crate::fetch`]) judge the answers; a refusal comes with the fix in
//!   the document's terms ("add `http://localhost:3000` to allowOrigins").
//! - [`judge`]: the answers a live server gave (what `corsguard probe` sent
//!   and received), judged by the same checks, with the fix on the server's
//!   side.
//!
//! Both name the [`Mistake`]s users make most (a wildcard origin with
//! credentials, `OPTIONS` not handled, `Vary: Origin` missing, ...).
//!
//! ```
//! use corsguard::explain::explain;
//! use corsguard::fetch::BrowserRequest;
//!
//! let document = br#"{"version": 1, "allowOrigins": ["http://localhost:3000"],
//!                     "allowHeaders": ["x-request-id"]}"#;
//! let page = BrowserRequest::new("http://localhost:3000", "POST")
//!     .with_header("Content-Type", "application/json");
//! let account = explain(document, &page, "http://localhost:8080/api/items").unwrap();
//! assert!(!account.judgement.allowed());
//! assert_eq!(account.fix.as_deref(), Some("add `content-type` to allowHeaders"));
//! let mistakes: Vec<_> = account.judgement.mistakes.iter().map(|m| m.code).collect();
//! assert_eq!(mistakes, ["json_content_type_not_allowed"]);
//! ```
#![cfg(feature = "explain")]

mod judge;
mod policy;
mod render;

pub use judge::{
    actual_request_headers, judge, preflight_request_headers, Check, Exchange, ExchangeKind,
    Judgement, Mistake, Response,
};
pub use policy::{document_mistakes, explain, Explanation, ServerDecision};
pub use render::url_path;
