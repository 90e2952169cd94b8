#![cfg(feature = "json")]
//! One policy of a document, as read (the top-level keys, or a named policy
//! with what it inherits), and how it is built and judged: each refusal of
//! the core becomes a problem with the path of the entry at fault, which is
//! then set aside so that the next refusal can be found.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::json::Json;
use super::problem::{Order, Problem};
use super::Rebuild;
use crate::capacity::CapacityClass;
use crate::config::{
    AllowedHeaders, Behaviour, Capacity, Config, ConfigError, ExposedHeaders, MaxAge, Methods,
    OptionNames, PreflightDetection, Setting,
};

/// The placeholder origin that stands in for an empty origin list while the
/// rest of a refused document is checked (never part of a built policy).
const PLACEHOLDER_ORIGIN: &str = "https://corsguard-placeholder.invalid";

/// A list entry and its index in the document's array.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub index: usize,
    pub value: String,
}

#[derive(Clone, Debug)]
pub(crate) enum List {
    Entries(Vec<Entry>),
    Any,
    Mirror,
}

#[derive(Clone, Debug)]
enum Age {
    Seconds(u32),
    Literal(String),
}

/// The options a refusal can be about, by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
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

/// Where something is written: its JSON pointer prefix (the object holding
/// it) and its document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Place {
    pub prefix: String,
    pub order: (usize, usize, usize),
}

/// The JSON pointer of a key, or of one entry of its array, under `prefix`.
pub(crate) fn pointer(prefix: &str, key: &str, index: Option<usize>) -> String {
    let mut path = String::with_capacity(prefix.len() + key.len() + 8);
    path.push_str(prefix);
    if !key.is_empty() {
        path.push('/');
        path.push_str(&escape(key));
    }
    if let Some(i) = index {
        path.push_str(&format!("/{i}"));
    }
    path
}

/// A reference token of a JSON pointer (RFC 6901): `~` and `/` escaped.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Reports problems of shape for the keys of one JSON object.
pub(crate) struct Reader<'d> {
    pub problems: &'d mut Vec<Problem>,
    /// The object's place; `order.2` is the key's position within it.
    pub place: Place,
}

