#![cfg(feature = "json")]
//! The policy document: one versioned JSON format that every runtime loads
//! through this module, so that a policy means the same in Rust, C, Python,
//! Node and the CLI. `docs/policy.md` describes every key; the JSON Schema
//! is `policy.schema.json` at the root of the repository.
//!
//! Loading needs `alloc` (the document's strings are owned while the policy
//! is built, and errors are collected); the policies it builds, and
//! [`Policy::evaluate`], allocate nothing.
//!
//! Loading reports every problem at once. Problems of the document's shape
//! (unknown keys, wrong types, out-of-range numbers) are found while reading
//! it; problems of its values are found by the same rules as
//! [`Policy::new`]: the policy is built, and after each refusal the entry at
//! fault is set aside and the rest is built again, so each error is found by
//! the core's own checks, not by a copy of them.
//!
//! A document may also hold named policies and ordered path rules (`routes`):
//! the first rule whose path matches serves the request (see
//! [`path_matches`](crate::path::path_matches) for how paths are matched).

mod json;
mod policy_doc;
mod problem;

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::capacity::{CapacityClass, Needs};
use crate::config::{Behaviour, Config, ConfigError, OptionNames};
use crate::decision::{Decision, Request};
use crate::path::{check_path_rule, matches_checked, request_path};
use crate::policy::Policy;

use json::Json;
use policy_doc::{escape, pointer, Place, PolicyDoc, Reader};
pub use problem::{DocumentErrors, Problem};

/// The document version this crate reads.
pub const DOCUMENT_VERSION: u64 = 1;

/// The top-level keys of a version-1 document, in the order of
/// `policy.schema.json`.
pub const DOCUMENT_KEYS: [&str; 19] = [
    "$schema",
    "version",
    "description",
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
    "preflightDetection",
    "policies",
    "routes",
];

/// The keys of one policy (the top level's, or a named one's): all but
/// `$schema`, `version`, `policies` and `routes`.
const POLICY_KEYS: &[&str] = DOCUMENT_KEYS.split_at(2).1.split_at(15).0;

/// The codes of the problems the loader itself finds, beyond the core's
/// [`ConfigError`] codes and, among findings, the
/// [`Risk`](crate::Risk) codes. (`routes_need_build_all`, a call of
/// [`Document::build_into`] on a document with routes, is not a problem of
/// the document and is not listed.)
pub const LOADER_CODES: [&str; 11] = [
    "invalid_json",
    "wrong_type",
    "unknown_key",
    "duplicate_key",
    "missing_key",
    "unsupported_version",
    "unknown_value",
    "out_of_range",
    "bad_policy_name",
    "bad_path_rule",
    "unknown_policy",
];

/// The name routes use for the policy of the top-level keys.
pub const DEFAULT_POLICY: &str = "default";

/// Names users reach for that spelling distance alone would not lead to the
/// key meant (earlier corsguard options, and other libraries' names).
const SYNONYMS: [(&str, &str); 11] = [
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
    ("resources", "routes"),
];

