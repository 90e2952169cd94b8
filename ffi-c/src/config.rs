//! `corsguard_config`: a policy document (`docs/policy.md`) written key by
//! key by the setters, and built by the core's document loader when a policy
//! is built, as `corsguard_policy_from_json` builds one. The setters are
//! sugar over the document: each writes the key of the same meaning, and
//! every option's rules, messages and paths are the loader's.

#[cfg(target_os = "none")]
use crate::bare_metal::prelude::*;
use core::ffi::c_char;
use core::fmt::Write as _;

use corsguard_core::capacity::CapacityClass;
use corsguard_core::document::{PolicySlots, Rebuild, DOCUMENT_KEYS};
use corsguard_core::{Behaviour, Config, ConfigError, Document, DocumentErrors, VaryMerge};
use serde_json::{Map, Value};

use crate::boundary::guard_try;
use crate::result::{corsguard_origin_problem, corsguard_result};
use crate::strings::{corsguard_str, required};

/// A configuration being assembled: a policy document, written key by key.
/// Create it with `corsguard_config_new`, describe the policy with the
/// `corsguard_config_*` setters (each writes the document key of the same
/// meaning: `corsguard_config_add_origin` an entry of `allowOrigins`,
/// `corsguard_config_set_max_age` `maxAge`, ...), build one or more policies
/// from it with `corsguard_policy_new` or `corsguard_policy_init`, then
/// release it with `corsguard_config_free` (a policy does not need its
/// configuration once built).
///
/// A configuration is not thread-safe: use one from one thread at a time.
/// A new one is the document `{"version": 1}`: the strict profile, no
/// origins, methods and headers as empty lists, no credentials, no max-age,
/// no private network access, preflights answered with status 204.
#[derive(Default)]
pub struct corsguard_config {
    /// The document's keys as the setters last wrote them (but `version`).
    keys: Map<String, Value>,
    /// `allowMethods`, `allowHeaders` or `exposeHeaders` written as `["*"]` or
    /// `"mirror"` instead of the names added (which are kept in `keys`).
    forms: Map<String, Value>,
    /// `corsguard_config_set_refused_preflight_status`, which has no document
    /// key: `None` keeps the profile's.
    refused_preflight_status: Option<Option<u16>>,
    last_error: Option<StoredError>,
}

/// A failure kept by the configuration, so that its strings can be lent out.
pub(crate) struct StoredError {
    pub(crate) code: corsguard_result,
    problem: corsguard_origin_problem,
    /// The message followed by a NUL.
    message: String,
    /// The JSON pointer followed by a NUL.
    path: String,
}

impl StoredError {
    /// The first problem of a document that could not be built.
    pub(crate) fn of_document_errors(errors: &DocumentErrors) -> Self {
        let none = corsguard_origin_problem::None;
        let Some(p) = errors.problems().first() else {
            return StoredError::new(corsguard_result::ConfigOther, none, "", errors);
        };
        let code = corsguard_result::of_code(p.code());
        let problem = match (code, p.problem()) {
            (corsguard_result::MalformedOrigin, Some(problem)) => {
                corsguard_origin_problem::of_code(problem)
            }
            _ => none,
        };
        StoredError::new(code, problem, p.path(), &p.message())
    }

    fn new(
        code: corsguard_result,
        problem: corsguard_origin_problem,
        path: &str,
        message: &dyn core::fmt::Display,
    ) -> Self {
        let (message, path) = (format!("{message}\0"), format!("{path}\0"));
        StoredError {
            code,
            problem,
            message,
            path,
        }
    }
}

