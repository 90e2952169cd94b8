//! Runs the shared conformance vectors of `tests/vectors/` (at the root of
//! the repository; the format is described in its README) against the core.
//!
//! Every case runs; each mismatch is reported with its file, case name,
//! expected and actual values, and the test fails once all have run.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use corsguard::{
    Action, AllowedHeaders, Behaviour, Config, ConfigError, Decision, ExposedHeaders, Failures,
    MaxAge, Methods, Policy, Reason, Request,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The policy type with the default capacities, which every binding uses.
type DefaultPolicy = Policy<256, 64, 16384>;

/// The vectors must stay a meaningful contract.
const MIN_CASES: usize = 150;

/// Every `ConfigError::code()`: each needs at least one vector. A new variant
/// goes here, and then needs a vector before this test passes.
const CONFIG_ERROR_CODES: &[&str] = &[
    "wildcard_origin_with_credentials",
    "wildcard_with_credentials",
    "null_origin_with_credentials",
    "wildcard_origin_among_others",
    "malformed_origin",
    "no_origins",
    "forbidden_method",
    "method_not_normalized",
    "not_a_token",
    "forbidden_request_header",
    "forbidden_response_header",
    "duplicate",
    "unsafe_value",
    "max_age_out_of_range",
    "literal_needs_literal_syntax",
    "status_out_of_range",
    "capacity_exceeded",
];

/// Every `OriginProblem::code()`.
const ORIGIN_PROBLEM_CODES: &[&str] = &[
    "empty",
    "whitespace",
    "missing_scheme",
    "bad_scheme",
    "uppercase",
    "trailing_slash",
    "path",
    "query",
    "fragment",
    "user_info",
    "bad_host",
    "bad_port",
    "default_port",
    "bad_pattern",
    "pattern_too_wide",
    "too_long",
    "non_canonical_ip",
    "invalid_ip",
    "opaque_origin",
    "public_suffix",
];

/// Every `Reason::code()`.
const REASON_CODES: &[&str] = &[
    "origin_not_allowed",
    "malformed_origin",
    "missing_origin",
    "method_not_allowed",
    "header_not_allowed",
    "malformed_request_headers",
    "private_network_not_allowed",
];

// ---------------------------------------------------------------------------
// The file format
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    topic: String,
    description: String,
    /// Parsed one by one, so that a malformed case is reported by name.
    cases: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// Optional core features the case needs; skipped in a build without one.
    #[serde(default)]
    features: Vec<String>,
    config: ConfigSpec,
    request: Option<RequestSpec>,
    expect: Option<Expect>,
    expect_error: Option<ExpectError>,
}

#[derive(Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Profile {
    #[default]
    Strict,
    CorsNpm,
    Starlette,
}

impl Profile {
    fn behaviour(self) -> Behaviour {
        match self {
            Profile::Strict => Behaviour::STRICT,
            Profile::CorsNpm => Behaviour::CORS_NPM,
            Profile::Starlette => Behaviour::STARLETTE,
        }
    }
}

