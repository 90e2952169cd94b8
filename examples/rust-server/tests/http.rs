//! Drives the demo server over real HTTP on loopback: preflights, allowed and
//! refused requests, as the browser on http://localhost:3000 would send them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    api_port: u16,
    page_port: u16,
    alt_page_port: u16,
    /// The file served as the explainer (any bytes do).
    wasm: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.wasm);
    }
}

/// Stands in for the explainer: the server serves the file's bytes as they are.
const WASM_BYTES: &[u8] = b"\0asm\x01\0\0\0";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Server {
    let (api_port, page_port, alt_page_port) = (free_port(), free_port(), free_port());
    let wasm = std::env::temp_dir().join(format!(
        "corsguard-demo-test-{}-{api_port}.wasm",
        std::process::id()
    ));
    std::fs::write(&wasm, WASM_BYTES).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_corsguard-demo-server"))
        .env("DEMO_API_PORT", api_port.to_string())
        .env("DEMO_PAGE_PORT", page_port.to_string())
        .env("DEMO_ALT_PAGE_PORT", alt_page_port.to_string())
        .env("DEMO_WASM", &wasm)
        .env_remove("DEMO_POLICY")
        .stdout(Stdio::null())
        .spawn()
        .expect("demo server starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", api_port)).is_err() {
        assert!(Instant::now() < deadline, "demo server did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        api_port,
        page_port,
        alt_page_port,
        wasm,
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn send(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost:{port}\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(": ").unwrap();
            (n.to_string(), v.to_string())
        })
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

const PAGE: &str = "http://localhost:3000";

#[test]
fn allowed_preflight_is_answered_with_the_policy() {
    let s = start();
    let r = send(
        s.api_port,
        "OPTIONS",
        "/api/items",
        &[
            ("Origin", PAGE),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,x-request-id",
            ),
        ],
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, PUT")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type, x-request-id")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
}

#[test]
fn refused_preflight_gets_no_cors_headers() {
    let s = start();
    let r = send(
        s.api_port,
        "OPTIONS",
        "/api/items/1",
        &[
            ("Origin", PAGE),
            ("Access-Control-Request-Method", "DELETE"),
        ],
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("access-control-allow-methods"), None);
    assert_eq!(
        r.header("vary"),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    );
}

#[test]
fn allowed_actual_request_exposes_the_demo_header() {
    let s = start();
    let r = send(s.api_port, "GET", "/api/exposed", &[("Origin", PAGE)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("x-corsguard-demo")
    );
    assert_eq!(r.header("x-corsguard-demo"), Some("exposed-value"));
    assert_eq!(r.header("vary"), Some("Origin"));
}

#[test]
fn other_origins_get_no_allow_origin_but_still_vary() {
    let s = start();
    for origin in [
        "https://evil.example",
        "http://localhost:3000.evil.example",
        "null",
    ] {
        let r = send(s.api_port, "GET", "/api/hello", &[("Origin", origin)]);
        assert_eq!(r.status, 200, "{origin}");
        assert_eq!(r.header("access-control-allow-origin"), None, "{origin}");
        assert_eq!(r.header("vary"), Some("Origin"), "{origin}");
    }
}

#[test]
fn decisions_are_logged_with_their_reason() {
    let s = start();
    send(s.api_port, "POST", "/api/decisions", &[]);
    send(
        s.api_port,
        "OPTIONS",
        "/api/items/1",
        &[
            ("Origin", PAGE),
            ("Access-Control-Request-Method", "DELETE"),
        ],
    );
    let log = send(s.api_port, "GET", "/api/decisions", &[("Origin", PAGE)]);
    assert!(log.body.contains(r#""outcome":"denied""#), "{}", log.body);
    assert!(
        log.body
            .contains("the method `DELETE` is not allowed by the policy"),
        "{}",
        log.body
    );
}

#[test]
fn the_page_is_served_pointing_at_the_api() {
    let s = start();
    let r = send(s.page_port, "GET", "/", &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&format!("http://localhost:{}", s.api_port)));
}

#[test]
fn both_page_ports_serve_the_page_the_explainer_and_the_policy() {
    let s = start();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", s.alt_page_port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the second page port did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for port in [s.page_port, s.alt_page_port] {
        let page = send(port, "GET", "/", &[]);
        assert_eq!(page.status, 200);
        assert!(page
            .body
            .contains(&format!("http://localhost:{}", s.alt_page_port)));
        assert!(!page.body.contains("http://localhost:3001"));

        let wasm = send(port, "GET", "/corsguard-explain.wasm", &[]);
        assert_eq!(wasm.status, 200);
        assert_eq!(wasm.header("content-type"), Some("application/wasm"));
        assert_eq!(wasm.body.as_bytes(), WASM_BYTES);

        let policy = send(port, "GET", "/policy.json", &[]);
        assert_eq!(policy.status, 200);
        assert_eq!(policy.header("content-type"), Some("application/json"));
        assert_eq!(policy.body, include_str!("../../demo/policy.json"));

        assert_eq!(send(port, "GET", "/nowhere", &[]).status, 404);
    }
}
