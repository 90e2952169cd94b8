//! Building a policy from an arbitrary configuration, in two capacities.
//! What is accepted must follow the documented rules, and work: each
//! configured origin, method and header is then tried in requests.
#![no_main]

use corsguard::{Capacity, ConfigError, Policy, Request};
use corsguard_fuzz::input::FuzzConfig;
use corsguard_fuzz::{check_accepted_config, evaluate_and_check, SmallPolicy};
use libfuzzer_sys::fuzz_target;

fn error_is_readable(e: &ConfigError<'_>) {
    assert!(!e.to_string().is_empty() && !e.code().is_empty());
}

fuzz_target!(|cfg: FuzzConfig| {
    cfg.with_config(|config| {
        let small = SmallPolicy::new(config);
        let large = Policy::<256, 64, 16384>::new(config);
        if let Err(e) = &small {
            error_is_readable(e);
        }
        if let Err(e) = &large {
            error_is_readable(e);
        }
        // A larger capacity accepts whatever a smaller one does; a smaller
        // one refuses what fits the larger only by a capacity error.
        match (&small, &large) {
            (Ok(_), Err(e)) => panic!("the large policy refused what the small one took: {e:?}"),
            (Err(e), Ok(_)) => assert!(
                matches!(e, ConfigError::CapacityExceeded { capacity, .. } if *capacity != Capacity::DecisionHeaders),
                "the small policy refused with {e:?}"
            ),
            (Err(a), Err(b)) if !matches!(a, ConfigError::CapacityExceeded { .. }) => {
                assert_eq!(a, b, "the same configuration, two errors")
            }
            _ => {}
        }
        let Ok(policy) = large else {
            return;
        };
        assert!(policy.origins_used() <= 256 && policy.bytes_used() <= 16384);
        check_accepted_config(&cfg);
        let methods: Vec<&[u8]> = cfg
            .methods
            .listed()
            .iter()
            .map(|m| m.as_bytes())
            .chain([&b"PUT"[..], b"GET"])
            .take(4)
            .collect();
        let headers = cfg.allowed_headers.listed().join(",");
        let shouted = headers.to_ascii_uppercase();
        for origin in cfg.origins.iter().chain(&cfg.fixed_origin).take(4) {
            let origin = origin.as_bytes();
            evaluate_and_check(&cfg, &policy, &Request::new(b"GET").origin(origin));
            for &method in &methods {
                for requested in [headers.as_bytes(), shouted.as_bytes()] {
                    let preflight = Request::new(b"OPTIONS")
                        .origin(origin)
                        .request_method(method)
                        .request_headers(requested);
                    evaluate_and_check(&cfg, &policy, &preflight);
                    evaluate_and_check(&cfg, &policy, &preflight.request_private_network(b"true"));
                }
            }
        }
    });
});
