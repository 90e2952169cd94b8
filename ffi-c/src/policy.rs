//! `corsguard_policy`: a validated core `Policy` of one of three capacity
//! classes, on the heap or in memory the caller owns.
//!
//! Every policy, wherever it lives, is a `Stored<P>`: a small header (a magic
//! number, the class, whether the library owns the memory, and for a
//! document with routes the routing: the document and the other served
//! policies) followed by the core policy. `#[repr(C)]` puts the header first for every class, so the
//! header can be read before the class is known.

#[cfg(target_os = "none")]
use crate::bare_metal::prelude::*;
use core::ffi::c_void;
use core::mem::{align_of, size_of};
use core::ptr;
use std::alloc::{alloc, dealloc, Layout};

use corsguard_core::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard_core::document::{PolicySlots, Rebuild};
use corsguard_core::{Document, DocumentErrors, Policy};

use crate::boundary::guard_try;
use crate::config::{corsguard_config, corsguard_error};
use crate::result::corsguard_result;
use crate::routes::Routing;

/// A validated, precomputed CORS policy. Build one with
/// `corsguard_policy_new` (heap) or `corsguard_policy_init` (caller memory).
///
/// A policy is immutable once built: any number of threads may call
/// `corsguard_evaluate` on the same policy at the same time without locking.
/// It must outlive every decision evaluated with it, since their strings
/// borrow from it.
pub struct corsguard_policy {
    _opaque: [u8; 0],
}

/// The capacity of a policy: one of the core's capacity classes (the one
/// table every runtime of corsguard builds policies in). The core keeps a
/// policy in fixed-capacity tables; a configuration that does not fit a
/// class is refused with `CORSGUARD_RESULT_CAPACITY_EXCEEDED`, never
/// truncated.
///
/// | class   | origins and patterns | methods / allowed header names | bytes of origins and header values | memory |
/// |---------|------|-----|--------|---------|
/// | SMALL   | 16   | 16  | 1024   | ~1.9 KB |
/// | DEFAULT | 256  | 64  | 16384  | ~23 KB  |
/// | LARGE   | 4096 | 256 | 262144 | ~362 KB |
///
/// DEFAULT is the core's default `Policy` type. `corsguard_policy_size`
/// gives the exact size and alignment.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_capacity_class {
    /// The smallest class the configuration fits in (trying SMALL, DEFAULT,
    /// then LARGE; with caller memory, only the classes that fit in it).
    Auto = 0,
    /// 16 origins, 16 names, 1 KiB: for embedded targets.
    Small = 1,
    /// 256 origins, 64 names, 16 KiB: the core's default.
    Default = 2,
    /// 4096 origins, 256 names, 256 KiB: for large origin lists.
    Large = 3,
}

impl corsguard_capacity_class {
    /// The C class of one of the core's classes.
    pub(crate) fn of_core(class: CapacityClass) -> Self {
        match class.name {
            "small" => corsguard_capacity_class::Small,
            "default" => corsguard_capacity_class::Default,
            _ => corsguard_capacity_class::Large,
        }
    }
}

/// "CGPL": marks live policies, and is cleared when one is freed.
const MAGIC: u32 = 0x4347_504c;

#[repr(C)]
pub(crate) struct Head {
    magic: u32,
    class: corsguard_capacity_class,
    owned: bool,
    /// For a policy loaded from a document with routes: the document and its
    /// other served policies (this one is served policy 0). NULL otherwise.
    pub(crate) routing: *mut Routing,
}

#[repr(C)]
struct Stored<P> {
    head: Head,
    policy: P,
}

/// The classes to try, smallest first (the order of `CapacityClass::ALL`).
const CLASSES: [corsguard_capacity_class; 3] = [
    corsguard_capacity_class::Small,
    corsguard_capacity_class::Default,
    corsguard_capacity_class::Large,
];

fn layout_of(class: corsguard_capacity_class) -> Layout {
    match class {
        corsguard_capacity_class::Small => Layout::new::<Stored<SmallPolicy>>(),
        corsguard_capacity_class::Default => Layout::new::<Stored<DefaultPolicy>>(),
        corsguard_capacity_class::Large | corsguard_capacity_class::Auto => {
            Layout::new::<Stored<LargePolicy>>()
        }
    }
}

