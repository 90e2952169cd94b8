//! Adapters for the [`http`](https://docs.rs/http) crate's types (feature
//! `http`), for servers built on hyper, axum or tower.
//!
//! ```
//! use corsguard::{Config, Policy, Action};
//! use corsguard::http::{apply, RequestHeaders};
//!
//! let config = Config::new().allowed_origins(&["http://localhost:3000"]);
//! let policy: Policy = Policy::new(&config).unwrap();
//!
//! let request = http::Request::get("/api")
//!     .header("origin", "http://localhost:3000")
//!     .body(())
//!     .unwrap();
//! let cors = RequestHeaders::from_request(&request);
//! let decision = policy.evaluate(&cors.request());
//! assert_eq!(decision.action(), Action::Continue);
//!
//! let mut response = http::Response::new(());
//! response.headers_mut().insert("vary", "accept-encoding".parse().unwrap());
//! apply(&policy, &decision, response.headers_mut());
//! assert_eq!(response.headers()["access-control-allow-origin"], "http://localhost:3000");
//! assert_eq!(response.headers()["vary"], "accept-encoding, Origin");
//! ```

use std::borrow::Cow;
use std::vec::Vec;

use http::header::{
    HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::Method;

use crate::template::{Source, Template, TemplateKind};
use crate::{Decision, Policy, Request, VaryMerge};

/// The CORS request headers of an `http` request, borrowed from its
/// `HeaderMap`.
///
/// Browsers send each of these headers once. Several `Origin` (or
/// `Access-Control-Request-Method`) lines are not something a browser
/// sends, so they are read as a malformed (empty) value and refused.
/// `Access-Control-Request-Headers` split over several lines by a proxy is
/// joined with `,`, which is the only case where this adapter allocates.
#[derive(Clone, Debug)]
pub struct RequestHeaders<'h> {
    method: &'h [u8],
    /// The request's own values of `Origin` and of a one-line
    /// `Access-Control-Request-Headers`, which a decision may reflect.
    values: [Option<&'h HeaderValue>; 2],
    origin: Option<&'h [u8]>,
    request_method: Option<&'h [u8]>,
    request_headers: Option<Cow<'h, [u8]>>,
    request_private_network: Option<&'h [u8]>,
    origin_verdict: Option<bool>,
}

const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// One header's lines in a request, as the one pass over its headers finds
/// them.
#[derive(Default)]
struct Lines<'h> {
    first: Option<&'h HeaderValue>,
    count: usize,
}

impl<'h> Lines<'h> {
    fn add(&mut self, value: &'h HeaderValue) {
        self.first = self.first.or(Some(value));
        self.count += 1;
    }

    /// The value of a header sent once; several lines read as one empty
    /// value.
    fn single(&self) -> (Option<&'h [u8]>, Option<&'h HeaderValue>) {
        match (self.first, self.count) {
            (None, _) => (None, None),
            (Some(one), 1) => (Some(one.as_bytes()), Some(one)),
            (Some(_), _) => (Some(b""), None),
        }
    }
}

impl<'h> RequestHeaders<'h> {
    /// Reads the method and the CORS headers.
    ///
    /// `Access-Control-Request-Method` and `-Headers` are read only for an
    /// `OPTIONS` request (in any case): no decision on another method
    /// depends on them.
    pub fn new(method: &'h Method, headers: &'h HeaderMap) -> Self {
        let method = method.as_str().as_bytes();
        let options = method.eq_ignore_ascii_case(b"OPTIONS");
        // One pass over the request's headers instead of a hashed lookup
        // per name: comparing a standard name is comparing a number, and a
        // request has a few dozen lines at most (the server bounds them).
        // `iter` yields the lines of one name together, in order.
        let (mut origin, mut request_method, mut private_network) =
            (Lines::default(), Lines::default(), Lines::default());
        let mut acrh = Lines::default();
        let mut joined: Option<Vec<u8>> = None;
        for (name, value) in headers.iter() {
            if *name == ORIGIN {
                origin.add(value);
            } else if !options {
                if *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK {
                    private_network.add(value);
                }
            } else if *name == ACCESS_CONTROL_REQUEST_METHOD {
                request_method.add(value);
            } else if *name == ACCESS_CONTROL_REQUEST_HEADERS {
                match (acrh.first, &mut joined) {
                    (None, _) => {}
                    (Some(first), None) => {
                        let mut all = Vec::with_capacity(first.len() + value.len() + 1);
                        all.extend_from_slice(first.as_bytes());
                        all.push(b',');
                        all.extend_from_slice(value.as_bytes());
                        joined = Some(all);
                    }
                    (Some(_), Some(all)) => {
                        all.push(b',');
                        all.extend_from_slice(value.as_bytes());
                    }
                }
                acrh.add(value);
            } else if *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK {
                private_network.add(value);
            }
        }
        let (origin, origin_value) = origin.single();
        let (request_headers, reflected) = match (joined, acrh.first) {
            (Some(all), _) => (Some(Cow::Owned(all)), None),
            (None, Some(one)) => (Some(Cow::Borrowed(one.as_bytes())), Some(one)),
            (None, None) => (None, None),
        };
        RequestHeaders {
            method,
            values: [origin_value, reflected],
            origin,
            request_method: options.then(|| request_method.single().0).flatten(),
            request_headers,
            request_private_network: private_network.single().0,
            origin_verdict: None,
        }
    }

