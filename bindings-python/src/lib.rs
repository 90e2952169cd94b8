//! `corsguard._native`: the Python face of the corsguard core.
//!
//! This module only translates: a policy document (JSON text, which the
//! Python side writes from keywords or reads from a file) goes to the core's
//! document loader, the core's problems come back as tuples for the Python
//! `DocumentError`, request values become a core `Request`, and the
//! `Decision` goes back as Python objects. Every CORS rule, and every check
//! of a configuration, lives in the core.

use std::borrow::Cow;

mod asgi;

use corsguard::{Action, Behaviour, Decision as CoreDecision, Document, DocumentErrors, Failures, HeaderName, OptionNames, Policy as CorePolicy, Problem, Request, VaryMerge, VERDICT_PROBES};
use corsguard::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard::document::{PolicySlots, Rebuild};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

create_exception!(
    corsguard,
    ConfigError,
    PyValueError,
    "A configuration the policy refuses.\n\n\
     The message names the entry, the rule it breaks and the fix. Attributes:\n\
     ``code`` (a stable snake_case name of the error, shared with the core and\n\
     the conformance vectors), ``problem`` (for ``malformed_origin``: what is\n\
     wrong with the origin), ``path`` (the JSON pointer of the value at fault\n\
     in the policy document), ``option`` (the option concerned, when known)\n\
     and ``entry`` (the offending entry, when there is one)."
);

create_exception!(
    corsguard,
    DocumentError,
    ConfigError,
    "A policy document (or the options written as one) that the core's loader\n\
     refuses: every problem at once, in document order, in ``errors`` (each a\n\
     ``corsguard.Problem`` with ``path``, ``code``, ``problem``, ``message``,\n\
     ``rule`` and ``fix``). ``code``, ``problem``, ``path``, ``option`` and\n\
     ``entry`` describe the first one."
);

/// A policy in one of the core's capacity classes (`CapacityClass::ALL`).
enum Inner {
    Small(Box<SmallPolicy>),
    Default(Box<DefaultPolicy>),
    Large(Box<LargePolicy>),
}

/// The empty policies a build starts from, copied into each new allocation.
static EMPTY_SMALL: SmallPolicy = CorePolicy::empty();
static EMPTY_DEFAULT: DefaultPolicy = CorePolicy::empty();
static EMPTY_LARGE: LargePolicy = CorePolicy::empty();

/// A fresh empty policy on the heap, made in place: `empty` is copied into
/// a new allocation, where the core's loader then fills the tables.
/// `Box::new(CorePolicy::new(..)?)` built the policy on the stack and moved
/// it, and a match over capacities kept the large class's temporaries in
/// the same frame: even a default policy crashed a thread with a 512 KiB
/// stack. This needs at most 16 KiB of stack, whatever the capacity.
fn boxed<const O: usize, const N: usize, const B: usize>(
    empty: &'static CorePolicy<O, N, B>,
) -> Box<CorePolicy<O, N, B>> {
    let mut slot = Box::<CorePolicy<O, N, B>>::new_uninit();
    // SAFETY: a byte copy of a valid policy is a valid policy: it is plain
    // data (fixed-capacity tables of `Copy` items and `'static` references,
    // nothing owned, nothing pointing into itself), and the static is never
    // dropped. The two do not overlap. Copying from memory, unlike writing a
    // value, puts no policy-sized temporary on the stack.
    unsafe {
        std::ptr::copy_nonoverlapping(empty, slot.as_mut_ptr(), 1);
        slot.assume_init()
    }
}

/// The slots `Document::build_all` builds a document's served policies
/// into: one per served policy, of the class the core asks for (the core
/// picks the smallest class and moves to a larger one on a capacity error).
struct Slots(Vec<Option<Inner>>);

impl PolicySlots for Slots {
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        if self.0.len() <= index {
            self.0.resize_with(index + 1, || None);
        }
        let slot = &mut self.0[index];
        if slot.as_ref().map(Inner::class) != Some(class) {
            *slot = Some(Inner::new(class));
        }
        slot.as_mut().expect("the slot was just filled").rebuild()
    }
}

/// Builds every served policy of `document`, in index order
/// (`Document::policy_names`), each in the smallest class that holds it.
fn build(document: &Document, names: &OptionNames) -> Result<Vec<Inner>, DocumentErrors> {
    let mut slots = Slots(Vec::new());
    document.build_all_named(&mut slots, names)?;
    Ok(slots
        .0
        .into_iter()
        .map(|slot| slot.expect("the core builds every served policy"))
        .collect())
}

