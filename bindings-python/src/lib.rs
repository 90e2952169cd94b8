//! `corsguard._native`: the Python face of the corsguard core.
//!
//! This module only translates: Python keywords into a core `Config`, the
//! core's `ConfigError` into a Python `ConfigError`, request values into a
//! core `Request`, and the `Decision` back into Python objects. Every CORS
//! rule lives in the core.

use std::borrow::Cow;

use corsguard::{
    Action, AllowedHeaders, Behaviour, Config, ConfigError as CoreError, Decision as CoreDecision,
    ExposedHeaders, Failures, HeaderName, MaxAge, Methods, Policy as CorePolicy, Reason, Request,
    OptionNames, VaryMerge, VERDICT_PROBES,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

create_exception!(
    corsguard,
    ConfigError,
    PyValueError,
    "A configuration the policy refuses.\n\n\
     The message names the entry, the rule it breaks and the fix. Attributes:\n\
     ``code`` (a stable snake_case name of the error, shared with the core and\n\
     the conformance vectors), ``problem`` (for ``malformed_origin``: what is\n\
     wrong with the origin), ``option`` (the option concerned, when known) and\n\
     ``entry`` (the offending entry, when there is one)."
);

/// The core's default capacities, as every binding builds it first.
type DefaultPolicy = CorePolicy<256, 64, 16384>;
/// The larger class, used only when asked for (`capacity="large"`).
type LargePolicy = CorePolicy<2048, 256, 131072>;

enum Inner {
    Default(Box<DefaultPolicy>),
    Large(Box<LargePolicy>),
}

/// The empty policies a build starts from, copied into each new allocation.
static EMPTY_DEFAULT: DefaultPolicy = CorePolicy::empty();
static EMPTY_LARGE: LargePolicy = CorePolicy::empty();

/// Validates `config` and builds the policy on the heap, in place: `empty`
/// is copied into a fresh allocation and `rebuild` fills the tables there.
/// `Box::new(CorePolicy::new(..)?)` built the policy on the stack and moved
/// it, and the match over capacities kept the large class's temporaries in
/// the same frame: even a default policy crashed a thread with a 512 KiB
/// stack. This needs at most 16 KiB of stack, whatever the capacity.
fn boxed<'a, const O: usize, const N: usize, const B: usize>(
    empty: &'static CorePolicy<O, N, B>,
    config: &Config<'a>,
) -> Result<Box<CorePolicy<O, N, B>>, CoreError<'a>> {
    let mut slot = Box::<CorePolicy<O, N, B>>::new_uninit();
    // SAFETY: a byte copy of a valid policy is a valid policy: it is plain
    // data (fixed-capacity tables of `Copy` items and `'static` references,
    // nothing owned, nothing pointing into itself), and the static is never
    // dropped. The two do not overlap. Copying from memory, unlike writing a
    // value, puts no policy-sized temporary on the stack.
    let mut policy = unsafe {
        std::ptr::copy_nonoverlapping(empty, slot.as_mut_ptr(), 1);
        slot.assume_init()
    };
    policy.rebuild(config)?;
    Ok(policy)
}

/// A decision copied out of the core (the core's borrows end here).
struct Owned {
    kind: &'static str,
    outcome: &'static str,
    reason: Option<String>,
    reason_code: Option<&'static str>,
    reason_detail: Option<Vec<u8>>,
    failures: u8,
    status: Option<u16>,
    headers: Vec<(HeaderName, Vec<u8>)>,
    body: Option<&'static str>,
}

fn own(decision: &CoreDecision<'_>) -> Owned {
    let reason = decision.reason();
    let reason_detail = match reason {
        Some(Reason::MethodNotAllowed { method }) => Some(method.to_vec()),
        Some(Reason::HeaderNotAllowed { name }) => Some(name.to_vec()),
        _ => None,
    };
    Owned {
        kind: decision.kind().code(),
        outcome: decision.outcome().code(),
        reason: reason.map(|r| r.to_string()),
        reason_code: reason.map(|r| r.code()),
        reason_detail,
        failures: decision.failures().bits(),
        status: match decision.action() {
            Action::Continue => None,
            Action::Respond { status } => Some(status),
        },
        headers: decision
            .headers()
            .iter()
            .map(|h| (h.name, h.value.to_vec()))
            .collect(),
        body: decision.body(),
    }
}

