//! Tests of `corsguard::explain`: a policy document's answers judged by the
//! Fetch model, and the fix in the document's terms.

use corsguard::explain::explain;
use corsguard::fetch::{BrowserRequest, CorsCheckFailure, FetchFailure, PreflightFailure};

#[test]
fn an_unlisted_origin_is_fixed_by_listing_it() {
    let document = br#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#;
    let page = BrowserRequest::new("http://localhost:3001", "GET");
    let account = explain(document, &page, "http://localhost:8080/api").unwrap();
    assert!(!account.judgement.allowed());
    assert_eq!(
        account.fix.as_deref(),
        Some("add `http://localhost:3001` to allowOrigins")
    );
}

use corsguard::explain::{document_mistakes, judge, Explanation, Judgement, Response};

const PAGE: &str = "http://localhost:3000";
const API: &str = "http://localhost:8080/api/items";

/// Response headers from (name, value) string pairs.
fn h(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect()
}

fn answer(status: u16, pairs: &[(&str, &str)]) -> Response {
    Response {
        status,
        headers: h(pairs),
    }
}

fn run(document: &str, req: &BrowserRequest, url: &str) -> Explanation {
    explain(document.as_bytes(), req, url)
        .unwrap_or_else(|errors| panic!("the document is refused: {errors:?}\n{document}"))
}

fn codes(judgement: &Judgement) -> Vec<&'static str> {
    judgement.mistakes.iter().map(|m| m.code).collect()
}

// ---------------------------------------------------------------------------
// The fix for each refusal, in the document's terms
// ---------------------------------------------------------------------------

#[test]
fn each_refusal_is_fixed_in_the_documents_terms() {
    let page = || BrowserRequest::new(PAGE, "GET");
    let table: Vec<(&str, &str, BrowserRequest, String)> = vec![
        (
            "an unlisted origin",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3001"]}"#,
            page(),
            format!("add `{PAGE}` to allowOrigins"),
        ),
        (
            "an unlisted origin on a preflighted request",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3001"], "allowMethods": ["PUT"]}"#,
            BrowserRequest::new(PAGE, "PUT"),
            format!("add `{PAGE}` to allowOrigins"),
        ),
        (
            "the null origin",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
            BrowserRequest::new("null", "GET"),
            "add `null` to allowOrigins, only if requests from sandboxed frames and file: pages are welcome (any site can make one)".to_owned(),
        ),
        (
            "an unlisted method",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET", "PUT"]}"#,
            BrowserRequest::new(PAGE, "DELETE"),
            "add `DELETE` to allowMethods".to_owned(),
        ),
        (
            "an unlisted header, named in lower case",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowHeaders": ["x-request-id"]}"#,
            page().with_header("X-Custom-Header", "1"),
            "add `x-custom-header` to allowHeaders".to_owned(),
        ),
        (
            "a credentialed request and allowCredentials false",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowCredentials": false}"#,
            page().with_credentials(),
            "allowCredentials is needed because the request is credentialed: set it to true (or send the request without credentials)".to_owned(),
        ),
        (
            "a credentialed preflighted request and no allowCredentials",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["PUT"]}"#,
            BrowserRequest::new(PAGE, "PUT").with_credentials(),
            "allowCredentials is needed because the request is credentialed: set it to true (or send the request without credentials)".to_owned(),
        ),
        (
            "`*` and a credentialed request",
            r#"{"version": 1, "allowOrigins": ["*"]}"#,
            page().with_credentials(),
            format!("the request is credentialed and `*` never admits one: replace `*` in allowOrigins with `{PAGE}`, and set allowCredentials to true"),
        ),
        (
            "Private Network Access not allowed",
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
            page().with_private_network(),
            "set allowPrivateNetwork to true".to_owned(),
        ),
    ];
    for (case, document, req, fix) in table {
        let account = run(document, &req, API);
        assert!(!account.judgement.allowed(), "{case}: blocked");
        assert_eq!(account.fix.as_deref(), Some(fix.as_str()), "{case}");
    }
}