/// A configuration error, filled in by `corsguard_policy_new`,
/// `corsguard_policy_init` and `corsguard_config_last_error`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsguard_error {
    /// The kind of error (`CORSGUARD_RESULT_OK` when there is none).
    pub code: corsguard_result,
    /// For `CORSGUARD_RESULT_MALFORMED_ORIGIN`, what is wrong with the entry;
    /// otherwise `CORSGUARD_ORIGIN_PROBLEM_NONE`.
    pub problem: corsguard_origin_problem,
    /// The message, exactly as the core's document loader words it (the
    /// first problem of the configuration's document, as
    /// `corsguard_policy_from_json` would report it): the document key and
    /// entry, the rule it breaks and the fix, e.g. "allowOrigins
    /// `https://a.example/`: an origin has no path, not even `/`; remove the
    /// trailing slash". UTF-8, and also NUL-terminated; an entry is quoted
    /// verbatim, so when it holds a NUL byte the message does too:
    /// `message_len` is the length. Borrowed from the configuration: valid
    /// until the next failing call on that configuration or until it is
    /// freed. An empty string when `code` is `CORSGUARD_RESULT_OK`.
    pub message: *const c_char,
    /// The length of `message` in bytes, not counting the NUL.
    pub message_len: usize,
    /// The JSON pointer (RFC 6901) of the document value at fault, such as
    /// `/allowOrigins/2` or `/maxAge` (the entry an add function was given is
    /// at the index it would have had); empty for the document as a whole
    /// and when `code` is `CORSGUARD_RESULT_OK`. Also NUL-terminated, and
    /// borrowed from the configuration like `message`.
    pub path: corsguard_str,
}

impl corsguard_error {
    pub(crate) fn ok() -> Self {
        corsguard_error {
            code: corsguard_result::Ok,
            problem: corsguard_origin_problem::None,
            message: c"".as_ptr(),
            message_len: 0,
            path: corsguard_str::from_static("\0"),
        }
    }

    pub(crate) fn from_stored(stored: &StoredError) -> Self {
        corsguard_error {
            code: stored.code,
            problem: stored.problem,
            message: stored.message.as_ptr().cast(),
            message_len: stored.message.len() - 1,
            path: corsguard_str {
                ptr: stored.path.as_ptr().cast(),
                len: stored.path.len() - 1,
            },
        }
    }
}

/// How a list option (methods, allowed headers, exposed headers) is given.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_list_mode {
    /// The names added with the option's `corsguard_config_add_*` function.
    List = 0,
    /// Any name: answered with `*` (browsers honour it only without
    /// credentials); the document's `["*"]`.
    Any = 1,
    /// Allowed headers only: whatever the preflight asks for, echoed back
    /// (the `cors` npm default); the document's `"mirror"`.
    Mirror = 2,
}

/// How a decision's `Vary` value is added to a response's `Vary`
/// (`CORSGUARD_BEHAVIOUR_VARY_MERGE`, `corsguard_decision.vary_merge`,
/// `corsguard_vary_merge`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_vary_merge_mode {
    /// Add each token unless the response already lists it (compared
    /// case-insensitively) or already varies on `*`.
    Dedup = 0,
    /// Join the existing value and the new one with `, ` (Starlette).
    Join = 1,
}

impl corsguard_vary_merge_mode {
    pub(crate) fn of(merge: VaryMerge) -> Self {
        match merge {
            VaryMerge::Dedup => corsguard_vary_merge_mode::Dedup,
            VaryMerge::Join => corsguard_vary_merge_mode::Join,
        }
    }
}

/// The one policy of a configuration's document as the core builds it, with
/// the refused-preflight status (no document key) applied to the `Config`
/// the loader builds it from.
struct Slot<'p> {
    policy: &'p mut dyn Rebuild,
    refused_preflight_status: Option<Option<u16>>,
}

impl PolicySlots for Slot<'_> {
    fn slot(&mut self, _: usize, _: CapacityClass) -> &mut dyn Rebuild {
        // The class is the caller's: a larger one asked for after a capacity
        // error fails the same way, and is reported as this class's.
        self
    }
}

impl Rebuild for Slot<'_> {
    fn rebuild_from<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        match self.refused_preflight_status {
            None => self.policy.rebuild_from(config),
            Some(status) => {
                let mut behaviour = *config.behaviour_settings();
                behaviour.refused_preflight.status = status;
                self.policy.rebuild_from(&config.behaviour(behaviour))
            }
        }
    }

    fn clear_policy(&mut self) {
        self.policy.clear_policy();
    }
}

impl corsguard_config {
    /// The document, as JSON text: `version`, then the keys written, in the
    /// order of the core's table of keys.
    fn json(&self) -> String {
        let mut json = String::from("{\"version\":1");
        for key in DOCUMENT_KEYS {
            if let Some(value) = self.forms.get(key).or_else(|| self.keys.get(key)) {
                let _ = write!(json, ",\"{key}\":{value}");
            }
        }
        json.push('}');
        json
    }

