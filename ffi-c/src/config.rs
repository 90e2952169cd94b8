//! `corsguard_config`: a builder that owns copies of the caller's strings
//! and turns them into the core's `Config` when a policy is built.

use core::ffi::c_char;
use core::fmt::Write as _;

use corsguard_core::compat::{
    ActualHeaders, PreflightBody, PreflightDetection, Separator, Syntax, VaryStyle,
    WildcardWithCredentials,
};
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

/// A compatibility profile: a named preset of the behaviour settings.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_profile {
    /// The Fetch-correct default: strict validation, everything checked,
    /// refused preflights answered 403 without CORS headers.
    Strict = 0,
    /// The answers of the `cors` npm package, version 2.8.6.
    CorsNpm = 1,
    /// The answers of Starlette's `CORSMiddleware`, version 1.10.
    Starlette = 2,
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

/// One behaviour setting of the core, for `corsguard_config_set_behaviour`.
/// A profile (`corsguard_config_set_profile`) sets all of them at once; these
/// adjust one at a time. Boolean settings take 0 or 1.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_behaviour {
    /// How entries are read: a `corsguard_syntax`.
    Syntax = 0,
    /// Which requests are preflights: a `corsguard_preflight_detection`.
    PreflightDetection = 1,
    /// Whether a preflight's requested method and headers are checked (0/1).
    CheckPreflight = 2,
    /// Whether GET, HEAD and POST pass the method check unlisted (0/1).
    SafelistedMethodsImplicit = 3,
    /// Whether empty elements of `Access-Control-Request-Headers` are skipped (0/1).
    SkipEmptyHeaderElements = 4,
    /// The status of a refused preflight, 100 to 999; 0 means the configured
    /// preflight success status.
    RefusedPreflightStatus = 5,
    /// Whether a refused preflight still gets the headers that do not depend
    /// on the verdict (0/1).
    RefusedPreflightKeepHeaders = 6,
    /// The body of preflight answers: a `corsguard_preflight_body`.
    PreflightBody = 7,
    /// Whether a fixed origin is sent to every request (0/1).
    FixedOriginAlwaysSent = 8,
    /// What `*` with credentials does: a `corsguard_wildcard_with_credentials`.
    WildcardWithCredentials = 9,
    /// When actual responses carry CORS headers: a `corsguard_actual_headers`.
    ActualHeaders = 10,
    /// The list separator in header values: a `corsguard_separator`.
    Separator = 11,
    /// Which `Vary` tokens are sent: a `corsguard_vary_style`.
    VaryStyle = 12,
    /// How `Vary` is added to a response: a `corsguard_vary_merge`.
    VaryMerge = 13,
    /// Whether the four safelisted request headers are added to the allowed
    /// list and the list sorted (0/1).
    SafelistedHeadersAdded = 14,
    /// Whether a header whose value is empty is still sent (an empty
    /// `Access-Control-Allow-Methods`, a mirrored empty request-headers
    /// list), as Starlette does (0/1).
    EmptyValuesSent = 15,
}

/// Values of `CORSGUARD_BEHAVIOUR_SYNTAX`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_syntax {
    /// Entries must be what a browser sends; risky combinations are refused.
    Strict = 0,
    /// Entries are opaque strings compared byte for byte (the peers' way);
    /// only CR, LF and NUL are refused.
    Literal = 1,
}

/// Values of `CORSGUARD_BEHAVIOUR_PREFLIGHT_DETECTION`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_preflight_detection {
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    OriginAndMethod = 0,
    /// Every `OPTIONS` request.
    AnyOptions = 1,
}

/// Values of `CORSGUARD_BEHAVIOUR_PREFLIGHT_BODY`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_preflight_body {
    /// No body.
    Empty = 0,
    /// `OK` or `Disallowed CORS ...` as `text/plain` (Starlette).
    FailureList = 1,
}

/// Values of `CORSGUARD_BEHAVIOUR_WILDCARD_WITH_CREDENTIALS`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_wildcard_with_credentials {
    /// Refused at construction.
    Refuse = 0,
    /// `*` and `true` sent anyway (`cors` npm).
    SendWildcard = 1,
    /// The request's origin reflected (Starlette).
    Reflect = 2,
}