#[test]
fn each_refusal_is_lifted_by_applying_its_fix() {
    // The fix is right only if the fixed document lets the request through.
    let table: Vec<(&str, &str, BrowserRequest)> = vec![
        (
            r#"{"version": 1, "allowOrigins": ["http://localhost:3001"]}"#,
            r#"{"version": 1, "allowOrigins": ["http://localhost:3001", "http://localhost:3000"]}"#,
            BrowserRequest::new(PAGE, "GET"),
        ),
        (
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET"]}"#,
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET", "DELETE"]}"#,
            BrowserRequest::new(PAGE, "DELETE"),
        ),
        (
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowHeaders": ["x-custom-header"]}"#,
            BrowserRequest::new(PAGE, "GET").with_header("X-Custom-Header", "1"),
        ),
        (
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowCredentials": false}"#,
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowCredentials": true}"#,
            BrowserRequest::new(PAGE, "GET").with_credentials(),
        ),
        (
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
            r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowPrivateNetwork": true}"#,
            BrowserRequest::new(PAGE, "GET").with_private_network(),
        ),
    ];
    for (before, after, req) in table {
        assert!(!run(before, &req, API).judgement.allowed(), "{before}");
        let fixed = run(after, &req, API);
        assert!(
            fixed.judgement.allowed(),
            "{after}: {:?}",
            fixed.judgement.failure
        );
        assert_eq!(fixed.fix, None, "{after}");
    }
}

const ROUTED: &str = r#"{
    "version": 1,
    "policies": {
        "public": {"allowOrigins": ["*"]},
        "admin": {"allowOrigins": ["https://admin.example.com"], "allowCredentials": true}
    },
    "routes": [
        {"path": "/admin/**", "policy": "admin"},
        {"path": "/internal/**", "policy": null}
    ]
}"#;

#[test]
fn a_routed_refusal_names_the_policy_that_refused() {
    let req = BrowserRequest::new(PAGE, "GET").with_credentials();
    let account = run(ROUTED, &req, "http://localhost:8080/admin/users");
    assert_eq!(
        account.fix.as_deref(),
        Some("add `http://localhost:3000` to allowOrigins (in policy `admin`)")
    );
    assert_eq!(account.decisions.len(), 1);
    assert_eq!(account.decisions[0].policy.as_deref(), Some("admin"));
    assert_eq!(account.decisions[0].outcome, "denied");
}

#[test]
fn a_path_no_route_serves_is_fixed_by_a_route() {
    let req = BrowserRequest::new(PAGE, "GET");
    for (url, path) in [
        (
            "http://localhost:8080/internal/metrics",
            "/internal/metrics",
        ),
        ("http://localhost:8080/elsewhere", "/elsewhere"),
    ] {
        let account = run(ROUTED, &req, url);
        assert!(!account.judgement.allowed(), "{url}");
        assert_eq!(
            account.fix,
            Some(format!(
                "no route of the document serves `{path}`: add a route whose path matches it"
            )),
            "{url}"
        );
        assert_eq!(account.decisions[0].policy, None, "{url}");
        assert_eq!(account.decisions[0].outcome, "not_cors", "{url}");
    }
}

// ---------------------------------------------------------------------------
// The mistakes explain names
// ---------------------------------------------------------------------------

#[test]
fn json_without_content_type_in_allow_headers_is_named() {
    let document = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["POST"], "allowHeaders": ["x-request-id"]}"#;
    let req = BrowserRequest::new(PAGE, "POST").with_header("Content-Type", "application/json");
    let account = run(document, &req, API);
    assert_eq!(codes(&account.judgement), ["json_content_type_not_allowed"]);
    assert_eq!(
        account.fix.as_deref(),
        Some("add `content-type` to allowHeaders")
    );
    // Listing content-type removes the mistake and the refusal.
    let fixed = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["POST"], "allowHeaders": ["x-request-id", "content-type"]}"#;
    let account = run(fixed, &req, API);
    assert!(account.judgement.allowed());
    assert!(!codes(&account.judgement).contains(&"json_content_type_not_allowed"));
    // A text/plain body needs no preflight: no such mistake either.
    let plain = BrowserRequest::new(PAGE, "POST").with_header("Content-Type", "text/plain");
    assert!(
        !codes(&run(document, &plain, API).judgement).contains(&"json_content_type_not_allowed")
    );
}

