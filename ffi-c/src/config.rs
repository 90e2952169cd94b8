//! `corsguard_config`: a builder that owns copies of the caller's strings
//! and turns them into the core's `Config` when a policy is built.

use core::ffi::c_char;
use core::fmt::Write as _;

use corsguard_core::{
    AllowedHeaders, Behaviour, Config, ConfigError, ExposedHeaders, MaxAge, Methods, VaryMerge,
};

use crate::boundary::guard_try;
use crate::result::{corsguard_origin_problem, corsguard_result};
use crate::strings::required;

/// A configuration being assembled. Create it with `corsguard_config_new`,
/// describe the policy with the `corsguard_config_*` setters, build one or
/// more policies from it with `corsguard_policy_new` or
/// `corsguard_policy_init`, then release it with `corsguard_config_free`
/// (a policy does not need its configuration once built).
///
/// A configuration is not thread-safe: use one from one thread at a time.
/// Its defaults are the core's `Config::new()`: the strict profile, no
/// origins, methods and headers as empty lists, no credentials, no max-age,
/// no private network access, preflights answered with status 204.
pub struct corsguard_config {
    origins: Vec<String>,
    fixed_origin: Option<String>,
    origin_verdict: bool,
    methods_mode: corsguard_list_mode,
    methods: Vec<String>,
    headers_mode: corsguard_list_mode,
    headers: Vec<String>,
    exposed_mode: corsguard_list_mode,
    exposed: Vec<String>,
    credentials: bool,
    max_age: OwnedMaxAge,
    private_network: bool,
    preflight_continue: bool,
    preflight_status: u16,
    behaviour: Behaviour,
    last_error: Option<StoredError>,
}

enum OwnedMaxAge {
    Unset,
    Seconds(u32),
    Literal(String),
}

/// A failure kept by the configuration, so that its message can be lent out.
pub(crate) struct StoredError {
    pub(crate) code: corsguard_result,
    pub(crate) problem: corsguard_origin_problem,
    /// The message followed by a NUL.
    pub(crate) message: Vec<u8>,
}

impl StoredError {
    pub(crate) fn of_config_error(error: &ConfigError<'_>) -> Self {
        let problem = match error {
            ConfigError::MalformedOrigin { problem, .. } => corsguard_origin_problem::of(*problem),
            _ => corsguard_origin_problem::None,
        };
        StoredError::new(corsguard_result::of_config_error(error), problem, error)
    }

    fn new(
        code: corsguard_result,
        problem: corsguard_origin_problem,
        message: &dyn core::fmt::Display,
    ) -> Self {
        let mut text = String::new();
        let _ = write!(text, "{message}");
        let mut message = text.into_bytes();
        message.push(0);
        StoredError {
            code,
            problem,
            message,
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
    /// The message, exactly as the core words it: the entry, the rule it
    /// breaks and the fix, e.g. "allowed_origins `https://a.example/`: an
    /// origin has no path, not even `/`; remove the trailing slash". UTF-8,
    /// and also NUL-terminated; an entry is quoted verbatim, so when it holds
    /// a NUL byte the message does too: `message_len` is the length.
    /// Borrowed from the configuration: valid until the next failing call on
    /// that configuration or until it is freed. An empty string when `code`
    /// is `CORSGUARD_RESULT_OK`.
    pub message: *const c_char,
    /// The length of `message` in bytes, not counting the NUL.
    pub message_len: usize,
}

impl corsguard_error {
    pub(crate) fn ok() -> Self {
        corsguard_error {
            code: corsguard_result::Ok,
            problem: corsguard_origin_problem::None,
            message: c"".as_ptr(),
            message_len: 0,
        }
    }

    pub(crate) fn from_stored(stored: &StoredError) -> Self {
        corsguard_error {
            code: stored.code,
            problem: stored.problem,
            message: stored.message.as_ptr().cast(),
            message_len: stored.message.len() - 1,
        }
    }
}

/// How a list option (methods, allowed headers, exposed headers) is given.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_list_mode {
    /// The names added with the option's `corsguard_config_add_*` function.
    List = 0,
    /// Any name: answered with `*` (browsers honour it only without credentials).
    Any = 1,
    /// Allowed headers only: whatever the preflight asks for, echoed back
    /// (the `cors` npm default).
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

fn pick<T: Copy>(value: u32, options: &[T]) -> Result<T, corsguard_result> {
    options
        .get(value as usize)
        .copied()
        .ok_or(corsguard_result::InvalidArgument)
}

/// Bytes shown the way the core shows request bytes: UTF-8 as is, every
/// other byte as `\xNN`.
struct Escaped<'a>(&'a [u8]);

impl core::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

impl corsguard_config {
    fn new() -> Self {
        corsguard_config {
            origins: Vec::new(),
            fixed_origin: None,
            origin_verdict: false,
            methods_mode: corsguard_list_mode::List,
            methods: Vec::new(),
            headers_mode: corsguard_list_mode::List,
            headers: Vec::new(),
            exposed_mode: corsguard_list_mode::List,
            exposed: Vec::new(),
            credentials: false,
            max_age: OwnedMaxAge::Unset,
            private_network: false,
            preflight_continue: false,
            preflight_status: 204,
            behaviour: Behaviour::STRICT,
            last_error: None,
        }
    }