    /// Reads an `http::Request`.
    pub fn from_request<B>(request: &'h http::Request<B>) -> Self {
        Self::new(request.method(), request.headers())
    }

    /// Reads `http::request::Parts`.
    pub fn from_parts(parts: &'h http::request::Parts) -> Self {
        Self::new(&parts.method, &parts.headers)
    }

    /// Adds the host's verdict on the origin (see
    /// [`Config::origin_verdict`](crate::Config::origin_verdict)).
    pub fn with_origin_verdict(mut self, allowed: bool) -> Self {
        self.origin_verdict = Some(allowed);
        self
    }

    /// The request's own `HeaderValue` whose bytes `value` is (the same
    /// memory), cloned: a reflected origin or mirrored request headers.
    fn own_value(&self, value: &[u8]) -> Option<HeaderValue> {
        self.values
            .iter()
            .flatten()
            .find(|v| {
                let bytes = v.as_bytes();
                bytes.as_ptr() == value.as_ptr() && bytes.len() == value.len()
            })
            .map(|v| (*v).clone())
    }

    /// The origin, if the request has exactly one.
    pub fn origin(&self) -> Option<&'h [u8]> {
        self.origin
    }

    /// The core's view of the request, to pass to [`Policy::evaluate`].
    pub fn request(&self) -> Request<'_> {
        Request {
            method: self.method,
            origin: self.origin,
            request_method: self.request_method,
            request_headers: self.request_headers.as_deref(),
            request_private_network: self.request_private_network,
            origin_verdict: self.origin_verdict,
        }
    }
}

/// The `http` crate's constant for a CORS header name (no parsing).
fn http_name(name: crate::HeaderName) -> HeaderName {
    use http::header;
    match name {
        crate::HeaderName::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        crate::HeaderName::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        crate::HeaderName::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        crate::HeaderName::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        crate::HeaderName::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        crate::HeaderName::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        crate::HeaderName::AllowPrivateNetwork => {
            HeaderName::from_static("access-control-allow-private-network")
        }
        crate::HeaderName::Vary => VARY,
    }
}

/// Writes a decision's headers into a response's `HeaderMap`: each CORS
/// header is set (replacing an earlier value), and `Vary` is merged into the
/// existing one the way the policy's [`VaryMerge`] says, never overwritten.
///
/// Each value is copied into a new `HeaderValue`; [`Writer`] avoids that for
/// the values the policy holds.
pub fn apply<const O: usize, const N: usize, const B: usize>(
    policy: &Policy<O, N, B>,
    decision: &Decision<'_>,
    headers: &mut HeaderMap,
) {
    write(policy, decision, headers, |value| {
        HeaderValue::from_bytes(value).ok()
    });
}

fn write<const O: usize, const N: usize, const B: usize>(
    policy: &Policy<O, N, B>,
    decision: &Decision<'_>,
    headers: &mut HeaderMap,
    value_of: impl Fn(&[u8]) -> Option<HeaderValue>,
) {
    let merge = policy.behaviour().vary_merge;
    for header in decision.headers() {
        if let Some(value) = value_of(header.value) {
            put(headers, http_name(header.name), value, merge);
        }
    }
}

