//! The conformance vectors (`tests/vectors/`) on the target: each case's
//! policy document is parsed and built by the core's own loader, into
//! policies of the small capacity class held in `static`s, and each request
//! is judged and compared with the case's expectation. Cases whose policy
//! needs a larger class, or a core feature this image leaves out, are
//! counted and listed by reason. Exits with failure on any mismatch.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../heap.rs"]
mod heap;

use alloc::string::ToString;
use alloc::vec::Vec;

use corsguard::capacity::{CapacityClass, SmallPolicy};
use corsguard::document::{PolicySlots, Rebuild};
use corsguard::{Decision, Document};
use corsguard_embedded::{check_room, exit, peak_stack, println};
use cortex_m_rt::entry;

#[global_allocator]
static HEAP: heap::Bump = heap::Bump::new();

/// A byte string of a case (`tests/vectors/README.md`).
enum Bytes {
    Text(&'static str),
    Raw(&'static [u8]),
    Repeat {
        prefix: &'static str,
        unit: &'static str,
        times: usize,
        suffix: &'static str,
    },
}

impl Bytes {
    fn to_vec(&self) -> Vec<u8> {
        match self {
            Bytes::Text(text) => text.as_bytes().to_vec(),
            Bytes::Raw(bytes) => bytes.to_vec(),
            Bytes::Repeat {
                prefix,
                unit,
                times,
                suffix,
            } => {
                let mut out = Vec::with_capacity(prefix.len() + unit.len() * times + suffix.len());
                out.extend_from_slice(prefix.as_bytes());
                for _ in 0..*times {
                    out.extend_from_slice(unit.as_bytes());
                }
                out.extend_from_slice(suffix.as_bytes());
                out
            }
        }
    }
}

struct Request {
    method: Bytes,
    origin: Option<Bytes>,
    request_method: Option<Bytes>,
    request_headers: Option<Bytes>,
    request_private_network: Option<Bytes>,
    origin_verdict: Option<bool>,
    path: Option<Bytes>,
}

struct Expect {
    policy: Option<Option<&'static str>>,
    kind: Option<&'static str>,
    outcome: Option<&'static str>,
    reason: Option<Option<&'static str>>,
    reason_detail: Option<Bytes>,
    failures: Option<&'static [&'static str]>,
    action: Option<&'static str>,
    status: Option<u16>,
    headers: Option<&'static [(&'static str, Bytes)]>,
    body: Option<Option<&'static str>>,
}

struct ExpectError {
    code: &'static str,
    problem: Option<&'static str>,
    path: Option<&'static str>,
    errors: Option<&'static [(&'static str, &'static str)]>,
    message_contains: &'static [&'static str],
}

