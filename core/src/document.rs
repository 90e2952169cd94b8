//! The policy document: one versioned JSON format that every runtime loads
//! through this module, so that a policy means the same in Rust, C, Python,
//! Node and the CLI. `docs/policy.md` describes every key; the JSON Schema
//! is `policy.schema.json` at the root of the repository.
//!
//! Loading needs `alloc` (the document's strings are owned while the policy
//! is built, and errors are collected); the policy it builds, and
//! [`Policy::evaluate`], allocate nothing.
//!
//! Loading reports every problem at once. Problems of the document's shape
//! (unknown keys, wrong types, out-of-range numbers) are found while reading
//! it; problems of its values are found by the same rules as
//! [`Policy::new`]: the policy is built, and after each refusal the entry at
//! fault is set aside and the rest is built again, so each error is found by
//! the core's own checks, not by a copy of them.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::capacity::{CapacityClass, Needs};
use crate::config::{
    AllowedHeaders, Behaviour, Capacity, Config, ConfigError, ExposedHeaders, MaxAge, Methods,
    OptionNames, Setting,
};
use crate::policy::Policy;

/// The document version this crate reads.
pub const DOCUMENT_VERSION: u64 = 1;

/// The keys of a version-1 document, in the order `docs/policy.md` lists them.
pub const DOCUMENT_KEYS: [&str; 16] = [
    "$schema",
    "description",
    "version",
    "profile",
    "allowOrigins",
    "fixedOrigin",
    "originVerdict",
    "allowWideVerdictWithCredentials",
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
    "allowCredentials",
    "maxAge",
    "allowPrivateNetwork",
    "preflightContinue",
    "preflightStatus",
];

/// Names users reach for that spelling distance alone would not lead to the
/// key meant (earlier corsguard options, and other libraries' names).
const SYNONYMS: [(&str, &str); 10] = [
    ("credentials", "allowCredentials"),
    ("supportscredentials", "allowCredentials"),
    ("privatenetwork", "allowPrivateNetwork"),
    ("exposedheaders", "exposeHeaders"),
    ("origins", "allowOrigins"),
    ("origin", "allowOrigins"),
    ("methods", "allowMethods"),
    ("headers", "allowHeaders"),
    ("optionssuccessstatus", "preflightStatus"),
    ("alloworiginregex", "originVerdict"),
];

/// The placeholder origin that stands in for an empty origin list while the
/// rest of a refused document is checked (never part of a built policy).
const PLACEHOLDER_ORIGIN: &str = "https://corsguard-placeholder.invalid";

// ---------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------

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
    /// Document order: the position of the top-level key (0 for a key the
    /// document lacks), then the entry.
    order: (usize, usize),
}

