"""Each performance lever's effect, before -> after, measured in one run.

Exports each lever's commit (found by its subject, so a rebase does not
break the list) into a temporary directory (git archive), and measures every checkout with
the same, current scripts, taking turns round by round (A B C D A B C D ...) so
that the machine's drift hits all alike:

  cpu      bench/cpu.py in process: CPU ms per POST /api/v1/recommendations/ and per
           cached page hit (the best of all samples), Python calls and database queries each makes
  req/s    granian (the container's workers x threads) in that checkout, wrk on the endpoint

All against one PostgreSQL database and one Redis database, production settings.
    .venv/bin/python bench/levers.py [--rounds 3] [--seconds 5] [--requests 2000]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import _serve as serve
from recommendations import BODY, UNTHROTTLED, run_wrk

# (label, the start of the lever commit's subject); the first is the baseline.
LEVERS = [
    ("before", "Engine: the shapes Chooser 2.0 and release facts fill in"),
    ("Redis throttle + version", "Perf: throttle as one atomic Redis counter"),
    ("+ orjson, fixed renderer", "Perf: orjson parser and renderer"),
    ("+ short API middleware", "Perf: API calls without a session cookie"),
    ("+ CSP header reused", "Perf: the Content-Security-Policy header built once per path prefix"),
]


def resolve(subject: str) -> str:
    sha = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--fixed-strings", f"--grep={subject}", "HEAD"],
        cwd=serve.ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not sha:
        raise SystemExit(f"no commit in HEAD's history starts with {subject!r}")
    return sha


def cpu_figures(tree: Path, env: dict, requests: int) -> dict:
    result = subprocess.run(
        [serve.PYTHON, str(serve.ROOT / "bench" / "cpu.py"), "--requests", str(requests)],
        cwd=tree,
        env=dict(env, PYTHONPATH=str(tree)),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"bench/cpu.py failed in {tree}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def wrk_figures(tree: Path, env: dict, seconds: int, script: Path) -> dict:
    port = serve.free_port()
    url = f"http://127.0.0.1:{port}/api/v1/recommendations/"
    command = serve.granian_command(port)
    server = subprocess.Popen(
        command, cwd=tree, env=dict(env, PYTHONPATH=str(tree)), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        serve.wait_until_up(url, BODY)
        run_wrk(url, 2, 32, script)  # warm-up
        return run_wrk(url, seconds, 32, script, server)
    finally:
        serve.stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000, help="in-process requests per case and round")
    parser.add_argument(
        "--seconds", type=int, default=5, help="wrk seconds per lever and round (0: skip wrk)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not write docs/benchmarks.json")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"))
    args = parser.parse_args()
    if args.seconds and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-levers-"))
    env = serve.portal_env(
        args.database_url, str(workdir / "static"), REDIS_URL=args.redis_url, **UNTHROTTLED
    )
    serve.prepare_portal(env)
    serve.flush_redis(args.redis_url)
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(BODY))}\n"
    )
    trees = []
    try:
        for number, (label, subject) in enumerate(LEVERS):
            sha = resolve(subject)
            tree = workdir / f"lever{number}"
            tree.mkdir()
            # An exported tree, not a git worktree: nothing is registered in the repository.
            archive = subprocess.run(["git", "archive", sha], cwd=serve.ROOT, check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
            trees.append((label, sha, tree))
        samples = {
            label: {
                "cpu": [],
                "page": [],
                "rps": [],
                "p99": [],
                "server_cpu": [],
                "calls": None,
                "queries": None,
            }
            for label, *_ in trees
        }
        for round_number in range(1, args.rounds + 1):
            for label, _sha, tree in trees:
                # Each checkout starts from an empty Redis, as after a deploy.
                serve.flush_redis(args.redis_url)
                cpu = cpu_figures(tree, env, args.requests)
                row = samples[label]
                row["cpu"].append(cpu["recommendation"]["cpu_ms"])
                row["page"].append(cpu["page_hit"]["cpu_ms"])
                row["queries"] = (cpu["recommendation"]["queries"], cpu["page_hit"]["queries"])
                row["calls"] = (cpu["recommendation"]["calls"], cpu["page_hit"]["calls"])
                if args.seconds:
                    wrk = wrk_figures(tree, env, args.seconds, script)
                    row["rps"].append(wrk["rps"])
                    row["p99"].append(wrk["p99"])
                    row["server_cpu"].append(wrk["cpu_ms"])
                print(f"round {round_number} {label}: {cpu} {row['rps'][-1:]}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    levers = []
    for label, sha, _tree in trees:
        row = samples[label]
        levers.append(
            {
                "label": label,
                "commit": sha[:7],
                "cpu_ms": min(row["cpu"]),
                "page_hit_cpu_ms": min(row["page"]),
                "calls": row["calls"][0],
                "page_hit_calls": row["calls"][1],
                "queries": row["queries"][0],
                "page_hit_queries": row["queries"][1],
                "rps": statistics.median(row["rps"]) if row["rps"] else None,
                "p99_ms": statistics.median(row["p99"]) if row["p99"] else None,
                "server_cpu_ms": min(row["server_cpu"]) if row["server_cpu"] else None,
            }
        )
    print(
        f"\nlevers: {args.rounds} rounds in turn; CPU per request in process ({args.requests} requests), "
        f"req/s under granian {serve.WEB_WORKERS}x{serve.WEB_THREADS}, wrk -c32 -d{args.seconds}s"
    )
    header = (
        f"{'lever':<28} {'commit':<8} {'API CPU ms':>10} {'calls':>6} {'queries':>7} "
        f"{'page CPU ms':>11} {'calls':>6} {'queries':>7}"
    )
    print(header + f" {'req/s':>7} {'p99 ms':>7} {'server CPU ms':>13}")
    for lever in levers:
        rps = (
            f"{lever['rps']:>7.0f} {lever['p99_ms']:>7.1f} {lever['server_cpu_ms']:>13.3f}"
            if lever["rps"]
            else ""
        )
        print(
            f"{lever['label']:<28} {lever['commit']:<8} {lever['cpu_ms']:>10.3f} {lever['calls']:>6} "
            f"{lever['queries']:>7} {lever['page_hit_cpu_ms']:>11.3f} {lever['page_hit_calls']:>6} "
            f"{lever['page_hit_queries']:>7} {rps}"
        )
    if not args.no_record:
        serve.record(
            "levers",
            {"rounds": args.rounds, "requests": args.requests, "seconds": args.seconds, "levers": levers},
        )


if __name__ == "__main__":
    main()
