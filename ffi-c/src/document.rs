//! `corsguard_policy_from_json`: a policy from a policy document (the
//! version-1 JSON format of `docs/policy.md`), loaded by the core's
//! `Document`, and `corsguard_document_errors`, every problem it found.
//!
//! The document's keys, values, rules and messages are the core's, and so
//! is the choice of each policy's capacity class (`Document::build_all`);
//! this module hands the core heap slots to build into and lends the
//! problems out as `(pointer, length)` strings.

use core::ffi::c_char;
#[cfg(not(target_os = "none"))]
use std::sync::OnceLock;

#[cfg(target_os = "none")]
use crate::bare_metal::{prelude::*, OnceLock};

use corsguard_core::{Document, DocumentErrors, Problem, VERDICT_PROBES};

use crate::boundary::guard_try;
use crate::policy::{build_document_on_heap, corsguard_policy};
use crate::result::corsguard_result;
use crate::strings::{corsguard_str, required};

/// Problems of a policy document, in document order: every problem that
/// kept it from becoming a policy (from `corsguard_policy_from_json`), or
/// its findings (from `corsguard_document_findings`). Read it with
/// `corsguard_document_errors_count`, `corsguard_document_errors_get` and
/// `corsguard_document_errors_message`; release it with
/// `corsguard_document_errors_free`. Immutable: any number of threads may
/// read one at the same time.
pub struct corsguard_document_errors {
    problems: Vec<OwnedProblem>,
    /// The whole report, as the core words it, followed by a NUL.
    message: String,
}

/// One problem, each string followed by a NUL (not counted in its length).
struct OwnedProblem {
    path: String,
    code: String,
    result: corsguard_result,
    problem: String,
    message: String,
    rule: String,
    fix: String,
}

fn with_nul(text: &str) -> String {
    let mut owned = String::with_capacity(text.len() + 1);
    owned.push_str(text);
    owned.push('\0');
    owned
}

fn lend(with_nul: &str) -> corsguard_str {
    corsguard_str {
        ptr: with_nul.as_ptr().cast(),
        len: with_nul.len() - 1,
    }
}

impl corsguard_document_errors {
    fn of(errors: &DocumentErrors) -> Self {
        Self::of_problems(errors.problems(), &errors.to_string())
    }

    fn of_problems(problems: &[Problem], message: &str) -> Self {
        let problems = problems
            .iter()
            .map(|p| OwnedProblem {
                path: with_nul(p.path()),
                code: with_nul(p.code()),
                result: corsguard_result::of_code(p.code()),
                problem: with_nul(p.problem().unwrap_or("")),
                message: with_nul(p.message()),
                rule: with_nul(p.rule()),
                fix: with_nul(p.fix()),
            })
            .collect();
        corsguard_document_errors {
            problems,
            message: with_nul(message),
        }
    }

    /// The result code of the first problem.
    fn result(&self) -> corsguard_result {
        self.problems
            .first()
            .map_or(corsguard_result::ConfigOther, |p| p.result)
    }
}

/// One problem of a policy document. Every string is borrowed from the
/// `corsguard_document_errors` it came from (valid until that is freed),
/// UTF-8, and also NUL-terminated; a document entry is quoted verbatim, so a
/// message may hold a NUL byte itself: use the lengths.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_problem {
    /// The JSON pointer (RFC 6901) of the value at fault, such as
    /// `/allowOrigins/2` or `/maxAge`; empty for the document as a whole.
    pub path: corsguard_str,
    /// The stable snake_case code: a configuration error's
    /// (`malformed_origin`, `duplicate`, ...) or a document one's
    /// (`invalid_json`, `wrong_type`, `unknown_key`, `duplicate_key`,
    /// `missing_key`, `unsupported_version`, `unknown_value`, `out_of_range`,
    /// and for named policies and routes `bad_policy_name`, `bad_path_rule`,
    /// `unknown_policy`).
    pub code: corsguard_str,
    /// `code` as a result code (`CORSGUARD_RESULT_CONFIG_OTHER` for a code
    /// this version of the C API has no number for).
    pub result: corsguard_result,
    /// For `malformed_origin`, what is wrong with the origin
    /// (`trailing_slash`, ..., as `corsguard_origin_problem_code` names
    /// them); for `bad_path_rule`, what is wrong with the rule
    /// (`not_absolute`, `bad_glob`, `bad_byte`, `dot_segment`, `too_long`);
    /// empty otherwise.
    pub problem: corsguard_str,
    /// The whole sentence: the key and entry, the rule it breaks, the fix.
    pub message: corsguard_str,
    /// The part of `message` that names the entry and the rule.
    pub rule: corsguard_str,
    /// The part of `message` that says what to write instead.
    pub fix: corsguard_str,
}

