//! Building a policy in place needs a small stack, whatever its capacities:
//! each test builds on a thread with a 64 KiB stack and measures the peak by
//! stack painting (fill the stack below the current frame with a pattern,
//! build, find the lowest byte that changed).
//!
//! `cargo test -p corsguard --test stack -- --nocapture` prints the figures
//! (of a debug build, the default for tests; add `--release` for the
//! optimized ones).

use std::hint::black_box;
use std::sync::Mutex;
use std::thread;

use corsguard::{AllowedHeaders, Config, ExposedHeaders, Methods, Policy, Request};

/// The thread stack every build runs on.
const STACK: usize = 64 * 1024;
/// The documented bound of the stack a build in place needs.
const BOUND: usize = 16 * 1024;
/// How much stack below the caller is painted and watched.
const PAINTED: usize = 24 * 1024;
const PAINT: u8 = 0xa5;

type LargePolicy = Policy<4096, 256, 262144>;

/// Fills `N` bytes of the stack just below the caller's frame with `PAINT`,
/// and returns the address range they occupied.
#[inline(never)]
fn paint<const N: usize>() -> (usize, usize) {
    let mut area = [PAINT; N];
    black_box(&mut area);
    let start = area.as_ptr() as usize;
    (start, start + N)
}

/// Runs `build` and returns how many bytes of stack below this frame it
/// used (at most `PAINTED`: more is reported as `PAINTED`).
#[inline(never)]
fn peak_stack(build: impl FnOnce()) -> usize {
    peak_stack_within::<PAINTED>(build)
}

#[inline(never)]
fn peak_stack_within<const N: usize>(build: impl FnOnce()) -> usize {
    let (low, high) = paint::<N>();
    build();
    // The painted area is dead stack below this frame now. Reading it with
    // volatile reads is what stack painting is: memory outside any live
    // Rust object, read as plain bytes. Only the deepest change matters, and
    // the deepest is `build`'s (this loop's own calls stay near the top).
    let lowest = (low..high)
        // SAFETY: the addresses are in this thread's stack, below the
        // current frame: mapped, readable, and no longer any object's.
        .find(|&at| unsafe { std::ptr::read_volatile(at as *const u8) } != PAINT)
        .unwrap_or(high);
    high - lowest
}

/// Runs `f` on a thread with a `STACK`-byte stack.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    on_stack(STACK, f)
}

fn on_stack<R: Send + 'static>(size: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::Builder::new()
        .stack_size(size)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .expect("the build ran without overflowing its stack")
}

/// A configuration with many origins and names, so that the build also
/// sorts and checks for repeats in tables of some size.
fn with_origins<R>(origins: usize, f: impl FnOnce(&Config<'_>) -> R) -> R {
    let owned: Vec<String> = (0..origins)
        .map(|i| format!("https://host-{i}.example"))
        .collect();
    let origins: Vec<&str> = owned.iter().map(String::as_str).collect();
    let config = Config::new()
        .allowed_origins(&origins)
        .allowed_methods(Methods::List(&["GET", "PUT", "DELETE"]))
        .allowed_headers(AllowedHeaders::List(&["content-type", "x-request-id"]))
        .exposed_headers(ExposedHeaders::List(&["x-trace"]))
        .credentials(true)
        .max_age(600);
    f(&config)
}

#[test]
fn the_default_policy_is_rebuilt_in_place_on_a_64_kib_stack() {
    let peak = on_small_stack(|| {
        let mut policy: Box<Policy> = Box::new(Policy::empty());
        let peak = with_origins(200, |config| {
            peak_stack(|| policy.rebuild(config).expect("a valid configuration"))
        });
        let request = Request::new(b"GET").origin(b"https://host-7.example");
        assert!(policy.evaluate(&request).is_allowed());
        peak
    });
    println!("Policy (256, 64, 16384): rebuild in place used {peak} bytes of stack");
    assert!(peak <= BOUND, "{peak} bytes > {BOUND}");
}

/// A policy that lives in a `static` starts as `Policy::empty()`, a `const
/// fn`: the empty tables are never on any stack, even in a debug build.
static LARGE: Mutex<LargePolicy> = Mutex::new(Policy::empty());

#[test]
fn a_large_policy_in_a_static_is_rebuilt_on_a_64_kib_stack() {
    let peak = on_small_stack(|| {
        let mut policy = LARGE.lock().expect("not poisoned");
        let peak = with_origins(3000, |config| {
            peak_stack(|| policy.rebuild(config).expect("a valid configuration"))
        });
        assert_eq!(policy.origins_used(), 3000);
        let request = Request::new(b"GET").origin(b"https://host-2999.example");
        assert!(policy.evaluate(&request).is_allowed());
        peak
    });
    println!("Policy (4096, 256, 262144): rebuild in place used {peak} bytes of stack");
    assert!(peak <= BOUND, "{peak} bytes > {BOUND}");
}

#[test]
fn a_failed_rebuild_leaves_an_empty_policy() {
    let mut policy: Box<Policy> = Box::new(Policy::empty());
    with_origins(3, |config| policy.rebuild(config).is_ok())
        .then_some(())
        .expect("valid");
    let request = Request::new(b"GET").origin(b"https://host-1.example");
    assert!(policy.evaluate(&request).is_allowed());
    // Too many origins for 256: refused, and nothing of either build is left.
    let err = with_origins(300, |config| {
        policy.rebuild(config).map_err(|e| e.to_string())
    });
    assert!(err.unwrap_err().contains("256"));
    assert!(!policy.evaluate(&request).is_allowed());
    assert_eq!((policy.origins_used(), policy.bytes_used()), (0, 0));
}

#[test]
fn policy_new_adds_no_copy_of_the_policy_when_optimized() {
    // `Policy::new` returns the policy by value, into the caller's variable.
    // An optimized build (`--release`) builds it straight there, so at most
    // that variable (when the closure is not inlined) is counted besides the
    // build; a debug build makes a few temporary copies. Measured on a
    // roomier thread.
    let size = std::mem::size_of::<Policy>();
    let peak = on_stack(1024 * 1024, move || {
        with_origins(200, |config| {
            peak_stack_within::<{ 512 * 1024 }>(|| {
                let policy: Policy = Policy::new(config).expect("a valid configuration");
                let request = Request::new(b"GET").origin(b"https://host-7.example");
                assert!(black_box(&policy).evaluate(&request).is_allowed());
            })
        })
    });
    println!("Policy (256, 64, 16384), {size} bytes: Policy::new used {peak} bytes of stack");
    if !cfg!(debug_assertions) {
        assert!(
            peak <= 2 * size + BOUND,
            "{peak} bytes > 2 x {size} + {BOUND}"
        );
    }
}