fn class_of(value: u32) -> Result<corsguard_capacity_class, corsguard_result> {
    use corsguard_capacity_class as C;
    [C::Auto, C::Small, C::Default, C::Large]
        .get(value as usize)
        .copied()
        .ok_or(corsguard_result::InvalidArgument)
}

/// A core policy of one of the classes.
trait Class: Sized + Rebuild + 'static {
    /// An empty policy of this class (`Policy::empty()`), to be copied where
    /// a policy is to be built.
    fn empty() -> &'static Self;
}

macro_rules! class {
    ($policy:ty) => {
        impl Class for $policy {
            fn empty() -> &'static Self {
                static EMPTY: $policy = Policy::empty();
                &EMPTY
            }
        }
    };
}
class!(SmallPolicy);
class!(DefaultPolicy);
class!(LargePolicy);

/// Writes the header (not yet marked live) and an empty policy of type `P`
/// at `mem`, copied from the static, and lends the policy out to be built.
///
/// # Safety
/// `mem` must be valid for writing a `Stored<P>` and aligned for it; the
/// policy lent out must not be used past the memory's life.
unsafe fn prepare_at<'p, P: Class>(
    mem: *mut u8,
    class: corsguard_capacity_class,
    owned: bool,
) -> &'p mut P {
    let stored = mem.cast::<Stored<P>>();
    // SAFETY: the caller guarantees `mem` is writable and aligned for
    // `Stored<P>`; `addr_of_mut!` makes no reference to the (possibly
    // uninitialized) memory. The copy is a plain memcpy from the static into
    // place (the two cannot overlap: one is the library's, the other the
    // caller's or freshly allocated). A byte copy of a valid policy is a
    // valid policy: it is plain data (fixed-capacity tables of `Copy` items
    // and `'static` references, nothing owned, nothing pointing into
    // itself), and the static is never dropped. No one else sees the copy
    // until it is marked live.
    unsafe {
        ptr::addr_of_mut!((*stored).head).write(Head {
            magic: 0,
            class,
            owned,
            routing: ptr::null_mut(),
        });
        let policy = ptr::addr_of_mut!((*stored).policy);
        ptr::copy_nonoverlapping(P::empty(), policy, 1);
        &mut *policy
    }
}

/// Marks a prepared and built policy live: from now on it is a handle.
///
/// # Safety
/// `mem` must hold a header written by `prepare_at`.
unsafe fn mark_live(mem: *mut u8) {
    // SAFETY: the head was initialized by `prepare_at`.
    unsafe { ptr::addr_of_mut!((*mem.cast::<Head>()).magic).write(MAGIC) };
}

/// Prepares an empty policy of `class` at `mem` (as `prepare_at`) and lends
/// it out as the core's `Rebuild`, whatever its class, to be built in place:
/// the tables are filled where they live, so the stack a build needs is
/// small and the same for every class. Mark it live (`mark_live`) once the
/// build has succeeded: memory where a build failed (an AUTO class too
/// small, a configuration error) holds no marker and is refused as
/// `CORSGUARD_RESULT_INVALID_HANDLE`, even when it held a live policy
/// before.
///
/// The empty policy is copied from a static, not written by value: writing
/// a policy-sized value goes through a stack temporary (in an unoptimized
/// build always, and rustc 1.95 does it in a release build too, for the
/// caller's memory and a fresh allocation alike), which is what made
/// building a LARGE policy need more than 1 MB of stack. The price is the
/// empty policies' bytes in the library (about 355 KB, most of it the LARGE
/// class's).
///
/// # Safety
/// `mem` must be valid for writing `layout_of(class)` and aligned for it.
unsafe fn prepare_class<'p>(
    mem: *mut u8,
    class: corsguard_capacity_class,
    owned: bool,
) -> &'p mut dyn Rebuild {
    // SAFETY (all three): forwarded; `layout_of(class)` is the layout of
    // the `Stored<P>` of that class.
    match class {
        corsguard_capacity_class::Small => unsafe { prepare_at::<SmallPolicy>(mem, class, owned) },
        corsguard_capacity_class::Default => unsafe {
            prepare_at::<DefaultPolicy>(mem, class, owned)
        },
        corsguard_capacity_class::Large | corsguard_capacity_class::Auto => unsafe {
            prepare_at::<LargePolicy>(mem, corsguard_capacity_class::Large, owned)
        },
    }
}

