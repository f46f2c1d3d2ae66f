#!/usr/bin/env python3
"""The read path against its ceiling, measured from outside (see read_path.sh).

1. Writes: 10,000 Chinese articles of about 3 KB created and published through the API with
   8 clients (articles per second), each as a draft then published; at the end, 10,000 more
   created published in one request each. The clients are benches/write_clients.rs: a client in
   Python spent about a seventh of the machine's CPU on its side of the writes.
2. Memory: anonymous RSS (RssAnon) of `serve` fresh, idle after the load, and at its peak under
   the read load.
3. Uncached reads: a random article by slug, uniform over the 10,000, with wrk -t2 -c64, against
   Masthead (MASTHEAD_RESPONSE_CACHE=off) and against the ceiling server (benches/ceiling.rs:
   one SELECT by slug through Diesel and r2d2, its row as JSON) on the same database, in turns;
   requests per second, p99, and CPU per request of the server and of PostgreSQL.
4. A realistic mix with the response cache on: reads drawn from a Zipf distribution over the
   articles, list pages and the home carousel.
5. Compression, with the response cache on: bytes per answer and requests per second of one
   hot article and one list page of 20 with full bodies, as identity, gzip and brotli.

Standard library only; every request goes to 127.0.0.1.
"""

import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

MASTHEAD = os.environ["READ_PATH_MASTHEAD"]
CEILING = os.environ["READ_PATH_CEILING"]
WRITE_CLIENTS = os.environ["READ_PATH_WRITE_CLIENTS"]
DB = os.environ["READ_PATH_DATABASE_URL"]
ARTICLES = int(os.environ.get("READ_PATH_ARTICLES", "10000"))
SECONDS = int(os.environ.get("SECONDS_PER_RUN", "10"))
MASTHEAD_PORT, CEILING_PORT = 18090, 18091
# Its own search index for the run, so the writes measured include indexing the articles (and
# both starts of the server share it).
SEARCH_DIR = tempfile.mkdtemp(prefix="masthead-read-path-search-")
SECRET = "read-path-bench-secret-read-path-bench-secret"

WORDS = ("社会救助 养老服务 民生 温度 幸福 刻度 通辽市 群众 满意 帮扶 体系 建设 台账 数字 事例 音符 "
         "城乡 低保 特困 供养 医疗 教育 住房 就业 兜底 保障 精准 识别 动态 管理 政策 落实 基层 社区 "
         "志愿者 慰问 困难 家庭 儿童 老人 残疾人 临时 救助 资金 发放 监督 公开 透明 服务 窗口 便民 "
         "办理 流程 优化 数据 共享 平台 上线 覆盖 乡镇 街道 村居 网格 走访 排查 需求 对接 资源 整合").split()


