//! Findings: what the strict profile would refuse in a configuration that a
//! compatibility profile accepts. The drop-ins warn about them (or, in their
//! strict mode, refuse them), so every binding judges the same mistakes by
//! the same rules, with the same codes.

use crate::config::{
    AllowedHeaders, Config, ConfigError, ExposedHeaders, MaxAge, Methods, Setting,
};
use crate::headers::{is_forbidden_request_header, is_forbidden_response_header};
use crate::origin::{classify_entry, EntryKind};
use crate::policy::{check_method, check_name, listed_wildcard};

/// Reports to `report` every problem the strict profile finds in `config`,
/// entry by entry, whatever profile `config` itself uses: malformed origins
/// (a trailing slash, uppercase, a path), patterns as wide as a public
/// suffix, `*` or `null` with credentials, a host verdict that admits probe
/// origins with credentials, methods browsers never send or always
/// uppercase, names that are not tokens or that browsers forbid, and a
/// max-age above a day. Entries of a list option that hold several
/// comma-separated names (as the `cors` package joins them) are judged name
/// by name. Repeated entries are not reported: the profiles keep them once.
///
/// ```
/// use corsguard::{findings, Behaviour, Config, MaxAge, Methods, OptionNames};
/// let config = Config::new()
///     .behaviour(Behaviour::named("cors_npm").unwrap())
///     .fixed_origin("https://app.example.com/")
///     .allowed_methods(Methods::List(&["get,PUT"]))
///     .max_age_value(Some(MaxAge::Literal("1000000000")));
/// let mut codes = Vec::new();
/// findings(&config, &mut |finding| codes.push(format!("{}", finding.named(&OptionNames::CORS_NPM))));
/// assert_eq!(codes.len(), 3);
/// assert!(codes[0].starts_with("origin `https://app.example.com/`"));
/// assert!(codes[1].starts_with("methods `get`"));
/// assert!(codes[2].starts_with("maxAge 1000000000"));
/// ```
pub fn findings<'a>(config: &Config<'a>, report: &mut dyn FnMut(ConfigError<'a>)) {
    let credentials = config.credentials;
    let mut wildcard = false;
    for &entry in config.origins.iter().chain(config.fixed_origin.iter()) {
        match classify_entry(entry) {
            Ok(EntryKind::Any) => wildcard = true,
            Ok(EntryKind::Null) if credentials => report(ConfigError::NullOriginWithCredentials),
            Ok(_) => {}
            Err(problem) => report(ConfigError::MalformedOrigin { entry, problem }),
        }
    }
    if wildcard && credentials {
        report(ConfigError::WildcardOriginWithCredentials);
    }
    if let Some(probe) = config.admitted_probe() {
        report(ConfigError::WideVerdictWithCredentials { probe });
    }

    let wildcard_error = |option| ConfigError::WildcardWithCredentials { option };
    match config.methods {
        Methods::Any if credentials => report(wildcard_error(Setting::AllowedMethods)),
        Methods::Any => {}
        Methods::List(list) => {
            for name in names(list) {
                let checked = listed_wildcard(name, credentials, Setting::AllowedMethods)
                    .and_then(|()| check_method(name, &[]));
                if let Err(error) = checked {
                    report(error);
                }
            }
        }
    }
    match config.allowed_headers {
        AllowedHeaders::Any if credentials => report(wildcard_error(Setting::AllowedHeaders)),
        AllowedHeaders::Any | AllowedHeaders::Mirror => {}
        AllowedHeaders::List(list) => {
            for name in names(list) {
                let forbidden = |entry| ConfigError::ForbiddenRequestHeader { entry };
                let checked =
                    listed_wildcard(name, credentials, Setting::AllowedHeaders).and_then(|()| {
                        check_name(
                            name,
                            &[],
                            true,
                            Setting::AllowedHeaders,
                            is_forbidden_request_header,
                            forbidden,
                        )
                    });
                if let Err(error) = checked {
                    report(error);
                }
            }
        }
    }
    match config.exposed_headers {
        ExposedHeaders::Any if credentials => report(wildcard_error(Setting::ExposedHeaders)),
        ExposedHeaders::Any => {}
        ExposedHeaders::List(list) => {
            for name in names(list) {
                let forbidden = |entry| ConfigError::ForbiddenResponseHeader { entry };
                let checked =
                    listed_wildcard(name, credentials, Setting::ExposedHeaders).and_then(|()| {
                        check_name(
                            name,
                            &[],
                            true,
                            Setting::ExposedHeaders,
                            is_forbidden_response_header,
                            forbidden,
                        )
                    });
                if let Err(error) = checked {
                    report(error);
                }
            }
        }
    }
    let seconds = match config.max_age {
        Some(MaxAge::Seconds(seconds)) => Some(u64::from(seconds)),
        Some(MaxAge::Literal(value)) => decimal(value),
        None => None,
    };
    if let Some(seconds) = seconds.filter(|s| *s > 86_400) {
        let seconds = u32::try_from(seconds).unwrap_or(u32::MAX);
        report(ConfigError::MaxAgeOutOfRange { seconds });
    }
}

