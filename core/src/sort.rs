//! One small in-place sort for the policy's tables, built once per policy.
//!
//! The standard library's unstable sort is fast and large: each table type
//! instantiates several kilobytes of it, which a firmware image pays for.
//! Construction sorts a few tables of at most the capacity class's entries,
//! once, so a heapsort (no recursion, no allocation, O(n log n) comparisons,
//! a few hundred bytes of code) is the better trade. Every table sorted
//! here has a total order on what the lookups read, so which of two equal
//! entries comes first changes nothing.

/// Sorts `v` so that `less(a, b)` never holds for an `a` after a `b`.
pub(crate) fn sort_by<T: Copy>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let n = v.len();
    // Builds a max-heap, then moves the largest to the end, n - 1 times.
    for start in (0..n / 2).rev() {
        sift_down(v, start, n, &mut less);
    }
    for end in (1..n).rev() {
        swap(v, 0, end);
        sift_down(v, 0, end, &mut less);
    }
}

/// Moves `v[root]` down the heap `v[..end]` until both children are not
/// greater.
fn sift_down<T: Copy>(
    v: &mut [T],
    mut root: usize,
    end: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        swap(v, root, child);
        root = child;
    }
}

/// Exchanges `v[a]` and `v[b]`, `a < b`, as two places the compiler knows
/// apart: `slice::swap` cannot rule out `a == b` and may call `memmove`,
/// which would add its kilobyte and a half to a firmware image.
fn swap<T: Copy>(v: &mut [T], a: usize, b: usize) {
    let (low, high) = v.split_at_mut(b);
    core::mem::swap(&mut low[a], &mut high[0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library_at_every_small_length() {
        // A fixed pseudo-random sequence with many repeats.
        let mut x: u32 = 0x1234_5678;
        for n in 0..70 {
            let mut ours: heapless::Vec<(u8, u8), 70> = heapless::Vec::new();
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let _ = ours.push(((x % 7) as u8, (x >> 8) as u8 % 3));
            }
            let mut theirs = ours.clone();
            sort_by(&mut ours, |a, b| a < b);
            theirs.sort_unstable();
            assert_eq!(ours, theirs, "length {n}");
        }
    }
}