#[test]
fn no_cors_headers_is_not_named_when_the_policy_itself_refused() {
    let document =
        r#"{"version": 1, "allowOrigins": ["http://localhost:3001"], "allowMethods": ["PUT"]}"#;
    for req in [
        BrowserRequest::new(PAGE, "GET"),
        BrowserRequest::new(PAGE, "PUT"),
    ] {
        let account = run(document, &req, API);
        assert!(!account.judgement.allowed());
        assert!(account.decisions.iter().any(|d| d.outcome == "denied"));
        assert!(
            !codes(&account.judgement).contains(&"no_cors_headers"),
            "{:?}: {:?}",
            req.method,
            account.judgement.mistakes
        );
    }
    // Where nothing refused (no route), the missing headers are a mistake.
    let account = run(
        ROUTED,
        &BrowserRequest::new(PAGE, "GET"),
        "http://localhost:8080/internal/x",
    );
    assert!(codes(&account.judgement).contains(&"no_cors_headers"));
}

#[test]
fn a_trailing_slash_origin_refuses_the_document_and_is_named() {
    let document = br#"{"version": 1, "allowOrigins": ["http://localhost:3000/"]}"#;
    let errors = explain(document, &BrowserRequest::new(PAGE, "GET"), API).unwrap_err();
    let mistakes = document_mistakes(&errors);
    let codes: Vec<_> = mistakes.iter().map(|m| m.code).collect();
    assert_eq!(codes, ["trailing_slash_origin"]);
    assert!(
        mistakes[0].title.contains("/allowOrigins/0"),
        "{}",
        mistakes[0].title
    );
    // A document refused for another reason names no such mistake.
    let other = br#"{"version": 1, "allowOrigins": ["localhost:3000"]}"#;
    let errors = explain(other, &BrowserRequest::new(PAGE, "GET"), API).unwrap_err();
    assert!(document_mistakes(&errors).is_empty());
}

// ---------------------------------------------------------------------------
// An allowed request: cache lifetime, exposed headers, corsguard's decisions
// ---------------------------------------------------------------------------

#[test]
fn an_allowed_preflight_is_cached_for_chromiums_lifetime() {
    let req = BrowserRequest::new(PAGE, "PUT");
    for (max_age, seconds) in [(Some(600), 600), (Some(86400), 7200), (None, 5)] {
        let max_age = max_age
            .map(|age: u64| format!(r#", "maxAge": {age}"#))
            .unwrap_or_default();
        let document = format!(
            r#"{{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["PUT"]{max_age}}}"#
        );
        let account = run(&document, &req, API);
        assert!(account.judgement.allowed(), "{document}");
        assert_eq!(
            account.judgement.preflight_cache_seconds,
            Some(seconds),
            "{document}"
        );
    }
    // A simple request has no preflight to cache.
    let simple = run(
        r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "maxAge": 600}"#,
        &BrowserRequest::new(PAGE, "GET"),
        API,
    );
    assert_eq!(simple.judgement.preflight_cache_seconds, None);
}

#[test]
fn an_allowed_request_lists_the_exposed_headers() {
    let document = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "exposeHeaders": ["X-Total-Count", "X-Page"]}"#;
    let account = run(document, &BrowserRequest::new(PAGE, "GET"), API);
    assert!(account.judgement.allowed());
    let exposed: Vec<String> = account
        .judgement
        .exposed_headers
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    assert_eq!(exposed, ["x-total-count", "x-page"]);
    let without = run(
        r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
        &BrowserRequest::new(PAGE, "GET"),
        API,
    );
    assert!(without.judgement.exposed_headers.is_empty());
}

