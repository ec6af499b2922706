//! The only crate that talks HTTP: fetch the CCADB report over verified HTTPS
