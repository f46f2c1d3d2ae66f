#!/usr/bin/env python3
"""Live events measured from outside against a running release `serve` (see events.sh).

1. Memory: anonymous RSS (`RssAnon`) of the server with a few streams open, then with
   STREAMS (1,000) open and idle; the difference per stream.
2. Latency: with every stream still open, articles are edited one after another; a few probe
   streams note when each edit's event arrives. Reported from the write's answer (the commit
   has happened by then) and from the moment the write was sent (an upper bound).

Standard library only; every connection goes to 127.0.0.1.
"""

import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request

BASE = os.environ["MASTHEAD_BENCH_URL"]
PID = int(os.environ["MASTHEAD_BENCH_PID"])
STREAMS = int(os.environ.get("STREAMS", "1000"))
EDITS = int(os.environ.get("EDITS", "200"))
PROBES = 4
HOST, PORT = BASE.removeprefix("http://").split(":")


def call(method, path, token=None, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def rss_anon_mib():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon")


async def open_stream():
    reader, writer = await asyncio.open_connection(HOST, int(PORT))
    writer.write(f"GET /api/v1/events HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.decode(errors="replace"))
    return reader, writer


async def drain(reader):
    while await reader.read(65536):
        pass


async def probe(reader, arrivals, marker_prefix):
    """Notes the first arrival of each `marker` in the event data."""
    buffer = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        buffer += chunk
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            now = time.monotonic()
            at = event.find(marker_prefix)
            if at >= 0:
                end = event.find(b'"', at)
                marker = event[at:end].decode()
                arrivals.setdefault(marker, []).append(now)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def report(name, ms):
    print(f"{name}: p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms ({len(ms)} events)")


async def main():
    token = call("POST", "/api/v1/auth/setup", None,
                 {"email": "bench@example.com", "password": "bench password 123", "name": "bench"})["access_token"]
    article = call("POST", "/api/v1/articles", token, {"title": "直播", "body": "正文"})
    call("POST", f"/api/v1/articles/{article['id']}/publish", token, {})

    # A few streams and one event first, so that what every stream shares is already made.
    arrivals = {}
    probes = [await open_stream() for _ in range(PROBES)]
    tasks = [asyncio.create_task(probe(r, arrivals, b"bench-")) for r, _ in probes]
    call("PATCH", f"/api/v1/articles/{article['id']}", token, {"title": "bench-warm"})
    await asyncio.sleep(1)
    before = rss_anon_mib()

    idle = []
    for _ in range(STREAMS - PROBES):
        idle.append(await open_stream())
    tasks += [asyncio.create_task(drain(r)) for r, _ in idle]
    await asyncio.sleep(2)
    after = rss_anon_mib()
    print(f"RssAnon with {PROBES} streams open: {before:.1f} MiB; with {STREAMS}: {after:.1f} MiB; "
          f"{(after - before) * 1024 / (STREAMS - PROBES):.1f} KiB per idle stream")

    sent, answered = {}, {}
    loop = asyncio.get_running_loop()
    for n in range(EDITS):
        marker = f"bench-{n}"
        sent[marker] = time.monotonic()
        await loop.run_in_executor(None, lambda: call(
            "PATCH", f"/api/v1/articles/{article['id']}", token, {"title": marker}))
        answered[marker] = time.monotonic()
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)
    from_answer, from_sent, missing = [], [], 0
    for marker in sent:
        times = arrivals.get(marker, [])
        missing += PROBES - len(times)
        from_answer += [(t - answered[marker]) * 1000 for t in times]
        from_sent += [(t - sent[marker]) * 1000 for t in times]
    report(f"commit to event, from the write's answer, {STREAMS} streams open", from_answer)
    report("the same from the moment the write was sent", from_sent)
    print(f"events missing on the probes: {missing}; RssAnon now {rss_anon_mib():.1f} MiB")
    for task in tasks:
        task.cancel()
    for _, writer in probes + idle:
        writer.close()
    return 0 if missing == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
