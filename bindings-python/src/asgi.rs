//! The ASGI middlewares' request path, one native call per request and one
//! per response message.
//!
//! `Answerer.answer(scope, send)` reads the scope's method and CORS request
//! headers, asks the core, and returns either the two messages of an answer
//! given now (a preflight) or a `CorsSend`: the `send` to hand the
//! application, which sets the decision's headers on the response's start
//! message. The reading and writing are the Python middlewares' own, moved
//! here unchanged (which header line counts, how a response's header is set
//! and its `Vary` merged); every CORS rule stays in the core.
//!
//! Nothing derived from a request is kept. A header whose value is the
//! policy's own (it lies in none of the request's buffers, so it is in the
//! immutable policy or a constant of the core) is made once per `Answerer`
//! as a `(name, value)` tuple and reused: at most `CONSTANTS` of them, each
//! no longer than the policy's own values.

use std::borrow::Cow;

use corsguard::{Action, Decision as CoreDecision, HeaderName, Request, VaryMerge};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::{latin1_arg, optional_bytes, own, request_bytes, text_latin1, utf8_to_latin1, Decision, NativePolicy};

/// The core's response header names, in `HEADER_NAMES`' order.
const HEADER_NAMES: [HeaderName; 8] = [
    HeaderName::AllowOrigin,
    HeaderName::AllowCredentials,
    HeaderName::AllowMethods,
    HeaderName::AllowHeaders,
    HeaderName::MaxAge,
    HeaderName::ExposeHeaders,
    HeaderName::AllowPrivateNetwork,
    HeaderName::Vary,
];

/// Their lowercase spellings as `bytes`, made once per interpreter.
static NAME_BYTES: GILOnceCell<Vec<Py<PyBytes>>> = GILOnceCell::new();

/// `(b"content-type", b"text/plain; charset=utf-8")`, as Starlette's
/// `PlainTextResponse` writes it.
static TEXT_PLAIN: GILOnceCell<Py<PyTuple>> = GILOnceCell::new();

fn name_index(name: HeaderName) -> Option<usize> {
    HEADER_NAMES.iter().position(|n| *n == name)
}

/// The lowercase name of a decision header, as `bytes`.
fn name_bytes<'py>(py: Python<'py>, name: HeaderName) -> PyResult<Bound<'py, PyBytes>> {
    let names = NAME_BYTES.get_or_init(py, || {
        HEADER_NAMES
            .iter()
            .map(|n| PyBytes::new(py, n.as_lowercase_str().as_bytes()).unbind())
            .collect()
    });
    Ok(match name_index(name) {
        Some(i) => names[i].bind(py).clone(),
        None => PyBytes::new(py, name.as_lowercase_str().as_bytes()),
    })
}

fn text_plain(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let tuple = TEXT_PLAIN.get_or_try_init(py, || {
        PyTuple::new(
            py,
            [
                PyBytes::new(py, b"content-type"),
                PyBytes::new(py, b"text/plain; charset=utf-8"),
            ],
        )
        .map(Bound::unbind)
    })?;
    Ok(tuple.bind(py).clone())
}

/// At most this many constant header tuples are kept per `Answerer`.
const CONSTANTS: usize = 32;

/// Whether `value` lies inside `buffer`.
fn within(value: &[u8], buffer: &[u8]) -> bool {
    let (v, b) = (value.as_ptr() as usize, buffer.as_ptr() as usize);
    v >= b && v + value.len() <= b + buffer.len()
}

/// Whose reading of the scope and writing of the response.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// `corsguard.asgi.CORSMiddleware`, Starlette's: the first line of each
    /// request header, values as latin-1, the host's regex verdict.
    DropIn,
    /// `corsguard.asgi.PolicyMiddleware`: `Access-Control-Request-Headers`
    /// lines joined, values as bytes, routes by path, the policy's predicate.
    Policy,
}