impl Problem {
    fn new(
        path: String,
        code: &'static str,
        problem: Option<&'static str>,
        message: String,
        order: (usize, usize),
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

    /// A stable snake_case code: a [`ConfigError::code`], or one of the
    /// document's own (`invalid_json`, `wrong_type`, `unknown_key`,
    /// `duplicate_key`, `missing_key`, `unsupported_version`,
    /// `unknown_value`, `out_of_range`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// For `malformed_origin`, the [`OriginProblem`](crate::OriginProblem) code.
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
    fn new(mut problems: Vec<Problem>) -> DocumentErrors {
        problems.sort_by_key(|p| p.order);
        DocumentErrors { problems }
    }

    /// The problems, in the order of the document's keys and entries.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Whether the only problem is a capacity the policy type is too small
    /// for (so a larger [`CapacityClass`] could hold the document).
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

// ---------------------------------------------------------------------------
// A JSON value that keeps the order and the repeats of keys
// ---------------------------------------------------------------------------

enum Json {
    Null,
    Bool(bool),
    Unsigned(u64),
    Negative(i64),
    Float,
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Unsigned(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(if v >= 0 {
                    Json::Unsigned(v as u64)
                } else {
                    Json::Negative(v)
                })
            }
            fn visit_f64<E>(self, _: f64) -> Result<Json, E> {
                Ok(Json::Float)
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Json>()? {
                    entries.push(entry);
                }
                Ok(Json::Object(entries))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Unsigned(_) | Json::Negative(_) => "an integer",
            Json::Float => "a number with a fraction or exponent",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

// ---------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------

/// A list entry and its index in the document's array.
#[derive(Clone, Debug)]
struct Entry {
    index: usize,
    value: String,
}

#[derive(Clone, Debug)]
enum List {
    Entries(Vec<Entry>),
    Any,
    Mirror,
}

#[derive(Clone, Debug)]
enum Age {
    Seconds(u32),
    Literal(String),
}

/// The options a document can set, by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Root,
    Origins,
    FixedOrigin,
    Verdict,
    Methods,
    Headers,
    Exposed,
    MaxAge,
    PreflightStatus,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Root => "",
            Field::Origins => "allowOrigins",
            Field::FixedOrigin => "fixedOrigin",
            Field::Verdict => "originVerdict",
            Field::Methods => "allowMethods",
            Field::Headers => "allowHeaders",
            Field::Exposed => "exposeHeaders",
            Field::MaxAge => "maxAge",
            Field::PreflightStatus => "preflightStatus",
        }
    }
}

/// A policy document, read and checked for shape. Build it into a policy
/// with [`Document::build_into`], or load a policy in one step with
/// [`Policy::from_json`].
///
/// ```
/// use corsguard::{Document, Policy, Request};
/// let json = br#"{
///     "version": 1,
///     "allowOrigins": ["https://app.example.com"],
///     "allowMethods": ["PUT"],
///     "allowCredentials": true
/// }"#;
/// let policy: Policy = Policy::from_json(json)?;
/// let decision = policy.evaluate(&Request::new(b"GET").origin(b"https://app.example.com"));
/// assert!(decision.is_allowed());
///
/// let typo = br#"{"version": 1, "allowOrigin": ["https://app.example.com"]}"#;
/// let errors = Policy::<16, 16, 1024>::from_json(typo).unwrap_err();
/// let problem = &errors.problems()[0];
/// assert_eq!((problem.path(), problem.code()), ("/allowOrigin", "unknown_key"));
/// assert!(problem.fix().contains("allowOrigins"));
/// # Ok::<(), corsguard::DocumentErrors>(())
/// ```
#[derive(Clone, Debug)]
pub struct Document {
    profile: Behaviour,
    origins: Vec<Entry>,
    fixed_origin: Option<String>,
    origin_verdict: bool,
    wide_verdict_with_credentials: bool,
    verdict_probes: u8,
    methods: List,
    allowed_headers: List,
    exposed_headers: List,
    credentials: bool,
    max_age: Option<Age>,
    private_network: bool,
    preflight_continue: bool,
    preflight_status: Option<u16>,
    /// The top-level keys in document order, for ordering problems.
    key_order: Vec<&'static str>,
    /// Problems of shape, found while reading.
    problems: Vec<Problem>,
    /// Whether `allowOrigins` was given but could not be read (a wrong
    /// type, or a misspelt key): its emptiness is then no problem of its own.
    origins_unreadable: bool,
    /// Whether the values are judged: not for a version this crate does
    /// not read.
    judged: bool,
}

/// What reading one value found: the value, or a problem to report.
struct Reader<'d> {
    problems: &'d mut Vec<Problem>,
    position: usize,
}

