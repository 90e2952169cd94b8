//! `corsguard lint`: the core's loader and findings, printed.
//!
//! Nothing here judges a policy: the errors are what `Document::parse` and
//! `Document::build_all` report, the findings what `Document::findings`
//! reports, so the command says exactly what every runtime's loader says.

use corsguard::capacity::{CapacityClass, DefaultPolicy, LargePolicy, SmallPolicy};
use corsguard::document::{PolicySlots, Rebuild};
use corsguard::{Document, Policy, Problem};
use serde_json::{json, Value};

/// What linting one document found.
pub struct Report {
    /// Refused: the document would not load.
    pub errors: Vec<Problem>,
    /// Valid but likely a mistake.
    pub findings: Vec<Problem>,
    /// The served policies' names, when the document reads as one.
    pub policies: Vec<String>,
}

/// One policy of each capacity class, reused for every served policy: lint
/// keeps no policy, only the problems the core finds while building.
#[derive(Default)]
struct Scratch {
    small: Option<Box<SmallPolicy>>,
    default: Option<Box<DefaultPolicy>>,
    large: Option<Box<LargePolicy>>,
}

fn empty<const O: usize, const N: usize, const B: usize>(
    slot: &mut Option<Box<Policy<O, N, B>>>,
) -> &mut dyn Rebuild {
    // Box::new moves the empty policy through the stack once (a few hundred
    // KiB for the large class): run() is called on a thread with room.
    slot.get_or_insert_with(|| Box::new(Policy::empty()))
        .as_mut()
}

impl PolicySlots for Scratch {
    fn slot(&mut self, _index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        if class == CapacityClass::SMALL {
            empty(&mut self.small)
        } else if class == CapacityClass::DEFAULT {
            empty(&mut self.default)
        } else {
            empty(&mut self.large)
        }
    }
}

/// The stack run() is given: room for the large class's empty policy on its
/// way to the heap, in a debug build too.
const STACK: usize = 64 << 20;

/// Lints one document (its bytes, as read).
pub fn run(bytes: &[u8]) -> Report {
    let bytes = bytes.to_vec();
    std::thread::Builder::new()
        .name("lint".into())
        .stack_size(STACK)
        .spawn(move || lint(&bytes))
        .expect("a thread to lint on")
        .join()
        .expect("linting does not panic")
}

fn lint(bytes: &[u8]) -> Report {
    let document = match Document::parse(bytes) {
        Ok(document) => document,
        Err(errors) => {
            return Report {
                errors: errors.problems().to_vec(),
                findings: Vec::new(),
                policies: Vec::new(),
            }
        }
    };
    let errors = match document.build_all(&mut Scratch::default()) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.problems().to_vec(),
    };
    Report {
        errors,
        findings: document.findings(),
        policies: document.policy_names().map(str::to_owned).collect(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        _ => format!("{n} {many}"),
    }
}

fn problem_json(problem: &Problem) -> Value {
    json!({
        "path": problem.path(),
        "code": problem.code(),
        "problem": problem.problem(),
        "message": problem.message(),
        "rule": problem.rule(),
        "fix": problem.fix(),
    })
}

impl Report {
    /// 1 with errors, or with findings when they are denied; else 0.
    pub fn exit_status(&self, deny_findings: bool) -> u8 {
        u8::from(!self.errors.is_empty() || (deny_findings && !self.findings.is_empty()))
    }

    /// Lines for people: a summary, then each problem with its path, code,
    /// rule and fix.
    pub fn to_text(&self, file: &str) -> String {
        let mut out = format!(
            "{file}: {}, {}",
            plural(self.errors.len(), "error", "errors"),
            plural(self.findings.len(), "finding", "findings")
        );
        if self.errors.is_empty() && !self.policies.is_empty() {
            out.push_str(&format!(" (policies: {})", self.policies.join(", ")));
        }
        out.push('\n');
        for (kind, problems) in [("error", &self.errors), ("finding", &self.findings)] {
            for problem in problems {
                let path = if problem.path().is_empty() {
                    "(the document)"
                } else {
                    problem.path()
                };
                out.push_str(&format!("{kind}[{}] {path}\n", problem.code()));
                out.push_str(&format!("  rule: {}\n", problem.rule()));
                if !problem.fix().is_empty() {
                    out.push_str(&format!("  fix:  {}\n", problem.fix()));
                }
            }
        }
        out
    }

    /// One JSON object: `file`, `valid`, `policies`, `errors`, `findings`
    /// (each problem with `path`, `code`, `problem`, `message`, `rule`, `fix`).
    pub fn to_json(&self, file: &str) -> String {
        let report = json!({
            "file": file,
            "valid": self.errors.is_empty(),
            "policies": self.policies,
            "errors": self.errors.iter().map(problem_json).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(problem_json).collect::<Vec<_>>(),
        });
        let mut text = serde_json::to_string_pretty(&report).expect("a JSON value serializes");
        text.push('\n');
        text
    }
}