/// Sets one CORS header: replaces the response's own, except `Vary`, which
/// is merged into the response's `Vary` by `merge`.
#[inline]
fn put(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue, merge: VaryMerge) {
    if name == VARY && headers.contains_key(VARY) {
        merge_vary(headers, value.as_bytes(), merge);
    } else {
        headers.insert(name, value);
    }
}

/// Writes decisions of one policy into `HeaderMap`s, reusing `HeaderValue`s
/// built once for every value the policy holds (so writing them costs a
/// reference-count increment, not a copy). Values taken from the request
/// (a reflected origin, mirrored request headers) are still copied.
///
/// ```
/// use corsguard::{Config, Policy, Request};
/// use corsguard::http::Writer;
///
/// let config = Config::new().allowed_origins(&["https://app.example.com"]).credentials(true);
/// let policy: Policy = Policy::new(&config).unwrap();
/// let writer = Writer::new(&policy);
/// let decision = policy.evaluate(&Request::new(b"GET").origin(b"https://app.example.com"));
/// let mut headers = http::HeaderMap::new();
/// writer.apply(&decision, &mut headers);
/// assert_eq!(headers["access-control-allow-credentials"], "true");
/// ```
#[derive(Debug)]
pub struct Writer<'p, const O: usize, const N: usize, const B: usize> {
    policy: &'p Policy<O, N, B>,
    values: Prebuilt,
}

impl<'p, const O: usize, const N: usize, const B: usize> Writer<'p, O, N, B> {
    /// Builds the `HeaderValue` of every header value the policy holds.
    pub fn new(policy: &'p Policy<O, N, B>) -> Self {
        Writer {
            policy,
            values: Prebuilt::new(policy),
        }
    }

    /// Like [`apply`], with the prebuilt values.
    pub fn apply(&self, decision: &Decision<'_>, headers: &mut HeaderMap) {
        self.values.apply(self.policy, decision, headers);
    }
}

/// The `HeaderValue` of every header value a policy holds, built once and
/// owned: [`Writer`] without the borrow, for a holder that keeps its
/// policies behind an `Arc` or in a [`PolicySet`](crate::PolicySet) (one
/// `Prebuilt` per policy). [`Prebuilt::apply`] writes what [`apply`]
/// writes, cloning these values (a reference-count increment) instead of
/// copying them; values taken from the request are still copied. Given
/// another policy than its own, it still writes the right values (each
/// prebuilt value is used only when its bytes are the value's), only
/// without the saving.
///
/// It also holds, for each of the policy's answer shapes, the answer's
/// headers as a ready `HeaderMap` with a placeholder where the request
/// supplies a value. [`Prebuilt::write_for`] starts an empty map (a
/// preflight's, which the server answers itself) from a copy of that map
/// and sets the request's values in place: the same headers in the same
/// order as writing them one by one, for a fraction of the work.
#[derive(Clone, Debug, Default)]
pub struct Prebuilt {
    /// (offset in the policy's bytes, value), a handful of entries.
    values: Vec<(usize, HeaderValue)>,
    /// The policy's `stamp`: the maps are used for that policy only.
    stamp: u64,
    /// One per `TemplateKind` (by its index), `None` where the template
    /// cannot be prebuilt; empty when the policy has no stamp.
    maps: Vec<Option<PrebuiltMap>>,
}

/// A template's headers as a `HeaderMap`, and where its request values go.
#[derive(Clone, Debug)]
struct PrebuiltMap {
    map: HeaderMap,
    /// (position in the template, name) of each value the request
    /// supplies: at most two, each name once in the template, never `Vary`.
    from_request: Vec<(usize, HeaderName)>,
}