/// The names of a list option: each entry split at commas, trimmed, empty
/// pieces left out.
fn names<'a>(list: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    list.iter()
        .flat_map(|entry| entry.split(','))
        .map(|piece| piece.trim_matches([' ', '\t']))
        .filter(|name| !name.is_empty())
}

/// A literal max-age that is a plain decimal number, as browsers parse it.
fn decimal(value: &str) -> Option<u64> {
    let digits = value.as_bytes();
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Behaviour;

    fn codes(config: &Config<'_>) -> heapless::Vec<&'static str, 16> {
        let mut found = heapless::Vec::new();
        findings(config, &mut |error| {
            let _ = found.push(error.code());
        });
        found
    }

    #[test]
    fn a_clean_configuration_has_no_findings() {
        let config = Config::new()
            .allowed_origins(&["https://app.example.com", "https://*.example.org"])
            .allowed_methods(Methods::List(&["GET, PUT", "DELETE"]))
            .allowed_headers(AllowedHeaders::List(&["content-type,x-request-id"]))
            .max_age(600)
            .credentials(true);
        assert!(codes(&config).is_empty());
    }

    #[test]
    fn a_trailing_slash_origin_is_found_in_a_profile_that_accepts_it() {
        let config = Config::new()
            .behaviour(Behaviour::named("starlette").unwrap())
            .allowed_origins(&["https://app.example.com/"]);
        assert_eq!(codes(&config), ["malformed_origin"]);
    }

    #[test]
    fn a_public_suffix_pattern_is_found() {
        let config = Config::new().allowed_origins(&["https://*.com"]);
        assert_eq!(codes(&config), ["malformed_origin"]);
    }

    #[test]
    fn the_wildcard_and_null_are_found_only_with_credentials() {
        let open = Config::new().allowed_origins(&["*", "null"]);
        assert!(codes(&open).is_empty());
        let credentialed = open.credentials(true);
        assert_eq!(
            codes(&credentialed),
            [
                "null_origin_with_credentials",
                "wildcard_origin_with_credentials"
            ]
        );
    }

    #[test]
    fn joined_lists_are_judged_name_by_name() {
        let config = Config::new()
            .allowed_origins(&["https://a.example"])
            .allowed_methods(Methods::List(&["GET,get, TRACE"]))
            .allowed_headers(AllowedHeaders::List(&["content-type, cookie,,bad name"]))
            .exposed_headers(ExposedHeaders::List(&["set-cookie"]));
        assert_eq!(
            codes(&config),
            [
                "method_not_normalized",
                "forbidden_method",
                "forbidden_request_header",
                "not_a_token",
                "forbidden_response_header"
            ]
        );
    }

    #[test]
    fn wildcards_with_credentials_are_found() {
        let config = Config::new()
            .allowed_origins(&["https://a.example"])
            .allowed_methods(Methods::Any)
            .allowed_headers(AllowedHeaders::Any)
            .exposed_headers(ExposedHeaders::Any)
            .credentials(true);
        assert_eq!(codes(&config), ["wildcard_with_credentials"; 3]);
    }

    #[test]
    fn a_max_age_above_a_day_is_found_as_seconds_or_literal() {
        let seconds = Config::new().allowed_origins(&["*"]).max_age(1_000_000_000);
        assert_eq!(codes(&seconds), ["max_age_out_of_range"]);
        for (literal, found) in [
            ("86401", true),
            ("86400", false),
            ("1e9", false),
            ("99999999999999999999", false),
        ] {
            let config = seconds.max_age_value(Some(MaxAge::Literal(literal)));
            assert_eq!(!codes(&config).is_empty(), found, "{literal}");
        }
    }

    #[test]
    fn a_wide_verdict_with_credentials_is_found_in_every_profile() {
        let config = Config::new()
            .behaviour(Behaviour::named("cors_npm").unwrap())
            .origin_verdict(true)
            .origin_verdict_probes(0b1)
            .credentials(true);
        assert_eq!(codes(&config), ["wide_verdict_with_credentials"]);
        let opted_in = config.allow_wide_verdict_with_credentials(true);
        assert!(codes(&opted_in).is_empty());
    }
}
