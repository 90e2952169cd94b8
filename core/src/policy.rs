//! The precomputed `Policy`: a validated configuration held in fixed-capacity
//! tables, with every header value that does not depend on the request
//! already joined.

use heapless::Vec;

use crate::config::{
    AllowedHeaders, Behaviour, Capacity, Config, ConfigError, ExposedHeaders, MaxAge, Methods,
    Setting, Syntax, VaryStyle, WildcardWithCredentials,
};
use crate::headers::{
    cmp_ignore_ascii_case, is_forbidden_request_header, is_forbidden_response_header,
    is_safe_value, is_token, same_bytes, SAFELISTED_REQUEST_HEADERS,
};
use crate::origin::{
    any_pattern_key, classify_entry, hash, is_ip_host, split, EntryKind, OriginParts,
};
use crate::template::Templates;

/// The most headers a single decision can list.
pub const MAX_DECISION_HEADERS: usize = 12;

/// The bit of `method` in `Policy::method_bits` when it is one of the seven
/// methods requests name most, or 0 (then the list is searched). Methods
/// are compared case-sensitively, as everywhere.
pub(crate) fn common_method_bit(method: &[u8]) -> u8 {
    match method {
        b"GET" => 1,
        b"HEAD" => 2,
        b"POST" => 4,
        b"PUT" => 8,
        b"DELETE" => 16,
        b"PATCH" => 32,
        b"OPTIONS" => 64,
        _ => 0,
    }
}

/// The most patterns matched part by part; a policy with more looks each
/// candidate key of a request origin up in its origin table instead.
pub(crate) const PATTERN_INDEX_MAX: usize = 8;

/// A pattern origin (`scheme://*.domain[:port|:*]` or `scheme://host:*`),
/// its parts as spans of the stored entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PatternRef {
    scheme: Span,
    /// The domain after `*.`, or the host of a port-wildcard pattern.
    host: Span,
    /// `*.domain`: strict subdomains of `host`; otherwise `host` itself.
    subdomains: bool,
    port: PatternPort,
}

/// The port part of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatternPort {
    /// No port: only origins without one.
    Absent,
    /// `:*`: any port, or none.
    Any,
    /// This port.
    Exact(Span),
}

/// Slots of the allowed request-header name index (a power of two).
const NAME_INDEX_SLOTS: usize = 64;
/// The most names the index holds (half its slots, so a probe always meets
/// an empty slot); a longer list is binary-searched instead.
const NAME_INDEX_MAX: usize = NAME_INDEX_SLOTS / 2;

/// The index slot where the probe for `name` starts: a hash of its length
/// and of its first and last bytes, case-folded (`| 0x20` maps two bytes
/// that are equal ignoring ASCII case to the same byte). Computing it does
/// not look at the rest of the name; the comparison after it does.
fn name_slot(name: &[u8]) -> usize {
    let (first, last) = match name {
        [] => (0, 0),
        [first, .., last] => (*first | 0x20, *last | 0x20),
        [only] => (*only | 0x20, *only | 0x20),
    };
    let key = (name.len() as u32) ^ (u32::from(first) << 8) ^ (u32::from(last) << 16);
    (key.wrapping_mul(0x9E37_79B1) >> (32 - NAME_INDEX_SLOTS.trailing_zeros())) as usize
}

/// A range of the policy's byte arena.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub(crate) const fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// One stored origin (exact or pattern), found by its hash. Pattern keys
/// are hashed with a different seed ([`key_hash`]), so a lookup of one kind
/// never lands on the other and the entry stays 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OriginEntry {
    hash: u64,
    span: Span,
}

/// A validated CORS policy, ready to evaluate requests without allocating.
///
/// The capacities are const generics: `ORIGINS` origins and patterns,
/// `NAMES` methods (and, separately, allowed request-header names), and
/// `BYTES` bytes for every stored origin and precomputed header value. A
/// configuration that does not fit is refused with
/// [`ConfigError::CapacityExceeded`], never truncated.
///
/// A policy is immutable once built: share it freely between threads.
///
/// ```
/// use corsguard::{Config, Policy, Request, Outcome};
/// let config = Config::new().allowed_origins(&["http://localhost:3000"]);
/// let policy: Policy = Policy::new(&config)?;
/// let decision = policy.evaluate(&Request::new(b"GET").origin(b"http://localhost:3000"));
/// assert_eq!(decision.outcome(), Outcome::Allowed);
/// # Ok::<(), corsguard::ConfigError<'static>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Policy<const ORIGINS: usize = 256, const NAMES: usize = 64, const BYTES: usize = 16384> {
    pub(crate) behaviour: Behaviour,
    pub(crate) bytes: Vec<u8, BYTES>,
    pub(crate) origins: Vec<OriginEntry, ORIGINS>,
    pub(crate) any_origin: bool,
    pub(crate) has_patterns: bool,
    /// Whether `origins` holds an exact origin (not only pattern keys): a
    /// policy of patterns alone skips the exact lookup of every request.
    pub(crate) has_exact_origins: bool,
    /// Every pattern, split into its parts, when there are at most
    /// [`PATTERN_INDEX_MAX`]; more are looked up by key in `origins` only.
    pub(crate) patterns: Vec<PatternRef, PATTERN_INDEX_MAX>,
    /// Whether `patterns` holds every pattern of the policy.
    pub(crate) patterns_indexed: bool,
    pub(crate) fixed_origin: Option<Span>,
    pub(crate) origin_verdict: bool,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) preflight_continue: bool,
    pub(crate) preflight_status: u16,
    pub(crate) any_method: bool,
    pub(crate) methods: Vec<Span, NAMES>,
    /// The listed methods that have a [`common_method_bit`].
    pub(crate) method_bits: u8,
    pub(crate) header_mode: HeaderMode,
    /// Allowed request-header names, lowercase, sorted.
    pub(crate) header_names: Vec<Span, NAMES>,
    /// An open-addressing index of `header_names` (position + 1, 0 for an
    /// empty slot), used when there are at most [`NAME_INDEX_MAX`] names.
    pub(crate) header_index: [u8; NAME_INDEX_SLOTS],
    pub(crate) allow_methods: Option<Span>,
    pub(crate) allow_headers: Option<Span>,
    pub(crate) expose_headers: Option<Span>,
    pub(crate) max_age: Option<Span>,
    pub(crate) vary_preflight: Option<Span>,
    pub(crate) vary_actual: Option<Span>,
    /// The answers' header orders, compiled (`template.rs`).
    pub(crate) templates: Templates,
    /// Which build this is: a number no other build in this process had
    /// (0 for [`Policy::empty`] and where there are no 64-bit atomics). A
    /// copy keeps it, as it keeps the content. The `http` adapter's
    /// prebuilt answers hold it, so they are used for the policy they were
    /// built from and no other.
    pub(crate) stamp: u64,
}