/// One middleware configuration's request path (see the module docs).
#[pyclass(frozen, module = "corsguard._native", name = "Answerer")]
pub(crate) struct Answerer {
    policy: Py<NativePolicy>,
    /// The drop-in's `re.fullmatch` (or None): judged on the origin as text.
    fullmatch: Option<PyObject>,
    flavour: Flavour,
    /// Whether to return the refusal (for an `on_refusal` hook).
    refusals: bool,
    /// Whether to return a `Decision` (for an `on_decision` hook).
    decisions: bool,
    /// The policy's own headers as written: (name, value address, length).
    constants: std::sync::Mutex<Vec<(HeaderName, usize, usize, Py<PyTuple>)>>,
    /// The drop-in regex's recent verdicts (see `Verdicts`).
    verdicts: std::sync::Mutex<Verdicts>,
}

/// Slots of the regex verdict cache: at most this many origins are kept.
const VERDICT_SLOTS: usize = 64;
/// The longest `Origin` (bytes) the verdict cache keeps; a longer one is
/// judged by the regex every time.
const VERDICT_ORIGIN_MAX: usize = 128;

/// The drop-in regex's verdicts on recent `Origin` values, so a repeated
/// origin skips `fullmatch` (a pure function of the text: the compiled
/// `re` pattern's). Request-derived, so bounded: a direct-mapped table of
/// `VERDICT_SLOTS` slots of at most `VERDICT_ORIGIN_MAX` bytes each, made
/// once per `Answerer` (64 × 130 bytes, 8.1 KiB) and never grown; a new
/// origin overwrites its slot's. A client sending a new origin each time
/// costs one hash and one overwrite on top of the regex it would run anyway.
struct Verdicts {
    slots: Box<[VerdictSlot; VERDICT_SLOTS]>,
}

#[derive(Clone, Copy)]
struct VerdictSlot {
    /// The origin's length; 0 for an empty slot (an empty origin is never kept).
    len: u8,
    verdict: bool,
    origin: [u8; VERDICT_ORIGIN_MAX],
}

impl Verdicts {
    fn new() -> Self {
        Verdicts {
            slots: Box::new([VerdictSlot { len: 0, verdict: false, origin: [0; VERDICT_ORIGIN_MAX] }; VERDICT_SLOTS]),
        }
    }

    /// FNV-1a, folded to a slot.
    fn slot(origin: &[u8]) -> usize {
        let mut hash: u32 = 0x811c_9dc5;
        for &b in origin {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        (hash ^ (hash >> 16)) as usize % VERDICT_SLOTS
    }

    fn get(&self, origin: &[u8]) -> Option<bool> {
        if origin.is_empty() || origin.len() > VERDICT_ORIGIN_MAX {
            return None;
        }
        let slot = &self.slots[Self::slot(origin)];
        (usize::from(slot.len) == origin.len() && slot.origin[..origin.len()] == *origin).then_some(slot.verdict)
    }

    fn put(&mut self, origin: &[u8], verdict: bool) {
        if origin.is_empty() || origin.len() > VERDICT_ORIGIN_MAX {
            return;
        }
        let slot = &mut self.slots[Self::slot(origin)];
        slot.len = origin.len() as u8;
        slot.verdict = verdict;
        slot.origin[..origin.len()].copy_from_slice(origin);
    }

    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.len > 0).count()
    }
}

/// The longest method read by `ascii_inline`.
const METHOD_INLINE: usize = 16;

/// A short ASCII `str` (a method: `"GET"`) copied into `buffer`, its length;
/// None for anything else. The abi3 build has no borrowed UTF-8 view of a
/// `str` before Python 3.10, and this avoids the copy Python would make.
fn ascii_inline(value: &Bound<'_, PyAny>, buffer: &mut [u8; METHOD_INLINE]) -> Option<usize> {
    let s = value.downcast::<PyString>().ok()?;
    // SAFETY: `s` is a live `str`; indexes stay below its length, and an
    // error (none is expected for a `str`) is cleared.
    unsafe {
        let len = pyo3::ffi::PyUnicode_GetLength(s.as_ptr());
        if len < 0 || len as usize > METHOD_INLINE {
            if len < 0 {
                pyo3::ffi::PyErr_Clear();
            }
            return None;
        }
        for (i, slot) in buffer.iter_mut().enumerate().take(len as usize) {
            let c = pyo3::ffi::PyUnicode_ReadChar(s.as_ptr(), i as pyo3::ffi::Py_ssize_t);
            if c >= 0x80 {
                if c == u32::MAX as pyo3::ffi::Py_UCS4 {
                    pyo3::ffi::PyErr_Clear();
                }
                return None;
            }
            *slot = c as u8;
        }
        Some(len as usize)
    }
}