/// The known key nearest to `key` among `known`: a known synonym, or the
/// closest spelling (ignoring case, `_` and `-`).
fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let folded: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if let Some((_, k)) = SYNONYMS
        .iter()
        .find(|(s, k)| *s == folded && known.contains(k))
    {
        return Some(k);
    }
    let mut best: Option<(usize, &'k str)> = None;
    for &candidate in known {
        let lower: String = candidate.chars().flat_map(char::to_lowercase).collect();
        let distance = edit_distance(&folded, &lower);
        if best.map_or(true, |(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, found) = best?;
    (distance <= 2 + folded.len() / 5).then_some(found)
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

/// A policy of any capacity, as a document builds it. Implemented by every
/// [`Policy`]; bindings that keep policies of several classes implement
/// [`PolicySlots`] to hand them out.
pub trait Rebuild {
    /// [`Policy::rebuild`].
    fn rebuild_from<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>>;
    /// Leaves the policy allowing nothing, as [`Policy::empty`] makes it.
    fn clear_policy(&mut self);
}

impl<const O: usize, const N: usize, const B: usize> Rebuild for Policy<O, N, B> {
    fn rebuild_from<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        self.rebuild(config)
    }

    fn clear_policy(&mut self) {
        self.clear();
    }
}

/// Where [`Document::build_all`] builds the document's policies: one slot
/// per served policy, in the capacity class asked for. A binding allocates
/// the slots (in place, so that large policies never pass through the
/// stack); the core decides the class and builds.
pub trait PolicySlots {
    /// The policy that served policy `index` is built into, of `class`. Asked
    /// again with a larger class when the estimate was too small; the
    /// slot of the last call for an index is the one that holds it.
    fn slot(&mut self, index: usize, class: CapacityClass) -> &mut dyn Rebuild;
}

/// One path rule of `routes`.
#[derive(Clone, Debug)]
struct Route {
    path: String,
    /// The served policy, or `None`: no CORS on these paths.
    policy: Option<usize>,
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
    /// The policies requests can be served with, in the order of
    /// [`Document::policy_names`].
    served: Vec<PolicyDoc>,
    /// `None`: the document has no `routes`, its one policy serves every path.
    routes: Option<Vec<Route>>,
    /// Problems of shape, found while reading.
    problems: Vec<Problem>,
    /// Whether the values are judged: not for a version this crate does
    /// not read.
    judged: bool,
}

/// The JSON pointer of one named policy.
fn policy_prefix(name: &str) -> String {
    format!("/policies/{}", escape(name))
}

impl Document {
    /// Reads a version-1 document. Fails only when the bytes are not one
    /// JSON object; every other problem is kept and reported, together with
    /// the problems of the values, by [`Document::build_into`] or
    /// [`Document::build_all`].
    pub fn parse(json: &[u8]) -> Result<Document, DocumentErrors> {
        let value: Json = serde_json::from_slice(json).map_err(|e| {
            DocumentErrors::one(
                String::new(),
                "invalid_json",
                format!("the document is not valid JSON ({e}); fix the syntax at that place"),
            )
        })?;
        let Json::Object(entries) = value else {
            return Err(DocumentErrors::one(
                String::new(),
                "wrong_type",
                format!(
                    "the document is {}, but must be a JSON object; write it as {{\"version\": 1, ...}}",
                    value.kind()
                ),
            ));
        };
        let mut problems = Vec::new();
        let mut top = PolicyDoc::new(DEFAULT_POLICY.to_owned(), Place::default());
        let mut named: Vec<PolicyDoc> = Vec::new();
        let mut routes_json: Option<(usize, Json)> = None;
        let mut policies_at = 0;
        let mut seen: Vec<&'static str> = Vec::new();
        let mut version_seen = false;
        for (position, (key, value)) in entries.into_iter().enumerate() {
            let mut r = Reader {
                problems: &mut problems,
                place: Place {
                    prefix: String::new(),
                    order: (position + 1, 0, 0),
                },
            };
            let Some(&known) = DOCUMENT_KEYS.iter().find(|k| **k == key) else {
                unknown_key(&mut r, &key, &DOCUMENT_KEYS[1..], &mut top);
                continue;
            };
            if repeated(&mut r, &mut seen, known) {
                continue;
            }
            match known {
                "$schema" => {
                    r.string(known, value);
                }
                "version" => {
                    version_seen = true;
                    if let Some(v) = r.integer(known, &value, u64::MAX, "1") {
                        if v != DOCUMENT_VERSION {
                            // Later versions may have other keys: judge none.
                            problems.clear();
                            let mut r = Reader {
                                problems: &mut problems,
                                place: Place::default(),
                            };
                            r.report(
                                pointer("", known, None),
                                "unsupported_version",
                                format!(
                                    "version {v} is not a version this corsguard reads; write `\"version\": 1`, or upgrade corsguard"
                                ),
                                0,
                            );
                            return Ok(Document {
                                served: Vec::new(),
                                routes: None,
                                problems,
                                judged: false,
                            });
                        }
                    }
                }
                "policies" => {
                    policies_at = position + 1;
                    match value {
                        Json::Object(policies) => {
                            for (i, (name, body)) in policies.into_iter().enumerate() {
                                let home = Place {
                                    prefix: policy_prefix(&name),
                                    order: (position + 1, i + 1, 0),
                                };
                                if let Some(p) = read_named(&name, body, home, &named, r.problems) {
                                    named.push(p);
                                }
                            }
                        }
                        other => r.wrong_type(known, None, "an object of named policies", &other),
                    }
                }
                "routes" => routes_json = Some((position + 1, value)),
                _ => top.read(known, value, &mut r),
            }
        }
        if !version_seen {
            let mut r = Reader {
                problems: &mut problems,
                place: Place::default(),
            };
            r.report(
                pointer("", "version", None),
                "missing_key",
                "the document has no `version`; add `\"version\": 1`".to_owned(),
                0,
            );
        }

        // The served policies: the top-level one, unless routes leave it
        // unused; then each named policy, inheriting the top-level keys.
        let names: Vec<&str> = named.iter().map(|p| p.name.as_str()).collect();
        let routes = routes_json
            .map(|(position, value)| read_routes(position, value, &names, &mut problems));
        if !named.is_empty() && routes.is_none() {
            let mut r = Reader {
                problems: &mut problems,
                place: Place {
                    prefix: String::new(),
                    order: (policies_at, 0, 0),
                },
            };
            r.report(
                pointer("", "routes", None),
                "missing_key",
                "named policies serve requests only through `routes`; add `routes` saying which paths each serves".to_owned(),
                0,
            );
        }
        let default_served = match &routes {
            None => named.is_empty(),
            Some(routes) => routes.iter().any(|r| r.policy == Some(0)),
        };
        let mut served = Vec::new();
        let mut index_of = Vec::new();
        if default_served {
            served.push(top.clone());
        }
        for policy in &named {
            index_of.push(served.len());
            served.push(policy.inheriting(&top));
        }
        // Route targets: 0 is `default`, i + 1 the i-th named policy.
        let routes = routes.map(|routes| {
            routes
                .into_iter()
                .map(|route| Route {
                    path: route.path,
                    policy: route
                        .policy
                        .map(|t| if t == 0 { 0 } else { index_of[t - 1] }),
                })
                .collect()
        });
        Ok(Document {
            served,
            routes,
            problems,
            judged: true,
        })
    }

    /// Lets the host's verdict admit the [`VERDICT_PROBES`](crate::VERDICT_PROBES)
    /// marked in `admitted` (see [`Config::origin_verdict_probes`]), in every
    /// policy: the binding runs its regex or callback on the probes and says
    /// what it answered, which a document cannot know.
    pub fn set_verdict_probes(&mut self, admitted: u8) {
        for policy in &mut self.served {
            policy.verdict_probes = admitted;
        }
    }

    /// The behaviour preset of the first served policy.
    pub fn behaviour(&self) -> &Behaviour {
        self.served
            .first()
            .map_or(&Behaviour::STRICT, |p| p.behaviour())
    }

    /// The names of the policies requests can be served with (`default` for
    /// the top-level keys), indexed as [`Document::route`] and
    /// [`PolicySlots::slot`] count them.
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        self.served.iter().map(|p| p.name.as_str())
    }

    /// Whether the document has `routes`: then [`Document::route`] picks
    /// the policy of each request, and [`Document::build_all`] builds them.
    pub fn has_routes(&self) -> bool {
        self.routes.is_some()
    }

    /// Which policy serves a request for `path` (the request target: raw
    /// bytes, the query ignored): the first route whose path rule matches,
    /// or, without routes, the document's one policy. `None`: no policy
    /// does, so the answer gets no CORS headers.
    pub fn route(&self, path: &[u8]) -> Option<usize> {
        match &self.routes {
            None => (!self.served.is_empty()).then_some(0),
            // Every route's rule was checked when the document was read;
            // the path is judged once, then matched against each rule.
            Some(routes) => {
                let path = request_path(path)?;
                routes
                    .iter()
                    .find(|r| matches_checked(&r.path, path))
                    .and_then(|r| r.policy)
            }
        }
    }

    /// An upper bound of the capacities the first policy takes.
    pub fn needs(&self) -> Needs {
        self.served
            .first()
            .map_or_else(Needs::default, |p| p.with_config(&[], |c| c.needs()))
    }

    /// The smallest capacity class the first policy fits, by
    /// [`Document::needs`].
    pub fn capacity_class(&self) -> CapacityClass {
        CapacityClass::for_needs(&self.needs())
    }

    /// Builds a document without `routes` into `policy`, reporting every
    /// problem of the document at once; option names in messages are the
    /// document's keys. On an error `policy` is left empty (it allows no
    /// origin). A document with routes needs [`Document::build_all`].
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
        if self.routes.is_some() {
            policy.clear();
            return Err(DocumentErrors::one(
                pointer("", "routes", None),
                "routes_need_build_all",
                "the document has routes, so it holds several policies; load it with Document::build_all (or the runtime's loader for routed documents)".to_owned(),
            ));
        }
        struct One<'p, P>(&'p mut P);
        impl<P: Rebuild> PolicySlots for One<'_, P> {
            fn slot(&mut self, _: usize, _: CapacityClass) -> &mut dyn Rebuild {
                self.0
            }
        }
        self.build_all_in(&mut One(policy), names, false)
    }

    /// Builds every served policy into `slots`, each in the smallest class
    /// that holds it, and reports every problem of the document at once.
    pub fn build_all(&self, slots: &mut dyn PolicySlots) -> Result<(), DocumentErrors> {
        self.build_all_named(slots, &OptionNames::DOCUMENT)
    }

    /// [`Document::build_all`], with messages naming the options as `names`
    /// spells them.
    pub fn build_all_named(
        &self,
        slots: &mut dyn PolicySlots,
        names: &OptionNames,
    ) -> Result<(), DocumentErrors> {
        self.build_all_in(slots, names, true)
    }

    fn build_all_in(
        &self,
        slots: &mut dyn PolicySlots,
        names: &OptionNames,
        grow: bool,
    ) -> Result<(), DocumentErrors> {
        let mut problems = self.problems.clone();
        if !self.judged {
            return Err(DocumentErrors::new(problems));
        }
        let mut built = Vec::new();
        for (index, policy) in self.served.iter().enumerate() {
            let mut class = policy.capacity_class();
            loop {
                let found = policy.build(slots.slot(index, class), names);
                let capacity = found.len() == 1 && found[0].code() == "capacity_exceeded";
                match class.larger() {
                    Some(larger) if grow && capacity => class = larger,
                    _ => {
                        if found.is_empty() {
                            built.push((index, class));
                        }
                        problems.extend(found);
                        break;
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            for (index, class) in built {
                slots.slot(index, class).clear_policy();
            }
            Err(DocumentErrors::new(problems))
        }
    }

    /// What is valid but likely a mistake in the document, with paths: the
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
        let found = self.served.iter().flat_map(|p| p.findings(names)).collect();
        // Sorted, and each inherited finding once.
        DocumentErrors::new(found).problems().to_vec()
    }
}

/// Whether `key` was already seen in this object (then reported as
/// `duplicate_key`); marks it seen.
fn repeated<'k>(r: &mut Reader<'_>, seen: &mut Vec<&'k str>, key: &'k str) -> bool {
    if seen.contains(&key) {
        let path = r.at(key, None);
        r.report(
            path,
            "duplicate_key",
            format!("`{key}` is given more than once; keep one"),
            0,
        );
        return true;
    }
    seen.push(key);
    false
}

