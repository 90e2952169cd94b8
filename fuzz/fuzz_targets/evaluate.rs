//! Evaluation: an arbitrary configuration and up to eight arbitrary
//! requests, each decision checked against the invariants and the model.
#![no_main]

use corsguard::Policy;
use corsguard_fuzz::input::FuzzCase;
use corsguard_fuzz::{check_accepted_config, evaluate_and_check, SmallPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|case: FuzzCase| {
    let cfg = &case.config;
    cfg.with_config(|config| {
        if cfg.small_capacity {
            let Ok(policy) = SmallPolicy::new(config) else {
                return;
            };
            check_accepted_config(cfg);
            for request in &case.requests {
                evaluate_and_check(cfg, &policy, &request.as_request());
            }
        } else {
            let Ok(policy) = Policy::<256, 64, 16384>::new(config) else {
                return;
            };
            check_accepted_config(cfg);
            for request in &case.requests {
                evaluate_and_check(cfg, &policy, &request.as_request());
            }
        }
    });
});