impl Reader<'_> {
    pub fn at(&self, key: &str, index: Option<usize>) -> String {
        pointer(&self.place.prefix, key, index)
    }

    pub fn report(&mut self, path: String, code: &'static str, message: String, entry: usize) {
        let (a, b, c) = self.place.order;
        self.problems
            .push(Problem::new(path, code, None, message, (a, b, c, entry)));
    }

    pub fn wrong_type(&mut self, key: &str, index: Option<usize>, expected: &str, got: &Json) {
        let path = self.at(key, index);
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

    pub fn boolean(&mut self, key: &str, value: &Json) -> Option<bool> {
        match value {
            Json::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, None, "`true` or `false`", other);
                None
            }
        }
    }

    pub fn string(&mut self, key: &str, value: Json) -> Option<String> {
        match value {
            Json::String(s) => Some(s),
            other => {
                self.wrong_type(key, None, "a string", &other);
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str, value: &Json, max: u64, range: &str) -> Option<u64> {
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
        let path = self.at(key, None);
        self.report(
            path,
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

/// One policy: its values, and where each given key is written.
#[derive(Clone, Debug)]
pub(crate) struct PolicyDoc {
    /// `default` for the top-level keys, else the name under `policies`.
    pub name: String,
    profile: Behaviour,
    origins: Vec<Entry>,
    fixed_origin: Option<String>,
    origin_verdict: bool,
    wide_verdict_with_credentials: bool,
    pub verdict_probes: u8,
    methods: List,
    allowed_headers: List,
    exposed_headers: List,
    credentials: bool,
    max_age: Option<Age>,
    private_network: bool,
    preflight_continue: bool,
    preflight_status: Option<u16>,
    /// `preflightDetection`, over the profile's.
    preflight_detection: Option<PreflightDetection>,
    /// Each given key and where it is written.
    places: Vec<(&'static str, Place)>,
    /// Where a key the policy lacks would be written.
    home: Place,
    /// Whether `allowOrigins` was given but could not be read (a wrong
    /// type, or a misspelt key): its emptiness is then no problem of its own.
    pub origins_unreadable: bool,
}

impl PolicyDoc {
    pub fn new(name: String, home: Place) -> PolicyDoc {
        PolicyDoc {
            name,
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
            preflight_detection: None,
            places: Vec::new(),
            home,
            origins_unreadable: false,
        }
    }

    pub fn behaviour(&self) -> &Behaviour {
        &self.profile
    }

    /// Reads the value of the policy key `known` (a document key but `$schema`,
    /// `version`, `policies` and `routes`).
    pub fn read(&mut self, known: &'static str, value: Json, r: &mut Reader<'_>) {
        self.places.push((known, r.place.clone()));
        match known {
            "description" => {
                r.string(known, value);
            }
            "profile" => {
                if let Some(name) = r.string(known, value) {
                    match Behaviour::named(&name) {
                        Some(profile) => self.profile = profile,
                        None => {
                            let names: Vec<&str> =
                                Behaviour::PROFILES.iter().map(|(n, _)| *n).collect();
                            let path = r.at(known, None);
                            r.report(
                                path,
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
                    self.origins = alloc::vec![Entry {
                        index: 0,
                        value: "*".to_owned(),
                    }]
                }
                Some(List::Entries(entries)) => self.origins = entries,
                Some(List::Mirror) => {}
                None => self.origins_unreadable = true,
            },
            "fixedOrigin" => self.fixed_origin = r.string(known, value),
            "originVerdict" => self.origin_verdict = r.boolean(known, &value).unwrap_or(false),
            "allowWideVerdictWithCredentials" => {
                self.wide_verdict_with_credentials = r.boolean(known, &value).unwrap_or(false)
            }
            "allowMethods" => {
                if let Some(list) = r.list(known, value, false) {
                    self.methods = list;
                }
            }
            "allowHeaders" => {
                if let Some(list) = r.list(known, value, true) {
                    self.allowed_headers = list;
                }
            }
            "exposeHeaders" => {
                if let Some(list) = r.list(known, value, false) {
                    self.exposed_headers = list;
                }
            }
            "allowCredentials" => self.credentials = r.boolean(known, &value).unwrap_or(false),
            "maxAge" => {
                self.max_age = match value {
                    Json::String(literal) => Some(Age::Literal(literal)),
                    other => r
                        .integer(known, &other, u64::from(u32::MAX), "0 to 4294967295")
                        .map(|n| Age::Seconds(n as u32)),
                }
            }
            "allowPrivateNetwork" => {
                self.private_network = r.boolean(known, &value).unwrap_or(false)
            }
            "preflightContinue" => {
                self.preflight_continue = r.boolean(known, &value).unwrap_or(false)
            }
            "preflightStatus" => {
                self.preflight_status = r
                    .integer(known, &value, u64::from(u16::MAX), "200 to 299")
                    .map(|n| n as u16)
            }
            "preflightDetection" => {
                if let Some(name) = r.string(known, value) {
                    self.preflight_detection = PreflightDetection::named(&name);
                    if self.preflight_detection.is_none() {
                        let names: Vec<&str> =
                            PreflightDetection::NAMES.iter().map(|(n, _)| *n).collect();
                        let path = r.at(known, None);
                        r.report(
                            path,
                            "unknown_value",
                            format!(
                                "preflightDetection `{name}` is not a detection; use one of {}",
                                names.join(", ")
                            ),
                            0,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// `base` with every key `self` gives taken from `self` instead: a named
    /// policy inherits the top-level keys it does not set.
    pub fn inheriting(&self, base: &PolicyDoc) -> PolicyDoc {
        let mut merged = base.clone();
        merged.name = self.name.clone();
        merged.home = self.home.clone();
        for (key, place) in &self.places {
            merged.places.retain(|(k, _)| k != key);
            merged.places.push((key, place.clone()));
            match *key {
                "profile" => merged.profile = self.profile,
                "allowOrigins" => {
                    merged.origins = self.origins.clone();
                    merged.origins_unreadable = self.origins_unreadable;
                }
                "fixedOrigin" => merged.fixed_origin = self.fixed_origin.clone(),
                "originVerdict" => merged.origin_verdict = self.origin_verdict,
                "allowWideVerdictWithCredentials" => {
                    merged.wide_verdict_with_credentials = self.wide_verdict_with_credentials
                }
                "allowMethods" => merged.methods = self.methods.clone(),
                "allowHeaders" => merged.allowed_headers = self.allowed_headers.clone(),
                "exposeHeaders" => merged.exposed_headers = self.exposed_headers.clone(),
                "allowCredentials" => merged.credentials = self.credentials,
                "maxAge" => merged.max_age = self.max_age.clone(),
                "allowPrivateNetwork" => merged.private_network = self.private_network,
                "preflightContinue" => merged.preflight_continue = self.preflight_continue,
                "preflightStatus" => merged.preflight_status = self.preflight_status,
                "preflightDetection" => merged.preflight_detection = self.preflight_detection,
                _ => {}
            }
        }
        merged.origins_unreadable |= self.origins_unreadable;
        merged
    }

    fn place(&self, key: &str) -> &Place {
        self.places
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map_or(&self.home, |(_, p)| p)
    }

    fn path(&self, key: &str, index: Option<usize>) -> String {
        pointer(&self.place(key).prefix, key, index)
    }

    fn order(&self, key: &str, index: Option<usize>) -> Order {
        let (a, b, c) = self.place(key).order;
        (a, b, c, index.map_or(0, |i| i + 1))
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

    /// Calls `f` with the policy as a [`Config`], leaving out what
    /// `repairs` set aside: an entry `(field, Some(index))`, or a whole
    /// option `(field, None)`.
    pub fn with_config<R>(
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
        let mut behaviour = self.profile;
        if let Some(detection) = self.preflight_detection {
            behaviour.preflight_detection = detection;
        }
        let mut config = Config::new()
            .behaviour(behaviour)
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

    /// The estimate of the class this policy fits.
    pub fn capacity_class(&self) -> CapacityClass {
        self.with_config(&[], |config| CapacityClass::for_needs(&config.needs()))
    }

    /// Builds the policy into `target`, returning every problem found
    /// (none: `target` holds the policy; else it is left empty).
    pub fn build(&self, target: &mut dyn Rebuild, names: &OptionNames) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut repairs: Vec<(Field, Option<usize>)> = Vec::new();
        let bound = self.entry_count() + 16;
        for _ in 0..bound {
            let found = self.with_config(&repairs, |config| {
                target
                    .rebuild_from(config)
                    .err()
                    .map(|error| self.describe(&error, names, config))
            });
            let Some((problem, repair)) = found else {
                break;
            };
            // Setting entries aside can empty the origins: that is not the
            // document's error unless it lists none itself.
            let artifact = problem.code() == "no_origins"
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
        if !problems.is_empty() {
            // What the last attempt built is a repaired policy, not this one.
            target.clear_policy();
        }
        problems
    }

    /// The findings and risks of this policy (see `Document::findings`).
    pub fn findings(&self, names: &OptionNames) -> Vec<Problem> {
        let mut found = Vec::new();
        self.with_config(&[], |config| {
            if self.profile.syntax != crate::compat::Syntax::Strict {
                crate::findings::findings(config, &mut |error| {
                    found.push(self.describe(&error, names, config).0);
                });
            }
            crate::risks::risks(config, &mut |risk| {
                found.push(self.describe_risk(&risk, names));
            });
        });
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
        Problem::new(
            self.path(field.key(), index),
            risk.code(),
            None,
            format!("{}", risk.named(&self.names_for(field, names))),
            self.order(field.key(), index),
        )
    }

    /// The document has its own key for the fixed origin.
    fn names_for(&self, field: Field, names: &OptionNames) -> OptionNames {
        let mut named = *names;
        if field == Field::FixedOrigin && *names == OptionNames::DOCUMENT {
            named.allowed_origins = Field::FixedOrigin.key();
        }
        named
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
        let (path, order, message) = match *error {
            ConfigError::CapacityExceeded { capacity, limit } => {
                let (name, what, key) = match capacity {
                    Capacity::Origins => ("ORIGINS", "origins and patterns", "allowOrigins"),
                    Capacity::Names => ("NAMES", "names in one list", ""),
                    Capacity::Bytes => ("BYTES", "stored bytes", ""),
                    Capacity::DecisionHeaders => ("headers", "headers in one answer", ""),
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
                let (path, order) = if key.is_empty() {
                    (self.home.prefix.clone(), self.order("", None))
                } else {
                    (self.path(key, None), self.order(key, None))
                };
                (
                    path,
                    order,
                    format!(
                        "the policy needs more than the {name} capacity of the `{class}` class, {limit} {what} (estimated need: {} origins, {} names, {} bytes); list fewer or shorter entries (one pattern such as `https://*.example.com` can replace many origins), or split the policy",
                        needs.origins, needs.names, needs.bytes
                    ),
                )
            }
            _ => (
                self.path(field.key(), index),
                self.order(field.key(), index),
                format!("{}", error.named(&self.names_for(field, names))),
            ),
        };
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
}