/// Reports an unknown key with the nearest known one.
fn unknown_key(r: &mut Reader<'_>, key: &str, known: &[&'static str], policy: &mut PolicyDoc) {
    let near = nearest(key, known);
    let message = match near {
        Some(near) => format!("`{key}` is not a key here; did you mean `{near}`?"),
        None => format!(
            "`{key}` is not a key here; remove it (the keys are {})",
            known.join(", ")
        ),
    };
    if matches!(near, Some("allowOrigins" | "fixedOrigin")) {
        policy.origins_unreadable = true;
    }
    let path = r.at(key, None);
    r.report(path, "unknown_key", message, 0);
}

/// Reads one named policy of `policies`.
fn read_named(
    name: &str,
    body: Json,
    home: Place,
    earlier: &[PolicyDoc],
    problems: &mut Vec<Problem>,
) -> Option<PolicyDoc> {
    let mut r = Reader {
        problems,
        place: home.clone(),
    };
    let at_policies = || Place {
        prefix: "/policies".to_owned(),
        order: home.order,
    };
    if name.is_empty() || name == DEFAULT_POLICY || earlier.iter().any(|p| p.name == name) {
        let why = if name.is_empty() {
            "a policy needs a name"
        } else if name == DEFAULT_POLICY {
            "`default` names the policy of the top-level keys"
        } else {
            "another policy has this name"
        };
        r.place = at_policies();
        let path = r.at(name, None);
        r.report(
            path,
            "bad_policy_name",
            format!("policy name `{name}`: {why}; choose another name"),
            0,
        );
        return None;
    }
    let Json::Object(entries) = body else {
        r.place = at_policies();
        r.wrong_type(name, None, "an object of policy keys", &body);
        return None;
    };
    let mut policy = PolicyDoc::new(name.to_owned(), home.clone());
    let mut seen: Vec<&'static str> = Vec::new();
    for (k, (key, value)) in entries.into_iter().enumerate() {
        r.place = Place {
            prefix: home.prefix.clone(),
            order: (home.order.0, home.order.1, k + 1),
        };
        let Some(&known) = POLICY_KEYS.iter().find(|p| **p == key) else {
            unknown_key(&mut r, &key, &POLICY_KEYS[1..], &mut policy);
            continue;
        };
        if repeated(&mut r, &mut seen, known) {
            continue;
        }
        policy.read(known, value, &mut r);
    }
    Some(policy)
}