/// A new build's [`Policy::stamp`].
#[cfg(all(feature = "http", target_has_atomic = "64"))]
fn next_stamp() -> u64 {
    use core::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Without the `http` adapter no stamp is read.
#[cfg(not(all(feature = "http", target_has_atomic = "64")))]
fn next_stamp() -> u64 {
    0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderMode {
    List,
    Any,
    Mirror,
}

impl<const ORIGINS: usize, const NAMES: usize, const BYTES: usize> Policy<ORIGINS, NAMES, BYTES> {
    /// A policy that allows no origin: it refuses every cross-origin request
    /// and answers no preflight. It is the starting point for building a
    /// policy in place with [`Policy::rebuild`].
    ///
    /// This is a `const fn`: as the initializer of a `static` it costs no
    /// stack at all, which makes a `static` the way to hold a large policy
    /// with a small stack. Called at run time it returns the policy by value,
    /// as [`Policy::new`] does: `Box::new(Policy::empty())` passes one policy
    /// through the stack, once, before `rebuild` fills it on the heap.
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use corsguard::{Config, Policy, Request};
    ///
    /// // 333 KB of tables, never on any stack.
    /// static POLICY: Mutex<Policy<4096, 256, 262144>> = Mutex::new(Policy::empty());
    ///
    /// let request = Request::new(b"GET").origin(b"https://a.example");
    /// let mut policy = POLICY.lock().unwrap();
    /// assert!(!policy.evaluate(&request).is_allowed());
    /// policy.rebuild(&Config::new().allowed_origins(&["https://a.example"]))?;
    /// assert!(policy.evaluate(&request).is_allowed());
    /// # Ok::<(), corsguard::ConfigError<'static>>(())
    /// ```
    pub const fn empty() -> Self {
        Policy {
            behaviour: Behaviour::STRICT,
            bytes: Vec::new(),
            origins: Vec::new(),
            any_origin: false,
            has_patterns: false,
            has_exact_origins: false,
            patterns: Vec::new(),
            patterns_indexed: true,
            fixed_origin: None,
            origin_verdict: false,
            credentials: false,
            private_network: false,
            preflight_continue: false,
            preflight_status: 204,
            any_method: false,
            methods: Vec::new(),
            method_bits: 0,
            header_mode: HeaderMode::List,
            header_names: Vec::new(),
            header_index: [0; NAME_INDEX_SLOTS],
            allow_methods: None,
            allow_headers: None,
            expose_headers: None,
            max_age: None,
            vary_preflight: None,
            vary_actual: None,
            templates: Templates::new(),
            stamp: 0,
        }
    }

    /// Validates `config` entirely and precomputes everything that does not
    /// depend on the request. The first problem found is returned; it names
    /// the entry, the rule and the fix.
    ///
    /// The policy is returned by value: it lands wherever the caller keeps
    /// it, usually the stack (`size_of` the policy: 23.0 KB for the default
    /// capacities, 333 KB for `Policy<4096, 256, 262144>`), and an
    /// unoptimized build makes a few temporary copies of it besides. To
    /// build a policy of any capacity with a small stack, build it where it
    /// is to live with [`Policy::rebuild`].
    ///
    /// ```
    /// use corsguard::{Config, ConfigError, Policy};
    /// let config = Config::new().allowed_origins(&["*"]).credentials(true);
    /// let err = Policy::<8, 8, 512>::new(&config).unwrap_err();
    /// assert_eq!(err, ConfigError::WildcardOriginWithCredentials);
    /// ```
    pub fn new<'a>(config: &Config<'a>) -> Result<Self, ConfigError<'a>> {
        let mut policy = Self::empty();
        policy.rebuild(config)?;
        Ok(policy)
    }

    /// Validates `config` entirely and builds the policy in place, replacing
    /// what `self` held: the same checks, errors and result as
    /// [`Policy::new`], without ever holding a second policy. The stack this
    /// needs does not depend on the capacities: at most 16 KiB (measured by
    /// `core/tests/stack.rs`: under 10 KiB in a debug build, under 7 KiB in
    /// a release build, on x86-64). The C, Python and Node bindings build
    /// every policy this way.
    ///
    /// On an error `self` is left as [`Policy::empty`]: it refuses every
    /// cross-origin request, never a half-built policy.
    ///
    /// ```
    /// use corsguard::{Config, ConfigError, Policy, Request};
    /// let mut policy: Policy<8, 8, 512> = Policy::empty();
    /// policy.rebuild(&Config::new().allowed_origins(&["https://a.example"]))?;
    /// let request = Request::new(b"GET").origin(b"https://a.example");
    /// assert!(policy.evaluate(&request).is_allowed());
    ///
    /// let bad = Config::new().allowed_origins(&["https://a.example/"]);
    /// assert!(matches!(policy.rebuild(&bad), Err(ConfigError::MalformedOrigin { .. })));
    /// assert!(!policy.evaluate(&request).is_allowed());
    /// # Ok::<(), ConfigError<'static>>(())
    /// ```
    pub fn rebuild<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        self.reset(config);
        let built = self.fill(config);
        if built.is_err() {
            self.reset(&Config::new());
        }
        built
    }

    /// Leaves the policy as [`Policy::empty`] makes it: it allows nothing.
    #[cfg(feature = "json")]
    pub(crate) fn clear(&mut self) {
        self.reset(&Config::new());
    }

    /// Empties the tables and takes the settings of `config`, field by
    /// field: assigning a whole policy would put one on the stack.
    fn reset(&mut self, config: &Config<'_>) {
        self.behaviour = config.behaviour;
        self.bytes.clear();
        self.origins.clear();
        self.any_origin = false;
        self.has_patterns = false;
        self.has_exact_origins = false;
        self.patterns.clear();
        self.patterns_indexed = true;
        self.fixed_origin = None;
        self.origin_verdict = config.origin_verdict;
        self.credentials = config.credentials;
        self.private_network = config.private_network;
        self.preflight_continue = config.preflight_continue;
        self.preflight_status = config.preflight_status;
        self.any_method = false;
        self.methods.clear();
        self.method_bits = 0;
        self.header_mode = HeaderMode::List;
        self.header_names.clear();
        self.header_index = [0; NAME_INDEX_SLOTS];
        self.allow_methods = None;
        self.allow_headers = None;
        self.expose_headers = None;
        self.max_age = None;
        self.vary_preflight = None;
        self.vary_actual = None;
        self.templates = Templates::new();
        self.stamp = next_stamp();
    }

    fn fill<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        config.check_verdict()?;
        self.check_statuses(config)?;
        self.add_origins(config)?;
        self.add_methods(config)?;
        self.add_allowed_headers(config)?;
        self.add_exposed_headers(config)?;
        self.add_max_age(config)?;
        self.add_vary()?;
        self.compile_templates();
        Ok(())
    }

    /// The behaviour settings this policy was built with.
    pub fn behaviour(&self) -> &Behaviour {
        &self.behaviour
    }

    /// How many bytes of the `BYTES` capacity this policy uses.
    pub fn bytes_used(&self) -> usize {
        self.bytes.len()
    }

    /// How many of the `ORIGINS` capacity this policy uses.
    pub fn origins_used(&self) -> usize {
        self.origins.len()
    }

    /// The precomputed header values, with their offsets in the policy's
    /// bytes (for bindings that prebuild host-side header values).
    #[cfg(feature = "http")]
    pub(crate) fn constant_values(&self) -> impl Iterator<Item = (usize, &[u8])> {
        [
            self.allow_methods,
            self.allow_headers,
            self.expose_headers,
            self.max_age,
            self.vary_preflight,
            self.vary_actual,
            self.fixed_origin,
        ]
        .into_iter()
        .flatten()
        .map(|span| (span.start as usize, self.get(span)))
    }

    /// Where `value` starts in the policy's bytes, if it borrows from them.
    #[cfg(feature = "http")]
    pub(crate) fn offset_of(&self, value: &[u8]) -> Option<usize> {
        let base = self.bytes.as_ptr() as usize;
        let at = value.as_ptr() as usize;
        (at >= base && at + value.len() <= base + self.bytes.len()).then(|| at - base)
    }

    fn strict(&self) -> bool {
        self.behaviour.syntax == Syntax::Strict
    }

    pub(crate) fn get(&self, span: Span) -> &[u8] {
        let start = span.start as usize;
        self.bytes
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    fn store(&mut self, parts: &[&[u8]]) -> Result<Span, ConfigError<'static>> {
        let start = self.bytes.len();
        for part in parts {
            self.bytes
                .extend_from_slice(part)
                .map_err(|_| ConfigError::CapacityExceeded {
                    capacity: Capacity::Bytes,
                    limit: BYTES,
                })?;
        }
        Ok(Span {
            start: start as u32,
            len: (self.bytes.len() - start) as u32,
        })
    }

    /// Stores `items` joined by the profile's separator, or `None` if empty.
    fn store_list<'s>(
        &mut self,
        items: impl Iterator<Item = &'s [u8]>,
    ) -> Result<Span, ConfigError<'static>> {
        let start = self.bytes.len();
        let sep = self.behaviour.separator.as_bytes();
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.store(&[sep])?;
            }
            self.store(&[item])?;
        }
        Ok(Span {
            start: start as u32,
            len: (self.bytes.len() - start) as u32,
        })
    }

    fn check_statuses<'a>(&self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        let ok = if self.strict() { 200..=299 } else { 100..=999 };
        if !ok.contains(&config.preflight_status) {
            return Err(ConfigError::StatusOutOfRange {
                option: Setting::PreflightStatus,
                status: config.preflight_status,
            });
        }
        if let Some(status) = self.behaviour.refused_preflight.status {
            if !(100..=999).contains(&status) {
                return Err(ConfigError::StatusOutOfRange {
                    option: Setting::RefusedPreflightStatus,
                    status,
                });
            }
        }
        if self.behaviour.preflight_order.len() > MAX_DECISION_HEADERS
            || self.behaviour.actual_order.len() > MAX_DECISION_HEADERS
        {
            return Err(ConfigError::CapacityExceeded {
                capacity: Capacity::DecisionHeaders,
                limit: MAX_DECISION_HEADERS,
            });
        }
        Ok(())
    }

    fn add_origins<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        let strict = self.strict();
        let entries = config.origins.iter().chain(config.fixed_origin.iter());
        for &entry in entries {
            let kind = if strict {
                classify_entry(entry)
                    .map_err(|problem| ConfigError::MalformedOrigin { entry, problem })?
            } else if entry == "*" {
                EntryKind::Any
            } else if !is_safe_value(entry.as_bytes()) {
                return Err(ConfigError::UnsafeValue {
                    option: Setting::AllowedOrigins,
                    entry,
                });
            } else {
                EntryKind::Exact
            };
            match kind {
                EntryKind::Any => self.any_origin = true,
                EntryKind::Null if config.credentials => {
                    return Err(ConfigError::NullOriginWithCredentials)
                }
                EntryKind::Pattern => {
                    self.has_patterns = true;
                    self.insert_origin(entry, true)?;
                    self.index_pattern(entry);
                }
                EntryKind::Null | EntryKind::Exact => {
                    self.has_exact_origins = true;
                    self.insert_origin(entry, false)?;
                }
            }
        }
        if let Some(fixed) = config.fixed_origin {
            if fixed != "*" {
                self.fixed_origin = Some(self.store(&[fixed.as_bytes()])?);
            }
        }
        if self.any_origin {
            if strict {
                let mut entries = config.origins.iter().chain(config.fixed_origin.iter());
                if let Some(&entry) = entries.clone().find(|e| **e != "*") {
                    return Err(ConfigError::WildcardOriginAmongOthers { entry });
                }
                // Only `*` is listed here; the origin table, which catches
                // every other repeat, never stores it.
                if entries.nth(1).is_some() {
                    return Err(ConfigError::Duplicate {
                        option: Setting::AllowedOrigins,
                        entry: "*",
                    });
                }
            }
            if config.credentials
                && self.behaviour.wildcard_with_credentials == WildcardWithCredentials::Refuse
            {
                return Err(ConfigError::WildcardOriginWithCredentials);
            }
        } else if strict && self.origins.is_empty() && !config.origin_verdict {
            return Err(ConfigError::NoOrigins);
        }
        let bytes = &self.bytes;
        let get = |s: Span| &bytes[s.start as usize..(s.start + s.len) as usize];
        crate::sort::sort_by(&mut self.origins, |a, b| {
            (a.hash, get(a.span)) < (b.hash, get(b.span))
        });
        // Equal entries are now neighbours: a repeat is an error in strict
        // syntax and harmless (kept once) in literal syntax.
        let mut kept = 0;
        for i in 0..self.origins.len() {
            let repeat = kept > 0 && {
                let (prev, this) = (self.origins[kept - 1], self.origins[i]);
                prev.hash == this.hash && get(prev.span) == get(this.span)
            };
            if repeat {
                if strict {
                    let this = get(self.origins[i].span);
                    let entry = config
                        .origins
                        .iter()
                        .chain(config.fixed_origin.iter())
                        .find(|e| e.as_bytes() == this)
                        .copied()
                        .unwrap_or_default();
                    return Err(ConfigError::Duplicate {
                        option: Setting::AllowedOrigins,
                        entry,
                    });
                }
            } else {
                // Field by field: a whole-entry copy compiles to a `memmove`
                // call, which would add its kilobyte and a half to a
                // firmware image.
                let OriginEntry { hash, span } = self.origins[i];
                self.origins[kept].hash = hash;
                self.origins[kept].span = span;
                kept += 1;
            }
        }
        self.origins.truncate(kept);
        Ok(())
    }

    /// Adds the pattern just stored to `patterns`, split into its parts, or
    /// gives the index up when it is full.
    fn index_pattern(&mut self, entry: &str) {
        let Some(stored) = self.origins.last().map(|e| e.span) else {
            return;
        };
        let Some(parts) = split(entry.as_bytes()) else {
            // A classified pattern always splits; if it did not, the keyed
            // lookup still finds it.
            self.patterns_indexed = false;
            return;
        };
        // The parts are subslices of `entry`, which was stored at `stored`.
        let base = entry.as_ptr() as usize;
        let span = |part: &[u8]| Span {
            start: stored.start + (part.as_ptr() as usize - base) as u32,
            len: part.len() as u32,
        };
        let (subdomains, host) = match parts.host.strip_prefix(b"*.") {
            Some(parent) => (true, parent),
            None => (false, parts.host),
        };
        let port = match parts.port {
            None => PatternPort::Absent,
            Some(b"*") => PatternPort::Any,
            Some(port) => PatternPort::Exact(span(port)),
        };
        let pattern = PatternRef {
            scheme: span(parts.scheme),
            host: span(host),
            subdomains,
            port,
        };
        if self.patterns.push(pattern).is_err() {
            self.patterns_indexed = false;
        }
    }

    /// Whether a request origin matches a pattern of the policy.
    pub(crate) fn matches_pattern(&self, parts: &OriginParts<'_>) -> bool {
        if !self.patterns_indexed {
            return any_pattern_key(parts, |key| self.contains_origin(key, true));
        }
        let ip = is_ip_host(parts.host);
        self.patterns.iter().any(|p| {
            let host = self.get(p.host);
            let host_matches = if p.subdomains {
                // A strict subdomain: at least one label, then `.`, then
                // the pattern's domain; IP addresses have no subdomains.
                let n = parts.host.len();
                !ip && n > host.len() + 1
                    && same_bytes(&parts.host[n - host.len()..], host)
                    && parts.host[n - host.len() - 1] == b'.'
            } else {
                parts.host == host
            };
            let port_matches = match p.port {
                PatternPort::Absent => parts.port.is_none(),
                PatternPort::Any => true,
                PatternPort::Exact(port) => parts.port == Some(self.get(port)),
            };
            host_matches && port_matches && same_bytes(self.get(p.scheme), parts.scheme)
        })
    }

    fn insert_origin<'a>(&mut self, entry: &'a str, pattern: bool) -> Result<(), ConfigError<'a>> {
        let span = self.store(&[entry.as_bytes()])?;
        self.origins
            .push(OriginEntry {
                hash: key_hash(entry.as_bytes(), pattern),
                span,
            })
            .map_err(|_| ConfigError::CapacityExceeded {
                capacity: Capacity::Origins,
                limit: ORIGINS,
            })
    }

    /// Whether `key` is stored as an exact origin (`pattern == false`) or as
    /// a pattern key (`pattern == true`): a walk (up to 16 entries) or a
    /// binary search on the sorted hashes, then a byte comparison. The two
    /// kinds never match each other, so a request cannot send a pattern's
    /// own text as its origin.
    // Always inlined on hosts: as a call of its own, the walk below cost
    // more in moving registers than it saved. A bare-metal image keeps one
    // copy of it, for size.
    #[cfg_attr(not(target_os = "none"), inline(always))]
    #[cfg_attr(target_os = "none", inline)]
    pub(crate) fn contains_origin(&self, key: &[u8], pattern: bool) -> bool {
        let h = key_hash(key, pattern);
        // A short table is walked, which takes fewer instructions than
        // halving it: a step is one compare, with nothing to compute.
        let start = if self.origins.len() <= 16 {
            self.origins
                .iter()
                .position(|e| e.hash >= h)
                .unwrap_or(self.origins.len())
        } else {
            self.origins.partition_point(|e| e.hash < h)
        };
        self.origins[start..]
            .iter()
            .take_while(|e| e.hash == h)
            .any(|e| self.get(e.span) == key)
    }

    /// Whether `name` is an allowed request-header name, compared
    /// ASCII-case-insensitively: a probe of the name index for up to
    /// [`NAME_INDEX_MAX`] names, else a binary search on (length, lowercase
    /// bytes). Either way the work per name is bounded by the policy's
    /// shape, which the request cannot change.
    #[inline(always)]
    pub(crate) fn lists_header(&self, name: &[u8]) -> bool {
        let matches = |span: Span| {
            let stored = self.get(span);
            same_bytes(stored, name) || stored.eq_ignore_ascii_case(name)
        };
        if self.header_names.len() <= NAME_INDEX_MAX {
            let mut slot = name_slot(name);
            // At most half the slots are taken: the probe ends at an empty
            // one long before the bound.
            for _ in 0..NAME_INDEX_SLOTS {
                let Some(&at) = self.header_index.get(slot) else {
                    return false;
                };
                if at == 0 {
                    return false;
                }
                if self
                    .header_names
                    .get(usize::from(at) - 1)
                    .is_some_and(|&s| matches(s))
                {
                    return true;
                }
                slot = (slot + 1) % NAME_INDEX_SLOTS;
            }
            return false;
        }
        // Browsers send lowercase names: compare those as plain bytes, and
        // lowercase on the fly only for the rare name with uppercase letters.
        let lowercase = !name.iter().any(u8::is_ascii_uppercase);
        self.header_names
            .binary_search_by(|&s| {
                (s.len as usize).cmp(&name.len()).then_with(|| {
                    let stored = self.get(s);
                    if lowercase {
                        stored.cmp(name)
                    } else {
                        let lower = name.iter().map(u8::to_ascii_lowercase);
                        stored.iter().copied().cmp(lower)
                    }
                })
            })
            .is_ok()
    }

    fn add_methods<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        let strict = self.strict();
        let list = match config.methods {
            Methods::Any => {
                if strict && config.credentials {
                    return Err(ConfigError::WildcardWithCredentials {
                        option: Setting::AllowedMethods,
                    });
                }
                self.any_method = true;
                self.allow_methods = Some(self.store(&[b"*"])?);
                return Ok(());
            }
            Methods::List(list) => list,
        };
        for (i, &entry) in list.iter().enumerate() {
            let bytes = entry.as_bytes();
            if strict {
                listed_wildcard(entry, config.credentials, Setting::AllowedMethods)?;
                check_method(entry, &list[..i])?;
            } else if !is_safe_value(bytes) {
                return Err(ConfigError::UnsafeValue {
                    option: Setting::AllowedMethods,
                    entry,
                });
            }
            let span = self.store(&[bytes])?;
            self.method_bits |= common_method_bit(bytes);
            self.methods
                .push(span)
                .map_err(|_| ConfigError::CapacityExceeded {
                    capacity: Capacity::Names,
                    limit: NAMES,
                })?;
        }
        if !list.is_empty() || self.behaviour.empty_values_sent {
            let span = self.store_list(list.iter().map(|m| m.as_bytes()))?;
            self.allow_methods = Some(span);
        }
        Ok(())
    }

    fn add_allowed_headers<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        let strict = self.strict();
        let list = match config.allowed_headers {
            AllowedHeaders::Mirror => {
                self.header_mode = HeaderMode::Mirror;
                return Ok(());
            }
            AllowedHeaders::Any => {
                if strict && config.credentials {
                    return Err(ConfigError::WildcardWithCredentials {
                        option: Setting::AllowedHeaders,
                    });
                }
                self.header_mode = HeaderMode::Any;
                self.allow_headers = Some(self.store(&[b"*"])?);
                return Ok(());
            }
            AllowedHeaders::List(list) => list,
        };
        for (i, &entry) in list.iter().enumerate() {
            if strict {
                listed_wildcard(entry, config.credentials, Setting::AllowedHeaders)?;
            }
            check_name(
                entry,
                &list[..i],
                strict,
                Setting::AllowedHeaders,
                is_forbidden_request_header,
                |entry| ConfigError::ForbiddenRequestHeader { entry },
            )?;
        }
        let added: &[&str] = if self.behaviour.safelisted_headers_added {
            &SAFELISTED_REQUEST_HEADERS
        } else {
            &[]
        };
        // The names to send: the configured ones as given (strict syntax has
        // already refused repeats; the `cors` package joins its list as is),
        // or, when the profile adds the safelisted ones, each distinct
        // spelling once and sorted (Starlette builds a sorted set).
        let set = self.behaviour.safelisted_headers_added;
        let mut sent: Vec<&str, NAMES> = Vec::new();
        for &name in list.iter().chain(added) {
            if !set || !sent.contains(&name) {
                sent.push(name).map_err(|_| ConfigError::CapacityExceeded {
                    capacity: Capacity::Names,
                    limit: NAMES,
                })?;
            }
        }
        if set {
            crate::sort::sort_by(&mut sent, |a, b| a < b);
        }
        if !sent.is_empty() || self.behaviour.empty_values_sent {
            let span = self.store_list(sent.iter().map(|h| h.as_bytes()))?;
            self.allow_headers = Some(span);
        }
        // The lookup table: lowercase, sorted, one entry per name.
        for name in &sent {
            let start = self.bytes.len();
            for b in name.bytes() {
                self.store(&[&[b.to_ascii_lowercase()]])?;
            }
            let span = Span {
                start: start as u32,
                len: name.len() as u32,
            };
            self.header_names
                .push(span)
                .map_err(|_| ConfigError::CapacityExceeded {
                    capacity: Capacity::Names,
                    limit: NAMES,
                })?;
        }
        // Sorted by length first: most lookups then end on a length
        // comparison, without looking at the bytes.
        let bytes = &self.bytes;
        let get = |s: &Span| &bytes[s.start as usize..(s.start + s.len) as usize];
        crate::sort::sort_by(&mut self.header_names, |a, b| {
            (a.len, get(a)) < (b.len, get(b))
        });
        if self.header_names.len() <= NAME_INDEX_MAX {
            for (i, span) in self.header_names.iter().enumerate() {
                let mut slot = name_slot(get(span));
                while self.header_index[slot] != 0 {
                    slot = (slot + 1) % NAME_INDEX_SLOTS;
                }
                // At most NAME_INDEX_MAX (32) names: the position fits.
                self.header_index[slot] = (i + 1) as u8;
            }
        }
        Ok(())
    }

    fn add_exposed_headers<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        let strict = self.strict();
        match config.exposed_headers {
            ExposedHeaders::Any => {
                if strict && config.credentials {
                    return Err(ConfigError::WildcardWithCredentials {
                        option: Setting::ExposedHeaders,
                    });
                }
                self.expose_headers = Some(self.store(&[b"*"])?);
            }
            ExposedHeaders::List(list) => {
                for (i, &entry) in list.iter().enumerate() {
                    if strict {
                        listed_wildcard(entry, config.credentials, Setting::ExposedHeaders)?;
                    }
                    check_name(
                        entry,
                        &list[..i],
                        strict,
                        Setting::ExposedHeaders,
                        is_forbidden_response_header,
                        |entry| ConfigError::ForbiddenResponseHeader { entry },
                    )?;
                }
                if !list.is_empty() {
                    let span = self.store_list(list.iter().map(|h| h.as_bytes()))?;
                    self.expose_headers = Some(span);
                }
            }
        }
        Ok(())
    }

    fn add_max_age<'a>(&mut self, config: &Config<'a>) -> Result<(), ConfigError<'a>> {
        match config.max_age {
            None => {}
            Some(MaxAge::Seconds(seconds)) => {
                if self.strict() && seconds > 86_400 {
                    return Err(ConfigError::MaxAgeOutOfRange { seconds });
                }
                let mut digits = [0u8; 10];
                let mut n = seconds;
                let mut i = digits.len();
                loop {
                    i -= 1;
                    digits[i] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                self.max_age = Some(self.store(&[&digits[i..]])?);
            }
            Some(MaxAge::Literal(value)) => {
                if self.strict() {
                    return Err(ConfigError::LiteralNeedsLiteralSyntax {
                        option: Setting::MaxAge,
                    });
                }
                if !is_safe_value(value.as_bytes()) {
                    return Err(ConfigError::UnsafeValue {
                        option: Setting::MaxAge,
                        entry: value,
                    });
                }
                self.max_age = Some(self.store(&[value.as_bytes()])?);
            }
        }
        Ok(())
    }

    fn add_vary(&mut self) -> Result<(), ConfigError<'static>> {
        let origin_matters = !self.any_origin
            || self.credentials
            || self.fixed_origin.is_some()
            || self.origin_verdict;
        match self.behaviour.vary {
            VaryStyle::Minimal => {
                let mut tokens: Vec<&[u8], 4> = Vec::new();
                if origin_matters {
                    let _ = tokens.push(b"Origin");
                }
                let _ = tokens.push(b"Access-Control-Request-Method");
                let _ = tokens.push(b"Access-Control-Request-Headers");
                if self.private_network {
                    let _ = tokens.push(b"Access-Control-Request-Private-Network");
                }
                let sep = self.behaviour.separator.as_bytes();
                let start = self.bytes.len();
                for (i, t) in tokens.iter().enumerate() {
                    if i > 0 {
                        self.store(&[sep])?;
                    }
                    self.store(&[t])?;
                }
                self.vary_preflight = Some(Span {
                    start: start as u32,
                    len: (self.bytes.len() - start) as u32,
                });
                if origin_matters {
                    self.vary_actual = Some(self.store(&[b"Origin"])?);
                }
            }
            VaryStyle::Starlette => {
                self.vary_preflight = Some(self.store(&[b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"])?);
                self.vary_actual = Some(self.store(&[b"Origin"])?);
            }
            VaryStyle::CorsNpm | VaryStyle::ListedOrigins => {}
        }
        Ok(())
    }
}

/// The table hash of an exact origin or of a pattern key: the two kinds get
/// hashes that differ for the same bytes, so they never match each other.
/// Inlined where the optimizer finds it worth it: the call and its setup
/// were about a tenth of the hash of a typical origin.
#[inline]
fn key_hash(key: &[u8], pattern: bool) -> u64 {
    const PATTERN_SEED: u64 = 0xA076_1D64_78BD_642F;
    hash(key) ^ if pattern { PATTERN_SEED } else { 0 }
}

/// Refuses `*` written as a list entry with credentials: on credentialed
/// requests browsers read it as a literal name, exactly as they read the
/// `Any` form, which is refused the same way.
pub(crate) fn listed_wildcard(
    entry: &str,
    credentials: bool,
    option: Setting,
) -> Result<(), ConfigError<'static>> {
    if credentials && entry == "*" {
        return Err(ConfigError::WildcardWithCredentials { option });
    }
    Ok(())
}

