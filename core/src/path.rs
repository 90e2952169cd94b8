//! Path rules: which paths a policy document's route serves.
//!
//! A rule is matched on the raw bytes of the request's path, as the server
//! received them: case-sensitive, nothing decoded, `+` is a plus sign, and
//! the query and fragment are not part of the path. A rule is a `/`-separated
//! list of segments:
//!
//! - a literal segment matches exactly those bytes;
//! - `*` matches exactly one segment that is not empty;
//! - `**`, only as the last segment, matches any number of segments,
//!   none included (`/api/**` matches `/api`, `/api/` and `/api/v1/users`,
//!   never `/apiary`).
//!
//! A path that a browser never sends, one whose meaning a server may change
//! by normalizing it (a `.` or `..` segment, also percent-encoded as `%2e`,
//! an encoded `/` or `\`, a backslash), matches no rule: such a request gets
//! no CORS headers, which is what a browser would have been refused anyway.
//! Routers that normalize `/api/../admin` into `/admin` then cannot receive
//! the `/api/**` policy for their `/admin` route.

use core::fmt;

/// The longest rule, in bytes.
pub const MAX_PATH_RULE_LEN: usize = 1024;

/// Why a path rule is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathRuleProblem {
    /// The rule does not start with `/`.
    NotAbsolute,
    /// A `*` inside a segment (`/files/*.png`), or `**` before the last segment.
    BadGlob,
    /// A byte that a path never holds unencoded (space, control bytes,
    /// non-ASCII), or `?` / `#`, which start the query and fragment.
    BadByte,
    /// A `.` or `..` segment, or an encoded `/`, `\` or dot, that no
    /// request matching the rule could carry (see the module docs).
    DotSegment,
    /// Longer than [`MAX_PATH_RULE_LEN`].
    TooLong,
}

impl PathRuleProblem {
    /// Every problem, in declaration order.
    pub const ALL: [PathRuleProblem; 5] = [
        PathRuleProblem::NotAbsolute,
        PathRuleProblem::BadGlob,
        PathRuleProblem::BadByte,
        PathRuleProblem::DotSegment,
        PathRuleProblem::TooLong,
    ];

    /// A stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            PathRuleProblem::NotAbsolute => "not_absolute",
            PathRuleProblem::BadGlob => "bad_glob",
            PathRuleProblem::BadByte => "bad_byte",
            PathRuleProblem::DotSegment => "dot_segment",
            PathRuleProblem::TooLong => "too_long",
        }
    }

    /// The rule broken, and the fix.
    pub const fn explanation(self) -> &'static str {
        match self {
            PathRuleProblem::NotAbsolute => {
                "a path rule starts with `/`; write it like `/api/**`"
            }
            PathRuleProblem::BadGlob => {
                "`*` stands for one whole segment and `**` for the rest of the path, only as the last segment; write `/files/*` or `/files/**`"
            }
            PathRuleProblem::BadByte => {
                "a path rule holds the path as requested, without spaces, control characters, non-ASCII text, `?` or `#`; percent-encode the bytes as browsers do and leave out the query"
            }
            PathRuleProblem::DotSegment => {
                "paths with `.` or `..` segments (or encoded dots and slashes) match no rule, as browsers never send them; write the path without them"
            }
            PathRuleProblem::TooLong => "a path rule may be at most 1024 bytes long; shorten it",
        }
    }
}

impl fmt::Display for PathRuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.explanation())
    }
}

