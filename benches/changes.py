#!/usr/bin/env python3
"""How change travels, measured from outside against a running release `serve` (see changes.sh).

1. The change log's cost on the write path: articles created and published per second with
   8 clients, with the change-log triggers switched off and on, in the same run.
2. Commit-to-receiver latency of a webhook (p50/p95/max) to a receiver on this machine.
3. Deliveries per second one process sustains, from a backlog, to 1 hook and to 4 hooks.
4. The same latency while a long write transaction stays open beside it.

Standard library only; every request goes to 127.0.0.1.
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

BASE = os.environ["MASTHEAD_BENCH_URL"]
DB = os.environ["MASTHEAD_BENCH_DATABASE_URL"]
SECONDS = float(os.environ.get("SECONDS_PER_RUN", "10"))
TRACKED = ["articles", "authors", "categories", "tags", "images", "carousels", "carousel_slides",
           "recommendations", "links", "site_settings", "users", "api_keys", "webhooks"]


def call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def psql(sql):
    subprocess.run(["psql", DB, "-qtAc", sql], check=True, stdout=subprocess.DEVNULL)


class Receiver:
    """A minimal, fast HTTP receiver on 127.0.0.1: notes when each webhook-id arrived."""

    def __init__(self):
        self.arrivals = {}
        self.count = 0
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    def _run(self):
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        loop.run_forever()

    async def _handle(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        length, message = 0, None
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "webhook-id":
                message = value.strip()
        body = await reader.readexactly(length)
        self.arrivals[message] = (time.monotonic(), body)
        self.count += 1
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"


def write_rate(token, clients=8):
    done = [0] * clients
    stop = time.monotonic() + SECONDS

    def client(n):
        while time.monotonic() < stop:
            article = call("POST", "/api/v1/articles", token, {"title": f"稿件 {n}-{done[n]}", "body": "正文。" * 200})
            call("POST", f"/api/v1/articles/{article['id']}/publish", token, {})
            done[n] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latencies(token, receiver, count):
    """Publishes `count` articles one by one; how long after each publish answer its event came."""
    seen = []
    for n in range(count):
        article = call("POST", "/api/v1/articles", token, {"title": f"快讯 {n} {time.time()}", "body": "x"})
        before = receiver.count
        call("POST", f"/api/v1/articles/{article['id']}/publish", token, {})
        answered = time.monotonic()
        deadline = answered + 10
        while receiver.count == before and time.monotonic() < deadline:
            time.sleep(0.0005)
        arrived = max(t for t, body in receiver.arrivals.values() if json.loads(body)["type"] == "article.published")
        seen.append(max(0.0, arrived - answered) * 1000)
    return seen


def report(name, ms):
    print(f"{name}: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms over {len(ms)}")


def delivery_rate(token, hooks, backlog):
    receiver = Receiver()
    ids = []
    for _ in range(hooks):
        hook = call("POST", "/api/v1/webhooks", token, {"url": receiver.url(), "events": ["site.updated"]})
        ids.append(hook["id"])
    values = ",".join(f"'{i}'" for i in ids)
    psql(f"""INSERT INTO webhook_deliveries (id, webhook_id, event, body, next_attempt_at)
             SELECT gen_random_uuid(), h, 'site.updated', '{{"type":"site.updated"}}', now()
             FROM unnest(ARRAY[{values}]::uuid[]) h, generate_series(1, {backlog // hooks})""")
    started = time.monotonic()
    total = (backlog // hooks) * hooks
    while receiver.count < total and time.monotonic() - started < 120:
        time.sleep(0.01)
    elapsed = max(t for t, _ in receiver.arrivals.values()) - min(t for t, _ in receiver.arrivals.values())
    for i in ids:
        call("DELETE", f"/api/v1/webhooks/{i}", token)
    return receiver.count / elapsed


def main():
    token = call("POST", "/api/v1/auth/setup", None,
                 {"email": "bench@example.com", "password": "bench password 123", "name": "bench"})["access_token"]

    # Off and on in turn, twice, so that neither gains from going second on a fuller table.
    rates = {"off": [], "on": []}
    for mode in ["off", "on", "off", "on"]:
        for table in TRACKED:
            switch = "DISABLE" if mode == "off" else "ENABLE"
            psql(f"ALTER TABLE {table} {switch} TRIGGER {table}_record_change")
        rates[mode].append(write_rate(token))
    off, on = statistics.mean(rates["off"]), statistics.mean(rates["on"])
    print(f"articles created and published per second, 8 clients: change log off {off:.0f}/s "
          f"{[round(r) for r in rates['off']]}, on {on:.0f}/s {[round(r) for r in rates['on']]} "
          f"({(on / off - 1) * 100:+.0f}%)")

    receiver = Receiver()
    call("POST", "/api/v1/webhooks", token, {"url": receiver.url(), "events": ["article.published"]})
    with_hook = write_rate(token)
    print(f"the same with a webhook on article.published: {with_hook:.0f}/s")
    time.sleep(2)
    report("commit to receiver (from the publish answer)", latencies(token, receiver, 200))

    for hooks in (1, 4):
        print(f"deliveries per second from a backlog of 3,000, {hooks} hook(s): "
              f"{delivery_rate(token, hooks, 3000):.0f}/s")

    long = subprocess.Popen(["psql", DB, "-qtAc",
                             "BEGIN; UPDATE site_settings SET footer = footer || ' '; SELECT pg_sleep(5); COMMIT;"],
                            stdout=subprocess.DEVNULL)
    time.sleep(0.2)
    report("the same beside a 5 s write transaction", latencies(token, receiver, 50))
    long.wait()


if __name__ == "__main__":
    sys.exit(main())
