"""`make bench`: the portal's recommendation endpoint against a FastAPI reference.

Both serve the same engine on the same snapshot with two worker processes on
loopback: the portal with production settings under granian (WSGI), the
reference under uvicorn. wrk drives POST /api/v1/recommendations/ on each in
alternation (A B A B ...) so drift in the machine's load hits both alike. The
last line is the median of the per-pair throughput ratios.

Run from the repository root with the virtualenv's Python:
    .venv/bin/python bench/recommendations.py [--rounds 3] [--seconds 10] [--connections 32]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import _serve as serve

BODY = {"answers": {"project": "api", "needs": ["api_docs", "auth"], "team": "typed", "io": "heavy"}}
# The benchmark measures throughput, not the throttle's limit; the throttle
# still runs on every request.
UNTHROTTLED = {"API_THROTTLE_ANON": "100000000/minute", "API_THROTTLE_USER": "100000000/minute"}


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: parse_ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", output).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def parse_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="A/B pairs (default 3)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_bench"),
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-bench-"))
    env = serve.portal_env(args.database_url, str(workdir / "static"), **UNTHROTTLED)
    serve.prepare_portal(env)
    snapshot = workdir / "snapshot.json"
    snapshot.write_text(serve.manage(env, "export_snapshot", capture=True))
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(BODY))}\n"
    )

    portal_port, reference_port = serve.free_port(), serve.free_port()
    reference_env = dict(os.environ, BENCH_SNAPSHOT=str(snapshot), PYTHONPATH=str(serve.ROOT))
    targets = {
        "portal": f"http://127.0.0.1:{portal_port}/api/v1/recommendations/",
        "fastapi": f"http://127.0.0.1:{reference_port}/api/v1/recommendations/",
    }
    servers = []
    try:
        servers.append(serve.start(serve.granian_command(portal_port, args.workers), env))
        servers.append(
            serve.start(
                [
                    str(serve.BIN / "uvicorn"),
                    "bench.fastapi_app:app",
                    "--host", "127.0.0.1",
                    "--port", str(reference_port),
                    "--workers", str(args.workers),
                    "--log-level", "warning",
                    "--no-access-log",
                ],
                reference_env,
            )
        )  # fmt: skip
        for url in targets.values():
            serve.wait_until_up(url, BODY)
            run_wrk(url, 3, args.connections, script)  # warm-up
        rows, ratios = [], []
        for round_number in range(1, args.rounds + 1):
            pair = {}
            for name, url in targets.items():
                pair[name] = run_wrk(url, args.seconds, args.connections, script)
                rows.append((round_number, name, pair[name]))
            ratios.append(pair["portal"]["rps"] / pair["fastapi"]["rps"])
    finally:
        for server in servers:
            serve.stop(server)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"POST /api/v1/recommendations/  {args.workers} workers each, "
        f"wrk -c{args.connections} -d{args.seconds}s, {args.rounds} alternating pairs"
    )
    print(f"{'round':>5}  {'server':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for round_number, name, row in rows:
        print(
            f"{round_number:>5}  {name:<8} {row['rps']:>9.0f} {row['p50']:>8.2f} "
            f"{row['p99']:>8.2f} {row['non_2xx']:>8}  {row['socket_errors']}"
        )
    for name in targets:
        mine = [row for _, n, row in rows if n == name]
        print(
            f"median {name:<8} {statistics.median(r['rps'] for r in mine):>9.0f} req/s, "
            f"p99 {statistics.median(r['p99'] for r in mine):.2f} ms"
        )
    print(f"ratio portal/fastapi: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
