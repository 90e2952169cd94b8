//! Risks: configurations every profile accepts, the strict one included,
//! that are still likely mistakes. Unlike [`findings`](crate::findings),
//! which reports what the strict profile refuses, these are never refused:
//! the linters, the CLI and the drop-ins report them so that a person decides.

use core::fmt;

use crate::config::{Config, MaxAge, OptionNames, Setting};
use crate::origin::{classify_entry, EntryKind};

/// The longest preflight cache Chromium grants, in seconds; Firefox grants
/// up to a day, which is the strict profile's limit.
pub const CHROMIUM_MAX_AGE_CAP: u32 = 7200;

/// One risky but valid part of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Risk<'a> {
    /// `null` is allowed: every sandboxed iframe, local file and `data:` page
    /// sends `Origin: null`.
    NullOrigin,
    /// An `http:` origin on a host that is not the machine itself, with
    /// credentials: anyone on the network path can rewrite that page and
    /// read what it reads.
    InsecureOrigin {
        /// The entry as configured.
        entry: &'a str,
    },
    /// The host's verdict admits one of the
    /// [`VERDICT_PROBES`](crate::VERDICT_PROBES): it allows origins nobody
    /// means to allow (a regex such as `.*`, or `origin: true`).
    WideVerdict {
        /// The first probe it admitted.
        probe: &'static str,
    },
    /// A max-age above what Chromium grants.
    MaxAgeAboveChromiumCap {
        /// The configured seconds.
        seconds: u32,
    },
}

impl<'a> Risk<'a> {
    /// Every risk's code, in declaration order.
    pub const CODES: [&'static str; 4] = [
        "null_origin",
        "insecure_origin",
        "wide_verdict",
        "max_age_above_chromium_cap",
    ];

    /// A stable snake_case code.
    pub const fn code(&self) -> &'static str {
        match self {
            Risk::NullOrigin => "null_origin",
            Risk::InsecureOrigin { .. } => "insecure_origin",
            Risk::WideVerdict { .. } => "wide_verdict",
            Risk::MaxAgeAboveChromiumCap { .. } => "max_age_above_chromium_cap",
        }
    }

    /// The option the risk is about (`None`: the origin verdict).
    pub const fn setting(&self) -> Option<Setting> {
        match self {
            Risk::NullOrigin | Risk::InsecureOrigin { .. } => Some(Setting::AllowedOrigins),
            Risk::WideVerdict { .. } => None,
            Risk::MaxAgeAboveChromiumCap { .. } => Some(Setting::MaxAge),
        }
    }

    /// The configured entry the risk is about, if it is one entry.
    pub const fn entry(&self) -> Option<&'a str> {
        match *self {
            Risk::NullOrigin => Some("null"),
            Risk::InsecureOrigin { entry } => Some(entry),
            _ => None,
        }
    }

    /// The message, naming the options as `names` spells them.
    pub const fn named<'n>(&'n self, names: &'n OptionNames) -> NamedRisk<'n, 'a> {
        NamedRisk { risk: self, names }
    }

    fn write_message(&self, f: &mut fmt::Formatter<'_>, names: &OptionNames) -> fmt::Result {
        match *self {
            Risk::NullOrigin => write!(
                f,
                "{} `null`: every sandboxed iframe, local file and `data:` page sends `Origin: null`, so this allows pages you do not control; give your pages a real origin and remove `null`",
                names.allowed_origins
            ),
            Risk::InsecureOrigin { entry } => write!(
                f,
                "{} `{entry}` with credentials: anyone on the network path can rewrite a page served over plain http and read your users' credentialed responses through it; serve that page over https and list its https origin",
                names.allowed_origins
            ),
            Risk::WideVerdict { probe } => write!(
                f,
                "{} allows `{probe}`, an origin no policy means to allow, so any site can read the responses; make the regex or callback admit only your own origins (a regex must match the whole origin)",
                names.origin_verdict
            ),
            Risk::MaxAgeAboveChromiumCap { seconds } => write!(
                f,
                "{} {seconds}: Chromium caches a preflight for at most {CHROMIUM_MAX_AGE_CAP} seconds, so it asks again sooner than this says; use {CHROMIUM_MAX_AGE_CAP} or less for the same effect everywhere",
                names.max_age
            ),
        }
    }
}

impl fmt::Display for Risk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f, &OptionNames::RUST)
    }
}

/// A [`Risk`] worded with a binding's option names (see [`Risk::named`]).
#[derive(Clone, Copy, Debug)]
pub struct NamedRisk<'n, 'a> {
    risk: &'n Risk<'a>,
    names: &'n OptionNames,
}

impl fmt::Display for NamedRisk<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.risk.write_message(f, self.names)
    }
}

