//! Origin and origin-pattern parsing, through the public API: a policy built
//! from one arbitrary allowed-origin entry, judging arbitrary `Origin` bytes.
//!
//! Input: flags byte (bit 0 credentials, 1 origin verdict, 2 the request's
//! verdict), profile byte, the entry (a string), then the `Origin` bytes.
#![no_main]

use arbitrary::Unstructured;
use corsguard::Request;
use corsguard_fuzz::input::{byte, text, FuzzConfig, Names, profile_name};
use corsguard_fuzz::{check_accepted_config, evaluate_and_check};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let flags = byte(&mut u);
    let profile = profile_name(byte(&mut u));
    let entry = text(&mut u);
    let origin = u.take_rest();
    let cfg = FuzzConfig {
        profile,
        small_capacity: false,
        origins: vec![entry],
        fixed_origin: None,
        origin_verdict: flags & 2 != 0,
        methods: Names::List(vec![]),
        allowed_headers: Names::List(vec![]),
        exposed_headers: Names::List(vec![]),
        credentials: flags & 1 != 0,
        max_age: None,
        private_network: false,
        preflight_continue: false,
        preflight_status: 204,
    };
    let verdict = flags & 4 != 0;
    cfg.with_config(|config| {
        let Ok(policy) = corsguard::Policy::<4, 4, 1024>::new(config) else {
            return;
        };
        check_accepted_config(&cfg);
        let entry = cfg.origins[0].as_bytes();
        for origin in [origin, entry] {
            let actual = Request::new(b"GET").origin(origin);
            let preflight = Request::new(b"OPTIONS")
                .origin(origin)
                .request_method(b"GET");
            for request in [actual, preflight] {
                evaluate_and_check(&cfg, &policy, &request);
                evaluate_and_check(&cfg, &policy, &request.origin_verdict(verdict));
            }
        }
    });
});
