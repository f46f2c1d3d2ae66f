#!/usr/bin/env bash
# Whole-request latency (p50, p95) of search and related articles through the release binary,
# on the 100,000 articles that `cargo bench --bench search_queries` seeds (run that first), and
# requests per second with wrk when it is installed. Loopback only; bounded runs.
#   bash benches/search_http.sh        # 200 sequential requests per endpoint, then 10 s of wrk
set -euo pipefail
cd "$(dirname "$0")/.."
url="${MASTHEAD_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/masthead_search_bench}"
port=18090
requests="${REQUESTS:-200}"
seconds="${SECONDS_PER_RUN:-10}"
cargo build --release -q
MASTHEAD_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" RUST_LOG=warn \
  ./target/release/masthead serve --database-url "$url" --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port/api/v1"
# Percent-encoded: 养老, 养老服务, 低保 救助 家庭, 儿童福利院, 那达慕, goverment.
queries=(%E5%85%BB%E8%80%81 %E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1
  %E4%BD%8E%E4%BF%9D%20%E6%95%91%E5%8A%A9%20%E5%AE%B6%E5%BA%AD
  %E5%84%BF%E7%AB%A5%E7%A6%8F%E5%88%A9%E9%99%A2 %E9%82%A3%E8%BE%BE%E6%85%95 goverment)
percentiles() {
  sort -n | awk '{a[NR] = $1} END {printf "p50 %7.2f ms   p95 %7.2f ms\n", a[int(NR * 0.5)] * 1000, a[int(NR * 0.95)] * 1000}'
}
# A `nocache` parameter makes each URL new, so the 5-second response cache never answers.
printf '%-52s' "GET /search, 6 queries in turn (sequential)"
for i in $(seq 1 "$requests"); do
  q=${queries[$((i % ${#queries[@]}))]}
  curl -s -o /dev/null -w '%{time_total}\n' "$base/search?q=$q&nocache=$i"
done | percentiles
printf '%-52s' "GET /articles/{slug}/related, random article"
for i in $(seq 1 "$requests"); do
  n=$(( (RANDOM * 32768 + RANDOM) % 100000 ))
  # Every tenth article is a draft (404); take its neighbour.
  [ $((n % 10)) -eq 0 ] && n=$((n + 1))
  curl -s -o /dev/null -w '%{time_total}\n' "$base/articles/article-$n/related?nocache=$i"
done | percentiles
command -v wrk >/dev/null || { echo "wrk not installed: no throughput figures"; exit 0; }
script=$(mktemp)
cat > "$script" <<'LUA'
local queries = {"%E5%85%BB%E8%80%81", "%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1", "%E9%82%A3%E8%BE%BE%E6%85%95",
  "%E5%84%BF%E7%AB%A5%E7%A6%8F%E5%88%A9%E9%99%A2"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/search?q=" .. queries[n % #queries + 1] .. "&nocache=" .. n)
end
LUA
related=$(mktemp)
cat > "$related" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local id = math.random(1, 99999)
  if id % 10 == 0 then id = id + 1 end
  return wrk.format("GET", "/api/v1/articles/article-" .. id .. "/related?nocache=" .. n)
end
LUA
for pair in "search, uncached:$script" "related, uncached:$related"; do
  printf '%-52s' "wrk ${pair%%:*} (2 threads, 8 connections)"
  wrk -t2 -c8 -d"${seconds}s" --latency -s "${pair#*:}" "http://127.0.0.1:$port" |
    awk '/Requests\/sec/ {rps = $2} / 50%/ {p50 = $2} / 90%/ {p90 = $2} END {printf "%8.0f req/s   p50 %s   p90 %s\n", rps, p50, p90}'
done
