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
use corsguard::fetch::BrowserRequest;
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
        let first = judge(req, url, Some(&answer), None);
        if first.failure.is_some() {
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
