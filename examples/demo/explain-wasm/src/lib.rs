//! corsguard's explainer ([`corsguard::explain`]) for the demo page's
//! playground, built as a WebAssembly module with a plain C ABI (no
//! generated glue): the page copies two JSON documents into the module's
//! memory and reads one JSON answer back.
//!
//! Exports:
//! - `alloc(len) -> ptr`: `len` bytes for the caller to write into.
//! - `dealloc(ptr, len)`: gives back a buffer from `alloc` or `explain`.
//! - `explain(policy_ptr, policy_len, request_ptr, request_len) -> ptr`:
//!   the policy document's bytes and the page's request as JSON,
//!   `{"origin", "method", "headers": [[name, value]...], "credentials", "url"}`.
//!   It returns a buffer holding a 4-byte little-endian length `n` and then
//!   `n` bytes of UTF-8 JSON; the caller frees it with `dealloc(ptr, 4 + n)`.
//!
//! The answer is [`Explanation::to_json`](corsguard::explain::Explanation::to_json)
//! plus `"text"` (the waterfall of
//! [`to_text`](corsguard::explain::Explanation::to_text)), or, when the
//! policy document or the request is refused,
//! `{"refused": "policy"|"request", "errors": [{code, path, message}], "mistakes": [...]}`.
//! Bad input is answered, never a panic: the logic is [`explain_json`], which
//! the host tests drive, and the boundary also catches a panic where the
//! target can unwind (a wasm32 panic aborts: it traps, and the page then
//! starts a fresh instance).

use std::panic::{self, AssertUnwindSafe};

use corsguard::explain::{self as explainer, document_mistakes, Mistake};
use corsguard::fetch::BrowserRequest;
use serde_json::{json, Map, Value};

/// The page's request, as the playground sends it.
#[derive(Debug, PartialEq, Eq)]
struct PageRequest {
    origin: String,
    method: String,
    headers: Vec<(String, String)>,
    credentials: bool,
    url: String,
}

/// The answer for `policy` (a policy document's bytes) and `request` (the
/// page's request as JSON): the explanation, or the errors that kept one
/// from being made.
pub fn explain_json(policy: &[u8], request: &[u8]) -> Value {
    let page = match parse_request(request) {
        Ok(page) => page,
        Err((path, message)) => {
            return refused(
                "request",
                vec![json!({"code": "invalid_request", "path": path, "message": message})],
                &[],
            )
        }
    };
    let mut req = BrowserRequest::new(&page.origin, &page.method);
    for (name, value) in &page.headers {
        req = req.with_header(name, value);
    }
    if page.credentials {
        req = req.with_credentials();
    }
    match explainer::explain(policy, &req, &page.url) {
        Ok(account) => {
            let mut value = account.to_json();
            if let Value::Object(map) = &mut value {
                map.insert("text".into(), Value::String(account.to_text()));
            }
            value
        }
        Err(errors) => {
            let list = errors
                .problems()
                .iter()
                .map(|p| json!({"code": p.code(), "path": p.path(), "message": p.message()}))
                .collect();
            refused("policy", list, &document_mistakes(&errors))
        }
    }
}

fn refused(what: &str, errors: Vec<Value>, mistakes: &[Mistake]) -> Value {
    let mistakes: Vec<Value> = mistakes
        .iter()
        .map(|m| json!({"code": m.code, "title": m.title, "fix": m.fix}))
        .collect();
    json!({"refused": what, "errors": errors, "mistakes": mistakes})
}

/// Reads the request object; `Err((path, message))` names (as a JSON pointer) the first field
/// that is wrong.
fn parse_request(bytes: &[u8]) -> Result<PageRequest, (String, String)> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| (String::new(), format!("the request is not JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err((
            String::new(),
            "the request must be a JSON object".to_owned(),
        ));
    };
    let text = |map: &Map<String, Value>, key: &str| -> Result<String, (String, String)> {
        match map.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err((format!("/{key}"), format!("`{key}` must be a string"))),
            None => Err((format!("/{key}"), format!("`{key}` is missing"))),
        }
    };
    let mut headers = Vec::new();
    match map.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(rows)) => {
            for (i, row) in rows.iter().enumerate() {
                match row.as_array().map(Vec::as_slice) {
                    Some([Value::String(name), Value::String(value)]) => {
                        headers.push((name.clone(), value.clone()));
                    }
                    _ => {
                        return Err((
                            format!("/headers/{i}"),
                            "each header must be a [name, value] pair of strings".to_owned(),
                        ))
                    }
                }
            }
        }
        Some(_) => {
            return Err((
                "/headers".to_owned(),
                "`headers` must be an array of [name, value] pairs".to_owned(),
            ))
        }
    }
    let credentials = match map.get("credentials") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err((
                "/credentials".to_owned(),
                "`credentials` must be true or false".to_owned(),
            ))
        }
    };
    Ok(PageRequest {
        origin: text(&map, "origin")?,
        method: text(&map, "method")?,
        headers,
        credentials,
        url: text(&map, "url")?,
    })
}

