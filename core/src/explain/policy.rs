//! `explain`: a policy document answers the requests a browser would send,
//! the browser's checks judge the answers, and a refusal gets its fix in the
//! document's terms.
#![cfg(feature = "explain")]

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::judge::{json_mistake, judge, sends_json, Judgement, Mistake, Response};
use super::render::url_path;
use crate::capacity::CapacityClass;
use crate::document::{Document, DocumentErrors, PolicySet, Problem};
use crate::fetch::{BrowserRequest, CorsCheckFailure, FetchFailure, PreflightFailure};
use crate::{Action, Decision, Failures, Reason, Request};

/// What corsguard decided on the server for one of the requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerDecision {
    /// `preflight` or `actual`, as the browser sends them.
    pub exchange: &'static str,
    /// The policy that served it (`default` without named policies), or
    /// `None` when no route of the document serves the path.
    pub policy: Option<String>,
    /// `allowed`, `denied` or `not_cors` ([`Outcome::code`](crate::Outcome::code)).
    pub outcome: &'static str,
    /// The reason code of a refusal ([`Reason::code`]).
    pub reason_code: Option<&'static str>,
    /// The reason, as a sentence.
    pub reason: Option<String>,
    /// `respond` (the status is corsguard's) or `continue` (the application answers).
    pub action: &'static str,
    /// The response headers corsguard writes.
    pub headers: Vec<(String, String)>,
}

/// corsguard's reason for refusing one request: its code and what it is about.
#[derive(Clone, Debug)]
struct Refusal {
    code: Option<&'static str>,
    detail: Option<String>,
}

/// The account of one request against a policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The browser's side: what it sends, each check, the verdict.
    pub judgement: Judgement,
    /// corsguard's decision on each request the browser sends.
    pub decisions: Vec<ServerDecision>,
    /// The fix in the document's terms, when the browser blocks the response.
    pub fix: Option<String>,
    /// The fixes for what else the policy refuses in the same preflight
    /// (corsguard checks every part, the browser stops at the first).
    pub also: Vec<String>,
    /// The document's findings (valid but risky).
    pub findings: Vec<Problem>,
    /// What the account assumes (an application's own answer, a host
    /// origin rule).
    pub notes: Vec<String>,
}

/// Explains how a browser fares with `req` to `url` against the policy
/// document `document` (JSON bytes): the document's route for the URL's
/// path picks the policy. `Err` when the document is refused, with every
/// problem (see [`document_mistakes`] for the ones with a name).
pub fn explain(
    document: &[u8],
    req: &BrowserRequest,
    url: &str,
) -> Result<Explanation, DocumentErrors> {
    // The smallest capacity class the document fits.
    let mut class = Some(CapacityClass::SMALL);
    loop {
        let current = class.unwrap_or(CapacityClass::LARGE);
        let result = if current == CapacityClass::SMALL {
            explain_in::<
                { CapacityClass::SMALL.origins },
                { CapacityClass::SMALL.names },
                { CapacityClass::SMALL.bytes },
            >(document, req, url)
        } else if current == CapacityClass::DEFAULT {
            explain_in::<
                { CapacityClass::DEFAULT.origins },
                { CapacityClass::DEFAULT.names },
                { CapacityClass::DEFAULT.bytes },
            >(document, req, url)
        } else {
            explain_in::<
                { CapacityClass::LARGE.origins },
                { CapacityClass::LARGE.names },
                { CapacityClass::LARGE.bytes },
            >(document, req, url)
        };
        match result {
            Err(errors) if errors.is_capacity() && current.larger().is_some() => {
                class = current.larger();
            }
            other => return other,
        }
    }
}

/// The mistakes a refused document shows by name: a trailing slash in a
/// configured origin.
pub fn document_mistakes(errors: &DocumentErrors) -> Vec<Mistake> {
    let mut mistakes = Vec::new();
    for problem in errors.problems() {
        if problem.problem() == Some("trailing_slash") {
            mistakes.push(Mistake {
                code: "trailing_slash_origin",
                title: format!("a configured origin has a trailing slash ({})", problem.path()),
                fix: "an origin has no path, not even `/`: write it as the browser sends it in `Origin`, e.g. `http://localhost:3000`".to_owned(),
            });
            break;
        }
    }
    mistakes
}