/// A list of names, or a keyword (`"*"`, or `"mirror"` for allowed headers).
#[derive(Deserialize)]
#[serde(untagged)]
enum NamesSpec {
    List(Vec<String>),
    Keyword(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MaxAgeSpec {
    Seconds(u32),
    Literal(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    #[serde(default)]
    profile: Profile,
    allowed_origins: Option<Vec<String>>,
    fixed_origin: Option<String>,
    origin_verdict: Option<bool>,
    allowed_methods: Option<NamesSpec>,
    allowed_headers: Option<NamesSpec>,
    exposed_headers: Option<NamesSpec>,
    credentials: Option<bool>,
    max_age: Option<MaxAgeSpec>,
    private_network: Option<bool>,
    preflight_continue: Option<bool>,
    preflight_status: Option<u16>,
}

/// A byte string: text (its UTF-8 bytes), `{"hex": ...}`, or
/// `{"repeat": ..., "times": N, "prefix": ..., "suffix": ...}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum BytesSpec {
    Text(String),
    Hex(HexSpec),
    Repeat(RepeatSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HexSpec {
    hex: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RepeatSpec {
    repeat: String,
    times: usize,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
}

impl BytesSpec {
    fn to_bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            BytesSpec::Text(s) => Ok(s.as_bytes().to_vec()),
            BytesSpec::Hex(HexSpec { hex }) => decode_hex(hex),
            BytesSpec::Repeat(r) => {
                let mut out = r.prefix.as_bytes().to_vec();
                out.extend(r.repeat.as_bytes().repeat(r.times));
                out.extend(r.suffix.as_bytes());
                Ok(out)
            }
        }
    }
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    let digits = hex.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(format!("hex string {hex:?} has an odd length"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("hex string {hex:?} has a non-hex digit"))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestSpec {
    method: BytesSpec,
    origin: Option<BytesSpec>,
    request_method: Option<BytesSpec>,
    request_headers: Option<BytesSpec>,
    request_private_network: Option<BytesSpec>,
    origin_verdict: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    kind: Option<String>,
    outcome: Option<String>,
    #[serde(default, deserialize_with = "present")]
    reason: Option<Option<String>>,
    reason_detail: Option<BytesSpec>,
    failures: Option<Vec<String>>,
    action: Option<String>,
    status: Option<u16>,
    headers: Option<Vec<(String, BytesSpec)>>,
    #[serde(default, deserialize_with = "present")]
    body: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectError {
    code: String,
    problem: Option<String>,
    #[serde(default)]
    message_contains: Vec<String>,
}

/// Tells a key given as `null` (`Some(None)`) from a missing one (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

// ---------------------------------------------------------------------------
// Building the core's inputs
// ---------------------------------------------------------------------------

/// The string slices a `Config` borrows, owned by the test (empty when the
/// key is absent or a keyword).
struct ConfigLists<'s> {
    origins: Vec<&'s str>,
    methods: Vec<&'s str>,
    headers: Vec<&'s str>,
    exposed: Vec<&'s str>,
}

fn list_of(spec: &Option<NamesSpec>) -> Vec<&str> {
    match spec {
        Some(NamesSpec::List(list)) => list.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

impl ConfigSpec {
    fn lists(&self) -> ConfigLists<'_> {
        ConfigLists {
            origins: self
                .allowed_origins
                .iter()
                .flatten()
                .map(String::as_str)
                .collect(),
            methods: list_of(&self.allowed_methods),
            headers: list_of(&self.allowed_headers),
            exposed: list_of(&self.exposed_headers),
        }
    }

    /// The core configuration; absent keys keep `Config::new()`'s defaults.
    fn build<'s>(&'s self, lists: &'s ConfigLists<'s>) -> Result<Config<'s>, String> {
        let mut config = Config::new()
            .behaviour(self.profile.behaviour())
            .allowed_origins(&lists.origins);
        if let Some(origin) = &self.fixed_origin {
            config = config.fixed_origin(origin);
        }
        if let Some(verdict) = self.origin_verdict {
            config = config.origin_verdict(verdict);
        }
        config = match &self.allowed_methods {
            None => config,
            Some(NamesSpec::List(_)) => config.allowed_methods(Methods::List(&lists.methods)),
            Some(NamesSpec::Keyword(k)) if k == "*" => config.allowed_methods(Methods::Any),
            Some(NamesSpec::Keyword(k)) => {
                return Err(format!("allowed_methods {k:?}: expected a list or \"*\""))
            }
        };
        config = match &self.allowed_headers {
            None => config,
            Some(NamesSpec::List(_)) => {
                config.allowed_headers(AllowedHeaders::List(&lists.headers))
            }
            Some(NamesSpec::Keyword(k)) if k == "*" => config.allowed_headers(AllowedHeaders::Any),
            Some(NamesSpec::Keyword(k)) if k == "mirror" => {
                config.allowed_headers(AllowedHeaders::Mirror)
            }
            Some(NamesSpec::Keyword(k)) => {
                return Err(format!(
                    "allowed_headers {k:?}: expected a list, \"*\" or \"mirror\""
                ))
            }
        };
        config = match &self.exposed_headers {
            None => config,
            Some(NamesSpec::List(_)) => {
                config.exposed_headers(ExposedHeaders::List(&lists.exposed))
            }
            Some(NamesSpec::Keyword(k)) if k == "*" => config.exposed_headers(ExposedHeaders::Any),
            Some(NamesSpec::Keyword(k)) => {
                return Err(format!("exposed_headers {k:?}: expected a list or \"*\""))
            }
        };
        if let Some(allow) = self.credentials {
            config = config.credentials(allow);
        }
        config = match &self.max_age {
            None => config,
            Some(MaxAgeSpec::Seconds(s)) => config.max_age_value(Some(MaxAge::Seconds(*s))),
            Some(MaxAgeSpec::Literal(v)) => config.max_age_value(Some(MaxAge::Literal(v))),
        };
        if let Some(allow) = self.private_network {
            config = config.private_network(allow);
        }
        if let Some(pass) = self.preflight_continue {
            config = config.preflight_continue(pass);
        }
        if let Some(status) = self.preflight_status {
            config = config.preflight_status(status);
        }
        Ok(config)
    }
}

/// The request's byte strings, owned by the test.
struct RequestBytes {
    method: Vec<u8>,
    origin: Option<Vec<u8>>,
    request_method: Option<Vec<u8>>,
    request_headers: Option<Vec<u8>>,
    request_private_network: Option<Vec<u8>>,
    origin_verdict: Option<bool>,
}

impl RequestSpec {
    fn to_bytes(&self) -> Result<RequestBytes, String> {
        let opt = |b: &Option<BytesSpec>| b.as_ref().map(BytesSpec::to_bytes).transpose();
        Ok(RequestBytes {
            method: self.method.to_bytes()?,
            origin: opt(&self.origin)?,
            request_method: opt(&self.request_method)?,
            request_headers: opt(&self.request_headers)?,
            request_private_network: opt(&self.request_private_network)?,
            origin_verdict: self.origin_verdict,
        })
    }
}

/// The largest request (all its byte strings) Miri evaluates.
const MIRI_MAX_REQUEST_BYTES: usize = 1 << 14;

impl RequestBytes {
    fn len(&self) -> usize {
        let opt = |b: &Option<Vec<u8>>| b.as_ref().map_or(0, Vec::len);
        self.method.len()
            + opt(&self.origin)
            + opt(&self.request_method)
            + opt(&self.request_headers)
            + opt(&self.request_private_network)
    }

    fn request(&self) -> Request<'_> {
        let mut request = Request::new(&self.method);
        request.origin = self.origin.as_deref();
        request.request_method = self.request_method.as_deref();
        request.request_headers = self.request_headers.as_deref();
        request.request_private_network = self.request_private_network.as_deref();
        request.origin_verdict = self.origin_verdict;
        request
    }
}

// ---------------------------------------------------------------------------
// What the core answered, in the vectors' terms
// ---------------------------------------------------------------------------

struct Observed {
    kind: &'static str,
    outcome: &'static str,
    reason: Option<&'static str>,
    reason_detail: Option<Vec<u8>>,
    failures: Vec<&'static str>,
    action: &'static str,
    status: Option<u16>,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<&'static str>,
}

impl Observed {
    fn of(decision: &Decision<'_>) -> Self {
        let reason = decision.reason();
        let reason_detail = match reason {
            Some(Reason::MethodNotAllowed { method }) => Some(method.to_vec()),
            Some(Reason::HeaderNotAllowed { name }) => Some(name.to_vec()),
            _ => None,
        };
        let failures = [
            (Failures::ORIGIN, "origin"),
            (Failures::METHOD, "method"),
            (Failures::HEADERS, "headers"),
            (Failures::PRIVATE_NETWORK, "private-network"),
        ]
        .into_iter()
        .filter(|(f, _)| decision.failures().contains(*f))
        .map(|(_, name)| name)
        .collect();
        let (action, status) = match decision.action() {
            Action::Continue => ("continue", None),
            Action::Respond { status } => ("respond", Some(status)),
        };
        Observed {
            kind: decision.kind().code(),
            outcome: decision.outcome().code(),
            reason: reason.map(|r| r.code()),
            reason_detail,
            failures,
            action,
            status,
            headers: decision
                .headers()
                .iter()
                .map(|h| (h.name.as_str().to_string(), h.value.to_vec()))
                .collect(),
            body: decision.body(),
        }
    }
}

/// Bytes for a report: quoted text, hex for non-UTF-8, shortened when long.
fn show(bytes: &[u8]) -> String {
    const LONG: usize = 160;
    if bytes.len() > LONG {
        return format!("<{} bytes: {}...>", bytes.len(), show(&bytes[..60]));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("{{hex {hex}}}")
        }
    }
}

fn show_headers(headers: &[(String, Vec<u8>)]) -> String {
    let mut out = String::from("[");
    for (i, (name, value)) in headers.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(out, "{sep}({name}, {})", show(value));
    }
    out.push(']');
    out
}

/// Compares every key `expect` has; returns one line per difference.
fn compare(expect: &Expect, got: &Observed) -> Result<Vec<String>, String> {
    let mut diffs = Vec::new();
    let mut check = |key: &str, want: String, have: String| {
        if want != have {
            diffs.push(format!("{key}: expected {want}, got {have}"));
        }
    };
    if let Some(kind) = &expect.kind {
        check("kind", kind.clone(), got.kind.to_string());
    }
    if let Some(outcome) = &expect.outcome {
        check("outcome", outcome.clone(), got.outcome.to_string());
    }
    if let Some(reason) = &expect.reason {
        check("reason", format!("{reason:?}"), format!("{:?}", got.reason));
    }
    if let Some(detail) = &expect.reason_detail {
        let want = detail.to_bytes()?;
        let have = got.reason_detail.as_deref().map_or("none".into(), show);
        check("reason_detail", show(&want), have);
    }
    if let Some(failures) = &expect.failures {
        check(
            "failures",
            format!("{failures:?}"),
            format!("{:?}", got.failures),
        );
    }
    if let Some(action) = &expect.action {
        check("action", action.clone(), got.action.to_string());
    }
    if let Some(status) = expect.status {
        let have = got.status.map_or("none".to_string(), |s| s.to_string());
        check("status", status.to_string(), have);
    }
    if let Some(headers) = &expect.headers {
        let want = headers
            .iter()
            .map(|(name, value)| Ok((name.clone(), value.to_bytes()?)))
            .collect::<Result<Vec<_>, String>>()?;
        if want != got.headers {
            check("headers", show_headers(&want), show_headers(&got.headers));
        }
    }
    if let Some(body) = &expect.body {
        check("body", format!("{body:?}"), format!("{:?}", got.body));
    }
    Ok(diffs)
}

// ---------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------

/// The codes a case exercises, for the coverage checks.
#[derive(Default)]
struct Covered {
    config_errors: BTreeSet<String>,
    origin_problems: BTreeSet<String>,
    reasons: BTreeSet<String>,
    skipped_under_miri: usize,
}

fn problem_code(error: &ConfigError<'_>) -> Option<&'static str> {
    match error {
        ConfigError::MalformedOrigin { problem, .. } => Some(problem.code()),
        _ => None,
    }
}

/// Whether this build of the core has the optional feature `name` (`None`
/// for a name the vectors may not use).
fn has_feature(name: &str) -> Option<bool> {
    match name {
        "psl" => Some(cfg!(feature = "psl")),
        _ => None,
    }
}

/// Runs one case; `Err` holds the description of every mismatch.
fn run_case(case: &Case, covered: &mut Covered) -> Result<(), String> {
    let lists = case.config.lists();
    let config = case.config.build(&lists)?;
    let built = DefaultPolicy::new(&config);

    match (&case.expect, &case.expect_error, &case.request) {
        (Some(expect), None, Some(request)) => {
            if let Some(Some(reason)) = &expect.reason {
                covered.reasons.insert(reason.clone());
            }
            let policy = built.map_err(|e| format!("Policy::new refused the config: {e}"))?;
            let bytes = request.to_bytes()?;
            // Miri checks evaluation for undefined behaviour at thousands of
            // times the normal cost: the few cases whose request is hundreds
            // of KiB (the bounded-work attacks) are left to the normal run.
            if cfg!(miri) && bytes.len() > MIRI_MAX_REQUEST_BYTES {
                covered.skipped_under_miri += 1;
                return Ok(());
            }
            let decision = policy.evaluate(&bytes.request());
            let got = Observed::of(&decision);
            let mut diffs = compare(expect, &got)?;
            for (name, value) in &got.headers {
                if value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
                    diffs.push(format!("header {name} contains CR, LF or NUL"));
                }
            }
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs.join("\n"))
            }
        }
        (None, Some(expect), None) => {
            covered.config_errors.insert(expect.code.clone());
            if let Some(problem) = &expect.problem {
                covered.origin_problems.insert(problem.clone());
            }
            let error = match built {
                Ok(_) => return Err(format!("expected error {}, got a policy", expect.code)),
                Err(error) => error,
            };
            let message = error.to_string();
            let mut diffs = Vec::new();
            if error.code() != expect.code {
                diffs.push(format!(
                    "code: expected {}, got {} ({message})",
                    expect.code,
                    error.code()
                ));
            }
            if let Some(problem) = &expect.problem {
                if problem_code(&error) != Some(problem.as_str()) {
                    diffs.push(format!(
                        "problem: expected {problem}, got {:?}",
                        problem_code(&error)
                    ));
                }
            } else if expect.code == "malformed_origin" {
                diffs.push("a malformed_origin error needs its `problem`".to_string());
            }
            for part in &expect.message_contains {
                if !message.contains(part.as_str()) {
                    diffs.push(format!("message {message:?} does not contain {part:?}"));
                }
            }
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs.join("\n"))
            }
        }
        _ => Err("a case has either `request` and `expect`, or `expect_error` alone".to_string()),
    }
}

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

