//! IP hosts as the WHATWG URL standard parses and serializes them.
//!
//! A browser builds the `Origin` header with the URL standard's host
//! serializer, so an IP address always arrives in one canonical spelling:
//! IPv4 as four decimal numbers, IPv6 in lowercase hex with the longest run
//! of zero pieces compressed to `::`. A configured entry spelled any other
//! way could never match, and one the standard's parsers refuse names no
//! URL at all. This module implements the standard's "ends in a number"
//! check, its IPv4 parser (with the IPv4 number parser: `0x` hex, octal with
//! a leading `0`, the last part filling the remaining bytes), its IPv6
//! parser and both serializers, without allocating.

/// What a host is, as the URL standard's host parser sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IpHost {
    /// Not an IP address: a domain (or opaque) host.
    NotIp,
    /// An IP address written exactly as a browser serializes it.
    Canonical,
    /// An IP address a browser serializes differently: this is how.
    NonCanonical(Serialized),
    /// Bracketed but not an IPv6 address, or ending in a number but not an
    /// IPv4 address: the URL parser refuses the whole URL.
    Invalid,
}

/// Judges a host as an origin has it: `[...]` for IPv6, or a host that may be
/// an IPv4 address.
pub(crate) fn judge(host: &[u8]) -> IpHost {
    let serialized = if let Some(rest) = host.strip_prefix(b"[") {
        let Some(inner) = rest.strip_suffix(b"]") else {
            return IpHost::Invalid;
        };
        match parse_ipv6(inner) {
            Some(address) => serialize_ipv6(&address),
            None => return IpHost::Invalid,
        }
    } else if ends_in_a_number(host) {
        match parse_ipv4(host) {
            Some(address) => serialize_ipv4(address),
            None => return IpHost::Invalid,
        }
    } else {
        return IpHost::NotIp;
    };
    if serialized.as_bytes() == host {
        IpHost::Canonical
    } else {
        IpHost::NonCanonical(serialized)
    }
}

/// A serialized IP host, brackets included for IPv6 (at most 41 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Serialized {
    bytes: [u8; 41],
    len: u8,
}

impl Serialized {
    const fn new() -> Self {
        Serialized {
            bytes: [0; 41],
            len: 0,
        }
    }

    fn push(&mut self, b: u8) {
        // Never full: the longest serialization is 41 bytes.
        if let Some(slot) = self.bytes.get_mut(usize::from(self.len)) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Pushes `n` in radix `radix` (10 or 16, lowercase), shortest form.
    fn push_number(&mut self, n: u32, radix: u32) {
        let mut digits = [0u8; 10];
        let mut count = 0;
        let mut n = n;
        loop {
            digits[count] = b"0123456789abcdef"[(n % radix) as usize];
            count += 1;
            n /= radix;
            if n == 0 {
                break;
            }
        }
        for &d in digits[..count].iter().rev() {
            self.push(d);
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, hex letters, `.`, `:`, `[` and `]` are pushed.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

/// The URL standard's "ends in a number" check: whether the host parser
/// must read this host as IPv4 (and refuse the URL if it is not one).
pub(crate) fn ends_in_a_number(host: &[u8]) -> bool {
    let mut parts = host.rsplit(|&b| b == b'.');
    let mut last = parts.next().unwrap_or_default();
    if last.is_empty() {
        // A trailing dot: judge the label before it, if there is one.
        match parts.next() {
            Some(before) => last = before,
            None => return false,
        }
    }
    (!last.is_empty() && last.iter().all(u8::is_ascii_digit)) || parse_ipv4_number(last).is_some()
}

/// The URL standard's IPv4 number parser: decimal, `0x` hex or octal with a
/// leading `0`; an empty number after the prefix is 0. Values too large for
/// any IPv4 part saturate at `u64::MAX`, which every caller refuses.
fn parse_ipv4_number(part: &[u8]) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) = match part {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (part, 10),
    };
    let mut value: u64 = 0;
    for &d in digits {
        let digit = char::from(d).to_digit(radix)?;
        value = value
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(digit));
    }
    Some(value)
}

/// The URL standard's IPv4 parser: up to four numbers separated by `.`, an
/// optional trailing `.`, each but the last at most 255 and the last filling
/// the bytes that remain.
pub(crate) fn parse_ipv4(host: &[u8]) -> Option<u32> {
    let host = match host.strip_suffix(b".") {
        Some(rest) if !rest.is_empty() => rest,
        _ => host,
    };
    let mut numbers = [0u64; 4];
    let mut count = 0;
    for part in host.split(|&b| b == b'.') {
        if count == numbers.len() {
            return None;
        }
        numbers[count] = parse_ipv4_number(part)?;
        count += 1;
    }
    let (last, leading) = numbers[..count].split_last()?;
    if leading.iter().any(|&n| n > 255) {
        return None;
    }
    // The last number fills 5 - count bytes.
    if *last >= 1u64 << (8 * (5 - count)) {
        return None;
    }
    let mut address = *last;
    for (i, &n) in leading.iter().enumerate() {
        address += n << (8 * (3 - i));
    }
    u32::try_from(address).ok()
}

/// The URL standard's IPv4 serializer: four decimal numbers joined by `.`.
pub(crate) fn serialize_ipv4(address: u32) -> Serialized {
    let mut out = Serialized::new();
    for (i, byte) in address.to_be_bytes().into_iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        out.push_number(u32::from(byte), 10);
    }
    out
}

