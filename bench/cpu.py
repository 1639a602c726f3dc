"""CPU time per request, in process: the WSGI application called directly, no server, no socket.

Wall-clock throughput is noisy on a shared machine; the CPU a worker spends on one
request is not. With production settings, PostgreSQL and Redis, this calls the WSGI
handler N times for each case and prints the median CPU time per request (ms) and the
database queries one request makes; the best of five chunks, since contention only adds
time, and the number of Python function calls per request (cProfile), which does not
depend on the machine's load at all. Prints one JSON object as its last line.
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/cpu.py [--requests 2000]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

# The tree to measure is the working directory (bench/levers.py runs this file in older checkouts).
sys.path.insert(0, os.getcwd())

BODY = json.dumps(
    {"answers": {"project": "api", "needs": ["api_docs", "auth"], "team": "typed", "io": "heavy"}}
).encode()


def environ(method: str, path: str, body: bytes = b"") -> dict:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app, method, path, body=b""):
    status = []
    chunks = app(environ(method, path, body), lambda s, h, exc_info=None: status.append(s))
    data = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return status[0], data


def measure(app, method, path, body, requests):
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    for _ in range(50):  # warm-up: snapshot, caches, pool
        status, _data = call(app, method, path, body)
    assert status.startswith("200"), status
    with connection.execute_wrapper(count):
        call(app, method, path, body)
    per_request = len(queries)
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(requests // 5):
            call(app, method, path, body)
        samples.append((time.process_time() - start) * 1000 / (requests // 5))
    # Python function calls per request: deterministic, so a lever's effect shows even when
    # other processes make CPU time noisy.
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(100):
        call(app, method, path, body)
    profiler.disable()
    calls = pstats.Stats(profiler).total_calls / 100
    return {
        # The best fifth: contention only ever adds time.
        "cpu_ms": round(min(samples), 4),
        "cpu_ms_median": round(statistics.median(samples), 4),
        "calls": round(calls),
        "queries": per_request,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the API case")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    figures = {
        "recommendation": measure(app, "POST", "/api/v1/recommendations/", BODY, args.requests),
        "page_hit": measure(app, "GET", "/compare/", b"", args.requests),
    }
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call(app, "POST", "/api/v1/recommendations/", BODY)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    for name, row in figures.items():
        print(
            f"{name:<16} {row['cpu_ms']:.3f} ms CPU/request (best fifth; median {row['cpu_ms_median']:.3f}), "
            f"{row['calls']} Python calls, {row['queries']} queries"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
