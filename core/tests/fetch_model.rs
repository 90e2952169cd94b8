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
