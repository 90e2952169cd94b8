//! The browser's account of one fetch: what it sends, each check on each
//! answer, the verdict, the message Chromium prints, and the mistakes the
//! answers show.
#![cfg(feature = "explain")]

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::fetch::{
    cors_check, cors_preflight_fetch, get_header, header_count, is_redirect_status, BrowserLimits,
    BrowserRequest, CorsCheckFailure, FetchFailure, PreflightFailure, PreflightTrigger, ACAC, ACAH,
    ACAM, ACAO, ACAPN, ACEH,
};

/// A response as received: the status and the header lines, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// (name, value) header lines, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Which of the two requests of a fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeKind {
    /// The CORS-preflight request (`OPTIONS`).
    Preflight,
    /// The request the page asked for.
    Actual,
}

impl ExchangeKind {
    /// `preflight` or `actual`.
    pub fn code(self) -> &'static str {
        match self {
            ExchangeKind::Preflight => "preflight",
            ExchangeKind::Actual => "actual",
        }
    }
}

/// One check the browser makes on an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// A stable name: `no_redirect`, `allow_origin`, `allow_credentials`,
    /// `ok_status`, `allow_methods`, `allow_headers`, `private_network`.
    pub name: &'static str,
    /// Passed, or failed (the browser stops at the first failure).
    pub passed: bool,
    /// What was seen, in plain words.
    pub detail: String,
}

/// One request the browser sends and the answer it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Preflight or actual.
    pub kind: ExchangeKind,
    /// The method sent.
    pub method: String,
    /// The CORS-relevant request headers sent (`Origin`, the
    /// `Access-Control-Request-*` headers, the page's own headers).
    pub request_headers: Vec<(String, String)>,
    /// The answer.
    pub response: Response,
    /// The checks made, up to the first that failed.
    pub checks: Vec<Check>,
}

impl Exchange {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

/// A mistake seen in the answers, named in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// A stable code: `wildcard_with_credentials`, `no_cors_headers`,
    /// `options_not_handled`, `preflight_redirect`, `trailing_slash_origin`,
    /// `duplicate_allow_origin`, `missing_vary_origin`,
    /// `json_content_type_not_allowed`.
    pub code: &'static str,
    /// The mistake in one sentence.
    pub title: String,
    /// What to change.
    pub fix: String,
}

/// The whole account of one fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// What the page asked for.
    pub request: BrowserRequest,
    /// The URL fetched.
    pub url: String,
    /// Why a preflight is needed (empty: none is).
    pub triggers: Vec<PreflightTrigger>,
    /// The author headers the browser leaves out (forbidden request-headers).
    pub dropped_headers: Vec<String>,
    /// The requests sent, in order; the actual request is missing when the
    /// preflight failed (the browser never sends it).
    pub exchanges: Vec<Exchange>,
    /// Why the page cannot read the response; `None`: it can.
    pub failure: Option<FetchFailure>,
    /// The fix, on the server's side, for the failure.
    pub server_fix: Option<String>,
    /// What further requests showed about the failure (`corsguard probe`
    /// retries a refused preflight part by part to find what the server
    /// refuses); empty from [`judge`] itself.
    pub diagnosis: Vec<String>,
    /// The mistakes the answers show.
    pub mistakes: Vec<Mistake>,
    /// How long Chromium caches the preflight's answer (seconds), when it passed.
    pub preflight_cache_seconds: Option<u64>,
    /// The response headers the page's script can read beyond the
    /// CORS-safelisted ones (`Access-Control-Expose-Headers`), when allowed.
    pub exposed_headers: Vec<String>,
}

impl Judgement {
    /// Whether the page can read the response.
    pub fn allowed(&self) -> bool {
        self.failure.is_none()
    }

    /// The line Chromium prints in the console for the failure, in full.
    pub fn chromium_console(&self) -> Option<String> {
        let failure = self.failure.as_ref()?;
        if let FetchFailure::Unsendable(why) = failure {
            return Some(format!("TypeError: {why}"));
        }
        let line = format!(
            "Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: {}",
            self.url,
            self.request.origin,
            failure.chromium_message()
        );
        Some(line)
    }
}

