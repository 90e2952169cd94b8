//! Runs the shared conformance vectors of `tests/vectors/` (at the root of
//! the repository; the format is described in its README) against the core.
//!
//! Every case runs; each mismatch is reported with its file, case name,
//! expected and actual values, and the test fails once all have run. Each
//! case's `policy` is loaded through the document loader, in the smallest
//! capacity class that holds it, as every runtime loads it.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use corsguard::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard::document::{PolicySlots, Rebuild};
use corsguard::path::PathRuleProblem;
use corsguard::{
    ConfigError, Decision, Document, DocumentErrors, OriginProblem, Policy, Reason, Request, Risk,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The vectors must stay a meaningful contract.
const MIN_CASES: usize = 150;

/// Every `ConfigError::code()` (the core's table): each needs at least one
/// vector, so a new variant needs a vector before this test passes.
fn config_error_codes() -> impl Iterator<Item = &'static str> {
    ConfigError::CODES.into_iter()
}

/// The document loader's own codes (`Problem::code()` beyond `ConfigError`).
const DOCUMENT_CODES: &[&str] = &corsguard::document::LOADER_CODES;

/// Every `Reason::code()`.
const REASON_CODES: &[&str] = &Reason::CODES;

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
    /// A policy document: an object, loaded as its JSON text, or a string,
    /// loaded as is (a document that is not valid JSON, or repeats a key).
    policy: Value,
    /// The host's verdict on the probe origins (bit `i`: it admits
    /// `VERDICT_PROBES[i]`), as a binding passes it to the loader.
    #[serde(default)]
    verdict_probes: u8,
    request: Option<RequestSpec>,
    expect: Option<Expect>,
    expect_error: Option<ExpectError>,
    /// Every finding of the document, in order.
    expect_findings: Option<Vec<ExpectProblem>>,
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
    /// The request target, for documents with routes (`/` when absent).
    path: Option<BytesSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// The policy serving the request's path (`null`: none, so no decision).
    #[serde(default, deserialize_with = "present")]
    policy: Option<Option<String>>,
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
    path: Option<String>,
    /// Every problem of the document, in order, when it has several.
    errors: Option<Vec<ExpectProblem>>,
    #[serde(default)]
    message_contains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectProblem {
    code: String,
    path: String,
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
// Loading the policy
// ---------------------------------------------------------------------------

/// A policy in one of the capacity classes.
enum Loaded {
    Small(Box<SmallPolicy>),
    Default(Box<DefaultPolicy>),
    Large(Box<LargePolicy>),
}

impl Loaded {
    fn new(class: CapacityClass) -> Loaded {
        match class.name {
            "small" => Loaded::Small(Box::new(Policy::empty())),
            "default" => Loaded::Default(Box::new(Policy::empty())),
            _ => Loaded::Large(Box::new(Policy::empty())),
        }
    }

    fn class(&self) -> CapacityClass {
        match self {
            Loaded::Small(_) => CapacityClass::SMALL,
            Loaded::Default(_) => CapacityClass::DEFAULT,
            Loaded::Large(_) => CapacityClass::LARGE,
        }
    }

    fn rebuild(&mut self) -> &mut dyn Rebuild {
        match self {
            Loaded::Small(p) => &mut **p,
            Loaded::Default(p) => &mut **p,
            Loaded::Large(p) => &mut **p,
        }
    }

    fn evaluate<'a>(&'a self, request: &Request<'a>) -> Decision<'a> {
        match self {
            Loaded::Small(p) => p.evaluate(request),
            Loaded::Default(p) => p.evaluate(request),
            Loaded::Large(p) => p.evaluate(request),
        }
    }

    fn usage(&self) -> (usize, usize) {
        match self {
            Loaded::Small(p) => (p.bytes_used(), p.origins_used()),
            Loaded::Default(p) => (p.bytes_used(), p.origins_used()),
            Loaded::Large(p) => (p.bytes_used(), p.origins_used()),
        }
    }
}

/// A document's policies, each in the class the core chose, as a runtime
/// keeps them: the slots the core builds into.
struct Slots(Vec<Option<Loaded>>);

impl PolicySlots for Slots {
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        while self.0.len() <= index {
            self.0.push(None);
        }
        let slot = &mut self.0[index];
        if slot.as_ref().map(Loaded::class) != Some(class) {
            *slot = Some(Loaded::new(class));
        }
        slot.as_mut().expect("just filled").rebuild()
    }
}

