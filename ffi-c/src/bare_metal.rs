//! What `std` gives the library elsewhere, on a bare-metal target
//! (`target_os = "none"`, e.g. thumbv7em-none-eabihf): the prelude's heap
//! types, a global allocator over the C library's `memalign`/`free` (the
//! firmware links newlib or its own), a panic handler that calls `abort`,
//! and a `OnceLock` for single-threaded firmware.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The part of std's prelude this crate uses.
pub(crate) mod prelude {
    pub(crate) use std::borrow::ToOwned;
    pub(crate) use std::boxed::Box;
    pub(crate) use std::format;
    pub(crate) use std::string::{String, ToString};
    pub(crate) use std::vec::Vec;
}

extern "C" {
    fn memalign(align: usize, size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
    fn abort() -> !;
}

struct CAllocator;

// SAFETY: memalign returns memory of at least `size` bytes aligned to
// `align`, or NULL; free takes what it returned.
unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        memalign(layout.align(), layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        free(ptr)
    }
}

#[global_allocator]
static ALLOCATOR: CAllocator = CAllocator;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: the C library's abort ends the program.
    unsafe { abort() }
}

/// A value made once and kept: the first `get_or_init` stores it.
pub(crate) struct OnceLock<T>(AtomicPtr<T>);

impl<T> OnceLock<T> {
    pub(crate) const fn new() -> Self {
        OnceLock(AtomicPtr::new(core::ptr::null_mut()))
    }

    pub(crate) fn get_or_init(&self, make: impl FnOnce() -> T) -> &T {
        let mut current = self.0.load(Ordering::Acquire);
        if current.is_null() {
            let made = prelude::Box::into_raw(prelude::Box::new(make()));
            current = match self.0.compare_exchange(
                core::ptr::null_mut(),
                made,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => made,
                // SAFETY: `made` was never shared; another caller stored first.
                Err(first) => {
                    drop(unsafe { prelude::Box::from_raw(made) });
                    first
                }
            };
        }
        // SAFETY: stored once, never freed.
        unsafe { &*current }
    }
}