def paragraph(rng, words):
    return "，".join("".join(rng.choice(WORDS) for _ in range(3)) for _ in range(words // 3)) + "。"


def article_text(n):
    rng = random.Random(n)
    title = f"第{n}期 " + "".join(rng.choice(WORDS) for _ in range(3))
    body = "\n\n".join(paragraph(rng, 60) for _ in range(6))
    return title, body


class Client:
    """One keep-alive connection."""

    def __init__(self, port, token=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None if body is None else json.dumps(body).encode()
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:300]!r}")
        return json.loads(text) if text else None


def rss_anon(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / ticks


def postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() in ("postgres", "postmaster"):
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def wait_until_up(port):
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/api/v1/articles/none")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers on {port}")


def start_masthead(cache):
    env = dict(os.environ, MASTHEAD_JWT_SECRET=SECRET, RUST_LOG="warn",
               MASTHEAD_RESPONSE_CACHE="on" if cache else "off", MASTHEAD_SEARCH_DIR=SEARCH_DIR)
    # What the Dockerfile ships for the C libraries' allocations (see the README's settings;
    # Masthead's own are jemalloc's); READ_PATH_MALLOC=default measures glibc's own behaviour
    # instead (an arena per thread, adaptive thresholds).
    if os.environ.get("READ_PATH_MALLOC", "shipped") != "default":
        env.update(MALLOC_ARENA_MAX="2", MALLOC_MMAP_THRESHOLD_="131072",
                   MALLOC_TRIM_THRESHOLD_="131072")
    process = subprocess.Popen([MASTHEAD, "serve", "--database-url", DB, "--bind",
                                f"127.0.0.1:{MASTHEAD_PORT}"], env=env, stdout=subprocess.DEVNULL)
    wait_until_up(MASTHEAD_PORT)
    time.sleep(1)
    return process


def taxonomy(token):
    """The categories and tags the articles are filed under, and the home carousel."""
    admin = Client(MASTHEAD_PORT, token)
    categories = [admin.call("POST", "/api/v1/categories", {"name": name})["id"]
                  for name in ("民生", "养老", "医疗", "教育", "社区")]
    tags = [admin.call("POST", "/api/v1/tags", {"name": name})["id"] for name in WORDS[:20]]
    admin.call("POST", "/api/v1/carousels", {"key": "home-hero", "name": "首页轮播"})
    return categories, tags


def seed(token, filing, first=0, one_request=False):
    """Creates and publishes ARTICLES articles with 8 clients (benches/write_clients.rs, whose
    requests are made beforehand): each as a draft then published (two requests), or created
    published (one request); their slugs and the rate."""
    categories, tags = filing
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8",
                                     delete=False) as bodies:
        for n in range(first, first + ARTICLES):
            title, body = article_text(n)
            rng = random.Random(n)
            request = {"title": title, "body": body, "category": rng.choice(categories),
                       "tags": rng.sample(tags, 3)}
            if one_request:
                request["status"] = "published"
            bodies.write(json.dumps(request, ensure_ascii=False) + "\n")
    out = subprocess.run([WRITE_CLIENTS, f"http://127.0.0.1:{MASTHEAD_PORT}", token, bodies.name],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    os.unlink(bodies.name)
    slugs = out[1:ARTICLES + 1]
    if len(slugs) != ARTICLES or not all(slugs):
        sys.exit("some articles were not written")
    return slugs, ARTICLES / float(out[0])


def lua_table(slugs):
    return "slugs = {" + ",".join(json.dumps(s) for s in slugs) + "}\n"


def uniform_script(slugs):
    return lua_table(slugs) + """
request = function()
  return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(1, #slugs)])
end
"""


def zipf_script(slugs):
    # Cumulative Zipf weights (s = 1) over the articles, sampled by binary search; one request
    # in ten is a list page, one in twenty the home carousel.
    return lua_table(slugs) + """
local cumulative, total = {}, 0
for i = 1, #slugs do total = total + 1 / i; cumulative[i] = total end
local function zipf()
  local target, low, high = math.random() * total, 1, #slugs
  while low < high do
    local middle = math.floor((low + high) / 2)
    if cumulative[middle] < target then low = middle + 1 else high = middle end
  end
  return slugs[low]
end
request = function()
  local roll = math.random()
  if roll < 0.10 then
    return wrk.format("GET", "/api/v1/articles?page=" .. math.random(1, 5))
  elseif roll < 0.15 then
    return wrk.format("GET", "/api/v1/carousels/home-hero")
  end
  return wrk.format("GET", "/api/v1/articles/" .. zipf())
end
"""


def wrk(port, script, seconds=SECONDS, connections=64):
    """Requests per second and p99 in ms, from wrk's own report."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          file.name, f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                         check=True).stdout
    os.unlink(file.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{errors.group(1)} requests failed:\n{out}")
    return rate, p99_ms, requests


def fixed_script(path, encoding):
    header = f'wrk.headers["Accept-Encoding"] = "{encoding}"\n' if encoding else ""
    return header + f'request = function() return wrk.format("GET", "{path}") end\n'


def answer_bytes(port, path, encoding):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Encoding": encoding or "identity"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return len(body), response.getheader("Content-Encoding") or "identity"


def compression(pid, port, slug):
    print("\ncompression, response cache on, wrk -t2 -c64, one path each:")
    print(f"{'':44}{'encoding':>10}{'bytes':>9}{'req/s':>9}{'p99 ms':>8}")
    for name, path in (("one article", f"/api/v1/articles/{slug}"),
                       ("a list of 20 with bodies", "/api/v1/articles?per_page=20&fields=id,title,body,body_html")):
        for encoding in (None, "gzip", "br, gzip"):
            size, sent = answer_bytes(port, path, encoding)
            script = fixed_script(path, encoding)
            wrk(port, script, seconds=2)
            r = measured(pid, port, script)
            print(f"{name:44}{sent:>10}{size:>9}{r['rate']:>9.0f}{r['p99']:>8.1f}")


def measured(pid, port, script):
    """wrk against one server, with the CPU it and PostgreSQL spent, and its peak RssAnon."""
    peak = [rss_anon(pid)]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_anon(pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    pg = postgres_pids()
    server_before, pg_before = cpu_seconds([pid]), cpu_seconds(pg)
    rate, p99, requests = wrk(port, script)
    server_cpu = cpu_seconds([pid]) - server_before
    pg_cpu = cpu_seconds(pg) - pg_before
    done.set()
    sampler.join()
    return {"rate": rate, "p99": p99, "server_ms": 1000 * server_cpu / requests,
            "db_ms": 1000 * pg_cpu / requests, "peak": peak[0]}


def main():
    masthead = start_masthead(cache=False)
    fresh = rss_anon(masthead.pid)
    setup = Client(MASTHEAD_PORT).call("POST", "/api/v1/auth/setup", {
        "email": "bench@example.com", "password": "a long bench password", "name": "Bench"})
    token = setup["access_token"]
    filing = taxonomy(token)
    slugs, writes = seed(token, filing)
    # Idle: the last batch indexed and the index writer closed (two quiet seconds, see
    # src/search/indexer.rs).
    time.sleep(5)
    idle = rss_anon(masthead.pid)
    print(f"writes: {ARTICLES} articles created and published with 8 clients, two requests "
          f"each: {writes:.0f}/s")
    print(f"RssAnon: {fresh:.1f} MiB fresh, {idle:.1f} MiB idle after loading {ARTICLES}")

    ceiling = subprocess.Popen([CEILING, DB, f"127.0.0.1:{CEILING_PORT}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(CEILING_PORT)
    script = uniform_script(slugs)
    wrk(MASTHEAD_PORT, script, seconds=3)
    wrk(CEILING_PORT, script, seconds=3)
    runs = {"ceiling": [], "masthead": []}
    for _ in range(2):
        runs["ceiling"].append(measured(ceiling.pid, CEILING_PORT, script))
        runs["masthead"].append(measured(masthead.pid, MASTHEAD_PORT, script))
    ceiling.terminate()

    def best(name):
        return max(runs[name], key=lambda r: r["rate"])

    c, m = best("ceiling"), best("masthead")
    print(f"\nuncached read of a random article by slug, uniform over {ARTICLES}, wrk -t2 -c64:")
    print(f"{'':10}{'req/s':>10}{'p99 ms':>9}{'CPU ms/req (server + db)':>28}")
    for name, r in (("ceiling", c), ("masthead", m)):
        print(f"{name:10}{r['rate']:>10.0f}{r['p99']:>9.1f}"
              f"{r['server_ms'] + r['db_ms']:>12.3f} ({r['server_ms']:.3f} + {r['db_ms']:.3f})")
    print(f"ratio: {m['rate'] / c['rate']:.2f}x the ceiling's requests per second (goal >= 0.7), "
          f"{(m['server_ms'] + m['db_ms']) / (c['server_ms'] + c['db_ms']):.2f}x its CPU per "
          f"request (goal <= 1.5), p99 {m['p99']:.1f} ms (goal <= 12)")
    print(f"RssAnon peak under the read load: {max(r['peak'] for r in runs['masthead']):.1f} MiB")
    masthead.terminate()
    masthead.wait()

    masthead = start_masthead(cache=True)
    mix = zipf_script(slugs)
    wrk(MASTHEAD_PORT, mix, seconds=3)
    r = measured(masthead.pid, MASTHEAD_PORT, mix)
    print(f"\nZipf mix with the response cache on (articles, 10% list pages, 5% carousel): "
          f"{r['rate']:.0f} req/s, p99 {r['p99']:.1f} ms, "
          f"CPU {r['server_ms'] + r['db_ms']:.3f} ms/req, RssAnon peak {r['peak']:.1f} MiB")
    compression(masthead.pid, MASTHEAD_PORT, slugs[0])
    # Last, so that the reads above ran over the first load alone; these write into a table that
    # already holds it.
    _, writes = seed(token, filing, first=ARTICLES, one_request=True)
    print(f"\nwrites: {ARTICLES} more articles created published with 8 clients, one request "
          f"each (`status: published`): {writes:.0f}/s")
    masthead.terminate()
    masthead.wait()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SEARCH_DIR, ignore_errors=True)
