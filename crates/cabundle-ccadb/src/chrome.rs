//! The Chrome Root Store: Chromium's `root_store.textproto` (protobuf text format, message
//! `RootStore` of `root_store.proto`) and the certificates of its anchors.
//!
//! The textproto names each anchor by the SHA-256 of its certificate only; the certificates
//! come from separate PEM files and are matched by SHA-256 ([`chrome_report`]). A small reader
//! of the text format covers what the file uses: `#` comments, `name: value` scalars (quoted
//! strings with C escapes, integers, `true`/`false`) and `name { ... }` or `name: { ... }`
//! messages. Fields this crate does not know are skipped with a [`ChromeWarning`] naming the
//! line; broken syntax (an unclosed message, an unterminated string) is an [`Error::Textproto`]
//! naming the line.

use crate::{Error, Report, Root, TrustBits};
use cabundle_cert::{Certificate, Sha256Fingerprint};
use std::collections::BTreeMap;

/// One `ConstraintSet` of an anchor: the anchor is trusted when all of its fields hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConstraintSet {
    /// Line of the `constraints` field.
    pub line: usize,
    /// `sct_not_after_sec`: only certificates with SCTs at or before this moment (Unix seconds).
    pub sct_not_after_sec: Option<i64>,
    /// `sct_all_after_sec`: only certificates whose SCTs are all after this moment.
    pub sct_all_after_sec: Option<i64>,
    /// `min_version`: the set applies to Chrome at this version and later.
    pub min_version: Option<String>,
    /// `max_version_exclusive`: the set applies to Chrome before this version only.
    pub max_version_exclusive: Option<String>,
    /// `permitted_dns_names`: names the anchor may issue for.
    pub permitted_dns_names: Vec<String>,
}

/// One `trust_anchors` or `additional_certs` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChromeAnchor {
    /// Line where the entry opens.
    pub line: usize,
    /// `sha256_hex`.
    pub sha256: Sha256Fingerprint,
    /// `ev_policy_oids`.
    pub ev_policy_oids: Vec<String>,
    /// `constraints`, in order.
    pub constraints: Vec<ConstraintSet>,
    /// `eutl`: on the EU trust list (for display of qualified certificates, not TLS trust).
    pub eutl: bool,
    /// `tls_trust_anchor` (additional certs only).
    pub tls_trust_anchor: bool,
}

impl Default for ChromeAnchor {
    fn default() -> Self {
        ChromeAnchor {
            line: 0,
            sha256: Sha256Fingerprint([0; 32]),
            ev_policy_oids: Vec::new(),
            constraints: Vec::new(),
            eutl: false,
            tls_trust_anchor: false,
        }
    }
}

/// Which list of the store an entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChromeList {
    /// `trust_anchors`: the roots.
    TrustAnchors,
    /// `additional_certs`: EU trust list entries and intermediates usable as anchors, not roots.
    AdditionalCerts,
}

/// What the Chrome Root Store says about one root, kept on its [`Root`] for the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChromeTrust {
    /// The list the entry is on.
    pub list: ChromeList,
    /// The entry.
    pub anchor: ChromeAnchor,
}

/// A field this reader does not know, skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChromeWarning {
    /// 1-based line.
    pub line: usize,
    /// The field's name, with its enclosing message (`trust_anchors.crs_root_id`).
    pub field: String,
}

impl std::fmt::Display for ChromeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: unknown field \"{}\" ignored",
            self.line, self.field
        )
    }
}

/// A parsed `root_store.textproto`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChromeStore {
    /// `version_major`.
    pub version_major: Option<u64>,
    /// `trust_anchors`, in order.
    pub trust_anchors: Vec<ChromeAnchor>,
    /// `additional_certs`, in order.
    pub additional_certs: Vec<ChromeAnchor>,
    /// Unknown fields, skipped.
    pub warnings: Vec<ChromeWarning>,
}

/// Whether `bytes` look like a Chrome Root Store textproto (a `trust_anchors` message or a
/// `version_major` field at the start of a line, and no CSV header).
pub fn looks_like_chrome(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("trust_anchors") || l.starts_with("version_major:")
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Colon,
    Open,
    Close,
    Str(Vec<u8>),
    Word(String),
}