/// `len` bytes owned by the caller until it passes them to [`dealloc`]
/// (null when they cannot be had).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::new();
    if buffer.try_reserve_exact(len).is_err() {
        return std::ptr::null_mut();
    }
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Frees a buffer from [`alloc`] or [`explain`].
///
/// # Safety
/// `ptr` is null, or came from `alloc(len)`, or from `explain` with `len`
/// its whole size (4 + the length it holds); it is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: the caller hands back a buffer this module allocated with
    // capacity `len` (alloc reserves exactly `len`; explain's answer is a
    // boxed slice of `len` bytes, the same layout).
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
}

/// The answer for the policy document and the request (see the crate's
/// docs), length-prefixed; null only when memory runs out.
///
/// # Safety
/// Each `(ptr, len)` is `len` readable bytes (`ptr` may be null when `len`
/// is 0), unchanged during the call.
#[no_mangle]
pub unsafe extern "C" fn explain(
    policy_ptr: *const u8,
    policy_len: usize,
    request_ptr: *const u8,
    request_len: usize,
) -> *mut u8 {
    // SAFETY: the caller's promise above.
    let inputs = unsafe {
        (
            bytes(policy_ptr, policy_len),
            bytes(request_ptr, request_len),
        )
    };
    let answer = match inputs {
        (Some(policy), Some(request)) => {
            panic::catch_unwind(AssertUnwindSafe(|| explain_json(policy, request)))
                .unwrap_or_else(|_| {
                    refused(
                        "request",
                        vec![json!({"code": "internal_error", "path": "", "message": "the explainer failed on this input"})],
                        &[],
                    )
                })
        }
        _ => refused(
            "request",
            vec![json!({"code": "invalid_request", "path": "", "message": "a null pointer with a non-zero length"})],
            &[],
        ),
    };
    length_prefixed(answer.to_string().as_bytes())
}

/// # Safety
/// As for [`explain`]'s pointers.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is non-null and, by the caller's promise, `len` readable bytes.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