/// Values of `CORSGUARD_BEHAVIOUR_ACTUAL_HEADERS`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_actual_headers {
    /// Only when the origin is allowed.
    WhenAllowed = 0,
    /// Allow-Origin when allowed; credentials and exposed headers always (`cors` npm).
    Always = 1,
    /// Whenever the request has an `Origin` (Starlette).
    WhenOriginPresent = 2,
}

/// Values of `CORSGUARD_BEHAVIOUR_SEPARATOR`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_separator {
    /// `, `
    CommaSpace = 0,
    /// `,`
    Comma = 1,
}

/// Values of `CORSGUARD_BEHAVIOUR_VARY_STYLE`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsguard_vary_style {
    /// `Origin` whenever the answer depends on it.
    Minimal = 0,
    /// The `cors` npm package's tokens.
    CorsNpm = 1,
    /// Starlette's tokens.
    Starlette = 2,
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

fn flag(value: u32) -> Result<bool, corsguard_result> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(corsguard_result::InvalidArgument),
    }
}

fn pick<T: Copy>(value: u32, options: &[T]) -> Result<T, corsguard_result> {
    options
        .get(value as usize)
        .copied()
        .ok_or(corsguard_result::InvalidArgument)
}

fn position<T: PartialEq>(value: T, options: &[T]) -> u32 {
    options.iter().position(|o| *o == value).unwrap_or(0) as u32
}

const SYNTAXES: [Syntax; 2] = [Syntax::Strict, Syntax::Literal];
const DETECTIONS: [PreflightDetection; 2] = [
    PreflightDetection::OriginAndMethod,
    PreflightDetection::AnyOptions,
];
const BODIES: [PreflightBody; 2] = [PreflightBody::Empty, PreflightBody::FailureList];
const WILDCARDS: [WildcardWithCredentials; 3] = [
    WildcardWithCredentials::Refuse,
    WildcardWithCredentials::SendWildcard,
    WildcardWithCredentials::Reflect,
];
const ACTUALS: [ActualHeaders; 3] = [
    ActualHeaders::WhenAllowed,
    ActualHeaders::Always,
    ActualHeaders::WhenOriginPresent,
];
const SEPARATORS: [Separator; 2] = [Separator::CommaSpace, Separator::Comma];
const VARIES: [VaryStyle; 3] = [VaryStyle::Minimal, VaryStyle::CorsNpm, VaryStyle::Starlette];
const MERGES: [VaryMerge; 2] = [VaryMerge::Dedup, VaryMerge::Join];

