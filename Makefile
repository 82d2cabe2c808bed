# Thin wrappers; the scripts hold the logic.
.PHONY: run test lint fmt bench-log bench-bus build

ARGS ?=

run:            ## start the whole product on the embedded default (data under ./data)
	cargo run --release -p ticketing -- serve $(ARGS)

test:           ## the full test suite (installs what it needs first)
	./scripts/test.sh

lint:           ## formatting and clippy with warnings as errors
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

build:
	cargo build --workspace --release

bench-log:      ## durable append benchmark: filelog vs raw fdatasync vs sled vs PostgreSQL
	cargo run --release -p bench --bin bench-log -- $(ARGS)

bench-bus:      ## event propagation log -> bus -> read model: embedded bus vs NATS JetStream
	cargo run --release -p bench --bin bench-bus -- $(ARGS)