/// A decision copied out of the core (the core's borrows end here).
struct Owned {
    kind: &'static str,
    outcome: &'static str,
    reason: Option<String>,
    reason_code: Option<&'static str>,
    reason_detail: Option<Vec<u8>>,
    failures: Failures,
    status: Option<u16>,
    headers: Vec<(HeaderName, Vec<u8>)>,
    body: Option<&'static str>,
    /// How the serving policy adds `Vary` (see `Decision.vary_merge`).
    vary_merge: &'static str,
}

fn own(decision: &CoreDecision<'_>) -> Owned {
    let reason = decision.reason();
    Owned {
        kind: decision.kind().code(),
        outcome: decision.outcome().code(),
        reason: reason.map(|r| r.to_string()),
        reason_code: reason.map(|r| r.code()),
        reason_detail: reason.and_then(|r| r.detail()).map(<[u8]>::to_vec),
        failures: decision.failures(),
        status: decision.action().status(),
        headers: decision
            .headers()
            .iter()
            .map(|h| (h.name, h.value.to_vec()))
            .collect(),
        body: decision.body(),
        vary_merge: "dedup",
    }
}

impl Inner {
    /// An empty policy of `class`, allocated in place.
    fn new(class: CapacityClass) -> Inner {
        if class == CapacityClass::SMALL {
            Inner::Small(boxed(&EMPTY_SMALL))
        } else if class == CapacityClass::DEFAULT {
            Inner::Default(boxed(&EMPTY_DEFAULT))
        } else {
            Inner::Large(boxed(&EMPTY_LARGE))
        }
    }

    fn class(&self) -> CapacityClass {
        match self {
            Inner::Small(_) => CapacityClass::SMALL,
            Inner::Default(_) => CapacityClass::DEFAULT,
            Inner::Large(_) => CapacityClass::LARGE,
        }
    }

    fn rebuild(&mut self) -> &mut dyn Rebuild {
        match self {
            Inner::Small(p) => &mut **p,
            Inner::Default(p) => &mut **p,
            Inner::Large(p) => &mut **p,
        }
    }

    /// The fast path of the drop-ins: the decision handed to `f` without
    /// building an `Owned`.
    fn evaluate_with<R>(&self, request: &Request<'_>, f: impl FnOnce(&CoreDecision<'_>) -> R) -> R {
        match self {
            Inner::Small(p) => f(&p.evaluate(request)),
            Inner::Default(p) => f(&p.evaluate(request)),
            Inner::Large(p) => f(&p.evaluate(request)),
        }
    }

    fn evaluate(&self, request: &Request<'_>) -> Owned {
        let mut owned = self.evaluate_with(request, own);
        owned.vary_merge = self.vary_merge();
        owned
    }

    fn vary_merge(&self) -> &'static str {
        match self.behaviour().vary_merge {
            VaryMerge::Dedup => "dedup",
            VaryMerge::Join => "join",
        }
    }

    fn behaviour(&self) -> &Behaviour {
        match self {
            Inner::Small(p) => p.behaviour(),
            Inner::Default(p) => p.behaviour(),
            Inner::Large(p) => p.behaviour(),
        }
    }
}

/// One problem as `(path, code, problem, message, rule, fix)`, the fields
/// of the Python `corsguard.Problem`.
type ProblemTuple = (
    String,
    &'static str,
    Option<&'static str>,
    String,
    String,
    String,
);

fn problem_tuple(problem: &Problem) -> ProblemTuple {
    (
        problem.path().to_owned(),
        problem.code(),
        problem.problem(),
        problem.message().to_owned(),
        problem.rule().to_owned(),
        problem.fix().to_owned(),
    )
}