/// The URL standard's IPv6 parser, on the text between the brackets: eight
/// pieces of up to four hex digits, at most one `::` standing for a run of
/// zero pieces, and optionally the last two pieces written as an IPv4
/// address in strict dotted decimal.
pub(crate) fn parse_ipv6(input: &[u8]) -> Option<[u16; 8]> {
    let mut address = [0u16; 8];
    let mut piece = 0usize;
    let mut compress: Option<usize> = None;
    let mut i = 0usize;
    let at = |i: usize| input.get(i).copied();

    if at(0) == Some(b':') {
        if at(1) != Some(b':') {
            return None;
        }
        i = 2;
        piece = 1;
        compress = Some(1);
    }
    while i < input.len() {
        if piece == 8 {
            return None;
        }
        if at(i) == Some(b':') {
            if compress.is_some() {
                return None;
            }
            i += 1;
            piece += 1;
            compress = Some(piece);
            continue;
        }
        let mut value: u16 = 0;
        let mut length = 0;
        while length < 4 {
            match at(i).and_then(|c| char::from(c).to_digit(16)) {
                Some(d) => {
                    // At most four hex digits: fits in u16.
                    value = (value << 4) | d as u16;
                    i += 1;
                    length += 1;
                }
                None => break,
            }
        }
        match at(i) {
            Some(b'.') => {
                if length == 0 || piece > 6 {
                    return None;
                }
                return parse_embedded_ipv4(&input[i - length..], address, piece, compress);
            }
            Some(b':') => {
                i += 1;
                if i == input.len() {
                    return None;
                }
            }
            Some(_) => return None,
            None => {}
        }
        address[piece] = value;
        piece += 1;
    }
    finish_ipv6(address, piece, compress)
}

/// The dotted-decimal tail of an IPv6 address: four numbers from 0 to 255,
/// without leading zeros, filling two pieces.
fn parse_embedded_ipv4(
    input: &[u8],
    mut address: [u16; 8],
    mut piece: usize,
    compress: Option<usize>,
) -> Option<[u16; 8]> {
    let mut numbers_seen = 0;
    let mut i = 0;
    while i < input.len() {
        if numbers_seen > 0 {
            if input[i] == b'.' && numbers_seen < 4 {
                i += 1;
            } else {
                return None;
            }
        }
        let mut number: Option<u16> = None;
        while let Some(&c) = input.get(i).filter(|c| c.is_ascii_digit()) {
            let digit = u16::from(c - b'0');
            number = match number {
                None => Some(digit),
                Some(0) => return None,
                Some(n) => Some(n * 10 + digit),
            };
            if number > Some(255) {
                return None;
            }
            i += 1;
        }
        let number = number?;
        address[piece] = (address[piece] << 8) | number;
        numbers_seen += 1;
        if numbers_seen == 2 || numbers_seen == 4 {
            piece += 1;
        }
    }
    if numbers_seen != 4 {
        return None;
    }
    finish_ipv6(address, piece, compress)
}