    /// Records a failure of a setter and returns its code.
    fn fail(
        &mut self,
        code: corsguard_result,
        message: &dyn core::fmt::Display,
    ) -> corsguard_result {
        self.last_error = Some(StoredError::new(
            code,
            corsguard_origin_problem::None,
            message,
        ));
        code
    }

    /// Keeps a configuration error of the core and lends it out.
    pub(crate) fn store(&mut self, error: StoredError) -> corsguard_error {
        let stored = self.last_error.insert(error);
        corsguard_error::from_stored(stored)
    }

    /// The entry as text, or a recorded `NotUtf8` failure naming the option.
    ///
    /// # Safety
    /// As [`required`].
    unsafe fn text(
        &mut self,
        option: &str,
        ptr: *const c_char,
        len: usize,
    ) -> Result<String, corsguard_result> {
        // SAFETY: forwarded from the caller.
        let bytes = unsafe { required(ptr, len) }?;
        match core::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => {
                let escaped = Escaped(bytes);
                Err(self.fail(
                    corsguard_result::NotUtf8,
                    &format_args!(
                        "{option} `{escaped}`: not valid UTF-8; configuration entries are text, write them in UTF-8"
                    ),
                ))
            }
        }
    }

    /// Calls `build` with the core `Config` this builder describes.
    pub(crate) fn with_core_config<R>(&self, build: impl FnOnce(&Config<'_>) -> R) -> R {
        fn as_strs(list: &[String]) -> Vec<&str> {
            list.iter().map(String::as_str).collect()
        }
        let origins = as_strs(&self.origins);
        let methods = as_strs(&self.methods);
        let headers = as_strs(&self.headers);
        let exposed = as_strs(&self.exposed);
        let mut config = Config::new()
            .behaviour(self.behaviour)
            .allowed_origins(&origins)
            .origin_verdict(self.origin_verdict)
            .allowed_methods(match self.methods_mode {
                corsguard_list_mode::Any => Methods::Any,
                _ => Methods::List(&methods),
            })
            .allowed_headers(match self.headers_mode {
                corsguard_list_mode::Any => AllowedHeaders::Any,
                corsguard_list_mode::Mirror => AllowedHeaders::Mirror,
                corsguard_list_mode::List => AllowedHeaders::List(&headers),
            })
            .exposed_headers(match self.exposed_mode {
                corsguard_list_mode::Any => ExposedHeaders::Any,
                _ => ExposedHeaders::List(&exposed),
            })
            .credentials(self.credentials)
            .max_age_value(match &self.max_age {
                OwnedMaxAge::Unset => None,
                OwnedMaxAge::Seconds(s) => Some(MaxAge::Seconds(*s)),
                OwnedMaxAge::Literal(v) => Some(MaxAge::Literal(v)),
            })
            .private_network(self.private_network)
            .preflight_continue(self.preflight_continue)
            .preflight_status(self.preflight_status);
        if let Some(fixed) = &self.fixed_origin {
            config = config.fixed_origin(fixed);
        }
        build(&config)
    }
}

/// The configuration behind `config`.
///
/// # Safety
/// `config` must be NULL or a live pointer from `corsguard_config_new`, not
/// used by another thread at the same time.
unsafe fn config_mut<'a>(
    config: *mut corsguard_config,
) -> Result<&'a mut corsguard_config, corsguard_result> {
    // SAFETY: the caller guarantees a live, exclusively used config.
    unsafe { config.as_mut() }.ok_or(corsguard_result::NullPointer)
}

