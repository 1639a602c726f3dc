"""`make resilience`: stop PostgreSQL, then Redis, under load and count what was lost.

Granian as the container runs it (2 workers of 4 threads, failed workers
respawned) with production settings (psycopg's pool, Redis cache) serves a
fresh database. Client threads save decisions through the API for the whole
run, each request with a unique title, and a poller reads /readyz every
0.15 s.

PostgreSQL: after a few seconds of steady load it is stopped with
`pg_ctlcluster ... stop -m fast` (what an operator's restart does: every
client is disconnected), kept down for --down-seconds (5) and started again
(--down-seconds 0 runs `restart -m fast` instead). Saves go on for a few
seconds after recovery, then the rows are counted. The rules, each a non-zero
exit when broken:
  - every acknowledged save (201 with an id) is a row, and no title has two rows;
  - /readyz answers 503 while PostgreSQL is down, and both /readyz (200) and
    saves (201) are back within 10 s of PostgreSQL accepting connections;
  - no 500 at all: during the outage only 503 or a failed connection, and
    every save started after recovery is a 201;
  - the web workers are the same processes before and after.
A row that was never acknowledged (the commit happened, the answer was lost)
is reported on its own; it is not a lost save.

Redis: the machine's Redis is shared with other runs, so a second portal is
served on a redis-server of the run's own (a free loopback port, no
persistence), named by REDIS_URL and REDIS_COUNTERS_URL. Besides the savers,
probes read /scenarios/ (cached whole), /decisions/ with the session cookie
of a sign-in made before the outage, /api/v1/questions/ anonymously (throttled
to 5/minute) and post failed logins (allauth's limits). Redis is stopped for
--redis-down-seconds (5), started again empty, and the rules are:
  - every save is a 201 and has its row, as above;
  - no 500: /readyz is 503 naming only "cache" while Redis is down and 200
    within 10 s of it answering again; the page is always a 200, never a hit
    while Redis is down, and a hit again within 10 s;
  - the session stays signed in throughout;
  - the anonymous throttle limits before the outage, lets everything through
    during it (fails open), and limits again after;
  - failed logins are limited before the outage; what allauth answers during
    it is reported (200 or 429), not judged;
  - the web workers are the same processes before and after.

Needs root (or the cluster's owner) to restart PostgreSQL, and redis-server.
Run from the repository root with the virtualenv's Python:
    .venv/bin/python bench/resilience.py [--only postgresql|redis] [--down-seconds 5]
        [--redis-down-seconds 5] [--clients 8] [--json figures.json]
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from statistics import median
from urllib.parse import urlencode

import _serve as serve
import psycopg
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

RUNS = ("postgresql", "redis")
RECOVERY_LIMIT_SECONDS = 10.0
READYZ_INTERVAL = 0.15
# Patient clients: during the outage a request waits for a pool connection
# (DB_POOL_TIMEOUT) behind the others queued on the same worker.
REQUEST_TIMEOUT = 30.0
# Saving is what is measured, not the throttle; the throttle still runs on every request.
UNTHROTTLED = {"API_THROTTLE_ANON": "100000000/minute", "API_THROTTLE_USER": "100000000/minute"}
ANSWERS = {"project": "api", "needs": ["api_docs"]}
USERNAME = "resilience"

# Creates the runs' users: verified email, a password if given (else none
# usable), one fresh token each, printed one a line.
USER_SETUP = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import APIToken

for username, password in {accounts!r}:
    user = get_user_model().objects.create(username=username, email=username + "@example.com")
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    print(APIToken.create_token(user=user, name="resilience")[1])
"""


def create_users(env: dict, accounts: list[tuple[str, str]]) -> list[str]:
    """One manage.py process for every run's user (each costs seconds on a busy machine); their tokens."""
    output = serve.manage(env, "shell", "-c", USER_SETUP.format(accounts=accounts), capture=True)
    return output.strip().splitlines()[-len(accounts) :]


@dataclass
class Save:
    title: str
    started: float
    finished: float
    outcome: str  # the HTTP status, "timeout" or "connection error"
    decision_id: int | None


@dataclass
class Timeline:
    checkpoint_seconds: float = 0.0
    restart_began: float = 0.0
    pg_down: float = 0.0
    pg_start_issued: float = 0.0
    pg_back: float = 0.0
    readyz_first_503: float | None = None
    readyz_back: float | None = None
    first_failed_save: float | None = None
    first_save_after: float | None = None


class Clock:
    def __init__(self):
        self.zero = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.zero