    /// The document, read by the core's loader.
    pub(crate) fn document(&self) -> Result<Document, DocumentErrors> {
        Document::parse(self.json().as_bytes())
    }

    /// Builds `document` (this configuration's) into `policy`, in place.
    pub(crate) fn build_into(
        &self,
        document: &Document,
        policy: &mut dyn Rebuild,
    ) -> Result<(), DocumentErrors> {
        let refused_preflight_status = self.refused_preflight_status;
        document.build_all(&mut Slot {
            policy,
            refused_preflight_status,
        })
    }

    fn set(&mut self, key: &str, value: impl Into<Value>) -> Result<(), corsguard_result> {
        self.keys.insert(key.to_owned(), value.into());
        Ok(())
    }

    fn remove(&mut self, keys: &[&str]) -> Result<(), corsguard_result> {
        for key in keys {
            self.keys.remove(*key);
        }
        Ok(())
    }

    /// Writes list key `key` as its names (`CORSGUARD_LIST_MODE_LIST`),
    /// `["*"]` (`_ANY`) or, where `mirror` allows it, `"mirror"` (`_MIRROR`).
    fn set_mode(&mut self, key: &str, mode: u32, mirror: bool) -> Result<(), corsguard_result> {
        let form = match mode {
            m if m == corsguard_list_mode::List as u32 => {
                self.forms.remove(key);
                return Ok(());
            }
            m if m == corsguard_list_mode::Any as u32 => Value::from(["*"].as_slice()),
            m if m == corsguard_list_mode::Mirror as u32 && mirror => Value::from("mirror"),
            _ => return Err(corsguard_result::InvalidArgument),
        };
        self.forms.insert(key.to_owned(), form);
        Ok(())
    }

    /// Adds an entry to list key `key`, written as its names from now on.
    ///
    /// # Safety
    /// As [`required`].
    unsafe fn add(
        &mut self,
        key: &str,
        ptr: *const c_char,
        len: usize,
    ) -> Result<(), corsguard_result> {
        let index = self
            .keys
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        // SAFETY: forwarded from the caller.
        let entry = unsafe { self.text(&format!("/{key}/{index}"), key, ptr, len) }?;
        self.forms.remove(key);
        let list = self
            .keys
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.push(Value::String(entry));
        }
        Ok(())
    }

    /// Records a failure of a setter and returns its code.
    fn fail(
        &mut self,
        code: corsguard_result,
        path: &str,
        message: &dyn core::fmt::Display,
    ) -> corsguard_result {
        let problem = corsguard_origin_problem::None;
        self.last_error = Some(StoredError::new(code, problem, path, message));
        code
    }

    /// Keeps the first problem of a build and lends it out.
    pub(crate) fn store(&mut self, errors: &DocumentErrors) -> corsguard_error {
        let stored = StoredError::of_document_errors(errors);
        corsguard_error::from_stored(self.last_error.insert(stored))
    }

    /// The entry as text, or a recorded `NotUtf8` failure naming the key.
    ///
    /// # Safety
    /// As [`required`].
    unsafe fn text(
        &mut self,
        path: &str,
        key: &str,
        ptr: *const c_char,
        len: usize,
    ) -> Result<String, corsguard_result> {
        // SAFETY: forwarded from the caller.
        let bytes = unsafe { required(ptr, len) }?;
        match core::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(self.fail(
                corsguard_result::NotUtf8,
                path,
                &format_args!(
                    "{key} `{}`: not valid UTF-8; configuration entries are text, write them in UTF-8",
                    bytes.escape_ascii()
                ),
            )),
        }
    }

    /// Sets key `key` to a string.
    ///
    /// # Safety
    /// As [`required`].
    unsafe fn set_text(
        &mut self,
        key: &str,
        ptr: *const c_char,
        len: usize,
    ) -> Result<(), corsguard_result> {
        // SAFETY: forwarded from the caller.
        let text = unsafe { self.text(&format!("/{key}"), key, ptr, len) }?;
        self.set(key, text)
    }
}

/// Runs a setter on the configuration behind `config`.
///
/// # Safety
/// `config` must be NULL or a live pointer from `corsguard_config_new`, not
/// used by another thread at the same time.
unsafe fn edit(
    config: *mut corsguard_config,
    body: impl FnOnce(&mut corsguard_config) -> Result<(), corsguard_result>,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live, exclusively used config.
        let c = unsafe { config.as_mut() }.ok_or(corsguard_result::NullPointer)?;
        body(c)
    })
}

