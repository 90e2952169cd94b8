//! The CORS-preflight cache (Fetch "CORS-preflight cache"): what a passed
//! preflight lets the browser skip, and for how long.
#![cfg(feature = "fetch")]

use alloc::collections::{BTreeSet, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use super::request::{
    is_cors_non_wildcard_request_header_name, is_cors_safelisted_method, normalize_method,
    BrowserRequest,
};
use super::response::PreflightGrant;

/// A browser's own bounds on the preflight cache: the lifetime it uses
/// without `Access-Control-Max-Age`, and the longest it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrowserLimits {
    /// Seconds an entry lives when the preflight sent no (parseable) max-age.
    pub default_max_age: u64,
    /// The cap on `Access-Control-Max-Age`, in seconds.
    pub max_age_cap: u64,
}

impl BrowserLimits {
    /// Chromium: 5 seconds by default, at most 2 hours.
    pub const CHROMIUM: BrowserLimits = BrowserLimits {
        default_max_age: 5,
        max_age_cap: 7200,
    };
    /// Firefox: 5 seconds by default, at most 24 hours.
    pub const FIREFOX: BrowserLimits = BrowserLimits {
        default_max_age: 5,
        max_age_cap: 86400,
    };

    /// How long this browser keeps a preflight's answer: the max-age,
    /// capped, or the default without one.
    ///
    /// ```
    /// use corsguard::fetch::BrowserLimits;
    /// assert_eq!(BrowserLimits::CHROMIUM.lifetime(Some(600)), 600);
    /// assert_eq!(BrowserLimits::CHROMIUM.lifetime(Some(86400)), 7200);
    /// assert_eq!(BrowserLimits::CHROMIUM.lifetime(None), 5);
    /// ```
    pub fn lifetime(&self, max_age: Option<u64>) -> u64 {
        max_age.map_or(self.default_max_age, |age| age.min(self.max_age_cap))
    }
}

/// One cache entry: a method or a header name granted for (origin, URL,
/// credentials) until `expires` (seconds on the caller's clock).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    origin: String,
    url: String,
    credentials: bool,
    item: Item,
    expires: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// A method, byte-exact, or `*`.
    Method(Vec<u8>),
    /// A header name, lowercased, or `*`.
    Header(Vec<u8>),
}

/// A bounded model of one browser's CORS-preflight cache.
///
/// It holds at most [`PreflightCache::CAPACITY`] entries and drops the oldest
/// beyond that: an entry is request-derived data. Times are whole seconds on
/// the caller's clock.
///
/// ```
/// use corsguard::fetch::{BrowserLimits, BrowserRequest, PreflightCache, PreflightGrant};
/// let put = BrowserRequest::new("https://app.example.com", "PUT");
/// let grant = PreflightGrant { methods: vec![b"PUT".to_vec()], headers: vec![], max_age: Some(600) };
/// let mut cache = PreflightCache::new(BrowserLimits::CHROMIUM);
/// cache.store(&put, "https://api.example.com/items", &grant, 0);
/// assert!(cache.matches(&put, "https://api.example.com/items", 599));
/// assert!(!cache.matches(&put, "https://api.example.com/items", 600));
/// assert!(!cache.matches(&put, "https://api.example.com/other", 1));
/// ```
#[derive(Clone, Debug)]
pub struct PreflightCache {
    limits: BrowserLimits,
    entries: VecDeque<Entry>,
}

impl PreflightCache {
    /// The most entries kept.
    pub const CAPACITY: usize = 1024;

    /// An empty cache with these limits.
    pub fn new(limits: BrowserLimits) -> Self {
        PreflightCache {
            limits,
            entries: VecDeque::new(),
        }
    }

    /// How long (seconds) an entry from `grant` lives.
    pub fn lifetime(&self, grant: &PreflightGrant) -> u64 {
        self.limits.lifetime(grant.max_age)
    }

    /// Stores what a passed preflight for `req` to `url` granted at `now`
    /// (Fetch "CORS-preflight fetch", step 7.8): one entry per method and
    /// per header name, replacing an earlier entry for the same item. A
    /// lifetime of 0 stores nothing.
    pub fn store(&mut self, req: &BrowserRequest, url: &str, grant: &PreflightGrant, now: u64) {
        let lifetime = self.lifetime(grant);
        if lifetime == 0 {
            return;
        }
        let mut fresh: BTreeSet<Item> = BTreeSet::new();
        let items: Vec<Item> = grant
            .methods
            .iter()
            .map(|m| Item::Method(m.clone()))
            .chain(
                grant
                    .headers
                    .iter()
                    .map(|h| Item::Header(h.to_ascii_lowercase())),
            )
            .filter(|item| fresh.insert(item.clone()))
            .collect();
        // One pass drops the earlier entries these replace: the work is
        // linear in the cache, not in the cache times the grant.
        self.entries.retain(|e| {
            !(e.origin == req.origin
                && e.url == url
                && e.credentials == req.credentials
                && fresh.contains(&e.item))
        });
        for item in items {
            if self.entries.len() == Self::CAPACITY {
                self.entries.pop_front();
            }
            self.entries.push_back(Entry {
                origin: req.origin.clone(),
                url: String::from(url),
                credentials: req.credentials,
                item,
                expires: now.saturating_add(lifetime),
            });
        }
    }

    fn has(&self, req: &BrowserRequest, url: &str, now: u64, wanted: &Item) -> bool {
        self.entries.iter().any(|e| {
            e.expires > now
                && e.origin == req.origin
                && e.url == url
                // A credentialed request needs an entry made with credentials.
                && (e.credentials || !req.credentials)
                && &e.item == wanted
        })
    }

    /// Whether the browser skips the preflight for `req` to `url` at `now`
    /// (Fetch "main fetch", the preflight cache lookup): the method is
    /// safelisted or has a method cache entry match (or `*` without
    /// credentials), and every CORS-unsafe header name has a header-name
    /// cache entry match (or `*` without credentials, never for
    /// `Authorization`). Private Network Access requests always preflight
    /// in this model.
    pub fn matches(&self, req: &BrowserRequest, url: &str, now: u64) -> bool {
        if req.private_network {
            return false;
        }
        let method = normalize_method(req.method.as_bytes());
        let wildcard = |item: Item| !req.credentials && self.has(req, url, now, &item);
        let method_ok = is_cors_safelisted_method(&method)
            || self.has(req, url, now, &Item::Method(method.clone()))
            || wildcard(Item::Method(b"*".to_vec()));
        method_ok
            && req.unsafe_header_names().iter().all(|name| {
                let lower = name.as_bytes().to_vec();
                self.has(req, url, now, &Item::Header(lower))
                    || (!is_cors_non_wildcard_request_header_name(name.as_bytes())
                        && wildcard(Item::Header(b"*".to_vec())))
            })
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