impl Inner {
    fn evaluate(&self, request: &Request<'_>) -> Owned {
        match self {
            Inner::Default(p) => own(&p.evaluate(request)),
            Inner::Large(p) => own(&p.evaluate(request)),
        }
    }

    /// The fast path of the drop-ins: the lowercase name and value bytes of
    /// each header, handed to `f` without building an `Owned`.
    fn evaluate_with<R>(&self, request: &Request<'_>, f: impl FnOnce(&CoreDecision<'_>) -> R) -> R {
        match self {
            Inner::Default(p) => f(&p.evaluate(request)),
            Inner::Large(p) => f(&p.evaluate(request)),
        }
    }

    fn behaviour(&self) -> &Behaviour {
        match self {
            Inner::Default(p) => p.behaviour(),
            Inner::Large(p) => p.behaviour(),
        }
    }
}

/// The Python `ConfigError` for a core error: its message, code and entry.
fn config_error(py: Python<'_>, error: &CoreError<'_>, names: &OptionNames) -> PyErr {
    let err = ConfigError::new_err(error.named(names).to_string());
    let value = err.value(py);
    let _ = value.setattr("code", error.code());
    let _ = value.setattr("problem", error.problem().map(|p| p.code()));
    let _ = value.setattr("option", error.setting().map(|s| names.of(s)));
    let _ = value.setattr("entry", error.entry());
    err
}

/// A binding-level error in the core's style (a value the core's types
/// cannot even hold, such as a negative max-age).
fn binding_error(py: Python<'_>, code: &str, option: &str, message: String) -> PyErr {
    let err = ConfigError::new_err(message);
    let value = err.value(py);
    let _ = value.setattr("code", code);
    let _ = value.setattr("problem", py.None());
    let _ = value.setattr("option", option);
    let _ = value.setattr("entry", py.None());
    err
}

fn list_refs(n: &Names) -> Vec<&str> {
    match n {
        Names::List(l) => l.iter().map(String::as_str).collect(),
        Names::Keyword(_) => Vec::new(),
    }
}

/// A list option: a sequence of strings, or one of the keywords.
enum Names {
    List(Vec<String>),
    Keyword(&'static str),
}

fn names(option: &str, value: &Bound<'_, PyAny>, keywords: &[&'static str]) -> PyResult<Names> {
    if let Ok(s) = value.downcast::<PyString>() {
        let s = s.to_cow()?;
        if let Some(k) = keywords.iter().find(|k| **k == s) {
            return Ok(Names::Keyword(k));
        }
        let allowed: Vec<String> = keywords.iter().map(|k| format!("{k:?}")).collect();
        return Err(PyTypeError::new_err(format!(
            "{option}: expected a list of strings{}{}, got the string {s:?}; write [{s:?}] for one entry",
            if allowed.is_empty() { "" } else { " or one of " },
            allowed.join(", ")
        )));
    }
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let item = item?;
        let s = item.downcast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{option}: every entry must be a str, got {}",
                item.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        out.push(s.to_cow()?.into_owned());
    }
    Ok(Names::List(out))
}

