#!/usr/bin/env bash
# The read path against its ceiling, through the release binary on a fresh database: writes
# per second, memory (RssAnon), uncached reads beside benches/ceiling.rs, and a Zipf mix
# (benches/read_path.py). Needs wrk (apt-get install wrk). Loopback only.
#   bash benches/read_path.sh          # READ_PATH_ARTICLES=10000, SECONDS_PER_RUN=10,
#                                      # READ_PATH_MALLOC=shipped (the Dockerfile's glibc settings;
#                                      # `default` for glibc's own)
#   READ_PATH_MASTHEAD=path/to/masthead  another build of the server, e.g. with another allocator
#   READ_PATH_DATABASE_OPTIONS=sslmode=disable  the default, added to both servers' database URL
#                                      as in Masthead's default DATABASE_URL; set it empty for
#                                      libpq's `prefer` (TLS on loopback when the server offers it)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
admin_url="${MASTHEAD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
options="${READ_PATH_DATABASE_OPTIONS-sslmode=disable}"
psql "$admin_url" -qc "DROP DATABASE IF EXISTS masthead_bench_read_path" </dev/null
cargo build --release -q --bin masthead --example ceiling --example write_clients
READ_PATH_MASTHEAD="${READ_PATH_MASTHEAD:-./target/release/masthead}" READ_PATH_CEILING=./target/release/examples/ceiling \
  READ_PATH_WRITE_CLIENTS=./target/release/examples/write_clients \
  READ_PATH_DATABASE_URL="${admin_url%/*}/masthead_bench_read_path${options:+?$options}" \
  python3 benches/read_path.py