/// Creates a configuration, the document `{"version": 1}` (the strict
/// defaults), and stores it in `*config_out`. Release it with
/// `corsguard_config_free`.
///
/// Returns `CORSGUARD_RESULT_NULL_POINTER` if `config_out` is NULL.
///
/// # Safety
/// `config_out` must be NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_new(
    config_out: *mut *mut corsguard_config,
) -> corsguard_result {
    guard_try(|| {
        if config_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let config = Box::into_raw(Box::default());
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { config_out.write(config) };
        Ok(())
    })
}

/// Releases a configuration and every string it copied. NULL is accepted and
/// does nothing. Policies built from it stay valid; error messages borrowed
/// from it do not.
///
/// # Safety
/// `config` must be NULL or a pointer from `corsguard_config_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_free(config: *mut corsguard_config) -> corsguard_result {
    guard_try(|| {
        if !config.is_null() {
            // SAFETY: the caller guarantees it came from `Box::into_raw` in
            // `corsguard_config_new` and is freed once.
            drop(unsafe { Box::from_raw(config) });
        }
        Ok(())
    })
}

/// Selects a behaviour preset by its name in the core's table of profiles:
/// `strict` (the default), `cors_npm` or `starlette` (the document's
/// `profile`). `len` bytes are read from `name`. Resets the refused-preflight
/// status to the profile's.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for a name that is no profile
/// (the message, kept for `corsguard_config_last_error`, lists them).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `name` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_profile(
    config: *mut corsguard_config,
    name: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        edit(config, |c| {
            // SAFETY: the caller guarantees `name` is NULL or readable for `len`.
            let bytes = required(name, len)?;
            match core::str::from_utf8(bytes)
                .ok()
                .filter(|n| Behaviour::named(n).is_some())
            {
                Some(name) => {
                    c.refused_preflight_status = None;
                    c.set("profile", name)
                }
                None => {
                    let names: Vec<&str> = Behaviour::PROFILES.iter().map(|(n, _)| *n).collect();
                    Err(c.fail(
                        corsguard_result::InvalidArgument,
                        "/profile",
                        &format_args!(
                            "profile `{}` is not a profile; use one of {}",
                            bytes.escape_ascii(),
                            names.join(", ")
                        ),
                    ))
                }
            }
        })
    }
}

/// The core's profile names (`Behaviour::PROFILES`), NUL-terminated for C;
/// a test keeps the two the same.
const PROFILE_NAMES: [&str; 6] = [
    "strict\0",
    "cors_npm\0",
    "starlette\0",
    "django_cors_headers\0",
    "fastify_cors\0",
    "flask_cors\0",
];

/// The name of profile `index` in the core's table (`strict`, `cors_npm`,
/// `starlette`), NUL-terminated and static, in `*name_out`; the names are
/// the values of `corsguard_config_set_profile`.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` past the last profile, so a
/// loop from 0 lists them all.
///
/// # Safety
/// `name_out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_profile_name(
    index: usize,
    name_out: *mut crate::strings::corsguard_str,
) -> corsguard_result {
    guard_try(|| {
        if name_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let name = PROFILE_NAMES
            .get(index)
            .ok_or(corsguard_result::InvalidArgument)?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { name_out.write(crate::strings::corsguard_str::from_static(name)) };
        Ok(())
    })
}

/// The status a refused preflight is answered with, 100 to 999; 0 answers
/// it with the preflight success status (`corsguard_config_set_preflight_status`).
/// The strict profile answers 403, `cors_npm` 0 and `starlette` 400. Set the
/// profile first: selecting a profile resets this. The one setting without a
/// document key: it is applied to the profile's behaviour when the policy is
/// built.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` above 65535 (the core checks
/// the 100 to 999 range when the policy is built).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_refused_preflight_status(
    config: *mut corsguard_config,
    status: u32,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        edit(config, |c| {
            c.refused_preflight_status = Some(match status {
                0 => None,
                v => Some(u16::try_from(v).map_err(|_| corsguard_result::InvalidArgument)?),
            });
            Ok(())
        })
    }
}

