//! `cabundle inspect`: show each certificate or CRL in files.

use crate::cli::inspect::InspectArgs;
use crate::output::Output;
use crate::shared::exit::ExitStatus;
use crate::shared::terminal::Terminal;
use cabundle_cert::{
    Certificate, Crl, KeyInfo, Object, Sha1Fingerprint, Sha256Fingerprint, SpkiPin, SubjectHash,
};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One certificate, as printed with `--json`.
#[derive(Serialize)]
struct CertEntry<'a> {
    file: &'a str,
    index: usize,
    kind: &'static str,
    subject: &'a str,
    issuer: &'a str,
    serial: &'a str,
    not_before: String,
    not_after: String,
    sha256: Sha256Fingerprint,
    sha1: Sha1Fingerprint,
    subject_hash: SubjectHash,
    subject_hash_old: SubjectHash,
    issuer_hash: SubjectHash,
    key: &'a KeyInfo,
    spki_pin: SpkiPin,
    is_ca: bool,
}

/// One CRL, as printed with `--json`.
#[derive(Serialize)]
struct CrlEntry<'a> {
    file: &'a str,
    index: usize,
    kind: &'static str,
    issuer: &'a str,
    this_update: String,
    next_update: Option<String>,
    sha256: Sha256Fingerprint,
    sha1: Sha1Fingerprint,
    issuer_hash: SubjectHash,
    issuer_hash_old: SubjectHash,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Entry<'a> {
    Cert(CertEntry<'a>),
    Crl(CrlEntry<'a>),
}

fn rfc3339(t: OffsetDateTime) -> String {
    // Formatting a UTC time as RFC 3339 fails only for years outside 0..=9999.
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// Reads a file (or standard input for `-`) within the input cap, with a lower-case reason
/// on failure: the caller already prefixes the path.
fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if path == Path::new("-") {
        // Standard input is read once, as by every command.
        return crate::shared::files::read(path).map_err(|e| format!("{e:#}"));
    }
    cabundle_cert::read_bounded(path, cabundle_cert::READ_CAP).map_err(|e| {
        match e.io_error().map(std::io::Error::kind) {
            Some(std::io::ErrorKind::NotFound) => "no such file".to_owned(),
            Some(std::io::ErrorKind::PermissionDenied) => "permission denied".to_owned(),
            _ => e.reason(),
        }
    })
}

fn describe_key(key: &KeyInfo) -> String {
    let mut text = key.algorithm.clone();
    if let Some(curve) = &key.curve {
        text.push(' ');
        text.push_str(curve);
    }
    if let Some(bits) = key.bits {
        text.push_str(&format!(" ({bits} bits)"));
    }
    text
}

fn write_cert(
    w: &mut impl Write,
    file: &str,
    index: usize,
    c: &Certificate,
) -> std::io::Result<()> {
    writeln!(w, "{file} #{index}: certificate")?;
    writeln!(w, "  subject       {}", c.subject)?;
    writeln!(w, "  issuer        {}", c.issuer)?;
    writeln!(w, "  serial        {}", c.serial_hex)?;
    writeln!(w, "  not before    {}", rfc3339(c.not_before))?;
    writeln!(w, "  not after     {}", rfc3339(c.not_after))?;
    writeln!(w, "  key           {}", describe_key(&c.key))?;
    writeln!(w, "  SPKI pin      {}", c.spki_pin)?;
    writeln!(w, "  CA            {}", if c.is_ca { "yes" } else { "no" })?;
    writeln!(w, "  SHA-256       {}", c.sha256)?;
    writeln!(w, "  SHA-1         {}", c.sha1)?;
    writeln!(
        w,
        "  subject hash  {} (old {})",
        c.subject_hash, c.subject_hash_old
    )?;
    writeln!(w, "  issuer hash   {}", c.issuer_hash)
}

fn write_crl(w: &mut impl Write, file: &str, index: usize, c: &Crl) -> std::io::Result<()> {
    writeln!(w, "{file} #{index}: CRL")?;
    writeln!(w, "  issuer        {}", c.issuer)?;
    writeln!(w, "  this update   {}", rfc3339(c.this_update))?;
    let next = c.next_update.map_or_else(|| "none".to_owned(), rfc3339);
    writeln!(w, "  next update   {next}")?;
    writeln!(w, "  SHA-256       {}", c.sha256)?;
    writeln!(w, "  SHA-1         {}", c.sha1)?;
    writeln!(
        w,
        "  issuer hash   {} (old {})",
        c.issuer_hash, c.issuer_hash_old
    )
}

/// Runs `cabundle inspect`.
pub fn run(args: InspectArgs, out: &Output) -> anyhow::Result<ExitStatus> {
    let mut files: Vec<(String, Vec<Object>)> = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let objects = read_input(path).and_then(|bytes| {
            let objects = cabundle_cert::read_objects(&bytes).map_err(|e| e.to_string())?;
            if objects.is_empty() {
                return Err("no certificate or CRL found".to_owned());
            }
            Ok(objects)
        });
        match objects {
            Ok(objects) => files.push((name, objects)),
            Err(reason) => {
                out.error(&format!("{name}: {reason}"));
                failed = true;
            }
        }
    }

    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if args.pins {
        // One line per certificate, the pin first: what `curl --pinnedpubkey` and
        // `verify --pin` take.
        let mut w = Terminal::new(&mut w);
        for (_, objects) in &files {
            for object in objects {
                if let Object::Certificate(c) = object {
                    writeln!(w, "{}  {}", c.spki_pin, c.subject)?;
                }
            }
        }
    } else if args.json {
        let mut entries = Vec::new();
        for (file, objects) in &files {
            for (index, object) in objects.iter().enumerate() {
                entries.push(match object {
                    Object::Certificate(c) => Entry::Cert(CertEntry {
                        file,
                        index,
                        kind: "certificate",
                        subject: &c.subject,
                        issuer: &c.issuer,
                        serial: &c.serial_hex,
                        not_before: rfc3339(c.not_before),
                        not_after: rfc3339(c.not_after),
                        sha256: c.sha256,
                        sha1: c.sha1,
                        subject_hash: c.subject_hash,
                        subject_hash_old: c.subject_hash_old,
                        issuer_hash: c.issuer_hash,
                        key: &c.key,
                        spki_pin: c.spki_pin,
                        is_ca: c.is_ca,
                    }),
                    Object::Crl(c) => Entry::Crl(CrlEntry {
                        file,
                        index,
                        kind: "crl",
                        issuer: &c.issuer,
                        this_update: rfc3339(c.this_update),
                        next_update: c.next_update.map(rfc3339),
                        sha256: c.sha256,
                        sha1: c.sha1,
                        issuer_hash: c.issuer_hash,
                        issuer_hash_old: c.issuer_hash_old,
                    }),
                    // A kind this version does not know how to show.
                    _ => continue,
                });
            }
        }
        serde_json::to_writer_pretty(&mut w, &entries)?;
        writeln!(w)?;
    } else {
        let mut w = Terminal::new(&mut w);
        let mut first = true;
        for (file, objects) in &files {
            for (index, object) in objects.iter().enumerate() {
                if !first {
                    writeln!(w)?;
                }
                first = false;
                match object {
                    Object::Certificate(c) => write_cert(&mut w, file, index, c)?,
                    Object::Crl(c) => write_crl(&mut w, file, index, c)?,
                    _ => {}
                }
            }
        }
    }
    w.flush()?;
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Ok
    })
}