/// `bytes.decode("latin-1")`, in one call into Python.
fn decode_latin1<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: the pointer and length describe `bytes`, alive for the call;
    // the result is a new reference or NULL with an exception set.
    unsafe {
        let text = pyo3::ffi::PyUnicode_DecodeLatin1(bytes.as_ptr().cast(), bytes.len() as pyo3::ffi::Py_ssize_t, std::ptr::null());
        Bound::from_owned_ptr_or_err(py, text)
    }
}

/// The request values read from a scope's headers.
#[derive(Default)]
struct Read<'py> {
    origin: Option<Bound<'py, PyAny>>,
    request_method: Option<Bound<'py, PyAny>>,
    /// The drop-in: the first line; the policy middleware: every line.
    request_headers: Vec<Bound<'py, PyAny>>,
    private_network: Option<Bound<'py, PyAny>>,
}

const ORIGIN: &[u8] = b"origin";
const ACRM: &[u8] = b"access-control-request-method";
const ACRH: &[u8] = b"access-control-request-headers";
const ACRPN: &[u8] = b"access-control-request-private-network";
const WANTED: [&[u8]; 4] = [ORIGIN, ACRM, ACRH, ACRPN];

/// `mapping[key]`, or None when the key is missing (as `mapping.get`).
fn get<'py>(mapping: &Bound<'py, PyAny>, key: &Bound<'py, PyString>) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(dict) = mapping.downcast::<PyDict>() {
        return dict.get_item(key);
    }
    match mapping.get_item(key) {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(mapping.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `key, value = item`, or None where Python's unpacking raises `TypeError`
/// or `ValueError` (the middlewares skip such items).
fn unpack<'py>(item: &Bound<'py, PyAny>) -> PyResult<Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    if let Ok(tuple) = item.downcast::<PyTuple>() {
        return Ok(if tuple.len() == 2 {
            Some((tuple.get_item(0)?, tuple.get_item(1)?))
        } else {
            None
        });
    }
    if let Ok(list) = item.downcast::<PyList>() {
        return Ok(if list.len() == 2 {
            Some((list.get_item(0)?, list.get_item(1)?))
        } else {
            None
        });
    }
    let py = item.py();
    let iter = match item.try_iter() {
        Ok(iter) => iter,
        Err(e) if e.is_instance_of::<PyTypeError>(py) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut parts = Vec::with_capacity(2);
    for part in iter {
        match part {
            Ok(part) => parts.push(part),
            Err(e) if e.is_instance_of::<PyTypeError>(py) || e.is_instance_of::<PyValueError>(py) => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
        if parts.len() > 2 {
            return Ok(None);
        }
    }
    if parts.len() != 2 {
        return Ok(None);
    }
    let value = parts.pop().expect("two parts");
    let key = parts.pop().expect("two parts");
    Ok(Some((key, value)))
}

/// Which of `WANTED` a request header's name is, compared as Python's `==`
/// compares it with `bytes` (exactly, bytes-like keys included).
fn wanted(key: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
    if let Ok(b) = key.downcast::<PyBytes>() {
        let key = b.as_bytes();
        return Ok(WANTED.iter().position(|w| *w == key));
    }
    let py = key.py();
    for (i, w) in WANTED.iter().enumerate() {
        if key.eq(PyBytes::new(py, w))? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `bytes(value)`.
fn as_bytes<'py>(value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if value.is_exact_instance_of::<PyBytes>() {
        return Ok(value);
    }
    let py = value.py();
    py.get_type::<PyBytes>().call1((value,))
}

impl Answerer {
    fn read<'py>(&self, scope: &Bound<'py, PyAny>) -> PyResult<Read<'py>> {
        let py = scope.py();
        let mut read = Read::default();
        let Some(headers) = get(scope, intern!(py, "headers"))? else {
            return Ok(read);
        };
        if !headers.is_truthy()? {
            return Ok(read);
        }
        let mut visit = |item: Bound<'py, PyAny>| -> PyResult<()> {
            let Some((key, value)) = unpack(&item)? else {
                return Ok(());
            };
            let Some(which) = wanted(&key)? else {
                return Ok(());
            };
            match self.flavour {
                // `if origin is None: origin = value`: the first line that is not None.
                Flavour::DropIn => {
                    let slot = match which {
                        0 => &mut read.origin,
                        1 => &mut read.request_method,
                        2 => {
                            if read.request_headers.is_empty() && !value.is_none() {
                                read.request_headers.push(value);
                            }
                            return Ok(());
                        }
                        _ => &mut read.private_network,
                    };
                    if slot.is_none() && !value.is_none() {
                        *slot = Some(value);
                    }
                }
                Flavour::Policy => {
                    let slot = match which {
                        0 => &mut read.origin,
                        1 => &mut read.request_method,
                        2 => {
                            read.request_headers.push(as_bytes(value)?);
                            return Ok(());
                        }
                        _ => &mut read.private_network,
                    };
                    if slot.is_none() {
                        *slot = Some(as_bytes(value)?);
                    }
                }
            }
            Ok(())
        };
        if let Ok(list) = headers.downcast::<PyList>() {
            for item in list.iter() {
                visit(item)?;
            }
        } else if let Ok(tuple) = headers.downcast::<PyTuple>() {
            for item in tuple.iter() {
                visit(item)?;
            }
        } else {
            for item in headers.try_iter()? {
                visit(item?)?;
            }
        }
        Ok(read)
    }

    /// The drop-in's verdict: `fullmatch(origin as text) is not None`.
    fn dropin_verdict(&self, py: Python<'_>, origin: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        let Some(fullmatch) = &self.fullmatch else {
            return Ok(None);
        };
        if let Ok(b) = origin.downcast::<PyBytes>() {
            // The lock is never held while Python code runs.
            let bytes = b.as_bytes();
            if let Some(verdict) = self.verdicts.lock().ok().and_then(|v| v.get(bytes)) {
                return Ok(Some(verdict));
            }
            let verdict = !fullmatch.bind(py).call1((decode_latin1(py, bytes)?,))?.is_none();
            if let Ok(mut verdicts) = self.verdicts.lock() {
                verdicts.put(bytes, verdict);
            }
            return Ok(Some(verdict));
        }
        let text = if let Ok(b) = origin.downcast::<pyo3::types::PyByteArray>() {
            PyString::new(py, &text_latin1(&b.to_vec())).into_any()
        } else {
            origin.str()?.into_any()
        };
        Ok(Some(!fullmatch.bind(py).call1((text,))?.is_none()))
    }
}