fn syntax(line: usize, message: impl Into<String>) -> Error {
    Error::Textproto {
        line,
        message: message.into(),
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, Error> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b':' => {
                tokens.push((line, Token::Colon));
                i += 1;
            }
            b'{' => {
                tokens.push((line, Token::Open));
                i += 1;
            }
            b'}' => {
                tokens.push((line, Token::Close));
                i += 1;
            }
            b'"' | b'\'' => {
                let quote = c;
                let start = line;
                let mut value = Vec::new();
                i += 1;
                loop {
                    let Some(&b) = bytes.get(i) else {
                        return Err(syntax(start, "unterminated string"));
                    };
                    if b == b'\n' {
                        return Err(syntax(start, "unterminated string"));
                    }
                    i += 1;
                    if b == quote {
                        break;
                    }
                    if b != b'\\' {
                        value.push(b);
                        continue;
                    }
                    let Some(&e) = bytes.get(i) else {
                        return Err(syntax(start, "unterminated string"));
                    };
                    i += 1;
                    match e {
                        b'n' => value.push(b'\n'),
                        b't' => value.push(b'\t'),
                        b'r' => value.push(b'\r'),
                        b'\\' | b'"' | b'\'' => value.push(e),
                        b'x' => {
                            let hex: String = bytes[i..]
                                .iter()
                                .take(2)
                                .take_while(|b| b.is_ascii_hexdigit())
                                .map(|&b| b as char)
                                .collect();
                            let v = u8::from_str_radix(&hex, 16)
                                .map_err(|_| syntax(line, "invalid \\x escape in a string"))?;
                            i += hex.len();
                            value.push(v);
                        }
                        b'0'..=b'7' => {
                            let oct: String = bytes[i - 1..]
                                .iter()
                                .take(3)
                                .take_while(|b| (b'0'..=b'7').contains(*b))
                                .map(|&b| b as char)
                                .collect();
                            let v = u8::from_str_radix(&oct, 8)
                                .map_err(|_| syntax(line, "invalid octal escape in a string"))?;
                            i += oct.len() - 1;
                            value.push(v);
                        }
                        other => {
                            return Err(syntax(
                                line,
                                format!("unknown escape \\{} in a string", other as char),
                            ));
                        }
                    }
                }
                tokens.push((start, Token::Str(value)));
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.'))
                {
                    i += 1;
                }
                let word = &text[start..i];
                let token = if c.is_ascii_alphabetic() || c == b'_' {
                    Token::Ident(word.to_owned())
                } else {
                    Token::Word(word.to_owned())
                };
                tokens.push((line, token));
            }
            other => {
                return Err(syntax(
                    line,
                    format!("unexpected character {:?}", other as char),
                ));
            }
        }
    }
    Ok(tokens)
}

/// A value of the text format: a scalar or a message.
#[derive(Clone, Debug)]
enum Value {
    Str(Vec<u8>),
    Word(String),
    Message(Vec<Field>),
}

#[derive(Clone, Debug)]
struct Field {
    line: usize,
    name: String,
    value: Value,
}

