//! `corsguard probe`: the requests a browser would send, over real HTTP,
//! judged by the core's Fetch model (`corsguard::explain::judge`).
//!
//! The preflight goes first when the Fetch standard needs one; the actual
//! request follows only when the preflight passed, as in a browser.
//! Redirects are never followed (a preflight must not be redirected; an
//! actual request's redirect is reported as its answer). Each response's
//! body is not read: CORS is decided by the status and the headers.

use std::time::Duration;

use corsguard::explain::{
    actual_request_headers, judge, preflight_request_headers, Judgement, Response,
};
use corsguard::fetch::{
    cors_preflight_fetch, BrowserRequest, CorsCheckFailure, FetchFailure, PreflightFailure,
};
use ureq::http;

/// The probe's HTTP client: no redirects, statuses are answers (not
/// errors), every request bounded in time.
pub struct Client {
    agent: ureq::Agent,
}

/// The server could not be reached, or the URL is not one.
#[derive(Debug)]
pub struct Unreachable(pub String);

impl Client {
    /// A client whose every request ends within `timeout`.
    pub fn new(timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .allow_non_standard_methods(true)
            .timeout_global(Some(timeout))
            .user_agent(concat!("corsguard-probe/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Client { agent }
    }

    /// Sends one request; the status and every header line of the answer.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<Response, Unreachable> {
        let mut builder = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request = builder
            .body(body.unwrap_or_default().to_vec())
            .map_err(|e| Unreachable(format!("cannot make a {method} request to {url}: {e}")))?;
        let response = self
            .agent
            .run(request)
            .map_err(|e| Unreachable(format!("{method} {url}: {e}")))?;
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
            .collect();
        Ok(Response {
            status: response.status().as_u16(),
            headers,
        })
    }
}

/// Sends what a browser sends for `req` to `url` and judges the answers.
pub fn probe(
    client: &Client,
    req: &BrowserRequest,
    url: &str,
    body: Option<&[u8]>,
) -> Result<Judgement, Unreachable> {
    if !req.is_sendable() {
        // fetch() throws before sending anything: so does the probe.
        return Ok(judge(req, url, None, None));
    }
    let mut preflight = None;
    if req.needs_preflight() {
        let mut headers = preflight_request_headers(req);
        headers.push(("Accept".to_owned(), "*/*".to_owned()));
        let answer = client.send("OPTIONS", url, &headers, None)?;
        let mut first = judge(req, url, Some(&answer), None);
        if first.failure.is_some() {
            diagnose(client, req, url, &mut first)?;
            return Ok(first);
        }
        preflight = Some(answer);
    }
    let mut headers = actual_request_headers(req);
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
    {
        headers.push(("Accept".to_owned(), "*/*".to_owned()));
    }
    let method = req.normalized_method();
    let body = if matches!(method.as_str(), "GET" | "HEAD") {
        None
    } else {
        body
    };
    let actual = client.send(&method, url, &headers, body)?;
    Ok(judge(req, url, preflight.as_ref(), Some(&actual)))
}

/// The most header names a diagnosis retries one by one.
const MAX_RETRIED_HEADERS: usize = 16;

/// A preflight refused without any CORS header says nothing about why: a
/// strict server refuses that way whether the origin, the method or one
/// header is at fault, and Chromium only says that no
/// Access-Control-Allow-Origin came back. Retry the preflight part by part
/// (at most 2 + MAX_RETRIED_HEADERS requests) to find what the server
/// refuses, and make that the fix.
fn diagnose(
    client: &Client,
    req: &BrowserRequest,
    url: &str,
    judgement: &mut Judgement,
) -> Result<(), Unreachable> {
    let Some(FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::MissingAllowOrigin))) =
        &judgement.failure
    else {
        return Ok(());
    };
    let passes = |method: &str, names: Option<&str>| -> Result<bool, Unreachable> {
        let mut headers = vec![
            ("Origin".to_owned(), req.origin.clone()),
            (
                "Access-Control-Request-Method".to_owned(),
                method.to_owned(),
            ),
            ("Accept".to_owned(), "*/*".to_owned()),
        ];
        let mut probe_req = BrowserRequest::new(&req.origin, method);
        if let Some(names) = names {
            headers.push((
                "Access-Control-Request-Headers".to_owned(),
                names.to_owned(),
            ));
            for name in names.split(',') {
                probe_req = probe_req.with_header(name, "1");
            }
        }
        let answer = client.send("OPTIONS", url, &headers, None)?;
        Ok(cors_preflight_fetch(&probe_req, answer.status, &answer.headers).is_ok())
    };
    let method = req.normalized_method();
    let names = req.unsafe_header_names();
    // A preflight that passes in part shows that CORS middleware runs here.
    let mut partly_granted = true;
    if !names.is_empty() && passes(&method, None)? {
        let mut refused = Vec::new();
        for name in names.iter().take(MAX_RETRIED_HEADERS) {
            if !passes(&method, Some(name))? {
                refused.push(format!("`{name}`"));
            }
        }
        let list = refused.join(", ");
        judgement.diagnosis.push(format!(
            "the server grants the preflight for {method} without Access-Control-Request-Headers, and refuses it when it asks for {list}"
        ));
        judgement.server_fix = Some(format!(
            "allow the request header{} {list} for {} on the server",
            if refused.len() == 1 { "" } else { "s" },
            req.origin
        ));
    } else if method != "GET" && passes("GET", None)? {
        judgement.diagnosis.push(format!(
            "the server grants a preflight for GET from this origin, and refuses it for {method}"
        ));
        judgement.server_fix = Some(format!("allow the method `{method}` on the server"));
    } else {
        partly_granted = false;
        judgement.diagnosis.push(
            "the server refuses every preflight from this origin, even for GET without headers"
                .to_owned(),
        );
        judgement.server_fix = Some(format!(
            "allow the origin `{}` on the server, if it is one you trust",
            req.origin
        ));
    }
    if partly_granted {
        judgement.mistakes.retain(|m| m.code != "no_cors_headers");
    }
    Ok(())
}
