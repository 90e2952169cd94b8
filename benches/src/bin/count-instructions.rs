//! Runs one case's `Policy::evaluate` a given number of times, for callgrind
//! to count (`benches/instructions.sh`, `make bench-instructions`):
//!
//!     count-instructions CASE actual|preflight N
//!
//! CASE is a name of `corsguard_benches::cases()` (`exact_16`, `pattern`,
//! ...). Two runs with different N, under callgrind, differ by exactly the
//! instructions of the extra evaluations: building the policy and starting
//! the process cancel out.

use std::hint::black_box;
use std::process::ExitCode;

use corsguard_benches::{cases, corsguard_actual, corsguard_policy, corsguard_preflight};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, kind, n] = args.as_slice() else {
        eprintln!("usage: count-instructions CASE actual|preflight N");
        return ExitCode::from(2);
    };
    let Some(case) = cases().into_iter().find(|c| c.name == case) else {
        let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
        eprintln!(
            "count-instructions: unknown case {case} ({})",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<u64>() else {
        eprintln!("count-instructions: N must be a number");
        return ExitCode::from(2);
    };
    let policy = corsguard_policy(&case);
    let request = match kind.as_str() {
        "actual" => corsguard_actual(case.hit.as_bytes()),
        "preflight" => corsguard_preflight(case.hit.as_bytes()),
        _ => {
            eprintln!("count-instructions: the kind is actual or preflight");
            return ExitCode::from(2);
        }
    };
    assert!(
        policy.evaluate(&request).is_allowed(),
        "the case's request is allowed"
    );
    let mut allowed = 0u64;
    for _ in 0..n {
        allowed += u64::from(policy.evaluate(black_box(&request)).is_allowed());
    }
    black_box(allowed);
    ExitCode::SUCCESS
}