fn vector_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn conformance_vectors() {
    let mut failures: Vec<String> = Vec::new();
    let mut names = BTreeSet::new();
    let mut covered = Covered::default();
    let mut total = 0;
    let mut skipped = 0;

    let files = vector_files();
    assert!(!files.is_empty(), "no vector files found");
    for path in &files {
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{file_name}: {e}"));
        let file: VectorFile = match serde_json::from_str(&text) {
            Ok(file) => file,
            Err(e) => {
                failures.push(format!("{file_name}: not a vector file: {e}"));
                continue;
            }
        };
        if path.file_stem().is_some_and(|stem| *stem != *file.topic) {
            failures.push(format!(
                "{file_name}: topic {:?} is not the file's name",
                file.topic
            ));
        }
        if file.description.trim().is_empty() {
            failures.push(format!("{file_name}: empty description"));
        }
        for (index, raw) in file.cases.into_iter().enumerate() {
            total += 1;
            let case = match serde_json::from_value::<Case>(raw.clone()) {
                Ok(case) => case,
                Err(e) => {
                    let label = raw.get("name").and_then(Value::as_str);
                    let label = label.map_or_else(|| format!("case #{index}"), str::to_string);
                    failures.push(format!("{file_name} / {label}:\n    not a valid case: {e}"));
                    continue;
                }
            };
            if !names.insert(case.name.clone()) {
                failures.push(format!("{file_name} / {}: case name used twice", case.name));
            }
            let mut missing = case.features.iter().map(|f| (f, has_feature(f)));
            if let Some((feature, have)) = missing.find(|(_, have)| *have != Some(true)) {
                if have.is_none() {
                    failures.push(format!(
                        "{file_name} / {}: unknown feature {feature:?}",
                        case.name
                    ));
                }
                // Still counted for coverage: the code has its vector.
                if let Some(e) = &case.expect_error {
                    covered.config_errors.insert(e.code.clone());
                    covered.origin_problems.extend(e.problem.clone());
                }
                skipped += 1;
                continue;
            }
            if let Err(report) = run_case(&case, &mut covered) {
                let report = report.replace('\n', "\n    ");
                failures.push(format!("{file_name} / {}:\n    {report}", case.name));
            }
        }
    }

    let coverage: [(&str, &[&str], &BTreeSet<String>); 3] = [
        (
            "ConfigError code",
            CONFIG_ERROR_CODES,
            &covered.config_errors,
        ),
        (
            "OriginProblem code",
            ORIGIN_PROBLEM_CODES,
            &covered.origin_problems,
        ),
        ("Reason code", REASON_CODES, &covered.reasons),
    ];
    for (what, known, seen) in coverage {
        for code in known.iter().filter(|code| !seen.contains(**code)) {
            failures.push(format!("no vector covers the {what} {code:?}"));
        }
        for code in seen.iter().filter(|code| !known.contains(&code.as_str())) {
            failures.push(format!("vectors use the unknown {what} {code:?}"));
        }
    }
    if total < MIN_CASES {
        failures.push(format!(
            "only {total} cases; the contract needs at least {MIN_CASES}"
        ));
    }

    assert!(
        failures.is_empty(),
        "{} problem(s) in {total} vector cases:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    if covered.skipped_under_miri > 0 {
        println!(
            "{} vector cases with requests over {MIRI_MAX_REQUEST_BYTES} bytes not evaluated under Miri",
            covered.skipped_under_miri
        );
    }
    println!(
        "{} vector cases passed, {skipped} skipped (core features off)",
        total - skipped
    );
}