/// A route as read: its path rule and its target (0: `default`, i + 1: the
/// i-th named policy, `None`: no CORS).
struct ReadRoute {
    path: String,
    policy: Option<usize>,
}

/// Reads `routes`, an array of `{"path": ..., "policy": ...}`.
fn read_routes(
    position: usize,
    value: Json,
    names: &[&str],
    problems: &mut Vec<Problem>,
) -> Vec<ReadRoute> {
    let mut r = Reader {
        problems,
        place: Place {
            prefix: String::new(),
            order: (position, 0, 0),
        },
    };
    let Json::Array(items) = value else {
        r.wrong_type("routes", None, "an array of routes", &value);
        return Vec::new();
    };
    let mut targets: Vec<&str> = alloc::vec![DEFAULT_POLICY];
    targets.extend_from_slice(names);
    let mut routes = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("/routes/{i}");
        r.place = Place {
            prefix: prefix.clone(),
            order: (position, i + 1, 0),
        };
        let Json::Object(entries) = item else {
            r.place.prefix = String::new();
            r.wrong_type("routes", Some(i), "a route object", &item);
            continue;
        };
        let (mut path, mut policy, mut given) = (None, None, (false, false));
        for (k, (key, value)) in entries.into_iter().enumerate() {
            r.place.order.2 = k + 1;
            match key.as_str() {
                "path" if !given.0 => {
                    given.0 = true;
                    if let Some(rule) = r.string("path", value) {
                        match check_path_rule(&rule) {
                            Ok(()) => path = Some(rule),
                            Err(problem) => {
                                let at = r.at("path", None);
                                let (a, b, c) = r.place.order;
                                r.problems.push(Problem::new(
                                    at,
                                    "bad_path_rule",
                                    Some(problem.code()),
                                    format!("route path `{rule}`: {}", problem.explanation()),
                                    (a, b, c, 0),
                                ));
                            }
                        }
                    }
                }
                "policy" if !given.1 => {
                    given.1 = true;
                    match value {
                        Json::Null => policy = Some(None),
                        Json::String(name) => match targets.iter().position(|t| *t == name) {
                            Some(t) => policy = Some(Some(t)),
                            None => {
                                let at = r.at("policy", None);
                                let near = nearest(&name, &targets)
                                    .map_or_else(String::new, |n| format!("did you mean `{n}`? "));
                                r.report(
                                    at,
                                    "unknown_policy",
                                    format!(
                                        "route policy `{name}` names no policy; {near}name one under `policies`, `default` for the top-level keys, or null for no CORS"
                                    ),
                                    0,
                                );
                            }
                        },
                        other => r.wrong_type("policy", None, "a policy name, or null", &other),
                    }
                }
                "path" | "policy" => {
                    repeated(&mut r, &mut Vec::from(["path", "policy"]), &key);
                }
                _ => unknown_key(
                    &mut r,
                    &key,
                    &["path", "policy"],
                    &mut PolicyDoc::new(String::new(), Place::default()),
                ),
            }
        }
        r.place.order.2 = 0;
        for (missing, key) in [(!given.0, "path"), (!given.1, "policy")] {
            if missing {
                let at = r.at(key, None);
                r.report(
                    at,
                    "missing_key",
                    format!("a route needs `{key}`; add it, as in {{\"path\": \"/api/**\", \"policy\": \"default\"}}"),
                    0,
                );
            }
        }
        if let (Some(path), Some(policy)) = (path, policy) {
            routes.push(ReadRoute { path, policy });
        }
    }
    routes
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