/// The policy prepared at `mem` by `prepare_class`, lent out again.
///
/// # Safety
/// `mem` must hold a policy of `class` prepared by `prepare_class`.
unsafe fn rebuild_ref<'p>(mem: *mut u8, class: corsguard_capacity_class) -> &'p mut dyn Rebuild {
    // SAFETY (all three): the caller guarantees a `Stored<P>` of this class.
    match class {
        corsguard_capacity_class::Small => unsafe {
            &mut (*mem.cast::<Stored<SmallPolicy>>()).policy
        },
        corsguard_capacity_class::Default => unsafe {
            &mut (*mem.cast::<Stored<DefaultPolicy>>()).policy
        },
        corsguard_capacity_class::Large | corsguard_capacity_class::Auto => unsafe {
            &mut (*mem.cast::<Stored<LargePolicy>>()).policy
        },
    }
}

/// Fresh heap memory for a policy of `class`.
fn alloc_class(class: corsguard_capacity_class) -> *mut u8 {
    let layout = layout_of(class);
    // SAFETY: the layout has a non-zero size.
    let mem = unsafe { alloc(layout) };
    if mem.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    mem
}

/// The served policies of a document as the core builds them: one heap
/// policy per served policy, of the class the core asks for, prepared in
/// place. Whatever is still held when this is dropped (a failed build) is
/// released.
struct HeapSlots(Vec<Option<(*mut u8, corsguard_capacity_class)>>);

impl PolicySlots for HeapSlots {
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        let class = corsguard_capacity_class::of_core(class);
        if self.0.len() <= index {
            self.0.resize(index + 1, None);
        }
        if let Some((mem, held)) = self.0[index] {
            if held == class {
                // SAFETY: prepared by `prepare_class` with this class.
                return unsafe { rebuild_ref(mem, class) };
            }
            // Asked again with another class: replace it.
            self.0[index] = None;
            // SAFETY: allocated by `alloc_class(held)`, never marked live,
            // so no handle to it exists; a policy holds nothing to drop.
            unsafe { dealloc(mem, layout_of(held)) };
        }
        let mem = alloc_class(class);
        self.0[index] = Some((mem, class));
        // SAFETY: allocated just above with `layout_of(class)`.
        unsafe { prepare_class(mem, class, true) }
    }
}

impl Drop for HeapSlots {
    fn drop(&mut self) {
        for (mem, class) in self.0.drain(..).flatten() {
            // SAFETY: allocated by `alloc_class(class)` and never handed out.
            unsafe { dealloc(mem, layout_of(class)) };
        }
    }
}

/// Builds every served policy of `document` on the heap, each in the class
/// the core picks (it escalates on capacity errors itself), and returns the
/// handle: served policy 0, which for a document with routes also owns the
/// document and the other served policies. On failure nothing is kept.
pub(crate) fn build_document_on_heap(
    document: Document,
) -> Result<*mut corsguard_policy, DocumentErrors> {
    let mut slots = HeapSlots(Vec::new());
    document.build_all(&mut slots)?;
    assert!(
        slots.0.iter().all(Option::is_some),
        "the core built every served policy"
    );
    if slots.0.is_empty() {
        // Routes that all say `null`: no policy serves anything. The handle
        // is then an empty (allow-nothing) SMALL policy that no path reaches.
        let mem = alloc_class(corsguard_capacity_class::Small);
        // SAFETY: allocated just above for this class.
        unsafe { prepare_class(mem, corsguard_capacity_class::Small, true) };
        slots.0.push(Some((mem, corsguard_capacity_class::Small)));
    }
    let built: Vec<*mut u8> = slots.0.iter().flatten().map(|(mem, _)| *mem).collect();
    // Ours now: `slots` releases nothing.
    slots.0.clear();
    for &mem in &built {
        // SAFETY: prepared by `prepare_class` and built by the core.
        unsafe { mark_live(mem) };
    }
    let handle = built[0];
    if document.has_routes() {
        let routing = Routing::new(document, built[1..].iter().map(|m| m.cast()).collect());
        // SAFETY: `handle` holds a live header written by `prepare_at`.
        unsafe { (*handle.cast::<Head>()).routing = Box::into_raw(Box::new(routing)) };
    } else {
        assert_eq!(
            built.len(),
            1,
            "a document without routes serves one policy"
        );
    }
    Ok(handle.cast())
}

