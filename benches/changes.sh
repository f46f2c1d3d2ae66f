#!/usr/bin/env bash
# How change travels, through the release binary on a fresh database: the change log's cost on
# writes, webhook latency and throughput to a receiver on this machine (benches/changes.py).
#   bash benches/changes.sh            # SECONDS_PER_RUN=10 per write-rate run
set -euo pipefail
cd "$(dirname "$0")/.."
admin_url="${MASTHEAD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
url="${admin_url%/*}/masthead_bench_changes"
port=18091
psql "$admin_url" -qc "DROP DATABASE IF EXISTS masthead_bench_changes" </dev/null
cargo build --release -q
MASTHEAD_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" RUST_LOG=warn MASTHEAD_OUTBOUND=loopback \
  ./target/release/masthead serve --database-url "$url" --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
MASTHEAD_BENCH_URL="http://127.0.0.1:$port" MASTHEAD_BENCH_DATABASE_URL="$url" python3 benches/changes.py
echo "RSS after the runs: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$server/status")"