/// Builds the map of one template: the values it stores, `put` in order as
/// [`write`] puts them, and an empty placeholder for each value the request
/// supplies. `None` when a request value's name is `Vary` or appears twice
/// in the template (setting it in place would not be what `write` does),
/// or a stored value is not a `HeaderValue`.
fn prebuild<const O: usize, const N: usize, const B: usize>(
    policy: &Policy<O, N, B>,
    template: &Template,
) -> Option<PrebuiltMap> {
    let merge = policy.behaviour().vary_merge;
    let mut map = HeaderMap::with_capacity(template.len());
    let mut from_request = Vec::new();
    for (position, entry) in template.iter().enumerate() {
        let name = http_name(entry.name);
        let value = match entry.source {
            Source::Stored(span) => HeaderValue::from_bytes(policy.get(span)).ok()?,
            Source::True | Source::PrivateNetwork => HeaderValue::from_static("true"),
            Source::VaryOrigin => HeaderValue::from_static("Origin"),
            Source::VaryRequestHeaders => {
                HeaderValue::from_static("Access-Control-Request-Headers")
            }
            Source::Origin | Source::Mirrored => {
                let repeated = template
                    .iter()
                    .filter(|other| other.name == entry.name)
                    .count()
                    > 1;
                if name == VARY || repeated || from_request.len() == 2 {
                    return None;
                }
                from_request.push((position, name.clone()));
                HeaderValue::from_static("")
            }
        };
        put(&mut map, name, value, merge);
    }
    Some(PrebuiltMap { map, from_request })
}

impl Prebuilt {
    /// Builds the `HeaderValue` of every header value `policy` holds.
    pub fn new<const O: usize, const N: usize, const B: usize>(policy: &Policy<O, N, B>) -> Self {
        let values = policy
            .constant_values()
            .filter_map(|(offset, bytes)| Some((offset, HeaderValue::from_bytes(bytes).ok()?)))
            .collect();
        let maps = if policy.stamp == 0 {
            Vec::new()
        } else {
            TemplateKind::ALL
                .iter()
                .map(|&kind| prebuild(policy, policy.templates.get(kind)))
                .collect()
        };
        Prebuilt {
            values,
            stamp: policy.stamp,
            maps,
        }
    }

    /// Writes `decision` (made by `policy`) into `headers`, as [`apply`] does.
    pub fn apply<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        decision: &Decision<'_>,
        headers: &mut HeaderMap,
    ) {
        write(policy, decision, headers, |value| {
            self.value(policy, value)
                .or_else(|| HeaderValue::from_bytes(value).ok())
        });
    }

    /// Like [`Prebuilt::apply`] for a decision judged from `request`'s
    /// headers (read with [`RequestHeaders`]): a value the decision takes
    /// from the request (a reflected origin, mirrored request headers) is
    /// the request's own `HeaderValue`, cloned (a reference-count increment
    /// where the request's bytes are shared, as hyper's are), not copied.
    pub fn apply_for<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        decision: &Decision<'_>,
        request: &HeaderMap,
        headers: &mut HeaderMap,
    ) {
        write(policy, decision, headers, |value| {
            self.resolve(policy, value, |v| from_request(request, v))
        });
    }

    /// Writes `decision` (judged from `request`) into `headers`, as
    /// [`Prebuilt::apply_for`] does, reflecting the request's own values
    /// without looking them up again.
    pub fn write_for<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        decision: &Decision<'_>,
        request: &RequestHeaders<'_>,
        headers: &mut HeaderMap,
    ) {
        if headers.is_empty() {
            if let Some(map) = self.prebuilt_answer(policy, decision, request) {
                *headers = map;
                return;
            }
        }
        headers.reserve(decision.headers().len() + 1);
        write(policy, decision, headers, |value| {
            self.resolve(policy, value, |v| request.own_value(v))
        });
    }

    /// The decision's headers as a copy of its template's prebuilt map with
    /// the request's values set, when the decision wrote its whole template
    /// and this is its policy's `Prebuilt`.
    fn prebuilt_answer<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        decision: &Decision<'_>,
        request: &RequestHeaders<'_>,
    ) -> Option<HeaderMap> {
        if self.stamp != policy.stamp {
            return None;
        }
        let kind = decision.template?;
        let prebuilt = self.maps.get(kind.index())?.as_ref()?;
        let headers = decision.headers();
        // Only a decision that wrote its whole template (no entry left out
        // for a missing value) has the map's headers.
        if headers.len() != policy.templates.get(kind).len() {
            return None;
        }
        let mut values: [Option<HeaderValue>; 2] = [None, None];
        for (slot, (position, _)) in values.iter_mut().zip(&prebuilt.from_request) {
            let value = headers.get(*position)?.value;
            *slot = Some(self.resolve(policy, value, |v| request.own_value(v))?);
        }
        let mut map = prebuilt.map.clone();
        for ((_, name), value) in prebuilt.from_request.iter().zip(values) {
            // The placeholder's own slot (`insert` would first make room
            // for a new entry, which the copy has none of).
            *map.get_mut(name)? = value?;
        }
        Some(map)
    }

    /// The headers of `decision` (judged from `request`'s headers) as
    /// `http` names and values, to write later with [`Answer::write_to`]:
    /// for a host that judges the request before its service runs and
    /// writes the response afterwards. `request` is what the decision was
    /// judged from. Values as [`Prebuilt::apply_for`] takes them; nothing is hashed into a `HeaderMap` until the response
    /// is at hand.
    pub fn answer_for<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        decision: &Decision<'_>,
        request: &RequestHeaders<'_>,
    ) -> Answer {
        let headers = decision.headers();
        let mut pairs = Vec::with_capacity(headers.len());
        for header in headers {
            let value = self.resolve(policy, header.value, |v| request.own_value(v));
            if let Some(value) = value {
                pairs.push((http_name(header.name), value));
            }
        }
        Answer {
            pairs,
            vary_merge: policy.behaviour().vary_merge,
        }
    }

    /// The `HeaderValue` to write for `value`: prebuilt, else the request's
    /// own (as `own` finds it), else a copy.
    fn resolve<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        value: &[u8],
        own: impl Fn(&[u8]) -> Option<HeaderValue>,
    ) -> Option<HeaderValue> {
        self.value(policy, value)
            .or_else(|| own(value))
            .or_else(|| HeaderValue::from_bytes(value).ok())
    }

    /// The prebuilt or static value for `value`, if there is one.
    fn value<const O: usize, const N: usize, const B: usize>(
        &self,
        policy: &Policy<O, N, B>,
        value: &[u8],
    ) -> Option<HeaderValue> {
        let cached = policy.offset_of(value).and_then(|offset| {
            self.values
                .iter()
                .find(|(o, v)| *o == offset && v.as_bytes() == value)
                .map(|(_, v)| v.clone())
        });
        cached.or(match value {
            b"*" => Some(HeaderValue::from_static("*")),
            b"true" => Some(HeaderValue::from_static("true")),
            b"Origin" => Some(HeaderValue::from_static("Origin")),
            _ => None,
        })
    }
}