/// The scope's request target for routes: `raw_path` (bytes, as received),
/// else `path` (str), else None.
fn scope_path<'py>(scope: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
    let py = scope.py();
    if let Some(raw) = get(scope, intern!(py, "raw_path"))? {
        if raw.is_instance_of::<PyBytes>() {
            return Ok(Some(raw));
        }
        if raw.is_instance_of::<pyo3::types::PyByteArray>() {
            return Ok(Some(as_bytes(raw)?));
        }
    }
    Ok(get(scope, intern!(py, "path"))?.filter(|p| p.is_instance_of::<PyString>()))
}

/// A decision header value as the middleware writes it: latin-1 for the
/// drop-in, the core's bytes for the policy middleware. The request's own
/// `Origin` object is reused when the value is that origin, unchanged.
fn value_bytes<'py>(
    py: Python<'py>,
    flavour: Flavour,
    value: &[u8],
    origin: Option<(&[u8], &Bound<'py, PyBytes>)>,
) -> Bound<'py, PyBytes> {
    if let Some((buffer, object)) = origin {
        if std::ptr::eq(value, buffer) {
            return object.clone();
        }
    }
    match flavour {
        Flavour::DropIn => PyBytes::new(py, &utf8_to_latin1(value)),
        Flavour::Policy => PyBytes::new(py, value),
    }
}