/// Loads a policy document and builds its policies on the heap, each in
/// the smallest capacity class that holds it (the core estimates the class
/// from the document, and takes the next larger one while a capacity is
/// what failed). On success `*policy_out` is the policy (release it with
/// `corsguard_policy_free`) and `*errors_out` is NULL.
///
/// A document without `routes` holds one policy, used as any other
/// (`corsguard_evaluate`; `corsguard_policy_class` tells its class). A
/// document with `routes` (named `policies` and ordered path rules, see
/// `docs/policy.md`) gives one `corsguard_policy` that holds every policy
/// its routes serve and the routes themselves: evaluate with
/// `corsguard_evaluate_path` (`corsguard_evaluate` returns
/// `CORSGUARD_RESULT_NEEDS_PATH`), list them with
/// `corsguard_policy_served_count` and `corsguard_policy_served_name`.
/// `corsguard_policy_class`, `corsguard_policy_usage` and
/// `corsguard_policy_vary_merge` then describe served policy 0 (an empty
/// SMALL policy when the document serves none). `corsguard_policy_free`
/// releases them all.
///
/// `json` is `json_len` bytes of the document (UTF-8 JSON, see the policy
/// document reference, `docs/policy.md`); it is not kept. `verdict_probes`
/// matters only to a document with `originVerdict`: bit `i` set says that
/// the host's verdict (its regex or callback) allows the probe origin
/// `corsguard_verdict_probe(i)`; such a verdict with `allowCredentials` is
/// refused (`wide_verdict_with_credentials`). Pass 0 otherwise; bits past
/// the last probe are `CORSGUARD_RESULT_INVALID_ARGUMENT`. Any number of
/// threads may load documents at the same time.
///
/// Memory: this allocates. The policy is on the heap; loading also
/// allocates, and frees before returning, the document's strings and the
/// classes tried (a document with routes keeps its routes and policy names
/// with the policy); on failure the errors object is on the heap. The policy
/// is built in place in its final memory (at most 16 KiB of stack for any
/// class, as `corsguard_policy_new`); evaluating with it never allocates.
///
/// On failure the result is the first problem's code (such as
/// `CORSGUARD_RESULT_INVALID_JSON`, `CORSGUARD_RESULT_UNKNOWN_KEY` or
/// `CORSGUARD_RESULT_MALFORMED_ORIGIN`), `*policy_out` is NULL, and when
/// `errors_out` is not NULL, `*errors_out` holds every problem of the
/// document at once, in document order (release it with
/// `corsguard_document_errors_free`). Argument errors
/// (`CORSGUARD_RESULT_NULL_POINTER`, ...) store no errors object:
/// `*errors_out` is then NULL.
///
/// # Safety
/// `json` must be NULL or readable for `json_len` bytes; `policy_out` must
/// be NULL or writable; `errors_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_policy_from_json(
    json: *const c_char,
    json_len: usize,
    verdict_probes: u8,
    policy_out: *mut *mut corsguard_policy,
    errors_out: *mut *mut corsguard_document_errors,
) -> corsguard_result {
    guard_try(|| {
        if !errors_out.is_null() {
            // SAFETY: checked non-NULL; the caller guarantees it is writable.
            unsafe { errors_out.write(core::ptr::null_mut()) };
        }
        if policy_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { policy_out.write(core::ptr::null_mut()) };
        if verdict_probes >> VERDICT_PROBES.len() != 0 {
            return Err(corsguard_result::InvalidArgument);
        }
        // SAFETY: the caller guarantees `json_len` readable bytes at `json`.
        let json = unsafe { required(json, json_len) }?;
        match load(json, verdict_probes) {
            Ok(policy) => {
                // SAFETY: checked non-NULL above.
                unsafe { policy_out.write(policy) };
                Ok(())
            }
            Err(errors) => {
                let errors = corsguard_document_errors::of(&errors);
                let code = errors.result();
                if !errors_out.is_null() {
                    // SAFETY: checked non-NULL above.
                    unsafe { errors_out.write(Box::into_raw(Box::new(errors))) };
                }
                Err(code)
            }
        }
    })
}

