//! The seed scenario: a frontend on http://localhost:3000 calling an API on
//! http://localhost:8080 that corsguard protects.
//!
//! `corsguard-demo-server` serves both (std only, one thread per connection)
//! and prints the URL to open. `corsguard-demo-server --check` prints how the
//! policy judges the scenario's requests and exits.
//!
//! The policy is the demo's shared policy document, `examples/demo/policy.json`
//! (`docs/policy.md`), which the Node, Python and C demo servers load too,
//! through the same loader: built in, or the file named by `DEMO_POLICY`.
//! Ports: `DEMO_PAGE_PORT` (3000) and `DEMO_API_PORT` (8080).
//!
//! The page's port also serves what the page's playground loads:
//! `/corsguard-explain.wasm` (the explainer, built by `examples/demo/build.sh`;
//! the file `DEMO_WASM`, `target/demo/corsguard-explain.wasm` by default) and
//! `/policy.json` (the policy's bytes). A second page port,
//! `DEMO_ALT_PAGE_PORT` (the page port + 1; 0: none), serves the same, so
//! that `http://localhost:3001` is another origin to send requests from.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corsguard::{Action, Decision, HeaderName, Policy, Request};

/// The demo policy file, built in.
const POLICY_JSON: &str = include_str!("../../demo/policy.json");

type DemoPolicy = Policy;

const PAGE: &str = include_str!("../../demo/index.html");
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1024 * 1024;
const MAX_CONNECTIONS: usize = 64;
const LOG_LIMIT: usize = 200;

struct LoggedDecision {
    case: String,
    method: String,
    path: String,
    outcome: String,
    reason: Option<String>,
    headers: Vec<String>,
}

struct State {
    policy: DemoPolicy,
    case: Mutex<String>,
    log: Mutex<Vec<LoggedDecision>>,
}

/// What the page ports serve.
struct Pages {
    /// The page, with the API's and the second page port's URLs filled in.
    page: String,
    /// `DEMO_POLICY`, or `None` for the built-in policy file.
    policy_file: Option<PathBuf>,
    wasm_file: PathBuf,
}

struct HttpRequest {
    method: String,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

fn main() {
    let policy = load_policy();
    if std::env::args().any(|a| a == "--check") {
        print_scenario(&policy);
        return;
    }
    let page_port = port_from_env("DEMO_PAGE_PORT", 3000);
    let alt_page_port = port_from_env("DEMO_ALT_PAGE_PORT", page_port.saturating_add(1));
    let api_port = port_from_env("DEMO_API_PORT", 8080);
    let pages = Arc::new(Pages {
        page: PAGE
            .replace(
                "http://localhost:8080",
                &format!("http://localhost:{api_port}"),
            )
            .replace(
                "http://localhost:3001",
                &format!("http://localhost:{alt_page_port}"),
            ),
        policy_file: std::env::var_os("DEMO_POLICY")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        wasm_file: std::env::var_os("DEMO_WASM")
            .filter(|p| !p.is_empty())
            .map_or_else(
                || PathBuf::from("target/demo/corsguard-explain.wasm"),
                PathBuf::from,
            ),
    });
    let state = Arc::new(State {
        policy,
        case: Mutex::new(String::new()),
        log: Mutex::new(Vec::new()),
    });
    let page = bind(page_port);
    let api = bind(api_port);
    let alt_page = (alt_page_port != 0).then(|| bind(alt_page_port));
    print_scenario(&state.policy);
    println!();
    println!("corsguard demo (Rust core, std HTTP server)");
    println!("  frontend: http://localhost:{page_port}/   <- open this in a browser");
    if alt_page.is_some() {
        println!("  the same page on a second origin: http://localhost:{alt_page_port}/");
    }
    println!("  API:      http://localhost:{api_port}/api/hello");
    println!("Press Ctrl-C to stop.");
    let api_state = Arc::clone(&state);
    let api_thread = std::thread::spawn(move || serve(api, move |s| handle_api(s, &api_state)));
    if let Some(alt_page) = alt_page {
        let alt_pages = Arc::clone(&pages);
        std::thread::spawn(move || serve(alt_page, move |s| handle_page(s, &alt_pages)));
    }
    serve(page, move |s| handle_page(s, &pages));
    let _ = api_thread.join();
}

/// The policy of `DEMO_POLICY`, else the built-in policy file; exits on error.
fn load_policy() -> DemoPolicy {
    let (source, text) = match std::env::var("DEMO_POLICY") {
        Ok(path) if !path.is_empty() => match std::fs::read_to_string(&path) {
            Ok(text) => (path, text),
            Err(err) => {
                eprintln!("cannot read the policy file {path}: {err}");
                std::process::exit(1);
            }
        },
        _ => (
            "examples/demo/policy.json (built in)".to_string(),
            POLICY_JSON.to_string(),
        ),
    };
    DemoPolicy::from_json(text.as_bytes()).unwrap_or_else(|errors| {
        eprintln!("{source}: {errors}");
        std::process::exit(1);
    })
}

fn port_from_env(name: &str, default: u16) -> u16 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bind(port: u16) -> TcpListener {
    TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|err| {
        eprintln!("cannot listen on 127.0.0.1:{port}: {err}");
        std::process::exit(1);
    })
}