impl Reader<'_> {
    fn report(&mut self, path: String, code: &'static str, message: String, entry: usize) {
        self.problems.push(Problem::new(
            path,
            code,
            None,
            message,
            (self.position, entry),
        ));
    }

    fn wrong_type(&mut self, key: &str, index: Option<usize>, expected: &str, got: &Json) {
        let path = pointer(key, index);
        let what = match index {
            Some(i) => format!("{key}[{i}]"),
            None => key.to_owned(),
        };
        self.report(
            path,
            "wrong_type",
            format!(
                "{what} is {}, but must be {expected}; write it as {expected}",
                got.kind()
            ),
            index.map_or(0, |i| i + 1),
        );
    }

    fn boolean(&mut self, key: &str, value: &Json) -> Option<bool> {
        match value {
            Json::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, None, "`true` or `false`", other);
                None
            }
        }
    }

    fn string(&mut self, key: &str, value: Json) -> Option<String> {
        match value {
            Json::String(s) => Some(s),
            other => {
                self.wrong_type(key, None, "a string", &other);
                None
            }
        }
    }

    fn integer(&mut self, key: &str, value: &Json, max: u64, range: &str) -> Option<u64> {
        match *value {
            Json::Unsigned(n) if n <= max => Some(n),
            Json::Unsigned(n) => {
                self.out_of_range(key, &format!("{n}"), range);
                None
            }
            Json::Negative(n) => {
                self.out_of_range(key, &format!("{n}"), range);
                None
            }
            ref other => {
                self.wrong_type(key, None, "an integer", other);
                None
            }
        }
    }

    fn out_of_range(&mut self, key: &str, value: &str, range: &str) {
        self.report(
            pointer(key, None),
            "out_of_range",
            format!("{key} {value} is out of range; use an integer from {range}"),
            0,
        );
    }

    /// An array of strings; `["*"]` alone is the wildcard.
    fn list(&mut self, key: &str, value: Json, mirror: bool) -> Option<List> {
        let items = match value {
            Json::Array(items) => items,
            Json::String(s) if mirror && s == "mirror" => return Some(List::Mirror),
            other => {
                let expected = if mirror {
                    "an array of strings, or \"mirror\""
                } else {
                    "an array of strings"
                };
                self.wrong_type(key, None, expected, &other);
                return None;
            }
        };
        let mut entries = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            match item {
                Json::String(value) => entries.push(Entry { index, value }),
                other => self.wrong_type(key, Some(index), "a string", &other),
            }
        }
        if entries.len() == 1 && entries[0].index == 0 && entries[0].value == "*" {
            return Some(List::Any);
        }
        Some(List::Entries(entries))
    }
}

/// The JSON pointer of a top-level key, or of one entry of its array.
fn pointer(key: &str, index: Option<usize>) -> String {
    let mut path = String::with_capacity(key.len() + 8);
    if !key.is_empty() {
        path.push('/');
        for c in key.chars() {
            match c {
                '~' => path.push_str("~0"),
                '/' => path.push_str("~1"),
                c => path.push(c),
            }
        }
    }
    if let Some(i) = index {
        path.push_str(&format!("/{i}"));
    }
    path
}

/// The known key nearest to `key`: its camelCase form, a known synonym, or
/// the closest spelling (ignoring case, `_` and `-`).
pub(crate) fn nearest_key(key: &str) -> Option<&'static str> {
    let folded: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if let Some((_, known)) = SYNONYMS.iter().find(|(s, _)| *s == folded) {
        return Some(known);
    }
    let mut best: Option<(usize, &'static str)> = None;
    for known in DOCUMENT_KEYS {
        let candidate: String = known.chars().flat_map(char::to_lowercase).collect();
        let distance = edit_distance(&folded, &candidate);
        if best.map_or(true, |(d, _)| distance < d) {
            best = Some((distance, known));
        }
    }
    let (distance, known) = best?;
    (distance <= 2 + folded.len() / 5).then_some(known)
}

/// Levenshtein distance over chars, with one row of memory.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