fn decimal(py: Python<'_>, n: usize) -> Bound<'_, PyBytes> {
    PyBytes::new(py, n.to_string().as_bytes())
}

impl Answerer {
    /// The `(name, value)` tuple of one decision header; `request` are the
    /// request's buffers (a value in none of them is the policy's own).
    fn header<'py>(
        &self,
        py: Python<'py>,
        name: HeaderName,
        value: &[u8],
        origin: Option<(&[u8], &Bound<'py, PyBytes>)>,
        request: &[Option<&[u8]>],
    ) -> PyResult<Bound<'py, PyTuple>> {
        let constant = !request.iter().flatten().any(|buffer| within(value, buffer));
        let key = (name, value.as_ptr() as usize, value.len());
        if constant {
            // The lock is never held while Python code may run.
            let found = self
                .constants
                .lock()
                .ok()
                .and_then(|kept| kept.iter().find(|k| (k.0, k.1, k.2) == key).map(|k| k.3.clone_ref(py)));
            if let Some(tuple) = found {
                return Ok(tuple.into_bound(py));
            }
        }
        let tuple = PyTuple::new(py, [name_bytes(py, name)?, value_bytes(py, self.flavour, value, origin)])?;
        if constant {
            if let Ok(mut kept) = self.constants.lock() {
                if kept.len() < CONSTANTS {
                    kept.push((key.0, key.1, key.2, tuple.clone().unbind()));
                }
            }
        }
        Ok(tuple)
    }
}

#[pymethods]
impl Answerer {
    /// An answerer for `policy`: `flavour` is `"dropin"` (with the
    /// drop-in's `fullmatch`, or None) or `"policy"`; `refusals` and
    /// `decisions` say whether `answer` returns the refusal and the
    /// `Decision` (for the hooks).
    #[new]
    #[pyo3(signature = (policy, flavour, fullmatch = None, *, refusals = false, decisions = false))]
    fn new(
        py: Python<'_>,
        policy: Py<NativePolicy>,
        flavour: &str,
        fullmatch: Option<PyObject>,
        refusals: bool,
        decisions: bool,
    ) -> PyResult<Self> {
        let flavour = match flavour {
            "dropin" => Flavour::DropIn,
            "policy" => Flavour::Policy,
            other => {
                return Err(PyValueError::new_err(format!(
                    "flavour {other:?}: expected \"dropin\" or \"policy\""
                )))
            }
        };
        Ok(Answerer {
            policy,
            fullmatch: fullmatch.filter(|f| !f.is_none(py)),
            flavour,
            refusals,
            decisions,
            constants: std::sync::Mutex::new(Vec::new()),
            verdicts: std::sync::Mutex::new(Verdicts::new()),
        })
    }

    /// The regex verdict cache's bounds: `(slots, longest origin kept)`.
    #[classattr]
    fn verdict_cache_bounds() -> (usize, usize) {
        (VERDICT_SLOTS, VERDICT_ORIGIN_MAX)
    }

    /// How many regex verdicts are kept now (at most `VERDICT_SLOTS`).
    fn verdicts_kept(&self) -> usize {
        self.verdicts.lock().map_or(0, |v| v.len())
    }

    /// Answers one HTTP scope: `(first, body, refusal, decision)`.
    ///
    /// - `body` is None: `first` is the `send` to hand the application (a
    ///   `CorsSend`, or `send` itself when no policy serves the path);
    /// - else `first` and `body` are the start and body messages of the
    ///   answer to send now.
    ///
    /// `refusal` is `(kind, code, reason, origin, method)` when the core
    /// refused the request and refusals were asked for, else None;
    /// `decision` the `Decision` when decisions were asked for, else None
    /// (also None when no policy serves the path).
    fn answer<'py>(
        &self,
        py: Python<'py>,
        scope: Bound<'py, PyAny>,
        send: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let flavour = self.flavour;
        let read = self.read(&scope)?;
        let native = self.policy.get();
        let path = match flavour {
            Flavour::Policy if native.document.has_routes() => scope_path(&scope)?,
            _ => None,
        };
        let Some(inner) = native.served(path.as_ref())? else {
            return PyTuple::new(py, [send.into_any(), py.None().into_bound(py), py.None().into_bound(py), py.None().into_bound(py)]);
        };

