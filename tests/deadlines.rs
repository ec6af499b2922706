//! Deadlines for the whole operation, besides the time-out of each read: a loopback server
//! that sends one byte per second never trips a read time-out, yet `probe`, `doctor HOST` and
//! `fetch` end at their deadline and say which limit passed.
#![allow(clippy::unwrap_used)] // in tests a failed unwrap is a failed test

mod support;

use cabundle_testkit::PkiFiles as Pki;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use support::{cabundle, output_text as text};

/// A TLS record header announcing a 16 KiB handshake record, then zeros: what the server
/// drips, so that the client waits for more and never sees an error.
fn dripped_byte(i: usize) -> u8 {
    [0x16, 0x03, 0x03, 0x40, 0x00].get(i).copied().unwrap_or(0)
}

/// Serves every connection one byte per second, for at most 40 s; returns the port.
fn drip_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || drip(stream));
        }
    });
    port
}

fn drip(mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut hello = [0u8; 4096];
    let _ = stream.read(&mut hello);
    for i in 0..40 {
        if stream.write_all(&[dripped_byte(i)]).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

#[test]
fn probe_ends_at_its_deadline() {
    let pki = Pki::new();
    let port = drip_server();
    let started = Instant::now();
    let out = cabundle(&[
        "probe",
        &format!("127.0.0.1:{port}"),
        "--bundle",
        &pki.arg("root.pem"),
        "--timeout",
        "3",
    ])
    .output()
    .unwrap();
    let took = started.elapsed();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!(
            "the TLS handshake with 127.0.0.1:{port} did not finish within 6s (the deadline)"
        )),
        "{said}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_deadline_is_a_duration_and_a_silent_server_trips_the_read_time_out() {
    let pki = Pki::new();
    // A server that accepts and never speaks: the time-out of one read passes first.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            std::thread::sleep(Duration::from_secs(3));
            drop(stream);
        }
    });
    let out = cabundle(&[
        "probe",
        &format!("127.0.0.1:{port}"),
        "--bundle",
        &pki.arg("root.pem"),
        "--timeout",
        "500ms",
        "--deadline",
        "2s",
    ])
    .output()
    .unwrap();
    let said = text(&out);
    assert!(
        said.contains(&format!(
            "no data from 127.0.0.1:{port} for 500ms during the TLS handshake"
        )),
        "{said}"
    );
    holder.join().unwrap();
    let out = cabundle(&["probe", "127.0.0.1:1", "--deadline", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("invalid duration `soon`"),
        "{}",
        text(&out)
    );
}

#[test]
fn doctor_ends_at_its_deadline() {
    let port = drip_server();
    let empty = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = cabundle(&["doctor", &format!("127.0.0.1:{port}"), "--timeout", "3"])
        .env_clear()
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!(
            "the TLS handshake with 127.0.0.1:{port} did not finish within 6s (the deadline)"
        )),
        "{said}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
