//! `corsguard probe --scan`: the origins that broke other CORS libraries,
//! sent to a live server, and each one it admits, with a severity.
//!
//! Each variant of the page's origin goes out as one request (the probe's
//! method when it is CORS-safelisted, else GET) with that `Origin`, and
//! the answer is judged by the core's CORS check twice: as a credentialed
//! request and as one without credentials.

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};

use corsguard::fetch::{
    cors_check, get_header, is_cors_safelisted_method, BrowserRequest, ACAC, ACAO,
};
use serde_json::{json, Value};

use crate::probe::{Client, Unreachable};

/// One origin tried.
pub struct Variant {
    /// `baseline`, `null`, `suffix`, `prefix`, `prefix_domain`,
    /// `downgrade`, `random`, `sibling`, `other_port`.
    pub kind: &'static str,
    /// The origin sent.
    pub origin: String,
    /// What it stands for.
    pub what: &'static str,
}

/// What the server did with one variant.
pub struct Outcome {
    /// The variant.
    pub variant: Variant,
    /// The answer's status.
    pub status: u16,
    /// Its Access-Control-Allow-Origin, if any.
    pub allow_origin: Option<String>,
    /// Its Access-Control-Allow-Credentials, if any.
    pub allow_credentials: Option<String>,
    /// A page on that origin can read responses (without credentials).
    pub admitted: bool,
    /// ... and with credentials (cookies).
    pub credentialed: bool,
    /// `critical`, `high`, `medium`, `low`, `info`, or `None` when refused
    /// (or for the baseline).
    pub severity: Option<&'static str>,
}

/// The parts of a serialized origin: scheme, host, `:port` or empty.
fn split(origin: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = origin.split_once("://")?;
    if rest.starts_with('[') {
        let end = rest.find(']')? + 1;
        return Some((scheme, &rest[..end], &rest[end..]));
    }
    match rest.rfind(':') {
        Some(at) => Some((scheme, &rest[..at], &rest[at..])),
        None => Some((scheme, rest, "")),
    }
}

fn random_label() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", hasher.finish())
}

fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The variants of `origin` to try, the origin itself first.
pub fn variants(origin: &str) -> Vec<Variant> {
    let mut out = vec![Variant {
        kind: "baseline",
        origin: origin.to_owned(),
        what: "the page's own origin",
    }];
    out.push(Variant {
        kind: "null",
        origin: "null".to_owned(),
        what: "the opaque origin of sandboxed frames and file: pages, which any site can produce",
    });
    let Some((scheme, host, port)) = split(origin) else {
        return out;
    };
    out.push(Variant {
        kind: "suffix",
        origin: format!("{scheme}://{host}.corsguard-scan.test{port}"),
        what: "the host followed by an attacker's domain (a match not anchored at the end)",
    });
    if !is_ip(host) {
        out.push(Variant {
            kind: "prefix",
            origin: format!("{scheme}://corsguard-scan{host}{port}"),
            what: "an attacker's name glued before the host (a match not anchored at the start)",
        });
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() >= 3 {
            let domain = labels[labels.len() - 2..].join(".");
            out.push(Variant {
                kind: "prefix_domain",
                origin: format!("{scheme}://corsguardscan{domain}{port}"),
                what: "another registrable domain ending with this one's name",
            });
            out.push(Variant {
                kind: "sibling",
                origin: format!("{scheme}://corsguard-scan.{}{port}", labels[1..].join(".")),
                what: "a sibling subdomain (one taken over, or user content)",
            });
        }
    }
    if scheme == "https" {
        out.push(Variant {
            kind: "downgrade",
            origin: format!("http://{host}{port}"),
            what: "the same host over plain http, which a network attacker can answer",
        });
    }
    let other_port = match port.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()) {
        Some(p) => format!(":{}", p.wrapping_add(1).max(1)),
        None => ":8443".to_owned(),
    };
    out.push(Variant {
        kind: "other_port",
        origin: format!("{scheme}://{host}{other_port}"),
        what: "the same host on another port (another origin)",
    });
    out.push(Variant {
        kind: "random",
        origin: format!("https://{}.corsguard-scan.test", random_label()),
        what: "an origin nobody configured (the server reflects any origin)",
    });
    out
}

fn severity(kind: &str, credentialed: bool, wildcard: bool) -> &'static str {
    match (kind, credentialed) {
        ("null" | "suffix" | "prefix" | "prefix_domain" | "random", true) => "critical",
        ("downgrade", true) => "high",
        (_, true) => "medium",
        _ if wildcard => "info",
        ("null" | "suffix" | "prefix" | "prefix_domain" | "random", false) => "medium",
        _ => "low",
    }
}

