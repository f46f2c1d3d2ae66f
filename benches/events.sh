#!/usr/bin/env bash
# Live events through the release binary on a fresh database: memory per idle stream with 1,000
# open, and commit-to-event latency with all of them open (benches/events.py).
#   bash benches/events.sh            # STREAMS=1000 EDITS=200
set -euo pipefail
cd "$(dirname "$0")/.."
admin_url="${MASTHEAD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
url="${admin_url%/*}/masthead_bench_events"
port=18092
streams="${STREAMS:-1000}"
psql "$admin_url" -qc "DROP DATABASE IF EXISTS masthead_bench_events" </dev/null
cargo build --release -q
# Every stream comes from 127.0.0.1: lift the per-client limit and the open-file limit for the run.
ulimit -n $((streams * 2 + 1024))
MASTHEAD_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" RUST_LOG=warn \
  MASTHEAD_EVENT_STREAMS_PER_CLIENT=$((streams + 10)) MALLOC_ARENA_MAX=2 \
  ./target/release/masthead serve --database-url "$url" --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; psql "$admin_url" -qc "DROP DATABASE IF EXISTS masthead_bench_events" </dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
MASTHEAD_BENCH_URL="http://127.0.0.1:$port" MASTHEAD_BENCH_PID=$server STREAMS=$streams python3 benches/events.py