/// A decision's CORS headers as `http` names and values, in order, with the
/// policy's way of merging `Vary` ([`Prebuilt::answer_for`] makes one).
#[derive(Clone, Debug)]
pub struct Answer {
    pairs: Vec<(HeaderName, HeaderValue)>,
    vary_merge: VaryMerge,
}

impl Answer {
    /// The headers, in the order the decision lists them (`Vary` included).
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.pairs
    }

    /// Writes the headers into a response's `HeaderMap`, as [`apply`]
    /// does: each CORS header replaces the response's own, and `Vary` is
    /// merged into the response's `Vary`, never overwritten.
    pub fn write_to(self, headers: &mut HeaderMap) {
        for (name, value) in self.pairs {
            put(headers, name, value, self.vary_merge);
        }
    }
}

/// The request's own `Origin` or `Access-Control-Request-Headers` value,
/// when `value` is exactly its bytes (the same memory, not only equal).
fn from_request(request: &HeaderMap, value: &[u8]) -> Option<HeaderValue> {
    [ORIGIN, ACCESS_CONTROL_REQUEST_HEADERS]
        .iter()
        .filter_map(|name| request.get(name))
        .find(|v| {
            let bytes = v.as_bytes();
            bytes.as_ptr() == value.as_ptr() && bytes.len() == value.len()
        })
        .cloned()
}

