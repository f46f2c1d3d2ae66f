#!/usr/bin/env bash
# Requests per second of the main reads through the release binary, with wrk, on the 100,000
# articles that `cargo bench --bench list_queries` seeds (run that first). Loopback only.
#   bash benches/http.sh            # 10 s per endpoint, 2 threads, 32 connections
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
url="${MASTHEAD_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/masthead_bench}"
port=18089
seconds="${SECONDS_PER_RUN:-10}"
cargo build --release -q
MASTHEAD_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" RUST_LOG=warn \
  ./target/release/masthead serve --database-url "$url" --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$server/status"; }
echo "idle RSS: $(rss)"
random_article=$(mktemp)
cat > "$random_article" <<'LUA'
request = function()
  return wrk.format("GET", "/api/v1/articles/article-" .. math.random(1, 100000))
end
LUA
random_page=$(mktemp)
cat > "$random_page" <<'LUA'
request = function()
  return wrk.format("GET", "/api/v1/articles?page=" .. math.random(1, 500))
end
LUA
tag=$(psql "$url" -tAc "SELECT slug FROM tags ORDER BY slug LIMIT 1")
run() {
  local name=$1; shift
  printf '%-58s' "$name"
  wrk -t2 -c32 -d"${seconds}s" "$@" | awk '/Requests\/sec/ {printf "%10.0f req/s", $2} /Latency/ {lat=$2} END {print "   avg latency " lat}'
}
base="http://127.0.0.1:$port/api/v1"
run "one article by slug, the same one (cached)" "$base/articles/article-5001"
run "one article by slug, random of 100,000 (database)" -s "$random_article" "http://127.0.0.1:$port"
run "list of 20, newest first (cached)" "$base/articles"
run "list of 20, random page of 1 to 500 (500 keys: cached after first use)" -s "$random_page" "http://127.0.0.1:$port"
run "list of 20 with include=authors,tags,category (cached)" "$base/articles?include=authors,tags,category"
run "list of 20 by tag (cached)" "$base/articles?tag=$tag"
echo "RSS after the runs: $(rss)"
rm -f "$random_article" "$random_page"