        let method = get(&scope, intern!(py, "method"))?
            .unwrap_or_else(|| intern!(py, "GET").clone().into_any());
        // The drop-in judges its regex before the method is read.
        let dropin_verdict = match (flavour, &read.origin) {
            (Flavour::DropIn, Some(origin)) => self.dropin_verdict(py, origin)?,
            _ => None,
        };
        let mut method_buffer = [0u8; METHOD_INLINE];
        let method_b = match ascii_inline(&method, &mut method_buffer) {
            Some(len) => Cow::Borrowed(&method_buffer[..len]),
            None => request_bytes(&method)?,
        };
        let joined: Option<Vec<u8>> = match (flavour, read.request_headers.len()) {
            (Flavour::Policy, n) if n > 1 => {
                let mut out = Vec::new();
                for (i, line) in read.request_headers.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(line.downcast::<PyBytes>()?.as_bytes());
                }
                Some(out)
            }
            _ => None,
        };
        let rh_obj = read.request_headers.first().cloned();
        let (origin_b, rm, rh, rpn) = match flavour {
            Flavour::DropIn => (
                latin1_arg(&read.origin)?,
                latin1_arg(&read.request_method)?,
                latin1_arg(&rh_obj)?,
                latin1_arg(&read.private_network)?,
            ),
            Flavour::Policy => {
                (
                    optional_bytes(&read.origin)?,
                    optional_bytes(&read.request_method)?,
                    match &joined {
                        Some(j) => Some(Cow::Borrowed(j.as_slice())),
                        None => optional_bytes(&rh_obj)?,
                    },
                    optional_bytes(&read.private_network)?,
                )
            }
        };
        let verdict = match flavour {
            Flavour::DropIn => dropin_verdict,
            Flavour::Policy => match (&native.predicate, &read.origin) {
                (Some(predicate), Some(_)) => {
                    let text = PyString::new(py, &text_latin1(origin_b.as_deref().unwrap_or_default()));
                    Some(predicate.bind(py).call1((text,))?.is_truthy()?)
                }
                _ => None,
            },
        };
        let mut request = Request::new(&method_b);
        request.origin = origin_b.as_deref();
        request.request_method = rm.as_deref();
        request.request_headers = rh.as_deref();
        request.request_private_network = rpn.as_deref();
        request.origin_verdict = verdict;

        // The request's own Origin object, for a value that is that origin.
        let origin_object = match (&read.origin, &origin_b) {
            (Some(o), Some(Cow::Borrowed(buffer))) => {
                o.downcast::<PyBytes>().ok().map(|b| (*buffer, b.clone()))
            }
            _ => None,
        };
        let vary_merge = inner.behaviour().vary_merge;
        inner.evaluate_with(&request, |decision| {
            let refusal = match decision.reason() {
                Some(reason) if self.refusals => (
                    decision.kind().code(),
                    reason.code(),
                    reason.to_string(),
                    read.origin.clone(),
                    method.clone(),
                )
                    .into_pyobject(py)?
                    .into_any(),
                _ => py.None().into_bound(py),
            };
            let decision_object = if self.decisions {
                let mut owned = own(decision);
                owned.vary_merge = match vary_merge {
                    VaryMerge::Dedup => "dedup",
                    VaryMerge::Join => "join",
                };
                Bound::new(py, Decision(owned))?.into_any()
            } else {
                py.None().into_bound(py)
            };
            let origin = origin_object.as_ref().map(|(buffer, object)| (*buffer, object));
            let buffers = [Some(&method_b[..]), origin_b.as_deref(), rm.as_deref(), rh.as_deref(), rpn.as_deref()];
            let (first, body) = match decision.action() {
                Action::Respond { status } => {
                    let (start, body) = respond(py, self, decision, status, origin, &buffers)?;
                    (start.into_any(), body.into_any())
                }
                Action::Continue => {
                    let headers = decision
                        .headers()
                        .iter()
                        .map(|h| {
                            Ok(CorsHeader {
                                name: h.name,
                                tuple: self.header(py, h.name, h.value, origin, &buffers)?.unbind(),
                            })
                        })
                        .collect::<PyResult<Vec<_>>>()?;
                    let cors_send = CorsSend {
                        send: send.clone().unbind(),
                        headers,
                        vary_merge,
                        flavour,
                    };
                    // Called as itself (`__call__`): no bound method is made
                    // per request, and under the abi3 build a method takes its
                    // arguments as a tuple all the same.
                    (Bound::new(py, cors_send)?.into_any(), py.None().into_bound(py))
                }
            };
            PyTuple::new(py, [first, body, refusal, decision_object])
        })
    }
}