/// Request bytes from a `str` (its UTF-8 encoding; unencodable surrogates
/// are replaced) or bytes-like value.
fn request_bytes<'a>(value: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = value.downcast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(match s.to_cow() {
            Ok(Cow::Borrowed(s)) => Cow::Borrowed(s.as_bytes()),
            Ok(Cow::Owned(s)) => Cow::Owned(s.into_bytes()),
            Err(_) => Cow::Owned(s.to_string_lossy().into_owned().into_bytes()),
        });
    }
    if let Ok(v) = value.extract::<Vec<u8>>() {
        return Ok(Cow::Owned(v));
    }
    Err(PyTypeError::new_err(format!(
        "request values must be str or bytes, got {}",
        value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

fn optional_bytes<'a>(value: &'a Option<Bound<'_, PyAny>>) -> PyResult<Option<Cow<'a, [u8]>>> {
    match value {
        Some(v) if !v.is_none() => request_bytes(v).map(Some),
        _ => Ok(None),
    }
}

/// Latin-1 bytes (how ASGI and WSGI carry header values) as UTF-8, so that
/// they compare with the configured `str` entries as Python compares strings.
fn latin1_to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    if bytes.is_ascii() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        if b < 0x80 {
            out.push(b);
        } else {
            out.push(0xC0 | (b >> 6));
            out.push(0x80 | (b & 0x3F));
        }
    }
    Cow::Owned(out)
}

/// The reverse of [`latin1_to_utf8`]; the values written by the drop-ins
/// come from latin-1 requests or from entries checked to be latin-1 at
/// construction. Anything else is kept as it is.
fn utf8_to_latin1(bytes: &[u8]) -> Cow<'_, [u8]> {
    if bytes.is_ascii() {
        return Cow::Borrowed(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) if s.chars().all(|c| (c as u32) < 256) => {
            Cow::Owned(s.chars().map(|c| c as u8).collect())
        }
        _ => Cow::Borrowed(bytes),
    }
}

/// A request value for the drop-ins: bytes are latin-1, a `str` is taken
/// as the text it is (as WSGI gives it, already decoded from latin-1).
fn latin1_arg<'a>(value: &'a Option<Bound<'_, PyAny>>) -> PyResult<Option<Cow<'a, [u8]>>> {
    match value {
        Some(v) if !v.is_none() => {
            if let Ok(b) = v.downcast::<PyBytes>() {
                Ok(Some(latin1_to_utf8(b.as_bytes())))
            } else {
                request_bytes(v).map(Some)
            }
        }
        _ => Ok(None),
    }
}

/// A header value as text: UTF-8 when it is, else latin-1 (as HTTP and
/// WSGI read header bytes).
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn profile_behaviour(profile: &str) -> PyResult<Behaviour> {
    match Behaviour::named(profile) {
        Some(behaviour) => Ok(behaviour),
        None => Err(PyValueError::new_err(format!(
            "profile {profile:?}: expected \"strict\", \"starlette\" or \"cors_npm\""
        ))),
    }
}

const FAILURE_NAMES: [(Failures, &str); 4] = [
    (Failures::ORIGIN, "origin"),
    (Failures::METHOD, "method"),
    (Failures::HEADERS, "headers"),
    (Failures::PRIVATE_NETWORK, "private-network"),
];

/// The native policy behind `corsguard.Policy` (see its docstring there).
#[pyclass(frozen, module = "corsguard._native", name = "NativePolicy")]
struct NativePolicy {
    inner: Inner,
    /// What the strict profile would refuse, as `ConfigError` values.
    findings: Vec<PyObject>,
    predicate: Option<PyObject>,
    profile: &'static str,
    capacity: &'static str,
    origin_verdict: bool,
}