/// Parses fields until a `}` (when `open_line` is given) or the end.
fn parse_fields(
    tokens: &[(usize, Token)],
    pos: &mut usize,
    open_line: Option<usize>,
    last_line: usize,
) -> Result<Vec<Field>, Error> {
    let mut fields = Vec::new();
    loop {
        let Some((line, token)) = tokens.get(*pos) else {
            return match open_line {
                Some(open) => Err(syntax(
                    last_line,
                    format!("the file ends inside the message opened on line {open}"),
                )),
                None => Ok(fields),
            };
        };
        let line = *line;
        *pos += 1;
        let name = match token {
            Token::Close if open_line.is_some() => return Ok(fields),
            Token::Ident(name) => name.clone(),
            other => {
                return Err(syntax(
                    line,
                    format!("expected a field name, found {other:?}"),
                ));
            }
        };
        let mut next = tokens.get(*pos).map(|(_, t)| t);
        let colon = next == Some(&Token::Colon);
        if colon {
            *pos += 1;
            next = tokens.get(*pos).map(|(_, t)| t);
        }
        let value = match next {
            Some(Token::Open) => {
                *pos += 1;
                Value::Message(parse_fields(tokens, pos, Some(line), last_line)?)
            }
            Some(Token::Str(_)) | Some(Token::Word(_)) | Some(Token::Ident(_)) if colon => {
                let mut value = match &tokens[*pos].1 {
                    Token::Str(s) => Value::Str(s.clone()),
                    Token::Word(w) | Token::Ident(w) => Value::Word(w.clone()),
                    _ => unreachable!("matched above"),
                };
                *pos += 1;
                // Adjacent strings concatenate, as in C.
                while let (Value::Str(s), Some((_, Token::Str(more)))) =
                    (&mut value, tokens.get(*pos))
                {
                    s.extend_from_slice(more);
                    *pos += 1;
                }
                value
            }
            None => {
                return Err(syntax(
                    last_line,
                    format!("the file ends after the field name \"{name}\""),
                ));
            }
            Some(_) => {
                return Err(syntax(line, format!("\"{name}\" has no value")));
            }
        };
        fields.push(Field { line, name, value });
    }
}

fn text_of(field: &Field) -> Result<String, Error> {
    match &field.value {
        Value::Str(s) => String::from_utf8(s.clone())
            .map_err(|_| syntax(field.line, format!("\"{}\" is not UTF-8", field.name))),
        Value::Word(_) | Value::Message(_) => Err(syntax(
            field.line,
            format!("\"{}\" must be a quoted string", field.name),
        )),
    }
}

fn int_of(field: &Field) -> Result<i64, Error> {
    match &field.value {
        Value::Word(w) => w.parse().map_err(|_| {
            syntax(
                field.line,
                format!("\"{}\" must be an integer, found {w}", field.name),
            )
        }),
        _ => Err(syntax(
            field.line,
            format!("\"{}\" must be an integer", field.name),
        )),
    }
}

fn bool_of(field: &Field) -> Result<bool, Error> {
    match &field.value {
        Value::Word(w) if w == "true" || w == "1" => Ok(true),
        Value::Word(w) if w == "false" || w == "0" => Ok(false),
        _ => Err(syntax(
            field.line,
            format!("\"{}\" must be true or false", field.name),
        )),
    }
}

fn message_of(field: &Field) -> Result<&[Field], Error> {
    match &field.value {
        Value::Message(fields) => Ok(fields),
        _ => Err(syntax(
            field.line,
            format!("\"{}\" must be a message", field.name),
        )),
    }
}

fn constraint_set(
    field: &Field,
    path: &str,
    warnings: &mut Vec<ChromeWarning>,
) -> Result<ConstraintSet, Error> {
    let mut set = ConstraintSet {
        line: field.line,
        ..ConstraintSet::default()
    };
    for f in message_of(field)? {
        match f.name.as_str() {
            "sct_not_after_sec" => set.sct_not_after_sec = Some(int_of(f)?),
            "sct_all_after_sec" => set.sct_all_after_sec = Some(int_of(f)?),
            "min_version" => set.min_version = Some(text_of(f)?),
            "max_version_exclusive" => set.max_version_exclusive = Some(text_of(f)?),
            "permitted_dns_names" => set.permitted_dns_names.push(text_of(f)?),
            other => warnings.push(ChromeWarning {
                line: f.line,
                field: format!("{path}.{other}"),
            }),
        }
    }
    Ok(set)
}