/// The findings of a policy document: what is valid but likely a mistake
/// (`null` allowed, a plain-http origin of another machine with credentials,
/// a host verdict that admits probe origins, a max-age above Chromium's cap,
/// and, in the `cors_npm` and `starlette` profiles, what the strict profile
/// would refuse), with the same shape as errors: path, code, message, rule
/// and fix. `verdict_probes` is as for `corsguard_policy_from_json`.
///
/// Returns `CORSGUARD_RESULT_OK` with `*findings_out` holding the findings
/// (none, for a careful document: the count is then 0), read and released
/// with the `corsguard_document_errors_*` functions. Findings do not depend
/// on the document being valid: check it with `corsguard_policy_from_json`.
/// When the bytes are not one JSON object, the result is that problem's
/// code and `*findings_out` holds it. Allocates, like loading.
///
/// # Safety
/// `json` must be NULL or readable for `json_len` bytes; `findings_out`
/// must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_document_findings(
    json: *const c_char,
    json_len: usize,
    verdict_probes: u8,
    findings_out: *mut *mut corsguard_document_errors,
) -> corsguard_result {
    guard_try(|| {
        if findings_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { findings_out.write(core::ptr::null_mut()) };
        if verdict_probes >> VERDICT_PROBES.len() != 0 {
            return Err(corsguard_result::InvalidArgument);
        }
        // SAFETY: the caller guarantees `json_len` readable bytes at `json`.
        let json = unsafe { required(json, json_len) }?;
        let (found, result) = match Document::parse(json) {
            Ok(mut document) => {
                document.set_verdict_probes(verdict_probes);
                let findings = document.findings();
                let n = findings.len();
                let message = format!(
                    "the policy document has {n} finding{}",
                    if n == 1 { "" } else { "s" }
                );
                let mut report = message.clone();
                for f in &findings {
                    report.push_str("\n  ");
                    report.push_str(&f.to_string());
                }
                (
                    corsguard_document_errors::of_problems(&findings, &report),
                    Ok(()),
                )
            }
            Err(errors) => {
                let errors = corsguard_document_errors::of(&errors);
                let code = errors.result();
                (errors, Err(code))
            }
        };
        // SAFETY: checked non-NULL above.
        unsafe { findings_out.write(Box::into_raw(Box::new(found))) };
        result
    })
}

/// Parses and builds every served policy (the core picks each one's class).
fn load(json: &[u8], verdict_probes: u8) -> Result<*mut corsguard_policy, DocumentErrors> {
    let mut document = Document::parse(json)?;
    document.set_verdict_probes(verdict_probes);
    build_document_on_heap(document)
}

/// The errors object behind a handle.
///
/// # Safety
/// `errors` must be NULL or a live errors object.
unsafe fn errors_ref<'e>(
    errors: *const corsguard_document_errors,
) -> Result<&'e corsguard_document_errors, corsguard_result> {
    // SAFETY: the caller guarantees NULL or a live errors object.
    unsafe { errors.as_ref() }.ok_or(corsguard_result::NullPointer)
}

/// Stores the number of problems in `errors` (at least 1 for errors; 0 or
/// more for findings) in `*count_out`.
///
/// # Safety
/// `errors` must be NULL or a live errors object; `count_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_document_errors_count(
    errors: *const corsguard_document_errors,
    count_out: *mut usize,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: forwarded from the caller.
        let errors = unsafe { errors_ref(errors) }?;
        if count_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { count_out.write(errors.problems.len()) };
        Ok(())
    })
}