fn explain_in<const O: usize, const N: usize, const B: usize>(
    document: &[u8],
    req: &BrowserRequest,
    url: &str,
) -> Result<Explanation, DocumentErrors> {
    let set: PolicySet<O, N, B> = PolicySet::from_json(document)?;
    let doc: &Document = set.document();
    let path = url_path(url);
    let route = doc.route(path.as_bytes());
    let policy_name = route.and_then(|i| doc.policy_names().nth(i).map(str::to_owned));
    let named = doc.policy_names().count() > 1 || doc.has_routes();
    let key = |k: &str| match (&policy_name, named) {
        (Some(name), true) => format!("{k} (in policy `{name}`)"),
        _ => k.to_owned(),
    };
    let mut notes = Vec::new();
    let mut decisions = Vec::new();

    let origin = req.origin.as_bytes();
    let method = req.normalized_method();
    let acrh = req.acrh_value();
    let mut answer = |exchange: &'static str,
                      request: Request<'_>,
                      continue_status: u16,
                      notes: &mut Vec<String>|
     -> (Response, Option<Refusal>) {
        let Some(decision) = set.evaluate(path.as_bytes(), &request) else {
            decisions.push(ServerDecision {
                exchange,
                policy: None,
                outcome: "not_cors",
                reason_code: None,
                reason: Some(format!("no route of the document serves `{path}`")),
                action: "continue",
                headers: Vec::new(),
            });
            notes.push(format!(
                "no route serves `{path}`: corsguard adds no CORS headers, and the application answers the {exchange} (assumed {continue_status})"
            ));
            return (
                Response {
                    status: continue_status,
                    headers: Vec::new(),
                },
                None,
            );
        };
        let response = response_of(&decision, continue_status);
        if decision.action() == Action::Continue && exchange == "preflight" {
            notes.push(format!(
                "corsguard passes the {exchange} on: the application answers it (assumed status {continue_status}), corsguard adds its headers"
            ));
        }
        let reason = decision.reason();
        decisions.push(ServerDecision {
            exchange,
            policy: policy_name.clone(),
            outcome: decision.outcome().code(),
            reason_code: reason.map(|r| r.code()),
            reason: reason.map(|r| r.to_string()),
            action: decision.action().code(),
            headers: response
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
                .collect(),
        });
        let detail = match reason {
            Some(Reason::MethodNotAllowed { method }) => {
                Some(String::from_utf8_lossy(method).into_owned())
            }
            Some(Reason::HeaderNotAllowed { name }) => {
                Some(String::from_utf8_lossy(name).into_owned())
            }
            _ => None,
        };
        (
            response,
            Some(Refusal {
                code: reason.map(|r| r.code()),
                detail,
            }),
        )
    };

    let mut preflight = None;
    let mut preflight_reason = None;
    if req.is_sendable() && req.needs_preflight() {
        let mut request = Request::new(b"OPTIONS")
            .origin(origin)
            .request_method(method.as_bytes());
        if let Some(names) = &acrh {
            request = request.request_headers(names.as_bytes());
        }
        if req.private_network {
            request = request.request_private_network(b"true");
        }
        let (response, reason) = answer("preflight", request, 204, &mut notes);
        preflight = Some(response);
        preflight_reason = reason;
    }
    // The actual request, when the browser would send it.
    let first = judge(req, url, preflight.as_ref(), None);
    let mut actual_reason = None;
    let judgement = if first.failure.is_none() && req.is_sendable() {
        let request = Request::new(method.as_bytes()).origin(origin);
        let (response, reason) = answer("actual", request, 200, &mut notes);
        actual_reason = reason;
        judge(req, url, preflight.as_ref(), Some(&response))
    } else {
        first
    };
    if set
        .policy_for(path.as_bytes())
        .is_some_and(|policy| policy.origin_verdict)
    {
        notes.push("the policy's origins are judged by the application (originVerdict): explain assumes it refuses every origin".to_owned());
    }

    let reason = match &judgement.failure {
        Some(FetchFailure::Preflight(_)) => preflight_reason.clone(),
        _ => actual_reason.clone(),
    };
    let fix = judgement.failure.as_ref().map(|failure| {
        policy_fix(req, failure, reason.as_ref(), &key, route.is_none(), &path)
            .unwrap_or_else(|| judgement.server_fix.clone().unwrap_or_default())
    });
    // A strict policy refuses without any CORS header: that is the
    // decision above, not a missing middleware.
    let mut judgement = judgement;
    if decisions.iter().any(|d| d.outcome == "denied") {
        judgement.mistakes.retain(|m| m.code != "no_cors_headers");
    }
    let content_type_refused = reason.as_ref().is_some_and(|r| {
        r.code == Some("header_not_allowed")
            && r.detail
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case("content-type"))
    });
    if content_type_refused
        && sends_json(&judgement.triggers)
        && !judgement
            .mistakes
            .iter()
            .any(|m| m.code == "json_content_type_not_allowed")
    {
        judgement.mistakes.push(json_mistake());
    }
    // Every other part of the preflight the policy refuses.
    let mut also = Vec::new();
    if matches!(judgement.failure, Some(FetchFailure::Preflight(_))) && route.is_some() {
        let failures = |names: Option<&[u8]>| {
            let mut request = Request::new(b"OPTIONS")
                .origin(origin)
                .request_method(method.as_bytes());
            if let Some(names) = names {
                request = request.request_headers(names);
            }
            if req.private_network {
                request = request.request_private_network(b"true");
            }
            set.evaluate(path.as_bytes(), &request)
                .map(|d| d.failures())
                .unwrap_or_default()
        };
        let all = failures(acrh.as_deref().map(str::as_bytes));
        let primary = reason.as_ref().and_then(|r| r.code);
        let primary_detail = reason.as_ref().and_then(|r| r.detail.clone());
        if all.contains(Failures::ORIGIN) && primary != Some("origin_not_allowed") {
            also.push(format!("add `{}` to {}", req.origin, key("allowOrigins")));
        }
        if all.contains(Failures::METHOD) && primary != Some("method_not_allowed") {
            also.push(format!("add `{method}` to {}", key("allowMethods")));
        }
        if all.contains(Failures::HEADERS) {
            for name in req.unsafe_header_names() {
                let is_primary = primary == Some("header_not_allowed")
                    && primary_detail
                        .as_deref()
                        .is_some_and(|d| d.eq_ignore_ascii_case(&name));
                if !is_primary && failures(Some(name.as_bytes())).contains(Failures::HEADERS) {
                    also.push(format!("add `{name}` to {}", key("allowHeaders")));
                }
            }
        }
        if all.contains(Failures::PRIVATE_NETWORK) && primary != Some("private_network_not_allowed")
        {
            also.push(format!("set {} to true", key("allowPrivateNetwork")));
        }
    }
    let findings = doc.findings();
    Ok(Explanation {
        judgement,
        decisions,
        fix,
        also,
        findings,
        notes,
    })
}