impl Document {
    /// Reads a version-1 document. Fails only when the bytes are not one
    /// JSON object; every other problem is kept and reported, together with
    /// the problems of the values, by [`Document::build_into`].
    pub fn parse(json: &[u8]) -> Result<Document, DocumentErrors> {
        let value: Json = serde_json::from_slice(json).map_err(|e| {
            DocumentErrors::new(alloc::vec![Problem::new(
                String::new(),
                "invalid_json",
                None,
                format!("the document is not valid JSON ({e}); fix the syntax at that place"),
                (0, 0),
            )])
        })?;
        let Json::Object(entries) = value else {
            return Err(DocumentErrors::new(alloc::vec![Problem::new(
                String::new(),
                "wrong_type",
                None,
                format!(
                    "the document is {}, but must be a JSON object; write it as {{\"version\": 1, ...}}",
                    value.kind()
                ),
                (0, 0),
            )]));
        };
        let mut document = Document {
            profile: Behaviour::STRICT,
            origins: Vec::new(),
            fixed_origin: None,
            origin_verdict: false,
            wide_verdict_with_credentials: false,
            verdict_probes: 0,
            methods: List::Entries(Vec::new()),
            allowed_headers: List::Entries(Vec::new()),
            exposed_headers: List::Entries(Vec::new()),
            credentials: false,
            max_age: None,
            private_network: false,
            preflight_continue: false,
            preflight_status: None,
            key_order: Vec::new(),
            problems: Vec::new(),
            judged: true,
            origins_unreadable: false,
        };
        let mut problems = Vec::new();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut version_seen = false;
        for (position, (key, value)) in entries.into_iter().enumerate() {
            let mut r = Reader {
                problems: &mut problems,
                position: position + 1,
            };
            let Some(&known) = DOCUMENT_KEYS.iter().find(|k| **k == key) else {
                let message = match nearest_key(&key) {
                    Some(near) => format!(
                        "`{key}` is not a key of a version-1 policy document; did you mean `{near}`?"
                    ),
                    None => format!(
                        "`{key}` is not a key of a version-1 policy document; remove it (the keys are {})",
                        DOCUMENT_KEYS[2..].join(", ")
                    ),
                };
                if matches!(nearest_key(&key), Some("allowOrigins" | "fixedOrigin")) {
                    document.origins_unreadable = true;
                }
                r.report(pointer(&key, None), "unknown_key", message, 0);
                document.key_order.push("");
                continue;
            };
            document.key_order.push(known);
            if seen.contains(&known) {
                r.report(
                    pointer(known, None),
                    "duplicate_key",
                    format!("`{known}` is given more than once; keep one"),
                    0,
                );
                continue;
            }
            seen.push(known);
            match known {
                "$schema" | "description" => {
                    r.string(known, value);
                }
                "version" => {
                    version_seen = true;
                    if let Some(v) = r.integer(known, &value, u64::MAX, "1") {
                        if v != DOCUMENT_VERSION {
                            r.report(
                                pointer(known, None),
                                "unsupported_version",
                                format!(
                                    "version {v} is not a version this corsguard reads; write `\"version\": 1`, or upgrade corsguard"
                                ),
                                0,
                            );
                            // Later versions may have other keys: judge none.
                            let version_problem = problems.pop();
                            problems.clear();
                            problems.extend(version_problem);
                            document.problems = problems;
                            document.judged = false;
                            return Ok(document);
                        }
                    }
                }
                "profile" => {
                    if let Some(name) = r.string(known, value) {
                        match Behaviour::named(&name) {
                            Some(profile) => document.profile = profile,
                            None => {
                                let names: Vec<&str> =
                                    Behaviour::PROFILES.iter().map(|(n, _)| *n).collect();
                                r.report(
                                    pointer(known, None),
                                    "unknown_value",
                                    format!(
                                        "profile `{name}` is not a profile; use one of {}",
                                        names.join(", ")
                                    ),
                                    0,
                                );
                            }
                        }
                    }
                }
                "allowOrigins" => match r.list(known, value, false) {
                    // An origin list has no wildcard form: `*` is an entry.
                    Some(List::Any) => {
                        document.origins = alloc::vec![Entry {
                            index: 0,
                            value: "*".to_owned(),
                        }]
                    }
                    Some(List::Entries(entries)) => document.origins = entries,
                    Some(List::Mirror) => {}
                    None => document.origins_unreadable = true,
                },
                "fixedOrigin" => document.fixed_origin = r.string(known, value),
                "originVerdict" => {
                    document.origin_verdict = r.boolean(known, &value).unwrap_or(false)
                }
                "allowWideVerdictWithCredentials" => {
                    document.wide_verdict_with_credentials =
                        r.boolean(known, &value).unwrap_or(false)
                }
                "allowMethods" => {
                    if let Some(list) = r.list(known, value, false) {
                        document.methods = list;
                    }
                }
                "allowHeaders" => {
                    if let Some(list) = r.list(known, value, true) {
                        document.allowed_headers = list;
                    }
                }
                "exposeHeaders" => {
                    if let Some(list) = r.list(known, value, false) {
                        document.exposed_headers = list;
                    }
                }
                "allowCredentials" => {
                    document.credentials = r.boolean(known, &value).unwrap_or(false)
                }
                "maxAge" => {
                    document.max_age = match value {
                        Json::String(literal) => Some(Age::Literal(literal)),
                        other => r
                            .integer(known, &other, u64::from(u32::MAX), "0 to 4294967295")
                            .map(|n| Age::Seconds(n as u32)),
                    }
                }
                "allowPrivateNetwork" => {
                    document.private_network = r.boolean(known, &value).unwrap_or(false)
                }
                "preflightContinue" => {
                    document.preflight_continue = r.boolean(known, &value).unwrap_or(false)
                }
                "preflightStatus" => {
                    document.preflight_status = r
                        .integer(known, &value, u64::from(u16::MAX), "200 to 299")
                        .map(|n| n as u16)
                }
                _ => {}
            }
        }
        if !version_seen {
            problems.push(Problem::new(
                pointer("version", None),
                "missing_key",
                None,
                "the document has no `version`; add `\"version\": 1`".to_owned(),
                (0, 0),
            ));
        }
        document.problems = problems;
        Ok(document)
    }