/// The start and body messages of an answer given now.
fn respond<'py>(
    py: Python<'py>,
    answerer: &Answerer,
    decision: &CoreDecision<'_>,
    status: u16,
    origin: Option<(&[u8], &Bound<'py, PyBytes>)>,
    buffers: &[Option<&[u8]>],
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let flavour = answerer.flavour;
    let headers = PyList::empty(py);
    for h in decision.headers() {
        headers.append(answerer.header(py, h.name, h.value, origin, buffers)?)?;
    }
    let body = decision.body().unwrap_or("").as_bytes();
    let content_length = |headers: &Bound<'py, PyList>| -> PyResult<()> {
        headers.append(PyTuple::new(
            py,
            [PyBytes::new(py, b"content-length"), decimal(py, body.len())],
        )?)
    };
    match flavour {
        // As Starlette's PlainTextResponse writes it.
        Flavour::DropIn => {
            if !(status < 200 || status == 204 || status == 304) {
                content_length(&headers)?;
            }
            headers.append(text_plain(py)?)?;
        }
        Flavour::Policy => {
            if !body.is_empty() {
                headers.append(text_plain(py)?)?;
            }
            if status != 204 && status != 304 {
                content_length(&headers)?;
            }
        }
    }
    let start = PyDict::new(py);
    start.set_item(intern!(py, "type"), intern!(py, "http.response.start"))?;
    start.set_item(intern!(py, "status"), status)?;
    start.set_item(intern!(py, "headers"), headers)?;
    let body_message = PyDict::new(py);
    body_message.set_item(intern!(py, "type"), intern!(py, "http.response.body"))?;
    body_message.set_item(intern!(py, "body"), PyBytes::new(py, body))?;
    Ok((start, body_message))
}

/// One header of a decision, ready to be written: `(name, value)`.
struct CorsHeader {
    name: HeaderName,
    tuple: Py<PyTuple>,
}

/// The `send` handed to the application for a request passed on: sets the
/// decision's headers on the response's start message, then sends it.
#[pyclass(frozen, module = "corsguard._native", name = "CorsSend")]
pub(crate) struct CorsSend {
    send: PyObject,
    headers: Vec<CorsHeader>,
    vary_merge: VaryMerge,
    flavour: Flavour,
}

/// A response header during `CorsSend`'s rewrite: the item, and which of
/// `HEADER_NAMES` its name equals (a bit each).
struct Line<'py> {
    item: Bound<'py, PyAny>,
    names: u16,
}

