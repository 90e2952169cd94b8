#![cfg(feature = "json")]
//! The problems a document loader reports: where, what code, the rule and the fix.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Document order of a problem: the position of the top-level key (0 for a
/// key the document lacks), the named policy or route within it (0: none),
/// the key within that, then the entry (0: the key itself).
pub(crate) type Order = (usize, usize, usize, usize);

/// One problem in a document: where it is, a stable code, and a sentence
/// that names the key and entry, the rule it breaks and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    path: String,
    code: &'static str,
    problem: Option<&'static str>,
    message: String,
    /// Where the fix starts in `message` (after the last `; `), or the end.
    fix_at: usize,
    order: Order,
}

impl Problem {
    pub(crate) fn new(
        path: String,
        code: &'static str,
        problem: Option<&'static str>,
        message: String,
        order: Order,
    ) -> Problem {
        let fix_at = message.rfind("; ").map_or(message.len(), |i| i + 2);
        Problem {
            path,
            code,
            problem,
            message,
            fix_at,
            order,
        }
    }

    /// The JSON pointer (RFC 6901) of the value at fault: `/allowOrigins/2`,
    /// `/maxAge`, or `""` for the document as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A stable snake_case code: a [`ConfigError::code`](crate::ConfigError::code),
    /// a [`Risk::code`](crate::Risk::code) among findings, or one of the
    /// document's own (`invalid_json`, `wrong_type`, `unknown_key`,
    /// `duplicate_key`, `missing_key`, `unsupported_version`,
    /// `unknown_value`, `out_of_range`, `bad_policy_name`, `bad_path_rule`,
    /// `unknown_policy`, `routes_need_build_all`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// For `malformed_origin`, the [`OriginProblem`](crate::OriginProblem)
    /// code; for `bad_path_rule`, the [`PathRuleProblem`](crate::path::PathRuleProblem) code.
    pub fn problem(&self) -> Option<&'static str> {
        self.problem
    }

    /// The whole sentence: what is wrong, the rule, and the fix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The part of the message that states the entry and the rule it breaks.
    pub fn rule(&self) -> &str {
        self.message[..self.fix_at]
            .strip_suffix("; ")
            .unwrap_or(&self.message[..self.fix_at])
    }

    /// The part of the message that says what to write instead (empty when
    /// the rule says it all).
    pub fn fix(&self) -> &str {
        &self.message[self.fix_at..]
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{at}: {} [{}]", self.message, self.code)
    }
}

/// Every problem that kept a document from becoming a policy, in document
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentErrors {
    problems: Vec<Problem>,
}

impl DocumentErrors {
    /// The problems in document order, each reported once.
    pub(crate) fn new(mut problems: Vec<Problem>) -> DocumentErrors {
        problems.sort_by_key(|p| p.order);
        problems.dedup_by(|a, b| a.path == b.path && a.code == b.code);
        DocumentErrors { problems }
    }

    pub(crate) fn one(path: String, code: &'static str, message: String) -> DocumentErrors {
        DocumentErrors::new(alloc::vec![Problem::new(
            path,
            code,
            None,
            message,
            (0, 0, 0, 0)
        )])
    }

    /// The problems, in the order of the document's keys and entries.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Whether the only problem is a capacity the policy type is too small
    /// for (so a larger [`CapacityClass`](crate::capacity::CapacityClass) could hold the document).
    pub fn is_capacity(&self) -> bool {
        self.problems.len() == 1 && self.problems[0].code == "capacity_exceeded"
    }
}

impl fmt::Display for DocumentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "the policy document has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DocumentErrors {}
