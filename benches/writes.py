#!/usr/bin/env python3
"""Articles written per second through the API, measured from outside (see writes.sh).

Each run starts a build of `serve` on a fresh database and search directory, and 8 clients
(benches/write_clients.rs) create and publish WRITES_ARTICLES Chinese articles of about 3 KB:
as drafts then published (two requests each) or created published (`status: published`, one
request). Runs alternate, WRITES_RUNS rounds of: the earlier build, two requests; this build,
two requests; this build, one request. Printed per run: articles per second, and the CPU the
server and PostgreSQL spent per article (PostgreSQL's includes its other work meanwhile).

usage: writes.py <base name> <base binary> <this binary> <write_clients binary>
"""

import os
import shutil
import subprocess
import sys
import tempfile

BASE_NAME, BASE, THIS, CLIENTS = sys.argv[1:5]
ARTICLES = int(os.environ.get("WRITES_ARTICLES", "3000"))
RUNS = int(os.environ.get("WRITES_RUNS", "3"))
ADMIN_URL = os.environ["WRITES_ADMIN_URL"]
DATABASE = "masthead_bench_writes"
# The read-path bench's server, articles and clients; its settings must be in place to load it.
os.environ.update(READ_PATH_MASTHEAD=THIS, READ_PATH_CEILING="", READ_PATH_WRITE_CLIENTS=CLIENTS,
                  READ_PATH_ARTICLES=str(ARTICLES),
                  READ_PATH_DATABASE_URL=f"{ADMIN_URL.rsplit('/', 1)[0]}/{DATABASE}?sslmode=disable")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_path  # noqa: E402

shutil.rmtree(read_path.SEARCH_DIR, ignore_errors=True)


def run(binary, one_request):
    subprocess.run(["psql", ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {DATABASE}"], check=True,
                   stderr=subprocess.DEVNULL)
    read_path.MASTHEAD = binary
    # A search index of its own: every article is indexed, by every build.
    read_path.SEARCH_DIR = tempfile.mkdtemp(prefix="masthead-writes-search-")
    server = read_path.start_masthead(cache=False)
    try:
        token = read_path.Client(read_path.MASTHEAD_PORT).call("POST", "/api/v1/auth/setup", {
            "email": "bench@example.com", "password": "a long bench password",
            "name": "Bench"})["access_token"]
        filing = read_path.taxonomy(token)
        postgres = read_path.postgres_pids()
        before = (read_path.cpu_seconds([server.pid]), read_path.cpu_seconds(postgres))
        _, rate = read_path.seed(token, filing, one_request=one_request)
        after = (read_path.cpu_seconds([server.pid]),
                 read_path.cpu_seconds(read_path.postgres_pids()))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(read_path.SEARCH_DIR, ignore_errors=True)
    return rate, [1000 * (a - b) / ARTICLES for a, b in zip(after, before)]


def main():
    ways = [(f"{BASE_NAME}, two requests", BASE, False), ("this build, two requests", THIS, False),
            ("this build, one request", THIS, True)]
    rates = {name: [] for name, _, _ in ways}
    print(f"{ARTICLES} articles a run, 8 clients; CPU ms an article: server + PostgreSQL")
    for _ in range(RUNS):
        for name, binary, one_request in ways:
            rate, (server_ms, db_ms) = run(binary, one_request)
            rates[name].append(rate)
            print(f"{name:32}{rate:>7.0f}/s{server_ms:>8.2f} +{db_ms:>5.2f} ms", flush=True)
    base = rates[ways[0][0]]
    for name, _, _ in ways[1:]:
        ratios = ", ".join(f"{r / b:.2f}x" for r, b in zip(rates[name], base))
        print(f"{name} against {BASE_NAME}, run by run: {ratios}")


if __name__ == "__main__":
    try:
        main()
    finally:
        subprocess.run(["psql", ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {DATABASE}"],
                       stderr=subprocess.DEVNULL)