/// Adds `tokens` (a comma-separated list) to the response's `Vary`, as
/// [`merge_vary`](crate::merge_vary) does, leaving one `Vary` header.
pub fn merge_vary(headers: &mut HeaderMap, tokens: &[u8], merge: VaryMerge) {
    let mut existing: Vec<u8> = Vec::new();
    for (i, line) in headers.get_all(VARY).iter().enumerate() {
        if i > 0 {
            existing.extend_from_slice(b", ");
        }
        existing.extend_from_slice(line.as_bytes());
    }
    let mut merged: Vec<u8> = Vec::with_capacity(existing.len() + tokens.len() + 2);
    if !crate::merge_vary(merge, &existing, tokens, |piece| {
        merged.extend_from_slice(piece)
    }) {
        return;
    }
    if let Ok(value) = HeaderValue::from_bytes(&merged) {
        headers.insert(VARY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AllowedHeaders, Config, HeaderName as Name, Methods};
    use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;

    fn policy() -> Policy<8, 8, 1024> {
        let config = Config::new()
            .allowed_origins(&["https://app.example.com"])
            .allowed_methods(Methods::List(&["PUT"]))
            .allowed_headers(AllowedHeaders::List(&["x-a", "x-b"]));
        Policy::new(&config).unwrap()
    }

    #[test]
    fn request_headers_split_over_lines_are_joined() {
        let req = http::Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", "x-a")
            .header("access-control-request-headers", "x-b")
            .body(())
            .unwrap();
        let p = policy();
        let cors = RequestHeaders::from_request(&req);
        assert_eq!(cors.request().request_headers, Some(&b"x-a,x-b"[..]));
        assert!(p.evaluate(&cors.request()).is_allowed());
    }

    #[test]
    fn two_origin_lines_are_refused() {
        let req = http::Request::get("/")
            .header("origin", "https://app.example.com")
            .header("origin", "https://app.example.com")
            .body(())
            .unwrap();
        let p = policy();
        let cors = RequestHeaders::from_request(&req);
        let decision = p.evaluate(&cors.request());
        assert!(!decision.is_allowed());
        assert_eq!(decision.header(Name::AllowOrigin), None);
    }

    #[test]
    fn vary_is_merged_not_overwritten() {
        let mut h = HeaderMap::new();
        h.append(VARY, "Accept-Encoding".parse().unwrap());
        h.append(VARY, "origin".parse().unwrap());
        merge_vary(
            &mut h,
            b"Origin, Access-Control-Request-Method",
            VaryMerge::Dedup,
        );
        assert_eq!(
            h.get_all(VARY).iter().collect::<Vec<_>>(),
            ["Accept-Encoding, origin, Access-Control-Request-Method"]
        );
    }

    #[test]
    fn vary_star_absorbs_everything() {
        let mut h = HeaderMap::new();
        h.insert(VARY, "*".parse().unwrap());
        merge_vary(&mut h, b"Origin", VaryMerge::Dedup);
        assert_eq!(h[VARY], "*");
    }

    #[test]
    fn vary_join_keeps_repeats() {
        let mut h = HeaderMap::new();
        h.insert(VARY, "Origin".parse().unwrap());
        merge_vary(&mut h, b"Origin", VaryMerge::Join);
        assert_eq!(h[VARY], "Origin, Origin");
    }

    #[test]
    fn apply_sets_every_header_of_an_allowed_preflight() {
        let p = policy();
        let req = http::Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap();
        let cors = RequestHeaders::from_request(&req);
        let decision = p.evaluate(&cors.request());
        let mut h = HeaderMap::new();
        apply(&p, &decision, &mut h);
        assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
        assert_eq!(h["access-control-allow-methods"], "PUT");
        assert_eq!(h["access-control-allow-headers"], "x-a, x-b");
        assert_eq!(
            h[VARY],
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        );
    }

    #[test]
    fn skipping_the_preflight_headers_of_other_methods_changes_no_decision() {
        use crate::Behaviour;
        let configs = [
            Config::new()
                .allowed_origins(&["https://app.example.com"])
                .allowed_headers(AllowedHeaders::Mirror),
            Config::new()
                .behaviour(Behaviour::CORS_NPM)
                .allowed_origins(&["https://app.example.com"])
                .allowed_headers(AllowedHeaders::Mirror),
            Config::new()
                .behaviour(Behaviour::STARLETTE)
                .allowed_origins(&["*"])
                .allowed_headers(AllowedHeaders::Mirror)
                .private_network(true),
        ];
        for config in configs {
            let p: Policy<8, 8, 1024> = Policy::new(&config).unwrap();
            for method in ["GET", "POST", "PUT", "OPTIONS", "options"] {
                let req = http::Request::builder()
                    .method(method)
                    .uri("/")
                    .header("origin", "https://app.example.com")
                    .header("access-control-request-method", "PUT")
                    .header("access-control-request-headers", "x-a")
                    .header("access-control-request-private-network", "true")
                    .body(())
                    .unwrap();
                let cors = RequestHeaders::from_request(&req);
                let everything = Request::new(method.as_bytes())
                    .origin(b"https://app.example.com")
                    .request_method(b"PUT")
                    .request_headers(b"x-a")
                    .request_private_network(b"true");
                assert_eq!(
                    p.evaluate(&cors.request()),
                    p.evaluate(&everything),
                    "{method}"
                );
            }
        }
    }

    #[test]
    fn an_answer_written_later_is_what_apply_writes_now() {
        let p = policy();
        let prebuilt = Prebuilt::new(&p);
        for method in ["OPTIONS", "GET"] {
            let req = http::Request::builder()
                .method(method)
                .uri("/")
                .header("origin", "https://app.example.com")
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "x-a")
                .body(())
                .unwrap();
            let cors = RequestHeaders::from_request(&req);
            let decision = p.evaluate(&cors.request());
            // A response with its own Vary and its own (stale) CORS header.
            let mut response = HeaderMap::new();
            response.append(VARY, "Accept-Encoding".parse().unwrap());
            response.insert(
                ACCESS_CONTROL_ALLOW_ORIGIN,
                "https://stale.example".parse().unwrap(),
            );
            let mut now = response.clone();
            prebuilt.apply_for(&p, &decision, req.headers(), &mut now);
            let answer = prebuilt.answer_for(&p, &decision, &cors);
            assert_eq!(answer.headers().len(), decision.headers().len());
            let mut later = response.clone();
            answer.write_to(&mut later);
            assert_eq!(later, now, "{method}");
            assert_eq!(
                later[ACCESS_CONTROL_ALLOW_ORIGIN],
                "https://app.example.com"
            );
            assert!(later[VARY]
                .to_str()
                .unwrap()
                .starts_with("Accept-Encoding, Origin"));
        }
    }

    fn preflight_request(origin: &str, method: &str) -> http::Request<()> {
        http::Request::options("/")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "x-a")
            .body(())
            .unwrap()
    }

    #[test]
    fn the_one_pass_over_the_request_reads_each_cors_header_as_a_lookup_would() {
        let request = http::Request::options("/")
            .header("x-other", "1")
            .header("access-control-request-headers", "x-a")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "x-b")
            .header("access-control-request-private-network", "true")
            .header("access-control-request-headers", "x-c")
            .body(())
            .unwrap();
        let headers = RequestHeaders::from_request(&request);
        let cors = headers.request();
        assert_eq!(cors.origin, Some(&b"https://app.example.com"[..]));
        // Two method lines are one malformed (empty) value.
        assert_eq!(cors.request_method, Some(&b""[..]));
        assert_eq!(cors.request_headers, Some(&b"x-a,x-b,x-c"[..]));
        assert_eq!(cors.request_private_network, Some(&b"true"[..]));
        let get = http::Request::get("/")
            .header("access-control-request-private-network", "true")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap();
        let headers = RequestHeaders::from_request(&get);
        let cors = headers.request();
        assert_eq!((cors.origin, cors.request_method), (None, None));
        assert_eq!(cors.request_private_network, Some(&b"true"[..]));
    }

    #[test]
    fn a_preflight_is_written_from_its_prebuilt_map() {
        let policy = policy();
        let prebuilt = Prebuilt::new(&policy);
        let request = preflight_request("https://app.example.com", "PUT");
        let headers = RequestHeaders::from_request(&request);
        let decision = policy.evaluate(&headers.request());
        let map = prebuilt.prebuilt_answer(&policy, &decision, &headers);
        let map = map.expect("an allowed preflight has a prebuilt map");
        assert_eq!(map[ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
        // The origin is the request's own value, shared, not a copy.
        let sent = map[ACCESS_CONTROL_ALLOW_ORIGIN].as_bytes().as_ptr();
        assert_eq!(sent, request.headers()["origin"].as_bytes().as_ptr());
    }

    #[test]
    fn a_prebuilt_map_is_never_used_for_a_policy_rebuilt_in_its_place() {
        let mut policy = policy();
        let prebuilt = Prebuilt::new(&policy);
        // The same shape of answer, with other values, in the same memory.
        let config = Config::new()
            .allowed_origins(&["https://app.example.com"])
            .allowed_methods(Methods::List(&["PATCH"]))
            .allowed_headers(AllowedHeaders::List(&["x-a", "x-c"]));
        policy.rebuild(&config).unwrap();
        let request = preflight_request("https://app.example.com", "PATCH");
        let headers = RequestHeaders::from_request(&request);
        let decision = policy.evaluate(&headers.request());
        assert!(decision.is_allowed());
        assert!(prebuilt
            .prebuilt_answer(&policy, &decision, &headers)
            .is_none());
        let (mut expected, mut written) = (HeaderMap::new(), HeaderMap::new());
        apply(&policy, &decision, &mut expected);
        prebuilt.write_for(&policy, &decision, &headers, &mut written);
        assert_eq!(written, expected);
        assert_eq!(written["access-control-allow-methods"], "PATCH");
    }

    #[test]
    fn prebuilt_writes_what_apply_writes_even_for_another_policy() {
        let one = policy();
        let config = Config::new()
            .allowed_origins(&["https://other.example"])
            .allowed_methods(Methods::List(&["PATCH"]))
            .max_age(7);
        let other: Policy<8, 8, 1024> = Policy::new(&config).unwrap();
        let prebuilt = Prebuilt::new(&one);
        for (policy, origin, method) in [
            (&one, "https://app.example.com", "PUT"),
            (&other, "https://other.example", "PATCH"),
        ] {
            let request = Request::new(b"OPTIONS")
                .origin(origin.as_bytes())
                .request_method(method.as_bytes());
            let decision = policy.evaluate(&request);
            assert!(decision.is_allowed());
            let (mut expected, mut written) = (HeaderMap::new(), HeaderMap::new());
            apply(policy, &decision, &mut expected);
            prebuilt.apply(policy, &decision, &mut written);
            assert_eq!(written, expected);
        }
    }

    #[test]
    fn apply_for_shares_the_request_s_origin_instead_of_copying_it() {
        let config = Config::new()
            .allowed_origins(&["https://app.example.com"])
            .allowed_methods(Methods::List(&["PUT"]))
            .allowed_headers(AllowedHeaders::Mirror);
        let policy: Policy<8, 8, 1024> = Policy::new(&config).unwrap();
        let prebuilt = Prebuilt::new(&policy);
        let request = http::Request::options("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", "x-a")
            .body(())
            .unwrap();
        let cors = RequestHeaders::from_request(&request);
        let decision = policy.evaluate(&cors.request());
        assert!(decision.is_allowed());
        let (mut expected, mut written) = (HeaderMap::new(), HeaderMap::new());
        apply(&policy, &decision, &mut expected);
        prebuilt.apply_for(&policy, &decision, request.headers(), &mut written);
        assert_eq!(written, expected);
        for (response, request_header) in [
            ("access-control-allow-origin", "origin"),
            (
                "access-control-allow-headers",
                "access-control-request-headers",
            ),
        ] {
            assert_eq!(
                written[response].as_bytes().as_ptr(),
                request.headers()[request_header].as_bytes().as_ptr(),
                "{response} is the request's own value"
            );
        }
    }

    #[test]
    fn writer_writes_what_apply_writes() {
        let p = policy();
        for (method, origin, acrm) in [
            ("OPTIONS", "https://app.example.com", Some("PUT")),
            ("GET", "https://app.example.com", None),
            ("GET", "https://other.example", None),
        ] {
            let mut req = http::Request::builder()
                .method(method)
                .uri("/")
                .header("origin", origin);
            if let Some(m) = acrm {
                req = req.header("access-control-request-method", m);
            }
            let req = req.body(()).unwrap();
            let cors = RequestHeaders::from_request(&req);
            let decision = p.evaluate(&cors.request());
            let (mut plain, mut cached) = (HeaderMap::new(), HeaderMap::new());
            plain.insert(VARY, "accept-encoding".parse().unwrap());
            cached.insert(VARY, "accept-encoding".parse().unwrap());
            apply(&p, &decision, &mut plain);
            Writer::new(&p).apply(&decision, &mut cached);
            assert_eq!(plain, cached, "{method} {origin}");
            assert!(plain[VARY]
                .to_str()
                .unwrap()
                .starts_with("accept-encoding, Origin"));
        }
    }
}