/// Creates a configuration with the strict defaults and stores it in
/// `*config_out`. Release it with `corsguard_config_free`.
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
        let config = Box::into_raw(Box::new(corsguard_config::new()));
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
/// `strict` (the default), `cors_npm` or `starlette` (a policy document's
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        // SAFETY: the caller guarantees `name` is NULL or readable for `len`.
        let bytes = unsafe { required(name, len) }?;
        let found = core::str::from_utf8(bytes).ok().and_then(Behaviour::named);
        match found {
            Some(behaviour) => {
                c.behaviour = behaviour;
                Ok(())
            }
            None => {
                let names: Vec<&str> = Behaviour::PROFILES.iter().map(|(n, _)| *n).collect();
                Err(c.fail(
                    corsguard_result::InvalidArgument,
                    &format_args!(
                        "profile `{}` is not a profile; use one of {}",
                        Escaped(bytes),
                        names.join(", ")
                    ),
                ))
            }
        }
    })
}

/// The core's profile names (`Behaviour::PROFILES`), NUL-terminated for C;
/// a test keeps the two the same.
const PROFILE_NAMES: [&str; 3] = ["strict\0", "cors_npm\0", "starlette\0"];

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
/// profile first: selecting a profile resets this.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.behaviour.refused_preflight.status = match status {
            0 => None,
            v => Some(u16::try_from(v).map_err(|_| corsguard_result::InvalidArgument)?),
        };
        Ok(())
    })
}

/// Adds an allowed origin: an exact origin (`https://app.example.com`),
/// `*`, a subdomain pattern (`https://*.example.com`), a port wildcard
/// (`http://localhost:*`) or `null`. `len` bytes are copied from `origin`.
/// The entry is validated when the policy is built.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let entry = c.text("allowed_origins", origin, len)?;
        c.origins.push(entry);
        Ok(())
    })
}

/// Removes every origin added with `corsguard_config_add_origin` and the
/// fixed origin.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_clear_origins(
    config: *mut corsguard_config,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.origins.clear();
        c.fixed_origin = None;
        Ok(())
    })
}

/// Sets one origin given on its own (the `cors` npm `origin: "..."` option).
/// In the strict profile it just allows that origin; with
/// `CORSGUARD_BEHAVIOUR_FIXED_ORIGIN_ALWAYS_SENT` it is sent to everyone.
/// Replaces an earlier fixed origin.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let entry = c.text("allowed_origins", origin, len)?;
        c.fixed_origin = Some(entry);
        Ok(())
    })
}

/// Lets the host decide about origins the lists do not allow: each request
/// then carries the host's verdict (`corsguard_request.origin_verdict`), for
/// rules the core cannot run, such as a regular expression.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_origin_verdict(
    config: *mut corsguard_config,
    enabled: bool,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.origin_verdict = enabled;
        Ok(())
    })
}

/// Chooses how methods are given: `CORSGUARD_LIST_MODE_LIST` (the methods
/// added with `corsguard_config_add_method`; the default) or
/// `CORSGUARD_LIST_MODE_ANY` (`*`). The added methods are kept either way.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.methods_mode = pick(mode, &[corsguard_list_mode::List, corsguard_list_mode::Any])?;
        Ok(())
    })
}

/// Adds an allowed method (compared case-sensitively, as browsers send
/// them: `PUT`, `DELETE`, ...) and switches methods to
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let entry = c.text("allowed_methods", method, len)?;
        c.methods.push(entry);
        c.methods_mode = corsguard_list_mode::List;
        Ok(())
    })
}

