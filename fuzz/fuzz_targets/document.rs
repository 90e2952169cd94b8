//! Loading arbitrary bytes as a policy document. The loader must never
//! panic; every problem it reports must be usable (a code, a JSON pointer,
//! a rule and a fix); and what it accepts must work: each served policy
//! answers a request for any path without a header value holding CR, LF or
//! NUL.
#![no_main]

use corsguard::{Document, Policy, Request};
use corsguard::capacity::{CapacityClass, LargePolicy};
use corsguard::document::{PolicySlots, Rebuild};
use libfuzzer_sys::fuzz_target;

/// Every served policy in the largest class, whatever class is asked for:
/// the estimate only saves memory, it never changes what is accepted.
struct Slots(Vec<Box<LargePolicy>>);

impl PolicySlots for Slots {
    fn slot(&mut self, index: usize, _: CapacityClass) -> &mut dyn Rebuild {
        while self.0.len() <= index {
            self.0.push(Box::new(Policy::empty()));
        }
        &mut *self.0[index]
    }
}

fuzz_target!(|data: &[u8]| {
    let (json, path) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"/"[..]),
    };
    let document = match Document::parse(json) {
        Ok(document) => document,
        Err(errors) => {
            assert_eq!(errors.problems().len(), 1, "{errors}");
            return;
        }
    };
    let mut slots = Slots(Vec::new());
    match document.build_all(&mut slots) {
        Err(errors) => {
            assert!(!errors.problems().is_empty());
            for problem in errors.problems() {
                assert!(!problem.code().is_empty(), "{problem}");
                assert!(
                    problem.path().is_empty() || problem.path().starts_with('/'),
                    "{problem}"
                );
                assert!(!problem.rule().is_empty(), "{problem}");
            }
        }
        Ok(()) => {
            let _ = document.findings();
            let served = document.policy_names().count();
            if let Some(index) = document.route(path) {
                assert!(index < served);
                let request = Request::new(b"OPTIONS")
                    .origin(b"https://app.example.com")
                    .request_method(b"PUT")
                    .request_headers(b"content-type");
                let decision = slots.0[index].evaluate(&request);
                for header in decision.headers() {
                    assert!(!header.value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)));
                }
            }
        }
    }
});
