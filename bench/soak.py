"""`make soak`: the portal under a mixed load for a minute, as production would serve it.

Granian with 2 workers (one thread each), production settings, PostgreSQL and
Redis on loopback. Five wrk processes run at once, one per kind of request, so
each kind gets its own latency figures and status counts:

  pages             GET home, a guide page, the FAQ, compare, scenarios (anonymous)
  api reads         GET frameworks, one framework, aspects, matrix, scenarios, questions
  recommendations   POST /api/v1/recommendations/ with varied answers
  decision saves    a signed-in user (verified email, API token) POSTs /api/v1/decisions/
  decision reads    the same user GETs the decision list and single decisions

The rules, each a non-zero exit when broken: every answer 2xx (a 429 is allowed
only with --production-rates, where the settings promise it); no socket errors
(connect, read, write, timeout); each worker's resident memory at the end within
10% of its size after the warm-up; and, on a second short-lived server with the
production throttle rates, anonymous and signed-in API callers get exactly their
rate and then 429 with Retry-After.

By default the soak raises the throttle rates through the environment: every
loopback client shares one address, so at the production rate (120/minute for
anonymous callers) nearly every API answer would be a 429 and the soak would
measure the throttle, not the portal. The throttle still runs on every request.

Run from the repository root with the virtualenv's Python:
    .venv/bin/python bench/soak.py [--duration 60] [--connections 64] [--warmup 10]
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import _serve as serve

PAGES = ["/", "/guide/django/", "/faq/", "/compare/", "/scenarios/"]
API_READS = [
    "/api/v1/frameworks/",
    "/api/v1/frameworks/django/",
    "/api/v1/aspects/",
    "/api/v1/matrix/",
    "/api/v1/scenarios/",
    "/api/v1/questions/",
]
# Shares of the connections; decisions are the heaviest requests and a person
# saves far less often than anyone reads.
KINDS = {
    "pages": 4,
    "api reads": 4,
    "recommendations": 4,
    "decision saves": 2,
    "decision reads": 2,
}
MEMORY_TOLERANCE = 0.10
WRK_TIMEOUT = "10s"
UNTHROTTLED = {"API_THROTTLE_ANON": "100000000/minute", "API_THROTTLE_USER": "100000000/minute"}

# Creates (or resets) the soak's user: verified email, no decisions, one fresh token.
USER_SETUP = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import APIToken
from decisions.models import Decision

user, _ = get_user_model().objects.get_or_create(username="soak", defaults={"email": "soak@example.com"})
user.email = "soak@example.com"
user.is_active = True
user.set_unusable_password()
user.save()
EmailAddress.objects.update_or_create(
    user=user, email=user.email, defaults={"verified": True, "primary": True}
)
Decision.objects.filter(owner=user).delete()
APIToken.objects.filter(user=user).delete()
print(APIToken.create_token(user=user, name="soak")[1])
"""

THROTTLE_RATES = """
from django.conf import settings
print(__import__("json").dumps(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]))
"""