/// The Python `DocumentError` for the loader's errors: the core's text, and
/// the problems as tuples in `errors` (the Python side makes them
/// `corsguard.Problem` values).
fn document_error(errors: &DocumentErrors) -> PyErr {
    let problems: Vec<ProblemTuple> = errors.problems().iter().map(problem_tuple).collect();
    let text = errors.to_string();
    Python::with_gil(|py| {
        let err = DocumentError::new_err(text);
        let _ = err.value(py).setattr("errors", problems);
        err
    })
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

/// The native policy behind `corsguard.Policy` (see its docstring there).
#[pyclass(frozen, module = "corsguard._native", name = "NativePolicy")]
struct NativePolicy {
    /// Every served policy, indexed as `document.policy_names()`.
    policies: Vec<Inner>,
    /// The document, for its routes: which policy serves a path.
    document: Document,
    /// What the strict profile would refuse in the document (the core's
    /// findings), as problem tuples; empty for a strict document.
    findings: Vec<ProblemTuple>,
    predicate: Option<PyObject>,
    profile: &'static str,
    capacity: &'static str,
}

impl NativePolicy {
    /// The index of the policy serving a request for `path` (str or
    /// bytes, the request target; `None`: `/`), or `None` when no route
    /// gives one. Without routes the one policy serves every path (a given
    /// path is still checked to be str or bytes).
    fn served_index(&self, path: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
        let path = match path {
            Some(p) if !p.is_none() => Some(request_bytes(p)?),
            _ => None,
        };
        Ok(self.document.route(path.as_deref().unwrap_or(b"/")))
    }

    /// The policy serving a request for `path` (see `served_index`).
    fn served(&self, path: Option<&Bound<'_, PyAny>>) -> PyResult<Option<&Inner>> {
        Ok(self.served_index(path)?.and_then(|i| self.policies.get(i)))
    }
}

#[pymethods]
impl NativePolicy {
    /// Loads a policy document (JSON text, `bytes` or `str`) through the
    /// core's loader: every policy it serves (one, or with `routes` each
    /// policy a route names), each in the smallest capacity class that
    /// holds it.
    ///
    /// `verdict_probes` is the bitmask of the `VERDICT_PROBES` the host's
    /// regex or predicate admits; `predicate` (a callable on the origin
    /// `str`) gives the verdict of each request that passes none;
    /// `names` is how messages name the options: `"document"` (the
    /// document's keys) or `"starlette"` (Starlette's keywords).
    /// Raises `DocumentError` with every problem.
    #[staticmethod]
    #[pyo3(signature = (document, *, verdict_probes = 0, predicate = None, names = "document"))]
    fn load(
        document: Bound<'_, PyAny>,
        verdict_probes: u8,
        predicate: Option<Bound<'_, PyAny>>,
        names: &str,
    ) -> PyResult<Self> {
        let names: &'static OptionNames = match names {
            "document" => &OptionNames::DOCUMENT,
            "starlette" => &OptionNames::STARLETTE,
            other => {
                return Err(PyValueError::new_err(format!(
                    "names {other:?}: expected \"document\" or \"starlette\""
                )))
            }
        };
        let predicate = match predicate {
            Some(p) if !p.is_none() => {
                if !p.is_callable() {
                    return Err(PyTypeError::new_err(
                        "predicate: expected a callable taking the origin (str) and returning a bool",
                    ));
                }
                Some(p.unbind())
            }
            _ => None,
        };
        let json = if let Ok(s) = document.downcast::<PyString>() {
            Cow::Owned(s.to_cow()?.into_owned().into_bytes())
        } else if let Ok(b) = document.downcast::<PyBytes>() {
            Cow::Borrowed(b.as_bytes())
        } else {
            return Err(PyTypeError::new_err(format!(
                "a policy document is JSON text (str or bytes), got {}",
                document
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            )));
        };
        let mut doc = Document::parse(&json).map_err(|e| document_error(&e))?;
        doc.set_verdict_probes(verdict_probes);
        let policies = build(&doc, names).map_err(|e| document_error(&e))?;
        // The largest class built (a document whose routes serve no
        // policy holds none: nothing of any class).
        let capacity = CapacityClass::ALL
            .iter()
            .rev()
            .find(|c| policies.iter().any(|p| p.class() == **c))
            .unwrap_or(&CapacityClass::SMALL)
            .name;
        let profile = Behaviour::PROFILES
            .iter()
            .find(|(_, b)| b == doc.behaviour())
            .map_or("strict", |(name, _)| *name);
        let findings = doc
            .findings_named(names)
            .iter()
            .map(problem_tuple)
            .collect();
        Ok(NativePolicy {
            policies,
            document: doc,
            findings,
            predicate,
            profile,
            capacity,
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
        path = None,
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
        path: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Option<Decision>> {
        let Some(policy) = self.served(path.as_ref())? else {
            return Ok(None);
        };
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
        Ok(Some(Decision(policy.evaluate(&request))))
    }

    /// The drop-ins' fast path. Request values are latin-1 `bytes` (ASGI)
    /// or `str` (WSGI); the host's verdict on the origin is passed in.
    /// `path` (the request target, bytes or str) picks the policy of a
    /// document with routes. Returns `(status or None, [(lowercase name,
    /// latin-1 value)], body, refusal)`, or `None` when no policy serves
    /// `path`. `refusal` is `None` unless the core refused the request, then
    /// `(kind, reason code, reason sentence)`, from this same evaluation (the
    /// refusal hooks need no second call).
    #[pyo3(signature = (method, origin, request_method, request_headers, request_private_network, origin_verdict, path = None))]
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
        path: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some(policy) = self.served(path.as_ref())? else {
            return Ok(None);
        };
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
        policy.evaluate_with(&request, |decision| {
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
            let refusal: PyObject = match decision.reason() {
                Some(reason) => (decision.kind().code(), reason.code(), reason.to_string())
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
                None => py.None(),
            };
            PyTuple::new(py, [status, headers.into_any().unbind(), body, refusal]).map(Some)
        })
    }

    /// The names of the served policies (`"default"` for the top-level
    /// keys), in the order routes index them.
    #[getter]
    fn policy_names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.document.policy_names().collect::<Vec<_>>())
    }

    /// Whether the document has `routes`.
    #[getter]
    fn has_routes(&self) -> bool {
        self.document.has_routes()
    }

    /// The name of the policy serving a request for `path` (str or bytes;
    /// `None`: `/`), or `None` when no policy does.
    #[pyo3(signature = (path = None))]
    fn route(&self, path: Option<Bound<'_, PyAny>>) -> PyResult<Option<String>> {
        Ok(self
            .served_index(path.as_ref())?
            .and_then(|i| self.document.policy_names().nth(i))
            .map(str::to_owned))
    }

    /// The profile the policy was built with (of the first served policy).
    #[getter]
    fn profile(&self) -> &'static str {
        self.profile
    }

    /// The capacity class the policy was built with (the largest of the
    /// served policies' classes).
    #[getter]
    fn capacity(&self) -> &'static str {
        self.capacity
    }

    /// What the strict profile would refuse in this document (the core's
    /// findings, named as `load` was asked to name them), as problem tuples
    /// `(path, code, problem, message, rule, fix)`; empty for a strict
    /// document.
    #[getter]
    fn findings(&self) -> Vec<ProblemTuple> {
        self.findings.clone()
    }

    /// Whether a request's origin is judged by a Python predicate.
    #[getter]
    fn has_origin_predicate(&self) -> bool {
        self.predicate.is_some()
    }

    /// How the decision's `Vary` value is added to a response: `"dedup"`
    /// (add tokens the response lacks) or `"join"` (Starlette: join all
    /// values into one header), by the first served policy's profile
    /// (each decision says its own: `Decision.vary_merge`).
    #[getter]
    fn vary_merge(&self) -> &'static str {
        self.policies.first().map_or("dedup", Inner::vary_merge)
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
        PyTuple::new(py, self.0.failures.names().collect::<Vec<_>>())
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
    /// How to add this decision's `Vary` to the response: `"dedup"` or
    /// `"join"`, by the profile of the policy that made it.
    #[getter]
    fn vary_merge(&self) -> &'static str {
        self.0.vary_merge
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
    m.add_class::<asgi::Answerer>()?;
    m.add_class::<asgi::CorsSend>()?;
    m.add_function(wrap_pyfunction!(merge_vary, m)?)?;
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add("DocumentError", m.py().get_type::<DocumentError>())?;
    // The core's one table of capacity classes: name -> (origins, names, bytes).
    let classes = PyDict::new(m.py());
    for class in CapacityClass::ALL {
        classes.set_item(class.name, (class.origins, class.names, class.bytes))?;
    }
    m.add("CAPACITY_CLASSES", classes)?;
    // The package's one version, the crate's (scripts/version.sh sets it).
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "DOCUMENT_KEYS",
        PyTuple::new(m.py(), corsguard::document::DOCUMENT_KEYS)?,
    )?;
    m.add("VERDICT_PROBES", PyTuple::new(m.py(), VERDICT_PROBES)?)?;
    Ok(())
}