/// The headers the browser puts on the preflight for `req`.
pub fn preflight_request_headers(req: &BrowserRequest) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Origin".to_owned(), req.origin.clone()),
        (
            "Access-Control-Request-Method".to_owned(),
            req.normalized_method(),
        ),
    ];
    if let Some(names) = req.acrh_value() {
        headers.push(("Access-Control-Request-Headers".to_owned(), names));
    }
    if req.private_network {
        headers.push((
            "Access-Control-Request-Private-Network".to_owned(),
            "true".to_owned(),
        ));
    }
    headers
}

/// The headers the browser puts on the actual request for `req`: `Origin`
/// and the page's own headers (without the ones it drops).
pub fn actual_request_headers(req: &BrowserRequest) -> Vec<(String, String)> {
    let mut headers = vec![("Origin".to_owned(), req.origin.clone())];
    for (name, value) in req.header_list() {
        headers.push((
            String::from_utf8_lossy(&name).into_owned(),
            String::from_utf8_lossy(&value).into_owned(),
        ));
    }
    headers
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn shown(headers: &[(String, Vec<u8>)], name: &str) -> String {
    match get_header(headers, name) {
        Some(value) => format!("{}: {}", canonical(name), text(&value)),
        None => format!("no {}", canonical(name)),
    }
}

/// `access-control-allow-origin` as `Access-Control-Allow-Origin`.
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// The checks of the CORS check, in Chromium's order, with the failure (if
/// any) placed where it stops.
fn cors_checks(
    req: &BrowserRequest,
    headers: &[(String, Vec<u8>)],
    failure: Option<&CorsCheckFailure>,
    checks: &mut Vec<Check>,
) {
    match failure {
        Some(CorsCheckFailure::CredentialsNotTrue { .. }) | None => checks.push(Check {
            name: "allow_origin",
            passed: true,
            detail: format!(
                "{} (the page's origin is {})",
                shown(headers, ACAO),
                req.origin
            ),
        }),
        Some(failure) => {
            checks.push(Check {
                name: "allow_origin",
                passed: false,
                detail: failure.to_string(),
            });
            return;
        }
    }
    if req.credentials {
        let failure = matches!(failure, Some(CorsCheckFailure::CredentialsNotTrue { .. }));
        checks.push(Check {
            name: "allow_credentials",
            passed: !failure,
            detail: if failure {
                failure_detail(headers)
            } else {
                shown(headers, ACAC)
            },
        });
    }
}

fn failure_detail(headers: &[(String, Vec<u8>)]) -> String {
    format!(
        "the request is credentialed: Access-Control-Allow-Credentials must be `true` ({})",
        shown(headers, ACAC)
    )
}

/// The preflight's checks, in the order of Fetch "CORS-preflight fetch".
fn preflight_checks(
    req: &BrowserRequest,
    response: &Response,
    failure: Option<&PreflightFailure>,
) -> Vec<Check> {
    let headers = &response.headers;
    let status = response.status;
    let mut checks = Vec::new();
    if let Some(PreflightFailure::Redirect { .. }) = failure {
        checks.push(Check {
            name: "no_redirect",
            passed: false,
            detail: format!(
                "status {status}: a preflight is never redirected ({})",
                shown(headers, "location")
            ),
        });
        return checks;
    }
    let cors = match failure {
        Some(PreflightFailure::Cors(f)) => Some(f),
        _ => None,
    };
    cors_checks(req, headers, cors, &mut checks);
    if cors.is_some() {
        return checks;
    }
    let not_ok = matches!(failure, Some(PreflightFailure::NotOk { .. }));
    checks.push(Check {
        name: "ok_status",
        passed: !not_ok,
        detail: if not_ok {
            format!("status {status}: a preflight needs 200-299")
        } else {
            format!("status {status}")
        },
    });
    if not_ok {
        return checks;
    }
    let method = req.normalized_method();
    let method_failure = matches!(
        failure,
        Some(PreflightFailure::UnparseableMethods | PreflightFailure::MethodNotAllowed { .. })
    );
    checks.push(Check {
        name: "allow_methods",
        passed: !method_failure,
        detail: match failure {
            Some(
                f @ (PreflightFailure::UnparseableMethods
                | PreflightFailure::MethodNotAllowed { .. }),
            ) => {
                format!("{f} ({})", shown(headers, ACAM))
            }
            _ if crate::fetch::is_cors_safelisted_method(method.as_bytes()) => {
                format!("{method} is CORS-safelisted: always allowed")
            }
            _ => format!("{method} is allowed ({})", shown(headers, ACAM)),
        },
    });
    if method_failure {
        return checks;
    }
    let header_failure = matches!(
        failure,
        Some(
            PreflightFailure::UnparseableHeaders
                | PreflightFailure::HeaderNotAllowed { .. }
                | PreflightFailure::AuthorizationNotCoveredByWildcard
        )
    );
    let names = req.unsafe_header_names();
    if !names.is_empty() || header_failure {
        checks.push(Check {
            name: "allow_headers",
            passed: !header_failure,
            detail: match failure {
                Some(f) if header_failure => format!("{f} ({})", shown(headers, ACAH)),
                _ => format!("{} allowed ({})", names.join(", "), shown(headers, ACAH)),
            },
        });
        if header_failure {
            return checks;
        }
    }
    if req.private_network {
        let failed = matches!(failure, Some(PreflightFailure::PrivateNetworkNotAllowed));
        checks.push(Check {
            name: "private_network",
            passed: !failed,
            detail: shown(headers, ACAPN),
        });
    }
    checks
}

/// Judges the answers a server gave to the requests a browser sends for
/// `req` to `url`: the preflight's, when one was needed and answered, and
/// the actual request's, when it was sent. A missing answer where one was
/// needed counts as the server not answering.
pub fn judge(
    req: &BrowserRequest,
    url: &str,
    preflight: Option<&Response>,
    actual: Option<&Response>,
) -> Judgement {
    let mut judgement = Judgement {
        request: req.clone(),
        url: url.to_owned(),
        triggers: req.preflight_triggers(),
        dropped_headers: req.dropped_headers(),
        exchanges: Vec::new(),
        failure: None,
        server_fix: None,
        diagnosis: Vec::new(),
        mistakes: Vec::new(),
        preflight_cache_seconds: None,
        exposed_headers: Vec::new(),
    };
    if let Err(why) = req.check_sendable() {
        judgement.failure = Some(FetchFailure::Unsendable(why));
        return judgement;
    }
    if req.needs_preflight() {
        let Some(response) = preflight else {
            judgement.failure = Some(FetchFailure::NoPreflight);
            return judgement;
        };
        let verdict = cors_preflight_fetch(req, response.status, &response.headers);
        judgement.exchanges.push(Exchange {
            kind: ExchangeKind::Preflight,
            method: "OPTIONS".to_owned(),
            request_headers: preflight_request_headers(req),
            response: response.clone(),
            checks: preflight_checks(req, response, verdict.as_ref().err()),
        });
        match verdict {
            Ok(grant) => {
                judgement.preflight_cache_seconds =
                    Some(BrowserLimits::CHROMIUM.lifetime(grant.max_age));
            }
            Err(failure) => {
                judgement.failure = Some(FetchFailure::Preflight(failure));
            }
        }
    }
    if judgement.failure.is_none() {
        match actual {
            None => {}
            Some(response) => {
                let verdict = cors_check(req, &response.headers);
                let mut checks = Vec::new();
                cors_checks(req, &response.headers, verdict.as_ref().err(), &mut checks);
                judgement.exchanges.push(Exchange {
                    kind: ExchangeKind::Actual,
                    method: req.normalized_method(),
                    request_headers: actual_request_headers(req),
                    response: response.clone(),
                    checks,
                });
                match verdict {
                    Ok(()) => {
                        judgement.exposed_headers = get_header(&response.headers, ACEH)
                            .map(|v| {
                                text(&v)
                                    .split(',')
                                    .map(str::trim)
                                    .filter(|s| !s.is_empty())
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                    }
                    Err(failure) => judgement.failure = Some(FetchFailure::Cors(failure)),
                }
            }
        }
    }
    judgement.server_fix = judgement.failure.as_ref().map(|f| server_fix(req, f));
    judgement.mistakes = mistakes(&judgement);
    judgement
}

/// The fix for `failure` on the server's side.
fn server_fix(req: &BrowserRequest, failure: &FetchFailure) -> String {
    let origin = &req.origin;
    let cors_fix = |f: &CorsCheckFailure, on: &str| {
        match f {
        CorsCheckFailure::Unparseable => {
            format!("the server must send valid header lines on the {on}")
        }
        CorsCheckFailure::MissingAllowOrigin
        | CorsCheckFailure::InvalidAllowOrigin { .. }
        | CorsCheckFailure::AllowOriginMismatch { .. } => format!(
            "answer the {on} with `Access-Control-Allow-Origin: {origin}` when the origin is one you trust"
        ),
        CorsCheckFailure::MultipleAllowOrigin { .. } => format!(
            "send Access-Control-Allow-Origin once, with one value (`{origin}`): two layers (an app and a proxy, or two middlewares) both add it"
        ),
        CorsCheckFailure::WildcardWithCredentials => format!(
            "answer a credentialed request with the exact origin (`Access-Control-Allow-Origin: {origin}`), never `*`"
        ),
        CorsCheckFailure::CredentialsNotTrue { .. } => format!(
            "add `Access-Control-Allow-Credentials: true` to the {on}, or send the request without credentials"
        ),
    }
    };
    match failure {
        FetchFailure::Unsendable(_) => "change the page's request: fetch() refuses it".to_owned(),
        FetchFailure::NoPreflight => "the server must answer the preflight".to_owned(),
        FetchFailure::Cors(f) => cors_fix(f, "response"),
        FetchFailure::Preflight(f) => match f {
            PreflightFailure::Cors(f) => cors_fix(f, "preflight (OPTIONS)"),
            PreflightFailure::Redirect { .. } => {
                "answer the OPTIONS request itself, with a 2xx status: do not redirect it (call the final URL from the page, or exempt OPTIONS from the redirect)".to_owned()
            }
            PreflightFailure::NotOk { status } => {
                let status = *status;
                if matches!(status, 404 | 405 | 501) {
                    format!("handle OPTIONS for this URL (it got {status}): let the CORS middleware answer preflights before routing, with 204")
                } else {
                    format!("answer the preflight with 200 or 204, not {status}")
                }
            }
            PreflightFailure::UnparseableMethods => {
                "send Access-Control-Allow-Methods as a comma-separated list of methods".to_owned()
            }
            PreflightFailure::UnparseableHeaders => {
                "send Access-Control-Allow-Headers as a comma-separated list of header names".to_owned()
            }
            PreflightFailure::MethodNotAllowed { method } => {
                format!("add `{method}` to Access-Control-Allow-Methods on the preflight")
            }
            PreflightFailure::HeaderNotAllowed { name } => {
                format!("add `{name}` to Access-Control-Allow-Headers on the preflight")
            }
            PreflightFailure::AuthorizationNotCoveredByWildcard => {
                "list `authorization` by name in Access-Control-Allow-Headers: `*` never covers it".to_owned()
            }
            PreflightFailure::PrivateNetworkNotAllowed => {
                "add `Access-Control-Allow-Private-Network: true` to the preflight".to_owned()
            }
        },
    }
}

/// Whether a `Vary` value lists `name` (case-insensitively) or is `*`.
fn vary_lists(headers: &[(String, Vec<u8>)], name: &str) -> bool {
    get_header(headers, "vary").is_some_and(|v| {
        text(&v)
            .split(',')
            .map(str::trim)
            .any(|item| item == "*" || item.eq_ignore_ascii_case(name))
    })
}

/// The mistakes the answers show.
fn mistakes(j: &Judgement) -> Vec<Mistake> {
    let mut found: Vec<Mistake> = Vec::new();
    let mut add = |code: &'static str, title: String, fix: String| {
        if !found.iter().any(|m| m.code == code) {
            found.push(Mistake { code, title, fix });
        }
    };
    let origin = &j.request.origin;
    for exchange in &j.exchanges {
        let headers = &exchange.response.headers;
        let on = match exchange.kind {
            ExchangeKind::Preflight => "the preflight",
            ExchangeKind::Actual => "the response",
        };
        let allow_origin = get_header(headers, ACAO);
        let status = exchange.response.status;
        if exchange.kind == ExchangeKind::Preflight && is_redirect_status(status) {
            add(
                "preflight_redirect",
                format!("the preflight was answered with a redirect ({status})"),
                "browsers never follow a redirect on a preflight: answer OPTIONS at this URL (an http-to-https or trailing-slash redirect is the usual cause)".to_owned(),
            );
        } else if exchange.kind == ExchangeKind::Preflight && matches!(status, 404 | 405 | 501) {
            add(
                "options_not_handled",
                format!("OPTIONS is not handled: the preflight got {status}"),
                "the router has no OPTIONS route here: put the CORS middleware before routing so it answers preflights".to_owned(),
            );
        }
        if !headers
            .iter()
            // Bytes, not `str` slicing: a name that is not ASCII must not panic.
            .any(|(name, _)| {
                name.len() > 15 && name.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
            })
        {
            add(
                "no_cors_headers",
                format!("{on} carries no CORS headers at all"),
                "either no CORS middleware ran for this request (check that it is installed, runs for this path, and comes before anything that answers early), or it refused the request and says so only in its own logs".to_owned(),
            );
        }
        let wildcard = allow_origin.as_deref() == Some(&b"*"[..]);
        if wildcard && get_header(headers, ACAC).as_deref() == Some(&b"true"[..]) {
            add(
                "wildcard_with_credentials",
                format!("{on} allows every origin (`*`) and credentials together"),
                "browsers refuse `*` on credentialed requests: list the origins you trust and answer with the request's origin when it is one of them".to_owned(),
            );
        }
        if header_count(headers, ACAO) > 1
            || allow_origin.as_ref().is_some_and(|v| v.contains(&b','))
        {
            add(
                "duplicate_allow_origin",
                format!("{on} sends Access-Control-Allow-Origin more than once"),
                "only one layer may add CORS headers: remove it from either the application, the framework's middleware or the proxy".to_owned(),
            );
        }
        if let Some(value) = &allow_origin {
            let value = text(value);
            if value.len() == origin.len() + 1
                && value.starts_with(origin.as_str())
                && value.ends_with('/')
            {
                add(
                    "trailing_slash_origin",
                    format!(
                        "the server answers `{value}`: the configured origin has a trailing slash"
                    ),
                    format!("an origin has no path: configure `{origin}`, without the slash"),
                );
            }
        }
        if exchange.kind == ExchangeKind::Actual
            && !wildcard
            && allow_origin.is_some()
            && !vary_lists(headers, "origin")
        {
            add(
                "missing_vary_origin",
                "the response names one origin in Access-Control-Allow-Origin but has no `Vary: Origin`".to_owned(),
                "add `Vary: Origin` to every response whose CORS headers depend on the origin, or a cache can serve one origin's answer to another".to_owned(),
            );
        }
    }
    if let Some(
        FetchFailure::Cors(CorsCheckFailure::WildcardWithCredentials)
        | FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::WildcardWithCredentials)),
    ) = &j.failure
    {
        add(
            "wildcard_with_credentials",
            "the request is credentialed and the server answers `Access-Control-Allow-Origin: *`".to_owned(),
            "`*` never admits a credentialed request: answer with the request's origin when it is one you trust, with `Access-Control-Allow-Credentials: true`".to_owned(),
        );
    }
    if sends_json(&j.triggers) {
        if let Some(FetchFailure::Preflight(PreflightFailure::HeaderNotAllowed { name })) =
            &j.failure
        {
            if name == "content-type" {
                let m = json_mistake();
                add(m.code, m.title, m.fix);
            }
        }
    }
    found
}

/// Whether the page sends a JSON `Content-Type` (which needs a preflight).
pub(crate) fn sends_json(triggers: &[PreflightTrigger]) -> bool {
    triggers.iter().any(|t| match t {
        PreflightTrigger::ContentType { value } => value.to_ascii_lowercase().contains("json"),
        _ => false,
    })
}

/// The allowed headers miss `Content-Type` for a JSON body.
pub(crate) fn json_mistake() -> Mistake {
    Mistake {
        code: "json_content_type_not_allowed",
        title: "the allowed headers miss `Content-Type`: a JSON body (`Content-Type: application/json`) always needs a preflight that allows it".to_owned(),
        fix: "allow the `content-type` request header".to_owned(),
    }
}