/// Whether a segment is `.` or `..`, written plainly or with `%2e`.
fn is_dot_segment(segment: &[u8]) -> bool {
    let mut rest = segment;
    let mut dots = 0;
    while !rest.is_empty() {
        if rest[0] == b'.' {
            rest = &rest[1..];
        } else if rest.len() >= 3 && rest[0] == b'%' && rest[1] == b'2' && rest[2] | 0x20 == b'e' {
            rest = &rest[3..];
        } else {
            return false;
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// Whether `bytes` hold an encoded `/` or `\` (`%2f`, `%5c`, either case).
fn has_encoded_separator(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && ((w[1] == b'2' && w[2] | 0x20 == b'f') || (w[1] == b'5' && w[2] | 0x20 == b'c'))
    })
}

/// The path of a request target: up to the query or fragment.
fn path_part(target: &[u8]) -> &[u8] {
    let end = target
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(target.len());
    &target[..end]
}

/// Whether a request path can be matched at all (see the module docs).
fn matchable(path: &[u8]) -> bool {
    path.first() == Some(&b'/')
        && !path.contains(&b'\\')
        && !has_encoded_separator(path)
        && !path.split(|&b| b == b'/').any(is_dot_segment)
}

/// Checks a path rule.
///
/// ```
/// use corsguard::path::{check_path_rule, PathRuleProblem};
/// assert_eq!(check_path_rule("/api/**"), Ok(()));
/// assert_eq!(check_path_rule("api/**"), Err(PathRuleProblem::NotAbsolute));
/// assert_eq!(check_path_rule("/files/*.png"), Err(PathRuleProblem::BadGlob));
/// ```
pub fn check_path_rule(rule: &str) -> Result<(), PathRuleProblem> {
    let bytes = rule.as_bytes();
    if bytes.len() > MAX_PATH_RULE_LEN {
        return Err(PathRuleProblem::TooLong);
    }
    if bytes.first() != Some(&b'/') {
        return Err(PathRuleProblem::NotAbsolute);
    }
    if bytes
        .iter()
        .any(|&b| !(0x21..0x7f).contains(&b) || b == b'?' || b == b'#')
    {
        return Err(PathRuleProblem::BadByte);
    }
    if !matchable(bytes) {
        return Err(PathRuleProblem::DotSegment);
    }
    let segments = bytes[1..].split(|&b| b == b'/');
    let count = bytes[1..].split(|&b| b == b'/').count();
    for (i, segment) in segments.enumerate() {
        let globbed = segment.contains(&b'*');
        let whole = segment == b"*" || (segment == b"**" && i + 1 == count);
        if globbed && !whole {
            return Err(PathRuleProblem::BadGlob);
        }
    }
    Ok(())
}

/// Whether `rule` (checked with [`check_path_rule`]) matches the request
/// target `path` (the query, if any, is ignored). Bounded work: one pass
/// over the rule and the path.
///
/// ```
/// use corsguard::path::path_matches;
/// assert!(path_matches("/api/**", b"/api/v1/users?page=2"));
/// assert!(path_matches("/users/*/avatar", b"/users/42/avatar"));
/// assert!(!path_matches("/api/**", b"/API/v1"));
/// assert!(!path_matches("/api/**", b"/api/../admin"));
/// ```
pub fn path_matches(rule: &str, path: &[u8]) -> bool {
    check_path_rule(rule).is_ok() && request_path(path).is_some_and(|p| matches_checked(rule, p))
}

/// The path of a request target that rules can match (the query and
/// fragment left out), or `None` when it matches no rule at all (see the
/// module docs). Judged once per request, however many rules are tried.
pub(crate) fn request_path(target: &[u8]) -> Option<&[u8]> {
    let path = path_part(target);
    matchable(path).then_some(path)
}

/// Whether `rule`, already checked with [`check_path_rule`], matches `path`,
/// already judged by [`request_path`]: one pass over both.
pub(crate) fn matches_checked(rule: &str, path: &[u8]) -> bool {
    let mut wanted = rule.as_bytes()[1..].split(|&b| b == b'/');
    let mut given = path[1..].split(|&b| b == b'/');
    loop {
        match (wanted.next(), given.next()) {
            (Some(b"**"), _) => return true,
            (Some(b"*"), Some(segment)) if !segment.is_empty() => {}
            (Some(literal), Some(segment)) if literal == segment => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_rules_match_only_that_path() {
        assert!(path_matches("/health", b"/health"));
        assert!(path_matches("/health", b"/health?full=1"));
        assert!(!path_matches("/health", b"/health/"));
        assert!(!path_matches("/health", b"/healthz"));
        assert!(path_matches("/", b"/"));
        assert!(!path_matches("/", b"/x"));
    }

    #[test]
    fn the_rest_glob_is_segment_aligned() {
        for path in [&b"/api"[..], b"/api/", b"/api/v1", b"/api/v1/users/7"] {
            assert!(path_matches("/api/**", path), "{path:?}");
        }
        assert!(!path_matches("/api/**", b"/apiary"));
        assert!(!path_matches("/api/**", b"/ap"));
        assert!(path_matches("/**", b"/anything/at/all"));
    }

    #[test]
    fn a_star_is_one_non_empty_segment() {
        assert!(path_matches("/users/*/avatar", b"/users/42/avatar"));
        assert!(!path_matches("/users/*/avatar", b"/users//avatar"));
        assert!(!path_matches("/users/*/avatar", b"/users/4/2/avatar"));
        assert!(!path_matches("/users/*", b"/users"));
    }

    #[test]
    fn paths_are_raw_bytes_compared_case_sensitively() {
        // CVE-2024-6866: a case-insensitive match served the policy to other paths.
        assert!(!path_matches("/api/**", b"/API/v1"));
        // CVE-2024-6844: `+` read as a space.
        assert!(!path_matches("/files/a+b", b"/files/a%20b"));
        assert!(!path_matches("/files/a+b", b"/files/a b"));
        assert!(path_matches("/files/a+b", b"/files/a+b"));
        // Nothing is decoded.
        assert!(!path_matches("/caf%C3%A9", b"/caf%c3%a9"));
    }

    #[test]
    fn paths_a_router_could_normalize_match_nothing() {
        for path in [
            &b"/api/../admin"[..],
            b"/api/./x",
            b"/api/%2e%2e/admin",
            b"/api/.%2E/admin",
            b"/api/%2E/x",
            b"/api%2fadmin",
            b"/api/x%5Cy",
            b"/api\\..\\admin",
            b"api/x",
            b"*",
            b"",
        ] {
            assert!(!path_matches("/api/**", path), "{path:?}");
            assert!(!path_matches("/**", path), "{path:?}");
        }
        // Dots inside a segment are ordinary bytes.
        assert!(path_matches("/api/**", b"/api/v1.2/...x"));
    }

    #[test]
    fn bad_rules_are_refused() {
        assert_eq!(check_path_rule(""), Err(PathRuleProblem::NotAbsolute));
        assert_eq!(check_path_rule("/a*"), Err(PathRuleProblem::BadGlob));
        assert_eq!(check_path_rule("/**/x"), Err(PathRuleProblem::BadGlob));
        assert_eq!(check_path_rule("/***"), Err(PathRuleProblem::BadGlob));
        assert_eq!(check_path_rule("/a b"), Err(PathRuleProblem::BadByte));
        assert_eq!(check_path_rule("/a?b=1"), Err(PathRuleProblem::BadByte));
        assert_eq!(check_path_rule("/é"), Err(PathRuleProblem::BadByte));
        assert_eq!(
            check_path_rule("/api/../x"),
            Err(PathRuleProblem::DotSegment)
        );
        let long = [b'a'; MAX_PATH_RULE_LEN];
        let mut rule = heapless::String::<1100>::new();
        let _ = rule.push('/');
        let _ = rule.push_str(core::str::from_utf8(&long).unwrap());
        assert_eq!(check_path_rule(&rule), Err(PathRuleProblem::TooLong));
        assert!(!path_matches("/a*", b"/ab"));
    }
}