/// Stores problem number `index` (from 0, in document order) of `errors` in
/// `*problem_out`; its strings are borrowed from `errors`. Returns
/// `CORSGUARD_RESULT_INVALID_ARGUMENT` (and writes nothing) for an index
/// past the last problem.
///
/// # Safety
/// `errors` must be NULL or a live errors object; `problem_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_document_errors_get(
    errors: *const corsguard_document_errors,
    index: usize,
    problem_out: *mut corsguard_problem,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: forwarded from the caller.
        let errors = unsafe { errors_ref(errors) }?;
        if problem_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let p = errors
            .problems
            .get(index)
            .ok_or(corsguard_result::InvalidArgument)?;
        let problem = corsguard_problem {
            path: lend(&p.path),
            code: lend(&p.code),
            result: p.result,
            problem: lend(&p.problem),
            message: lend(&p.message),
            rule: lend(&p.rule),
            fix: lend(&p.fix),
        };
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { problem_out.write(problem) };
        Ok(())
    })
}

/// Stores the whole report in `*message_out`: a first line saying how many
/// problems there are, then one line per problem, `  <path>: <message>
/// [<code>]`. Borrowed from `errors`, also NUL-terminated.
///
/// # Safety
/// `errors` must be NULL or a live errors object; `message_out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_document_errors_message(
    errors: *const corsguard_document_errors,
    message_out: *mut corsguard_str,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: forwarded from the caller.
        let errors = unsafe { errors_ref(errors) }?;
        if message_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { message_out.write(lend(&errors.message)) };
        Ok(())
    })
}

/// Releases an errors object from `corsguard_policy_from_json`, and with it
/// every string borrowed from it. NULL is accepted and does nothing.
///
/// # Safety
/// `errors` must be NULL or an errors object not yet freed, which no other
/// thread is using.
#[no_mangle]
pub unsafe extern "C" fn corsguard_document_errors_free(
    errors: *mut corsguard_document_errors,
) -> corsguard_result {
    guard_try(|| {
        if !errors.is_null() {
            // SAFETY: the caller guarantees an errors object from
            // `corsguard_policy_from_json` (made by `Box::into_raw`), freed once.
            drop(unsafe { Box::from_raw(errors) });
        }
        Ok(())
    })
}

/// The number of verdict probes (`corsguard_verdict_probe`).
pub const CORSGUARD_VERDICT_PROBE_COUNT: usize = 3;

const _: () = assert!(CORSGUARD_VERDICT_PROBE_COUNT == VERDICT_PROBES.len());

/// Verdict probe number `index` (below `CORSGUARD_VERDICT_PROBE_COUNT`), an
/// origin such as `https://evil.test` that no real policy allows, as a
/// static NUL-terminated string; empty for an index past the last. A host
/// with its own origin rule (`originVerdict` in a document) runs the rule on
/// each probe and passes the ones it allows to `corsguard_policy_from_json`
/// as the bits of `verdict_probes`.
#[no_mangle]
pub extern "C" fn corsguard_verdict_probe(index: usize) -> corsguard_str {
    static PROBES: OnceLock<Vec<String>> = OnceLock::new();
    let probes = PROBES.get_or_init(|| VERDICT_PROBES.iter().map(|p| with_nul(p)).collect());
    match probes.get(index) {
        Some(probe) => lend(probe),
        None => corsguard_str::from_static("\0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_code_has_a_result() {
        // Every code the loader can report, from the core's tables.
        let codes = corsguard_core::document::LOADER_CODES
            .into_iter()
            .chain(corsguard_core::ConfigError::CODES);
        for code in codes {
            assert_ne!(
                corsguard_result::of_code(code),
                corsguard_result::ConfigOther,
                "{code}"
            );
        }
        assert_eq!(
            corsguard_result::of_code("ok"),
            corsguard_result::ConfigOther
        );
    }
}