struct LoadedDocument {
    document: Document,
    policies: Vec<Option<Loaded>>,
}

/// Loads `policy` as a runtime does: the document as JSON text, every policy
/// built by the core in the smallest class that holds it.
fn load(policy: &Value, verdict_probes: u8) -> Result<LoadedDocument, DocumentErrors> {
    let json = match policy {
        Value::String(text) => text.as_bytes().to_vec(),
        object => serde_json::to_vec(object).expect("a JSON value serializes"),
    };
    let mut document = Document::parse(&json)?;
    document.set_verdict_probes(verdict_probes);
    let mut slots = Slots(Vec::new());
    document.build_all(&mut slots)?;
    // The estimate that chose a class must bound what building took (for a
    // document without routes, whose one policy `needs` describes).
    if !document.has_routes() {
        let needs = document.needs();
        let (bytes, origins) = slots.0[0].as_ref().expect("built").usage();
        assert!(
            bytes <= needs.bytes && origins <= needs.origins,
            "the capacity estimate {needs:?} is below what the policy uses ({bytes} bytes, {origins} origins)"
        );
    }
    Ok(LoadedDocument {
        document,
        policies: slots.0,
    })
}

/// The request's byte strings, owned by the test.
struct RequestBytes {
    method: Vec<u8>,
    origin: Option<Vec<u8>>,
    request_method: Option<Vec<u8>>,
    request_headers: Option<Vec<u8>>,
    request_private_network: Option<Vec<u8>>,
    origin_verdict: Option<bool>,
    path: Option<Vec<u8>>,
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
            path: opt(&self.path)?,
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
        Observed {
            kind: decision.kind().code(),
            outcome: decision.outcome().code(),
            reason: reason.map(|r| r.code()),
            reason_detail: reason.and_then(|r| r.detail()).map(<[u8]>::to_vec),
            failures: decision.failures().names().collect(),
            action: decision.action().code(),
            status: decision.action().status(),
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
    path_rule_problems: BTreeSet<String>,
    /// The codes of the findings cases expect.
    findings: BTreeSet<String>,
    /// The capacity classes policies of evaluated cases were built in.
    classes: BTreeSet<&'static str>,
    skipped_under_miri: usize,
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
    let built = load(&case.policy, case.verdict_probes);

    match (&case.expect, &case.expect_error, &case.request) {
        (Some(expect), None, Some(request)) => {
            if let Some(Some(reason)) = &expect.reason {
                covered.reasons.insert(reason.clone());
            }
            let loaded = built.map_err(|e| format!("the loader refused the policy: {e}"))?;
            let bytes = request.to_bytes()?;
            // Miri checks evaluation for undefined behaviour at thousands of
            // times the normal cost: the few cases whose request is hundreds
            // of KiB (the bounded-work attacks) are left to the normal run.
            if cfg!(miri) && bytes.len() > MIRI_MAX_REQUEST_BYTES {
                covered.skipped_under_miri += 1;
                return Ok(());
            }
            let path = bytes.path.as_deref().unwrap_or(b"/");
            let served = loaded.document.route(path);
            let served_name = served.and_then(|i| loaded.document.policy_names().nth(i));
            if let Some(want) = &expect.policy {
                if want.as_deref() != served_name {
                    return Err(format!(
                        "policy: expected {want:?} to serve {}, got {served_name:?}",
                        show(path)
                    ));
                }
            }
            let Some(policy) = served.and_then(|i| loaded.policies[i].as_ref()) else {
                return match &expect.headers {
                    Some(headers) if !headers.is_empty() => Err(format!(
                        "no policy serves {}, so no headers are sent",
                        show(path)
                    )),
                    _ => Ok(()),
                };
            };
            covered.classes.insert(policy.class().name);
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
                if expect.code == "bad_path_rule" {
                    covered.path_rule_problems.insert(problem.clone());
                } else {
                    covered.origin_problems.insert(problem.clone());
                }
            }
            let errors = match built {
                Ok(_) => return Err(format!("expected error {}, got a policy", expect.code)),
                Err(errors) => errors,
            };
            let message = errors.to_string();
            let mut diffs = Vec::new();
            let first = &errors.problems()[0];
            if first.code() != expect.code {
                diffs.push(format!(
                    "code: expected {}, got {} ({message})",
                    expect.code,
                    first.code()
                ));
            }
            if let Some(path) = &expect.path {
                if first.path() != path {
                    diffs.push(format!("path: expected {path:?}, got {:?}", first.path()));
                }
            }
            for problem in errors.problems() {
                if problem.rule().is_empty() || problem.fix().is_empty() {
                    diffs.push(format!("{problem}: a problem needs a rule and a fix"));
                }
            }
            match &expect.errors {
                Some(all) => {
                    let want: Vec<(&str, &str)> = all
                        .iter()
                        .map(|e| (e.code.as_str(), e.path.as_str()))
                        .collect();
                    let got: Vec<(&str, &str)> = errors
                        .problems()
                        .iter()
                        .map(|p| (p.code(), p.path()))
                        .collect();
                    if want != got {
                        diffs.push(format!("errors: expected {want:?}, got {got:?}"));
                    }
                    covered
                        .config_errors
                        .extend(all.iter().map(|e| e.code.clone()));
                }
                None if errors.problems().len() > 1 => diffs.push(format!(
                    "{} problems where one was expected: {message}",
                    errors.problems().len()
                )),
                None => {}
            }
            if let Some(problem) = &expect.problem {
                if first.problem() != Some(problem.as_str()) {
                    diffs.push(format!(
                        "problem: expected {problem}, got {:?}",
                        first.problem()
                    ));
                }
            } else if matches!(expect.code.as_str(), "malformed_origin" | "bad_path_rule") {
                diffs.push(format!("a {} error needs its `problem`", expect.code));
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
        (None, None, None) if case.expect_findings.is_some() => {
            let want: Vec<(&str, &str)> = case
                .expect_findings
                .iter()
                .flatten()
                .map(|e| (e.code.as_str(), e.path.as_str()))
                .collect();
            covered.findings.extend(want.iter().map(|(c, _)| c.to_string()));
            let loaded = built.map_err(|e| format!("the loader refused the policy: {e}"))?;
            let findings = loaded.document.findings();
            let got: Vec<(&str, &str)> = findings.iter().map(|p| (p.code(), p.path())).collect();
            let mut diffs = Vec::new();
            if want != got {
                diffs.push(format!("findings: expected {want:?}, got {got:?}"));
            }
            for finding in &findings {
                if finding.rule().is_empty() || finding.fix().is_empty() {
                    diffs.push(format!("{finding}: a finding needs a rule and a fix"));
                }
            }
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs.join("\n"))
            }
        }
        _ => Err(
            "a case has either `request` and `expect`, `expect_error` alone, or `expect_findings` alone"
                .to_string(),
        ),
    }
}

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

