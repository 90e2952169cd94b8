//! The vectors image's heap: the core's document loader needs `alloc` while
//! it reads a document (its strings, its error list); the policy it builds
//! and `evaluate` need none. A bump allocator over a static arena, emptied
//! between cases, and a switch that counts every allocation made while it
//! is on: evaluate runs with it on, so an allocation there fails the run.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Room for the largest case: a 1 MiB request header and its document.
const ARENA: usize = 2 * 1024 * 1024 + 512 * 1024;

pub struct Bump {
    arena: UnsafeCell<[u8; ARENA]>,
    next: AtomicUsize,
    high: AtomicUsize,
    forbidden: AtomicBool,
    forbidden_allocations: AtomicUsize,
}

// SAFETY: one thread, no interrupts; the offsets are atomics.
unsafe impl Sync for Bump {}

impl Bump {
    pub const fn new() -> Self {
        Bump {
            arena: UnsafeCell::new([0; ARENA]),
            next: AtomicUsize::new(0),
            high: AtomicUsize::new(0),
            forbidden: AtomicBool::new(false),
            forbidden_allocations: AtomicUsize::new(0),
        }
    }

    /// Frees everything: the caller holds nothing allocated any more.
    pub fn reset(&self) {
        self.next.store(0, Ordering::Relaxed);
    }

    /// Counts (and still serves) every allocation from now until `allow`.
    pub fn forbid(&self) {
        self.forbidden.store(true, Ordering::Relaxed);
    }

    pub fn allow(&self) {
        self.forbidden.store(false, Ordering::Relaxed);
    }

    /// Allocations made while forbidden, since the start.
    pub fn forbidden_allocations(&self) -> usize {
        self.forbidden_allocations.load(Ordering::Relaxed)
    }

    /// The most of the arena in use at once, in bytes.
    pub fn high_water(&self) -> usize {
        self.high.load(Ordering::Relaxed)
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.forbidden.load(Ordering::Relaxed) {
            self.forbidden_allocations.fetch_add(1, Ordering::Relaxed);
        }
        let base = self.arena.get() as usize;
        let start =
            (base + self.next.load(Ordering::Relaxed) + layout.align() - 1) & !(layout.align() - 1);
        let end = start - base + layout.size();
        if end > ARENA {
            return core::ptr::null_mut();
        }
        self.next.store(end, Ordering::Relaxed);
        self.high.fetch_max(end, Ordering::Relaxed);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // The last block is given back (a growing Vec's old buffer often is).
        let base = self.arena.get() as usize;
        if ptr as usize + layout.size() == base + self.next.load(Ordering::Relaxed) {
            self.next.store(ptr as usize - base, Ordering::Relaxed);
        }
    }
}
