"""`make bench`: the portal's recommendation endpoint against a FastAPI reference.

Both serve the same engine on the same snapshot with two worker processes on
loopback: the portal with production settings (PostgreSQL and Redis) under
granian (WSGI), the reference under uvicorn. --servers 2x1,2x2,3x1,4x1 measures
several granian configurations (workers x threads), each against the reference.
wrk drives POST /api/v1/recommendations/ on each in alternation (A B A B ...),
so drift in the machine's load hits both alike. The last line is the median of
the per-pair throughput ratios; the figures go to docs/benchmarks.json.

Run from the repository root with the virtualenv's Python:
    .venv/bin/python bench/recommendations.py [--rounds 3] [--seconds 10] [--connections 32] [--servers 2x1]
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


def run_wrk(url: str, seconds: int, connections: int, script: Path, server=None) -> dict:
    """wrk's figures; with the server's process, also the CPU it spent per request (ms)."""
    cpu_before = serve.cpu_seconds(server.pid) if server else 0.0
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    cpu = serve.cpu_seconds(server.pid) - cpu_before if server else 0.0
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: parse_ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", output).group(1)) for p in ("50", "99")}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": rps,
        # CPU is what a shared machine cannot steal from the comparison: wall-clock rates
        # depend on how the scheduler shares the cores, CPU per request does not.
        "cpu_ms": round(cpu * 1000 / requests, 4) if server and requests else None,
        "p50": latency["50"],
        "p99": latency["99"],
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def parse_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_servers(text: str) -> list[tuple[int, int]]:
    """ "2x1,2x2" -> [(2, 1), (2, 2)]: granian workers x blocking threads."""
    return [tuple(int(n) for n in item.lower().split("x")) for item in text.split(",") if item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="A/B pairs (default 3)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="the reference's uvicorn workers (default 2)")
    parser.add_argument(
        "--servers",
        default=f"{serve.WEB_WORKERS}x{serve.WEB_THREADS}",
        help="portal granian configurations, workers x threads, comma-separated; the first is the "
        "headline figure (default: the container's, %(default)s)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not write docs/benchmarks.json")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_bench"),
    )
    # Production serves with Redis: the throttle counts there and the content version is read from it.
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    servers = parse_servers(args.servers)

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-bench-"))
    env = serve.portal_env(
        args.database_url, str(workdir / "static"), REDIS_URL=args.redis_url, **UNTHROTTLED
    )
    serve.prepare_portal(env)
    serve.flush_redis(args.redis_url)
    snapshot = workdir / "snapshot.json"
    snapshot.write_text(serve.manage(env, "export_snapshot", capture=True))
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(BODY))}\n"
    )

    reference_port = serve.free_port()
    reference_env = dict(os.environ, BENCH_SNAPSHOT=str(snapshot), PYTHONPATH=str(serve.ROOT))
    reference_url = f"http://127.0.0.1:{reference_port}/api/v1/recommendations/"
    reference = None
    results = []
    try:
        reference = serve.start(
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
        )  # fmt: skip
        serve.wait_until_up(reference_url, BODY)
        run_wrk(reference_url, 3, args.connections, script)  # warm-up
        for workers, threads in servers:
            results.append(bench_server(args, env, workers, threads, reference, reference_url, script))
    finally:
        if reference is not None:
            serve.stop(reference)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"POST /api/v1/recommendations/  portal: granian workers x threads; fastapi: uvicorn "
        f"{args.workers} workers; wrk -c{args.connections} -d{args.seconds}s, {args.rounds} alternating pairs"
    )
    print(
        f"{'portal':<7} {'round':>5}  {'server':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    )
    for result in results:
        for row in result["runs"]:
            print(
                f"{result['config']:<7} {row['round']:>5}  {row['server']:<8} {row['rps']:>9.0f} "
                f"{row['p50']:>8.2f} {row['p99']:>8.2f} {row['cpu_ms']:>10.3f} {row['non_2xx']:>8}  "
                f"{row['socket_errors']}"
            )
    for result in results:
        print(
            f"{result['config']:<7} median portal {result['portal_rps']:>6.0f} req/s p99 "
            f"{result['portal_p99']:.2f} ms, fastapi {result['fastapi_rps']:>6.0f} req/s p99 "
            f"{result['fastapi_p99']:.2f} ms, ratio {result['ratio']:.2f}; CPU per request portal "
            f"{result['portal_cpu_ms']:.3f} ms, fastapi {result['fastapi_cpu_ms']:.3f} ms, "
            f"CPU ratio fastapi/portal {result['cpu_ratio']:.2f}"
        )
    print(f"CPU-per-request ratio fastapi/portal: {results[0]['cpu_ratio']:.2f}")
    print(f"ratio portal/fastapi: {results[0]['ratio']:.2f}")
    if not args.no_record:
        serve.record(
            "recommendations",
            {
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "reference_workers": args.workers,
                "load_average": os.getloadavg()[0],
                "servers": results,
            },
        )


def bench_server(args, env, workers: int, threads: int, reference, reference_url: str, script: Path) -> dict:
    """Alternating pairs of the portal under one granian configuration and the reference."""
    port = serve.free_port()
    url = f"http://127.0.0.1:{port}/api/v1/recommendations/"
    server = serve.start(serve.granian_command(port, workers, threads), env)
    runs, ratios, cpu_ratios = [], [], []
    try:
        serve.wait_until_up(url, BODY)
        run_wrk(url, 3, args.connections, script)  # warm-up
        for round_number in range(1, args.rounds + 1):
            pair = {}
            for name, target, process in (("portal", url, server), ("fastapi", reference_url, reference)):
                pair[name] = run_wrk(target, args.seconds, args.connections, script, process)
                runs.append(dict(pair[name], round=round_number, server=name))
            ratios.append(pair["portal"]["rps"] / pair["fastapi"]["rps"])
            # Above 1 when the portal needs less CPU per request than the reference.
            cpu_ratios.append(pair["fastapi"]["cpu_ms"] / pair["portal"]["cpu_ms"])
    finally:
        serve.stop(server)
    mine = [row for row in runs if row["server"] == "portal"]
    theirs = [row for row in runs if row["server"] == "fastapi"]
    return {
        "config": f"{workers}x{threads}",
        "workers": workers,
        "threads": threads,
        "runs": runs,
        "ratio": statistics.median(ratios),
        "portal_rps": statistics.median(r["rps"] for r in mine),
        "portal_p99": statistics.median(r["p99"] for r in mine),
        "fastapi_rps": statistics.median(r["rps"] for r in theirs),
        "fastapi_p99": statistics.median(r["p99"] for r in theirs),
        "portal_cpu_ms": statistics.median(r["cpu_ms"] for r in mine),
        "fastapi_cpu_ms": statistics.median(r["cpu_ms"] for r in theirs),
        "cpu_ratio": statistics.median(cpu_ratios),
    }


if __name__ == "__main__":
    main()
