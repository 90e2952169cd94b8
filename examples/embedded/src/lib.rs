//! A bare-metal program's use of corsguard, to measure what it costs there:
//! `make size-embedded` builds it for `thumbv7em-none-eabihf` and prints the
//! code size and the RAM the policy and a decision take.
#![no_std]
// No `unsafe` here; `#[no_mangle]` (which Rust counts as unsafe code) only
// names the exported symbols.

use corsguard::{AllowedHeaders, Config, Methods, Policy, Request};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}

/// A small device's policy: its web UI and any port on a subdomain pattern.
const CONFIG: Config<'static> = Config::new()
    .allowed_origins(&["http://192.168.1.10", "https://*.example.com"])
    .allowed_methods(Methods::List(&["GET", "POST", "PUT"]))
    .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
    .credentials(true)
    .max_age(600);

/// The policy type: 8 origins, 8 names, 1 KiB of stored values.
pub type DevicePolicy = Policy<8, 8, 1024>;

/// Symbols as large as a policy and a decision on this target, so that
/// `size.sh` reads their sizes from the object file (`nm -S`).
#[no_mangle]
pub static CORSGUARD_POLICY_SIZE_PROBE: [u8; core::mem::size_of::<DevicePolicy>()] =
    [0; core::mem::size_of::<DevicePolicy>()];
/// See [`CORSGUARD_POLICY_SIZE_PROBE`].
#[no_mangle]
pub static CORSGUARD_DECISION_SIZE_PROBE: [u8;
    core::mem::size_of::<corsguard::Decision<'static>>()] =
    [0; core::mem::size_of::<corsguard::Decision<'static>>()];

/// Builds the policy (on the stack, no heap) and judges a preflight from one
/// of two origins; returns how many headers the answer has.
#[no_mangle]
pub extern "C" fn corsguard_judge(which: usize) -> usize {
    let mut policy = DevicePolicy::empty();
    if !corsguard_build(&mut policy) {
        return 0;
    }
    corsguard_evaluate(&policy, which)
}

/// Builds the policy where it lives (a firmware's `static`, here the
/// caller's memory), as `rebuild` does it: no policy-sized temporary.
/// `size.sh` reports the stack this needs.
#[no_mangle]
pub extern "C" fn corsguard_build(slot: &mut DevicePolicy) -> bool {
    slot.rebuild(&CONFIG).is_ok()
}

/// Judges a preflight with a policy built by [`corsguard_build`]; `size.sh`
/// reports the stack this needs.
#[no_mangle]
pub extern "C" fn corsguard_evaluate(policy: &DevicePolicy, which: usize) -> usize {
    const ORIGINS: [&[u8]; 2] = [b"http://192.168.1.10", b"https://ui.example.com"];
    let origin = ORIGINS[core::hint::black_box(which) % ORIGINS.len()];
    let request = Request::new(b"OPTIONS")
        .origin(origin)
        .request_method(b"PUT")
        .request_headers(b"content-type");
    policy.evaluate(&request).headers().len()
}
