"""Real backends: model-call throughput against a local OpenAI-compatible server.

Starts the test suite's scripted chat-completions server (tests/fake_openai_server.py,
Starlette + uvicorn) in its own process on 127.0.0.1, answering each request a fixed latency
after it arrived, then runs `compare` with every role bound to it
(`openai-compatible/fake@http://127.0.0.1:PORT/v1`, response cache off) at the given
concurrency. Reports calls per second against the ideal (concurrency / latency), the CPU
time archbench's process spends per call, and the server's (another process, on the same
cores). Two rates: end to end (calls over the whole run, its start and tail included) and
steady (while the run is in full flow; see `steady_rate`).

The floor, measured the same way against a fresh server: a plain aiohttp client (the HTTP
library under the SDK's transport) posting one fixed request in a loop with as many in
flight, no SDK and no archbench: what this machine, its loopback and the server allow.

The `openai` SDK and its HTTP transport are imported before the clock starts (~0.45 s once
per process, not a per-call cost). Nothing leaves this machine.

archbench calls the SDK's public `chat.completions.create` (what instrumentation sees);
`--post` measures `ARCHBENCH_SDK_CALL=post` (the SDK's public `post`, for uninstrumented
runs) alongside.

    python bench/real_backend.py                        # 32 @ 50 ms and 128 @ 200 ms
    python bench/real_backend.py --case 64:0.1 --calls 6000 --no-floor --post
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/real_backend.py` from a checkout
    sys.path.insert(0, str(ROOT))
TESTS = ROOT / "tests"
SERVER = """
import json, sys
sys.path.insert(0, {tests!r})
from fake_openai_server import FakeServer
server = FakeServer()
server.start()
server.reset(latency_s={latency!r})
print(server.port, flush=True)
sys.stdin.readline()  # until the benchmark is done
print(json.dumps(server.stamped.arrivals), flush=True)
server.stop()
"""


class _Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.arrivals: list[float] = []
        self.cpu_s = 0.0


@contextmanager
def fake_server(latency: float) -> Iterator[_Server]:
    """The server in its own process; on exit, when each request arrived and its CPU."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(tests=str(TESTS), latency=latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        server = _Server(int(proc.stdout.readline()))
        c0 = _server_cpu(proc.pid)
        yield server
        server.cpu_s = _server_cpu(proc.pid) - c0
        proc.stdin.write("done\n")
        proc.stdin.flush()
        server.arrivals = json.loads(proc.stdout.readline())
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def run_case(
    concurrency: int, latency: float, calls: int, arch: str, how: str = "create"
) -> dict[str, Any]:
    os.environ["ARCHBENCH_LOOPBACK_ONLY"] = "1"  # refuse any endpoint off this machine
    os.environ["ARCHBENCH_SDK_CALL"] = how
    import openai  # imported once per process (~0.35 s): not a per-call cost

    if os.environ.get("ARCHBENCH_HTTP") != "httpx":
        try:  # and its HTTP transport (aiohttp, ~0.1 s)
            import openai._vendor.httpx_aiohttp  # noqa: F401
        except ImportError:
            pass
    del openai

    from harness import compare
    from harness.suites import load_suite

    tasks = [t.id for t in load_suite("default").tasks]
    per_episode = 3  # the server's policy: search, open, answer
    seeds = max(1, calls // (per_episode * len(tasks)))
    with fake_server(latency) as server:
        t0, c0 = time.perf_counter(), time.process_time()
        result = compare(
            [arch],
            seeds=seeds,
            models={"*": f"openai-compatible/fake@http://127.0.0.1:{server.port}/v1"},
            concurrency=concurrency,
            cache=False,
            keep_results=False,
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.calls is not None
    name = "archbench" if how == "create" else "archbench post"
    row = _row(name, concurrency, latency, result.calls.network, wall, cpu, server)
    return {**row, "failed": result.calls.failed}


def run_floor(concurrency: int, latency: float, calls: int) -> dict[str, Any]:
    import aiohttp

    body = {
        "model": "fake",
        "messages": [
            {"role": "system", "content": "You are a research agent. " * 20},
            {"role": "user", "content": "Who founded Lorvale? Search, read, answer."},
        ],
        "tools": [{"type": "function", "function": {"name": "search", "parameters": {}}}],
    }

    async def loop(port: int) -> int:
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        left = calls
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    async with session.post(url, json=body) as response:
                        await response.json()

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return calls

    with fake_server(latency) as server:
        t0, c0 = time.perf_counter(), time.process_time()
        n = asyncio.run(loop(server.port))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {**_row("plain aiohttp", concurrency, latency, n, wall, cpu, server), "failed": 0}


def _row(
    client: str, concurrency: int, latency: float, n: int, wall: float, cpu: float, s: _Server
) -> dict[str, Any]:
    ideal = concurrency / latency
    steady = steady_rate(s.arrivals)
    return {
        "client": client,
        "concurrency": concurrency,
        "latency_ms": round(latency * 1000),
        "calls": n,
        "seconds": round(wall, 2),
        "calls_per_s": round(n / wall, 1),
        "ideal_calls_per_s": round(ideal, 1),
        "efficiency": round(n / wall / ideal, 3),
        "steady_calls_per_s": round(steady, 1),
        "steady_efficiency": round(steady / ideal, 3),
        "cpu_us_per_call": round(cpu / n * 1e6),
        "server_cpu_us_per_call": round(s.cpu_s / n * 1e6),
    }


def steady_rate(arrivals: list[float], trim: float = 0.1) -> float:
    """Calls per second while the run is in full flow: requests arriving between the first
    and the last `trim` of them, over the time that took. The ideal (concurrency / latency)
    is a steady-state rate; the end-to-end rate also counts the start (the first requests
    go out after the run is set up) and the tail (the last episodes finish with fewer and
    fewer in flight)."""
    times = sorted(arrivals)
    a, b = int(trim * len(times)), int((1 - trim) * len(times)) - 1
    if b <= a or times[b] <= times[a]:
        return float("nan")
    return (b - a) / (times[b] - times[a])


def _server_cpu(pid: int) -> float:
    """The server process's CPU seconds so far (user + system, all its threads); Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--case",
        action="append",
        help="CONCURRENCY:LATENCY_S (repeatable; default 32:0.05 and 128:0.2)",
    )
    ap.add_argument("--calls", type=int, default=12000, help="about this many calls per case")
    ap.add_argument("--arch", default="kimi-researcher")
    ap.add_argument("--no-floor", action="store_true", help="skip the plain-client floor")
    ap.add_argument("--post", action="store_true", help="also ARCHBENCH_SDK_CALL=post")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    cases = [(int(c), float(lat)) for c, lat in (x.split(":") for x in args.case or [])]
    rows = []
    for c, lat in cases or [(32, 0.05), (128, 0.2)]:
        rows.append(run_case(c, lat, args.calls, args.arch))
        if args.post:
            rows.append(run_case(c, lat, args.calls, args.arch, "post"))
        if not args.no_floor:
            rows.append(run_floor(c, lat, args.calls))
    print(
        f"{'client':<14} {'conc.':>5} {'latency':>7} {'calls':>6} {'failed':>6} {'ideal':>6} "
        f"{'steady/s':>8} {'of ideal':>8} {'e2e/s':>6} {'of ideal':>8} "
        f"{'CPU us/call':>11} {'server CPU':>10}"
    )
    for r in rows:
        print(
            f"{r['client']:<14} {r['concurrency']:>5} {r['latency_ms']:>5}ms {r['calls']:>6} "
            f"{r['failed']:>6} {r['ideal_calls_per_s']:>6.0f} {r['steady_calls_per_s']:>8.0f} "
            f"{r['steady_efficiency']:>8.1%} {r['calls_per_s']:>6.0f} {r['efficiency']:>8.1%} "
            f"{r['cpu_us_per_call']:>11} {r['server_cpu_us_per_call']:>10}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