/// Whether an `http:` origin's host is the machine itself, which no network
/// attacker can stand in for (`localhost`, `*.localhost`, loopback addresses).
fn is_loopback(host_and_port: &str) -> bool {
    let host = match host_and_port.strip_prefix('[') {
        Some(v6) => return v6.starts_with("::1]"),
        None => host_and_port
            .rsplit_once(':')
            .map_or(host_and_port, |(h, _)| h),
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let ipv4 = host.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    host == "localhost" || host.ends_with(".localhost") || (ipv4 && host.starts_with("127."))
}

/// Reports to `report` every [`Risk`] in `config`, in the order of the
/// options. Risks are judged on what the strict profile accepts; an entry it
/// refuses is a finding or an error instead.
///
/// ```
/// use corsguard::{risks, Config};
/// let config = Config::new()
///     .allowed_origins(&["https://app.example.com", "http://app.example.com", "null"])
///     .credentials(true)
///     .max_age(86400);
/// let mut codes = Vec::new();
/// risks(&config, &mut |risk| codes.push(risk.code()));
/// assert_eq!(codes, ["insecure_origin", "max_age_above_chromium_cap"]);
/// ```
pub fn risks<'a>(config: &Config<'a>, report: &mut dyn FnMut(Risk<'a>)) {
    let credentials = config.credentials;
    for &entry in config.origins.iter().chain(config.fixed_origin.iter()) {
        match classify_entry(entry) {
            // With credentials, `null` is refused (or a finding).
            Ok(EntryKind::Null) if !credentials => report(Risk::NullOrigin),
            Ok(EntryKind::Exact | EntryKind::Pattern) if credentials => {
                if let Some(rest) = entry.strip_prefix("http://") {
                    if !is_loopback(rest) {
                        report(Risk::InsecureOrigin { entry });
                    }
                }
            }
            _ => {}
        }
    }
    // With credentials, an admitted probe is refused unless opted in; with
    // `*`, every origin is allowed anyway.
    let wildcard = config.origins.contains(&"*") || config.fixed_origin == Some("*");
    if config.origin_verdict && !wildcard && (!credentials || config.wide_verdict_with_credentials)
    {
        let admitted = crate::VERDICT_PROBES
            .iter()
            .enumerate()
            .find(|(i, _)| config.verdict_probes & (1 << i) != 0);
        if let Some((_, probe)) = admitted {
            report(Risk::WideVerdict { probe });
        }
    }
    if let Some(MaxAge::Seconds(seconds)) = config.max_age {
        if seconds > CHROMIUM_MAX_AGE_CAP && seconds <= 86_400 {
            report(Risk::MaxAgeAboveChromiumCap { seconds });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(config: &Config<'_>) -> heapless::Vec<&'static str, 8> {
        let mut found = heapless::Vec::new();
        risks(config, &mut |risk| {
            let _ = found.push(risk.code());
        });
        found
    }

    #[test]
    fn a_careful_configuration_has_no_risks() {
        let config = Config::new()
            .allowed_origins(&[
                "https://app.example.com",
                "http://localhost:3000",
                "http://127.0.0.1:*",
                "http://[::1]:8080",
                "http://app.localhost",
            ])
            .credentials(true)
            .max_age(7200);
        assert!(codes(&config).is_empty());
    }

    #[test]
    fn null_is_a_risk_without_credentials_only() {
        let open = Config::new().allowed_origins(&["null"]);
        assert_eq!(codes(&open), ["null_origin"]);
        assert!(codes(&open.credentials(true)).is_empty());
    }

    #[test]
    fn plain_http_is_a_risk_with_credentials_only() {
        let config =
            Config::new().allowed_origins(&["http://app.example.com", "http://*.example.org"]);
        assert!(codes(&config).is_empty());
        assert_eq!(
            codes(&config.credentials(true)),
            ["insecure_origin", "insecure_origin"]
        );
        // A lookalike of localhost is not the machine itself.
        let lookalike = Config::new()
            .allowed_origins(&["http://localhost.example.com", "http://127.example.com"])
            .credentials(true);
        assert_eq!(codes(&lookalike), ["insecure_origin", "insecure_origin"]);
    }

    #[test]
    fn a_verdict_that_admits_a_probe_is_a_risk() {
        let config = Config::new()
            .origin_verdict(true)
            .origin_verdict_probes(0b10);
        assert_eq!(codes(&config), ["wide_verdict"]);
        assert!(codes(&config.origin_verdict_probes(0)).is_empty());
        assert!(codes(&config.allowed_origins(&["*"])).is_empty());
        // With credentials it is an error, unless opted in: then a risk.
        let credentialed = config.credentials(true);
        assert!(codes(&credentialed).is_empty());
        assert_eq!(
            codes(&credentialed.allow_wide_verdict_with_credentials(true)),
            ["wide_verdict"]
        );
    }

    #[test]
    fn a_max_age_above_chromiums_cap_is_a_risk_up_to_a_day() {
        let config = Config::new().allowed_origins(&["*"]);
        assert!(codes(&config.max_age(7200)).is_empty());
        assert_eq!(codes(&config.max_age(7201)), ["max_age_above_chromium_cap"]);
        assert!(codes(&config.max_age(86_401)).is_empty());
    }
}