/// Moves the pieces after a `::` to the end, or refuses an address that has
/// neither eight pieces nor a `::`.
fn finish_ipv6(address: [u16; 8], piece: usize, compress: Option<usize>) -> Option<[u16; 8]> {
    match compress {
        Some(start) => {
            // The pieces written after `::` move to the end, zeros before
            // them: copied into a new address rather than moved in place,
            // which could call `memmove` (see sort.rs).
            let written = piece - start;
            let mut out = [0u16; 8];
            out[..start].copy_from_slice(&address[..start]);
            out[8 - written..].copy_from_slice(&address[start..piece]);
            Some(out)
        }
        None if piece == 8 => Some(address),
        None => None,
    }
}

/// The URL standard's IPv6 serializer, in brackets: lowercase hex pieces
/// without leading zeros, the first longest run of two or more zero pieces
/// written as `::`. An IPv4-mapped address stays in hex (`[::ffff:102:304]`).
pub(crate) fn serialize_ipv6(address: &[u16; 8]) -> Serialized {
    // The first of the longest runs of zero pieces, if longer than one.
    let (mut best_start, mut best_len) = (8, 1);
    let mut run_start = 0;
    for (i, &p) in address.iter().enumerate() {
        if p != 0 {
            run_start = i + 1;
        } else if i + 1 - run_start > best_len {
            best_start = run_start;
            best_len = i + 1 - run_start;
        }
    }
    let mut out = Serialized::new();
    out.push(b'[');
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push(b':');
            if i == 0 {
                out.push(b':');
            }
            i += best_len;
            continue;
        }
        out.push_number(u32::from(address[i]), 16);
        if i != 7 {
            out.push(b':');
        }
        i += 1;
    }
    out.push(b']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(host: &str) -> Result<&'static str, &'static str> {
        match judge(host.as_bytes()) {
            IpHost::NotIp => Err("not ip"),
            IpHost::Invalid => Err("invalid"),
            IpHost::Canonical => Ok("canonical"),
            IpHost::NonCanonical(_) => Ok("non-canonical"),
        }
    }

    fn canonical(host: &str) -> heapless::String<41> {
        let mut s = heapless::String::new();
        match judge(host.as_bytes()) {
            IpHost::Canonical => s.push_str(host).unwrap(),
            IpHost::NonCanonical(c) => s.push_str(c.as_str()).unwrap(),
            other => panic!("{host}: {other:?}"),
        }
        s
    }

    #[test]
    fn ipv4_numbers_in_every_radix_serialize_as_dotted_decimal() {
        for (host, want) in [
            ("127.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("127.0.1", "127.0.0.1"),
            ("0x7f.0.0.1", "127.0.0.1"),
            ("0X7F.0.0.1", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"),
            ("127.000.0.1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"),
            ("0x7f000001", "127.0.0.1"),
            ("017700000001", "127.0.0.1"),
            ("0x", "0.0.0.0"),
            ("0", "0.0.0.0"),
            ("00", "0.0.0.0"),
            ("4294967295", "255.255.255.255"),
            ("1.2.65535", "1.2.255.255"),
            ("127.0.0.1.", "127.0.0.1"),
            ("10.0.0.255", "10.0.0.255"),
        ] {
            assert_eq!(canonical(host).as_str(), want, "{host}");
        }
    }

    #[test]
    fn ipv4_out_of_range_or_malformed_is_invalid() {
        for host in [
            "999.1.1.1",
            "256.0.0.1",
            "1.2.3.256",
            "4294967296",
            "1.2.65536",
            "1.2.3.4.5",
            "1..2.3",
            "a.123",
            "example.0x",
            "1.2.3.09",
            "0x1g.1",
            "99999999999999999999999",
        ] {
            assert_eq!(judged(host), Err("invalid"), "{host}");
        }
    }

    #[test]
    fn hosts_not_ending_in_a_number_are_not_ip() {
        for host in [
            "example.com",
            "localhost",
            "example.com.",
            "1.2.3.example",
            "0x1g",
            "123a",
            ".",
            "a.",
            "1.2.3.4..",
        ] {
            assert_eq!(judged(host), Err("not ip"), "{host}");
        }
    }

    #[test]
    fn ends_in_a_number_sees_through_one_trailing_dot() {
        assert!(ends_in_a_number(b"a.1."));
        assert!(ends_in_a_number(b"a.0x"));
        assert!(!ends_in_a_number(b"1.a."));
        assert!(!ends_in_a_number(b"a.1.."));
        assert!(!ends_in_a_number(b""));
    }

    #[test]
    fn ipv6_serializes_lowercase_with_the_longest_zero_run_compressed() {
        for (host, want) in [
            ("[::1]", "[::1]"),
            ("[0:0:0:0:0:0:0:1]", "[::1]"),
            ("[::]", "[::]"),
            ("[0:0:0:0:0:0:0:0]", "[::]"),
            ("[2001:DB8::1]", "[2001:db8::1]"),
            ("[2001:0db8:0000:0000:0000:0000:0000:0001]", "[2001:db8::1]"),
            // The first of two equally long runs is the one compressed.
            ("[1:0:0:2:0:0:3:4]", "[1::2:0:0:3:4]"),
            // The longer run wins even when it comes second.
            ("[1:0:2:0:0:0:3:4]", "[1:0:2::3:4]"),
            // A single zero piece is never compressed.
            ("[1:0:2:3:4:5:6:7]", "[1:0:2:3:4:5:6:7]"),
            ("[1::2:3:4:5:6:7]", "[1:0:2:3:4:5:6:7]"),
            ("[1:2:3:4:5:6:7::]", "[1:2:3:4:5:6:7:0]"),
            ("[::2:3:4:5:6:7:8]", "[0:2:3:4:5:6:7:8]"),
            ("[fe80::]", "[fe80::]"),
            ("[ffff::ffff]", "[ffff::ffff]"),
        ] {
            assert_eq!(canonical(host).as_str(), want, "{host}");
        }
    }

    #[test]
    fn ipv6_with_an_ipv4_tail_serializes_as_hex_pieces() {
        for (host, want) in [
            ("[::ffff:1.2.3.4]", "[::ffff:102:304]"),
            ("[::ffff:127.0.0.1]", "[::ffff:7f00:1]"),
            ("[::1.2.3.4]", "[::102:304]"),
            ("[1:2:3:4:5:6:0.0.0.0]", "[1:2:3:4:5:6::]"),
            ("[64:ff9b::192.0.2.33]", "[64:ff9b::c000:221]"),
        ] {
            assert_eq!(canonical(host).as_str(), want, "{host}");
        }
    }

    #[test]
    fn ipv6_malformed_is_invalid() {
        for host in [
            "[1::2::3]",
            "[12345::]",
            "[:1]",
            "[1:]",
            "[1:2:3:4:5:6:7:8:9]",
            "[1:2:3:4:5:6:7]",
            "[1:2:3:4:5:6:7:8::]",
            "[::1.2.3]",
            "[::1.2.3.4.5]",
            "[::1.2.3.256]",
            "[::1.2.3.04]",
            "[1:2:3:4:5:6:7:1.2.3.4]",
            "[::ffff:1.2.3.4:5]",
            "[::g]",
            "[fe80::1%25eth0]",
            "[]",
            "[::1",
            "[.1.2.3.4]",
        ] {
            assert_eq!(judged(host), Err("invalid"), "{host}");
        }
    }

    #[test]
    fn canonical_forms_are_recognized_as_canonical() {
        for host in [
            "[::1]",
            "[2001:db8::1]",
            "[::ffff:102:304]",
            "127.0.0.1",
            "0.0.0.0",
        ] {
            assert_eq!(judged(host), Ok("canonical"), "{host}");
        }
    }

    #[test]
    fn every_ipv4_address_round_trips_through_its_serialization() {
        for address in [0u32, 1, 255, 256, 0x7f00_0001, 0xc0a8_0101, u32::MAX] {
            let s = serialize_ipv4(address);
            assert_eq!(parse_ipv4(s.as_bytes()), Some(address));
        }
    }

    #[test]
    fn ipv6_serialization_round_trips() {
        for address in [
            [0u16; 8],
            [0, 0, 0, 0, 0, 0, 0, 1],
            [0xffff; 8],
            [1, 0, 0, 2, 0, 0, 0, 3],
            [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304],
        ] {
            let s = serialize_ipv6(&address);
            let inner = &s.as_bytes()[1..s.as_bytes().len() - 1];
            assert_eq!(parse_ipv6(inner), Some(address), "{}", s.as_str());
        }
    }
}
