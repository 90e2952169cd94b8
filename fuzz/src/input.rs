//! The byte layout of the fuzz inputs.
//!
//! The inputs are read front to back with `arbitrary::Unstructured`, in a
//! fixed, documented layout rather than `#[derive(Arbitrary)]`'s, so that
//! `make_corpus.py` can write seeds from the conformance vectors and a crash
//! file can be read by hand:
//!
//! - a byte is one byte (0 once the input is used up);
//! - a string is a length byte (255: a little-endian `u16` length follows)
//!   and that many bytes (fewer if the input ends first);
//! - a list is a count byte and that many strings.

use arbitrary::{Arbitrary, Result, Unstructured};
use corsguard::Behaviour;

/// A name that is no profile: `Behaviour::named` refuses it, and the
/// strict default is used.
pub const NOT_A_PROFILE: &str = "express";

/// The profile name a profile byte selects: the core's presets, in the
/// order of its table ([`Behaviour::PROFILES`]), then [`NOT_A_PROFILE`].
pub fn profile_name(selector: u8) -> &'static str {
    let profiles = &Behaviour::PROFILES;
    profiles
        .get(usize::from(selector) % (profiles.len() + 1))
        .map_or(NOT_A_PROFILE, |(name, _)| name)
}

/// At most this many entries per list, so one input stays cheap to run.
const MAX_LIST: usize = 24;
/// At most this many requests per `evaluate` input.
const MAX_REQUESTS: usize = 8;

pub fn byte(u: &mut Unstructured<'_>) -> u8 {
    u.bytes(1).map(|b| b[0]).unwrap_or(0)
}

pub fn bytes<'a>(u: &mut Unstructured<'a>) -> &'a [u8] {
    let mut len = usize::from(byte(u));
    if len == 255 {
        len = usize::from(u16::from_le_bytes([byte(u), byte(u)]));
    }
    let len = len.min(u.len());
    u.bytes(len).unwrap_or_default()
}

pub fn text(u: &mut Unstructured<'_>) -> String {
    String::from_utf8_lossy(bytes(u)).into_owned()
}

pub fn list(u: &mut Unstructured<'_>) -> Vec<String> {
    let count = usize::from(byte(u)).min(MAX_LIST);
    (0..count).map(|_| text(u)).collect()
}

/// A list of names or one of the wildcard forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Names {
    List(Vec<String>),
    Any,
    Mirror,
}

impl Names {
    pub fn listed(&self) -> &[String] {
        match self {
            Names::List(l) => l,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuzzMaxAge {
    Seconds(u32),
    Literal(String),
}

/// A configuration, owned; [`FuzzConfig::with_config`] lends it out as a
/// `corsguard::Config`.
///
/// Layout: flags byte (bit 0 credentials, 1 private network, 2 origin
/// verdict, 3 preflight continue, 4 fixed origin, 5 max age, 6 literal max
/// age, 7 small capacity), profile byte (see [`profile_name`]),
/// origins list, fixed origin string (when flagged), methods (mode byte: odd
/// is `*`, else a list follows), allowed headers (mode byte % 3: list, `*`,
/// mirror), exposed headers (mode byte: odd is `*`, else a list), max age
/// (when flagged: a string if literal, else a little-endian `u32`), preflight
/// status (little-endian `u16`, 0 keeps the default 204).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzConfig {
    pub profile: &'static str,
    pub small_capacity: bool,
    pub origins: Vec<String>,
    pub fixed_origin: Option<String>,
    pub origin_verdict: bool,
    pub methods: Names,
    pub allowed_headers: Names,
    pub exposed_headers: Names,
    pub credentials: bool,
    pub max_age: Option<FuzzMaxAge>,
    pub private_network: bool,
    pub preflight_continue: bool,
    pub preflight_status: u16,
}

impl<'a> Arbitrary<'a> for FuzzConfig {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let flags = byte(u);
        let flag = |bit: u8| flags & (1 << bit) != 0;
        let profile = profile_name(byte(u));
        let origins = list(u);
        let fixed_origin = flag(4).then(|| text(u));
        let methods = match byte(u) % 2 {
            1 => Names::Any,
            _ => Names::List(list(u)),
        };
        let allowed_headers = match byte(u) % 3 {
            1 => Names::Any,
            2 => Names::Mirror,
            _ => Names::List(list(u)),
        };
        let exposed_headers = match byte(u) % 2 {
            1 => Names::Any,
            _ => Names::List(list(u)),
        };
        let max_age = match (flag(5), flag(6)) {
            (false, _) => None,
            (true, true) => Some(FuzzMaxAge::Literal(text(u))),
            (true, false) => Some(FuzzMaxAge::Seconds(u32::from_le_bytes([
                byte(u),
                byte(u),
                byte(u),
                byte(u),
            ]))),
        };
        let preflight_status = match u16::from_le_bytes([byte(u), byte(u)]) {
            0 => 204,
            s => s,
        };
        Ok(FuzzConfig {
            profile,
            small_capacity: flag(7),
            origins,
            fixed_origin,
            origin_verdict: flag(2),
            methods,
            allowed_headers,
            exposed_headers,
            credentials: flag(0),
            max_age,
            private_network: flag(1),
            preflight_continue: flag(3),
            preflight_status,
        })
    }
}

/// A request, owned.
///
/// Layout: flags byte (bit 0 `Origin`, 1 `Access-Control-Request-Method`, 2
/// `Access-Control-Request-Headers`, 3 `Access-Control-Request-Private-Network`,
/// 4 a host verdict, 5 the verdict's value), the method string, then a string
/// for each header present, in that order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzRequest {
    pub method: Vec<u8>,
    pub origin: Option<Vec<u8>>,
    pub request_method: Option<Vec<u8>>,
    pub request_headers: Option<Vec<u8>>,
    pub request_private_network: Option<Vec<u8>>,
    pub origin_verdict: Option<bool>,
}

impl<'a> Arbitrary<'a> for FuzzRequest {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let flags = byte(u);
        let flag = |bit: u8| flags & (1 << bit) != 0;
        let method = bytes(u).to_vec();
        let mut field = |bit| flag(bit).then(|| bytes(u).to_vec());
        let origin = field(0);
        let request_method = field(1);
        let request_headers = field(2);
        let request_private_network = field(3);
        Ok(FuzzRequest {
            method,
            origin,
            request_method,
            request_headers,
            request_private_network,
            origin_verdict: flag(4).then_some(flag(5)),
        })
    }
}

impl FuzzRequest {
    pub fn as_request(&self) -> corsguard::Request<'_> {
        corsguard::Request {
            method: &self.method,
            origin: self.origin.as_deref(),
            request_method: self.request_method.as_deref(),
            request_headers: self.request_headers.as_deref(),
            request_private_network: self.request_private_network.as_deref(),
            origin_verdict: self.origin_verdict,
        }
    }
}

/// A configuration and the requests evaluated against it: the config, then
/// requests until the input ends (at most eight).
#[derive(Clone, Debug)]
pub struct FuzzCase {
    pub config: FuzzConfig,
    pub requests: Vec<FuzzRequest>,
}

impl<'a> Arbitrary<'a> for FuzzCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let config = FuzzConfig::arbitrary(u)?;
        let mut requests = Vec::new();
        while !u.is_empty() && requests.len() < MAX_REQUESTS {
            requests.push(FuzzRequest::arbitrary(u)?);
        }
        Ok(FuzzCase { config, requests })
    }
}