impl CorsSend {
    /// The start message's headers with the decision's set, as the
    /// middlewares' `apply_headers` sets them: each header replaces the
    /// first line of its name (later ones removed) or is appended; `Vary`
    /// is merged into the response's `Vary` lines, by the profile's rule.
    fn rewrite<'py>(&self, py: Python<'py>, message: &Bound<'py, PyAny>) -> PyResult<()> {
        let key = intern!(py, "headers");
        let existing = match self.flavour {
            // message.setdefault("headers", []); list(message["headers"])
            Flavour::DropIn => match message.downcast::<PyDict>() {
                Ok(dict) => dict.get_item(key)?,
                Err(_) => Some(message.call_method1(intern!(py, "setdefault"), (key, PyList::empty(py)))?),
            },
            // list(message.get("headers") or ())
            Flavour::Policy => get(message, key)?.map(|h| h.is_truthy().map(|t| t.then_some(h))).transpose()?.flatten(),
        };
        let mut lines: Vec<Line<'py>> = Vec::new();
        if let Some(existing) = existing {
            if let Ok(list) = existing.downcast::<PyList>() {
                lines.reserve(list.len() + self.headers.len());
                lines.extend(list.iter().map(|item| Line { item, names: 0 }));
            } else {
                for item in existing.try_iter()? {
                    lines.push(Line { item: item?, names: 0 });
                }
            }
        }
        if !self.headers.is_empty() {
            // Which decision names each line has (`item[0] == name`).
            let mut wanted: u16 = 0;
            for h in &self.headers {
                wanted |= name_index(h.name).map_or(0, |i| 1 << i);
            }
            for line in &mut lines {
                line.names = line_names(py, &line.item, wanted)?;
            }
            for h in &self.headers {
                let bit = name_index(h.name).map_or(0, |i| 1u16 << i);
                let mut tuple = h.tuple.bind(py).clone();
                if h.name == HeaderName::Vary {
                    let tokens = tuple.get_item(1)?;
                    let tokens = tokens.downcast::<PyBytes>()?.as_bytes();
                    let mut values: Vec<Bound<'py, PyAny>> = Vec::new();
                    for line in lines.iter().filter(|l| l.names & bit != 0) {
                        values.push(line.item.get_item(1)?);
                    }
                    let joined = join_values(py, &values)?;
                    let mut merged = Vec::with_capacity(joined.len() + tokens.len() + 2);
                    let added = corsguard::merge_vary(self.vary_merge, &joined, tokens, |piece| {
                        merged.extend_from_slice(piece)
                    });
                    if !added {
                        continue;
                    }
                    if merged != tokens {
                        tuple = PyTuple::new(py, [name_bytes(py, h.name)?, PyBytes::new(py, &merged)])?;
                    }
                }
                let mut first = None;
                let mut index = 0;
                lines.retain(|line| {
                    let matches = line.names & bit != 0;
                    let keep = !matches || first.is_none();
                    if matches && first.is_none() {
                        first = Some(index);
                    }
                    if keep {
                        index += 1;
                    }
                    keep
                });
                let replacement = Line { item: tuple.into_any(), names: bit };
                match first {
                    Some(i) => lines[i] = replacement,
                    None => lines.push(replacement),
                }
            }
        }
        let list = PyList::new(py, lines.into_iter().map(|l| l.item))?;
        message.set_item(key, list)
    }
}

/// Which of the `wanted` names a response header line has: `item[0] == name`.
fn line_names(py: Python<'_>, item: &Bound<'_, PyAny>, wanted: u16) -> PyResult<u16> {
    let key = match item.downcast::<PyTuple>() {
        Ok(tuple) => tuple.get_item(0)?,
        Err(_) => item.get_item(0)?,
    };
    let mut names = 0;
    if let Ok(b) = key.downcast::<PyBytes>() {
        let key = b.as_bytes();
        for (i, name) in HEADER_NAMES.iter().enumerate() {
            if wanted & (1 << i) != 0 && name.as_lowercase_str().as_bytes() == key {
                names |= 1 << i;
            }
        }
        return Ok(names);
    }
    for (i, name) in HEADER_NAMES.iter().enumerate() {
        if wanted & (1 << i) != 0 && key.eq(name_bytes(py, *name)?)? {
            names |= 1 << i;
        }
    }
    Ok(names)
}

/// `b", ".join(values)`, natively for `bytes` values.
fn join_values(py: Python<'_>, values: &[Bound<'_, PyAny>]) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let Ok(b) = value.downcast::<PyBytes>() else {
            // Other bytes-like values, and Python's own error for the rest.
            let joined = PyBytes::new(py, b", ").call_method1(intern!(py, "join"), (PyList::new(py, values)?,))?;
            return Ok(joined.downcast::<PyBytes>()?.as_bytes().to_vec());
        };
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(b.as_bytes());
    }
    Ok(out)
}

#[pymethods]
impl CorsSend {
    /// Sends `message`, with the decision's headers set when it is the
    /// response's start; returns what the wrapped `send` returns.
    fn __call__<'py>(&self, py: Python<'py>, message: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let kind = message.get_item(intern!(py, "type"))?;
        let start = intern!(py, "http.response.start");
        let is_start = match kind.downcast::<PyString>() {
            Ok(s) if s.is(start) => true,
            Ok(s) if s.is(intern!(py, "http.response.body")) => false,
            // An equal string that is not the interned one (a server's own):
            // compared in place, without making its UTF-8 copy.
            // SAFETY: `s` is a live `str`; the call raises no exception.
            Ok(s) => unsafe { pyo3::ffi::PyUnicode_CompareWithASCIIString(s.as_ptr(), c"http.response.start".as_ptr()) == 0 },
            Err(_) => kind.eq(start)?,
        };
        if is_start {
            self.rewrite(py, &message)?;
        }
        self.send.bind(py).call1((message,))
    }
}
