//! `corsguard probe` and `corsguard explain`, run as a user runs them: the
//! built binary against small HTTP servers on loopback, each making one of
//! the mistakes users make most. What the binary prints is checked against
//! what the core's judge says for the answers the server gave, and against
//! the fixed facts of each mistake (its code, the failing check, the
//! message Chromium prints).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_corsguard");
const PAGE: &str = "http://localhost:3000";

/// One request as the server saw it: method, path, (lowercased name, value).
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

type Answer = fn(&Seen) -> (u16, Vec<(&'static str, String)>);

/// A one-thread HTTP/1.1 server on 127.0.0.1 answering each request with
/// `answer`; it stops when dropped (bounded: it polls a stop flag).
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(answer: Answer) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("nonblocking accept");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, answer, &seen2),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads requests off one connection (keep-alive) and answers each.
fn serve(stream: TcpStream, answer: Answer, seen: &Mutex<Vec<Seen>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    for _ in 0..16 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return;
        };
        let mut request = Seen {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
        };
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                }
                request.headers.push((name, value.trim().to_owned()));
            }
        }
        let mut body = vec![0; length.min(1 << 16)];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, headers) = answer(&request);
        seen.lock().unwrap().push(request);
        let mut response = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n");
        for (name, value) in headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n{}");
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn origin(seen: &Seen) -> String {
    seen.header("origin").unwrap_or_default().to_owned()
}

fn preflight(seen: &Seen) -> bool {
    seen.method == "OPTIONS"
}

// ---------------------------------------------------------------------------
// The servers: one mistake each
// ---------------------------------------------------------------------------

/// A correct server: the page's origin only, reflected, with `Vary`.
fn correct(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let mut headers = vec![("vary", "Origin".to_owned())];
    if origin(s) == PAGE {
        headers.push(("access-control-allow-origin", PAGE.to_owned()));
        headers.push(("access-control-allow-credentials", "true".to_owned()));
        if preflight(s) {
            headers.push(("access-control-allow-methods", "GET, POST, PUT".to_owned()));
            headers.push(("access-control-allow-headers", "content-type".to_owned()));
            headers.push(("access-control-max-age", "600".to_owned()));
            return (204, headers);
        }
    }
    (200, headers)
}

fn wildcard_with_credentials(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let mut headers = vec![
        ("access-control-allow-origin", "*".to_owned()),
        ("access-control-allow-credentials", "true".to_owned()),
    ];
    if preflight(s) {
        headers.push((
            "access-control-allow-methods",
            "GET, POST, PUT, DELETE".to_owned(),
        ));
        return (204, headers);
    }
    (200, headers)
}

fn reflect_any(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let headers = vec![
        ("access-control-allow-origin", origin(s)),
        ("access-control-allow-credentials", "true".to_owned()),
        ("vary", "Origin".to_owned()),
    ];
    (if preflight(s) { 204 } else { 200 }, headers)
}