/// Where a policy is to be built.
enum Memory {
    /// Allocate each class tried on the heap.
    Heap,
    /// The caller's memory.
    Caller { mem: *mut u8, len: usize },
}

/// Builds `config` into a policy of `class` (or, for AUTO, of the smallest
/// class that builds), returning where it lives. Configuration errors are
/// recorded in `config` and copied to `error_out`.
///
/// # Safety
/// For `Memory::Caller`, `mem` must be writable for `len` bytes.
unsafe fn build(
    config: &mut corsguard_config,
    class: corsguard_capacity_class,
    memory: Memory,
    error_out: *mut corsguard_error,
) -> Result<*mut corsguard_policy, corsguard_result> {
    let classes: &[corsguard_capacity_class] = match class {
        corsguard_capacity_class::Auto => &CLASSES,
        _ => core::slice::from_ref(&class),
    };
    if let Memory::Caller { mem, len } = memory {
        // With AUTO, classes bigger than the memory are not tried; with an
        // explicit class, memory too small for it is an error.
        let fits = |c: &corsguard_capacity_class| layout_of(*c).size() <= len;
        if !classes.iter().any(fits) {
            return Err(corsguard_result::MemoryTooSmall);
        }
        let align = classes
            .iter()
            .filter(|c| fits(c))
            .map(|c| layout_of(*c).align())
            .max()
            .unwrap_or(1);
        if (mem as usize) % align != 0 {
            return Err(corsguard_result::BadAlignment);
        }
    }
    let mut last = None;
    let document = config.document();
    if let Ok(document) = &document {
        for &class in classes {
            let layout = layout_of(class);
            let (mem, owned) = match memory {
                Memory::Heap => (alloc_class(class), true),
                Memory::Caller { mem, len } if layout.size() <= len => (mem, false),
                Memory::Caller { .. } => continue,
            };
            // SAFETY: `mem` is writable for `layout` (allocated with it, or
            // the caller's memory checked for size and alignment above).
            let policy = unsafe { prepare_class(mem, class, owned) };
            match config.build_into(document, policy) {
                Ok(()) => {
                    // SAFETY: prepared just above, and built.
                    unsafe { mark_live(mem) };
                    return Ok(mem.cast::<corsguard_policy>());
                }
                Err(errors) => {
                    if owned {
                        // SAFETY: allocated just above with this layout,
                        // never marked live; a policy holds nothing to drop.
                        unsafe { dealloc(mem, layout) };
                    }
                    let retry = errors.is_capacity();
                    last = Some(errors);
                    if !retry {
                        break;
                    }
                }
            }
        }
    }
    let errors = match (document, last) {
        (Err(errors), _) | (Ok(_), Some(errors)) => errors,
        (Ok(_), None) => return Err(corsguard_result::MemoryTooSmall),
    };
    let error = config.store(&errors);
    if !error_out.is_null() {
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { error_out.write(error) };
    }
    Err(error.code)
}

/// The header of a live policy.
///
/// # Safety
/// `policy` must be NULL or point to a policy built by this library (or to
/// at least `size_of::<Head>()` readable, aligned bytes).
pub(crate) unsafe fn head<'p>(
    policy: *const corsguard_policy,
) -> Result<&'p Head, corsguard_result> {
    if policy.is_null() {
        return Err(corsguard_result::NullPointer);
    }
    // SAFETY: the caller guarantees a readable policy header. Reading the
    // magic as an integer first avoids trusting the other fields.
    let magic = unsafe { policy.cast::<u32>().read() };
    if magic != MAGIC {
        return Err(corsguard_result::InvalidHandle);
    }
    // SAFETY: a live policy starts with an initialized `Head`.
    Ok(unsafe { &*policy.cast::<Head>() })
}