/// Accepts connections forever, one thread each, at most MAX_CONNECTIONS at once.
fn serve<F>(listener: TcpListener, handler: F)
where
    F: Fn(TcpStream) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            continue; // dropping the stream closes it
        }
        open.fetch_add(1, Ordering::SeqCst);
        let (handler, open) = (Arc::clone(&handler), Arc::clone(&open));
        std::thread::spawn(move || {
            handler(stream);
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

fn read_request(stream: &TcpStream) -> Option<HttpRequest> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.take((MAX_HEAD + MAX_BODY) as u64));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    let mut head_len = line.len();
    loop {
        let mut raw = Vec::new();
        reader.read_until(b'\n', &mut raw).ok()?;
        head_len += raw.len();
        if head_len > MAX_HEAD || raw.is_empty() {
            return None;
        }
        let raw = raw.strip_suffix(b"\n")?;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.is_empty() {
            break;
        }
        let colon = raw.iter().position(|&b| b == b':')?;
        let name = String::from_utf8_lossy(&raw[..colon]).trim().to_string();
        let value = raw[colon + 1..].trim_ascii().to_vec();
        headers.push((name, value));
    }
    let request = HttpRequest {
        method,
        path,
        headers,
    };
    let length = request
        .header("content-length")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(request)
}

fn write_response(mut stream: TcpStream, status: u16, headers: &[(String, Vec<u8>)], body: &[u8]) {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    };
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    let _ = stream.write_all(&out);
}

fn handle_page(stream: TcpStream, pages: &Pages) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let path = request.path.split('?').next().unwrap_or("");
    // The files are read on each request: a rebuilt explainer is served without a restart.
    let (body, content_type) = match (request.method.as_str(), path) {
        ("GET", "/") => (
            Ok(pages.page.clone().into_bytes()),
            "text/html; charset=utf-8",
        ),
        ("GET", "/corsguard-explain.wasm") => (std::fs::read(&pages.wasm_file), "application/wasm"),
        ("GET", "/policy.json") => (
            pages
                .policy_file
                .as_ref()
                .map_or_else(|| Ok(POLICY_JSON.as_bytes().to_vec()), std::fs::read),
            "application/json",
        ),
        _ => {
            write_response(stream, 404, &[], b"not found");
            return;
        }
    };
    match body {
        Ok(body) => {
            let headers = [
                ("Content-Type".to_string(), content_type.as_bytes().to_vec()),
                ("Cache-Control".to_string(), b"no-store".to_vec()),
            ];
            write_response(stream, 200, &headers, &body);
        }
        Err(err) => {
            let message = format!("{path}: {err} (run examples/demo/build.sh)");
            write_response(stream, 404, &[], message.as_bytes());
        }
    }
}