/// Chooses how allowed request headers are given: `CORSGUARD_LIST_MODE_LIST`
/// (the names added with `corsguard_config_add_allowed_header`; the
/// default), `CORSGUARD_LIST_MODE_ANY` (`*`) or `CORSGUARD_LIST_MODE_MIRROR`
/// (echo what the preflight asks for). The added names are kept either way.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.headers_mode = pick(
            mode,
            &[
                corsguard_list_mode::List,
                corsguard_list_mode::Any,
                corsguard_list_mode::Mirror,
            ],
        )?;
        Ok(())
    })
}

/// Adds a request header name a preflight may ask for (compared
/// case-insensitively) and switches allowed headers to
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let entry = c.text("allowed_headers", name, len)?;
        c.headers.push(entry);
        c.headers_mode = corsguard_list_mode::List;
        Ok(())
    })
}

/// Chooses how exposed response headers are given: `CORSGUARD_LIST_MODE_LIST`
/// (the names added with `corsguard_config_add_exposed_header`; the default)
/// or `CORSGUARD_LIST_MODE_ANY` (`*`). The added names are kept either way.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.exposed_mode = pick(mode, &[corsguard_list_mode::List, corsguard_list_mode::Any])?;
        Ok(())
    })
}

/// Adds a response header name scripts may read and switches exposed
/// headers to `CORSGUARD_LIST_MODE_LIST`.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let entry = c.text("exposed_headers", name, len)?;
        c.exposed.push(entry);
        c.exposed_mode = corsguard_list_mode::List;
        Ok(())
    })
}

/// Whether cross-origin requests may carry cookies and HTTP authentication
/// (`Access-Control-Allow-Credentials: true`).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_credentials(
    config: *mut corsguard_config,
    allow: bool,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.credentials = allow;
        Ok(())
    })
}

/// How long (seconds) browsers may cache a preflight answer
/// (`Access-Control-Max-Age`); the strict profile accepts 0 to 86400.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_max_age(
    config: *mut corsguard_config,
    seconds: u32,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.max_age = OwnedMaxAge::Seconds(seconds);
        Ok(())
    })
}

/// Sets `Access-Control-Max-Age` to a value sent exactly as given, for the
/// compatibility profiles (their literal syntax) that send whatever they
/// were configured with. The strict profile refuses it when building.
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
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let value = c.text("max_age", value, len)?;
        c.max_age = OwnedMaxAge::Literal(value);
        Ok(())
    })
}

/// Removes the max-age: no `Access-Control-Max-Age` is sent (the default).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_clear_max_age(
    config: *mut corsguard_config,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.max_age = OwnedMaxAge::Unset;
        Ok(())
    })
}

/// Whether preflights asking for Private Network Access
/// (`Access-Control-Request-Private-Network: true`) are granted it.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_private_network(
    config: *mut corsguard_config,
    allow: bool,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.private_network = allow;
        Ok(())
    })
}

/// Whether preflights are passed on to the application
/// (`CORSGUARD_ACTION_CONTINUE`) instead of answered by the decision.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_preflight_continue(
    config: *mut corsguard_config,
    pass: bool,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.preflight_continue = pass;
        Ok(())
    })
}

/// The status of a successful preflight answer (204 by default; 200 for old
/// clients). The strict profile accepts 200 to 299, checked when building.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_preflight_status(
    config: *mut corsguard_config,
    status: u16,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.preflight_status = status;
        Ok(())
    })
}

/// Copies the most recent failure recorded by this configuration (a setter's
/// `NOT_UTF8`, or a policy build's configuration error) into `*error_out`;
/// its `code` is `CORSGUARD_RESULT_OK` if nothing has failed yet.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `error_out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_last_error(
    config: *mut corsguard_config,
    error_out: *mut corsguard_error,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        if error_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let error = c
            .last_error
            .as_ref()
            .map_or_else(corsguard_error::ok, corsguard_error::from_stored);
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { error_out.write(error) };
        Ok(())
    })
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
}