#[pymethods]
impl NativePolicy {
    #[new]
    #[pyo3(signature = (
        *,
        allowed_origins = None,
        fixed_origin = None,
        origin_regex = None,
        origin_predicate = None,
        origin_verdict = false,
        allow_wide_verdict_with_credentials = false,
        allowed_methods = None,
        allowed_headers = None,
        exposed_headers = None,
        credentials = false,
        max_age = None,
        private_network = false,
        preflight_continue = false,
        preflight_status = 204,
        profile = "strict",
        capacity = "default",
        option_names = "rust",
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        allowed_origins: Option<Bound<'_, PyAny>>,
        fixed_origin: Option<String>,
        origin_regex: Option<Bound<'_, PyAny>>,
        origin_predicate: Option<Bound<'_, PyAny>>,
        origin_verdict: bool,
        allow_wide_verdict_with_credentials: bool,
        allowed_methods: Option<Bound<'_, PyAny>>,
        allowed_headers: Option<Bound<'_, PyAny>>,
        exposed_headers: Option<Bound<'_, PyAny>>,
        credentials: bool,
        max_age: Option<Bound<'_, PyAny>>,
        private_network: bool,
        preflight_continue: bool,
        preflight_status: i64,
        profile: &str,
        capacity: &str,
        option_names: &str,
    ) -> PyResult<Self> {
        let behaviour = profile_behaviour(profile)?;
        let option_names: &'static OptionNames = match option_names {
            "rust" => &OptionNames::RUST,
            "starlette" => &OptionNames::STARLETTE,
            other => {
                return Err(PyValueError::new_err(format!(
                    "option_names {other:?}: expected \"rust\" or \"starlette\""
                )))
            }
        };
        let profile: &'static str = match profile {
            "strict" => "strict",
            "starlette" => "starlette",
            _ => "cors_npm",
        };
        let origins = match &allowed_origins {
            Some(v) => match names("allowed_origins", v, &[])? {
                Names::List(l) => l,
                Names::Keyword(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        let methods = match &allowed_methods {
            None => Names::List(Vec::new()),
            Some(v) => names("allowed_methods", v, &["*"])?,
        };
        let headers = match &allowed_headers {
            None => Names::List(Vec::new()),
            Some(v) => names("allowed_headers", v, &["*", "mirror"])?,
        };
        let exposed = match &exposed_headers {
            None => Names::List(Vec::new()),
            Some(v) => names("exposed_headers", v, &["*"])?,
        };
        let max_age: Option<Result<u32, String>> = match &max_age {
            None => None,
            Some(v) if v.is_none() => None,
            Some(v) => {
                if v.is_instance_of::<pyo3::types::PyBool>() {
                    return Err(PyTypeError::new_err("max_age: expected an int or a str"));
                }
                if let Ok(s) = v.downcast::<PyString>() {
                    Some(Err(s.to_cow()?.into_owned()))
                } else {
                    let n: i128 = v
                        .extract()
                        .map_err(|_| PyTypeError::new_err("max_age: expected an int or a str"))?;
                    let seconds = u32::try_from(n).map_err(|_| {
                        binding_error(
                            py,
                            "max_age_out_of_range",
                            "max_age",
                            format!(
                                "max_age {n}: not a number of seconds a browser accepts; use a value from 0 to 86400"
                            ),
                        )
                    })?;
                    Some(Ok(seconds))
                }
            }
        };
        let preflight_status = u16::try_from(preflight_status).map_err(|_| {
            binding_error(
                py,
                "status_out_of_range",
                "preflight_status",
                format!(
                    "preflight_status {preflight_status}: browsers accept a preflight only with a 2xx status; use 204 or 200"
                ),
            )
        })?;
        let capacity: &'static str = match capacity {
            "default" => "default",
            "large" => "large",
            other => {
                return Err(PyValueError::new_err(format!(
                    "capacity {other:?}: expected \"default\" or \"large\""
                )))
            }
        };

        let predicate: Option<PyObject> = match (&origin_regex, &origin_predicate) {
            (Some(r), Some(p)) if !r.is_none() && !p.is_none() => {
                return Err(PyTypeError::new_err(
                    "give either origin_regex or origin_predicate, not both",
                ))
            }
            (Some(r), _) if !r.is_none() => {
                let pattern = if r.hasattr("fullmatch")? {
                    r.clone()
                } else {
                    py.import("re")?.call_method1("compile", (r,))?
                };
                Some(pattern.getattr("fullmatch")?.unbind())
            }
            (_, Some(p)) if !p.is_none() => {
                if !p.is_callable() {
                    return Err(PyTypeError::new_err(
                        "origin_predicate: expected a callable taking the origin (str) and returning a bool",
                    ));
                }
                Some(p.clone().unbind())
            }
            _ => None,
        };
        let origin_verdict = origin_verdict || predicate.is_some();
        // The core judges what the regex or predicate admits: tried on its
        // probe origins now, refused with credentials when it admits one.
        let mut probes_admitted = 0u8;
        if let Some(predicate) = &predicate {
            for (i, probe) in VERDICT_PROBES.iter().enumerate() {
                if predicate.bind(py).call1((*probe,))?.is_truthy()? {
                    probes_admitted |= 1 << i;
                }
            }
        }

        let origin_refs: Vec<&str> = origins.iter().map(String::as_str).collect();
        let method_refs = list_refs(&methods);
        let header_refs = list_refs(&headers);
        let exposed_refs = list_refs(&exposed);

        let mut config = Config::new()
            .behaviour(behaviour)
            .allowed_origins(&origin_refs)
            .origin_verdict(origin_verdict)
            .origin_verdict_probes(probes_admitted)
            .allow_wide_verdict_with_credentials(allow_wide_verdict_with_credentials)
            .allowed_methods(match methods {
                Names::Keyword(_) => Methods::Any,
                Names::List(_) => Methods::List(&method_refs),
            })
            .allowed_headers(match headers {
                Names::Keyword("*") => AllowedHeaders::Any,
                Names::Keyword(_) => AllowedHeaders::Mirror,
                Names::List(_) => AllowedHeaders::List(&header_refs),
            })
            .exposed_headers(match exposed {
                Names::Keyword(_) => ExposedHeaders::Any,
                Names::List(_) => ExposedHeaders::List(&exposed_refs),
            })
            .credentials(credentials)
            .private_network(private_network)
            .preflight_continue(preflight_continue)
            .preflight_status(preflight_status);
        if let Some(fixed) = &fixed_origin {
            config = config.fixed_origin(fixed);
        }
        let literal;
        config = match &max_age {
            None => config,
            Some(Ok(seconds)) => config.max_age_value(Some(MaxAge::Seconds(*seconds))),
            Some(Err(value)) => {
                literal = value.as_str();
                config.max_age_value(Some(MaxAge::Literal(literal)))
            }
        };

        let inner = match capacity {
            "default" => Inner::Default(
                boxed(&EMPTY_DEFAULT, &config).map_err(|e| config_error(py, &e, option_names))?,
            ),
            _ => Inner::Large(boxed(&EMPTY_LARGE, &config).map_err(|e| config_error(py, &e, option_names))?),
        };
        let mut findings = Vec::new();
        corsguard::findings(&config, &mut |finding| {
            findings.push(config_error(py, &finding, option_names).into_value(py).into_any());
        });
        Ok(NativePolicy {
            inner,
            findings,
            predicate,
            profile,
            capacity,
            origin_verdict,
        })
    }

    /// Judges one request (see `corsguard.Policy.evaluate`).
    #[pyo3(signature = (
        method,
        origin = None,
        request_method = None,
        request_headers = None,
        request_private_network = None,
        *,
        origin_verdict = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        py: Python<'_>,
        method: Bound<'_, PyAny>,
        origin: Option<Bound<'_, PyAny>>,
        request_method: Option<Bound<'_, PyAny>>,
        request_headers: Option<Bound<'_, PyAny>>,
        request_private_network: Option<Bound<'_, PyAny>>,
        origin_verdict: Option<bool>,
    ) -> PyResult<Decision> {
        let method_b = request_bytes(&method)?;
        let origin_b = optional_bytes(&origin)?;
        let verdict = match (origin_verdict, &self.predicate, &origin) {
            (Some(v), _, _) => Some(v),
            (None, Some(predicate), Some(o)) if !o.is_none() => {
                let text_origin: Bound<'_, PyAny> = if o.is_instance_of::<PyString>() {
                    o.clone()
                } else {
                    PyString::new(py, &text_latin1(origin_b.as_deref().unwrap_or_default()))
                        .into_any()
                };
                Some(predicate.bind(py).call1((text_origin,))?.is_truthy()?)
            }
            _ => None,
        };
        let rm = optional_bytes(&request_method)?;
        let rh = optional_bytes(&request_headers)?;
        let rpn = optional_bytes(&request_private_network)?;
        let mut request = Request::new(&method_b);
        request.origin = origin_b.as_deref();
        request.request_method = rm.as_deref();
        request.request_headers = rh.as_deref();
        request.request_private_network = rpn.as_deref();
        request.origin_verdict = verdict;
        Ok(Decision(self.inner.evaluate(&request)))
    }

    /// The drop-ins' fast path. Request values are latin-1 `bytes` (ASGI)
    /// or `str` (WSGI); the host's verdict on the origin is passed in.
    /// Returns `(status or None, [(lowercase name, latin-1 value)], body)`.
    #[pyo3(signature = (method, origin, request_method, request_headers, request_private_network, origin_verdict))]
    #[allow(clippy::too_many_arguments)]
    fn _evaluate_latin1<'py>(
        &self,
        py: Python<'py>,
        method: Bound<'py, PyAny>,
        origin: Option<Bound<'py, PyAny>>,
        request_method: Option<Bound<'py, PyAny>>,
        request_headers: Option<Bound<'py, PyAny>>,
        request_private_network: Option<Bound<'py, PyAny>>,
        origin_verdict: Option<bool>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let method_b = request_bytes(&method)?;
        let origin_b = latin1_arg(&origin)?;
        let rm = latin1_arg(&request_method)?;
        let rh = latin1_arg(&request_headers)?;
        let rpn = latin1_arg(&request_private_network)?;
        let mut request = Request::new(&method_b);
        request.origin = origin_b.as_deref();
        request.request_method = rm.as_deref();
        request.request_headers = rh.as_deref();
        request.request_private_network = rpn.as_deref();
        request.origin_verdict = origin_verdict;
        self.inner.evaluate_with(&request, |decision| {
            let headers = PyList::empty(py);
            for h in decision.headers() {
                let name = PyBytes::new(py, h.name.as_lowercase_str().as_bytes());
                let value = PyBytes::new(py, &utf8_to_latin1(h.value));
                headers.append(PyTuple::new(py, [name, value])?)?;
            }
            let status: PyObject = match decision.action() {
                Action::Continue => py.None(),
                Action::Respond { status } => status.into_pyobject(py)?.into_any().unbind(),
            };
            let body: PyObject = match (decision.action(), decision.body()) {
                (Action::Respond { .. }, Some(body)) => {
                    PyBytes::new(py, body.as_bytes()).into_any().unbind()
                }
                _ => py.None(),
            };
            PyTuple::new(py, [status, headers.into_any().unbind(), body])
        })
    }

    /// The profile the policy was built with.
    #[getter]
    fn profile(&self) -> &'static str {
        self.profile
    }

    /// The capacity class the policy was built with.
    #[getter]
    fn capacity(&self) -> &'static str {
        self.capacity
    }

    /// What the strict profile would refuse in this configuration (the
    /// core's findings), as `ConfigError` values; empty for a strict policy.
    #[getter]
    fn findings(&self, py: Python<'_>) -> Vec<PyObject> {
        self.findings.iter().map(|f| f.clone_ref(py)).collect()
    }

    /// Whether the policy consults a host verdict (regex or predicate).
    #[getter]
    fn origin_verdict(&self) -> bool {
        self.origin_verdict
    }

    /// Whether a request's origin is judged by a Python predicate.
    #[getter]
    fn has_origin_predicate(&self) -> bool {
        self.predicate.is_some()
    }

    /// How the decision's `Vary` value is added to a response: `"dedup"`
    /// (add tokens the response lacks) or `"join"` (Starlette: join all
    /// values into one header).
    #[getter]
    fn vary_merge(&self) -> &'static str {
        match self.inner.behaviour().vary_merge {
            VaryMerge::Dedup => "dedup",
            VaryMerge::Join => "join",
        }
    }
}

