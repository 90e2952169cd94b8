//! `corsguard lint`, run as a user runs it: the built binary, its output and
//! its exit status. What it prints is compared with what the core's loader
//! reports for the same bytes, so the command cannot drift from the loader.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use corsguard::capacity::{CapacityClass, LargePolicy};
use corsguard::document::{PolicySlots, Rebuild};
use corsguard::{Document, Policy, Problem};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_corsguard");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corsguard(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the corsguard binary starts");
    let mut input = child.stdin.take().expect("a stdin pipe");
    input
        .write_all(stdin.unwrap_or_default())
        .expect("stdin takes the document");
    drop(input);
    child.wait_with_output().expect("corsguard exits")
}

fn lint_bytes(document: &[u8], extra: &[&str]) -> Output {
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.push("-");
    corsguard(&args, Some(document))
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// One large policy, reused: the library's own view of a document's errors.
struct Slot(Box<LargePolicy>);
impl PolicySlots for Slot {
    fn slot(&mut self, _: usize, _: CapacityClass) -> &mut dyn Rebuild {
        self.0.as_mut()
    }
}

/// What the core's loader reports: (errors, findings).
fn core_report(document: &[u8]) -> (Vec<Problem>, Vec<Problem>) {
    match Document::parse(document) {
        Err(errors) => (errors.problems().to_vec(), Vec::new()),
        Ok(parsed) => {
            let mut slot = Slot(Box::new(Policy::empty()));
            let errors = parsed
                .build_all(&mut slot)
                .err()
                .map(|e| e.problems().to_vec())
                .unwrap_or_default();
            (errors, parsed.findings())
        }
    }
}

fn as_json(problems: &[Problem]) -> Vec<Value> {
    problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "path": p.path(), "code": p.code(), "problem": p.problem(),
                "message": p.message(), "rule": p.rule(), "fix": p.fix(),
            })
        })
        .collect()
}

const BROKEN: &[u8] = br#"{"version": 1, "allowOrigin": ["https://a.example"],
    "allowOrigins": ["https://a.example/", "null"], "allowCredentials": true, "maxAge": 999999}"#;
const RISKY: &[u8] =
    br#"{"version": 1, "allowOrigins": ["https://a.example", "null"], "maxAge": 9000}"#;

#[test]
fn a_clean_document_exits_0_and_says_so() {
    let output = corsguard(&["lint", "examples/demo/policy.json"], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stdout(&output),
        "examples/demo/policy.json: no errors, no findings (policies: default)\n"
    );
}

#[test]
fn every_error_is_printed_with_its_path_rule_and_fix_and_exits_1() {
    let output = lint_bytes(BROKEN, &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    let (errors, _) = core_report(BROKEN);
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(text.starts_with("(standard input): 4 errors, "), "{text}");
    for error in &errors {
        let block = format!(
            "error[{}] {}\n  rule: {}\n  fix:  {}\n",
            error.code(),
            error.path(),
            error.rule(),
            error.fix()
        );
        assert!(text.contains(&block), "missing {block:?} in {text}");
    }
    assert!(text.contains("error[unknown_key] /allowOrigin\n"), "{text}");
    assert!(text.contains("did you mean `allowOrigins`?"), "{text}");
}

#[test]
fn findings_exit_0_unless_denied() {
    let output = lint_bytes(RISKY, &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with("(standard input): no errors, 2 findings"),
        "{text}"
    );
    assert!(
        text.contains("finding[null_origin] /allowOrigins/1\n"),
        "{text}"
    );
    assert!(
        text.contains("finding[max_age_above_chromium_cap] /maxAge\n"),
        "{text}"
    );
    let denied = lint_bytes(RISKY, &["--deny-findings"]);
    assert_eq!(denied.status.code(), Some(1), "{denied:?}");
    assert_eq!(stdout(&denied), text);
}

#[test]
fn json_output_is_the_core_report() {
    for (document, valid) in [(BROKEN, false), (RISKY, true)] {
        let output = lint_bytes(document, &["--format", "json"]);
        let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
        let (errors, findings) = core_report(document);
        assert_eq!(report["valid"], Value::Bool(valid));
        assert_eq!(report["file"], "(standard input)");
        assert_eq!(report["errors"], Value::Array(as_json(&errors)));
        assert_eq!(report["findings"], Value::Array(as_json(&findings)));
        assert_eq!(output.status.code(), Some(u8::from(!valid).into()));
    }
}

#[test]
fn text_that_is_not_json_is_an_error_of_the_document() {
    let output = lint_bytes(b"{\"version\": 1,", &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stdout(&output).contains("error[invalid_json] "),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_document_for_the_large_class_lints_clean() {
    let origins: Vec<String> = (0..1000)
        .map(|i| format!("\"https://app{i}.example.com\""))
        .collect();
    let document = format!(
        "{{\"version\": 1, \"allowOrigins\": [{}]}}",
        origins.join(",")
    );
    let output = lint_bytes(document.as_bytes(), &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(stdout(&output).contains("no errors, no findings"));
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let unknown = corsguard(&["lint", "--no-such-flag", "x.json"], None);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
    let missing = corsguard(&["lint"], None);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
    let format = corsguard(
        &["lint", "--format", "yaml", "examples/demo/policy.json"],
        None,
    );
    assert_eq!(format.status.code(), Some(2), "{format:?}");
    let absent = corsguard(&["lint", "no/such/policy.json"], None);
    assert_eq!(absent.status.code(), Some(2), "{absent:?}");
    let said = String::from_utf8_lossy(&absent.stderr);
    assert!(said.contains("cannot read no/such/policy.json"), "{said}");
}