#[test]
fn decisions_carry_corsguards_outcome_and_reason_for_each_exchange() {
    let document =
        r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["PUT"]}"#;
    let allowed = run(document, &BrowserRequest::new(PAGE, "PUT"), API);
    let summary: Vec<_> = allowed
        .decisions
        .iter()
        .map(|d| (d.exchange, d.outcome, d.reason_code))
        .collect();
    assert_eq!(
        summary,
        [("preflight", "allowed", None), ("actual", "allowed", None)]
    );
    assert_eq!(allowed.decisions[0].policy.as_deref(), Some("default"));
    assert!(allowed.decisions[1]
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("access-control-allow-origin") && v == PAGE));

    // A refused preflight: the actual request is never sent or decided.
    let refused = run(document, &BrowserRequest::new(PAGE, "DELETE"), API);
    let summary: Vec<_> = refused
        .decisions
        .iter()
        .map(|d| (d.exchange, d.outcome, d.reason_code))
        .collect();
    assert_eq!(
        summary,
        [("preflight", "denied", Some("method_not_allowed"))]
    );
    assert!(refused.decisions[0].reason.is_some());

    // A refused actual request (no preflight).
    let other = run(
        document,
        &BrowserRequest::new("http://localhost:3001", "GET"),
        API,
    );
    let summary: Vec<_> = other
        .decisions
        .iter()
        .map(|d| (d.exchange, d.outcome, d.reason_code))
        .collect();
    assert_eq!(summary, [("actual", "denied", Some("origin_not_allowed"))]);
    assert_eq!(
        other.decisions[0].reason.as_deref(),
        Some("the origin is not allowed by the policy")
    );
}

// ---------------------------------------------------------------------------
// Profiles: the browser still judges what a profile does not check
// ---------------------------------------------------------------------------

#[test]
fn a_cors_npm_policy_answers_any_method_and_the_browser_still_blocks_it() {
    let document = r#"{"version": 1, "profile": "cors_npm", "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET", "POST"]}"#;
    let account = run(document, &BrowserRequest::new(PAGE, "DELETE"), API);
    // corsguard (as the cors package) does not refuse the method...
    assert_eq!(account.decisions[0].exchange, "preflight");
    assert_ne!(account.decisions[0].outcome, "denied");
    // ...the browser does, at the preflight's method check.
    assert_eq!(
        account.judgement.failure,
        Some(FetchFailure::Preflight(
            PreflightFailure::MethodNotAllowed {
                method: "DELETE".into()
            }
        ))
    );
    assert_eq!(account.fix.as_deref(), Some("add `DELETE` to allowMethods"));
}

// ---------------------------------------------------------------------------
// to_json() and to_text()
// ---------------------------------------------------------------------------