/// Calls `$body` with `$p` bound to the core policy behind `$policy`,
/// whatever its class. Evaluates to `Result<_, corsguard_result>`.
macro_rules! with_policy {
    ($policy:expr, |$p:ident| $body:expr) => {{
        let raw: *const $crate::policy::corsguard_policy = $policy;
        // SAFETY: forwarded from the exported function's contract: `raw` is
        // NULL or a policy built by this library and not yet freed.
        match unsafe { $crate::policy::class_of_policy(raw) } {
            Err(code) => Err(code),
            Ok(class) => Ok(match class {
                $crate::policy::corsguard_capacity_class::Small => {
                    // SAFETY: the header says this policy is of this class.
                    let $p = unsafe {
                        $crate::policy::policy_ref::<$crate::policy::SmallPolicyType>(raw)
                    };
                    $body
                }
                $crate::policy::corsguard_capacity_class::Default => {
                    // SAFETY: as above.
                    let $p = unsafe {
                        $crate::policy::policy_ref::<$crate::policy::DefaultPolicyType>(raw)
                    };
                    $body
                }
                _ => {
                    // SAFETY: as above.
                    let $p = unsafe {
                        $crate::policy::policy_ref::<$crate::policy::LargePolicyType>(raw)
                    };
                    $body
                }
            }),
        }
    }};
}
pub(crate) use with_policy;

pub(crate) type SmallPolicyType = SmallPolicy;
pub(crate) type DefaultPolicyType = DefaultPolicy;
pub(crate) type LargePolicyType = LargePolicy;

/// The class of a live policy.
///
/// # Safety
/// As [`head`].
pub(crate) unsafe fn class_of_policy(
    policy: *const corsguard_policy,
) -> Result<corsguard_capacity_class, corsguard_result> {
    // SAFETY: forwarded.
    unsafe { head(policy) }.map(|h| h.class)
}

/// The core policy inside a live policy of type `P`.
///
/// # Safety
/// `policy` must be a live policy whose class is `P`'s.
pub(crate) unsafe fn policy_ref<'p, P>(policy: *const corsguard_policy) -> &'p P {
    // SAFETY: the caller guarantees a live `Stored<P>` here.
    unsafe { &(*policy.cast::<Stored<P>>()).policy }
}

/// Stores the size and alignment of a policy of `class` in `*size_out` and
/// `*align_out`, for building one in caller memory with
/// `corsguard_policy_init`. For `CORSGUARD_CAPACITY_CLASS_AUTO` it is the
/// largest class's. The numbers are fixed for a given build of the library.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an unknown class.
///
/// # Safety
/// `size_out` and `align_out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_size(
    class: u32,
    size_out: *mut usize,
    align_out: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if size_out.is_null() || align_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let layout = layout_of(class_of(class)?);
        // SAFETY: checked non-NULL; the caller guarantees they are writable.
        unsafe {
            size_out.write(layout.size());
            align_out.write(layout.align());
        }
        Ok(())
    })
}

/// Validates `config` entirely and builds a policy on the heap, of the
/// smallest capacity class it fits in. Same as `corsguard_policy_new_class`
/// with `CORSGUARD_CAPACITY_CLASS_AUTO`.
///
/// # Safety
/// As `corsguard_policy_new_class`.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_new(
    config: *mut corsguard_config,
    policy_out: *mut *mut corsguard_policy,
    error_out: *mut corsguard_error,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        corsguard_policy_new_class(
            config,
            corsguard_capacity_class::Auto as u32,
            policy_out,
            error_out,
        )
    }
}