fn no_cors(_: &Seen) -> (u16, Vec<(&'static str, String)>) {
    (200, Vec::new())
}

fn options_404(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    if preflight(s) {
        return (404, Vec::new());
    }
    correct(s)
}

fn options_405(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    if preflight(s) {
        return (
            405,
            vec![
                ("allow", "GET, POST".to_owned()),
                ("access-control-allow-origin", PAGE.to_owned()),
            ],
        );
    }
    correct(s)
}

fn preflight_redirect(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    if preflight(s) && !s.path.ends_with('/') {
        return (
            301,
            vec![
                ("location", format!("{}/", s.path)),
                ("access-control-allow-origin", PAGE.to_owned()),
            ],
        );
    }
    correct(s)
}

fn trailing_slash(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let (status, _) = correct(s);
    (
        status,
        vec![
            ("access-control-allow-origin", format!("{PAGE}/")),
            ("vary", "Origin".to_owned()),
        ],
    )
}

fn duplicate_allow_origin(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let (status, mut headers) = correct(s);
    headers.push(("access-control-allow-origin", "*".to_owned()));
    (status, headers)
}

fn missing_vary(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let (status, mut headers) = correct(s);
    headers.retain(|(name, _)| *name != "vary");
    (status, headers)
}

fn json_not_allowed(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    let (status, mut headers) = correct(s);
    for (name, value) in &mut headers {
        if *name == "access-control-allow-headers" {
            *value = "x-request-id".to_owned();
        }
    }
    (status, headers)
}

/// A strict server (as corsguard's strict profile answers): a refused
/// preflight gets 403 and no CORS header at all, whatever the cause.
fn strict(s: &Seen) -> (u16, Vec<(&'static str, String)>) {
    if preflight(s) {
        let method_ok = matches!(
            s.header("access-control-request-method"),
            Some("GET" | "POST" | "PUT")
        );
        let headers_ok = s
            .header("access-control-request-headers")
            .map_or(true, |names| {
                names.split(',').all(|n| n.trim() == "content-type")
            });
        if origin(s) != PAGE || !method_ok || !headers_ok {
            return (403, vec![("vary", "Origin".to_owned())]);
        }
    }
    correct(s)
}

// ---------------------------------------------------------------------------

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(root())
        .output()
        .expect("corsguard runs")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn text_of(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// probe URL --origin PAGE with `extra`, in JSON and in text.
fn probe(server: &Server, path: &str, extra: &[&str]) -> (Value, String, i32) {
    let url = server.url(path);
    let mut args = vec!["probe", url.as_str(), "--origin", PAGE];
    args.extend_from_slice(extra);
    let text = run(&args);
    args.extend_from_slice(&["--format", "json"]);
    let json = run(&args);
    assert_eq!(
        text.status.code(),
        json.status.code(),
        "one exit status for both formats"
    );
    (
        json_of(&json),
        text_of(&text),
        json.status.code().unwrap_or(-1),
    )
}

fn mistakes(value: &Value) -> Vec<String> {
    value["mistakes"]
        .as_array()
        .expect("mistakes")
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The cases: server, path, probe arguments, expected verdict, the failing
/// check, the mistake named, and a part of Chromium's message.
struct Case {
    name: &'static str,
    answer: Answer,
    path: &'static str,
    args: &'static [&'static str],
    allowed: bool,
    check: Option<&'static str>,
    mistake: Option<&'static str>,
    chromium: Option<&'static str>,
}

const PUT_JSON: &[&str] = &["--method", "PUT", "-H", "Content-Type: application/json"];

const CASES: &[Case] = &[
    Case { name: "correct GET", answer: correct, path: "/api", args: &[], allowed: true, check: None, mistake: None, chromium: None },
    Case { name: "correct PUT JSON with credentials", answer: correct, path: "/api", args: &["--method", "PUT", "-H", "Content-Type: application/json", "--credentials"], allowed: true, check: None, mistake: None, chromium: None },
    Case { name: "wildcard with credentials", answer: wildcard_with_credentials, path: "/api", args: &["--credentials"], allowed: false, check: Some("wildcard_with_credentials"), mistake: Some("wildcard_with_credentials"), chromium: Some("must not be the wildcard '*' when the request's credentials mode is 'include'.") },
    Case { name: "wildcard with credentials, no credentials sent", answer: wildcard_with_credentials, path: "/api", args: &[], allowed: true, check: None, mistake: Some("wildcard_with_credentials"), chromium: None },
    Case { name: "no CORS headers", answer: no_cors, path: "/api", args: &[], allowed: false, check: Some("missing_allow_origin"), mistake: Some("no_cors_headers"), chromium: Some("No 'Access-Control-Allow-Origin' header is present on the requested resource.") },
    Case { name: "OPTIONS answered 404", answer: options_404, path: "/api", args: PUT_JSON, allowed: false, check: Some("missing_allow_origin"), mistake: Some("options_not_handled"), chromium: Some("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin'") },
    Case { name: "OPTIONS answered 405", answer: options_405, path: "/api", args: PUT_JSON, allowed: false, check: Some("preflight_not_ok"), mistake: Some("options_not_handled"), chromium: Some("It does not have HTTP ok status.") },
    Case { name: "preflight redirected", answer: preflight_redirect, path: "/api", args: PUT_JSON, allowed: false, check: Some("preflight_redirect"), mistake: Some("preflight_redirect"), chromium: Some("Redirect is not allowed for a preflight request.") },
    Case { name: "trailing slash in the configured origin", answer: trailing_slash, path: "/api", args: &[], allowed: false, check: Some("allow_origin_mismatch"), mistake: Some("trailing_slash_origin"), chromium: Some("has a value 'http://localhost:3000/' that is not equal to the supplied origin.") },
    Case { name: "Access-Control-Allow-Origin twice", answer: duplicate_allow_origin, path: "/api", args: &[], allowed: false, check: Some("multiple_allow_origin"), mistake: Some("duplicate_allow_origin"), chromium: Some("contains multiple values 'http://localhost:3000, *', but only one is allowed.") },
    Case { name: "Vary: Origin missing", answer: missing_vary, path: "/api", args: &[], allowed: true, check: None, mistake: Some("missing_vary_origin"), chromium: None },
    Case { name: "allowed headers miss Content-Type", answer: json_not_allowed, path: "/api", args: &["--method", "POST", "-H", "Content-Type: application/json", "--data", "{}"], allowed: false, check: Some("header_not_allowed"), mistake: Some("json_content_type_not_allowed"), chromium: Some("Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response.") },
    Case { name: "reflects any origin, for the page itself", answer: reflect_any, path: "/api", args: &["--credentials"], allowed: true, check: None, mistake: None, chromium: None },
];

#[test]
fn probe_names_each_mistake_with_the_check_chromium_s_message_and_a_fix() {
    for case in CASES {
        let server = Server::start(case.answer);
        let (json, text, status) = probe(&server, case.path, case.args);
        let name = case.name;
        assert_eq!(
            status,
            if case.allowed { 0 } else { 1 },
            "{name}: exit status\n{text}"
        );
        assert_eq!(
            json["verdict"],
            if case.allowed { "allowed" } else { "blocked" },
            "{name}\n{text}"
        );
        assert_eq!(
            json["failure"]["check"].as_str(),
            case.check,
            "{name}\n{text}"
        );
        let named = mistakes(&json);
        match case.mistake {
            Some(code) => assert!(
                named.iter().any(|m| m == code),
                "{name}: {code} not in {named:?}\n{text}"
            ),
            None => assert!(
                named.is_empty(),
                "{name}: no mistake expected, got {named:?}\n{text}"
            ),
        }
        if let Some(part) = case.chromium {
            let chromium = json["failure"]["chromium"].as_str().unwrap();
            assert!(
                chromium.contains(part),
                "{name}: {chromium:?} lacks {part:?}"
            );
            let console = json["failure"]["console"].as_str().unwrap();
            assert!(
                console.starts_with(&format!(
                    "Access to fetch at '{}' from origin '{PAGE}' has been blocked by CORS policy: ",
                    server.url(case.path)
                )),
                "{name}: {console}"
            );
            // The text output shows the same message and a fix.
            assert!(
                text.contains(chromium),
                "{name}: text lacks Chromium's message\n{text}"
            );
            assert!(text.contains("verdict: BLOCKED"), "{name}\n{text}");
            assert!(
                !json["failure"]["fix"].as_str().unwrap().is_empty(),
                "{name}"
            );
        } else {
            assert!(json["failure"].is_null(), "{name}");
            assert!(text.contains("verdict: ALLOWED"), "{name}\n{text}");
        }
        if let Some(code) = case.mistake {
            assert!(
                text.contains(&format!("mistake [{code}]")),
                "{name}\n{text}"
            );
        }
    }
}

#[test]
fn probe_sends_what_a_browser_sends_and_stops_after_a_failed_preflight() {
    // A preflighted request: OPTIONS with the Access-Control-Request-*
    // headers first, then the PUT with the page's headers.
    let server = Server::start(correct);
    let (json, _, status) = probe(
        &server,
        "/items?x=1",
        &[
            "--method",
            "put",
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Ignored-By-Browser: no",
            "-H",
            "Cookie: a=b",
        ],
    );
    assert_eq!(status, 1, "x-ignored-by-browser is not allowed");
    let seen = server.seen();
    // Text and JSON each sent one preflight, and no PUT: the preflight failed.
    assert_eq!(
        seen.iter().map(|s| s.method.as_str()).collect::<Vec<_>>(),
        ["OPTIONS", "OPTIONS"]
    );
    let first = &seen[0];
    assert_eq!(first.path, "/items?x=1");
    assert_eq!(first.header("origin"), Some(PAGE));
    assert_eq!(first.header("access-control-request-method"), Some("PUT"));
    assert_eq!(
        first.header("access-control-request-headers"),
        Some("content-type,x-ignored-by-browser")
    );
    assert_eq!(
        first.header("cookie"),
        None,
        "a forbidden header is dropped, as the browser drops it"
    );
    assert_eq!(json["dropped_headers"], serde_json::json!(["Cookie"]));
    assert_eq!(
        json["requests"].as_array().unwrap().len(),
        1,
        "the PUT was never sent"
    );

    let server = Server::start(correct);
    let (json, _, status) = probe(
        &server,
        "/items",
        &[
            "--method",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "--data",
            "{\"a\":1}",
        ],
    );
    assert_eq!(status, 0);
    let seen = server.seen();
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "OPTIONS", "PUT"]);
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(seen[1].header("origin"), Some(PAGE));
    assert_eq!(seen[1].header("access-control-request-method"), None);
    assert_eq!(json["preflight_cache_seconds"], 600);
    let triggers: Vec<&str> = json["preflight"]["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(triggers, ["method", "content_type"]);

    // A simple request goes alone.
    let server = Server::start(correct);
    let (_, _, status) = probe(&server, "/", &[]);
    assert_eq!(status, 0);
    assert!(server.seen().iter().all(|s| s.method == "GET"));
}

#[test]
fn probe_finds_what_a_silent_refusal_refuses() {
    // Chromium only says that no Access-Control-Allow-Origin came back;
    // probe retries the preflight part by part to find the cause.
    let cases: &[(&[&str], &str, &str, usize)] = &[
        (
            &[
                "--method",
                "PUT",
                "-H",
                "Content-Type: application/json",
                "-H",
                "X-Debug: 1",
            ],
            "refuses it when it asks for `x-debug`",
            "allow the request header `x-debug`",
            4,
        ),
        (
            &["--method", "DELETE"],
            "refuses it for DELETE",
            "allow the method `DELETE` on the server",
            2,
        ),
    ];
    for (args, diagnosis, fix, requests) in cases {
        let server = Server::start(strict);
        let (json, text, status) = probe(&server, "/api", args);
        assert_eq!(status, 1, "{text}");
        let found = json["diagnosis"][0].as_str().unwrap();
        assert!(found.contains(diagnosis), "{found}");
        assert!(
            json["failure"]["fix"].as_str().unwrap().starts_with(fix),
            "{text}"
        );
        assert!(text.contains(&format!("diagnosis: {found}")), "{text}");
        // The middleware answers some preflights: not "no CORS at all".
        assert!(
            !mistakes(&json).contains(&"no_cors_headers".to_owned()),
            "{text}"
        );
        // Each run (text, then JSON) sent the preflight and its retries, bounded.
        assert_eq!(server.seen().len(), 2 * requests, "{:?}", server.seen());
    }
    let server = Server::start(strict);
    let url = server.url("/api");
    let output = run(&[
        "probe",
        &url,
        "--origin",
        "http://localhost:3001",
        "--method",
        "PUT",
        "--format",
        "json",
    ]);
    let json = json_of(&output);
    assert!(json["diagnosis"][0]
        .as_str()
        .unwrap()
        .contains("refuses every preflight from this origin"));
    assert_eq!(
        json["failure"]["fix"],
        "allow the origin `http://localhost:3001` on the server, if it is one you trust"
    );
    assert!(mistakes(&json).contains(&"no_cors_headers".to_owned()));
}

#[test]
fn probe_exits_2_when_the_server_cannot_be_reached_or_the_usage_is_wrong() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let output = run(&["probe", &url, "--origin", PAGE, "--timeout", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach the server"));
    let output = run(&["probe", &url, "--origin", PAGE, "-H", "no colon"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Name: value"));
    let output = run(&["probe", &url]);
    assert_eq!(output.status.code(), Some(2), "--origin is required");
}

#[test]
fn scan_reports_credentialed_reflection_above_all() {
    let server = Server::start(reflect_any);
    let url = server.url("/api");
    let output = run(&[
        "probe",
        &url,
        "--origin",
        "https://app.example.com",
        "--scan",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "a critical finding exits 1");
    let json = json_of(&output);
    let variants = json["variants"].as_array().unwrap();
    let kinds: Vec<&str> = variants
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "baseline",
        "null",
        "suffix",
        "prefix",
        "prefix_domain",
        "sibling",
        "downgrade",
        "other_port",
        "random",
    ] {
        assert!(kinds.contains(&kind), "{kind} tried: {kinds:?}");
    }
    let by = |kind: &str| variants.iter().find(|v| v["kind"] == kind).unwrap();
    assert_eq!(
        by("suffix")["origin"],
        "https://app.example.com.corsguard-scan.test"
    );
    assert_eq!(by("downgrade")["origin"], "http://app.example.com");
    assert_eq!(
        by("sibling")["origin"],
        "https://corsguard-scan.example.com"
    );
    for kind in ["null", "suffix", "prefix", "random"] {
        assert_eq!(by(kind)["severity"], "critical", "{kind}");
        assert_eq!(by(kind)["credentialed"], true, "{kind}");
    }
    assert_eq!(by("downgrade")["severity"], "high");
    assert_eq!(by("baseline")["severity"], Value::Null);
    // The worst first, after the baseline.
    assert_eq!(variants[0]["kind"], "baseline");
    assert_eq!(variants[1]["severity"], "critical");
    // Every variant went out with its own Origin.
    let sent: Vec<String> = server.seen().iter().map(origin).collect();
    for v in variants {
        assert!(sent.contains(&v["origin"].as_str().unwrap().to_owned()));
    }

    let text = text_of(&run(&[
        "probe",
        &url,
        "--origin",
        "https://app.example.com",
        "--scan",
    ]));
    assert!(
        text.contains("[critical] null is admitted with credentials"),
        "{text}"
    );

    // A correct server admits none of them.
    let server = Server::start(correct);
    let output = run(&[
        "probe",
        &server.url("/"),
        "--origin",
        PAGE,
        "--scan",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert_eq!(json["findings"], 0);
    let text = text_of(&run(&[
        "probe",
        &server.url("/"),
        "--origin",
        PAGE,
        "--scan",
    ]));
    assert!(text.contains("no lookalike origin is admitted"), "{text}");

    // `*` without credentials is information, not an alarm.
    let server = Server::start(|s| {
        let (status, _) = correct(s);
        (
            status,
            vec![("access-control-allow-origin", "*".to_owned())],
        )
    });
    let output = run(&[
        "probe",
        &server.url("/"),
        "--origin",
        PAGE,
        "--scan",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json = json_of(&output);
    assert!(json["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] != "baseline")
        .all(|v| v["severity"] == "info"));
    let text = text_of(&run(&[
        "probe",
        &server.url("/"),
        "--origin",
        PAGE,
        "--scan",
    ]));
    assert!(
        text.contains("[info] every origin is admitted with `Access-Control-Allow-Origin: *`"),
        "{text}"
    );
    assert!(
        !text.contains("[info] null is admitted"),
        "one line for `*`: {text}"
    );
}

// ---------------------------------------------------------------------------
// explain
// ---------------------------------------------------------------------------

fn explain(document: &str, args: &[&str]) -> (Value, String, i32) {
    let dir = std::env::temp_dir().join(format!(
        "corsguard-explain-{}-{}",
        std::process::id(),
        args.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{:x}.json",
        fxhash(document) ^ fxhash(&args.join(" "))
    ));
    std::fs::write(&file, document).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let mut argv = vec!["explain", file.as_str()];
    argv.extend_from_slice(args);
    let text = run(&argv);
    argv.extend_from_slice(&["--format", "json"]);
    let json = run(&argv);
    let _ = std::fs::remove_file(&file);
    assert_eq!(text.status.code(), json.status.code());
    (
        json_of(&json),
        text_of(&text),
        json.status.code().unwrap_or(-1),
    )
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

const DEMO: &str = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowMethods": ["GET", "POST", "PUT"],
  "allowHeaders": ["content-type", "x-request-id"], "allowCredentials": true, "maxAge": 600}"#;

#[test]
fn explain_gives_the_fix_in_the_policy_s_terms() {
    let cases: &[(&str, &[&str], i32, Option<&str>)] = &[
        (
            "seed",
            &[
                "--origin",
                PAGE,
                "--method",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                "X-Request-Id: 1",
            ],
            0,
            None,
        ),
        (
            "other origin",
            &["--origin", "http://localhost:3001"],
            1,
            Some("add `http://localhost:3001` to allowOrigins"),
        ),
        (
            "method",
            &["--origin", PAGE, "--method", "DELETE"],
            1,
            Some("add `DELETE` to allowMethods"),
        ),
        (
            "header",
            &[
                "--origin",
                PAGE,
                "--method",
                "POST",
                "-H",
                "X-Custom-Header: 1",
            ],
            1,
            Some("add `x-custom-header` to allowHeaders"),
        ),
    ];
    for (name, args, status, fix) in cases {
        let mut full = args.to_vec();
        full.extend_from_slice(&["--url", "http://localhost:8080/api/items"]);
        let (json, text, code) = explain(DEMO, &full);
        assert_eq!(code, *status, "{name}\n{text}");
        assert_eq!(json["failure"]["fix"].as_str(), *fix, "{name}\n{text}");
        if let Some(fix) = fix {
            assert!(text.contains(&format!("fix: {fix}")), "{name}\n{text}");
            assert!(
                text.contains(
                    "Chromium console: Access to fetch at 'http://localhost:8080/api/items'"
                ),
                "{name}\n{text}"
            );
        }
        // corsguard's own decisions are shown beside the browser's checks.
        assert!(!json["decisions"].as_array().unwrap().is_empty(), "{name}");
        assert!(text.contains("corsguard: "), "{name}\n{text}");
    }

    // Everything the policy refuses in the preflight, not only the first.
    let (json, text, _) = explain(
        DEMO,
        &[
            "--origin",
            "http://localhost:3001",
            "--method",
            "DELETE",
            "-H",
            "X-A: 1",
            "-H",
            "Content-Type: application/json",
        ],
    );
    assert_eq!(
        json["failure"]["fix"],
        "add `http://localhost:3001` to allowOrigins"
    );
    assert_eq!(
        json["also"],
        serde_json::json!(["add `DELETE` to allowMethods", "add `x-a` to allowHeaders"]),
        "{text}"
    );
    assert!(text.contains("  and: add `x-a` to allowHeaders"), "{text}");

    let no_credentials = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"]}"#;
    let (json, text, code) = explain(no_credentials, &["--origin", PAGE, "--credentials"]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(json["failure"]["check"], "credentials_not_true");
    assert!(
        json["failure"]["fix"]
            .as_str()
            .unwrap()
            .starts_with("allowCredentials is needed because the request is credentialed"),
        "{text}"
    );

    let json_body = r#"{"version": 1, "allowOrigins": ["http://localhost:3000"], "allowHeaders": ["x-request-id"]}"#;
    let (json, text, _) = explain(
        json_body,
        &[
            "--origin",
            PAGE,
            "--method",
            "POST",
            "-H",
            "Content-Type: application/json",
        ],
    );
    assert_eq!(mistakes(&json), ["json_content_type_not_allowed"], "{text}");
    assert!(
        text.contains("preflight needed:\n  - `Content-Type: application/json` is not one of"),
        "{text}"
    );
}

#[test]
fn explain_names_a_trailing_slash_and_refuses_a_broken_document() {
    let broken = r#"{"version": 1, "allowOrigins": ["http://localhost:3000/"]}"#;
    let (json, text, code) = explain(broken, &["--origin", PAGE]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(json["valid"], false);
    assert_eq!(json["errors"][0]["path"], "/allowOrigins/0");
    assert_eq!(mistakes(&json), ["trailing_slash_origin"]);
    assert!(text.contains("mistake [trailing_slash_origin]"), "{text}");
    assert!(
        text.contains("error[malformed_origin] /allowOrigins/0"),
        "{text}"
    );

    let output = run(&["explain", "no-such-file.json", "--origin", PAGE]);
    assert_eq!(output.status.code(), Some(2));
}