/// Tries every variant of `origin` against `url`.
pub fn scan(
    client: &Client,
    url: &str,
    origin: &str,
    method: &str,
) -> Result<Vec<Outcome>, Unreachable> {
    let method = if is_cors_safelisted_method(method.as_bytes()) {
        method
    } else {
        "GET"
    };
    let mut outcomes = Vec::new();
    for variant in variants(origin) {
        let headers = vec![
            ("Origin".to_owned(), variant.origin.clone()),
            ("Accept".to_owned(), "*/*".to_owned()),
        ];
        let answer = client.send(method, url, &headers, None)?;
        let plain = BrowserRequest::new(&variant.origin, method);
        let admitted = cors_check(&plain, &answer.headers).is_ok();
        let credentialed = cors_check(&plain.clone().with_credentials(), &answer.headers).is_ok();
        let text = |name| {
            get_header(&answer.headers, name).map(|v| String::from_utf8_lossy(&v).into_owned())
        };
        let allow_origin = text(ACAO);
        let wildcard = allow_origin.as_deref() == Some("*");
        let severity = (admitted && variant.kind != "baseline")
            .then(|| severity(variant.kind, credentialed, wildcard));
        outcomes.push(Outcome {
            status: answer.status,
            allow_origin,
            allow_credentials: text(ACAC),
            admitted,
            credentialed,
            severity,
            variant,
        });
    }
    // The worst first, the baseline on top.
    let rank = |o: &Outcome| match o.severity {
        _ if o.variant.kind == "baseline" => 0,
        Some("critical") => 1,
        Some("high") => 2,
        Some("medium") => 3,
        Some("low") => 4,
        Some(_) => 5,
        None => 6,
    };
    outcomes.sort_by_key(rank);
    Ok(outcomes)
}

/// 1 when any variant is admitted at `high` or `critical`, else 0.
pub fn exit_status(outcomes: &[Outcome]) -> u8 {
    u8::from(
        outcomes
            .iter()
            .any(|o| matches!(o.severity, Some("critical" | "high"))),
    )
}

fn verdict(o: &Outcome) -> String {
    match (o.admitted, o.credentialed) {
        (_, true) => "ADMITTED with credentials".to_owned(),
        (true, false) if o.allow_origin.as_deref() == Some("*") => {
            "admitted (`*`, no credentials)".to_owned()
        }
        (true, false) => "admitted (reflected, no credentials)".to_owned(),
        _ => "refused".to_owned(),
    }
}

/// The scan for people.
pub fn to_text(url: &str, origin: &str, outcomes: &[Outcome]) -> String {
    let mut out = format!("scan of {url} with lookalikes of {origin}\n\n");
    let width = outcomes
        .iter()
        .map(|o| o.variant.origin.len())
        .max()
        .unwrap_or(0);
    for o in outcomes {
        let _ = writeln!(
            out,
            "  {:<13} {:<width$}  {}{}",
            o.variant.kind,
            o.variant.origin,
            verdict(o),
            o.severity.map(|s| format!("  [{s}]")).unwrap_or_default(),
        );
    }
    let findings: Vec<&Outcome> = outcomes.iter().filter(|o| o.severity.is_some()).collect();
    out.push('\n');
    if findings.is_empty() {
        out.push_str("no lookalike origin is admitted\n");
    }
    // `*` admits every origin alike: one line says it.
    let wildcard: Vec<&&Outcome> = findings
        .iter()
        .filter(|o| o.allow_origin.as_deref() == Some("*"))
        .collect();
    if !wildcard.is_empty() {
        let _ = writeln!(
            out,
            "[info] every origin is admitted with `Access-Control-Allow-Origin: *`, without credentials (browsers never send cookies to `*`)."
        );
        if wildcard
            .iter()
            .any(|o| o.allow_credentials.as_deref() == Some("true"))
        {
            let _ = writeln!(
                out,
                "  mistake [wildcard_with_credentials]: the server also sends `Access-Control-Allow-Credentials: true`, which browsers refuse with `*`; if credentialed requests matter, answer with the exact trusted origin"
            );
        } else {
            let _ = writeln!(
                out,
                "  fine for public, cookie-less data; never for responses that depend on who asks"
            );
        }
    }
    for o in findings
        .iter()
        .filter(|o| o.allow_origin.as_deref() != Some("*"))
    {
        let _ = writeln!(
            out,
            "[{}] {} is admitted{}: {}.",
            o.severity.unwrap_or_default(),
            o.variant.origin,
            if o.credentialed {
                " with credentials"
            } else {
                ""
            },
            o.variant.what
        );
        let fix = if o.credentialed {
            "the server reflects this origin with credentials, so a page there can read signed-in users' data: compare Origin exactly against a list of trusted origins (and anchor any pattern at both ends)"
        } else {
            "compare Origin exactly against the trusted origins; anchor patterns at both ends"
        };
        let _ = writeln!(out, "  fix: {fix}");
    }
    out
}

/// The scan for machines.
pub fn to_json(url: &str, origin: &str, outcomes: &[Outcome]) -> Value {
    json!({
        "url": url,
        "origin": origin,
        "variants": outcomes.iter().map(|o| json!({
            "kind": o.variant.kind,
            "origin": o.variant.origin,
            "what": o.variant.what,
            "status": o.status,
            "allow_origin": o.allow_origin,
            "allow_credentials": o.allow_credentials,
            "admitted": o.admitted,
            "credentialed": o.credentialed,
            "severity": o.severity,
        })).collect::<Vec<_>>(),
        "findings": outcomes.iter().filter(|o| o.severity.is_some()).count(),
    })
}
