//! Byte ranges across the boundary: `(pointer, length)` in, `corsguard_str`
//! out, and the one way this library writes into a caller's buffer.

use core::ffi::c_char;
use core::{ptr, slice};

use crate::result::corsguard_result;

/// A string the library hands out: `len` bytes at `ptr`, not necessarily
/// NUL-terminated unless the function's documentation says so.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_str {
    /// The first byte (never NULL, even for an empty string).
    pub ptr: *const c_char,
    /// The number of bytes, not counting any NUL terminator.
    pub len: usize,
}

impl corsguard_str {
    /// A static string given with its NUL terminator; `len` excludes it.
    pub(crate) const fn from_static(with_nul: &'static str) -> Self {
        corsguard_str {
            ptr: with_nul.as_ptr().cast(),
            len: with_nul.len() - 1,
        }
    }

    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        // SAFETY: only built from static strings by this crate.
        unsafe { slice::from_raw_parts(self.ptr.cast(), self.len) }
    }
}

/// The bytes of a required `(ptr, len)` argument. `len == 0` accepts any
/// pointer except NULL.
///
/// # Safety
/// If `ptr` is not NULL it must be valid for reading `len` bytes.
pub(crate) unsafe fn required<'a>(
    ptr: *const c_char,
    len: usize,
) -> Result<&'a [u8], corsguard_result> {
    if ptr.is_null() {
        return Err(corsguard_result::NullPointer);
    }
    if len > isize::MAX as usize {
        return Err(corsguard_result::InvalidArgument);
    }
    // SAFETY: the caller guarantees `len` readable bytes at a non-NULL `ptr`.
    Ok(unsafe { slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// The bytes of an optional `(ptr, len)` request field: NULL means absent
/// (its length must then be 0).
///
/// # Safety
/// If `ptr` is not NULL it must be valid for reading `len` bytes.
pub(crate) unsafe fn optional<'a>(
    ptr: *const c_char,
    len: usize,
) -> Result<Option<&'a [u8]>, corsguard_result> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(None)
        } else {
            Err(corsguard_result::NullPointer)
        };
    }
    // SAFETY: forwarded from the caller.
    unsafe { required(ptr, len) }.map(Some)
}

/// Something that can write itself as bytes, in pieces.
pub(crate) trait Pieces {
    /// Calls `sink` with every piece, in order.
    fn pieces(&self, sink: &mut dyn FnMut(&[u8]));
}

/// Writes `content` into the caller's buffer `(buf, buf_len)` and stores the
/// number of bytes in `*out_len`. When the buffer is too short (or NULL),
/// nothing is written, `*out_len` is the size needed and the result is
/// `CORSGUARD_RESULT_BUFFER_TOO_SMALL`. Never writes past `buf_len`.
///
/// # Safety
/// `buf`, when not NULL, must be valid for writing `buf_len` bytes; `out_len`
/// must be NULL or valid for writing.
pub(crate) unsafe fn write_out(
    content: &dyn Pieces,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> corsguard_result {
    if out_len.is_null() {
        return corsguard_result::NullPointer;
    }
    let mut needed = 0usize;
    content.pieces(&mut |piece| needed = needed.saturating_add(piece.len()));
    // SAFETY: checked non-NULL above; the caller guarantees it is writable.
    unsafe { out_len.write(needed) };
    if needed > buf_len || (buf.is_null() && needed > 0) {
        return corsguard_result::BufferTooSmall;
    }
    let mut at = 0usize;
    content.pieces(&mut |piece| {
        // Re-check against the first pass: a `Pieces` is deterministic, but
        // the bound is what keeps this write inside the buffer.
        let end = at.saturating_add(piece.len());
        if end <= needed && !piece.is_empty() {
            // SAFETY: `at + piece.len() <= needed <= buf_len` and `buf` is
            // writable for `buf_len` bytes; the regions cannot overlap, as
            // `piece` is never the caller's output buffer.
            unsafe {
                ptr::copy_nonoverlapping(piece.as_ptr(), buf.cast::<u8>().add(at), piece.len())
            };
            at = end;
        }
    });
    corsguard_result::Ok
}

/// Plain bytes as a `Pieces`.
pub(crate) struct Bytes<'a>(pub &'a [u8]);

impl Pieces for Bytes<'_> {
    fn pieces(&self, sink: &mut dyn FnMut(&[u8])) {
        sink(self.0)
    }
}

/// Anything `Display` as a `Pieces`, formatted without allocating.
pub(crate) struct Displayed<'a, T: core::fmt::Display>(pub &'a T);

impl<T: core::fmt::Display> Pieces for Displayed<'_, T> {
    fn pieces(&self, sink: &mut dyn FnMut(&[u8])) {
        struct Sink<'s>(&'s mut dyn FnMut(&[u8]));
        impl core::fmt::Write for Sink<'_> {
            fn write_str(&mut self, s: &str) -> core::fmt::Result {
                (self.0)(s.as_bytes());
                Ok(())
            }
        }
        let _ = core::fmt::write(&mut Sink(sink), format_args!("{}", self.0));
    }
}
