//! Adding a decision's `Vary` value to a response's `Vary`, the same way in
//! every runtime.

use crate::config::VaryMerge;
use crate::headers::trim_ows;

fn elements(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.split(|&b| b == b',').map(trim_ows)
}

/// Computes the new `Vary` value of a response whose current value is
/// `existing` (its `Vary` lines joined with `, `; empty when it has none)
/// after adding the decision's `tokens`, and hands it to `sink` piece by
/// piece, so the caller chooses where the bytes go and nothing allocates.
///
/// - [`VaryMerge::Dedup`] adds each token the response does not list yet
///   (names compare case-insensitively; a response that varies on `*` already
///   varies on everything).
/// - [`VaryMerge::Join`] appends `tokens` after `, `, repeats included.
///
/// Returns whether anything was added (with `Dedup`, `false` means the
/// response's `Vary` can stay as it is).
///
/// ```
/// use corsguard::{merge_vary, VaryMerge};
/// let mut out = Vec::new();
/// let added = merge_vary(VaryMerge::Dedup, b"Accept-Encoding, origin", b"Origin, Access-Control-Request-Method",
///     |piece| out.extend_from_slice(piece));
/// assert!(added);
/// assert_eq!(out, b"Accept-Encoding, origin, Access-Control-Request-Method");
/// ```
pub fn merge_vary(
    mode: VaryMerge,
    existing: &[u8],
    tokens: &[u8],
    mut sink: impl FnMut(&[u8]),
) -> bool {
    sink(existing);
    let mut written = !existing.is_empty();
    match mode {
        VaryMerge::Join => {
            if written && !tokens.is_empty() {
                sink(b", ");
            }
            sink(tokens);
            !tokens.is_empty()
        }
        VaryMerge::Dedup => {
            let mut added = false;
            for (index, token) in elements(tokens).enumerate() {
                let covers = |e: &[u8]| e == b"*" || e.eq_ignore_ascii_case(token);
                let listed =
                    elements(existing).any(covers) || elements(tokens).take(index).any(covers);
                if token.is_empty() || listed {
                    continue;
                }
                if written {
                    sink(b", ");
                }
                sink(token);
                written = true;
                added = true;
            }
            added
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(mode: VaryMerge, existing: &str, tokens: &str) -> (heapless::String<128>, bool) {
        let mut out = heapless::String::<128>::new();
        let added = merge_vary(mode, existing.as_bytes(), tokens.as_bytes(), |p| {
            out.push_str(core::str::from_utf8(p).unwrap()).unwrap()
        });
        (out, added)
    }

    #[test]
    fn dedup_adds_only_missing_tokens_case_insensitively() {
        assert_eq!(
            merged(
                VaryMerge::Dedup,
                "accept-encoding, ORIGIN",
                "Origin, Access-Control-Request-Method"
            ),
            (
                "accept-encoding, ORIGIN, Access-Control-Request-Method"
                    .try_into()
                    .unwrap(),
                true
            )
        );
    }

    #[test]
    fn dedup_into_an_empty_vary_writes_the_tokens() {
        assert_eq!(merged(VaryMerge::Dedup, "", "Origin").0.as_str(), "Origin");
    }

    #[test]
    fn dedup_never_adds_to_a_star() {
        assert_eq!(
            merged(VaryMerge::Dedup, "*", "Origin"),
            ("*".try_into().unwrap(), false)
        );
    }

    #[test]
    fn dedup_drops_repeats_within_the_tokens() {
        assert_eq!(
            merged(VaryMerge::Dedup, "", "Origin, origin,").0.as_str(),
            "Origin"
        );
    }

    #[test]
    fn join_keeps_repeats() {
        assert_eq!(
            merged(VaryMerge::Join, "Origin", "Origin"),
            ("Origin, Origin".try_into().unwrap(), true)
        );
    }
}
