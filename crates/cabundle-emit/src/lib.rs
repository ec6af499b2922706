//! Deterministic outputs: PEM bundles with comment blocks, and JSON manifests