/// The vector files: `tests/vectors/*.json`, then `tests/vectors/routes/*.json`
/// (documents with path rules).
fn vector_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("routes")] {
        let mut found: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        found.sort();
        files.extend(found);
    }
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

    let origin_problem_codes: Vec<&str> = OriginProblem::ALL.iter().map(|p| p.code()).collect();
    let path_rule_problem_codes: Vec<&str> =
        PathRuleProblem::ALL.iter().map(|p| p.code()).collect();
    let error_codes: Vec<&str> = config_error_codes()
        .chain(DOCUMENT_CODES.iter().copied())
        .collect();
    // Every risk has a findings vector; a finding is a risk, or (in a
    // compatibility profile) an error of the strict profile.
    for code in Risk::CODES
        .iter()
        .filter(|c| !covered.findings.contains(**c))
    {
        failures.push(format!("no vector covers the Risk code {code:?}"));
    }
    for code in covered
        .findings
        .iter()
        .filter(|c| !Risk::CODES.contains(&c.as_str()) && !ConfigError::CODES.contains(&c.as_str()))
    {
        failures.push(format!("vectors expect the unknown finding {code:?}"));
    }
    let coverage: [(&str, &[&str], &BTreeSet<String>); 4] = [
        ("error code", &error_codes, &covered.config_errors),
        (
            "OriginProblem code",
            &origin_problem_codes,
            &covered.origin_problems,
        ),
        ("Reason code", REASON_CODES, &covered.reasons),
        (
            "PathRuleProblem code",
            &path_rule_problem_codes,
            &covered.path_rule_problems,
        ),
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
        "{} vector cases passed, {skipped} skipped (core features off); policies built in the classes {:?}",
        total - skipped,
        covered.classes
    );
}