/// Adds an entry to `allowOrigins`: an exact origin
/// (`https://app.example.com`), `*`, a subdomain pattern
/// (`https://*.example.com`), a port wildcard (`http://localhost:*`) or
/// `null`. `len` bytes are copied from `origin`. The entry is validated when
/// the policy is built.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8 (the
/// message is kept for `corsguard_config_last_error`).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `origin` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_add_origin(
    config: *mut corsguard_config,
    origin: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.add("allowOrigins", origin, len)) }
}

/// Removes `allowOrigins` (every origin added with
/// `corsguard_config_add_origin`) and `fixedOrigin`.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_clear_origins(
    config: *mut corsguard_config,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.remove(&["allowOrigins", "fixedOrigin"])) }
}

/// Sets `fixedOrigin`, one origin given on its own (the `cors` npm
/// `origin: "..."` option). In the strict profile it just allows that
/// origin; with `CORSGUARD_BEHAVIOUR_FIXED_ORIGIN_ALWAYS_SENT` it is sent to
/// everyone. Replaces an earlier fixed origin.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `origin` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_fixed_origin(
    config: *mut corsguard_config,
    origin: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set_text("fixedOrigin", origin, len)) }
}

/// Sets `originVerdict`: the host decides about origins the lists do not
/// allow; each request then carries the host's verdict
/// (`corsguard_request.origin_verdict`), for rules the core cannot run, such
/// as a regular expression.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_origin_verdict(
    config: *mut corsguard_config,
    enabled: bool,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("originVerdict", enabled)) }
}

/// Chooses how `allowMethods` is written: `CORSGUARD_LIST_MODE_LIST` (the
/// methods added with `corsguard_config_add_method`; the default) or
/// `CORSGUARD_LIST_MODE_ANY` (`["*"]`). The added methods are kept either way.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for `CORSGUARD_LIST_MODE_MIRROR`
/// or an unknown mode.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_methods_mode(
    config: *mut corsguard_config,
    mode: u32,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set_mode("allowMethods", mode, false)) }
}

/// Adds an entry to `allowMethods` (compared case-sensitively, as browsers
/// send them: `PUT`, `DELETE`, ...) and switches it to
/// `CORSGUARD_LIST_MODE_LIST`. In the strict profile GET, HEAD and POST are
/// always allowed.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `method` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_add_method(
    config: *mut corsguard_config,
    method: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.add("allowMethods", method, len)) }
}

/// Chooses how `allowHeaders` is written: `CORSGUARD_LIST_MODE_LIST` (the
/// names added with `corsguard_config_add_allowed_header`; the default),
/// `CORSGUARD_LIST_MODE_ANY` (`["*"]`) or `CORSGUARD_LIST_MODE_MIRROR`
/// (`"mirror"`: echo what the preflight asks for). The added names are kept
/// either way.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an unknown mode.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_allowed_headers_mode(
    config: *mut corsguard_config,
    mode: u32,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set_mode("allowHeaders", mode, true)) }
}

/// Adds an entry to `allowHeaders`, a request header name a preflight may
/// ask for (compared case-insensitively), and switches it to
/// `CORSGUARD_LIST_MODE_LIST`.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `name` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_add_allowed_header(
    config: *mut corsguard_config,
    name: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.add("allowHeaders", name, len)) }
}

/// Chooses how `exposeHeaders` is written: `CORSGUARD_LIST_MODE_LIST` (the
/// names added with `corsguard_config_add_exposed_header`; the default) or
/// `CORSGUARD_LIST_MODE_ANY` (`["*"]`). The added names are kept either way.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for `CORSGUARD_LIST_MODE_MIRROR`
/// or an unknown mode.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_exposed_headers_mode(
    config: *mut corsguard_config,
    mode: u32,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set_mode("exposeHeaders", mode, false)) }
}

/// Adds an entry to `exposeHeaders`, a response header name scripts may
/// read, and switches it to `CORSGUARD_LIST_MODE_LIST`.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `name` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_add_exposed_header(
    config: *mut corsguard_config,
    name: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.add("exposeHeaders", name, len)) }
}

/// Sets `allowCredentials`: whether cross-origin requests may carry cookies
/// and HTTP authentication (`Access-Control-Allow-Credentials: true`).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_credentials(
    config: *mut corsguard_config,
    allow: bool,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("allowCredentials", allow)) }
}