enum Check {
    Evaluate(&'static Request, &'static Expect),
    Error(&'static ExpectError),
    Findings(&'static [(&'static str, &'static str)]),
}

struct Case {
    topic: &'static str,
    name: &'static str,
    policy: &'static str,
    verdict_probes: u8,
    features: &'static [&'static str],
    check: Check,
}

// CASES, written by build.rs from tests/vectors/.
include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

/// The most policies one document of the vectors serves.
const SLOTS: usize = 4;

/// Where documents are built: small-class policies in RAM from reset on.
static mut POLICIES: [SmallPolicy; SLOTS] = [const { SmallPolicy::empty() }; SLOTS];
/// Handed out when the loader asks for a larger class (the case is then
/// left out): building into it fails or is ignored.
static mut SCRATCH: SmallPolicy = SmallPolicy::empty();

struct Slots {
    policies: &'static mut [SmallPolicy; SLOTS],
    scratch: &'static mut SmallPolicy,
    /// The largest class the loader asked for beyond small, or too many policies.
    needs: Option<&'static str>,
}

impl PolicySlots for Slots {
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild {
        if class != CapacityClass::SMALL || index >= SLOTS {
            let need = if index >= SLOTS {
                "more policies"
            } else {
                class.name
            };
            if self.needs != Some("large") {
                self.needs = Some(need);
            }
            return self.scratch;
        }
        &mut self.policies[index]
    }
}

/// Why cases were not judged, with how many each: outside the heap, which
/// is emptied after every case.
#[derive(Default)]
struct LeftOut {
    reasons: [(&'static str, usize); 8],
}

impl LeftOut {
    fn add(&mut self, reason: &'static str) {
        if let Some(slot) = self
            .reasons
            .iter_mut()
            .find(|(r, n)| *r == reason || *n == 0)
        {
            *slot = (reason, slot.1 + 1);
        }
    }
}

/// Outcome of one case.
enum Run {
    Passed,
    /// Left out, with the reason.
    LeftOut(&'static str),
    /// Each line a difference.
    Failed(Vec<alloc::string::String>),
}

/// Peak stack of one evaluate over every case, and allocations in it.
struct Stats {
    evaluate_stack: usize,
    evaluations: usize,
}

fn run(case: &Case, slots: &mut Slots, stats: &mut Stats) -> Run {
    use alloc::format;
    // This image has `psl`, the one optional feature vectors may name.
    if case.features.iter().any(|f| *f != "psl") {
        return Run::LeftOut("need a core feature this image lacks");
    }
    let mut diffs = Vec::new();
    let built = Document::parse(case.policy.as_bytes()).and_then(|mut document| {
        document.set_verdict_probes(case.verdict_probes);
        document.build_all(slots).map(|()| document)
    });
    if let Some(need) = slots.needs {
        let beyond_large = matches!(case.check, Check::Error(e) if e.code == "capacity_exceeded");
        return Run::LeftOut(match need {
            "large" if beyond_large => {
                "exceed even the large capacity class (capacity_exceeded cases)"
            }
            "default" => "need the default capacity class",
            "large" => "need the large capacity class",
            _ => "serve more policies than this image keeps",
        });
    }
    match (&case.check, built) {
        (Check::Evaluate(request, expect), Ok(document)) => {
            let bytes = |b: &Option<Bytes>| b.as_ref().map(Bytes::to_vec);
            let method = request.method.to_vec();
            let origin = bytes(&request.origin);
            let request_method = bytes(&request.request_method);
            let request_headers = bytes(&request.request_headers);
            let request_private_network = bytes(&request.request_private_network);
            let path = bytes(&request.path);
            let mut judged = corsguard::Request::new(&method);
            judged.origin = origin.as_deref();
            judged.request_method = request_method.as_deref();
            judged.request_headers = request_headers.as_deref();
            judged.request_private_network = request_private_network.as_deref();
            judged.origin_verdict = request.origin_verdict;
            let served = document.route(path.as_deref().unwrap_or(b"/"));
            let served_name = served.and_then(|i| document.policy_names().nth(i));
            if let Some(want) = expect.policy {
                if want != served_name {
                    diffs.push(format!("policy: expected {want:?}, got {served_name:?}"));
                }
            }
            let Some(index) = served else {
                if expect.headers.is_some_and(|h| !h.is_empty()) {
                    diffs.push("no policy serves the path, so no headers".to_string());
                }
                return finish(diffs);
            };
            let policy = &slots.policies[index];
            HEAP.forbid();
            let (decision, used) = peak_stack(|| evaluate(policy, &judged));
            HEAP.allow();
            stats.evaluate_stack = stats.evaluate_stack.max(used);
            stats.evaluations += 1;
            compare(expect, &decision, &mut diffs);
        }
        (Check::Evaluate(..), Err(errors)) => {
            diffs.push(format!("the loader refused the policy: {errors}"));
        }
        (Check::Error(expect), Ok(_)) => {
            diffs.push(format!("expected error {}, got a policy", expect.code));
        }
        (Check::Error(expect), Err(errors)) => {
            let first = &errors.problems()[0];
            if first.code() != expect.code {
                diffs.push(format!(
                    "code: expected {}, got {}",
                    expect.code,
                    first.code()
                ));
            }
            if expect.path.is_some_and(|p| p != first.path()) {
                diffs.push(format!(
                    "path: expected {:?}, got {:?}",
                    expect.path,
                    first.path()
                ));
            }
            if expect.problem.is_some() && expect.problem != first.problem() {
                diffs.push(format!(
                    "problem: expected {:?}, got {:?}",
                    expect.problem,
                    first.problem()
                ));
            }
            let message = errors.to_string();
            for part in expect.message_contains {
                if !message.contains(part) {
                    diffs.push(format!("message lacks {part:?}: {message}"));
                }
            }
            let got: Vec<(&str, &str)> = errors
                .problems()
                .iter()
                .map(|p| (p.code(), p.path()))
                .collect();
            match expect.errors {
                Some(all) if all != &got[..] => {
                    diffs.push(format!("errors: expected {all:?}, got {got:?}"))
                }
                None if got.len() > 1 => {
                    diffs.push(format!("{} problems where one was expected", got.len()))
                }
                _ => {}
            }
        }
        (Check::Findings(want), Ok(document)) => {
            let found = document.findings();
            let got: Vec<(&str, &str)> = found.iter().map(|p| (p.code(), p.path())).collect();
            if *want != &got[..] {
                diffs.push(format!("findings: expected {want:?}, got {got:?}"));
            }
        }
        (Check::Findings(_), Err(errors)) => {
            diffs.push(format!("the loader refused the policy: {errors}"));
        }
    }
    finish(diffs)
}

fn finish(diffs: Vec<alloc::string::String>) -> Run {
    if diffs.is_empty() {
        Run::Passed
    } else {
        Run::Failed(diffs)
    }
}

#[inline(never)]
fn evaluate<'a>(policy: &'a SmallPolicy, request: &corsguard::Request<'a>) -> Decision<'a> {
    policy.evaluate(request)
}

fn compare(expect: &Expect, decision: &Decision<'_>, diffs: &mut Vec<alloc::string::String>) {
    use alloc::format;
    let mut check = |key: &str, differs: bool| {
        if differs {
            diffs.push(format!("{key} differs"));
        }
    };
    check(
        "kind",
        expect.kind.is_some_and(|k| k != decision.kind().code()),
    );
    check(
        "outcome",
        expect
            .outcome
            .is_some_and(|o| o != decision.outcome().code()),
    );
    let reason = decision.reason();
    check(
        "reason",
        expect.reason.is_some_and(|r| r != reason.map(|r| r.code())),
    );
    check(
        "reason_detail",
        expect
            .reason_detail
            .as_ref()
            .is_some_and(|d| Some(&d.to_vec()[..]) != reason.and_then(|r| r.detail())),
    );
    check(
        "failures",
        expect
            .failures
            .is_some_and(|f| !f.iter().copied().eq(decision.failures().names())),
    );
    check(
        "action",
        expect.action.is_some_and(|a| a != decision.action().code()),
    );
    check(
        "status",
        expect
            .status
            .is_some_and(|s| Some(s) != decision.action().status()),
    );
    check(
        "headers",
        expect.headers.is_some_and(|want| {
            want.len() != decision.headers().len()
                || want
                    .iter()
                    .zip(decision.headers())
                    .any(|((name, value), header)| {
                        *name != header.name.as_str() || value.to_vec() != header.value
                    })
        }),
    );
    check("body", expect.body.is_some_and(|b| b != decision.body()));
    check(
        "CR, LF or NUL in a header value",
        decision
            .headers()
            .iter()
            .any(|h| h.value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0))),
    );
}

#[entry]
fn main() -> ! {
    check_room();
    // SAFETY: the only references to these statics, taken once; no interrupts.
    let mut slots = unsafe {
        Slots {
            policies: &mut *core::ptr::addr_of_mut!(POLICIES),
            scratch: &mut *core::ptr::addr_of_mut!(SCRATCH),
            needs: None,
        }
    };
    let mut stats = Stats {
        evaluate_stack: 0,
        evaluations: 0,
    };
    let (mut passed, mut failed) = (0, 0);
    let mut left_out = LeftOut::default();
    for case in CASES {
        slots.needs = None;
        match run(case, &mut slots, &mut stats) {
            Run::Passed => passed += 1,
            Run::LeftOut(reason) => left_out.add(reason),
            Run::Failed(diffs) => {
                failed += 1;
                println!("FAIL {}: {}", case.topic, case.name);
                for diff in &diffs {
                    println!("  {}", diff);
                }
            }
        }
        for policy in slots.policies.iter_mut() {
            policy.clear_policy();
        }
        HEAP.reset();
    }
    let skipped: usize = left_out.reasons.iter().map(|(_, n)| n).sum();
    println!(
        "vectors on thumbv7em-none-eabihf (small class, {} bytes per policy): {} cases, {} passed, {} failed, {} left out",
        core::mem::size_of::<SmallPolicy>(),
        CASES.len(),
        passed,
        failed,
        skipped
    );
    for (reason, n) in left_out.reasons.iter().filter(|(_, n)| *n > 0) {
        println!("  left out: {} {}", n, reason);
    }
    let allocations = HEAP.forbidden_allocations();
    println!(
        "{} evaluations: peak stack of one evaluate {} bytes, {} allocations; loader heap high-water {} bytes",
        stats.evaluations,
        stats.evaluate_stack,
        allocations,
        HEAP.high_water()
    );
    exit(failed == 0 && allocations == 0)
}