const SETTINGS: [corsguard_behaviour; 16] = {
    use corsguard_behaviour as B;
    [
        B::Syntax,
        B::PreflightDetection,
        B::CheckPreflight,
        B::SafelistedMethodsImplicit,
        B::SkipEmptyHeaderElements,
        B::RefusedPreflightStatus,
        B::RefusedPreflightKeepHeaders,
        B::PreflightBody,
        B::FixedOriginAlwaysSent,
        B::WildcardWithCredentials,
        B::ActualHeaders,
        B::Separator,
        B::VaryStyle,
        B::VaryMerge,
        B::SafelistedHeadersAdded,
        B::EmptyValuesSent,
    ]
};

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

    fn set_behaviour(
        &mut self,
        setting: corsguard_behaviour,
        value: u32,
    ) -> Result<(), corsguard_result> {
        use corsguard_behaviour as B;
        let b = &mut self.behaviour;
        match setting {
            B::Syntax => b.syntax = pick(value, &SYNTAXES)?,
            B::PreflightDetection => b.preflight_detection = pick(value, &DETECTIONS)?,
            B::CheckPreflight => b.check_preflight = flag(value)?,
            B::SafelistedMethodsImplicit => b.safelisted_methods_implicit = flag(value)?,
            B::SkipEmptyHeaderElements => b.skip_empty_header_elements = flag(value)?,
            B::RefusedPreflightStatus => {
                // The core validates the range (100 to 999) when building.
                b.refused_preflight.status = match value {
                    0 => None,
                    v => Some(u16::try_from(v).map_err(|_| corsguard_result::InvalidArgument)?),
                }
            }
            B::RefusedPreflightKeepHeaders => b.refused_preflight.keep_headers = flag(value)?,
            B::PreflightBody => b.preflight_body = pick(value, &BODIES)?,
            B::FixedOriginAlwaysSent => b.fixed_origin_always_sent = flag(value)?,
            B::WildcardWithCredentials => b.wildcard_with_credentials = pick(value, &WILDCARDS)?,
            B::ActualHeaders => b.actual_headers = pick(value, &ACTUALS)?,
            B::Separator => b.separator = pick(value, &SEPARATORS)?,
            B::VaryStyle => b.vary = pick(value, &VARIES)?,
            B::VaryMerge => b.vary_merge = pick(value, &MERGES)?,
            B::SafelistedHeadersAdded => b.safelisted_headers_added = flag(value)?,
            B::EmptyValuesSent => b.empty_values_sent = flag(value)?,
        }
        Ok(())
    }

    fn get_behaviour(&self, setting: corsguard_behaviour) -> u32 {
        use corsguard_behaviour as B;
        let b = &self.behaviour;
        match setting {
            B::Syntax => position(b.syntax, &SYNTAXES),
            B::PreflightDetection => position(b.preflight_detection, &DETECTIONS),
            B::CheckPreflight => b.check_preflight.into(),
            B::SafelistedMethodsImplicit => b.safelisted_methods_implicit.into(),
            B::SkipEmptyHeaderElements => b.skip_empty_header_elements.into(),
            B::RefusedPreflightStatus => b.refused_preflight.status.map_or(0, u32::from),
            B::RefusedPreflightKeepHeaders => b.refused_preflight.keep_headers.into(),
            B::PreflightBody => position(b.preflight_body, &BODIES),
            B::FixedOriginAlwaysSent => b.fixed_origin_always_sent.into(),
            B::WildcardWithCredentials => position(b.wildcard_with_credentials, &WILDCARDS),
            B::ActualHeaders => position(b.actual_headers, &ACTUALS),
            B::Separator => position(b.separator, &SEPARATORS),
            B::VaryStyle => position(b.vary, &VARIES),
            B::VaryMerge => position(b.vary_merge, &MERGES),
            B::SafelistedHeadersAdded => b.safelisted_headers_added.into(),
            B::EmptyValuesSent => b.empty_values_sent.into(),
        }
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

/// Resets every behaviour setting to a profile's preset
/// (`CORSGUARD_PROFILE_STRICT`, `_CORS_NPM` or `_STARLETTE`). Set the profile
/// first, then adjust single settings with `corsguard_config_set_behaviour`.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an unknown profile.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_profile(
    config: *mut corsguard_config,
    profile: u32,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        c.behaviour = pick(
            profile,
            &[Behaviour::STRICT, Behaviour::CORS_NPM, Behaviour::STARLETTE],
        )?;
        Ok(())
    })
}

/// Sets one behaviour setting (a `corsguard_behaviour`) to `value` (see the
/// setting's documentation for its values).
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an unknown setting or a
/// value out of its range (a status above 65535 included; the core checks the
/// 100 to 999 range when the policy is built).
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_set_behaviour(
    config: *mut corsguard_config,
    setting: u32,
    value: u32,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        let setting = pick(setting, &SETTINGS)?;
        c.set_behaviour(setting, value)
    })
}

/// Reads one behaviour setting (a `corsguard_behaviour`) into `*value_out`.
///
/// Returns `CORSGUARD_RESULT_INVALID_ARGUMENT` for an unknown setting.
///
/// # Safety
/// `config` must be NULL or a live configuration used by this thread only;
/// `value_out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsguard_config_get_behaviour(
    config: *mut corsguard_config,
    setting: u32,
    value_out: *mut u32,
) -> corsguard_result {
    guard_try(|| {
        // SAFETY: the caller guarantees a live configuration used by this
        // thread only.
        let c = unsafe { config_mut(config) }?;
        if value_out.is_null() {
            return Err(corsguard_result::NullPointer);
        }
        let setting = pick(setting, &SETTINGS)?;
        // SAFETY: checked non-NULL; the caller guarantees it is writable.
        unsafe { value_out.write(c.get_behaviour(setting)) };
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