/// Validates one method of the allowed methods in strict syntax.
pub(crate) fn check_method<'a>(entry: &'a str, earlier: &[&'a str]) -> Result<(), ConfigError<'a>> {
    let bytes = entry.as_bytes();
    if !is_token(bytes) {
        return Err(ConfigError::NotAToken {
            option: Setting::AllowedMethods,
            entry,
        });
    }
    if [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(bytes))
    {
        return Err(ConfigError::ForbiddenMethod { entry });
    }
    let normalized = [&b"DELETE"[..], b"GET", b"HEAD", b"OPTIONS", b"POST", b"PUT"];
    if normalized
        .iter()
        .any(|m| m.eq_ignore_ascii_case(bytes) && *m != bytes)
    {
        return Err(ConfigError::MethodNotNormalized { entry });
    }
    if earlier.contains(&entry) {
        return Err(ConfigError::Duplicate {
            option: Setting::AllowedMethods,
            entry,
        });
    }
    Ok(())
}

/// Validates one name of a header list (allowed or exposed headers).
pub(crate) fn check_name<'a>(
    entry: &'a str,
    earlier: &[&'a str],
    strict: bool,
    option: Setting,
    forbidden: fn(&[u8]) -> bool,
    forbidden_error: fn(&'a str) -> ConfigError<'a>,
) -> Result<(), ConfigError<'a>> {
    let bytes = entry.as_bytes();
    if !strict {
        if !is_safe_value(bytes) {
            return Err(ConfigError::UnsafeValue { option, entry });
        }
        return Ok(());
    }
    if !is_token(bytes) {
        return Err(ConfigError::NotAToken { option, entry });
    }
    if forbidden(bytes) {
        return Err(forbidden_error(entry));
    }
    if earlier
        .iter()
        .any(|e| cmp_ignore_ascii_case(e.as_bytes(), bytes).is_eq())
    {
        return Err(ConfigError::Duplicate { option, entry });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AllowedHeaders;

    /// `n` distinct header names, several of each length and sharing first
    /// and last bytes, so that the index's probes collide.
    fn names(n: usize) -> Vec<heapless::String<16>, 64> {
        use core::fmt::Write;
        (0..n)
            .map(|i| {
                let mut name = heapless::String::new();
                let pad = &"aaaa"[..i % 5];
                write!(name, "x-{pad}{i}-z").unwrap();
                name
            })
            .collect()
    }

    #[test]
    fn listed_header_names_are_found_in_any_case_and_near_misses_are_not() {
        // Up to NAME_INDEX_MAX names use the index, more the binary search.
        for n in [0, 1, 2, 7, NAME_INDEX_MAX, NAME_INDEX_MAX + 1, 60] {
            let names = names(n);
            let list: Vec<&str, 64> = names.iter().map(|s| s.as_str()).collect();
            let config = Config::new()
                .allowed_origins(&["https://a.example"])
                .allowed_headers(AllowedHeaders::List(&list));
            let policy: Policy<8, 64, 8192> = Policy::new(&config).unwrap();
            for name in &names {
                assert!(policy.lists_header(name.as_bytes()), "{n}: {name}");
                let mut upper: Vec<u8, 16> = Vec::from_slice(name.as_bytes()).unwrap();
                upper.make_ascii_uppercase();
                assert!(policy.lists_header(&upper), "{n}: {upper:?}");
                let mut longer: Vec<u8, 17> = Vec::from_slice(name.as_bytes()).unwrap();
                longer.push(b'z').unwrap();
                assert!(!policy.lists_header(&longer), "{n}: {longer:?}");
                assert!(!policy.lists_header(&name.as_bytes()[1..]), "{n}: {name}");
                let mut changed = upper.clone();
                changed[1] = b'#';
                assert!(!policy.lists_header(&changed), "{n}: {changed:?}");
            }
            assert!(!policy.lists_header(b""));
            assert!(!policy.lists_header(b"x-z"));
        }
    }

    #[test]
    fn common_method_bits_are_distinct_and_only_for_their_method() {
        let common: [&[u8]; 7] = [
            b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS",
        ];
        let mut seen = 0u8;
        for m in common {
            let bit = common_method_bit(m);
            assert_eq!(bit.count_ones(), 1);
            assert_eq!(seen & bit, 0);
            seen |= bit;
            assert_eq!(common_method_bit(&m.to_ascii_lowercase()), 0);
        }
        assert_eq!(common_method_bit(b"PROPFIND"), 0);
    }

    #[test]
    fn the_pattern_index_agrees_with_the_keyed_lookup() {
        let patterns = [
            "https://*.example.com",
            "https://*.example.org:8443",
            "http://*.dev.example.net:*",
            "http://localhost:*",
            "https://*.a.b",
        ];
        let requests = [
            "https://a.example.com",
            "https://a.b.example.com",
            "https://example.com",
            "https://.example.com",
            "https://aexample.com",
            "https://a.example.com:443",
            "https://a.example.com.",
            "http://a.example.com",
            "https://x.example.org:8443",
            "https://x.example.org",
            "https://x.example.org:443",
            "http://x.dev.example.net",
            "http://x.dev.example.net:1",
            "http://dev.example.net:1",
            "http://localhost",
            "http://localhost:3000",
            "http://a.localhost:3000",
            "https://localhost:3000",
            "https://c.a.b",
            "https://a.b",
            "https://1.2.3.4",
            "https://[::1]:8443",
        ];
        let config = Config::new().allowed_origins(&patterns);
        let mut policy: Policy<16, 8, 1024> = Policy::new(&config).unwrap();
        assert!(policy.patterns_indexed);
        assert_eq!(policy.patterns.len(), patterns.len());
        let mut indexed = [false; 22];
        for (i, r) in requests.iter().enumerate() {
            let parts = crate::origin::parse_request_origin(r.as_bytes());
            indexed[i] = parts.is_some_and(|p| policy.matches_pattern(&p));
        }
        policy.patterns_indexed = false;
        for (i, r) in requests.iter().enumerate() {
            let parts = crate::origin::parse_request_origin(r.as_bytes());
            let keyed = parts.is_some_and(|p| policy.matches_pattern(&p));
            assert_eq!(keyed, indexed[i], "{r}");
        }
        // The expected answers, so that neither path can be wrong alike.
        let allowed = [0, 1, 8, 11, 12, 14, 15, 18];
        for (i, r) in requests.iter().enumerate() {
            assert_eq!(indexed[i], allowed.contains(&i), "{r}");
        }
    }

    #[test]
    fn more_patterns_than_the_index_holds_are_all_found() {
        let mut names: Vec<heapless::String<32>, 12> = Vec::new();
        for i in 0..12 {
            use core::fmt::Write;
            let mut s = heapless::String::new();
            write!(s, "https://*.site{i}.example").unwrap();
            names.push(s).unwrap();
        }
        let list: Vec<&str, 12> = names.iter().map(|s| s.as_str()).collect();
        let policy: Policy<16, 8, 1024> =
            Policy::new(&Config::new().allowed_origins(&list)).unwrap();
        assert!(!policy.patterns_indexed);
        for i in 0..12 {
            let mut origin: heapless::String<32> = heapless::String::new();
            use core::fmt::Write;
            write!(origin, "https://a.site{i}.example").unwrap();
            let parts = crate::origin::parse_request_origin(origin.as_bytes()).unwrap();
            assert!(policy.matches_pattern(&parts), "{origin}");
        }
    }
}
