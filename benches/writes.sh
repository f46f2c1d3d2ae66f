#!/usr/bin/env bash
# Articles written per second by this build against an earlier revision's, in alternating runs on
# fresh databases (benches/writes.py): the machine's drift falls on every build and way alike.
# Builds the earlier revision once, in its own target directory. Loopback only.
#   bash benches/writes.sh        # against 267b52f, the revision issue 13 measured 285/s on
#   WRITES_BASE=<revision> WRITES_RUNS=3 WRITES_ARTICLES=3000
set -euo pipefail
cd "$(dirname "$0")/.."
base="${WRITES_BASE:-267b52f}"
base_target="$PWD/target/writes-base/$base"
if [ ! -x "$base_target/release/masthead" ]; then
  tree="$(mktemp -d)"
  trap 'git worktree remove --force "$tree"' EXIT
  git worktree add -q --detach "$tree" "$base"
  (cd "$tree" && CARGO_TARGET_DIR="$base_target" cargo build --release -q --bin masthead)
fi
cargo build --release -q --bin masthead --example write_clients
admin_url="${MASTHEAD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WRITES_ADMIN_URL="$admin_url" python3 benches/writes.py "$base" "$base_target/release/masthead" \
  ./target/release/masthead ./target/release/examples/write_clients
