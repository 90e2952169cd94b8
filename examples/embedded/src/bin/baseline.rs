//! The device image without corsguard: the same start, painting, output and
//! exit, so that `size(device) - size(baseline)` is what corsguard adds
//! (policy construction, evaluate, the policy's configuration).
#![no_std]
#![no_main]

use core::hint::black_box;

use corsguard_embedded::{check_room, exit, peak_stack, println, report};
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    check_room();
    let ((), build_stack) = peak_stack(|| black_box(()));
    let ((), evaluate_stack) = peak_stack(|| black_box(()));
    report(black_box(0), black_box(0), build_stack, evaluate_stack);
    println!(
        "device: {} decisions, {} wrong",
        black_box(4usize),
        black_box(0usize)
    );
    exit(black_box(true))
}