/// Validates `config` entirely and builds a policy of capacity `class` (a
/// `corsguard_capacity_class`) on the heap; stores it in `*policy_out`.
/// Release it with `corsguard_policy_free`. The configuration may be freed
/// or reused afterwards: the policy copies what it needs.
///
/// The configuration is a policy document: it is loaded by the core's
/// document loader, exactly as `corsguard_policy_from_json` loads one (but
/// into the class asked for). On a configuration error the result is the
/// code of the document's first problem (from
/// `CORSGUARD_RESULT_WILDCARD_ORIGIN_WITH_CREDENTIALS` on), `*policy_out` is
/// not written, and when `error_out` is not NULL it receives that code, the
/// origin problem, the loader's message (the document key and entry, the
/// rule, the fix) and the JSON pointer of the value at fault, borrowed from
/// `config`. With `CORSGUARD_CAPACITY_CLASS_AUTO` only the largest class's
/// capacity error is reported.
///
/// The policy is built in place, in its final memory: building one of any
/// class needs at most 16 KiB of stack (measured by `tests/c/test_stack.c`
/// on x86-64, release build of the library: under 9 KiB), so it works on
/// small thread stacks.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `policy_out` must be NULL or writable; `error_out` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_new_class(
    config: *mut corsguard_config,
    class: u32,
    policy_out: *mut *mut corsguard_policy,
    error_out: *mut corsguard_error,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live, exclusively used config.
        let config = unsafe { config.as_mut() }.ok_or(corsguard_result::NullPointer)?;
        if policy_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let class = class_of(class)?;
        // SAFETY: heap memory is allocated by `build` itself.
        let policy = unsafe { build(config, class, Memory::Heap, error_out) }?;
        if !error_out.is_null() {
            // SAFETY: checked non-NULL; the caller guarantees it is writable.
            unsafe { error_out.write(corsguard_error::ok()) };
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { policy_out.write(policy) };
        Ok(())
    })
}

/// Validates `config` and builds a policy of capacity `class` in the
/// caller's memory `mem` of `mem_len` bytes (a static buffer, a stack array,
/// an arena), without allocating any memory for the policy. `mem` must be
/// aligned and sized as `corsguard_policy_size` reports. With
/// `CORSGUARD_CAPACITY_CLASS_AUTO` the smallest class that builds and fits
/// in `mem_len` is used (alignment: the largest of the classes that fit).
/// The resulting handle, stored in `*policy_out`, points into `mem`.
///
/// The memory stays the caller's: do not call `corsguard_policy_free` on such
/// a policy (it returns `CORSGUARD_RESULT_NOT_OWNED`); simply stop using it
/// and reuse or release `mem` once no thread evaluates with it any more, or
/// end it with `corsguard_policy_deinit`, after which the handle is refused.
///
/// The policy is built in `mem` itself, with at most 16 KiB of stack for any
/// class (as `corsguard_policy_new_class`). `mem` holds a policy only once
/// this returns `CORSGUARD_RESULT_OK`: after a configuration error (also a
/// capacity error of a class tried by AUTO) it holds none, even if it held
/// one before, and a stale handle into it returns
/// `CORSGUARD_RESULT_INVALID_HANDLE`. Argument errors (NULL pointers, an
/// unknown class, unsuitable memory) leave `mem` untouched.
///
/// Returns `CORSGUARD_RESULT_MEMORY_TOO_SMALL` or
/// `CORSGUARD_RESULT_BAD_ALIGNMENT` for unsuitable memory, and configuration
/// errors as `corsguard_policy_new_class` does. (The configuration builder
/// itself allocates; the policy, used on every request, does not.)
///
/// # Safety
/// `mem` must be NULL or writable for `mem_len` bytes, and not used for
/// anything else while the policy is in use; `config`, `policy_out` and
/// `error_out` as for `corsguard_policy_new_class`.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_init(
    mem: *mut c_void,
    mem_len: usize,
    config: *mut corsguard_config,
    class: u32,
    policy_out: *mut *mut corsguard_policy,
    error_out: *mut corsguard_error,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live, exclusively used config.
        let config = unsafe { config.as_mut() }.ok_or(corsguard_result::NullPointer)?;
        if policy_out.is_null() || mem.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let class = class_of(class)?;
        let memory = Memory::Caller {
            mem: mem.cast(),
            len: mem_len,
        };
        // SAFETY: the caller guarantees `mem_len` writable bytes at `mem`.
        let policy = unsafe { build(config, class, memory, error_out) }?;
        if !error_out.is_null() {
            // SAFETY: checked non-NULL; the caller guarantees it is writable.
            unsafe { error_out.write(corsguard_error::ok()) };
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { policy_out.write(policy) };
        Ok(())
    })
}