#[test]
fn to_json_has_the_keys_of_the_cli_contract() {
    let document =
        r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["POST"]}"#;
    let req = BrowserRequest::new(PAGE, "POST").with_header("Content-Type", "application/json");
    let account = run(document, &req, API);
    let json = account.to_json();
    assert_eq!(json["verdict"], "blocked");
    assert_eq!(json["url"], API);
    assert_eq!(json["origin"], PAGE);
    assert_eq!(json["method"], "POST");
    assert_eq!(json["credentials"], false);
    assert_eq!(json["preflight"]["needed"], true);
    assert_eq!(json["preflight"]["triggers"][0]["code"], "content_type");
    assert_eq!(
        json["preflight"]["triggers"][0]["detail"],
        "application/json"
    );
    // A strict policy refuses the preflight without CORS headers: the
    // browser sees no Access-Control-Allow-Origin.
    assert_eq!(json["failure"]["check"], "missing_allow_origin");
    assert_eq!(
        json["failure"]["chromium"],
        "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    );
    assert_eq!(json["failure"]["fix"], "add `content-type` to allowHeaders");
    assert!(json["failure"]["message"].is_string());
    let requests = json["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "the actual request is not sent");
    assert_eq!(requests[0]["kind"], "preflight");
    assert_eq!(requests[0]["method"], "OPTIONS");
    assert_eq!(requests[0]["passed"], false);
    // The browser stops at the first check that fails.
    let checks = requests[0]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0]["name"], "allow_origin");
    assert_eq!(checks[0]["passed"], false);
    assert!(checks[0]["detail"].is_string());
    assert_eq!(json["mistakes"][0]["code"], "json_content_type_not_allowed");
    assert!(json["mistakes"][0]["title"].is_string());
    assert!(json["mistakes"][0]["fix"].is_string());
    let decisions = json["decisions"].as_array().unwrap();
    assert_eq!(decisions[0]["exchange"], "preflight");
    assert_eq!(decisions[0]["outcome"], "denied");
    assert_eq!(decisions[0]["reason_code"], "header_not_allowed");

    let allowed = run(document, &BrowserRequest::new(PAGE, "POST"), API).to_json();
    assert_eq!(allowed["verdict"], "allowed");
    assert!(allowed["failure"].is_null());
    assert_eq!(allowed["preflight"]["needed"], false);
    assert_eq!(allowed["requests"][0]["kind"], "actual");
}