fn text_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// The answer to one request (see `corsguard.Decision`).
#[pyclass(frozen, module = "corsguard._native", name = "Decision")]
struct Decision(Owned);

#[pymethods]
impl Decision {
    /// `"not_cors"`, `"actual"`, `"preflight"` or `"plain_options"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind
    }
    /// `"not_cors"`, `"allowed"` or `"denied"`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.0.outcome
    }
    /// Whether the request is allowed.
    #[getter]
    fn allowed(&self) -> bool {
        self.0.outcome == "allowed"
    }
    /// Why the request was refused, as a sentence (None when it was not).
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The stable code of the reason (`"origin_not_allowed"`, ...), or None.
    #[getter]
    fn reason_code(&self) -> Option<&'static str> {
        self.0.reason_code
    }
    /// The refused method or header name, as bytes, when the reason has one.
    #[getter]
    fn reason_detail<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.0.reason_detail.as_deref().map(|d| PyBytes::new(py, d))
    }
    /// Every check a preflight failed: a tuple drawn from `"origin"`,
    /// `"method"`, `"headers"`, `"private-network"`, in that order.
    #[getter]
    fn failures<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let names = FAILURE_NAMES
            .iter()
            .filter(|(f, _)| self.0.failures & f.bits() == f.bits())
            .map(|(_, n)| *n)
            .collect::<Vec<_>>();
        PyTuple::new(py, names)
    }
    /// `"respond"` (answer now with `status`, `headers`, `body`) or
    /// `"continue"` (pass the request on, then add `headers` to the response).
    #[getter]
    fn action(&self) -> &'static str {
        if self.0.status.is_some() {
            "respond"
        } else {
            "continue"
        }
    }
    /// The status of the answer when `action` is `"respond"`, else None.
    #[getter]
    fn status(&self) -> Option<u16> {
        self.0.status
    }
    /// The response headers in order, as `(name, value)` text pairs (values
    /// decoded as UTF-8, or latin-1 when they are not UTF-8). `Vary` is to be
    /// added to the response's own `Vary`, the others set.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.0
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), text(v)))
            .collect()
    }
    /// The response headers in order, as `(name, value)` bytes pairs.
    #[getter]
    fn raw_headers<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        self.0
            .headers
            .iter()
            .map(|(n, v)| (PyBytes::new(py, n.as_str().as_bytes()), PyBytes::new(py, v)))
            .collect()
    }
    /// The `Vary` value to add to the response (all tokens, `, `-joined), or None.
    #[getter]
    fn vary(&self) -> Option<String> {
        let parts: Vec<String> = self
            .0
            .headers
            .iter()
            .filter(|(n, _)| *n == HeaderName::Vary)
            .map(|(_, v)| text(v))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
    /// The body of a preflight answer (`text/plain; charset=utf-8`), when the
    /// profile sends one.
    #[getter]
    fn body(&self) -> Option<&'static str> {
        self.0.body
    }

    fn __repr__(&self) -> String {
        let reason = self
            .0
            .reason_code
            .map_or("None".to_string(), |r| format!("'{r}'"));
        let status = self.0.status.map_or("None".to_string(), |s| s.to_string());
        let headers: Vec<String> = self
            .headers()
            .iter()
            .map(|(n, v)| format!("('{n}', {v:?})"))
            .collect();
        format!(
            "<Decision kind='{}' outcome='{}' reason_code={reason} status={status} headers=[{}]>",
            self.0.kind,
            self.0.outcome,
            headers.join(", ")
        )
    }
}