/// Releases a policy built by `corsguard_policy_new`. NULL is accepted and
/// does nothing. Every decision evaluated with the policy becomes invalid.
///
/// Returns `CORSGUARD_RESULT_NOT_OWNED` (and does nothing) for a policy built
/// in caller memory by `corsguard_policy_init` (end that one with
/// `corsguard_policy_deinit`), and `CORSGUARD_RESULT_INVALID_HANDLE` for a
/// pointer that does not point to a live policy.
///
/// Before the memory goes back to the allocator, its marker is cleared. A
/// later call with the freed pointer (a second free, an evaluation) is a bug
/// in the caller that the library detects only at best: it returns
/// `CORSGUARD_RESULT_INVALID_HANDLE` as long as the allocator leaves the
/// memory readable and unused, which nothing guarantees (glibc, for one,
/// gives a LARGE policy's memory straight back to the system, so reading it
/// crashes, and a new allocation may reuse it, even for a new policy). Only a
/// policy in caller memory is detected reliably after its end, see
/// `corsguard_policy_deinit`.
///
/// # Safety
/// `policy` must be NULL or a policy from this library not yet freed, and no
/// other thread may be using it.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_free(policy: *mut corsguard_policy) -> corsguard_result {
    guard_try(|| {
        if policy.is_null() {
            return Ok(());
        }
        // SAFETY: the caller guarantees a policy from this library.
        let head = unsafe { head(policy) }?;
        if !head.owned {
            return Err(corsguard_result::NotOwned);
        }
        let layout = layout_of(head.class);
        if !head.routing.is_null() {
            // SAFETY: made by `Box::into_raw` in `build_document_on_heap`,
            // owned by this policy alone, freed once (its marker is cleared
            // below).
            let routing = unsafe { Box::from_raw(head.routing) };
            for other in routing.others() {
                // SAFETY: live heap policies without routing of their own,
                // reachable only through this handle.
                unsafe { release_heap(other) };
            }
        }
        // SAFETY: the policy is ours and about to be freed. The write is
        // volatile because a plain store just before `dealloc` is dead to the
        // compiler, which removes it.
        unsafe { clear_marker(policy) };
        // SAFETY: allocated in `build` with the layout of its class. The core
        // policy holds no resources (fixed-capacity tables), so no drop is due.
        unsafe { dealloc(policy.cast(), layout) };
        Ok(())
    })
}

/// Ends a policy built in caller memory by `corsguard_policy_init`: clears
/// its marker, after which every call with the handle (evaluating, a second
/// `corsguard_policy_deinit`, `corsguard_policy_free`) returns
/// `CORSGUARD_RESULT_INVALID_HANDLE`. This is reliable, since the memory
/// stays the caller's. The memory may then be reused (for another
/// `corsguard_policy_init`) or released. NULL is accepted and does nothing.
///
/// Decisions evaluated with the policy become invalid. Calling this is
/// optional: memory that is simply no longer used needs no call.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` (and does nothing) for a
/// policy built on the heap by `corsguard_policy_new`, which is released with
/// `corsguard_policy_free`, and `CORSGUARD_RESULT_INVALID_HANDLE` for a
/// pointer that does not point to a live policy.
///
/// # Safety
/// `policy` must be NULL or point to readable, writable memory (a policy
/// built by `corsguard_policy_init`, live or ended), and no other thread may
/// be using it.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_deinit(
    policy: *mut corsguard_policy,
) -> corsguard_result {
    guard_try(|| {
        if policy.is_null() {
            return Ok(());
        }
        // SAFETY: the caller guarantees readable memory.
        let head = unsafe { head(policy) }?;
        if head.owned {
            return Err(corsguard_result::InvalidArgument);
        }
        // SAFETY: a live policy in the caller's memory, used by no one else.
        unsafe { clear_marker(policy) };
        Ok(())
    })
}

/// Releases one served policy of a document (not the handle).
///
/// # Safety
/// `policy` must be a live heap policy without routing that nothing else
/// refers to.
unsafe fn release_heap(policy: *mut corsguard_policy) {
    // SAFETY: the caller guarantees a live policy.
    let layout = layout_of(unsafe { &*policy.cast::<Head>() }.class);
    // SAFETY: as `corsguard_policy_free`: cleared, then given back with the
    // layout of its class.
    unsafe {
        clear_marker(policy);
        dealloc(policy.cast(), layout);
    }
}

