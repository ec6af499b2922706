//! What `read_objects` makes of every file in the generated rehash corpus.

use cabundle_cert::{Object, read_objects};
use cabundle_testkit::rehash_corpus;

/// `Ok((certificates, crls))` or `Err(part of the message)` for a corpus file.
fn expected(file: &str) -> Result<(usize, usize), &'static str> {
    Ok(match file {
        "multi.pem" => (2, 0),
        f if f.starts_with("crl_") => (0, 1),
        "empty_file.pem" | "text.pem" | "junk.crt" | "key_only.pem" => (0, 0),
        "truncated.pem" => return Err("invalid PEM block 0 (CERTIFICATE): no END line"),
        "visible_string_name.pem" => return Err("which OpenSSL does not accept in a name"),
        _ => (1, 0),
    })
}

#[test]
fn rehash_corpus_reads_as_expected() {
    for (file, bytes) in rehash_corpus() {
        let got = read_objects(&bytes).map(|objects| {
            let certs = objects
                .iter()
                .filter(|o| matches!(o, Object::Certificate(_)))
                .count();
            (certs, objects.len() - certs)
        });
        match (got, expected(&file)) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{file}"),
            (Err(err), Err(want)) => assert!(err.to_string().contains(want), "{file}: {err}"),
            (got, want) => panic!("{file}: got {got:?}, expected {want:?}"),
        }
    }
}