fn anchor(field: &Field, warnings: &mut Vec<ChromeWarning>) -> Result<ChromeAnchor, Error> {
    let path = field.name.as_str();
    let mut sha256 = None;
    let mut entry = ChromeAnchor {
        line: field.line,
        ..ChromeAnchor::default()
    };
    for f in message_of(field)? {
        match f.name.as_str() {
            "sha256_hex" => {
                let hex = text_of(f)?;
                let fp = hex
                    .parse::<Sha256Fingerprint>()
                    .ok()
                    .filter(|_| hex.len() == 64);
                sha256 = Some(fp.ok_or_else(|| {
                    syntax(f.line, format!("sha256_hex \"{hex}\" is not 64 hex digits"))
                })?);
            }
            "ev_policy_oids" => entry.ev_policy_oids.push(text_of(f)?),
            "constraints" => {
                entry
                    .constraints
                    .push(constraint_set(f, &format!("{path}.constraints"), warnings)?)
            }
            "eutl" => entry.eutl = bool_of(f)?,
            "tls_trust_anchor" => entry.tls_trust_anchor = bool_of(f)?,
            // Known fields that do not change which roots a bundle holds: the anchor's
            // identifier for TLS trust anchor negotiation, and how Chrome enforces the
            // constraints of an additional certificate.
            "trust_anchor_id" | "enforce_anchor_constraints" | "enforce_anchor_expiry" => {}
            other => warnings.push(ChromeWarning {
                line: f.line,
                field: format!("{path}.{other}"),
            }),
        }
    }
    entry.sha256 = sha256.ok_or_else(|| syntax(field.line, format!("{path} has no sha256_hex")))?;
    Ok(entry)
}

/// Parses a `root_store.textproto`.
pub fn parse_chrome(bytes: &[u8]) -> Result<ChromeStore, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        syntax(line, "the file is not UTF-8")
    })?;
    let last_line = text.lines().count().max(1);
    let tokens = tokenize(text)?;
    let mut pos = 0;
    let fields = parse_fields(&tokens, &mut pos, None, last_line)?;
    let mut store = ChromeStore::default();
    let mut seen: BTreeMap<Sha256Fingerprint, usize> = BTreeMap::new();
    for field in &fields {
        match field.name.as_str() {
            "version_major" => {
                let v = int_of(field)?;
                store.version_major =
                    Some(u64::try_from(v).map_err(|_| {
                        syntax(field.line, format!("version_major {v} is negative"))
                    })?);
            }
            "trust_anchors" | "additional_certs" => {
                let entry = anchor(field, &mut store.warnings)?;
                if let Some(first) = seen.insert(entry.sha256, entry.line) {
                    return Err(syntax(
                        entry.line,
                        format!(
                            "duplicate sha256_hex {} (first on line {first})",
                            entry.sha256
                        ),
                    ));
                }
                if field.name == "trust_anchors" {
                    store.trust_anchors.push(entry);
                } else {
                    store.additional_certs.push(entry);
                }
            }
            other => store.warnings.push(ChromeWarning {
                line: field.line,
                field: other.to_owned(),
            }),
        }
    }
    if store.trust_anchors.is_empty() {
        return Err(syntax(last_line, "the store has no trust_anchors"));
    }
    Ok(store)
}

/// The roots of a store, with their certificates from `certs` (matched by SHA-256; extra
/// certificates are ignored). Every `trust_anchors` entry needs its certificate: one without
/// is an [`Error::ChromeMissingCertificate`] naming its line. `additional_certs` entries are
/// listed when their certificate is given (for the policy to leave out with a reason) and
/// skipped otherwise. Labels are the certificates' subject common names (or whole subjects).
pub fn chrome_report(store: &ChromeStore, certs: &[Certificate]) -> Result<Report, Error> {
    let by_sha: BTreeMap<Sha256Fingerprint, &Certificate> =
        certs.iter().map(|c| (c.sha256, c)).collect();
    let mut roots = Vec::new();
    let lists = [
        (ChromeList::TrustAnchors, &store.trust_anchors),
        (ChromeList::AdditionalCerts, &store.additional_certs),
    ];
    for (list, entries) in lists {
        for entry in entries {
            let Some(certificate) = by_sha.get(&entry.sha256) else {
                if list == ChromeList::TrustAnchors {
                    return Err(Error::ChromeMissingCertificate {
                        line: entry.line,
                        sha256: entry.sha256,
                    });
                }
                continue;
            };
            let certificate = (*certificate).clone();
            roots.push(Root {
                row: entry.line,
                owner: String::new(),
                label: label_of(&certificate),
                issuer_org: String::new(),
                serial: certificate.serial_hex.clone(),
                sha256: certificate.sha256,
                valid_from: Some(certificate.not_before.date()),
                valid_to: Some(certificate.not_after.date()),
                // The Chrome Root Store is a store of TLS server-authentication anchors.
                trust_bits: TrustBits {
                    websites: true,
                    ..TrustBits::default()
                },
                unknown_trust_bits: Vec::new(),
                tls_distrust_after: None,
                smime_distrust_after: None,
                mozilla_applied_constraints: String::new(),
                chrome: Some(ChromeTrust {
                    list,
                    anchor: entry.clone(),
                }),
                certificate,
            });
        }
    }
    Ok(Report {
        roots,
        columns: Vec::new(),
    })
}

