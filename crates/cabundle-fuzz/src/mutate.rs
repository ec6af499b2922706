//! The seeded mutator: byte-level changes, DER changes under the PEM armour, and the CCADB
//! report's fingerprint fix-up.

use base64::Engine as _;
use sha2::Digest as _;

/// A small seeded generator (xorshift64*): the same seed gives the same inputs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced, as xorshift would stay at 0).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

const TOKENS: &[&[u8]] = &[
    b"-----BEGIN CERTIFICATE-----\n",
    b"-----END CERTIFICATE-----\n",
    b"-----BEGIN X509 CRL-----\n",
    b"-----BEGIN TRUSTED CERTIFICATE-----\n",
    b"-----BEGIN PRIVATE KEY-----\n",
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"=",
    b"END\n",
    b"MULTILINE_OCTAL\n",
    b"\\377",
    b"CKA_CLASS CK_OBJECT_CLASS CKO_NSS_TRUST\n",
    b"CKA_TRUST_SERVER_AUTH CK_TRUST CKT_NSS_TRUSTED_DELEGATOR\n",
    b"\x00",
    b"\xff\xff\xff\xff",
    b"\x30\x80",
    b"\x30\x84\xff\xff\xff\xff",
    b"\x13\x00",
    b"\x1e\x01",
];

/// A mutant of one of `seeds` (sometimes spliced with another), at most
/// [`crate::MAX_INPUT`] bytes. With `report_fixup`, a mutated certificate's row gets its
/// SHA-256 column recomputed.
pub fn mutate(seeds: &[Vec<u8>], rng: &mut Rng, report_fixup: bool) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        if rng.below(3) == 0 && mutate_der_in_pem(&mut data, rng, report_fixup) {
            continue;
        }
        byte_mutation(&mut data, seeds, rng);
    }
    data.truncate(crate::MAX_INPUT);
    data
}

fn byte_mutation(data: &mut Vec<u8>, seeds: &[Vec<u8>], rng: &mut Rng) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = [0, 0xff, 0x7f, 0x80, 0x01][rng.below(5)];
        }
        2 => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(8);
            let bytes = rng.bytes(n);
            data.splice(i..i, bytes);
        }
        3 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(64));
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(256));
            let copy = data[i..i + n].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, copy);
        }
        5 => {
            let other = &seeds[rng.below(seeds.len())];
            let from = rng.below(other.len() + 1);
            let n = rng.below(other.len() - from + 1);
            let at = rng.below(len + 1);
            data.splice(at..at, other[from..from + n].iter().copied());
        }
        6 if len > 0 => data.truncate(rng.below(len)),
        _ => {
            let token = TOKENS[rng.below(TOKENS.len())];
            let at = rng.below(len + 1);
            data.splice(at..at, token.iter().copied());
        }
    }
}

/// Mutates the DER inside the first PEM block of `pem` (one to three changes), keeping the
/// armour and base64 valid.
pub(crate) fn mutate_der_only(pem: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..1 + rng.below(3) {
        mutate_der_in_pem(pem, rng, false);
    }
}

/// Finds a PEM block, mutates the DER inside it and encodes it again. Returns false when
/// there is no block to mutate.
fn mutate_der_in_pem(data: &mut Vec<u8>, rng: &mut Rng, report_fixup: bool) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let starts: Vec<usize> = find_all(data, BEGIN);
    if starts.is_empty() {
        return false;
    }
    let begin = starts[rng.below(starts.len())];
    let Some(header_end) = find_from(data, b"-----\n", begin + BEGIN.len())
        .or_else(|| find_from(data, b"-----\r\n", begin + BEGIN.len()))
    else {
        return false;
    };
    let body_start = data[header_end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |p| header_end + p + 1);
    let Some(end) = find_from(data, b"-----END ", body_start) else {
        return false;
    };
    let text: Vec<u8> = data[body_start..end]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let Ok(mut der) = base64::engine::general_purpose::STANDARD.decode(&text) else {
        return false;
    };
    der_mutation(&mut der, rng);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&der);
    let mut body = Vec::new();
    for chunk in encoded.as_bytes().chunks(64) {
        body.extend_from_slice(chunk);
        body.push(b'\n');
    }
    data.splice(body_start..end, body);
    if report_fixup {
        fix_fingerprint(data, begin, &der);
    }
    true
}

/// Changes inside DER: flip a bit, change a length or tag byte, or swap a string tag for
/// another string type (the name canonicaliser's favourite input).
fn der_mutation(der: &mut Vec<u8>, rng: &mut Rng) {
    let len = der.len();
    if len == 0 {
        return;
    }
    match rng.below(5) {
        0 => {
            let i = rng.below(len);
            der[i] ^= 1 << rng.below(8);
        }
        1 => {
            // A string tag (PrintableString, UTF8String, IA5String, T61String, BMPString...)
            // swapped for another.
            let strings = [0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1c, 0x1e];
            let at: Vec<usize> = (0..len).filter(|&i| strings.contains(&der[i])).collect();
            if !at.is_empty() {
                let i = at[rng.below(at.len())];
                der[i] = strings[rng.below(strings.len())];
            }
        }
        2 => {
            let i = rng.below(len);
            der[i] = der[i].wrapping_add(1 + rng.below(3) as u8);
        }
        3 => {
            let i = rng.below(len);
            der.truncate(i.max(1));
        }
        _ => {
            let i = rng.below(len);
            der[i] = [0x00, 0x80, 0x81, 0x82, 0xff][rng.below(5)];
        }
    }
}

/// In a CCADB report, the row holding the PEM at `pem_at` gets `SHA-256(der)` in its first
/// run of exactly 64 hex digits (the `SHA-256 Fingerprint` column).
fn fix_fingerprint(data: &mut [u8], pem_at: usize, der: &[u8]) {
    let row_start = data[..pem_at]
        .windows(2)
        .rposition(|w| w == b"\n\"")
        .map_or(0, |p| p + 1);
    let row_end = find_from(data, b"\n\"", pem_at).unwrap_or(data.len());
    let sha: String = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut i = row_start;
    while i < row_end {
        let run = data[i..row_end]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if run == 64 {
            data[i..i + 64].copy_from_slice(sha.as_bytes());
            return;
        }
        i += run.max(1);
    }
}

fn find_from(data: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > data.len() {
        return None;
    }
    data[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_all(data: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find_from(data, needle, from) {
        out.push(p);
        from = p + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_mutants() {
        let seeds =
            vec![b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n".to_vec()];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50)
                .map(|_| mutate(&seeds, &mut rng, false))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn the_fingerprint_column_follows_the_mutated_certificate() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x01];
        let pem = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----";
        let row = format!("\"a\",\"{}\",\"{pem}\"\n\"b\"", "0".repeat(64));
        let mut data = row.into_bytes();
        let at = find_all(&data, b"-----BEGIN").first().copied().unwrap_or(0);
        fix_fingerprint(&mut data, at, &der);
        let sha: String = sha2::Sha256::digest(der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert!(String::from_utf8_lossy(&data).contains(&sha));
    }
}
