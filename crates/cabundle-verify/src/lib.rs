//! Certificate path building and validation that explains failures in words a person can act on