/// Clears the marker of a live policy, so that it no longer reads as one.
///
/// # Safety
/// `policy` must be a live policy that no other thread is using.
unsafe fn clear_marker(policy: *mut corsguard_policy) {
    // SAFETY: a live policy starts with its `Head`; volatile, so that the
    // store is kept even when nothing reads the memory afterwards.
    unsafe { ptr::write_volatile(ptr::addr_of_mut!((*policy.cast::<Head>()).magic), 0) };
}

/// Stores the capacity class of a policy (SMALL, DEFAULT or LARGE, never
/// AUTO) in `*class_out`.
///
/// # Safety
/// `policy` must be NULL or a live policy; `class_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_class(
    policy: *const corsguard_policy,
    class_out: *mut corsguard_capacity_class,
) -> corsguard_result {
    guard_try(|| {
        if class_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let class = unsafe { class_of_policy(policy) }?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { class_out.write(class) };
        Ok(())
    })
}

/// Stores how much of its capacity a policy uses: the number of stored
/// origins and patterns in `*origins_out`, and the bytes of stored origins
/// and precomputed header values in `*bytes_out`. Useful to pick a class.
///
/// # Safety
/// `policy` must be NULL or a live policy; the outputs NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_usage(
    policy: *const corsguard_policy,
    origins_out: *mut usize,
    bytes_out: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if origins_out.is_null() || bytes_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let (origins, bytes) = with_policy!(policy, |p| (p.origins_used(), p.bytes_used()))?;
        // SAFETY: checked non-NULL; the caller guarantees they are writable.
        unsafe {
            origins_out.write(origins);
            bytes_out.write(bytes);
        }
        Ok(())
    })
}

/// Stores how this policy's `Vary` values are to be added to a response
/// (`CORSGUARD_VARY_MERGE_MODE_DEDUP` or `_JOIN`) in `*mode_out`; the same
/// value every decision carries in `vary_merge`.
///
/// # Safety
/// `policy` must be NULL or a live policy; `mode_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_vary_merge(
    policy: *const corsguard_policy,
    mode_out: *mut crate::config::corsguard_vary_merge_mode,
) -> corsguard_result {
    guard_try(|| {
        if mode_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let merge = with_policy!(policy, |p| p.behaviour().vary_merge)?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { mode_out.write(crate::config::corsguard_vary_merge_mode::of(merge)) };
        Ok(())
    })
}

/// An upper bound of the size of a SMALL policy, for a static buffer
/// (`corsguard_policy_size` gives the exact size).
pub const CORSGUARD_POLICY_SMALL_MAX_SIZE: usize = 4096;
/// An upper bound of the size of a DEFAULT policy.
pub const CORSGUARD_POLICY_DEFAULT_MAX_SIZE: usize = 32768;
/// An upper bound of the size of a LARGE policy (and of any policy).
pub const CORSGUARD_POLICY_LARGE_MAX_SIZE: usize = 393216;
/// An upper bound of the alignment of a policy of any class: a buffer
/// aligned like `uint64_t` (or `max_align_t`) suits every class.
pub const CORSGUARD_POLICY_MAX_ALIGN: usize = 8;

const _: () = {
    assert!(size_of::<Stored<SmallPolicy>>() <= CORSGUARD_POLICY_SMALL_MAX_SIZE);
    assert!(size_of::<Stored<DefaultPolicy>>() <= CORSGUARD_POLICY_DEFAULT_MAX_SIZE);
    assert!(size_of::<Stored<LargePolicy>>() <= CORSGUARD_POLICY_LARGE_MAX_SIZE);
    assert!(align_of::<Stored<SmallPolicy>>() <= CORSGUARD_POLICY_MAX_ALIGN);
    assert!(align_of::<Stored<DefaultPolicy>>() <= CORSGUARD_POLICY_MAX_ALIGN);
    assert!(align_of::<Stored<LargePolicy>>() <= CORSGUARD_POLICY_MAX_ALIGN);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classes_are_the_cores() {
        assert_eq!(CLASSES.len(), CapacityClass::ALL.len());
        for (c, core) in CLASSES.iter().zip(CapacityClass::ALL) {
            assert_eq!(corsguard_capacity_class::of_core(core), *c);
        }
    }

    #[test]
    fn class_sizes() {
        for class in CLASSES {
            let layout = layout_of(class);
            println!(
                "{class:?}: {} bytes, align {}",
                layout.size(),
                layout.align()
            );
        }
    }
}
