//! `corsguard explain`: the core's explainer on a policy document, printed.
//!
//! The account is `corsguard::explain::explain`'s: the policy answers the
//! requests a browser sends, the core's Fetch model judges the answers.

use corsguard::explain::{document_mistakes, explain, Explanation, Mistake};
use corsguard::fetch::BrowserRequest;
use corsguard::Problem;
use serde_json::{json, Value};

/// The stack explain runs on: room for the large class's empty policy on
/// its way to the heap, in a debug build too (as for lint).
const STACK: usize = 64 << 20;

/// What explaining one request found.
pub enum Outcome {
    /// The document loads; the account.
    Explained(Box<Explanation>),
    /// The document is refused: its errors, and the mistakes among them
    /// that have a name.
    Refused(Vec<Problem>, Vec<Mistake>),
}

/// Explains `req` to `url` against the document `bytes`.
pub fn run(bytes: &[u8], req: &BrowserRequest, url: &str) -> Outcome {
    let (bytes, req, url) = (bytes.to_vec(), req.clone(), url.to_owned());
    std::thread::Builder::new()
        .name("explain".into())
        .stack_size(STACK)
        .spawn(move || match explain(&bytes, &req, &url) {
            Ok(account) => Outcome::Explained(Box::new(account)),
            Err(errors) => {
                // Every problem at once, as lint reports them.
                Outcome::Refused(errors.problems().to_vec(), document_mistakes(&errors))
            }
        })
        .expect("a thread to explain on")
        .join()
        .expect("explaining does not panic")
}

impl Outcome {
    /// 0 when the browser lets the page read the response, 1 when it
    /// blocks it, 2 when the document is refused.
    pub fn exit_status(&self) -> u8 {
        match self {
            Outcome::Explained(account) if account.judgement.allowed() => 0,
            Outcome::Explained(_) => 1,
            Outcome::Refused(..) => 2,
        }
    }

    /// The account for people.
    pub fn to_text(&self, file: &str) -> String {
        match self {
            Outcome::Explained(account) => account.to_text(),
            Outcome::Refused(errors, mistakes) => {
                let mut out = format!(
                    "{file}: the policy document is refused ({} error{}); nothing to explain until it loads\n",
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" }
                );
                for problem in errors {
                    out.push_str(&format!("error[{}] {}\n", problem.code(), problem.path()));
                    out.push_str(&format!("  rule: {}\n", problem.rule()));
                    if !problem.fix().is_empty() {
                        out.push_str(&format!("  fix:  {}\n", problem.fix()));
                    }
                }
                for m in mistakes {
                    out.push_str(&format!(
                        "\nmistake [{}]: {}\n  fix: {}\n",
                        m.code, m.title, m.fix
                    ));
                }
                out
            }
        }
    }

    /// The account for machines.
    pub fn to_json(&self, file: &str) -> Value {
        match self {
            Outcome::Explained(account) => {
                let mut value = account.to_json();
                if let Value::Object(map) = &mut value {
                    map.insert("file".into(), json!(file));
                }
                value
            }
            Outcome::Refused(errors, mistakes) => json!({
                "file": file,
                "valid": false,
                "errors": errors.iter().map(|p| json!({
                    "path": p.path(), "code": p.code(), "message": p.message(),
                    "rule": p.rule(), "fix": p.fix(),
                })).collect::<Vec<_>>(),
                "mistakes": mistakes.iter().map(|m| json!({
                    "code": m.code, "title": m.title, "fix": m.fix,
                })).collect::<Vec<_>>(),
            }),
        }
    }
}
