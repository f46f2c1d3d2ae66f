#!/usr/bin/env bash
# Whole requests of search and related articles through the release binary, 8 connections,
# response cache off: p50/p95/p99 and requests per second per kind of query (wrk), the
# server's memory under that load, and p99 of one identical query with the cache on.
#
# The 100,000 articles are written straight into PostgreSQL by benches/search_seed.sql (loading
# them through the API would take far longer), into `masthead_search_bench` (kept between runs;
# MASTHEAD_BENCH_RESEED=1 seeds again), then `masthead search reindex` builds the index this
# script serves (`target/search-bench/<database>`) and reports articles per second. With
# MASTHEAD_BENCH_CORPUS=common, the corpus is `masthead_search_bench_common`, where every
# article is drawn from the same 48 sentences, so every keyword is common to the whole site.
# Loopback only; every run is bounded (SECONDS_PER_RUN).
#   bash benches/search_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
name=masthead_search_bench
[ "${MASTHEAD_BENCH_CORPUS:-}" = common ] && name=masthead_search_bench_common
url="${MASTHEAD_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$name}"
dir="target/search-bench/$name"
port=18090
seconds="${SECONDS_PER_RUN:-10}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
cargo build --release -q
./target/release/masthead migrate --database-url "$url" >/dev/null
articles=$(psql "$url" -Atc "SELECT count(*) FROM articles")
if [ "$articles" -lt 100000 ] || [ -n "${MASTHEAD_BENCH_RESEED:-}" ]; then
  common=off; [ "$name" = masthead_search_bench_common ] && common=on
  echo "seeding 100,000 articles into $name (common=$common)…"
  time psql "$url" -q -v ON_ERROR_STOP=1 -v common=$common -f benches/search_seed.sql
  rm -rf "$dir"
fi
if [ ! -e "$dir/index/meta.json" ] || [ -n "${MASTHEAD_BENCH_REINDEX:-}" ]; then
  rm -rf "$dir"
  ./target/release/masthead search reindex --database-url "$url" --search-dir "$dir"
fi

start() {
  MASTHEAD_JWT_SECRET="bench-secret-bench-secret-bench-secret-42" RUST_LOG=warn \
    MASTHEAD_RESPONSE_CACHE="$1" MASTHEAD_SEARCH_DIR="$dir" \
    ./target/release/masthead serve --database-url "$url" --bind "127.0.0.1:$port" &
  server=$!
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && return
    sleep 0.2
  done
  echo "the server did not become ready"; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
trap 'kill $server 2>/dev/null || true' EXIT

# One wrk run: a Lua request generator over `paths` (a Lua list), p50/p95/p99 and req/s.
run() {
  local label=$1 paths=$2 unique=${3:-yes}
  local script
  script=$(mktemp --suffix .lua)
  cat > "$script" <<LUA
local paths = {$paths}
local unique = "$unique" == "yes"
local n = 0
request = function()
  n = n + 1
  local path = paths[n % #paths + 1]
  if path:find("RANDOM") then
    local id = math.random(1, 99999)
    if id % 10 == 0 then id = id + 1 end
    path = path:gsub("RANDOM", tostring(id))
  end
  if unique then path = path .. "&n=" .. n end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("%8.0f req/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
  printf '%-46s' "$label"
  wrk -t2 -c8 -d"${seconds}s" -s "$script" "http://127.0.0.1:$port" | tail -n 1
  rm -f "$script"
}

rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$server/status"; echo; }

start off
printf '%-46s' "memory after start (index caught up)"; rss
s=/api/v1/search?q=
# 养老 · 养老服务 · 儿童福利 (common); 那达慕 · 冰雪 (rare); 低保 救助 家庭 · 出口 养老 (several
# words); goverment · yanglao (misspelt, pinyin).
run "GET /search, common words" "\"${s}%E5%85%BB%E8%80%81\", \"${s}%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1\", \"${s}%E5%84%BF%E7%AB%A5%E7%A6%8F%E5%88%A9\""
run "GET /search, rare words" "\"${s}%E9%82%A3%E8%BE%BE%E6%85%95\", \"${s}%E5%86%B0%E9%9B%AA\""
run "GET /search, several words" "\"${s}%E4%BD%8E%E4%BF%9D%20%E6%95%91%E5%8A%A9%20%E5%AE%B6%E5%BA%AD\", \"${s}%E5%87%BA%E5%8F%A3%20%E5%85%BB%E8%80%81\""
run "GET /search, misspelt and pinyin" "\"${s}goverment\", \"${s}yanglao\""
run "GET /articles/{slug}/related, random article" "\"/api/v1/articles/article-RANDOM/related?limit=6\""
printf '%-46s' "memory after the load above"; rss
stop

start on
run "cache on: one identical search (8 at once)" "\"${s}%E5%85%BB%E8%80%81\"" no
run "cache on: mixed searches, repeated" "\"${s}%E5%85%BB%E8%80%81\", \"${s}%E9%82%A3%E8%BE%BE%E6%85%95\", \"${s}goverment\"" no
stop
