//! Temporary probe.
#![allow(missing_docs, clippy::unwrap_used)]
use std::time::Instant;
fn main() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ccadb/AllCertificatePEMsCSVFormat-2026-02-28"));
    let files: Vec<Vec<u8>> = std::fs::read_dir(dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    let t = Instant::now();
    let mut pems = Vec::new();
    for f in &files { for r in csv::Reader::from_reader(f.as_slice()).records() { pems.push(r.unwrap().get(1).unwrap().to_owned()); } }
    println!("csv {:?}", t.elapsed());
    let t = Instant::now();
    let ders: Vec<Vec<u8>> = pems.iter().map(|p| cabundle_cert::pem_blocks(p.as_bytes()).unwrap().remove(0).contents).collect();
    println!("pem {:?}", t.elapsed());
    let t = Instant::now();
    for d in &ders { cabundle_cert::Certificate::from_der(d).unwrap(); }
    println!("der {:?}", t.elapsed());
    let t = Instant::now();
    for d in &ders { x509_parser::parse_x509_certificate(d).unwrap(); }
    println!("x509-parser only {:?}", t.elapsed());
}