def exchange(
    port: int, method: str, path: str, body: bytes | None = None, headers=None
) -> tuple[str, http.client.HTTPMessage | None, bytes]:
    """One request on a fresh connection: the status (or why there was none), headers and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return str(response.status), response.headers, response.read()
    except TimeoutError:
        return "timeout", None, b""
    except (OSError, http.client.HTTPException):
        return "connection error", None, b""
    finally:
        connection.close()


def call(port: int, method: str, path: str, body: bytes | None = None, headers=None) -> tuple[str, bytes]:
    status, _, content = exchange(port, method, path, body, headers)
    return status, content


def post_decision(port: int, token: str, title: str) -> tuple[str, int | None]:
    status, body = call(
        port,
        "POST",
        "/api/v1/decisions/",
        json.dumps({"title": title, "answers": ANSWERS}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    return status, json.loads(body)["id"] if status == "201" else None


def saver(number: int, port: int, token: str, clock: Clock, stop_event: threading.Event, saves: list):
    sequence = 0
    while not stop_event.is_set():
        sequence += 1
        title = f"resilience t{number} #{sequence}"
        started = clock()
        outcome, decision_id = post_decision(port, token, title)
        saves.append(Save(title, started, clock(), outcome, decision_id))
        if outcome in ("timeout", "connection error"):
            # Refused connections fail at once; do not spin on them.
            time.sleep(0.05)


def readyz_poller(port: int, clock: Clock, stop_event: threading.Event, probes: list):
    while not stop_event.is_set():
        started = clock()
        status = call(port, "GET", "/readyz")[0]
        probes.append((started, clock(), status))
        stop_event.wait(READYZ_INTERVAL)


def serving_command(port: int, workers: int, threads: int) -> list[str]:
    """scripts/docker-entrypoint.sh's granian: while requests wait for the database,
    the other threads still answer /readyz, and a crashed worker would come back
    under a new process id."""
    command = serve.granian_command(port, workers)
    command[command.index("--blocking-threads") + 1] = str(threads)
    return [*command[:-1], "--respawn-failed-workers", command[-1]]


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def pg_cluster() -> tuple[str, str]:
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda path: int(path.name))
    if not versions:
        raise SystemExit("no PostgreSQL cluster under /etc/postgresql")
    return versions[-1].name, "main"


def pg_ctl(action: str, *options: str) -> subprocess.Popen:
    version, cluster = pg_cluster()
    return subprocess.Popen(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action, *options],
        stdout=subprocess.DEVNULL,
    )


def finish(process: subprocess.Popen) -> None:
    if process.wait(timeout=120) != 0:
        raise SystemExit(f"{' '.join(process.args)} failed with exit code {process.returncode}")


def ensure_pg_running() -> None:
    if pg_ready():
        return
    # "Already running" while it is still starting is not an error here.
    pg_ctl("start").wait(timeout=120)
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(0.5)
    raise SystemExit("PostgreSQL did not come back; start it by hand: pg_ctlcluster <version> main start")


def restart_pg(down_seconds: float, clock: Clock, timeline: Timeline) -> None:
    # An operator's checkpoint first: a shutdown waits for any checkpoint in
    # progress, and on a busy machine that alone kept PostgreSQL down 20 s.
    began = time.monotonic()
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute("CHECKPOINT")
    timeline.checkpoint_seconds = time.monotonic() - began
    timeline.restart_began = clock()
    if down_seconds > 0:
        finish(pg_ctl("stop", "-m", "fast"))
        timeline.pg_down = clock()
        time.sleep(down_seconds)
        timeline.pg_start_issued = clock()
        process = pg_ctl("start")
    else:
        process = pg_ctl("restart", "-m", "fast")
        while pg_ready() and process.poll() is None:
            time.sleep(0.02)
        timeline.pg_down = timeline.pg_start_issued = clock()
    # The server, not pg_ctlcluster, says when it is back: the command returned
    # 2.7 s after PostgreSQL logged "ready to accept connections" here.
    while not pg_ready():
        if process.poll() not in (None, 0):
            break
        time.sleep(0.05)
    timeline.pg_back = clock()
    finish(process)


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def stored_rows(url: str, username: str = USERNAME) -> dict[int, str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT d.id, d.title FROM decisions_decision d JOIN auth_user u ON u.id = d.owner_id "
            "WHERE u.username = %s",
            [username],
        ).fetchall()
    return dict(rows)


def first(events, outcome, finished_after: float = 0.0, started_after: float = 0.0) -> float | None:
    """When the first of (started, finished, outcome) events with this outcome finished."""
    return min(
        (
            end
            for start, end, seen in events
            if seen in outcome and end >= finished_after and start >= started_after
        ),
        default=None,
    )


def analyse(saves: list[Save], probes: list, timeline: Timeline, rows: dict[int, str], pids: dict) -> dict:
    requests = [(save.started, save.finished, save.outcome) for save in saves]
    failed = {outcome for _, _, outcome in requests} - {"201"}
    timeline.readyz_first_503 = first(probes, {"503"}, finished_after=timeline.restart_began)
    timeline.first_failed_save = first(requests, failed, finished_after=timeline.restart_began)
    # Sent once PostgreSQL had stopped, a success must have used a connection made after the restart.
    timeline.readyz_back = first(probes, {"200"}, started_after=timeline.pg_down)
    timeline.first_save_after = first(requests, {"201"}, started_after=timeline.pg_down)

    recovered = max(timeline.readyz_back or float("inf"), timeline.first_save_after or float("inf"))
    phases = {"before": Counter(), "outage": Counter(), "after": Counter()}
    for save in saves:
        if save.finished < timeline.restart_began:
            phase = "before"
        elif save.started < recovered:
            phase = "outage"
        else:
            phase = "after"
        phases[phase][save.outcome] += 1
    readyz_statuses = Counter(status for _, end, status in probes if end >= timeline.restart_began)
    readyz_200_while_stopped = [
        round(end, 2)
        for start, end, status in probes
        if status == "200" and start > timeline.pg_down and end < timeline.pg_start_issued
    ]

    def since_pg_back(at):
        # pg_isready is polled, so the portal can be seen back a moment before it.
        return None if at is None else round(max(0.0, at - timeline.pg_back), 2)

    figures = {
        **ledger(saves, rows),
        "statuses": {phase: dict(counter) for phase, counter in phases.items()},
        "readyz_statuses_from_restart": dict(readyz_statuses),
        "readyz_transitions": transitions(probes),
        "readyz_200_while_stopped": readyz_200_while_stopped,
        "timeline": {key: None if at is None else round(at, 2) for key, at in asdict(timeline).items()},
        # From the moment clients were cut, not from when the server had finished stopping.
        "pg_outage_seconds": round(timeline.pg_back - timeline.restart_began, 2),
        "readyz_recovery_seconds": since_pg_back(timeline.readyz_back),
        "save_recovery_seconds": since_pg_back(timeline.first_save_after),
        "worker_pids": pids,
    }
    figures["failures"] = failures(figures, saves, recovered)
    return figures


def ledger(saves: list[Save], rows: dict[int, str]) -> dict:
    """What the clients were told against what the database holds."""
    acknowledged = {save.decision_id: save.title for save in saves if save.decision_id is not None}
    outcome_of = {save.title: save.outcome for save in saves}
    unacknowledged = sorted(
        (i, rows[i], outcome_of.get(rows[i], "never sent")) for i in rows if i not in acknowledged
    )
    return {
        "requests": len(saves),
        "acknowledged": len(acknowledged),
        "rows": len(rows),
        "lost": sorted(decision_id for decision_id in acknowledged if decision_id not in rows),
        "mismatched": sorted(i for i, title in acknowledged.items() if i in rows and rows[i] != title),
        "duplicates": sorted(title for title, count in Counter(rows.values()).items() if count > 1),
        "unacknowledged_rows": [{"id": i, "title": t, "client_saw": o} for i, t, o in unacknowledged],
    }


def ledger_problems(figures: dict) -> list[str]:
    problems = []
    if figures["lost"]:
        problems.append(f"{len(figures['lost'])} acknowledged saves have no row: {figures['lost'][:10]}")
    if figures["mismatched"]:
        problems.append(f"acknowledged ids hold another request's title: {figures['mismatched'][:10]}")
    if figures["duplicates"]:
        problems.append(f"titles stored more than once: {figures['duplicates'][:10]}")
    return problems


def transitions(probes: list) -> list:
    changes, last = [], None
    for _, at, status in probes:
        if status != last:
            changes.append([round(at, 2), status])
            last = status
    return changes


def failures(figures: dict, saves: list[Save], recovered: float) -> list[str]:
    problems = ledger_problems(figures)
    if not figures["statuses"]["before"].get("201"):
        problems.append("no save succeeded before the restart")
    allowed = {"201", "503", "timeout", "connection error"}
    for phase, counts in figures["statuses"].items():
        unexpected = {outcome: n for outcome, n in counts.items() if outcome not in allowed}
        if unexpected:
            problems.append(f"saves ({phase}) answered {unexpected}")
    late = Counter(save.outcome for save in saves if save.started >= recovered and save.outcome != "201")
    if late:
        problems.append(f"saves started after recovery failed: {dict(late)}")
    readyz = figures["readyz_statuses_from_restart"]
    if set(readyz) - {"200", "503"}:
        problems.append(f"/readyz answered {readyz} after the restart began")
    if figures["timeline"]["readyz_first_503"] is None:
        problems.append("/readyz never answered 503 while PostgreSQL was down")
    if figures["readyz_200_while_stopped"]:
        problems.append(
            f"/readyz answered 200 while PostgreSQL was stopped: {figures['readyz_200_while_stopped']}"
        )
    for name in ("readyz_recovery_seconds", "save_recovery_seconds"):
        seconds = figures[name]
        if seconds is None or seconds > RECOVERY_LIMIT_SECONDS:
            problems.append(f"{name} = {seconds}, limit {RECOVERY_LIMIT_SECONDS:.0f} s")
    if figures["statuses"]["after"].get("201", 0) == 0:
        problems.append("no save completed after recovery")
    if figures["worker_pids"]["before"] != figures["worker_pids"]["after"]:
        problems.append(f"web processes changed: {figures['worker_pids']}")
    return problems


def server_errors(log: Path) -> Counter:
    messages = Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("level") == "ERROR":
            cause = record.get("exc_info", "").strip().rsplit("\n", 1)[-1]
            messages[f"{record.get('message')} {cause}".strip()] += 1
    return messages


def print_timeline(width: int, *events: tuple[str, float | None]) -> None:
    """Events as seconds since the run began; '-' for one that never happened."""
    print(f"{'event':<{width}} {'t (s)':>7}")
    for label, value in events:
        print(f"{label:<{width}} {'-' if value is None else f'{value:.2f}':>7}")


def report(figures: dict, args) -> None:
    t = figures["timeline"]
    mode = f"stop, {args.down_seconds:g} s down, start" if args.down_seconds > 0 else "restart -m fast"
    print(
        f"PostgreSQL restart under load: {args.clients} clients saving decisions, "
        f"granian {args.workers} workers x {args.web_threads} threads, {mode}"
    )
    print(f"CHECKPOINT before the stop: {t['checkpoint_seconds']:.2f} s (not part of the outage)")
    print_timeline(
        42,
        ("restart began (-m fast: clients cut)", t["restart_began"]),
        ("PostgreSQL stopped", t["pg_down"]),
        ("first failed save", t["first_failed_save"]),
        ("/readyz first 503", t["readyz_first_503"]),
        ("start issued", t["pg_start_issued"]),
        ("PostgreSQL accepting (pg_isready)", t["pg_back"]),
        ("/readyz 200 again (probe sent after stop)", t["readyz_back"]),
        ("first 201 (save sent after the stop)", t["first_save_after"]),
    )
    print(
        f"PostgreSQL unavailable {figures['pg_outage_seconds']:.2f} s; recovery after it was back: "
        f"/readyz {figures['readyz_recovery_seconds']} s, saves {figures['save_recovery_seconds']} s "
        f"(limit {RECOVERY_LIMIT_SECONDS:.0f} s)"
    )
    print(f"\n{'saves':<8} " + "  ".join(f"{phase:>28}" for phase in figures["statuses"]))
    outcomes = sorted({o for counts in figures["statuses"].values() for o in counts})
    for outcome in outcomes:
        cells = "  ".join(f"{counts.get(outcome, 0):>28}" for counts in figures["statuses"].values())
        print(f"{outcome:<8} {cells}" if len(outcome) <= 8 else f"{outcome}\n{'':<8} {cells}")
    print(f"/readyz from the restart on: {figures['readyz_statuses_from_restart']}")
    print(f"/readyz transitions (t, status): {figures['readyz_transitions']}")
    print(
        f"\nrequests {figures['requests']}, acknowledged {figures['acknowledged']}, rows {figures['rows']}, "
        f"lost {len(figures['lost'])}, duplicated titles {len(figures['duplicates'])}, "
        f"rows never acknowledged {len(figures['unacknowledged_rows'])}"
    )
    for row in figures["unacknowledged_rows"]:
        print(f"  row {row['id']} ({row['title']}): the client saw {row['client_saw']}")
    pids = figures["worker_pids"]
    print(f"web processes before {pids['before']}, after {pids['after']}")
    if figures["failures"]:
        print("\nFAILED:\n" + "\n".join(f"  - {problem}" for problem in figures["failures"]))
    else:
        print("\nOK: no lost saves, no 500, recovered without restarting the web processes")


# The Redis outage. The machine's Redis serves other runs and tests, so this
# run starts, stops and restarts a redis-server of its own.

# Low enough that the anonymous API probe meets the throttle within a
# second or two, so that the run sees it counting before the outage and again after.
ANON_THROTTLE = "5/minute"
REDIS_USERNAME = "resilience-redis"
# No such account: the failed-login limit counts per address and per client IP.
WRONG_LOGIN = "nobody@example.com"
# ACCOUNT_RATE_LIMITS["login_failed"] allows 5 per address; each costs a password hash.
LOGIN_FAILURES_ALLOWED = 5
TOO_MANY_FAILED = b"Too many failed login attempts"
PROBE_INTERVALS = {"readyz": READYZ_INTERVAL, "page": 0.15, "session": 0.25, "api": 0.15, "login": 1.0}
PHASES = ("before", "outage", "edges", "after")


class OwnRedis:
    """redis-server on a free loopback port, no persistence, a child of this script."""

    def __init__(self, workdir: Path):
        self.port = serve.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = workdir / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
        ]  # fmt: skip
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=self.log.parent, stdout=output, stderr=subprocess.STDOUT
            )

    def answers(self) -> bool:
        try:
            # redis-py's client retries a refused connection for seconds by default.
            no_retry = Retry(NoBackoff(), 0)
            with redis.Redis(
                port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5, retry=no_retry
            ) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def wait(self, *, up: bool, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.answers() != up:
            if up and self.process.poll() is not None:
                raise SystemExit(f"redis-server exited with {self.process.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"redis-server on port {self.port} still {'down' if up else 'up'} after {timeout:.0f} s"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class RedisTimeline:
    stop_issued: float = 0.0
    redis_down: float = 0.0
    start_issued: float = 0.0
    redis_back: float = 0.0
    readyz_first_503: float | None = None
    readyz_back: float | None = None
    first_cache_hit_after: float | None = None
    api_429_after: float | None = None


def stop_redis(own: OwnRedis, down_seconds: float, clock: Clock, timeline: RedisTimeline) -> None:
    timeline.stop_issued = clock()
    own.stop()
    own.wait(up=False)
    timeline.redis_down = clock()
    time.sleep(down_seconds)
    timeline.start_issued = clock()
    own.start()
    own.wait(up=True)
    timeline.redis_back = clock()


def probe(port: int, clock: Clock, events: list, ask) -> None:
    started = clock()
    outcome = ask(port)
    events.append((started, clock(), outcome))


def prober(port: int, clock: Clock, stop_event: threading.Event, events: list, interval: float, ask) -> None:
    while not stop_event.is_set():
        probe(port, clock, events, ask)
        stop_event.wait(interval)


def cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or [] if headers else []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def csrf_token(port: int) -> str:
    status, headers, _ = exchange(port, "GET", "/accounts/login/")
    token = cookies(headers).get("csrftoken")
    if status != "200" or not token:
        raise SystemExit(f"GET /accounts/login/ answered {status} without a CSRF cookie")
    return token


def login(port: int, csrf: str, email: str, password: str) -> tuple[str, dict, bytes]:
    # Django accepts the cookie's unmasked secret as the form's token too.
    body = urlencode({"login": email, "password": password, "csrfmiddlewaretoken": csrf}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"}
    status, response_headers, content = exchange(port, "POST", "/accounts/login/", body, headers)
    return status, cookies(response_headers), content


def readiness(port: int) -> str:
    status, _, body = exchange(port, "GET", "/readyz")
    if status != "503":
        return status
    try:
        down = json.loads(body).get("down", [])
    except ValueError:
        down = ["?"]
    return f"503 {'+'.join(down)}"


def cached_page(port: int) -> str:
    # The cheapest page of those cached whole: uncached, it still answers quickly under load.
    status, headers, _ = exchange(port, "GET", "/scenarios/")
    return f"{status} {headers.get('X-Page-Cache', 'uncached')}" if headers else status


def anonymous_api(port: int) -> str:
    return exchange(port, "GET", "/api/v1/questions/")[0]


def signed_in_as(cookie: str):
    def ask(port: int) -> str:
        status, headers, _ = exchange(port, "GET", "/decisions/", headers={"Cookie": cookie})
        if status == "200":
            return "signed in"
        if status == "302" and "/accounts/login/" in headers.get("Location", ""):
            return "signed out"
        return status

    return ask


def failed_login(csrf: str):
    def ask(port: int) -> str:
        status, _, content = login(port, csrf, WRONG_LOGIN, "not-the-password")
        # allauth's failed-login limit re-renders the form with a message; its
        # per-IP limit on every login POST is a 429.
        return "200 limited" if status == "200" and TOO_MANY_FAILED in content else status

    return ask


def redis_phase(sent: float, end: float, t: RedisTimeline) -> str:
    """before: answered while Redis ran; outage: sent and answered while it was
    refusing connections; after: sent once it answered again; edges: the rest."""
    if end < t.stop_issued:
        return "before"
    if sent >= t.redis_down and end <= t.start_issued:
        return "outage"
    if sent >= t.redis_back:
        return "after"
    return "edges"


def analyse_redis(
    saves: list[Save], streams: dict, t: RedisTimeline, rows: dict[int, str], pids: dict
) -> dict:
    streams = {"saves": [(save.started, save.finished, save.outcome) for save in saves], **streams}
    outcomes = {name: {phase: Counter() for phase in PHASES} for name in streams}
    durations = {name: {phase: [] for phase in PHASES} for name in streams}
    for name, events in streams.items():
        for sent, end, outcome in events:
            phase = redis_phase(sent, end, t)
            outcomes[name][phase][outcome] += 1
            durations[name][phase].append(end - sent)
    t.readyz_first_503 = first(streams["readyz"], {"503 cache"}, finished_after=t.stop_issued)
    t.readyz_back = first(streams["readyz"], {"200"}, started_after=t.redis_back)
    t.first_cache_hit_after = first(streams["page"], {"200 hit"}, started_after=t.redis_back)
    t.api_429_after = first(streams["api"], {"429"}, started_after=t.redis_back)

    def since_redis_back(at):
        return None if at is None else round(at - t.redis_back, 2)

    figures = {
        **ledger(saves, rows),
        "outcomes": {
            name: {phase: dict(c) for phase, c in phases.items()} for name, phases in outcomes.items()
        },
        "median_ms": {
            name: {phase: round(median(d) * 1000) if d else None for phase, d in phases.items()}
            for name, phases in durations.items()
        },
        "readyz_transitions": transitions(streams["readyz"]),
        "timeline": {key: None if at is None else round(at, 2) for key, at in asdict(t).items()},
        "redis_outage_seconds": round(t.redis_back - t.stop_issued, 2),
        "readyz_recovery_seconds": since_redis_back(t.readyz_back),
        "cache_hit_recovery_seconds": since_redis_back(t.first_cache_hit_after),
        "api_throttle_counting_again_seconds": since_redis_back(t.api_429_after),
        "worker_pids": pids,
    }
    figures["failures"] = redis_failures(figures)
    return figures


def redis_failures(figures: dict) -> list[str]:
    problems = ledger_problems(figures)
    seen = figures["outcomes"]

    def every(name: str, allowed: set, phases=PHASES) -> None:
        for phase in phases:
            unexpected = {o: n for o, n in seen[name][phase].items() if o not in allowed}
            if unexpected:
                problems.append(f"{name} ({phase}) answered {unexpected}, expected only {sorted(allowed)}")

    def some(name: str, phase: str, outcome: str, why: str) -> None:
        if not seen[name][phase].get(outcome):
            problems.append(f"{name} ({phase}): no {outcome!r}: {why}")

    for name in seen:
        if not seen[name]["outage"]:
            problems.append(f"{name}: no request was sent and answered while Redis was down")
    # The database is up: no save may fail for the cache's sake.
    every("saves", {"201"})
    every("readyz", {"200"}, ("before", "after"))
    every("readyz", {"503 cache"}, ("outage",))
    every("readyz", {"200", "503 cache"}, ("edges",))
    every("page", {"200 hit", "200 miss"})
    some("page", "before", "200 hit", "the page cache never served a page")
    if seen["page"]["outage"].get("200 hit"):
        problems.append("the page cache served a hit while Redis was down")
    every("session", {"signed in"})
    # DRF's throttles fail open: their counters are not read or written while Redis is away.
    every("api", {"200", "429"})
    some("api", "before", "429", "the anonymous throttle never limited before the outage")
    every("api", {"200"}, ("outage",))
    some("api", "after", "429", "the anonymous throttle did not count again after the outage")
    # allauth's limits take a lock in the cache first; what it answers without one is reported, not judged.
    every("login", {"200", "200 limited", "429"})
    some("login", "before", "200 limited", "the failed-login limit never limited before the outage")
    for name in ("readyz_recovery_seconds", "cache_hit_recovery_seconds"):
        seconds = figures[name]
        if seconds is None or seconds > RECOVERY_LIMIT_SECONDS:
            problems.append(f"{name} = {seconds}, limit {RECOVERY_LIMIT_SECONDS:.0f} s")
    if figures["worker_pids"]["before"] != figures["worker_pids"]["after"]:
        problems.append(f"web processes changed: {figures['worker_pids']}")
    return problems


def report_redis(figures: dict, args, port: int) -> None:
    t = figures["timeline"]
    print(
        f"Redis stopped under load: {args.clients} clients saving decisions, "
        f"granian {args.workers} workers x {args.web_threads} threads,\n"
        f"the run's own redis-server on 127.0.0.1:{port} down {args.redis_down_seconds:g} s;\n"
        f"probes: /readyz, /scenarios/ (page cache), /decisions/ "
        f"(session made before the outage), /api/v1/questions/ (anonymous, {ANON_THROTTLE}), failed logins"
    )
    print_timeline(
        46,
        ("stop issued (SIGTERM)", t["stop_issued"]),
        ("Redis refusing connections", t["redis_down"]),
        ("/readyz first 503 naming cache", t["readyz_first_503"]),
        ("start issued", t["start_issued"]),
        ("Redis answering PING", t["redis_back"]),
        ("/readyz 200 again (probe sent after it)", t["readyz_back"]),
        ("first page-cache hit (sent after it)", t["first_cache_hit_after"]),
        ("anonymous API 429 again (sent after it)", t["api_429_after"]),
    )
    print(
        f"Redis unavailable {figures['redis_outage_seconds']:.2f} s; recovery after it was back: "
        f"/readyz {figures['readyz_recovery_seconds']} s, "
        f"cached read {figures['cache_hit_recovery_seconds']} s "
        f"(limit {RECOVERY_LIMIT_SECONDS:.0f} s); API throttle counting again "
        f"{figures['api_throttle_counting_again_seconds']} s"
    )
    print(
        f"\n{'probe':<8} {'answer':<14}"
        + "".join(f"{phase:>10}" for phase in PHASES)
        + "   median ms by phase"
    )
    for name, phases in figures["outcomes"].items():
        answers = sorted({o for counts in phases.values() for o in counts})
        for number, answer in enumerate(answers):
            cells = "".join(f"{phases[phase].get(answer, 0):>10}" for phase in PHASES)
            medians = figures["median_ms"][name] if number == 0 else {}
            latency = (
                "  ".join("-" if medians.get(p) is None else str(medians[p]) for p in PHASES)
                if medians
                else ""
            )
            print(f"{name if number == 0 else '':<8} {answer:<14}{cells}   {latency}")
    print(f"/readyz transitions (t, answer): {figures['readyz_transitions']}")
    print(
        f"\nrequests {figures['requests']}, acknowledged {figures['acknowledged']}, rows {figures['rows']}, "
        f"lost {len(figures['lost'])}, duplicated titles {len(figures['duplicates'])}, "
        f"rows never acknowledged {len(figures['unacknowledged_rows'])}"
    )
    pids = figures["worker_pids"]
    print(f"web processes before {pids['before']}, after {pids['after']}")
    if figures["failures"]:
        print("\nFAILED:\n" + "\n".join(f"  - {problem}" for problem in figures["failures"]))
    else:
        print("\nOK: no lost saves, no 500, the session held, throttles failed open, back without restarts")


def run_redis(args, env: dict, workdir: Path, token: str, password: str) -> dict:
    own = OwnRedis(workdir)
    own.start()
    try:
        own.wait(up=True)
        # REDIS_COUNTERS_URL: for settings that keep throttle counters in a cache of their own.
        served = {
            **env,
            "REDIS_URL": own.url,
            "REDIS_COUNTERS_URL": own.url,
            "API_THROTTLE_ANON": ANON_THROTTLE,
        }
        port = serve.free_port()
        log = workdir / "server-redis.log"
        server = serve.start(serving_command(port, args.workers, args.web_threads), served, log)
        clock, timeline = Clock(), RedisTimeline()
        saves, stop_event = [], threading.Event()
        streams = {name: [] for name in PROBE_INTERVALS}
        try:
            serve.wait_until_up(f"http://127.0.0.1:{port}/readyz")
            pids = {"main": server.pid, "before": serve.worker_pids(server.pid)}
            csrf = csrf_token(port)
            status, jar, _ = login(port, csrf, f"{REDIS_USERNAME}@example.com", password)
            if status != "302" or "sessionid" not in jar:
                raise SystemExit(f"signing in answered {status} with cookies {sorted(jar)}")
            asks = {
                "readyz": readiness,
                "page": cached_page,
                "session": signed_in_as(f"sessionid={jar['sessionid']}"),
                "api": anonymous_api,
                "login": failed_login(csrf),
            }
            if asks["session"](port) != "signed in":
                raise SystemExit("the session made by signing in does not open /decisions/")
            threads = [
                threading.Thread(target=saver, args=(n, port, token, clock, stop_event, saves), daemon=True)
                for n in range(1, args.clients + 1)
            ] + [
                threading.Thread(
                    target=prober,
                    args=(port, clock, stop_event, streams[name], PROBE_INTERVALS[name], ask),
                    daemon=True,
                )
                for name, ask in asks.items()
            ]
            # Failed logins at once rather than one a second: the limit is met sooner.
            threads += [
                threading.Thread(
                    target=probe, args=(port, clock, streams["login"], asks["login"]), daemon=True
                )
                for _ in range(LOGIN_FAILURES_ALLOWED)
            ]
            for thread in threads:
                thread.start()
            # Steady: every client has saved, and both limits have been met with Redis up.
            while (
                len({save.title.split()[1] for save in list(saves) if save.outcome == "201"}) < args.clients
                or "429" not in {o for _, _, o in list(streams["api"])}
                or "200 limited" not in {o for _, _, o in list(streams["login"])}
            ):
                if clock() > 60:
                    raise SystemExit("no steady load within 60 s (saves from every client, both limits met)")
                time.sleep(0.1)
            time.sleep(args.redis_warmup)
            try:
                stop_redis(own, args.redis_down_seconds, clock, timeline)
            finally:
                if own.process is None or own.process.poll() is not None:
                    own.start()
            deadline = clock() + RECOVERY_LIMIT_SECONDS + 5
            while clock() < deadline and not any(
                outcome == "200 hit" and start > timeline.redis_back
                for start, _, outcome in list(streams["page"])
            ):
                time.sleep(0.1)
            time.sleep(args.after)
            stop_event.set()
            for thread in threads:
                thread.join(timeout=REQUEST_TIMEOUT + 5)
            pids["after"] = serve.worker_pids(server.pid)
        finally:
            stop_event.set()
            serve.stop(server)
    finally:
        own.stop()

    figures = analyse_redis(saves, streams, timeline, stored_rows(args.database_url, REDIS_USERNAME), pids)
    redis_version = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True
    ).stdout.split()
    figures.update(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, {' '.join(redis_version[:3])}",
        clients=args.clients,
        web_threads=args.web_threads,
        workers=args.workers,
        down_seconds=args.redis_down_seconds,
    )
    errors = server_errors(log)
    figures["server_log_errors"] = dict(errors)
    report_redis(figures, args, own.port)
    print_errors(figures, errors)
    return figures


def run_postgresql(args, env: dict, workdir: Path, token: str) -> dict:
    serve.flush_redis(args.redis_url)

    port = serve.free_port()
    log = workdir / "server.log"
    server = serve.start(serving_command(port, args.workers, args.web_threads), env, log)
    clock, timeline = Clock(), Timeline()
    saves, probes, stop_event = [], [], threading.Event()
    threads = [
        threading.Thread(target=saver, args=(n, port, token, clock, stop_event, saves), daemon=True)
        for n in range(1, args.clients + 1)
    ]
    poller = threading.Thread(target=readyz_poller, args=(port, clock, stop_event, probes), daemon=True)
    threads.append(poller)
    try:
        serve.wait_until_up(f"http://127.0.0.1:{port}/readyz")
        pids = {"main": server.pid, "before": serve.worker_pids(server.pid)}
        for thread in threads:
            thread.start()
        # Steady load means warm workers: every client has saved once.
        while len({save.title.split()[1] for save in list(saves) if save.outcome == "201"}) < args.clients:
            if clock() > 60:
                raise SystemExit("the portal did not answer a save from every client within 60 s")
            time.sleep(0.1)
        time.sleep(args.warmup)
        try:
            restart_pg(args.down_seconds, clock, timeline)
        finally:
            ensure_pg_running()
        deadline = clock() + RECOVERY_LIMIT_SECONDS + 5
        while clock() < deadline and not any(
            save.outcome == "201" and save.started > timeline.pg_down for save in list(saves)
        ):
            time.sleep(0.1)
        time.sleep(args.after)
        stop_event.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        pids["after"] = serve.worker_pids(server.pid)
    finally:
        stop_event.set()
        serve.stop(server)
        ensure_pg_running()

    figures = analyse(saves, probes, timeline, stored_rows(args.database_url), pids)
    figures.update(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, PostgreSQL {pg_cluster()[0]}",
        clients=args.clients,
        web_threads=args.web_threads,
        workers=args.workers,
        down_seconds=args.down_seconds,
    )
    errors = server_errors(log)
    figures["server_log_errors"] = dict(errors)
    report(figures, args)
    print_errors(figures, errors)
    return figures


def print_errors(figures: dict, errors: Counter) -> None:
    if figures["failures"]:
        print("\nserver log, errors by message:")
        for message, count in errors.most_common(10):
            print(f"{count:>6}  {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--only", choices=RUNS, help="one outage only (default: PostgreSQL, then Redis)")
    parser.add_argument("--clients", type=int, default=8, help="client threads saving (default 8)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    parser.add_argument("--web-threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    parser.add_argument(
        "--settings", default="portal.settings.production", help="to try a variant of the production settings"
    )
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds of load before the restart")
    # Longer than the pool's wait for a connection (DB_POOL_TIMEOUT, 3 s): a
    # shorter outage only delays requests, and /readyz never has to say 503.
    parser.add_argument(
        "--down-seconds",
        type=float,
        default=5.0,
        help="seconds PostgreSQL stays stopped (0: `restart -m fast`)",
    )
    parser.add_argument("--redis-down-seconds", type=float, default=5.0, help="seconds Redis stays stopped")
    parser.add_argument(
        "--redis-warmup", type=float, default=2.0, help="seconds of steady load before Redis is stopped"
    )
    parser.add_argument("--after", type=float, default=5.0, help="seconds of load after recovery")
    parser.add_argument("--json", type=Path, help="write the figures to this file, by outage")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "RESILIENCE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_resilience"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/8"),
        help="the Redis of the PostgreSQL run (the Redis run starts its own)",
    )
    args = parser.parse_args()
    began = time.monotonic()
    runs = [args.only] if args.only else list(RUNS)
    if "postgresql" in runs:
        if not shutil.which("pg_ctlcluster"):
            raise SystemExit("pg_ctlcluster is missing: the script restarts a Debian PostgreSQL cluster")
        version, cluster = pg_cluster()
        data_owner = Path(f"/etc/postgresql/{version}/{cluster}").stat().st_uid
        if os.geteuid() not in (0, data_owner):
            raise SystemExit("restarting PostgreSQL needs root or the cluster's owner (postgres)")
    if "redis" in runs and not shutil.which("redis-server"):
        raise SystemExit(
            "redis-server is missing: the Redis run starts one of its own (Debian: redis-server)"
        )
    ensure_pg_running()

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-resilience-"))
    env = serve.portal_env(
        args.database_url,
        str(workdir / "static"),
        DJANGO_SETTINGS_MODULE=args.settings,
        REDIS_URL=args.redis_url,
        **UNTHROTTLED,
    )
    recreate_database(args.database_url)
    serve.prepare_portal(env)
    password = secrets.token_urlsafe(16)
    accounts = {"postgresql": (USERNAME, ""), "redis": (REDIS_USERNAME, password)}
    tokens = dict(zip(runs, create_users(env, [accounts[name] for name in runs]), strict=True))
    results = {}
    if "postgresql" in runs:
        results["postgresql"] = run_postgresql(args, env, workdir, tokens["postgresql"])
    if "redis" in runs:
        if results:
            print()
        results["redis"] = run_redis(args, env, workdir, tokens["redis"], password)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    failed = [name for name, figures in results.items() if figures["failures"]]
    outcome = f"FAILED: {', '.join(failed)}" if failed else f"OK: {' and '.join(runs)}"
    print(f"\n{outcome}; the whole run took {time.monotonic() - began:.0f} s")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