#[test]
fn to_text_has_the_verdict_and_the_fix() {
    let document = r#"{"version": 1, "allowOrigins": ["http://localhost:3001"]}"#;
    let text = run(document, &BrowserRequest::new(PAGE, "GET"), API).to_text();
    assert!(text.contains("verdict: BLOCKED"), "{text}");
    assert!(
        text.contains("fix: add `http://localhost:3000` to allowOrigins"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "Chromium console: Access to fetch at '{API}' from origin '{PAGE}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )), "{text}");
    let allowed = run(
        r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#,
        &BrowserRequest::new(PAGE, "GET"),
        API,
    )
    .to_text();
    assert!(allowed.contains("verdict: ALLOWED"), "{allowed}");
    assert!(!allowed.contains("fix:"), "{allowed}");
}

// ---------------------------------------------------------------------------
// judge(): the mistakes in a live server's answers
// ---------------------------------------------------------------------------

#[test]
fn judge_names_each_mistake_from_the_answers_that_show_it() {
    let get = BrowserRequest::new(PAGE, "GET");
    let put = BrowserRequest::new(PAGE, "PUT");
    let credentialed = BrowserRequest::new(PAGE, "GET").with_credentials();
    let json = BrowserRequest::new(PAGE, "POST").with_header("Content-Type", "application/json");
    let vary = ("Vary", "Origin");
    type Case<'a> = (
        &'a str,
        &'a BrowserRequest,
        Option<Response>,
        Option<Response>,
        &'a str,
    );
    let table: Vec<Case> = vec![
        (
            "`*` with credentials",
            &credentialed,
            None,
            Some(answer(
                200,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
            )),
            "wildcard_with_credentials",
        ),
        (
            "`*` for a credentialed request, without ACAC",
            &credentialed,
            None,
            Some(answer(200, &[("Access-Control-Allow-Origin", "*")])),
            "wildcard_with_credentials",
        ),
        (
            "no CORS headers at all",
            &get,
            None,
            Some(answer(200, &[("Content-Type", "text/plain")])),
            "no_cors_headers",
        ),
        (
            "OPTIONS answered 404",
            &put,
            Some(answer(404, &[])),
            None,
            "options_not_handled",
        ),
        (
            "OPTIONS answered 405",
            &put,
            Some(answer(405, &[("Allow", "GET, PUT")])),
            None,
            "options_not_handled",
        ),
        (
            "OPTIONS answered 405 with CORS headers",
            &put,
            Some(answer(
                405,
                &[
                    ("Access-Control-Allow-Origin", PAGE),
                    ("Access-Control-Allow-Methods", "PUT"),
                ],
            )),
            None,
            "options_not_handled",
        ),
        (
            "the preflight redirected",
            &put,
            Some(answer(
                301,
                &[
                    ("Location", "https://localhost:8080/api/items"),
                    ("Access-Control-Allow-Origin", PAGE),
                ],
            )),
            None,
            "preflight_redirect",
        ),
        (
            "a trailing slash on the answered origin",
            &get,
            None,
            Some(answer(
                200,
                &[
                    ("Access-Control-Allow-Origin", "http://localhost:3000/"),
                    vary,
                ],
            )),
            "trailing_slash_origin",
        ),
        (
            "Access-Control-Allow-Origin twice",
            &get,
            None,
            Some(answer(
                200,
                &[
                    ("Access-Control-Allow-Origin", PAGE),
                    ("Access-Control-Allow-Origin", PAGE),
                    vary,
                ],
            )),
            "duplicate_allow_origin",
        ),
        (
            "Access-Control-Allow-Origin as a list",
            &get,
            None,
            Some(answer(
                200,
                &[
                    ("Access-Control-Allow-Origin", "http://localhost:3000, *"),
                    vary,
                ],
            )),
            "duplicate_allow_origin",
        ),
        (
            "the origin named without Vary",
            &get,
            None,
            Some(answer(200, &[("Access-Control-Allow-Origin", PAGE)])),
            "missing_vary_origin",
        ),
        (
            "a JSON body and an ACAH without content-type",
            &json,
            Some(answer(
                204,
                &[
                    ("Access-Control-Allow-Origin", PAGE),
                    ("Access-Control-Allow-Headers", "x-request-id"),
                ],
            )),
            None,
            "json_content_type_not_allowed",
        ),
    ];
    for (case, req, preflight, actual, code) in table {
        let judgement = judge(req, API, preflight.as_ref(), actual.as_ref());
        assert!(
            codes(&judgement).contains(&code),
            "{case}: {code} not in {:?}",
            codes(&judgement)
        );
        let mistake = judgement.mistakes.iter().find(|m| m.code == code).unwrap();
        assert!(
            !mistake.title.is_empty() && !mistake.fix.is_empty(),
            "{case}"
        );
    }
}

#[test]
fn judge_names_no_mistake_in_good_answers() {
    let put = BrowserRequest::new(PAGE, "PUT")
        .with_header("Content-Type", "application/json")
        .with_credentials();
    let preflight = answer(
        204,
        &[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
            ("Vary", "Origin"),
        ],
    );
    let actual = answer(
        200,
        &[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Accept-Encoding, Origin"),
        ],
    );
    let judgement = judge(&put, API, Some(&preflight), Some(&actual));
    assert!(judgement.allowed(), "{:?}", judgement.failure);
    assert!(judgement.mistakes.is_empty(), "{:?}", judgement.mistakes);
    assert_eq!(judgement.exchanges.len(), 2);
    assert!(judgement.exchanges.iter().all(|e| e.passed()));
}

#[test]
fn missing_vary_origin_is_not_named_when_vary_covers_the_origin() {
    let get = BrowserRequest::new(PAGE, "GET");
    for (case, headers) in [
        (
            "Vary: Origin",
            vec![("Access-Control-Allow-Origin", PAGE), ("Vary", "Origin")],
        ),
        (
            "Vary: origin in a list",
            vec![
                ("Access-Control-Allow-Origin", PAGE),
                ("Vary", "accept, origin"),
            ],
        ),
        (
            "Vary: *",
            vec![("Access-Control-Allow-Origin", PAGE), ("Vary", "*")],
        ),
        (
            "two Vary lines",
            vec![
                ("Access-Control-Allow-Origin", PAGE),
                ("Vary", "Accept"),
                ("Vary", "Origin"),
            ],
        ),
        (
            "`*` does not depend on the origin",
            vec![("Access-Control-Allow-Origin", "*")],
        ),
    ] {
        let judgement = judge(&get, API, None, Some(&answer(200, &headers)));
        assert!(judgement.allowed(), "{case}");
        assert!(
            !codes(&judgement).contains(&"missing_vary_origin"),
            "{case}: {:?}",
            codes(&judgement)
        );
    }
}

#[test]
fn judge_reports_the_failure_chromiums_message_and_the_server_fix() {
    let put = BrowserRequest::new(PAGE, "PUT");
    let judgement = judge(&put, API, Some(&answer(404, &[])), None);
    assert_eq!(
        judgement.failure,
        Some(FetchFailure::Preflight(PreflightFailure::Cors(
            CorsCheckFailure::MissingAllowOrigin
        )))
    );
    assert_eq!(
        codes(&judgement),
        ["options_not_handled", "no_cors_headers"]
    );
    assert_eq!(
        judgement.exchanges.len(),
        1,
        "the actual request is never sent"
    );
    assert_eq!(
        judgement.chromium_console().as_deref(),
        Some(format!("Access to fetch at '{API}' from origin '{PAGE}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.").as_str())
    );
    assert!(judgement.server_fix.is_some());
    let json = judgement.to_json();
    assert_eq!(json["verdict"], "blocked");
    assert_eq!(json["failure"]["check"], "missing_allow_origin");
    assert_eq!(
        json["failure"]["fix"],
        judgement.server_fix.clone().unwrap()
    );
    assert!(judgement.to_text().contains("verdict: BLOCKED"));
}

#[test]
fn judge_treats_a_header_name_that_is_not_ascii_as_unparseable_without_panicking() {
    // 15 bytes into this name falls inside a two-byte character.
    let name = "x-\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}";
    let req = BrowserRequest::new(PAGE, "GET");
    let actual = Response {
        status: 200,
        headers: vec![
            (name.to_owned(), b"1".to_vec()),
            (
                "Access-Control-Allow-Origin".to_owned(),
                PAGE.as_bytes().to_vec(),
            ),
        ],
    };
    let judgement = judge(&req, API, None, Some(&actual));
    assert_eq!(
        judgement.failure,
        Some(FetchFailure::Cors(CorsCheckFailure::Unparseable))
    );
}

#[test]
fn a_policy_that_admits_the_request_shows_no_mistake() {
    let document = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowCredentials": true,
                       "allowMethods": ["GET", "POST", "PUT"], "allowHeaders": ["content-type", "authorization"]}"#;
    for req in [
        BrowserRequest::new(PAGE, "GET"),
        BrowserRequest::new(PAGE, "GET").with_credentials(),
        BrowserRequest::new(PAGE, "PUT")
            .with_header("Content-Type", "application/json")
            .with_header("Authorization", "Bearer t")
            .with_credentials(),
    ] {
        let account = run(document, &req, API);
        assert!(
            account.judgement.allowed(),
            "{req:?}: {:?}",
            account.judgement.failure
        );
        assert!(
            account.judgement.mistakes.is_empty(),
            "{req:?}: {:?}",
            account.judgement.mistakes
        );
        assert_eq!(account.fix, None);
        assert!(account.decisions.iter().all(|d| d.outcome == "allowed"));
    }
}

#[test]
fn a_host_origin_rule_is_named_as_an_assumption() {
    let document = br#"{"version": 1, "originVerdict": true}"#;
    let page = BrowserRequest::new("https://app.example.com", "GET");
    let account = explain(document, &page, "/api").unwrap();
    assert!(!account.judgement.allowed());
    assert!(
        account
            .notes
            .iter()
            .any(|n| n.contains("judged by the application (originVerdict)")),
        "{:?}",
        account.notes
    );
    // Without the rule, no such note.
    let plain = br#"{"version": 1, "allowOrigins": ["https://app.example.com"]}"#;
    let account = explain(plain, &page, "/api").unwrap();
    assert!(account.notes.iter().all(|n| !n.contains("originVerdict")));
}
