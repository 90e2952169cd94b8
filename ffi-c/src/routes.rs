//! Documents with routes: a `corsguard_policy` loaded from a document with
//! `routes` holds every served policy and the document, whose `route()`
//! picks the policy of each request by its path. This module lends the
//! routing out: which policy serves a path, and the served policies' names.
//!
//! Which rule matches a path is the core's (`Document::route`); nothing of
//! it is repeated here.

#[cfg(target_os = "none")]
use crate::bare_metal::prelude::*;
use core::ffi::c_char;

use corsguard_core::document::DEFAULT_POLICY;
use corsguard_core::Document;

use crate::boundary::guard_try;
use crate::policy::{corsguard_policy, head};
use crate::result::corsguard_result;
use crate::strings::{corsguard_str, optional};

/// The routing of a policy loaded from a document with routes, owned by the
/// handle (served policy 0), released by `corsguard_policy_free`.
pub(crate) struct Routing {
    document: Document,
    /// Served policies 1, 2, ...: live heap policies, owned by the handle.
    others: Vec<*mut corsguard_policy>,
    /// The served policies' names, each followed by a NUL.
    names: Vec<String>,
}

impl Routing {
    pub(crate) fn new(document: Document, others: Vec<*mut corsguard_policy>) -> Self {
        let names = document
            .policy_names()
            .map(|name| {
                let mut owned = String::with_capacity(name.len() + 1);
                owned.push_str(name);
                owned.push('\0');
                owned
            })
            .collect();
        Routing {
            document,
            others,
            names,
        }
    }

    /// The served policies but the first, to be released with the handle.
    pub(crate) fn others(&self) -> impl Iterator<Item = *mut corsguard_policy> + '_ {
        self.others.iter().copied()
    }
}

/// The name of the one policy of a policy without routes.
const DEFAULT_NAME: &str = "default\0";
const _: () = {
    let (a, b) = (DEFAULT_POLICY.as_bytes(), DEFAULT_NAME.as_bytes());
    assert!(a.len() + 1 == b.len());
    let mut i = 0;
    while i < a.len() {
        assert!(a[i] == b[i]);
        i += 1;
    }
};

/// The routing behind a live policy, if it has any.
///
/// # Safety
/// `policy` must be NULL or a live policy.
pub(crate) unsafe fn routing_of<'p>(
    policy: *const corsguard_policy,
) -> Result<Option<&'p Routing>, corsguard_result> {
    // SAFETY: forwarded; a live handle's routing is NULL or lives as long as
    // the handle.
    unsafe { head(policy).map(|h| h.routing.as_ref()) }
}

/// The served policy for a request target: its index and its policy, or
/// `None` when no policy serves the path. For a policy without routes, the
/// path is ignored and may be absent.
///
/// # Safety
/// `policy` must be NULL or a live policy; `path` NULL or readable for
/// `path_len` bytes.
pub(crate) unsafe fn served(
    policy: *const corsguard_policy,
    path: *const c_char,
    path_len: usize,
) -> Result<Option<(usize, *const corsguard_policy)>, corsguard_result> {
    // SAFETY: forwarded from the caller.
    let path = unsafe { optional(path, path_len) }?;
    // SAFETY: forwarded from the caller.
    let Some(routing) = (unsafe { routing_of(policy) })? else {
        return Ok(Some((0, policy)));
    };
    let path = path.ok_or(corsguard_result::NullPointer)?;
    Ok(routing.document.route(path).map(|index| {
        let served = match index {
            0 => policy,
            i => routing.others[i - 1].cast_const(),
        };
        (index, served)
    }))
}

/// Stores in `*index_out` which served policy answers requests for `path`
/// (the request target as received: raw bytes, not percent-decoded; a query
/// is ignored), counted as `corsguard_policy_served_name` counts them. The
/// first route of the document whose path rule matches decides; a path
/// with a `.` or `..` segment, an encoded slash or a backslash matches no
/// rule.
///
/// Returns `CORSGUARD_RESULT_NO_POLICY` (and writes nothing) when no policy
/// serves the path: no rule matches it, or the rule that does says `null`.
/// The response then gets no CORS headers at all. For a policy without
/// routes (built from a configuration, or from a document without `routes`)
/// the path is ignored (it may be NULL with `path_len` 0) and the index
/// is 0.
///
/// # Safety
/// `policy` must be NULL or a live policy; `path` NULL (with `path_len` 0)
/// or readable for `path_len` bytes; `index_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_route(
    policy: *const corsguard_policy,
    path: *const c_char,
    path_len: usize,
    index_out: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if policy.is_null() || index_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let (index, _) =
            unsafe { served(policy, path, path_len) }?.ok_or(corsguard_result::NoPolicy)?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { index_out.write(index) };
        Ok(())
    })
}

/// Stores the number of policies `policy` serves requests with in
/// `*count_out`: for a document with routes, its served policies (the
/// named policies, and `default` when a route names it; 0 when there is
/// neither); 1 for any other policy.
///
/// # Safety
/// `policy` must be NULL or a live policy; `count_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_served_count(
    policy: *const corsguard_policy,
    count_out: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        if count_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let count = unsafe { routing_of(policy) }?.map_or(1, |r| r.names.len());
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { count_out.write(count) };
        Ok(())
    })
}

/// Stores the name of served policy `index` (below
/// `corsguard_policy_served_count`) in `*name_out`: its name under
/// `policies`, or `default` for the policy of the top-level keys (and for
/// a policy without routes). Borrowed from `policy` (valid until it is
/// freed), UTF-8, also NUL-terminated. Returns
/// `CORSGUARD_RESULT_INVALID_ARGUMENT` (and writes nothing) for an index
/// past the last.
///
/// # Safety
/// `policy` must be NULL or a live policy; `name_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_served_name(
    policy: *const corsguard_policy,
    index: usize,
    name_out: *mut corsguard_str,
) -> corsguard_result {
    guard_try(|| {
        if name_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: forwarded from the caller.
        let name = match unsafe { routing_of(policy) }? {
            None if index == 0 => corsguard_str::from_static(DEFAULT_NAME),
            None => return Err(corsguard_result::InvalidArgument),
            Some(routing) => {
                let name = routing
                    .names
                    .get(index)
                    .ok_or(corsguard_result::InvalidArgument)?;
                corsguard_str {
                    ptr: name.as_ptr().cast(),
                    len: name.len() - 1,
                }
            }
        };
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { name_out.write(name) };
        Ok(())
    })
}