/// The policies of a document with routes, all of one capacity, each boxed,
/// and the routes that pick one per request.
///
/// ```
/// use corsguard::{PolicySet, Request};
/// let set: PolicySet = PolicySet::from_json(br#"{
///     "version": 1,
///     "allowMethods": ["GET", "PUT"],
///     "policies": {
///         "public": {"allowOrigins": ["*"]},
///         "admin": {"allowOrigins": ["https://admin.example.com"], "allowCredentials": true}
///     },
///     "routes": [
///         {"path": "/admin/**", "policy": "admin"},
///         {"path": "/api/**", "policy": "public"}
///     ]
/// }"#)?;
/// let request = Request::new(b"GET").origin(b"https://admin.example.com");
/// assert!(set.evaluate(b"/admin/users", &request).unwrap().is_allowed());
/// assert!(set.evaluate(b"/other", &request).is_none());
/// # Ok::<(), corsguard::DocumentErrors>(())
/// ```
pub struct PolicySet<const O: usize = 256, const N: usize = 64, const B: usize = 16384> {
    document: Document,
    policies: Vec<Box<Policy<O, N, B>>>,
}

impl<const O: usize, const N: usize, const B: usize> PolicySet<O, N, B> {
    /// Loads every policy of a document, with or without routes, reporting
    /// every problem at once. `Box::new(Policy::empty())` passes each policy
    /// through the stack once (see the crate docs on capacities).
    pub fn from_json(json: &[u8]) -> Result<Self, DocumentErrors> {
        struct Slots<const O: usize, const N: usize, const B: usize>(Vec<Box<Policy<O, N, B>>>);
        impl<const O: usize, const N: usize, const B: usize> PolicySlots for Slots<O, N, B> {
            fn slot(&mut self, index: usize, _: CapacityClass) -> &mut dyn Rebuild {
                while self.0.len() <= index {
                    self.0.push(Box::new(Policy::empty()));
                }
                &mut *self.0[index]
            }
        }
        let document = Document::parse(json)?;
        let mut slots = Slots(Vec::new());
        // One capacity for all: a class estimate would not change the type.
        document.build_all_in(&mut slots, &OptionNames::DOCUMENT, false)?;
        Ok(PolicySet {
            document,
            policies: slots.0,
        })
    }

    /// The policy that serves `path`, if any (see [`Document::route`]).
    pub fn policy_for(&self, path: &[u8]) -> Option<&Policy<O, N, B>> {
        self.document
            .route(path)
            .and_then(|i| self.policies.get(i))
            .map(|p| &**p)
    }

    /// The policy numbered `index`, as [`Document::route`] numbers them.
    pub fn policy(&self, index: usize) -> Option<&Policy<O, N, B>> {
        self.policies.get(index).map(|p| &**p)
    }

    /// Evaluates `request` for `path` with the policy that serves it;
    /// `None` when no policy does (send no CORS headers).
    pub fn evaluate<'a>(&'a self, path: &[u8], request: &Request<'a>) -> Option<Decision<'a>> {
        self.policy_for(path).map(|p| p.evaluate(request))
    }

    /// The document the set was loaded from.
    pub fn document(&self) -> &Document {
        &self.document
    }
}
