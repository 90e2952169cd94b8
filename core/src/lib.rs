//! # corsguard
//!
//! One validated CORS (Cross-Origin Resource Sharing) implementation for
//! every server: a `no_std`, allocation-free core that parses the CORS
//! request headers and evaluates a policy held in fixed-capacity tables.
//!
//! 1. **Configure once.** Describe the policy with a [`Config`]; [`Policy::new`]
//!    validates all of it and refuses a bad configuration with a
//!    [`ConfigError`] that names the entry, the rule and the fix.
//! 2. **Evaluate per request.** [`Policy::evaluate`] takes the raw request
//!    headers ([`Request`]) and returns a [`Decision`]: the verdict, the
//!    reason for a refusal, whether to answer a preflight now, and the
//!    response headers, whose values borrow from the policy or the request.
//! 3. **Write.** Set each header of [`Decision::headers`] on the response,
//!    adding to `Vary` rather than replacing it.
//!
//! ```
//! use corsguard::{Action, AllowedHeaders, Config, HeaderName, Methods, Policy, Request};
//!
//! let config = Config::new()
//!     .allowed_origins(&["http://localhost:3000"])
//!     .allowed_methods(Methods::List(&["GET", "POST", "PUT"]))
//!     .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
//!     .credentials(true)
//!     .max_age(600);
//! let policy: Policy = Policy::new(&config).expect("valid policy");
//!
//! let preflight = Request::new(b"OPTIONS")
//!     .origin(b"http://localhost:3000")
//!     .request_method(b"PUT")
//!     .request_headers(b"content-type");
//! let decision = policy.evaluate(&preflight);
//! assert!(decision.is_allowed());
//! assert_eq!(decision.action(), Action::Respond { status: 204 });
//! assert_eq!(decision.header(HeaderName::AllowOrigin), Some(&b"http://localhost:3000"[..]));
//! assert_eq!(decision.header(HeaderName::AllowCredentials), Some(&b"true"[..]));
//! ```
//!
//! CORS protects users, not servers: a browser enforces it on behalf of the
//! person browsing. It is no substitute for authentication; a refused request
//! still reaches your application unless it is a preflight.
//!
//! ## Profiles
//! [`Behaviour::STRICT`] (the default) follows the WHATWG Fetch standard.
//! [`Behaviour::CORS_NPM`] and [`Behaviour::STARLETTE`] reproduce the answers
//! of the `cors` npm package and of Starlette's `CORSMiddleware`, so that the
//! drop-in bindings contain no CORS logic of their own.
//!
//! ## Features
//! - `std`: `std::error::Error` for [`ConfigError`].
//! - `http`: adapters for the `http` crate's request and header types ([`http`]).
//! - `psl`: refuse subdomain patterns as wide as a public suffix on the Public
//!   Suffix List (`https://*.co.uk`, `https://*.github.io`), with the list
//!   compiled in by the `psl` crate (no_std, no alloc; the list is code:
//!   about 550 KB more `.text` on `thumbv7em-none-eabihf`). Without it, only patterns over a single label
//!   (`https://*.com`) are refused as too wide, and `https://*.co.uk` is
//!   accepted. Either way the rule holds with or without credentials.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod capacity;
mod config;
mod decision;
#[cfg(feature = "json")]
pub mod document;
#[cfg(feature = "explain")]
pub mod explain;
#[cfg(feature = "fetch")]
pub mod fetch;
mod findings;
mod headers;
mod host;
mod origin;
pub mod path;
mod policy;
mod risks;
mod sort;
mod template;
mod vary;

#[cfg(feature = "http")]
pub mod http;

// Compiles and runs the crate README's example as a doctest. (The
// repository README's quick start is a whole program, run by
// tests/quickstart/run.py; reading it from here would need a file outside
// the packaged crate.)
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

pub use config::{
    AllowedHeaders, Behaviour, Capacity, Config, ConfigError, ExposedHeaders, MaxAge, Methods,
    NamedError, OptionNames, Setting, VaryMerge, VERDICT_PROBES,
};
pub use decision::{
    Action, Decision, Failures, Header, HeaderName, Outcome, Reason, Request, RequestKind,
};
#[cfg(feature = "json")]
pub use document::{Document, DocumentErrors, PolicySet, Problem};
pub use findings::findings;
pub use origin::OriginProblem;
pub use policy::Policy;
pub use risks::{risks, NamedRisk, Risk};
pub use vary::merge_vary;

/// The mechanics of the behaviour presets: how configuration is read and
/// how answers are shaped, down to the order of the headers. The presets
/// themselves are [`Behaviour::STRICT`], [`Behaviour::CORS_NPM`] and
/// [`Behaviour::STARLETTE`] (or a document's `profile`); these types say
/// what a variation of one changes. Header order and these settings may
/// change in minor versions as the peers' answers are matched more closely.
pub mod compat {
    pub use crate::config::{
        ActualHeaders, HeadersSlot, OriginSlot, PreflightBody, PreflightDetection,
        RefusedPreflight, Separator, Slot, Syntax, VaryStyle, WildcardWithCredentials,
    };
}

/// Fixed limits of the core.
pub mod limits {
    pub use crate::origin::MAX_PATTERN_ORIGIN_LEN;
    pub use crate::path::MAX_PATH_RULE_LEN;
    pub use crate::policy::MAX_DECISION_HEADERS;
    pub use crate::risks::CHROMIUM_MAX_AGE_CAP;
}
