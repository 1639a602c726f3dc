"""Serving the portal with production settings for `make bench`, `make soak` and `make audit`.

Each script gets its own PostgreSQL database and Redis database number, so they
can run one after another on the same machine without seeing each other's data.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(database_url: str, static_root: str, **overrides: str) -> dict:
    """The environment of a production deployment on plain-HTTP loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout or ""


def ensure_database(url: str) -> None:
    """Create the script's PostgreSQL database if it does not exist yet."""
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    """Empty the script's own Redis database: stale throttle counters would skew a run."""
    import redis

    redis.Redis.from_url(url).flushdb()


def prepare_portal(env: dict) -> None:
    """Schema, seeded content and collected static files; each step is idempotent."""
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput")
    manage(env, "load_initial_data")
    manage(env, "collectstatic", "--noinput")


# The container's default (Dockerfile, docker-compose.yml): chosen by `make bench`'s
# workers x threads figures, see docs/benchmarks.md.
WEB_WORKERS, WEB_THREADS = 2, 1
RESULTS = ROOT / "docs" / "benchmarks.json"


def granian_command(port: int, workers: int = WEB_WORKERS, threads: int = WEB_THREADS) -> list[str]:
    """The container's serving command (scripts/docker-entrypoint.sh) on loopback."""
    return [
        str(BIN / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-ws",
        "portal.wsgi:application",
    ]  # fmt: skip


def record(section: str, data, path: Path = RESULTS) -> None:
    """Store one script's figures under `section` of docs/benchmarks.json, which bench/chart.py draws."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results[section] = dict(data, measured=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def start(command: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
    """Start a server in its own process group, so that stop() takes its workers too."""
    output = log.open("ab") if log else subprocess.DEVNULL
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_until_up(url: str, body: dict | None = None, timeout: float = 30.0) -> None:
    """Poll until the URL answers 200 (a POST of `body` as JSON when given)."""
    deadline = time.monotonic() + timeout
    data = json.dumps(body).encode() if body is not None else None
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not answer within {timeout:.0f}s")


def worker_pids(main_pid: int) -> list[int]:
    """Granian's worker processes: the direct children of its main process."""
    pids = []
    for task in Path(f"/proc/{main_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids.extend(int(pid) for pid in children)
    return sorted(pids)


def cpu_seconds(main_pid: int) -> float:
    """User + system CPU of a server's main process and its workers, so far."""
    ticks = 0
    for pid in [main_pid, *worker_pids(main_pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for process {pid}")
