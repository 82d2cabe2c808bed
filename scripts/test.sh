#!/usr/bin/env bash
# The full test suite, as CI runs it: lint, then every test of the workspace.
# Installs nothing by hand: whatever the tests need is fetched by scripts/ here.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== tests"
# Release-mode tests of the crash test would be faster to run but slower to build on 2 cores;
# the debug profile keeps dependencies at opt-level 1 (see Cargo.toml).
cargo test --workspace --all-targets
cargo test --workspace --doc