fn length_prefixed(text: &[u8]) -> *mut u8 {
    let Ok(n) = u32::try_from(text.len()) else {
        return std::ptr::null_mut();
    };
    let mut buffer = Vec::new();
    if buffer.try_reserve_exact(4 + text.len()).is_err() {
        return std::ptr::null_mut();
    }
    buffer.extend_from_slice(&n.to_le_bytes());
    buffer.extend_from_slice(text);
    Box::into_raw(buffer.into_boxed_slice()).cast::<u8>()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &[u8] = include_bytes!("../../policy.json");

    fn seed(method: &str) -> Value {
        json!({
            "origin": "http://localhost:3000", "method": method,
            "headers": [["Content-Type", "application/json"], ["X-Request-Id", "demo-1"]],
            "credentials": false, "url": "http://localhost:8080/api/items",
        })
    }

    fn answer(policy: &[u8], request: &Value) -> Value {
        explain_json(policy, request.to_string().as_bytes())
    }

    /// Calls the exported functions as the page does and reads the answer.
    fn through_abi(policy: &[u8], request: &[u8]) -> Value {
        let copy = |data: &[u8]| {
            let ptr = alloc(data.len());
            // SAFETY: alloc gave `data.len()` writable bytes.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr, data.len()) };
            ptr
        };
        let (p, r) = (copy(policy), copy(request));
        // SAFETY: both buffers hold the lengths given.
        let out = unsafe { explain(p, policy.len(), r, request.len()) };
        assert!(!out.is_null());
        // SAFETY: explain's answer is a 4-byte length and that many bytes.
        let text = unsafe {
            let n = u32::from_le_bytes(*out.cast::<[u8; 4]>()) as usize;
            let text = std::slice::from_raw_parts(out.add(4), n).to_vec();
            dealloc(out, 4 + n);
            text
        };
        // SAFETY: each buffer came from alloc with that length.
        unsafe {
            dealloc(p, policy.len());
            dealloc(r, request.len());
        }
        serde_json::from_slice(&text).expect("the answer is JSON")
    }

    #[test]
    fn the_seed_request_is_allowed_after_a_preflight() {
        let a = answer(POLICY, &seed("POST"));
        assert_eq!(a["verdict"], "allowed");
        assert_eq!(a["preflight"]["needed"], true);
        assert_eq!(a["decisions"][0]["exchange"], "preflight");
        assert_eq!(a["decisions"][0]["outcome"], "allowed");
        assert!(a["text"].as_str().unwrap().contains("OPTIONS"));
    }

    #[test]
    fn a_method_outside_the_policy_is_blocked_with_its_fix() {
        let a = answer(POLICY, &seed("DELETE"));
        assert_eq!(a["verdict"], "blocked");
        assert_eq!(a["decisions"][0]["reason_code"], "method_not_allowed");
        let fix = a["failure"]["fix"].as_str().unwrap();
        assert!(
            fix.contains("DELETE") && fix.contains("allowMethods"),
            "{fix}"
        );
    }

    #[test]
    fn an_origin_outside_the_policy_is_named_in_the_fix() {
        let mut request = seed("GET");
        request["origin"] = json!("http://localhost:3001");
        request["headers"] = json!([]);
        let a = answer(POLICY, &request);
        assert_eq!(a["verdict"], "blocked");
        let fix = a["failure"]["fix"].as_str().unwrap();
        assert!(
            fix.contains("`http://localhost:3001`") && fix.contains("allowOrigins"),
            "{fix}"
        );
    }

    #[test]
    fn a_refused_document_answers_its_errors_and_named_mistakes() {
        let document = br#"{"version": 1, "allowOrigins": ["http://localhost:3000/"]}"#;
        let a = answer(document, &seed("GET"));
        assert_eq!(a["refused"], "policy");
        assert_eq!(a["errors"][0]["path"], "/allowOrigins/0");
        assert_eq!(a["mistakes"][0]["code"], "trailing_slash_origin");
    }

    #[test]
    fn a_bad_request_is_answered_with_the_field_at_fault() {
        for (request, path) in [
            (&b"not json"[..], ""),
            (b"[1]", ""),
            (br#"{"origin": 3, "method": "GET", "url": "/"}"#, "/origin"),
            (br#"{"origin": "null", "url": "/"}"#, "/method"),
            (
                br#"{"origin": "null", "method": "GET", "url": "/", "headers": [["a"]]}"#,
                "/headers/0",
            ),
            (
                br#"{"origin": "null", "method": "GET", "url": "/", "credentials": "yes"}"#,
                "/credentials",
            ),
        ] {
            let a = through_abi(POLICY, request);
            assert_eq!(a["refused"], "request", "{a}");
            assert_eq!(a["errors"][0]["code"], "invalid_request");
            assert_eq!(a["errors"][0]["path"], path, "{a}");
        }
    }

    #[test]
    fn the_abi_round_trips_an_explanation() {
        let a = through_abi(POLICY, seed("PUT").to_string().as_bytes());
        assert_eq!(a["verdict"], "allowed");
        assert_eq!(a["method"], "PUT");
    }

    #[test]
    fn null_pointers_are_refused_or_empty() {
        // SAFETY: a null pointer with a length is what is being refused.
        let out = unsafe { explain(std::ptr::null(), 5, std::ptr::null(), 0) };
        // SAFETY: explain's answer is a 4-byte length and that many bytes.
        let a: Value = unsafe {
            let n = u32::from_le_bytes(*out.cast::<[u8; 4]>()) as usize;
            let a = serde_json::from_slice(std::slice::from_raw_parts(out.add(4), n)).unwrap();
            dealloc(out, 4 + n);
            a
        };
        assert_eq!(a["refused"], "request");
        assert!(through_abi(b"", b"")["refused"] == "request");
    }
}
