//! What the three images of this example share: how a run ends (semihosting
//! exit, which QEMU turns into its exit status), the hard-fault handler, and
//! stack painting.
#![no_std]

use core::panic::PanicInfo;

use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};

pub use cortex_m_semihosting::hprintln as println;

/// Ends the run: QEMU exits with status 0 on success, 1 otherwise.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Semihosting exit does not return under QEMU; on hardware without a
    // debugger, stop here.
    loop {
        cortex_m::asm::bkpt();
    }
}

/// The vectors image says what panicked; the device and baseline images,
/// whose size is measured, print a fixed line, as a firmware's halting
/// panic handler would: formatting the panic's message and location would
/// add the formatting machinery to the size counted for corsguard.
#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    #[cfg(feature = "loader")]
    hprintln!("panic: {}", info);
    #[cfg(not(feature = "loader"))]
    {
        let _ = info;
        hprintln!("panic");
    }
    exit(false)
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("hard fault at pc {:#010x}", frame.pc());
    exit(false)
}

/// The word painted below the stack pointer before a measured call.
const PAINT: u32 = 0xC0DE_5AFE;

/// How far below the stack pointer `peak_stack` paints: larger than any
/// bound it checks.
pub const PAINTED: usize = 32 * 1024;

/// Runs `f` and returns its result and the peak stack it used, in bytes:
/// the region below the stack pointer is painted, `f` runs, and the lowest
/// word no longer holding the paint marks the deepest point its frames
/// reached. Nothing else runs meanwhile (no interrupts are enabled).
#[inline(never)]
pub fn peak_stack<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let top = cortex_m::register::msp::read() as usize & !3;
    let bottom = top - PAINTED;
    // SAFETY: [bottom, top) lies below the stack pointer: memory no live
    // frame uses (memory.x gives the stack all RAM above the statics, and
    // the images check that it reaches `bottom`, see `check_room`).
    unsafe {
        let mut at = bottom;
        while at < top {
            core::ptr::write_volatile(at as *mut u32, PAINT);
            at += 4;
        }
    }
    let result = core::hint::black_box(f());
    let mut lowest = top;
    let mut at = bottom;
    while at < top {
        // SAFETY: as above; reading words of the painted region.
        if unsafe { core::ptr::read_volatile(at as *const u32) } != PAINT {
            lowest = at;
            break;
        }
        at += 4;
    }
    (result, top - lowest)
}

/// Fails the run unless the stack has room for `peak_stack`'s painting
/// below the current stack pointer.
pub fn check_room() {
    extern "C" {
        static mut __ebss: u32;
    }
    let end_of_statics = core::ptr::addr_of!(__ebss) as usize;
    let sp = cortex_m::register::msp::read() as usize;
    if sp < end_of_statics + PAINTED + 1024 {
        hprintln!("stack painting: no room below the stack pointer");
        exit(false);
    }
}

/// The figures line both the device image and the baseline print, so that
/// the two images differ only by corsguard.
pub fn report(
    policy_bytes: usize,
    decision_bytes: usize,
    build_stack: usize,
    evaluate_stack: usize,
) {
    hprintln!(
        "RAM: policy {} bytes, decision {} bytes; peak stack: construction {} bytes, evaluate {} bytes",
        policy_bytes,
        decision_bytes,
        build_stack,
        evaluate_stack
    );
}
