//! A device's policy, as firmware keeps it: built once from a `Config` into
//! a `static`, with no allocator in the image, then asked about requests.
//! Prints the RAM of the policy and of a decision and the peak stack of
//! construction and of one evaluate, measured by stack painting, and fails
//! when a decision is wrong or a stack bound is exceeded.
#![no_std]
#![no_main]

use corsguard::capacity::SmallPolicy;
use corsguard::{Action, AllowedHeaders, Config, Decision, HeaderName, Methods, Request};
use corsguard_embedded::{check_room, exit, peak_stack, println, report};
use cortex_m_rt::entry;

/// The bounds this project promises for the small class.
const BUILD_STACK_BOUND: usize = 8 * 1024;
const EVALUATE_STACK_BOUND: usize = 2 * 1024;

/// A small device's policy: its web UI and a subdomain pattern.
const CONFIG: Config<'static> = Config::new()
    .allowed_origins(&["http://192.168.1.10", "https://*.example.com"])
    .allowed_methods(Methods::List(&["GET", "POST", "PUT"]))
    .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
    .credentials(true)
    .max_age(600);

/// The policy, in RAM from reset on (`.bss`): never moved, never on the stack.
static mut POLICY: SmallPolicy = SmallPolicy::empty();

#[inline(never)]
fn build(policy: &mut SmallPolicy) -> bool {
    policy.rebuild(&CONFIG).is_ok()
}

#[inline(never)]
fn evaluate<'a>(policy: &'a SmallPolicy, request: &Request<'a>) -> Decision<'a> {
    policy.evaluate(request)
}

#[entry]
fn main() -> ! {
    check_room();
    // SAFETY: the only reference to POLICY, taken once; no interrupts.
    let policy = unsafe { &mut *core::ptr::addr_of_mut!(POLICY) };
    let (built, build_stack) = peak_stack(|| build(policy));
    if !built {
        println!("device: the policy was refused");
        exit(false);
    }
    let policy: &SmallPolicy = policy;

    // (request, allowed, answered now with this status: a refused
    // preflight is answered 403 in the strict profile)
    let long_headers = [b'a'; 600];
    let cases: [(Request<'_>, bool, Option<u16>); 4] = [
        (
            Request::new(b"OPTIONS")
                .origin(b"https://ui.example.com")
                .request_method(b"PUT")
                .request_headers(b"content-type, x-request-id"),
            true,
            Some(204),
        ),
        (
            Request::new(b"GET").origin(b"http://192.168.1.10"),
            true,
            None,
        ),
        (
            Request::new(b"GET").origin(b"https://example.com.evil.test"),
            false,
            None,
        ),
        (
            Request::new(b"OPTIONS")
                .origin(b"http://192.168.1.10")
                .request_method(b"PUT")
                .request_headers(&long_headers),
            false,
            Some(403),
        ),
    ];
    let mut evaluate_stack = 0;
    let mut wrong = 0usize;
    for (request, allowed, status) in &cases {
        let (decision, used) = peak_stack(|| evaluate(policy, request));
        evaluate_stack = evaluate_stack.max(used);
        let answered = match decision.action() {
            Action::Respond { status } => Some(status),
            Action::Continue => None,
        };
        let origin_ok = !allowed || decision.header(HeaderName::AllowOrigin) == request.origin;
        if decision.is_allowed() != *allowed || answered != *status || !origin_ok {
            wrong += 1;
        }
    }
    report(
        core::mem::size_of::<SmallPolicy>(),
        core::mem::size_of::<Decision<'static>>(),
        build_stack,
        evaluate_stack,
    );
    let over = build_stack > BUILD_STACK_BOUND || evaluate_stack > EVALUATE_STACK_BOUND;
    if over {
        println!(
            "device: stack over its bound (construction <= {} bytes, evaluate <= {} bytes)",
            BUILD_STACK_BOUND, EVALUATE_STACK_BOUND
        );
    }
    println!("device: {} decisions, {} wrong", cases.len(), wrong);
    exit(wrong == 0 && !over)
}