# Every thread counts answers by status; done() adds the threads up and prints
# one JSON line, so nothing depends on the layout of wrk's text summary.
LUA_COUNTING = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  codes = {}
end
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("codes")) do
      total[tostring(code)] = (total[tostring(code)] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(total) do
    table.insert(parts, string.format('"%s": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "codes": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ", ")))
end
"""


def lua_rotation(requests: list[tuple[str, str, str | None]], headers: dict) -> str:
    """A wrk script that sends the given (method, path, body) requests in turn."""
    lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    lines.append("local requests = {")
    for method, path, body in requests:
        body_lua = json.dumps(body) if body is not None else "nil"
        lines.append(f"  {{{json.dumps(method)}, {json.dumps(path)}, {body_lua}}},")
    lines.append("}")
    lines.append(
        "local i = 0\n"
        "function request()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        "  return wrk.format(r[1], r[2], nil, r[3])\n"
        "end"
    )
    return "\n".join(lines) + "\n" + LUA_COUNTING


def answer_sets(base_url: str, count: int) -> list[dict]:
    """Varied, valid chooser answers built from the live questions."""
    with urllib.request.urlopen(base_url + "/api/v1/questions/", timeout=10) as response:
        questions = json.load(response)
    sets = []
    for n in range(count):
        answers = {}
        for q_index, question in enumerate(questions):
            options = [option["slug"] for option in question["options"]]
            pick = options[(n + q_index) % len(options)]
            if question["kind"] == "multiple":
                answers[question["slug"]] = [pick, options[(n * 3 + 1) % len(options)]]
            elif (n + q_index) % 4:  # leave some questions unanswered, as people do
                answers[question["slug"]] = pick
        sets.append(answers)
    return sets


def api_call(base_url: str, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def write_scripts(workdir: Path, base_url: str, token: str) -> dict[str, Path]:
    answers = answer_sets(base_url, 24)
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # A few decisions exist before the load starts, so reads have something to read.
    ids = [
        api_call(base_url, "POST", "/api/v1/decisions/", token, {"title": f"Seed {n}", "answers": a})["id"]
        for n, a in enumerate(answers[:6])
    ]
    reads = [("GET", "/api/v1/decisions/", None)]
    for decision_id in ids:
        reads += [("GET", f"/api/v1/decisions/{decision_id}/", None), ("GET", "/api/v1/decisions/", None)]
    plans = {
        "pages": lua_rotation([("GET", path, None) for path in PAGES], {}),
        "api reads": lua_rotation([("GET", path, None) for path in API_READS], {}),
        "recommendations": lua_rotation(
            [("POST", "/api/v1/recommendations/", json.dumps({"answers": a})) for a in answers],
            {"Content-Type": "application/json"},
        ),
        "decision saves": lua_rotation(
            [
                ("POST", "/api/v1/decisions/", json.dumps({"title": f"Soak {n}", "answers": a}))
                for n, a in enumerate(answers)
            ],
            bearer,
        ),
        "decision reads": lua_rotation(reads, bearer),
    }
    scripts = {}
    for kind, text in plans.items():
        scripts[kind] = workdir / f"{kind.replace(' ', '_')}.lua"
        scripts[kind].write_text(text)
    return scripts


def split_connections(total: int) -> dict[str, int]:
    shares = sum(KINDS.values())
    counts = {kind: max(1, total * share // shares) for kind, share in KINDS.items()}
    counts["pages"] += total - sum(counts.values())
    return counts


def run_load(base_url: str, scripts: dict, connections: dict, seconds: int) -> dict[str, dict]:
    """Run one wrk per kind at the same time; return each one's counts and latencies."""
    processes = {
        kind: subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{connections[kind]}",
                f"-d{seconds}s",
                f"--timeout={WRK_TIMEOUT}",
                "-s",
                str(scripts[kind]),
                base_url,
            ],
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for kind in scripts
    }
    results = {}
    for kind, process in processes.items():
        out, err = process.communicate(timeout=seconds + 60)
        line = next((line for line in out.splitlines() if line.startswith("SOAK ")), None)
        if process.returncode != 0 or line is None:
            raise SystemExit(f"wrk for {kind} failed ({process.returncode}):\n{out}\n{err}")
        result = json.loads(line[5:])
        result["socket_errors"] = sum(result[key] for key in ("connect", "read", "write", "timeout"))
        results[kind] = result
    return results


def check_throttle(base_url: str, token: str, rates: dict) -> list[str]:
    """Send each throttle its rate plus a few; return what broke the promise, if anything."""
    problems = []
    for scope, headers in (("anon", {}), ("user", {"Authorization": f"Bearer {token}"})):
        limit, period = rates[scope].split("/")
        limit = int(limit)
        connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=10)
        statuses, retry_after = [], None
        for _ in range(limit + 5):
            connection.request("GET", "/api/v1/frameworks/", headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            if response.status == 429 and retry_after is None:
                retry_after = response.getheader("Retry-After")
        connection.close()
        allowed = statuses[:limit]
        refused = statuses[limit:]
        line = (
            f"throttle {scope:<4} {rates[scope]:>12}: {allowed.count(200)}/{limit} answered 200, "
            f"then {refused.count(429)}/{len(refused)} answered 429, Retry-After: {retry_after}"
        )
        print(line)
        if allowed.count(200) != limit or refused.count(429) != len(refused) or not retry_after:
            problems.append(line)
    return problems


def codes_text(codes: dict) -> str:
    odd = {code: n for code, n in sorted(codes.items()) if not code.startswith("2") and code != "429"}
    return ", ".join(f"{code}×{n}" for code, n in odd.items()) or "0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of the same load first (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=serve.WEB_WORKERS)
    parser.add_argument("--no-record", action="store_true", help="do not write docs/benchmarks.json")
    parser.add_argument(
        "--production-rates",
        action="store_true",
        help="keep the production throttle rates during the load; 429s are then expected",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_soak"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/6"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    if args.connections < len(KINDS):
        raise SystemExit(f"--connections must be at least {len(KINDS)}, one per kind")

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-soak-"))
    production_env = serve.portal_env(args.database_url, str(workdir / "static"), REDIS_URL=args.redis_url)
    load_env = production_env if args.production_rates else dict(production_env, **UNTHROTTLED)
    args.load_before = os.getloadavg()[0]
    serve.prepare_portal(production_env)
    token = serve.manage(production_env, "shell", "-c", USER_SETUP, capture=True).strip().splitlines()[-1]
    rates = json.loads(
        serve.manage(production_env, "shell", "-c", THROTTLE_RATES, capture=True).splitlines()[-1]
    )
    serve.flush_redis(args.redis_url)
    connections = split_connections(args.connections)
    log = workdir / "server.log"

    port = serve.free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = serve.start(serve.granian_command(port, args.workers), load_env, log)
    try:
        serve.wait_until_up(base_url + "/")
        scripts = write_scripts(workdir, base_url, token)
        run_load(base_url, scripts, connections, args.warmup)
        workers = serve.worker_pids(server.pid)
        before = {pid: serve.rss_kib(pid) for pid in workers}
        results = run_load(base_url, scripts, connections, args.duration)
        if serve.worker_pids(server.pid) != workers:
            raise SystemExit(
                f"a worker was replaced during the soak: {workers} -> {serve.worker_pids(server.pid)}"
            )
        after = {pid: serve.rss_kib(pid) for pid in workers}
    except BaseException:
        print(log.read_text()[-4000:])
        raise
    finally:
        serve.stop(server)
    server_errors = [line for line in log.read_text().splitlines() if "ERROR" in line or "Traceback" in line]

    # The throttle needs its own server: the rates are read once, when the settings load.
    serve.flush_redis(args.redis_url)
    port = serve.free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = serve.start(serve.granian_command(port, 1), production_env, log)
    try:
        serve.wait_until_up(base_url + "/")
        print()
        throttle_problems = check_throttle(base_url, token, rates)
    finally:
        serve.stop(server)
        serve.flush_redis(args.redis_url)
        shutil.rmtree(workdir, ignore_errors=True)

    return report(args, connections, results, before, after, throttle_problems, server_errors)


def report(args, connections, results, before, after, throttle_problems, server_errors) -> int:
    problems = list(throttle_problems)
    rate_note = "production throttle rates" if args.production_rates else "throttle rates raised"
    print(
        f"\nsoak: {args.duration}s after a {args.warmup}s warm-up, {args.connections} connections, "
        f"granian {args.workers} workers × {serve.WEB_THREADS} thread(s), PostgreSQL + Redis, {rate_note}; "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}) shared with wrk, "
        f"load average {args.load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    header = (
        f"{'kind':<16} {'conns':>5} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'2xx':>8} {'429':>5} {'other non-2xx':>14} {'socket errors':>14}"
    )
    print(header)
    print("-" * len(header))
    totals = {"requests": 0, "2xx": 0}
    kinds = {}
    for kind, r in results.items():
        ok = sum(n for code, n in r["codes"].items() if code.startswith("2"))
        throttled = r["codes"].get("429", 0)
        odd = r["requests"] - ok - throttled
        rps = r["requests"] / (r["duration_us"] / 1e6)
        totals["requests"] += r["requests"]
        totals["2xx"] += ok
        kinds[kind] = {"rps": rps, "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000, "2xx": ok}
        print(
            f"{kind:<16} {connections[kind]:>5} {r['requests']:>9} {rps:>7.0f} {r['p50_us'] / 1000:>8.1f} "
            f"{r['p99_us'] / 1000:>8.1f} {ok:>8} {throttled:>5} {codes_text(r['codes']):>14} "
            f"{r['socket_errors']:>14}"
        )
        if odd:
            problems.append(f"{kind}: {odd} answers neither 2xx nor 429 ({codes_text(r['codes'])})")
        if throttled and not args.production_rates:
            problems.append(f"{kind}: {throttled} answers 429 with the rates raised")
        if r["socket_errors"]:
            errors = ", ".join(f"{key} {r[key]}" for key in ("connect", "read", "write", "timeout"))
            problems.append(f"{kind}: socket errors ({errors})")
    blank = ""
    print(f"{'all':<16} {args.connections:>5} {totals['requests']:>9} {blank:>25} {totals['2xx']:>8}")
    print()
    for number, pid in enumerate(before, start=1):
        change = (after[pid] - before[pid]) / before[pid]
        print(
            f"worker {number} (pid {pid}): RSS {before[pid] / 1024:.1f} MiB after warm-up, "
            f"{after[pid] / 1024:.1f} MiB at the end ({change:+.1%})"
        )
        if abs(change) > MEMORY_TOLERANCE:
            problems.append(f"worker {number}: memory changed {change:+.1%} (limit ±{MEMORY_TOLERANCE:.0%})")
    print()
    if server_errors:
        print(f"the server logged {len(server_errors)} errors under load; the last ones:")
        for line in server_errors[-5:]:
            print(f"  {line[:2000]}")
        print()
    for problem in problems:
        print(f"FAIL {problem}")
    print("soak: " + ("FAILED" if problems else "all rules held"))
    if not args.no_record:
        serve.record(
            "soak",
            {
                "duration": args.duration,
                "connections": args.connections,
                "workers": args.workers,
                "threads": serve.WEB_THREADS,
                "total_rps": sum(row["rps"] for row in kinds.values()),
                "kinds": kinds,
                "memory_change": {str(pid): (after[pid] - before[pid]) / before[pid] for pid in before},
                "problems": problems,
            },
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
