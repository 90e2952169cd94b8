//! The account as text for people (a compact waterfall) and as JSON for
//! machines; `corsguard explain`/`probe` and the playground print these.
#![cfg(feature = "explain")]

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use serde_json::{json, Value};

use super::judge::{Exchange, ExchangeKind, Judgement, Mistake};
use super::policy::{Explanation, ServerDecision};
use crate::fetch::FetchFailure;

/// The path (and query) of `url`: what follows the authority, `/` when
/// nothing does. A bare path is returned as it is.
///
/// ```
/// use corsguard::explain::url_path;
/// assert_eq!(url_path("http://localhost:8080/api/items?x=1"), "/api/items?x=1");
/// assert_eq!(url_path("https://api.example.com"), "/");
/// assert_eq!(url_path("/admin"), "/admin");
/// ```
pub fn url_path(url: &str) -> String {
    let Some(at) = url.find("://") else {
        return if url.is_empty() {
            "/".to_owned()
        } else {
            url.to_owned()
        };
    };
    let rest = &url[at + 3..];
    let start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let path = &rest[start..];
    let path = path.split('#').next().unwrap_or("");
    if path.is_empty() || path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The page's call, as a script would write it.
fn fetch_call(j: &Judgement) -> String {
    let r = &j.request;
    let mut options = Vec::new();
    if r.normalized_method() != "GET" {
        options.push(format!("method: '{}'", r.method));
    }
    if !r.headers.is_empty() {
        let headers: Vec<String> = r
            .headers
            .iter()
            .map(|(n, v)| format!("'{n}': '{v}'"))
            .collect();
        options.push(format!("headers: {{{}}}", headers.join(", ")));
    }
    if r.credentials {
        options.push("credentials: 'include'".to_owned());
    }
    if options.is_empty() {
        format!("fetch('{}')", j.url)
    } else {
        format!("fetch('{}', {{{}}})", j.url, options.join(", "))
    }
}

fn is_cors_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("access-control-") || lower == "vary" || lower == "location"
}