/// The response corsguard's decision makes: its status when it answers,
/// `continue_status` (the application's) when it passes the request on.
fn response_of(decision: &Decision<'_>, continue_status: u16) -> Response {
    let status = decision.action().status().unwrap_or(continue_status);
    Response {
        status,
        headers: decision
            .headers()
            .iter()
            .map(|h| (h.name.as_str().to_owned(), h.value.to_vec()))
            .collect(),
    }
}

/// The fix in the document's terms, when there is one.
fn policy_fix(
    req: &BrowserRequest,
    failure: &FetchFailure,
    reason: Option<&Refusal>,
    key: &dyn Fn(&str) -> String,
    unrouted: bool,
    path: &str,
) -> Option<String> {
    let origin = &req.origin;
    if unrouted {
        return Some(format!(
            "no route of the document serves `{path}`: add a route whose path matches it"
        ));
    }
    if let Some(Refusal {
        code: Some(code),
        detail,
    }) = reason
    {
        let detail = detail.clone().unwrap_or_default();
        return Some(match *code {
            "origin_not_allowed" if origin == "null" => format!(
                "add `null` to {}, only if requests from sandboxed frames and file: pages are welcome (any site can make one)",
                key("allowOrigins")
            ),
            "origin_not_allowed" => format!("add `{origin}` to {}", key("allowOrigins")),
            "malformed_origin" => format!(
                "`{origin}` is not an origin a browser sends: write it as scheme://host[:port], without a path"
            ),
            "method_not_allowed" => format!("add `{detail}` to {}", key("allowMethods")),
            "header_not_allowed" => format!("add `{}` to {}", detail.to_ascii_lowercase(), key("allowHeaders")),
            "malformed_request_headers" => {
                "the page's headers do not make a valid Access-Control-Request-Headers".to_owned()
            }
            "private_network_not_allowed" => format!("set {} to true", key("allowPrivateNetwork")),
            _ => return None,
        });
    }
    // The policy allowed the request (or a profile does not check this
    // part), and the browser still blocks it.
    Some(match failure {
        FetchFailure::Cors(CorsCheckFailure::CredentialsNotTrue { .. })
        | FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::CredentialsNotTrue { .. })) => format!(
            "{} is needed because the request is credentialed: set it to true (or send the request without credentials)",
            key("allowCredentials")
        ),
        FetchFailure::Cors(CorsCheckFailure::WildcardWithCredentials)
        | FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::WildcardWithCredentials)) => format!(
            "the request is credentialed and `*` never admits one: replace `*` in {} with `{origin}`, and set {} to true",
            key("allowOrigins"),
            key("allowCredentials")
        ),
        FetchFailure::Cors(CorsCheckFailure::AllowOriginMismatch { value })
        | FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::AllowOriginMismatch { value })) => format!(
            "the policy always answers `{value}`: list `{origin}` in {} instead of a fixed origin",
            key("allowOrigins")
        ),
        FetchFailure::Preflight(PreflightFailure::MethodNotAllowed { method }) => {
            format!("add `{method}` to {}", key("allowMethods"))
        }
        FetchFailure::Preflight(PreflightFailure::HeaderNotAllowed { name }) => {
            format!("add `{name}` to {}", key("allowHeaders"))
        }
        FetchFailure::Preflight(PreflightFailure::AuthorizationNotCoveredByWildcard) => format!(
            "add `authorization` to {}: `*` never covers it",
            key("allowHeaders")
        ),
        FetchFailure::Preflight(PreflightFailure::NotOk { status }) => format!(
            "the preflight is answered with {status}: set {} to 204 (or let corsguard answer preflights)",
            key("preflightStatus")
        ),
        _ => return None,
    })
}