/// Adds a decision's headers to a response header list, merging `Vary`.
fn add_cors_headers(decision: &Decision<'_>, headers: &mut Vec<(String, Vec<u8>)>) {
    for h in decision.headers() {
        if h.name == HeaderName::Vary {
            if let Some((_, v)) = headers.iter_mut().find(|(n, _)| n == "Vary") {
                v.extend_from_slice(b", ");
                v.extend_from_slice(h.value);
                continue;
            }
        }
        headers.push((h.name.as_str().to_string(), h.value.to_vec()));
    }
}

fn handle_api(stream: TcpStream, state: &State) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let cors_request = Request {
        method: request.method.as_bytes(),
        origin: request.header("origin"),
        request_method: request.header("access-control-request-method"),
        request_headers: request.header("access-control-request-headers"),
        request_private_network: request.header("access-control-request-private-network"),
        origin_verdict: None,
    };
    let decision = state.policy.evaluate(&cors_request);
    let mut headers = Vec::new();
    add_cors_headers(&decision, &mut headers);
    let path = request.path.split('?').next().unwrap_or("").to_string();
    let bookkeeping = path == "/api/decisions" || path.starts_with("/api/case/");
    if !bookkeeping {
        record(state, &request, &path, &decision);
    }
    if let Action::Respond { status } = decision.action() {
        write_response(stream, status, &headers, b"");
        return;
    }
    let json = ("Content-Type".to_string(), b"application/json".to_vec());
    let (status, body): (u16, String) = match (request.method.as_str(), path.as_str()) {
        ("GET", "/api/hello") => (200, r#"{"message":"hello from the API","runtime":"rust","server":"the std-only Rust server + the corsguard core"}"#.into()),
        ("POST", "/api/items") => (201, r#"{"created":"teapot"}"#.into()),
        ("DELETE", p) if p.starts_with("/api/items/") => (200, r#"{"deleted":true}"#.into()),
        ("POST", "/api/login") => {
            headers.push((
                "Set-Cookie".into(),
                b"demo_session=s3cr3t; Path=/; SameSite=Lax; HttpOnly".to_vec(),
            ));
            (200, r#"{"logged_in":true}"#.into())
        }
        ("GET", "/api/me") => {
            let cookie = request
                .header("cookie")
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let session = cookie
                .split(';')
                .find_map(|c| c.trim().strip_prefix("demo_session="));
            (
                200,
                format!(r#"{{"session":{}}}"#, json_string(session.unwrap_or(""))),
            )
        }
        ("GET", "/api/exposed") => {
            headers.push(("X-Corsguard-Demo".into(), b"exposed-value".to_vec()));
            headers.push(("X-Hidden".into(), b"hidden-value".to_vec()));
            (
                200,
                r#"{"headers":"X-Corsguard-Demo is exposed, X-Hidden is not"}"#.into(),
            )
        }
        ("GET", "/api/decisions") => (200, decisions_json(state)),
        ("POST", "/api/decisions") => {
            lock(&state.log).clear();
            (200, "{}".into())
        }
        ("POST", p) if p.starts_with("/api/case/") => {
            *lock(&state.case) = p.trim_start_matches("/api/case/").to_string();
            (200, "{}".into())
        }
        _ => (404, r#"{"error":"not found"}"#.into()),
    };
    headers.push(json);
    write_response(stream, status, &headers, body.as_bytes());
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn record(state: &State, request: &HttpRequest, path: &str, decision: &Decision<'_>) {
    let entry = LoggedDecision {
        case: lock(&state.case).clone(),
        method: request.method.clone(),
        path: path.to_string(),
        outcome: decision.outcome().code().to_string(),
        reason: decision.reason().map(|r| r.to_string()),
        headers: decision
            .headers()
            .iter()
            .map(|h| format!("{}: {}", h.name.as_str(), String::from_utf8_lossy(h.value)))
            .collect(),
    };
    let mut log = lock(&state.log);
    if log.len() < LOG_LIMIT {
        log.push(entry);
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn decisions_json(state: &State) -> String {
    let log = lock(&state.log);
    let items: Vec<String> = log
        .iter()
        .map(|d| {
            let headers: Vec<String> = d.headers.iter().map(|h| json_string(h)).collect();
            format!(
                r#"{{"case":{},"method":{},"path":{},"outcome":{},"reason":{},"headers":[{}]}}"#,
                json_string(&d.case),
                json_string(&d.method),
                json_string(&d.path),
                json_string(&d.outcome),
                d.reason
                    .as_deref()
                    .map(json_string)
                    .unwrap_or_else(|| "null".into()),
                headers.join(",")
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Prints how the policy judges the requests the demo page makes.
fn print_scenario(policy: &DemoPolicy) {
    const PAGE_ORIGIN: &[u8] = b"http://localhost:3000";
    let scenario: [(&str, Request<'_>); 7] = [
        (
            "simple GET from the frontend",
            Request::new(b"GET").origin(PAGE_ORIGIN),
        ),
        (
            "preflight for POST JSON + X-Request-Id",
            Request::new(b"OPTIONS")
                .origin(PAGE_ORIGIN)
                .request_method(b"POST")
                .request_headers(b"content-type,x-request-id"),
        ),
        (
            "credentialed GET with a cookie",
            Request::new(b"GET").origin(PAGE_ORIGIN),
        ),
        (
            "preflight for DELETE",
            Request::new(b"OPTIONS")
                .origin(PAGE_ORIGIN)
                .request_method(b"DELETE"),
        ),
        (
            "GET from an unknown site",
            Request::new(b"GET").origin(b"https://evil.example"),
        ),
        (
            "lookalike origin",
            Request::new(b"GET").origin(b"http://localhost:3000.evil.example"),
        ),
        ("same-origin GET (no Origin)", Request::new(b"GET")),
    ];
    println!("How the demo policy judges the seed scenario (frontend http://localhost:3000, API http://localhost:8080):");
    for (title, request) in scenario {
        let d = policy.evaluate(&request);
        let verdict = match d.reason() {
            Some(reason) => format!("{}: {reason}", d.outcome().code()),
            None => d.outcome().code().to_string(),
        };
        println!("- {title}: {} ({verdict})", d.kind().code());
        if let Action::Respond { status } = d.action() {
            println!("    answered now with status {status}");
        }
        for h in d.headers() {
            println!(
                "    {}: {}",
                h.name.as_str(),
                String::from_utf8_lossy(h.value)
            );
        }
    }
}

#[cfg(test)]
mod policy_tests {
    use super::{DemoPolicy, POLICY_JSON};
    use corsguard::Request;

    #[test]
    fn the_demo_policy_document_loads_and_allows_the_page() {
        let policy = DemoPolicy::from_json(POLICY_JSON.as_bytes()).unwrap();
        let preflight = Request::new(b"OPTIONS")
            .origin(b"http://localhost:3000")
            .request_method(b"PUT")
            .request_headers(b"content-type");
        assert!(policy.evaluate(&preflight).is_allowed());
        let other = Request::new(b"GET").origin(b"http://localhost:3001");
        assert!(!policy.evaluate(&other).is_allowed());
    }

    #[test]
    fn a_bad_document_is_refused_with_every_problem() {
        let errors = DemoPolicy::from_json(
            br#"{"version": 1, "allowOrigins": ["*"], "allowCredentials": true, "maxAge": "600"}"#,
        )
        .unwrap_err();
        let got: Vec<_> = errors
            .problems()
            .iter()
            .map(|p| (p.path(), p.code()))
            .collect();
        assert_eq!(
            got,
            [
                ("/allowOrigins/0", "wildcard_origin_with_credentials"),
                ("/maxAge", "literal_needs_literal_syntax")
            ]
        );
    }
}
