//! libcorsguard: the C API of corsguard.
//!
//! This crate only translates. C strings arrive as `(pointer, length)` byte
//! ranges, the configuration builder writes them into a policy document (or
//! `corsguard_policy_from_json` is given one) that the core's `Document`
//! loader reads, the core validates and precomputes a `Policy`, and
//! `corsguard_evaluate`
//! copies the core's `Decision` into a plain C struct whose strings borrow
//! from the policy and the request. No CORS rule lives here.
//!
//! Every exported function:
//! - checks each pointer it is given before using it (NULL is an error code,
//!   never a crash),
//! - runs its body inside `boundary::guard`, so a Rust panic becomes
//!   `CORSGUARD_RESULT_PANIC` instead of unwinding into C,
//! - reports through a `corsguard_result` (or, for pure lookups of static
//!   strings, returns a `corsguard_str`).
//!
//! The header `include/corsguard.h` is generated from this crate by cbindgen
//! (configuration: `cbindgen.toml`); the doc comments here become its docs.
#![allow(non_camel_case_types)]
#![deny(missing_docs)]
// On a bare-metal target (thumbv7em-none-eabihf) the library needs no `std`:
// `alloc` stands in for it, over the C library's malloc (bare_metal.rs).
#![cfg_attr(target_os = "none", no_std)]

#[cfg(target_os = "none")]
extern crate alloc as std;
/// cbindgen:ignore
#[cfg(target_os = "none")]
mod bare_metal;

mod boundary;
mod config;
mod decision;
mod document;
mod policy;
mod result;
mod routes;
mod strings;

pub use config::*;
pub use decision::*;
pub use document::*;
pub use policy::*;
pub use result::*;
pub use routes::*;
pub use strings::*;

/// The major version of libcorsguard.
pub const CORSGUARD_VERSION_MAJOR: u32 = 0;
/// The minor version of libcorsguard.
pub const CORSGUARD_VERSION_MINOR: u32 = 1;
/// The patch version of libcorsguard.
pub const CORSGUARD_VERSION_PATCH: u32 = 0;
/// The version as one number, `MAJOR * 10000 + MINOR * 100 + PATCH`, for
/// `#if CORSGUARD_VERSION_NUMBER >= ...` checks.
pub const CORSGUARD_VERSION_NUMBER: u32 =
    CORSGUARD_VERSION_MAJOR * 10000 + CORSGUARD_VERSION_MINOR * 100 + CORSGUARD_VERSION_PATCH;

/// The library's version, `"MAJOR.MINOR.PATCH"`, as a static string (also
/// NUL-terminated). Compare it with the `CORSGUARD_VERSION_*` macros to tell
/// the header's version from the linked library's.
#[no_mangle]
pub extern "C" fn corsguard_version() -> corsguard_str {
    corsguard_str::from_static(concat!(env!("CARGO_PKG_VERSION"), "\0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_the_crate_version() {
        let expected = format!(
            "{CORSGUARD_VERSION_MAJOR}.{CORSGUARD_VERSION_MINOR}.{CORSGUARD_VERSION_PATCH}"
        );
        assert_eq!(corsguard_version().as_bytes(), expected.as_bytes());
    }
}
