//! OpenSSL-compatible hashed certificate directories: a pure plan, then its application to disk
