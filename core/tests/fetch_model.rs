//! Tests of the browser model in `support/fetch_model.rs`, the oracle the
//! property tests rely on. Each test names the Fetch rule it proves.

mod support;

use support::fetch_model::*;

const ORIGIN: &str = "https://app.example.com";

/// Response headers from (name, value) string pairs.
fn h(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect()
}

fn get() -> BrowserRequest {
    BrowserRequest::new(ORIGIN, "GET")
}

fn method(m: &str) -> BrowserRequest {
    BrowserRequest::new(ORIGIN, m)
}

// ---------------------------------------------------------------------------
// CORS check
// ---------------------------------------------------------------------------

#[test]
fn wildcard_without_credentials_passes() {
    assert!(cors_check(
        &get(),
        &h(&[("Access-Control-Allow-Origin", "*")])
    ));
}

#[test]
fn wildcard_with_credentials_fails() {
    let req = get().with_credentials();
    assert!(!cors_check(
        &req,
        &h(&[("Access-Control-Allow-Origin", "*")])
    ));
    // Not even with ACAC: true.
    let headers = h(&[
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(!cors_check(&req, &headers));
}

#[test]
fn exact_origin_with_credentials_and_acac_true_passes() {
    let headers = h(&[
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(cors_check(&get().with_credentials(), &headers));
}

#[test]
fn acac_missing_with_credentials_fails() {
    let headers = h(&[("Access-Control-Allow-Origin", ORIGIN)]);
    assert!(!cors_check(&get().with_credentials(), &headers));
    // Without credentials ACAC is not needed.
    assert!(cors_check(&get(), &headers));
}

#[test]
fn acac_must_be_exactly_true() {
    let cases = [
        ("true", true),
        (" true\t", true), // surrounding OWS is not part of the field value
        ("TRUE", false),
        ("True", false),
        ("1", false),
        ("", false),
        ("true, true", false),
    ];
    for (acac, expected) in cases {
        let headers = h(&[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Credentials", acac),
        ]);
        assert_eq!(
            cors_check(&get().with_credentials(), &headers),
            expected,
            "ACAC {acac:?}"
        );
    }
}

#[test]
fn repeated_acac_headers_fail() {
    let headers = h(&[
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(!cors_check(&get().with_credentials(), &headers));
}

#[test]
fn origin_must_be_byte_equal() {
    let cases = [
        (ORIGIN, true),
        ("https://APP.example.com", false),
        ("HTTPS://app.example.com", false),
        ("https://app.example.com/", false),
        ("https://app.example.com:443", false),
        ("http://app.example.com", false),
        ("https://example.com", false),
        ("https://app.example.com.evil.test", false),
        ("null", false),
        ("", false),
        ("*, https://app.example.com", false),
    ];
    for (acao, expected) in cases {
        let headers = h(&[("Access-Control-Allow-Origin", acao)]);
        assert_eq!(cors_check(&get(), &headers), expected, "ACAO {acao:?}");
    }
}

#[test]
fn origin_case_mismatch_fails() {
    let headers = h(&[("Access-Control-Allow-Origin", "https://App.Example.com")]);
    assert!(!cors_check(&get(), &headers));
}

#[test]
fn missing_acao_fails() {
    assert!(!cors_check(&get(), &[]));
    assert!(!cors_check(&get(), &h(&[("Vary", "Origin")])));
}

#[test]
fn repeated_acao_headers_fail_even_when_each_matches() {
    let headers = h(&[
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Origin", ORIGIN),
    ]);
    assert!(!cors_check(&get(), &headers));
    let wildcard_twice = h(&[
        ("Access-Control-Allow-Origin", "*"),
        ("access-control-allow-origin", "*"),
    ]);
    assert!(!cors_check(&get(), &wildcard_twice));
}

#[test]
fn header_names_match_case_insensitively() {
    for name in [
        "access-control-allow-origin",
        "ACCESS-CONTROL-ALLOW-ORIGIN",
        "Access-Control-Allow-Origin",
    ] {
        assert!(cors_check(&get(), &h(&[(name, ORIGIN)])), "{name}");
    }
}

#[test]
fn acao_surrounding_whitespace_is_not_part_of_the_value() {
    let headers = h(&[("Access-Control-Allow-Origin", "  https://app.example.com\t")]);
    assert!(cors_check(&get(), &headers));
}

#[test]
fn acao_null_matches_null_origin() {
    let req = BrowserRequest::new("null", "GET");
    assert!(cors_check(
        &req,
        &h(&[("Access-Control-Allow-Origin", "null")])
    ));
    assert!(!cors_check(
        &get(),
        &h(&[("Access-Control-Allow-Origin", "null")])
    ));
}

#[test]
fn response_with_crlf_or_nul_in_a_value_fails() {
    for acao in ["*\r\nX-Injected: 1", "*\n", "https://app.example.com\0"] {
        let headers = h(&[("Access-Control-Allow-Origin", acao)]);
        assert!(!cors_check(&get(), &headers), "ACAO {acao:?}");
    }
    let bad_other_header = h(&[("Access-Control-Allow-Origin", "*"), ("X-Bad", "a\rb")]);
    assert!(!cors_check(&get(), &bad_other_header));
}

#[test]
fn acao_value_bytes_are_compared_not_decoded() {
    let req = BrowserRequest::new("https://xn--bcher-kva.example", "GET");
    let utf8 = vec![(
        "Access-Control-Allow-Origin".to_string(),
        "https://bücher.example".as_bytes().to_vec(),
    )];
    assert!(!cors_check(&req, &utf8));
    let punycode = h(&[(
        "Access-Control-Allow-Origin",
        "https://xn--bcher-kva.example",
    )]);
    assert!(cors_check(&req, &punycode));
}

// ---------------------------------------------------------------------------
// Request side: safelisted headers, forbidden headers, ACRH, needs_preflight
// ---------------------------------------------------------------------------

#[test]
fn content_type_application_json_is_unsafe_but_text_plain_is_safe() {
    let cases = [
        ("text/plain", true),
        ("TEXT/PLAIN", true),
        ("text/plain; charset=utf-8", true),
        ("text/plain;charset=\"utf-8\"", false), // `"` is a CORS-unsafe byte
        ("  text/plain  ", true),
        ("application/x-www-form-urlencoded", true),
        ("multipart/form-data; boundary=x", true),
        ("application/json", false),
        ("text/html", false),
        ("text/plain/extra", false),
        ("text /plain", false),
        ("text/", false),
        ("/plain", false),
        ("text", false),
        ("", false),
    ];
    for (content_type, safe) in cases {
        let req = method("POST").with_header("Content-Type", content_type);
        let expected: Vec<String> = if safe {
            vec![]
        } else {
            vec!["content-type".to_string()]
        };
        assert_eq!(
            req.unsafe_header_names(),
            expected,
            "Content-Type {content_type:?}"
        );
        assert_eq!(
            req.needs_preflight(),
            !safe,
            "Content-Type {content_type:?}"
        );
    }
}

#[test]
fn safelisted_header_values_are_checked() {
    let long = "a".repeat(129);
    let cases: Vec<(&str, &str, bool)> = vec![
        ("Accept", "application/json, text/*;q=0.8", true),
        ("Accept", "text/html(", false),
        ("Accept", "a\u{7f}", false),
        ("Accept", &long, false),
        ("Accept", &long[..128], true),
        ("Accept-Language", "en-US,en;q=0.9", true),
        ("Accept-Language", "en_US", false),
        ("Content-Language", "de-DE", true),
        ("Content-Language", "de/DE", false),
        ("Range", "bytes=0-499", true),
        ("Range", "bytes=500-", true),
        ("Range", "bytes=-500", false),
        ("Range", "bytes=5-1", false),
        ("Range", "bytes=0-1,3-4", false),
        ("Range", "bytes = 0-1", false),
        ("Range", "items=0-1", false),
        ("X-Requested-With", "XMLHttpRequest", false),
        ("Authorization", "Bearer x", false),
        ("Cache-Control", "no-cache", false),
    ];
    for (name, value, safe) in cases {
        let req = get().with_header(name, value);
        assert_eq!(
            req.unsafe_header_names().is_empty(),
            safe,
            "{name}: {value:?}"
        );
    }
}

#[test]
fn safelisted_values_over_1024_bytes_in_total_become_unsafe() {
    let value = "a".repeat(120);
    let mut req = get();
    for _ in 0..8 {
        req = req.with_header("Accept", &value); // 8 * 120 = 960 bytes
    }
    assert!(req.unsafe_header_names().is_empty());
    let req = req
        .with_header("Accept-Language", &value) // 1080 bytes
        .with_header("X-Custom", "1");
    assert_eq!(
        req.unsafe_header_names(),
        vec!["accept", "accept-language", "x-custom"]
    );
}

#[test]
fn forbidden_request_headers_are_dropped() {
    let req = get()
        .with_header("Cookie", "a=b")
        .with_header("Host", "evil.test")
        .with_header("Origin", "https://evil.test")
        .with_header("Content-Length", "3")
        .with_header("Sec-Fetch-Mode", "no-cors")
        .with_header("Proxy-Authorization", "x")
        .with_header("X-HTTP-Method-Override", "TRACE")
        .with_header("x-method-override", "get, track ");
    assert!(req.is_sendable());
    assert!(req.header_list().is_empty());
    assert!(req.unsafe_header_names().is_empty());
    assert!(!req.needs_preflight());
}

#[test]
fn method_override_headers_are_kept_unless_they_name_a_forbidden_method() {
    for value in ["PATCH", "GETTRACE", "\",TRACE\","] {
        let req = get().with_header("X-HTTP-Method-Override", value);
        assert_eq!(
            req.unsafe_header_names(),
            vec!["x-http-method-override"],
            "{value:?}"
        );
    }
}

#[test]
fn get_decode_and_split_respects_quotes() {
    let cases: [(&str, &[&str]); 5] = [
        ("", &[""]),
        ("a, b ,c", &["a", "b", "c"]),
        ("\",TRACE\",", &["\",TRACE\"", ""]),
        ("x\"a,b\"y, z", &["x\"a,b\"y", "z"]),
        ("\"unterminated, still", &["\"unterminated, still"]),
    ];
    for (input, expected) in cases {
        let expected: Vec<Vec<u8>> = expected.iter().map(|s| s.as_bytes().to_vec()).collect();
        assert_eq!(get_decode_split(input.as_bytes()), expected, "{input:?}");
    }
}

#[test]
fn acrh_value_is_sorted_lowercase_deduplicated_without_spaces() {
    let req = method("PUT")
        .with_header("X-Zeta", "1")
        .with_header("x-alpha", "1")
        .with_header("X-ALPHA", "2")
        .with_header("Content-Type", "application/json")
        .with_header("Accept", "text/plain");
    assert_eq!(
        req.unsafe_header_names(),
        vec!["content-type", "x-alpha", "x-zeta"]
    );
    assert_eq!(
        req.acrh_value().as_deref(),
        Some("content-type,x-alpha,x-zeta")
    );
    assert_eq!(get().acrh_value(), None);
}

#[test]
fn needs_preflight_table() {
    let cases = [
        (get(), false),
        (method("HEAD"), false),
        (
            method("POST").with_header("Content-Type", "text/plain"),
            false,
        ),
        (method("get"), false), // normalized to GET
        (get().with_credentials(), false),
        (method("PUT"), true),
        (method("DELETE"), true),
        (method("PATCH"), true),
        (method("OPTIONS"), true),
        (get().with_header("X-Custom", "1"), true),
        (get().with_header("Authorization", "Bearer t"), true),
        (get().with_private_network(), true),
    ];
    for (req, expected) in cases {
        assert_eq!(req.needs_preflight(), expected, "{req:?}");
    }
}

#[test]
fn method_normalization_only_touches_the_six_methods() {
    let cases = [
        ("get", "GET"),
        ("Delete", "DELETE"),
        ("options", "OPTIONS"),
        ("put", "PUT"),
        ("patch", "patch"),
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
    ];
    for (written, sent) in cases {
        assert_eq!(method(written).normalized_method(), sent);
    }
}

#[test]
fn forbidden_or_invalid_requests_are_not_sendable() {
    let cases = [
        (method("TRACE"), false),
        (method("connect"), false),
        (method("TrAcK"), false),
        (method("GET POST"), false),
        (method(""), false),
        (get().with_header("X Bad", "1"), false),
        (get().with_header("X-Ok", "a\nb"), false),
        (get().with_header("X-Ok", "\u{100}"), false),
        (get().with_header("X-Ok", "caf\u{e9}"), true),
        (method("PATCH").with_header("X-Ok", " padded "), true),
    ];
    for (req, expected) in cases {
        assert_eq!(req.is_sendable(), expected, "{req:?}");
        if !expected {
            let ok = h(&[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ]);
            assert!(!fetch_succeeds(&req, Some((204, &ok)), &ok), "{req:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// CORS-preflight fetch
// ---------------------------------------------------------------------------

fn preflight_ok(extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut headers = h(&[("Access-Control-Allow-Origin", ORIGIN)]);
    headers.extend(h(extra));
    headers
}

#[test]
fn preflight_status_must_be_ok() {
    let headers = preflight_ok(&[("Access-Control-Allow-Methods", "PUT")]);
    let cases = [
        (200, true),
        (204, true),
        (299, true),
        (199, false),
        (300, false),
        (304, false),
        (403, false),
        (404, false),
        (500, false),
    ];
    for (status, expected) in cases {
        assert_eq!(
            preflight_passes(&method("PUT"), status, &headers),
            expected,
            "status {status}"
        );
    }
}

#[test]
fn preflight_status_403_fails() {
    let headers = preflight_ok(&[("Access-Control-Allow-Methods", "PUT")]);
    assert!(!preflight_passes(&method("PUT"), 403, &headers));
}

#[test]
fn preflight_requires_the_cors_check() {
    let no_acao = h(&[("Access-Control-Allow-Methods", "PUT")]);
    assert!(!preflight_passes(&method("PUT"), 204, &no_acao));
    let no_acac = preflight_ok(&[("Access-Control-Allow-Methods", "PUT")]);
    assert!(!preflight_passes(
        &method("PUT").with_credentials(),
        204,
        &no_acac
    ));
    let with_acac = preflight_ok(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(preflight_passes(
        &method("PUT").with_credentials(),
        204,
        &with_acac
    ));
}

#[test]
fn patch_must_be_listed_exactly() {
    let cases = [
        ("PATCH", true),
        ("GET, PATCH", true),
        ("patch", false),
        ("Patch", false),
        ("PUT", false),
        ("PATCHES", false),
    ];
    for (acam, expected) in cases {
        let headers = preflight_ok(&[("Access-Control-Allow-Methods", acam)]);
        assert_eq!(
            preflight_passes(&method("PATCH"), 204, &headers),
            expected,
            "ACAM {acam:?}"
        );
    }
    // A script writing "patch" sends "patch", which "PATCH" does not allow.
    let headers = preflight_ok(&[("Access-Control-Allow-Methods", "PATCH")]);
    assert!(!preflight_passes(&method("patch"), 204, &headers));
}

#[test]
fn normalized_methods_match_uppercase_acam_only() {
    let upper = preflight_ok(&[("Access-Control-Allow-Methods", "DELETE")]);
    let lower = preflight_ok(&[("Access-Control-Allow-Methods", "delete")]);
    assert!(preflight_passes(&method("delete"), 204, &upper));
    assert!(!preflight_passes(&method("DELETE"), 204, &lower));
}

#[test]
fn missing_acam_fails_for_unsafe_method() {
    assert!(!preflight_passes(&method("PUT"), 204, &preflight_ok(&[])));
}

#[test]
fn safelisted_method_needs_no_acam() {
    let req = get().with_header("X-Custom", "1");
    let headers = preflight_ok(&[("Access-Control-Allow-Headers", "x-custom")]);
    assert!(preflight_passes(&req, 204, &headers));
    // Even an ACAM that does not list it.
    let headers = preflight_ok(&[
        ("Access-Control-Allow-Headers", "x-custom"),
        ("Access-Control-Allow-Methods", "PUT"),
    ]);
    assert!(preflight_passes(&req, 204, &headers));
}

#[test]
fn wildcard_acam_allows_any_method_only_without_credentials() {
    let headers = preflight_ok(&[("Access-Control-Allow-Methods", "*")]);
    assert!(preflight_passes(&method("PURGE"), 204, &headers));
    let with_credentials = preflight_ok(&[
        ("Access-Control-Allow-Methods", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(!preflight_passes(
        &method("PURGE").with_credentials(),
        204,
        &with_credentials
    ));
    // With credentials `*` is the literal method `*`.
    assert!(preflight_passes(
        &method("*").with_credentials(),
        204,
        &with_credentials
    ));
}

#[test]
fn acam_and_acah_list_parsing() {
    // (ACAM, ACAH, passes) for PUT with X-A and X-B.
    let cases = [
        ("PUT", "X-A, X-B", true),
        ("GET,PUT", "x-a,x-b", true),
        (" PUT ", "\tx-b , x-a\t", true),
        (",PUT,,", ", ,x-a,,x-b,", true), // empty elements are skipped
        ("PUT", "x-a", false),
        ("GET PUT", "x-a, x-b", false), // not a token: parse failure
        ("PUT;", "x-a, x-b", false),
        ("PUT", "x-a, x-b, x c", false), // a bad element fails the whole list
        ("PUT", "x-a, \"x-b\"", false),
        ("PUT", "x-a x-b", false),
    ];
    let req = method("PUT")
        .with_header("X-A", "1")
        .with_header("X-B", "1");
    for (acam, acah, expected) in cases {
        let headers = preflight_ok(&[
            ("Access-Control-Allow-Methods", acam),
            ("Access-Control-Allow-Headers", acah),
        ]);
        assert_eq!(
            preflight_passes(&req, 204, &headers),
            expected,
            "ACAM {acam:?} ACAH {acah:?}"
        );
    }
}

#[test]
fn acam_parse_failure_fails_even_when_the_method_is_safelisted() {
    let req = get().with_private_network();
    let headers = preflight_ok(&[
        ("Access-Control-Allow-Private-Network", "true"),
        ("Access-Control-Allow-Methods", "GET POST"),
    ]);
    assert!(!preflight_passes(&req, 204, &headers));
    let headers = preflight_ok(&[
        ("Access-Control-Allow-Private-Network", "true"),
        ("Access-Control-Allow-Headers", "a b"),
    ]);
    assert!(!preflight_passes(&req, 204, &headers));
}

#[test]
fn acah_lists_are_combined_across_repeated_headers() {
    let req = method("PUT")
        .with_header("X-A", "1")
        .with_header("X-B", "1");
    let headers = preflight_ok(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "x-a"),
        ("access-control-allow-headers", "x-b"),
    ]);
    assert!(preflight_passes(&req, 204, &headers));
}

#[test]
fn acah_matches_header_names_case_insensitively() {
    let req = get().with_header("x-custom-header", "1");
    let headers = preflight_ok(&[("Access-Control-Allow-Headers", "X-CUSTOM-HEADER")]);
    assert!(preflight_passes(&req, 204, &headers));
}

#[test]
fn wildcard_acah_covers_custom_headers_only_without_credentials() {
    let req = get().with_header("X-Custom", "1");
    let headers = preflight_ok(&[("Access-Control-Allow-Headers", "*")]);
    assert!(preflight_passes(&req, 204, &headers));
    let with_credentials = preflight_ok(&[
        ("Access-Control-Allow-Headers", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(!preflight_passes(
        &req.with_credentials(),
        204,
        &with_credentials
    ));
}

#[test]
fn authorization_not_covered_by_wildcard() {
    let req = get().with_header("Authorization", "Bearer t");
    let wildcard = preflight_ok(&[("Access-Control-Allow-Headers", "*")]);
    assert!(!preflight_passes(&req, 204, &wildcard));
    let listed = preflight_ok(&[("Access-Control-Allow-Headers", "*, Authorization")]);
    assert!(preflight_passes(&req, 204, &listed));
    let lowercase = preflight_ok(&[("Access-Control-Allow-Headers", "authorization")]);
    assert!(preflight_passes(&req, 204, &lowercase));
}

#[test]
fn pna_requires_the_allow_private_network_header() {
    let req = get().with_private_network();
    let cases: [(Option<&str>, bool); 6] = [
        (Some("true"), true),
        (None, false),
        (Some("TRUE"), false),
        (Some("false"), false),
        (Some(""), false),
        (Some("true, true"), false),
    ];
    for (acapn, expected) in cases {
        let mut headers = preflight_ok(&[]);
        if let Some(value) = acapn {
            headers.extend(h(&[("Access-Control-Allow-Private-Network", value)]));
        }
        assert_eq!(
            preflight_passes(&req, 204, &headers),
            expected,
            "ACAPN {acapn:?}"
        );
    }
    // Without PNA the header is not needed.
    assert!(preflight_passes(&get(), 204, &preflight_ok(&[])));
}

// ---------------------------------------------------------------------------
// Whole fetch
// ---------------------------------------------------------------------------

#[test]
fn simple_request_needs_only_the_actual_response() {
    let actual = h(&[("Access-Control-Allow-Origin", "*")]);
    assert!(fetch_succeeds(&get(), None, &actual));
    assert!(!fetch_succeeds(&get(), None, &[]));
    // A preflight is not sent for a simple request, so a bad one is irrelevant.
    assert!(fetch_succeeds(&get(), Some((500, &[])), &actual));
}

#[test]
fn preflighted_request_needs_both() {
    let req = method("PUT");
    let preflight = preflight_ok(&[("Access-Control-Allow-Methods", "PUT")]);
    let actual = h(&[("Access-Control-Allow-Origin", ORIGIN)]);
    assert!(fetch_succeeds(&req, Some((204, &preflight)), &actual));
    assert!(!fetch_succeeds(&req, None, &actual));
    assert!(!fetch_succeeds(&req, Some((403, &preflight)), &actual));
    assert!(!fetch_succeeds(&req, Some((204, &preflight)), &[]));
}

#[test]
fn credentialed_fetch_needs_acac_on_both_responses() {
    let req = method("PUT").with_credentials();
    let good_preflight = preflight_ok(&[
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    let good_actual = h(&[
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    let bad_actual = h(&[("Access-Control-Allow-Origin", ORIGIN)]);
    assert!(fetch_succeeds(
        &req,
        Some((200, &good_preflight)),
        &good_actual
    ));
    assert!(!fetch_succeeds(
        &req,
        Some((200, &good_preflight)),
        &bad_actual
    ));
}

// ---------------------------------------------------------------------------
// Access-Control-Max-Age
// ---------------------------------------------------------------------------

#[test]
fn max_age_parses_delta_seconds_only() {
    type Case = (&'static [(&'static str, &'static str)], Option<u64>);
    let cases: [Case; 12] = [
        (&[], None),
        (&[("Access-Control-Max-Age", "600")], Some(600)),
        (&[("access-control-max-age", "0")], Some(0)),
        (&[("Access-Control-Max-Age", " 86400 ")], Some(86400)),
        (&[("Access-Control-Max-Age", "007")], Some(7)),
        (&[("Access-Control-Max-Age", "-1")], None),
        (&[("Access-Control-Max-Age", "+5")], None),
        (&[("Access-Control-Max-Age", "1.5")], None),
        (&[("Access-Control-Max-Age", "")], None),
        (&[("Access-Control-Max-Age", "5, 6")], None),
        (
            &[
                ("Access-Control-Max-Age", "5"),
                ("Access-Control-Max-Age", "5"),
            ],
            None,
        ),
        (
            &[("Access-Control-Max-Age", "99999999999999999999999")],
            Some(u64::MAX),
        ),
    ];
    for (headers, expected) in cases {
        assert_eq!(preflight_max_age(&h(headers)), expected, "{headers:?}");
    }
}

// ---------------------------------------------------------------------------
// Why the CORS check fails: each `CorsCheckFailure` from the answer that
// causes it (the library's `cors_check`, not the adapter's yes/no)
// ---------------------------------------------------------------------------

use corsguard::fetch as model;

/// One row of a failure table: the case, the request, the answer, the failure.
type FailureRow<F> = (&'static str, BrowserRequest, Vec<(String, Vec<u8>)>, F);

/// The (code, detail) of each preflight trigger.
type TriggerCodes = Vec<(&'static str, Option<&'static str>)>;

fn credentialed() -> BrowserRequest {
    get().with_credentials()
}

#[test]
fn cors_check_names_each_failure_after_the_answer_that_causes_it() {
    let other = "https://other.example.com";
    let table: Vec<FailureRow<CorsCheckFailure>> = vec![
        (
            "no Access-Control-Allow-Origin",
            get(),
            h(&[("Vary", "Origin")]),
            CorsCheckFailure::MissingAllowOrigin,
        ),
        (
            "Access-Control-Allow-Origin sent twice is one combined value",
            get(),
            h(&[
                ("Access-Control-Allow-Origin", "https://a.example"),
                ("Access-Control-Allow-Origin", "https://b.example"),
            ]),
            CorsCheckFailure::MultipleAllowOrigin {
                value: "https://a.example, https://b.example".into(),
            },
        ),
        (
            "the origin and `*` sent together",
            get(),
            h(&[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Origin", "*"),
            ]),
            CorsCheckFailure::MultipleAllowOrigin {
                value: format!("{ORIGIN}, *"),
            },
        ),
        (
            "`*` with credentials",
            credentialed(),
            h(&[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ]),
            CorsCheckFailure::WildcardWithCredentials,
        ),
        (
            "a value that is not an origin",
            get(),
            h(&[("Access-Control-Allow-Origin", "app.example.com")]),
            CorsCheckFailure::InvalidAllowOrigin {
                value: "app.example.com".into(),
            },
        ),
        (
            "another origin",
            get(),
            h(&[("Access-Control-Allow-Origin", other)]),
            CorsCheckFailure::AllowOriginMismatch {
                value: other.into(),
            },
        ),
        (
            "`null` for a page that is not opaque",
            get(),
            h(&[("Access-Control-Allow-Origin", "null")]),
            CorsCheckFailure::AllowOriginMismatch {
                value: "null".into(),
            },
        ),
        (
            "credentials without Access-Control-Allow-Credentials",
            credentialed(),
            h(&[("Access-Control-Allow-Origin", ORIGIN)]),
            CorsCheckFailure::CredentialsNotTrue { value: "".into() },
        ),
        (
            "credentials with Access-Control-Allow-Credentials: false",
            credentialed(),
            h(&[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "false"),
            ]),
            CorsCheckFailure::CredentialsNotTrue {
                value: "false".into(),
            },
        ),
        (
            "a header value with a line feed",
            get(),
            h(&[("Access-Control-Allow-Origin", ORIGIN), ("X-Note", "a\nb")]),
            CorsCheckFailure::Unparseable,
        ),
        (
            "a header name that is not a token",
            get(),
            h(&[("Access-Control-Allow-Origin", ORIGIN), ("Bad Name", "x")]),
            CorsCheckFailure::Unparseable,
        ),
    ];
    for (case, req, headers, expected) in table {
        assert_eq!(
            model::cors_check(&req, &headers),
            Err(expected.clone()),
            "{case}"
        );
        // The whole fetch reports the same failure on the actual response.
        assert_eq!(
            model::fetch(&req, None, &headers),
            Err(FetchFailure::Cors(expected)),
            "{case}: fetch"
        );
    }
}

#[test]
fn cors_check_failure_codes_are_stable_and_distinct() {
    let table = [
        (CorsCheckFailure::Unparseable, "unparseable_response"),
        (CorsCheckFailure::MissingAllowOrigin, "missing_allow_origin"),
        (
            CorsCheckFailure::MultipleAllowOrigin {
                value: "a, b".into(),
            },
            "multiple_allow_origin",
        ),
        (
            CorsCheckFailure::WildcardWithCredentials,
            "wildcard_with_credentials",
        ),
        (
            CorsCheckFailure::InvalidAllowOrigin { value: "x".into() },
            "invalid_allow_origin",
        ),
        (
            CorsCheckFailure::AllowOriginMismatch { value: "x".into() },
            "allow_origin_mismatch",
        ),
        (
            CorsCheckFailure::CredentialsNotTrue { value: "".into() },
            "credentials_not_true",
        ),
    ];
    for (failure, code) in &table {
        assert_eq!(failure.code(), *code);
        assert!(!failure.to_string().is_empty(), "{code}: Display");
        assert_eq!(
            FetchFailure::Cors(failure.clone()).code(),
            *code,
            "{code}: through FetchFailure"
        );
    }
}

#[test]
fn cors_check_display_names_the_value_seen() {
    let mismatch = CorsCheckFailure::AllowOriginMismatch {
        value: "https://other.example.com".into(),
    };
    assert!(mismatch.to_string().contains("`https://other.example.com`"));
    let absent = CorsCheckFailure::CredentialsNotTrue { value: "".into() };
    assert!(absent
        .to_string()
        .contains("no Access-Control-Allow-Credentials"));
    let wrong = CorsCheckFailure::CredentialsNotTrue {
        value: "TRUE".into(),
    };
    assert!(wrong.to_string().contains("`TRUE`"));
}

// ---------------------------------------------------------------------------
// Why a CORS-preflight fetch fails: each `PreflightFailure`, in the order
// Chromium checks
// ---------------------------------------------------------------------------

#[test]
fn a_redirect_status_fails_the_preflight_even_with_good_cors_headers() {
    let req = method("PUT");
    let good = preflight_ok(&[("Access-Control-Allow-Methods", "PUT"), ("Location", "/x")]);
    for status in [301, 302, 303, 307, 308] {
        assert_eq!(
            model::cors_preflight_fetch(&req, status, &good),
            Err(PreflightFailure::Redirect { status }),
            "{status}"
        );
    }
    // Without any CORS header too: the redirect comes first.
    assert_eq!(
        model::cors_preflight_fetch(&req, 302, &h(&[("Location", "/x")])),
        Err(PreflightFailure::Redirect { status: 302 })
    );
    // 300 and 304 are not redirects a fetch follows: they are not ok.
    for status in [300, 304] {
        assert_eq!(
            model::cors_preflight_fetch(&req, status, &good),
            Err(PreflightFailure::NotOk { status }),
            "{status}"
        );
    }
}

#[test]
fn the_preflight_checks_allow_origin_before_the_status() {
    let req = method("PUT");
    // A 404 without CORS headers is reported as the missing header.
    assert_eq!(
        model::cors_preflight_fetch(&req, 404, &h(&[])),
        Err(PreflightFailure::Cors(CorsCheckFailure::MissingAllowOrigin))
    );
    // With Access-Control-Allow-Origin, the status is what fails.
    for status in [404, 405, 500, 199] {
        assert_eq!(
            model::cors_preflight_fetch(
                &req,
                status,
                &preflight_ok(&[("Access-Control-Allow-Methods", "PUT")])
            ),
            Err(PreflightFailure::NotOk { status }),
            "{status}"
        );
    }
    // A bad origin answer on a non-ok status is still the origin.
    assert_eq!(
        model::cors_preflight_fetch(
            &req,
            405,
            &h(&[("Access-Control-Allow-Origin", "https://other.example.com")])
        ),
        Err(PreflightFailure::Cors(
            CorsCheckFailure::AllowOriginMismatch {
                value: "https://other.example.com".into()
            }
        ))
    );
}

#[test]
fn the_preflight_names_each_failure_after_the_answer_that_causes_it() {
    let table: Vec<FailureRow<PreflightFailure>> = vec![
        (
            "ACAM that is not a list of tokens",
            method("PUT"),
            preflight_ok(&[("Access-Control-Allow-Methods", "PUT, (GET)")]),
            PreflightFailure::UnparseableMethods,
        ),
        (
            "ACAH that is not a list of tokens",
            method("PUT").with_header("X-Custom", "1"),
            preflight_ok(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom, x/y"),
            ]),
            PreflightFailure::UnparseableHeaders,
        ),
        (
            "the method is not listed",
            method("DELETE"),
            preflight_ok(&[("Access-Control-Allow-Methods", "GET, PUT")]),
            PreflightFailure::MethodNotAllowed {
                method: "DELETE".into(),
            },
        ),
        (
            "no ACAM at all for a method that is not safelisted",
            method("patch"),
            preflight_ok(&[]),
            PreflightFailure::MethodNotAllowed {
                method: "patch".into(),
            },
        ),
        (
            "a header is not listed",
            get().with_header("X-Custom", "1"),
            preflight_ok(&[("Access-Control-Allow-Headers", "x-other")]),
            PreflightFailure::HeaderNotAllowed {
                name: "x-custom".into(),
            },
        ),
        (
            "content-type application/json is not listed",
            method("POST").with_header("Content-Type", "application/json"),
            preflight_ok(&[]),
            PreflightFailure::HeaderNotAllowed {
                name: "content-type".into(),
            },
        ),
        (
            "authorization with `*`",
            get().with_header("Authorization", "Bearer t"),
            preflight_ok(&[("Access-Control-Allow-Headers", "*")]),
            PreflightFailure::AuthorizationNotCoveredByWildcard,
        ),
        (
            "authorization without any ACAH",
            get().with_header("Authorization", "Bearer t"),
            preflight_ok(&[]),
            PreflightFailure::HeaderNotAllowed {
                name: "authorization".into(),
            },
        ),
        (
            "authorization with a list that misses it",
            get().with_header("Authorization", "Bearer t"),
            preflight_ok(&[("Access-Control-Allow-Headers", "x-custom")]),
            PreflightFailure::HeaderNotAllowed {
                name: "authorization".into(),
            },
        ),
        (
            "Private Network Access asked for and not granted",
            get().with_private_network(),
            preflight_ok(&[]),
            PreflightFailure::PrivateNetworkNotAllowed,
        ),
        (
            "Private Network Access granted with another value than true",
            get().with_private_network(),
            preflight_ok(&[("Access-Control-Allow-Private-Network", "yes")]),
            PreflightFailure::PrivateNetworkNotAllowed,
        ),
        (
            "the preflight's CORS check: credentials not allowed",
            method("PUT").with_credentials(),
            preflight_ok(&[("Access-Control-Allow-Methods", "PUT")]),
            PreflightFailure::Cors(CorsCheckFailure::CredentialsNotTrue { value: "".into() }),
        ),
    ];
    for (case, req, headers, expected) in table {
        assert!(req.needs_preflight(), "{case}: needs a preflight");
        assert_eq!(
            model::cors_preflight_fetch(&req, 204, &headers),
            Err(expected.clone()),
            "{case}"
        );
        // The whole fetch stops at the preflight, whatever the actual answer.
        let actual = h(&[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(
            model::fetch(&req, Some((204, &headers)), &actual),
            Err(FetchFailure::Preflight(expected)),
            "{case}: fetch"
        );
    }
}

#[test]
fn the_method_is_checked_before_the_headers_and_the_headers_before_pna() {
    let req = method("PUT")
        .with_header("X-Custom", "1")
        .with_private_network();
    assert_eq!(
        model::cors_preflight_fetch(&req, 204, &preflight_ok(&[])),
        Err(PreflightFailure::MethodNotAllowed {
            method: "PUT".into()
        })
    );
    assert_eq!(
        model::cors_preflight_fetch(
            &req,
            204,
            &preflight_ok(&[("Access-Control-Allow-Methods", "PUT")])
        ),
        Err(PreflightFailure::HeaderNotAllowed {
            name: "x-custom".into()
        })
    );
    assert_eq!(
        model::cors_preflight_fetch(
            &req,
            204,
            &preflight_ok(&[
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "X-Custom"),
            ])
        ),
        Err(PreflightFailure::PrivateNetworkNotAllowed)
    );
    let grant = model::cors_preflight_fetch(
        &req,
        204,
        &preflight_ok(&[
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "X-Custom"),
            ("Access-Control-Allow-Private-Network", "true"),
            ("Access-Control-Max-Age", "600"),
        ]),
    )
    .unwrap();
    assert_eq!(grant.methods, [b"PUT".to_vec()]);
    assert_eq!(grant.headers, [b"X-Custom".to_vec()]);
    assert_eq!(grant.max_age, Some(600));
}

#[test]
fn preflight_failure_codes_are_stable() {
    let table = [
        (
            PreflightFailure::Cors(CorsCheckFailure::MissingAllowOrigin),
            "missing_allow_origin",
        ),
        (
            PreflightFailure::Redirect { status: 301 },
            "preflight_redirect",
        ),
        (PreflightFailure::NotOk { status: 404 }, "preflight_not_ok"),
        (
            PreflightFailure::UnparseableMethods,
            "unparseable_allow_methods",
        ),
        (
            PreflightFailure::UnparseableHeaders,
            "unparseable_allow_headers",
        ),
        (
            PreflightFailure::MethodNotAllowed {
                method: "PUT".into(),
            },
            "method_not_allowed",
        ),
        (
            PreflightFailure::HeaderNotAllowed { name: "x-a".into() },
            "header_not_allowed",
        ),
        (
            PreflightFailure::AuthorizationNotCoveredByWildcard,
            "authorization_not_covered",
        ),
        (
            PreflightFailure::PrivateNetworkNotAllowed,
            "private_network_not_allowed",
        ),
    ];
    for (failure, code) in &table {
        assert_eq!(failure.code(), *code);
        assert_eq!(FetchFailure::Preflight(failure.clone()).code(), *code);
        assert!(!failure.to_string().is_empty(), "{code}: Display");
    }
    assert_eq!(FetchFailure::NoPreflight.code(), "no_preflight_answer");
    assert_eq!(
        FetchFailure::Unsendable(Unsendable::ForbiddenMethod {
            method: "TRACE".into()
        })
        .code(),
        "unsendable"
    );
}

#[test]
fn a_preflighted_fetch_without_a_preflight_answer_fails() {
    assert_eq!(
        model::fetch(
            &method("PUT"),
            None,
            &h(&[("Access-Control-Allow-Origin", "*")])
        ),
        Err(FetchFailure::NoPreflight)
    );
}

#[test]
fn an_unsendable_request_fails_before_any_answer_is_judged() {
    let ok = h(&[("Access-Control-Allow-Origin", "*")]);
    assert_eq!(
        model::fetch(&method("TRACE"), None, &ok),
        Err(FetchFailure::Unsendable(Unsendable::ForbiddenMethod {
            method: "TRACE".into()
        }))
    );
}

// ---------------------------------------------------------------------------
// chromium_message(): the texts Chromium 156 printed after "has been blocked
// by CORS policy: " in the end-to-end agreement test
// ---------------------------------------------------------------------------

const PAGE: &str = "http://localhost:3000";

#[test]
fn chromium_messages_are_the_texts_chromium_prints() {
    let table: Vec<(FetchFailure, String)> = vec![
        (
            FetchFailure::Cors(CorsCheckFailure::WildcardWithCredentials),
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".into(),
        ),
        (
            FetchFailure::Preflight(PreflightFailure::Cors(CorsCheckFailure::MissingAllowOrigin)),
            "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.".into(),
        ),
        (
            FetchFailure::Preflight(PreflightFailure::NotOk { status: 405 }),
            "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.".into(),
        ),
        (
            FetchFailure::Preflight(PreflightFailure::HeaderNotAllowed {
                name: "content-type".into(),
            }),
            "Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.".into(),
        ),
        (
            FetchFailure::Cors(CorsCheckFailure::MissingAllowOrigin),
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.".into(),
        ),
        (
            FetchFailure::Preflight(PreflightFailure::Redirect { status: 301 }),
            "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.".into(),
        ),
        (
            FetchFailure::Cors(CorsCheckFailure::MultipleAllowOrigin {
                value: format!("{PAGE}, *"),
            }),
            format!("The 'Access-Control-Allow-Origin' header contains multiple values '{PAGE}, *', but only one is allowed. Have the server send the header with a valid value."),
        ),
        (
            FetchFailure::Cors(CorsCheckFailure::AllowOriginMismatch {
                value: PAGE.into(),
            }),
            format!("The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value."),
        ),
        (
            FetchFailure::Cors(CorsCheckFailure::CredentialsNotTrue { value: "".into() }),
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.".into(),
        ),
    ];
    for (failure, expected) in table {
        assert_eq!(failure.chromium_message(), expected, "{failure:?}");
    }
}

#[test]
fn chromium_messages_come_from_the_answers_that_cause_them() {
    // The same texts, reached from responses rather than built by hand.
    let other = "http://localhost:3001";
    let page = BrowserRequest::new(other, "GET");
    let twice = h(&[
        ("Access-Control-Allow-Origin", PAGE),
        ("Access-Control-Allow-Origin", "*"),
    ]);
    assert_eq!(
        model::fetch(&page, None, &twice).unwrap_err().chromium_message(),
        format!("The 'Access-Control-Allow-Origin' header contains multiple values '{PAGE}, *', but only one is allowed. Have the server send the header with a valid value.")
    );
    let fixed = h(&[("Access-Control-Allow-Origin", PAGE)]);
    assert_eq!(
        model::fetch(&page, None, &fixed).unwrap_err().chromium_message(),
        format!("The 'Access-Control-Allow-Origin' header has a value '{PAGE}' that is not equal to the supplied origin. Have the server send the header with a valid value.")
    );
    let put = BrowserRequest::new(other, "PUT");
    assert_eq!(
        model::fetch(&put, Some((404, &h(&[]))), &h(&[]))
            .unwrap_err()
            .chromium_message(),
        "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    );
    let credentialed = BrowserRequest::new(other, "GET").with_credentials();
    assert_eq!(
        model::fetch(
            &credentialed,
            None,
            &h(&[("Access-Control-Allow-Origin", other)])
        )
        .unwrap_err()
        .chromium_message(),
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."
    );
}

#[test]
fn chromium_messages_for_the_other_preflight_failures() {
    let table = [
        (
            PreflightFailure::MethodNotAllowed {
                method: "DELETE".into(),
            },
            "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.",
        ),
        (
            PreflightFailure::AuthorizationNotCoveredByWildcard,
            "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.",
        ),
        (
            PreflightFailure::UnparseableMethods,
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
        ),
        (
            PreflightFailure::UnparseableHeaders,
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
        ),
    ];
    for (failure, expected) in table {
        assert_eq!(failure.chromium_message(), expected, "{failure:?}");
    }
    // Every failure of the preflight's own CORS check carries the prefix.
    let prefix = "Response to preflight request doesn't pass access control check: ";
    for cors in [
        CorsCheckFailure::WildcardWithCredentials,
        CorsCheckFailure::AllowOriginMismatch { value: PAGE.into() },
        CorsCheckFailure::CredentialsNotTrue { value: "".into() },
    ] {
        let message = PreflightFailure::Cors(cors.clone()).chromium_message();
        assert_eq!(message, format!("{prefix}{}", cors.chromium_message()));
    }
    assert!(PreflightFailure::PrivateNetworkNotAllowed
        .chromium_message()
        .starts_with(prefix));
}

// ---------------------------------------------------------------------------
// preflight_triggers, check_sendable, dropped_headers
// ---------------------------------------------------------------------------

#[test]
fn preflight_triggers_name_each_reason_with_its_code() {
    let table: Vec<(&str, BrowserRequest, TriggerCodes)> = vec![
        ("a simple GET", get(), vec![]),
        (
            "a POST with a safelisted content type",
            method("POST").with_header("Content-Type", "text/plain;charset=utf-8"),
            vec![],
        ),
        (
            "a method",
            method("delete"),
            vec![("method", Some("DELETE"))],
        ),
        (
            "a method that is not normalized",
            method("patch"),
            vec![("method", Some("patch"))],
        ),
        (
            "a header",
            get().with_header("X-Request-Id", "1"),
            vec![("header", Some("x-request-id"))],
        ),
        (
            "a content type",
            method("POST").with_header("Content-Type", "application/json"),
            vec![("content_type", Some("application/json"))],
        ),
        (
            "an accept-language outside the safelist",
            get().with_header("Accept-Language", "en_US"),
            vec![("header_value", Some("accept-language"))],
        ),
        (
            "a range without a start",
            get().with_header("Range", "bytes=-500"),
            vec![("header_value", Some("range"))],
        ),
        (
            "Private Network Access",
            get().with_private_network(),
            vec![("private_network", None)],
        ),
        (
            "all of them, in order",
            method("PUT")
                .with_header("X-B", "1")
                .with_header("Content-Type", "application/json")
                .with_header("x-b", "2")
                .with_header("Range", "bytes=-1")
                .with_header("X-A", "1")
                .with_private_network(),
            vec![
                ("method", Some("PUT")),
                ("header", Some("x-b")),
                ("content_type", Some("application/json")),
                ("header_value", Some("range")),
                ("header", Some("x-a")),
                ("private_network", None),
            ],
        ),
    ];
    for (case, req, expected) in table {
        let triggers = req.preflight_triggers();
        let got: Vec<(&str, Option<&str>)> =
            triggers.iter().map(|t| (t.code(), t.detail())).collect();
        assert_eq!(got, expected, "{case}");
        assert_eq!(req.needs_preflight(), !expected.is_empty(), "{case}");
    }
}

#[test]
fn preflight_triggers_carry_the_values_sent() {
    let req = method("POST")
        .with_header("Content-Type", "  application/json ")
        .with_header("Accept-Language", "en_US");
    assert_eq!(
        req.preflight_triggers(),
        [
            PreflightTrigger::ContentType {
                value: "application/json".into()
            },
            PreflightTrigger::HeaderValue {
                name: "accept-language".into(),
                value: "en_US".into()
            },
        ]
    );
}

#[test]
fn a_safelist_budget_over_1024_bytes_is_its_own_trigger() {
    // Each value is safelisted (under 128 bytes), the total is not.
    let value = "a".repeat(120);
    let mut req = get();
    for _ in 0..9 {
        req = req.with_header("Accept", &value);
    }
    assert_eq!(req.preflight_triggers(), [PreflightTrigger::SafelistBudget]);
    assert_eq!(req.acrh_value().as_deref(), Some("accept"));
    // Exactly 1024 bytes is within the budget.
    let mut within = get();
    for _ in 0..8 {
        within = within.with_header("Accept", &"a".repeat(128));
    }
    assert!(within.preflight_triggers().is_empty());
    assert!(!within.needs_preflight());
}

#[test]
fn check_sendable_names_each_reason_fetch_throws() {
    let table: Vec<(&str, BrowserRequest, Result<(), Unsendable>)> = vec![
        ("a simple GET", get(), Ok(())),
        ("an extension method", method("PROPFIND"), Ok(())),
        (
            "a method that is not a token",
            method("GET POST"),
            Err(Unsendable::InvalidMethod {
                method: "GET POST".into(),
            }),
        ),
        (
            "an empty method",
            method(""),
            Err(Unsendable::InvalidMethod { method: "".into() }),
        ),
        (
            "a method beyond U+00FF",
            method("G\u{0100}T"),
            Err(Unsendable::InvalidMethod {
                method: "G\u{0100}T".into(),
            }),
        ),
        (
            "CONNECT",
            method("CONNECT"),
            Err(Unsendable::ForbiddenMethod {
                method: "CONNECT".into(),
            }),
        ),
        (
            "trace in lower case",
            method("trace"),
            Err(Unsendable::ForbiddenMethod {
                method: "trace".into(),
            }),
        ),
        (
            "TRACK",
            method("TRACK"),
            Err(Unsendable::ForbiddenMethod {
                method: "TRACK".into(),
            }),
        ),
        (
            "a header name that is not a token",
            get().with_header("X Y", "1"),
            Err(Unsendable::InvalidHeader { name: "X Y".into() }),
        ),
        (
            "a header value with a line feed",
            get().with_header("X-A", "1\n2"),
            Err(Unsendable::InvalidHeader { name: "X-A".into() }),
        ),
        (
            "a header value with NUL",
            get().with_header("X-A", "1\u{0}"),
            Err(Unsendable::InvalidHeader { name: "X-A".into() }),
        ),
        (
            "a header value beyond U+00FF",
            get().with_header("X-A", "\u{263A}"),
            Err(Unsendable::InvalidHeader { name: "X-A".into() }),
        ),
        (
            "a forbidden header is dropped, not thrown on",
            get().with_header("Cookie", "a=1"),
            Ok(()),
        ),
    ];
    for (case, req, expected) in table {
        assert_eq!(req.check_sendable(), expected.clone(), "{case}");
        assert_eq!(req.is_sendable(), expected.is_ok(), "{case}");
        if let Err(why) = expected {
            assert!(
                why.to_string().starts_with("fetch() throws a TypeError"),
                "{case}"
            );
        }
    }
}

#[test]
fn dropped_headers_are_the_forbidden_request_headers_as_written() {
    let req = get()
        .with_header("Cookie", "a=1")
        .with_header("X-Kept", "1")
        .with_header("Sec-Foo", "x")
        .with_header("Origin", "https://evil.example")
        .with_header("Proxy-Authorization", "x")
        .with_header("X-HTTP-Method-Override", "TRACE")
        .with_header("X-HTTP-Method", "PATCH");
    assert_eq!(
        req.dropped_headers(),
        [
            "Cookie",
            "Sec-Foo",
            "Origin",
            "Proxy-Authorization",
            "X-HTTP-Method-Override"
        ]
    );
    // What is dropped never triggers a preflight nor reaches ACRH.
    assert_eq!(req.acrh_value().as_deref(), Some("x-http-method,x-kept"));
    assert!(get()
        .with_header("Cookie", "a=1")
        .preflight_triggers()
        .is_empty());
    assert!(get().dropped_headers().is_empty());
}

// ---------------------------------------------------------------------------
// PreflightCache and BrowserLimits
// ---------------------------------------------------------------------------

const API: &str = "https://api.example.com/items";

fn grant(methods: &[&str], headers: &[&str], max_age: Option<u64>) -> PreflightGrant {
    PreflightGrant {
        methods: methods.iter().map(|m| m.as_bytes().to_vec()).collect(),
        headers: headers.iter().map(|n| n.as_bytes().to_vec()).collect(),
        max_age,
    }
}

fn chromium_cache() -> PreflightCache {
    PreflightCache::new(BrowserLimits::CHROMIUM)
}

#[test]
fn cache_lifetime_is_the_max_age_capped_or_the_default() {
    let table = [
        (BrowserLimits::CHROMIUM, Some(600), 600),
        (BrowserLimits::CHROMIUM, Some(7200), 7200),
        (BrowserLimits::CHROMIUM, Some(7201), 7200),
        (BrowserLimits::CHROMIUM, Some(86400), 7200),
        (BrowserLimits::CHROMIUM, Some(u64::MAX), 7200),
        (BrowserLimits::CHROMIUM, None, 5),
        (BrowserLimits::CHROMIUM, Some(0), 0),
        (BrowserLimits::FIREFOX, Some(86400), 86400),
        (BrowserLimits::FIREFOX, Some(86401), 86400),
        (BrowserLimits::FIREFOX, None, 5),
    ];
    for (limits, max_age, expected) in table {
        assert_eq!(limits.lifetime(max_age), expected, "{limits:?} {max_age:?}");
        let cache = PreflightCache::new(limits);
        assert_eq!(cache.lifetime(&grant(&[], &[], max_age)), expected);
    }
}

#[test]
fn cache_entries_expire_after_their_lifetime() {
    let put = method("PUT");
    for (max_age, lifetime) in [(Some(600), 600), (None, 5), (Some(86400), 7200)] {
        let mut cache = chromium_cache();
        cache.store(&put, API, &grant(&["PUT"], &[], max_age), 1000);
        assert!(cache.matches(&put, API, 1000), "{max_age:?}");
        assert!(cache.matches(&put, API, 1000 + lifetime - 1), "{max_age:?}");
        assert!(!cache.matches(&put, API, 1000 + lifetime), "{max_age:?}");
    }
}

#[test]
fn a_max_age_of_zero_stores_nothing() {
    let put = method("PUT");
    let mut cache = chromium_cache();
    cache.store(&put, API, &grant(&["PUT"], &["x-a"], Some(0)), 0);
    assert!(cache.is_empty());
    assert_eq!(cache.len(), 0);
    assert!(!cache.matches(&put, API, 0));
}

#[test]
fn cache_entries_match_by_origin_and_url() {
    let put = method("PUT").with_header("X-A", "1");
    let mut cache = chromium_cache();
    cache.store(&put, API, &grant(&["PUT"], &["X-A"], Some(600)), 0);
    assert_eq!(cache.len(), 2, "one entry per method and per header name");
    assert!(cache.matches(&put, API, 1));
    let other_origin =
        BrowserRequest::new("https://other.example.com", "PUT").with_header("X-A", "1");
    assert!(!cache.matches(&other_origin, API, 1));
    assert!(!cache.matches(&put, "https://api.example.com/items/1", 1));
    // Header names match case-insensitively; an unlisted one does not.
    assert!(cache.matches(&method("PUT").with_header("x-a", "2"), API, 1));
    assert!(!cache.matches(&method("PUT").with_header("X-B", "1"), API, 1));
    // A method is matched byte-exact.
    assert!(!cache.matches(&method("DELETE"), API, 1));
    // A safelisted method needs no entry.
    assert!(cache.matches(&get(), API, 1));
}

#[test]
fn a_credentialed_request_needs_a_credentialed_entry() {
    let plain = method("PUT");
    let with_credentials = method("PUT").with_credentials();

    let mut uncredentialed = chromium_cache();
    uncredentialed.store(&plain, API, &grant(&["PUT"], &[], Some(600)), 0);
    assert!(uncredentialed.matches(&plain, API, 1));
    assert!(!uncredentialed.matches(&with_credentials, API, 1));

    let mut credentialed = chromium_cache();
    credentialed.store(&with_credentials, API, &grant(&["PUT"], &[], Some(600)), 0);
    assert!(credentialed.matches(&with_credentials, API, 1));
    // An uncredentialed request may use an entry made with credentials.
    assert!(credentialed.matches(&plain, API, 1));
}

#[test]
fn a_cached_wildcard_serves_only_uncredentialed_requests_and_never_authorization() {
    let plain = method("PUT").with_header("X-A", "1");
    let mut cache = chromium_cache();
    cache.store(&plain, API, &grant(&["*"], &["*"], Some(600)), 0);
    assert!(cache.matches(&plain, API, 1));
    assert!(cache.matches(&method("DELETE").with_header("X-Other", "1"), API, 1));
    assert!(!cache.matches(
        &method("PUT").with_header("Authorization", "Bearer t"),
        API,
        1
    ));

    let with_credentials = method("PUT").with_header("X-A", "1").with_credentials();
    let mut credentialed = chromium_cache();
    credentialed.store(&with_credentials, API, &grant(&["*"], &["*"], Some(600)), 0);
    assert!(!credentialed.matches(&with_credentials, API, 1));
    assert!(credentialed.matches(&plain, API, 1));

    // Authorization listed by name is cached like any header.
    let auth = method("GET").with_header("Authorization", "Bearer t");
    let mut named = chromium_cache();
    named.store(&auth, API, &grant(&[], &["authorization"], Some(600)), 0);
    assert!(named.matches(&auth, API, 1));
}

#[test]
fn private_network_requests_always_preflight() {
    let pna = get().with_private_network();
    let mut cache = chromium_cache();
    cache.store(&pna, API, &grant(&["GET"], &[], Some(600)), 0);
    assert!(!cache.matches(&pna, API, 1));
}

#[test]
fn storing_the_same_item_again_replaces_its_entry() {
    let put = method("PUT");
    let mut cache = chromium_cache();
    cache.store(&put, API, &grant(&["PUT"], &[], Some(600)), 0);
    cache.store(&put, API, &grant(&["PUT"], &[], Some(10)), 100);
    assert_eq!(cache.len(), 1);
    // The new entry's expiry (110) is the one that counts, not 600.
    assert!(cache.matches(&put, API, 109));
    assert!(!cache.matches(&put, API, 110));
    // Header names are one item whatever their case.
    let header = get().with_header("X-A", "1");
    cache.store(&header, API, &grant(&[], &["X-A"], Some(600)), 0);
    cache.store(&header, API, &grant(&[], &["x-a"], Some(600)), 0);
    assert_eq!(cache.len(), 2);
    // Another origin's entry for the same item is not replaced.
    let other = BrowserRequest::new("https://other.example.com", "PUT");
    cache.store(&other, API, &grant(&["PUT"], &[], Some(600)), 0);
    assert_eq!(cache.len(), 3);
}

#[test]
fn the_cache_holds_at_most_capacity_entries_and_drops_the_oldest() {
    let names: Vec<String> = (0..PreflightCache::CAPACITY + 10)
        .map(|i| format!("x-h{i}"))
        .collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    // Miri checks every step and is slow: it looks at a sample of the names.
    let step = if cfg!(miri) { 101 } else { 1 };
    let with = |name: &str| get().with_header(name, "1");

    // One grant with more names than the cache holds.
    let mut cache = chromium_cache();
    cache.store(&get(), API, &grant(&[], &all, Some(600)), 0);
    assert_eq!(cache.len(), PreflightCache::CAPACITY);
    for name in names[..10].iter() {
        assert!(!cache.matches(&with(name), API, 1), "{name} was dropped");
    }
    for name in names[10..].iter().step_by(step) {
        assert!(cache.matches(&with(name), API, 1), "{name} is kept");
    }

    // One grant after another (fewer under Miri: each store scans the cache).
    let mut cache = chromium_cache();
    let count = if cfg!(miri) { 40 } else { names.len() };
    let capacity = PreflightCache::CAPACITY.min(count);
    for name in &names[..count] {
        cache.store(&get(), API, &grant(&[], &[name.as_str()], Some(600)), 0);
    }
    assert_eq!(cache.len(), capacity);
    let dropped = count - capacity;
    for name in names[..dropped].iter() {
        assert!(!cache.matches(&with(name), API, 1), "{name} was dropped");
    }
    for name in names[dropped..count].iter().step_by(step) {
        assert!(cache.matches(&with(name), API, 1), "{name} is kept");
    }
}
