//! `Access-Control-Request-Headers` parsing: arbitrary header bytes in a
//! preflight against listed, `*` and mirroring policies.
//!
//! Input: flags byte (bit 0 credentials), profile byte, mode byte (% 3: a
//! list, `*`, mirror), the list when listed, then the header bytes.
#![no_main]

use arbitrary::Unstructured;
use corsguard::Request;
use corsguard_fuzz::input::{byte, list, FuzzConfig, Names, profile_name};
use corsguard_fuzz::{check_accepted_config, evaluate_and_check};
use libfuzzer_sys::fuzz_target;

const ORIGIN: &str = "https://app.example.com";

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let flags = byte(&mut u);
    let profile = profile_name(byte(&mut u));
    let allowed_headers = match byte(&mut u) % 3 {
        1 => Names::Any,
        2 => Names::Mirror,
        _ => Names::List(list(&mut u)),
    };
    let requested = u.take_rest();
    let cfg = FuzzConfig {
        profile,
        small_capacity: false,
        origins: vec![ORIGIN.to_owned()],
        fixed_origin: None,
        origin_verdict: false,
        methods: Names::List(vec!["GET".to_owned()]),
        allowed_headers,
        exposed_headers: Names::List(vec![]),
        credentials: flags & 1 != 0,
        max_age: None,
        private_network: false,
        preflight_continue: false,
        preflight_status: 204,
    };
    cfg.with_config(|config| {
        let Ok(policy) = corsguard::Policy::<4, 32, 2048>::new(config) else {
            return;
        };
        check_accepted_config(&cfg);
        let preflight = Request::new(b"OPTIONS")
            .origin(ORIGIN.as_bytes())
            .request_method(b"GET")
            .request_headers(requested);
        evaluate_and_check(&cfg, &policy, &preflight);
        // The same header list on an actual request is not judged.
        evaluate_and_check(
            &cfg,
            &policy,
            &Request {
                method: b"GET",
                ..preflight
            },
        );
    });
});