/// Sets `maxAge` in seconds: how long browsers may cache a preflight answer
/// (`Access-Control-Max-Age`); the strict profile accepts 0 to 86400.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_max_age(
    config: *mut corsguard_config,
    seconds: u32,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("maxAge", seconds)) }
}

/// Sets `maxAge` to a string, sent exactly as given, for the compatibility
/// profiles (their literal syntax) that send whatever they were configured
/// with. The strict profile refuses it when building.
///
/// Returns `CORSGUARD_RESULT_NOT_UTF8` when the bytes are not UTF-8.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `value` must be NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_max_age_literal(
    config: *mut corsguard_config,
    value: *const c_char,
    len: usize,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set_text("maxAge", value, len)) }
}

/// Removes `maxAge`: no `Access-Control-Max-Age` is sent (the default).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_clear_max_age(
    config: *mut corsguard_config,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.remove(&["maxAge"])) }
}

/// Sets `allowPrivateNetwork`: whether preflights asking for Private Network
/// Access (`Access-Control-Request-Private-Network: true`) are granted it.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_private_network(
    config: *mut corsguard_config,
    allow: bool,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("allowPrivateNetwork", allow)) }
}

/// Sets `preflightContinue`: whether preflights are passed on to the
/// application (`CORSGUARD_ACTION_CONTINUE`) instead of answered by the
/// decision.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_preflight_continue(
    config: *mut corsguard_config,
    pass: bool,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("preflightContinue", pass)) }
}

/// Sets `preflightStatus`, the status of a successful preflight answer (204
/// by default; 200 for old clients). The strict profile accepts 200 to 299,
/// checked when building.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_preflight_status(
    config: *mut corsguard_config,
    status: u16,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe { edit(config, |c| c.set("preflightStatus", status)) }
}

/// Copies the most recent failure recorded by this configuration (a setter's
/// `NOT_UTF8` or `INVALID_ARGUMENT`, or a policy build's configuration
/// error) into `*error_out`; its `code` is `CORSGUARD_RESULT_OK` if nothing
/// has failed yet.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `error_out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_last_error(
    config: *mut corsguard_config,
    error_out: *mut corsguard_error,
) -> corsguard_result {
    // SAFETY: forwarded from the caller.
    unsafe {
        edit(config, |c| {
            if error_out.is_null() {
                return Err(corsguard_result::NullPointer);
            }
            let error = c
                .last_error
                .as_ref()
                .map_or_else(corsguard_error::ok, corsguard_error::from_stored);
            // SAFETY: checked non-NULL; the caller guarantees it is writable.
            error_out.write(error);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_names_are_the_cores() {
        let core: Vec<&str> = Behaviour::PROFILES.iter().map(|(n, _)| *n).collect();
        let c: Vec<&str> = PROFILE_NAMES
            .iter()
            .map(|n| n.strip_suffix('\0').unwrap())
            .collect();
        assert_eq!(core, c);
    }

    #[test]
    fn the_setters_write_the_document() {
        let mut c = corsguard_config::default();
        assert_eq!(c.json(), r#"{"version":1}"#);
        let origin = "https://a.example";
        let method = "PUT";
        // SAFETY: the strings are readable for their lengths.
        unsafe {
            c.add("allowOrigins", origin.as_ptr().cast(), origin.len())
                .unwrap();
            c.set_mode("allowMethods", corsguard_list_mode::Any as u32, false)
                .unwrap();
            c.set("maxAge", 600).unwrap();
            c.set("profile", "cors_npm").unwrap();
            assert_eq!(
                c.json(),
                r#"{"version":1,"profile":"cors_npm","allowOrigins":["https://a.example"],"allowMethods":["*"],"maxAge":600}"#
            );
            c.add("allowMethods", method.as_ptr().cast(), method.len())
                .unwrap();
            c.set_mode("allowHeaders", corsguard_list_mode::Mirror as u32, true)
                .unwrap();
        }
        assert!(c
            .json()
            .contains(r#""allowMethods":["PUT"],"allowHeaders":"mirror""#));
        assert_eq!(
            c.set_mode("exposeHeaders", corsguard_list_mode::Mirror as u32, false),
            Err(corsguard_result::InvalidArgument)
        );
    }
}