    /// Lets the host's verdict admit the [`VERDICT_PROBES`](crate::VERDICT_PROBES)
    /// marked in `admitted` (see [`Config::origin_verdict_probes`]): the
    /// binding runs its regex or callback on the probes and says what it
    /// answered, which a document cannot know.
    pub fn set_verdict_probes(&mut self, admitted: u8) {
        self.verdict_probes = admitted;
    }

    /// The behaviour preset the document names.
    pub fn behaviour(&self) -> &Behaviour {
        &self.profile
    }

    /// An upper bound of the capacities the document's policy takes.
    pub fn needs(&self) -> Needs {
        self.with_config(&[], |config| config.needs())
    }

    /// The smallest capacity class the document fits, by [`Document::needs`].
    pub fn capacity_class(&self) -> CapacityClass {
        CapacityClass::for_needs(&self.needs())
    }

    /// Builds the document into `policy`, reporting every problem of the
    /// document at once; option names in messages are the document's keys.
    /// On an error `policy` is left empty (it allows no origin).
    pub fn build_into<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &mut Policy<O, N, B>,
    ) -> Result<(), DocumentErrors> {
        self.build_into_named(policy, &OptionNames::DOCUMENT)
    }

    /// [`Document::build_into`], with messages naming the options as
    /// `names` spells them (a drop-in uses its peer's option names); paths
    /// stay the document's.
    pub fn build_into_named<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &mut Policy<O, N, B>,
        names: &OptionNames,
    ) -> Result<(), DocumentErrors> {
        let mut problems = self.problems.clone();
        if !self.judged {
            policy.clear();
            return Err(DocumentErrors::new(problems));
        }
        let mut repairs: Vec<(Field, Option<usize>)> = Vec::new();
        let bound = self.entry_count() + 16;
        for _ in 0..bound {
            let found = self.with_config(&repairs, |config| {
                policy
                    .rebuild(config)
                    .err()
                    .map(|error| self.describe(&error, names, config))
            });
            let Some((problem, repair)) = found else {
                break;
            };
            // Setting entries aside can empty the origins: that is not the
            // document's error unless it lists none itself.
            let artifact = problem.code == "no_origins"
                && (!self.origins.is_empty()
                    || self.fixed_origin.is_some()
                    || self.origins_unreadable);
            if !artifact {
                problems.push(problem);
            }
            match repair {
                Some(repair) if !repairs.contains(&repair) => repairs.push(repair),
                _ => break,
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            // What the last attempt built is a repaired document, not this one.
            policy.clear();
            Err(DocumentErrors::new(problems))
        }
    }

    /// What is valid but likely a mistake in this document, with paths: the
    /// [`risks`](crate::risks) of any profile (`null` allowed, plain-http
    /// origins with credentials, a verdict that admits probe origins, a
    /// max-age above Chromium's cap), and, in a compatibility profile, what
    /// the strict profile would refuse (see [`findings`](crate::findings)).
    pub fn findings(&self) -> Vec<Problem> {
        self.findings_named(&OptionNames::DOCUMENT)
    }

    /// [`Document::findings`], with messages naming the options as `names`
    /// spells them.
    pub fn findings_named(&self, names: &OptionNames) -> Vec<Problem> {
        let mut found = Vec::new();
        self.with_config(&[], |config| {
            if self.profile.syntax != crate::Syntax::Strict {
                crate::findings::findings(config, &mut |error| {
                    found.push(self.describe(&error, names, config).0);
                });
            }
            crate::risks::risks(config, &mut |risk| {
                found.push(self.describe_risk(&risk, names));
            });
        });
        found.sort_by_key(|p| p.order);
        found
    }

    fn describe_risk(&self, risk: &crate::Risk<'_>, names: &OptionNames) -> Problem {
        let field = match risk.setting() {
            Some(Setting::MaxAge) => Field::MaxAge,
            Some(_) => Field::Origins,
            None => Field::Verdict,
        };
        let (field, index) = match risk.entry() {
            Some(entry) if self.fixed_origin.as_deref() == Some(entry) => {
                (Field::FixedOrigin, None)
            }
            Some(entry) => (field, self.entry_written(field, entry, 0)),
            None => (field, None),
        };
        let mut named = *names;
        if field == Field::FixedOrigin && *names == OptionNames::DOCUMENT {
            named.allowed_origins = Field::FixedOrigin.key();
        }
        Problem::new(
            pointer(field.key(), index),
            risk.code(),
            None,
            format!("{}", risk.named(&named)),
            (self.key_position(field.key()), index.map_or(0, |i| i + 1)),
        )
    }

    fn entry_count(&self) -> usize {
        let len = |list: &List| match list {
            List::Entries(e) => e.len(),
            _ => 1,
        };
        self.origins.len()
            + len(&self.methods)
            + len(&self.allowed_headers)
            + len(&self.exposed_headers)
    }

    /// Calls `f` with the document as a [`Config`], leaving out what
    /// `repairs` set aside: an entry `(field, Some(index))`, or a whole
    /// option `(field, None)`.
    fn with_config<R>(
        &self,
        repairs: &[(Field, Option<usize>)],
        f: impl FnOnce(&Config<'_>) -> R,
    ) -> R {
        let dropped = |field| repairs.contains(&(field, None));
        fn keep<'e>(
            repairs: &[(Field, Option<usize>)],
            field: Field,
            entries: &'e [Entry],
        ) -> Vec<&'e str> {
            entries
                .iter()
                .filter(|e| !repairs.contains(&(field, Some(e.index))))
                .map(|e| e.value.as_str())
                .collect()
        }
        let mut origins = keep(repairs, Field::Origins, &self.origins);
        if dropped(Field::Origins) {
            origins.push(PLACEHOLDER_ORIGIN);
        }
        let methods_list;
        let methods = match &self.methods {
            _ if dropped(Field::Methods) => Methods::List(&[]),
            List::Any | List::Mirror => Methods::Any,
            List::Entries(entries) => {
                methods_list = keep(repairs, Field::Methods, entries);
                Methods::List(&methods_list)
            }
        };
        let headers_list;
        let allowed_headers = match &self.allowed_headers {
            _ if dropped(Field::Headers) => AllowedHeaders::List(&[]),
            List::Any => AllowedHeaders::Any,
            List::Mirror => AllowedHeaders::Mirror,
            List::Entries(entries) => {
                headers_list = keep(repairs, Field::Headers, entries);
                AllowedHeaders::List(&headers_list)
            }
        };
        let exposed_list;
        let exposed_headers = match &self.exposed_headers {
            _ if dropped(Field::Exposed) => ExposedHeaders::List(&[]),
            List::Any | List::Mirror => ExposedHeaders::Any,
            List::Entries(entries) => {
                exposed_list = keep(repairs, Field::Exposed, entries);
                ExposedHeaders::List(&exposed_list)
            }
        };
        let max_age = match &self.max_age {
            _ if dropped(Field::MaxAge) => None,
            None => None,
            Some(Age::Seconds(s)) => Some(MaxAge::Seconds(*s)),
            Some(Age::Literal(value)) => Some(MaxAge::Literal(value)),
        };
        let mut config = Config::new()
            .behaviour(self.profile)
            .allowed_origins(&origins)
            .origin_verdict(self.origin_verdict)
            .origin_verdict_probes(self.verdict_probes)
            .allow_wide_verdict_with_credentials(
                self.wide_verdict_with_credentials || dropped(Field::Verdict),
            )
            .allowed_methods(methods)
            .allowed_headers(allowed_headers)
            .exposed_headers(exposed_headers)
            .credentials(self.credentials)
            .max_age_value(max_age)
            .private_network(self.private_network)
            .preflight_continue(self.preflight_continue);
        if let Some(fixed) = &self.fixed_origin {
            if !dropped(Field::FixedOrigin) {
                config = config.fixed_origin(fixed);
            }
        }
        if let Some(status) = self.preflight_status {
            if !dropped(Field::PreflightStatus) {
                config = config.preflight_status(status);
            }
        }
        f(&config)
    }

    fn entries(&self, field: Field) -> &[Entry] {
        match (
            field,
            &self.methods,
            &self.allowed_headers,
            &self.exposed_headers,
        ) {
            (Field::Origins, ..) => &self.origins,
            (Field::Methods, List::Entries(e), ..) => e,
            (Field::Headers, _, List::Entries(e), _) => e,
            (Field::Exposed, .., List::Entries(e)) => e,
            _ => &[],
        }
    }

    /// The entry of `field` that `text` borrows from.
    fn entry_of(&self, field: Field, text: &str) -> Option<usize> {
        let at = text.as_ptr() as usize;
        self.entries(field)
            .iter()
            .find(|e| {
                let start = e.value.as_ptr() as usize;
                at >= start && at + text.len() <= start + e.value.len()
            })
            .map(|e| e.index)
    }

    /// The entry of `field` written as `text`, the `nth` such (0-based).
    fn entry_written(&self, field: Field, text: &str, nth: usize) -> Option<usize> {
        self.entries(field)
            .iter()
            .filter(|e| e.value.eq_ignore_ascii_case(text))
            .nth(nth)
            .map(|e| e.index)
    }

    fn borrows_fixed(&self, text: &str) -> bool {
        self.fixed_origin.as_deref().is_some_and(|fixed| {
            let (at, start) = (text.as_ptr() as usize, fixed.as_ptr() as usize);
            at >= start && at + text.len() <= start + fixed.len()
        })
    }

    /// A refusal as a problem with its path, and what to set aside to look
    /// for the next one (`None`: nothing can be, stop).
    fn describe(
        &self,
        error: &ConfigError<'_>,
        names: &OptionNames,
        config: &Config<'_>,
    ) -> (Problem, Option<(Field, Option<usize>)>) {
        let field = match error.setting() {
            Some(Setting::AllowedOrigins) => Field::Origins,
            Some(Setting::AllowedMethods) => Field::Methods,
            Some(Setting::AllowedHeaders) => Field::Headers,
            Some(Setting::ExposedHeaders) => Field::Exposed,
            Some(Setting::MaxAge) => Field::MaxAge,
            Some(Setting::PreflightStatus) => Field::PreflightStatus,
            Some(Setting::RefusedPreflightStatus) => Field::Root,
            None => match error {
                ConfigError::WideVerdictWithCredentials { .. } => Field::Verdict,
                _ => Field::Root,
            },
        };
        let (field, index) = match *error {
            ConfigError::Duplicate { entry, .. } => match self.entry_written(field, entry, 1) {
                // The fixed origin comes after the list: it is the repeat.
                None if field == Field::Origins && self.fixed_origin.as_deref() == Some(entry) => {
                    (Field::FixedOrigin, None)
                }
                index => (field, index),
            },
            ConfigError::WildcardOriginWithCredentials => {
                match self.entry_written(Field::Origins, "*", 0) {
                    Some(i) => (field, Some(i)),
                    None => (Field::FixedOrigin, None),
                }
            }
            ConfigError::NullOriginWithCredentials => {
                match self.entry_written(Field::Origins, "null", 0) {
                    Some(i) => (field, Some(i)),
                    None => (Field::FixedOrigin, None),
                }
            }
            ConfigError::WildcardWithCredentials { .. } => {
                (field, self.entry_written(field, "*", 0))
            }
            _ => match error.entry() {
                Some(entry) if field == Field::Origins && self.borrows_fixed(entry) => {
                    (Field::FixedOrigin, None)
                }
                Some(entry) => (field, self.entry_of(field, entry)),
                None => (field, None),
            },
        };
        let (path, message) = match *error {
            ConfigError::CapacityExceeded { capacity, limit } => {
                let (name, what, path) = match capacity {
                    Capacity::Origins => (
                        "ORIGINS",
                        "origins and patterns",
                        pointer("allowOrigins", None),
                    ),
                    Capacity::Names => ("NAMES", "names in one list", String::new()),
                    Capacity::Bytes => ("BYTES", "stored bytes", String::new()),
                    Capacity::DecisionHeaders => {
                        ("headers", "headers in one answer", String::new())
                    }
                };
                let class = CapacityClass::ALL
                    .iter()
                    .find(|c| match capacity {
                        Capacity::Origins => c.origins == limit,
                        Capacity::Names => c.names == limit,
                        Capacity::Bytes => c.bytes == limit,
                        Capacity::DecisionHeaders => false,
                    })
                    .map_or("this policy type", |c| c.name);
                let needs = config.needs();
                (
                    path,
                    format!(
                        "the document needs more than the {name} capacity of the `{class}` class, {limit} {what} (estimated need: {} origins, {} names, {} bytes); list fewer or shorter entries (one pattern such as `https://*.example.com` can replace many origins), or split the policy",
                        needs.origins, needs.names, needs.bytes
                    ),
                )
            }
            _ => {
                let path = match index {
                    Some(i) => pointer(field.key(), Some(i)),
                    None => pointer(field.key(), None),
                };
                // The document has its own key for the fixed origin.
                let mut named = *names;
                if field == Field::FixedOrigin && *names == OptionNames::DOCUMENT {
                    named.allowed_origins = Field::FixedOrigin.key();
                }
                (path, format!("{}", error.named(&named)))
            }
        };
        let order = (self.key_position(field.key()), index.map_or(0, |i| i + 1));
        let problem = Problem::new(
            path,
            error.code(),
            error.problem().map(|p| p.code()),
            message,
            order,
        );
        let repair = match (error, field, index) {
            (ConfigError::CapacityExceeded { .. }, ..) => None,
            (_, Field::Root, _) => None,
            (ConfigError::NoOrigins, ..) => Some((Field::Origins, None)),
            (_, Field::Origins, None) => None,
            (_, field, index) => Some((field, index)),
        };
        (problem, repair)
    }

    fn key_position(&self, key: &str) -> usize {
        self.key_order
            .iter()
            .position(|k| *k == key)
            .map_or(0, |i| i + 1)
    }
}

impl<const O: usize, const N: usize, const B: usize> Policy<O, N, B> {
    /// Loads a policy from a version-1 policy document (`docs/policy.md`),
    /// reporting every problem at once. Needs the `json` feature, which
    /// needs `alloc` for loading; the policy itself allocates nothing.
    ///
    /// Like [`Policy::new`], this builds the policy on the stack; use
    /// [`Document::build_into`] on a policy that lives elsewhere (a `static`,
    /// a `Box`) for the larger capacities.
    pub fn from_json(json: &[u8]) -> Result<Self, DocumentErrors> {
        let document = Document::parse(json)?;
        let mut policy = Policy::empty();
        document.build_into(&mut policy)?;
        Ok(policy)
    }
}