/// The `CN=` value of a one-line subject, or the whole subject.
fn label_of(cert: &Certificate) -> String {
    cert.subject
        .split(", ")
        .find_map(|part| part.strip_prefix("CN="))
        .map_or_else(|| cert.subject.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    #[test]
    fn reads_the_subset() {
        let text = format!(
            "# comment\nversion_major: 7\n\ntrust_anchors {{\n  sha256_hex: \"{}\"  # trailing\n  ev_policy_oids: \"2.23.140.1.1\"\n  constraints: {{\n    sct_not_after_sec: 1731369599\n    min_version: \"131\"\n  }}\n  constraints {{\n    max_version_exclusive: \"131\"\n  }}\n  trust_anchor_id: \"\\xd6\\x79\\x09\\x01\"\n  crs_root_id: 3\n}}\nadditional_certs {{\n  sha256_hex: \"{}\"\n  eutl: true\n}}\nmtc_anchors {{\n  x: 1\n}}\n",
            hex(1),
            hex(2)
        );
        let store = parse_chrome(text.as_bytes()).unwrap();
        assert_eq!(store.version_major, Some(7));
        assert_eq!(store.trust_anchors.len(), 1);
        let a = &store.trust_anchors[0];
        assert_eq!(a.line, 4);
        assert_eq!(a.sha256.to_string(), hex(1));
        assert_eq!(a.ev_policy_oids, ["2.23.140.1.1"]);
        assert_eq!(a.constraints.len(), 2);
        assert_eq!(a.constraints[0].sct_not_after_sec, Some(1_731_369_599));
        assert_eq!(a.constraints[0].min_version.as_deref(), Some("131"));
        assert_eq!(
            a.constraints[1].max_version_exclusive.as_deref(),
            Some("131")
        );
        assert!(store.additional_certs[0].eutl);
        let warned: Vec<(usize, &str)> = store
            .warnings
            .iter()
            .map(|w| (w.line, w.field.as_str()))
            .collect();
        assert_eq!(
            warned,
            [(15, "trust_anchors.crs_root_id"), (21, "mtc_anchors")]
        );
    }

    #[test]
    fn refuses_damage_with_the_line() {
        let good = format!(
            "version_major: 1\ntrust_anchors {{\n  sha256_hex: \"{}\"\n}}\n",
            hex(1)
        );
        let cases: Vec<(String, &str)> = vec![
            (
                good[..good.len() - 3].to_owned(),
                "line 3: the file ends inside the message opened on line 2",
            ),
            (good.replace("\"\n}", "\n}"), "line 3: unterminated string"),
            (
                good.replace(&hex(1), "abc"),
                "line 3: sha256_hex \"abc\" is not 64 hex digits",
            ),
            (
                good.replace("sha256_hex", "sha1_hex"),
                "line 2: trust_anchors has no sha256_hex",
            ),
            (
                format!("{good}{}", &good[17..]),
                "line 5: duplicate sha256_hex",
            ),
            (
                "version_major: 1\n".to_owned(),
                "line 1: the store has no trust_anchors",
            ),
            (
                good.replace("version_major: 1", "version_major: x1"),
                "line 1: \"version_major\" must be an integer",
            ),
            (
                good.replace(": \"", " \""),
                "line 3: \"sha256_hex\" has no value",
            ),
        ];
        for (input, want) in cases {
            let err = parse_chrome(input.as_bytes()).unwrap_err().to_string();
            assert!(err.starts_with(want), "{input:?}: {err}");
        }
    }
}
