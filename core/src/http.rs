//! Adapters for the `http` crate (feature `http`).
