//! The one place where a Rust panic is stopped before it reaches C.

#[cfg(not(target_os = "none"))]
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::result::corsguard_result;

/// Runs the body of an exported function. A panic (a bug: the core never
/// panics on any input, and this crate checks every argument) is turned into
/// `CORSGUARD_RESULT_PANIC`; unwinding into C would be undefined behaviour.
///
/// `AssertUnwindSafe` is sound here: after a panic the only state the caller
/// can observe is what the function wrote through its output pointers, and
/// every function documents its outputs as unspecified on error.
#[cfg(not(target_os = "none"))]
pub(crate) fn guard(body: impl FnOnce() -> corsguard_result) -> corsguard_result {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(corsguard_result::Panic)
}

/// On a bare-metal target panics abort (bare_metal.rs): nothing unwinds.
#[cfg(target_os = "none")]
pub(crate) fn guard(body: impl FnOnce() -> corsguard_result) -> corsguard_result {
    body()
}

/// Like [`guard`], for a body that reports errors with `?`.
pub(crate) fn guard_try(body: impl FnOnce() -> Result<(), corsguard_result>) -> corsguard_result {
    guard(|| match body() {
        Ok(()) => corsguard_result::Ok,
        Err(code) => code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_code() {
        let code = guard(|| panic!("a bug"));
        assert_eq!(code, corsguard_result::Panic);
        assert_eq!(guard(|| corsguard_result::Ok), corsguard_result::Ok);
        assert_eq!(
            guard_try(|| Err(corsguard_result::NullPointer)),
            corsguard_result::NullPointer
        );
    }
}