/// The response's new `Vary` value after adding a decision's `tokens` to its
/// current value `existing` (its `Vary` lines joined with `, `; empty when
/// none), by the core's rule for `mode` (`"dedup"` or `"join"`). Returns
/// `None` when nothing is added and the response's `Vary` can stay.
#[pyfunction]
fn merge_vary<'py>(
    py: Python<'py>,
    mode: &str,
    existing: &[u8],
    tokens: &[u8],
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let mode = match mode {
        "dedup" => VaryMerge::Dedup,
        "join" => VaryMerge::Join,
        other => {
            return Err(PyValueError::new_err(format!(
                "mode {other:?}: expected \"dedup\" or \"join\""
            )))
        }
    };
    let mut merged = Vec::with_capacity(existing.len() + tokens.len() + 2);
    let added = corsguard::merge_vary(mode, existing, tokens, |piece| {
        merged.extend_from_slice(piece)
    });
    Ok(added.then(|| PyBytes::new(py, &merged)))
}

/// The native extension of `corsguard`; import `corsguard` instead.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativePolicy>()?;
    m.add_class::<Decision>()?;
    m.add_function(wrap_pyfunction!(merge_vary, m)?)?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("DEFAULT_CAPACITY", (256, 64, 16384))?;
    m.add("LARGE_CAPACITY", (2048, 256, 131072))?;
    m.add("VERDICT_PROBES", PyTuple::new(m.py(), VERDICT_PROBES)?)?;
    Ok(())
}