fn write_exchange(out: &mut String, e: &Exchange, decision: Option<&ServerDecision>) {
    let _ = writeln!(
        out,
        "{} {}  ->  {}",
        match e.kind {
            ExchangeKind::Preflight => "preflight",
            ExchangeKind::Actual => "request  ",
        },
        e.method,
        e.response.status
    );
    for (name, value) in &e.request_headers {
        let _ = writeln!(out, "    > {name}: {value}");
    }
    let mut any = false;
    for (name, value) in &e.response.headers {
        if is_cors_header(name) {
            let _ = writeln!(out, "    < {name}: {}", text(value));
            any = true;
        }
    }
    if !any {
        let _ = writeln!(out, "    < (no CORS headers)");
    }
    if let Some(d) = decision {
        let _ = writeln!(
            out,
            "    corsguard: {}{}",
            d.outcome,
            d.reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    for check in &e.checks {
        let _ = writeln!(
            out,
            "    [{}] {}: {}",
            if check.passed { "pass" } else { "FAIL" },
            check.name,
            check.detail
        );
    }
}

fn write_judgement(
    out: &mut String,
    j: &Judgement,
    decisions: &[ServerDecision],
    fix: Option<&str>,
    also: &[String],
) {
    let _ = writeln!(out, "{}", fetch_call(j));
    let _ = writeln!(out, "  from a page on {}", j.request.origin);
    for name in &j.dropped_headers {
        let _ = writeln!(
            out,
            "  note: the browser drops `{name}` (a forbidden request header scripts cannot set)"
        );
    }
    out.push('\n');
    if j.triggers.is_empty() {
        let _ = writeln!(
            out,
            "no preflight: the method and headers are CORS-safelisted"
        );
    } else {
        let _ = writeln!(out, "preflight needed:");
        for trigger in &j.triggers {
            let _ = writeln!(out, "  - {trigger}");
        }
    }
    out.push('\n');
    for exchange in &j.exchanges {
        let decision = decisions
            .iter()
            .find(|d| d.exchange == exchange.kind.code());
        write_exchange(out, exchange, decision);
        out.push('\n');
    }
    if let Some(FetchFailure::Preflight(_)) = &j.failure {
        let _ = writeln!(
            out,
            "request  {}  (not sent: the preflight failed)\n",
            j.request.normalized_method()
        );
    }
    match &j.failure {
        None => {
            let _ = writeln!(out, "verdict: ALLOWED: the page can read the response");
            if let Some(seconds) = j.preflight_cache_seconds {
                let _ = writeln!(
                    out,
                    "  Chromium reuses this preflight for {seconds} s (Access-Control-Max-Age, capped at 7200; 5 without it)"
                );
            }
            if !j.exposed_headers.is_empty() {
                let _ = writeln!(
                    out,
                    "  readable beyond the safelisted headers: {}",
                    j.exposed_headers.join(", ")
                );
            }
        }
        Some(failure) => {
            let _ = writeln!(out, "verdict: BLOCKED: {failure}");
            for finding in &j.diagnosis {
                let _ = writeln!(out, "  diagnosis: {finding}");
            }
            if let Some(console) = j.chromium_console() {
                let _ = writeln!(out, "  Chromium console: {console}");
            }
            if let Some(fix) = fix {
                let _ = writeln!(out, "  fix: {fix}");
            }
            for fix in also {
                let _ = writeln!(out, "  and: {fix}");
            }
        }
    }
    for m in &j.mistakes {
        let _ = writeln!(out, "\nmistake [{}]: {}\n  fix: {}", m.code, m.title, m.fix);
    }
}

fn mistakes_json(mistakes: &[Mistake]) -> Value {
    Value::Array(
        mistakes
            .iter()
            .map(|m| json!({"code": m.code, "title": m.title, "fix": m.fix}))
            .collect(),
    )
}

fn judgement_json(j: &Judgement, fix: Option<&str>) -> Value {
    let pairs = |headers: &[(String, String)]| {
        Value::Array(headers.iter().map(|(n, v)| json!([n, v])).collect())
    };
    let requests: Vec<Value> = j
        .exchanges
        .iter()
        .map(|e| {
            json!({
                "kind": e.kind.code(),
                "method": e.method,
                "status": e.response.status,
                "request_headers": pairs(&e.request_headers),
                "response_headers": Value::Array(
                    e.response.headers.iter().map(|(n, v)| json!([n, text(v)])).collect()
                ),
                "checks": Value::Array(e.checks.iter().map(|c| json!({
                    "name": c.name, "passed": c.passed, "detail": c.detail
                })).collect()),
                "passed": e.passed(),
            })
        })
        .collect();
    json!({
        "url": j.url,
        "origin": j.request.origin,
        "method": j.request.normalized_method(),
        "credentials": j.request.credentials,
        "dropped_headers": j.dropped_headers,
        "preflight": {
            "needed": !j.triggers.is_empty(),
            "triggers": Value::Array(j.triggers.iter().map(|t| json!({
                "code": t.code(), "detail": t.detail(), "message": format!("{t}")
            })).collect()),
        },
        "requests": requests,
        "verdict": if j.allowed() { "allowed" } else { "blocked" },
        "failure": j.failure.as_ref().map(|f| json!({
            "check": f.code(),
            "message": format!("{f}"),
            "chromium": f.chromium_message(),
            "console": j.chromium_console(),
            "fix": fix.map(str::to_owned).or_else(|| j.server_fix.clone()),
        })),
        "diagnosis": j.diagnosis,
        "mistakes": mistakes_json(&j.mistakes),
        "preflight_cache_seconds": j.preflight_cache_seconds,
        "exposed_headers": j.exposed_headers,
    })
}

impl Judgement {
    /// The account as a compact waterfall: the page's call, why a
    /// preflight is needed, each request with its CORS headers and checks,
    /// the verdict with Chromium's console message and the server-side fix,
    /// and the mistakes.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        write_judgement(&mut out, self, &[], self.server_fix.as_deref(), &[]);
        out
    }

    /// The account as JSON (the shape `corsguard probe --format json` prints).
    pub fn to_json(&self) -> Value {
        judgement_json(self, None)
    }
}

impl Explanation {
    /// The account as text, with corsguard's decision on each request and
    /// the fix in the document's terms.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        write_judgement(
            &mut out,
            &self.judgement,
            &self.decisions,
            self.fix.as_deref(),
            &self.also,
        );
        for note in &self.notes {
            let _ = writeln!(out, "\nnote: {note}");
        }
        for finding in &self.findings {
            let _ = writeln!(
                out,
                "\nfinding[{}] {}: {}",
                finding.code(),
                finding.path(),
                finding.message()
            );
        }
        out
    }

    /// The account as JSON: the judgement's fields, plus `decisions`,
    /// `notes` and `findings`; `failure.fix` is in the document's terms.
    pub fn to_json(&self) -> Value {
        let mut value = judgement_json(&self.judgement, self.fix.as_deref());
        if let Value::Object(map) = &mut value {
            map.insert(
                "decisions".into(),
                Value::Array(
                    self.decisions
                        .iter()
                        .map(|d| {
                            json!({
                                "exchange": d.exchange,
                                "policy": d.policy,
                                "outcome": d.outcome,
                                "reason_code": d.reason_code,
                                "reason": d.reason,
                                "action": d.action,
                                "headers": Value::Array(d.headers.iter().map(|(n, v)| json!([n, v])).collect()),
                            })
                        })
                        .collect(),
                ),
            );
            map.insert("notes".into(), json!(self.notes));
            map.insert("also".into(), json!(self.also));
            map.insert(
                "findings".into(),
                Value::Array(
                    self.findings
                        .iter()
                        .map(
                            |f| json!({"code": f.code(), "path": f.path(), "message": f.message()}),
                        )
                        .collect(),
                ),
            );
        }
        value
    }
}
