"""`make resilience`: restart PostgreSQL under load and count what was lost.

Granian as the container runs it (2 workers of 4 threads, failed workers
respawned) with production settings (psycopg's pool, Redis cache) serves a
fresh database. Client threads save decisions through the API for the whole
run, each request with a unique title, and a poller reads /readyz every
0.15 s. After a few seconds of steady load PostgreSQL is stopped with
`pg_ctlcluster ... stop -m fast` (what an operator's restart does: every
client is disconnected), kept down for --down-seconds (5) and started again
(--down-seconds 0 runs `restart -m fast` instead). Saves go on for a few
seconds after recovery, then the rows are counted.

The rules, each a non-zero exit when broken:
  - every acknowledged save (201 with an id) is a row, and no title has two rows;
  - /readyz answers 503 while PostgreSQL is down, and both /readyz (200) and
    saves (201) are back within 10 s of PostgreSQL accepting connections;
  - no 500 at all: during the outage only 503 or a failed connection, and
    every save started after recovery is a 201;
  - the web workers are the same processes before and after.
A row that was never acknowledged (the commit happened, the answer was lost)
is reported on its own; it is not a lost save.

Needs root (or the cluster's owner) to restart PostgreSQL. Run from the
repository root with the virtualenv's Python:
    .venv/bin/python bench/resilience.py [--down-seconds 5] [--clients 8] [--json figures.json]
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from _serve import (
    flush_redis,
    free_port,
    granian_command,
    manage,
    portal_env,
    prepare_portal,
    start,
    stop,
    wait_until_up,
    worker_pids,
)

RECOVERY_LIMIT_SECONDS = 10.0
READYZ_INTERVAL = 0.15
# Patient clients: during the outage a request waits for a pool connection
# (DB_POOL_TIMEOUT) behind the others queued on the same worker.
REQUEST_TIMEOUT = 30.0
# Saving is what is measured, not the throttle; the throttle still runs on every request.
UNTHROTTLED = {"API_THROTTLE_ANON": "100000000/minute", "API_THROTTLE_USER": "100000000/minute"}
ANSWERS = {"project": "api", "needs": ["api_docs"]}
USERNAME = "resilience"

# Creates the run's user: verified email, one fresh token.
USER_SETUP = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from wagtail.models import APIToken

user = get_user_model().objects.create(username="{USERNAME}", email="{USERNAME}@example.com")
user.set_unusable_password()
user.save()
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
print(APIToken.create_token(user=user, name="resilience")[1])
"""


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


def call(port: int, method: str, path: str, body: bytes | None = None, headers=None) -> tuple[str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return str(response.status), response.read()
    except TimeoutError:
        return "timeout", b""
    except (OSError, http.client.HTTPException):
        return "connection error", b""
    finally:
        connection.close()


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
    command = granian_command(port, workers)
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


def stored_rows(url: str) -> dict[int, str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT d.id, d.title FROM decisions_decision d JOIN auth_user u ON u.id = d.owner_id "
            "WHERE u.username = %s",
            [USERNAME],
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

    acknowledged = {save.decision_id: save.title for save in saves if save.decision_id is not None}
    outcome_of = {save.title: save.outcome for save in saves}
    lost = sorted(decision_id for decision_id in acknowledged if decision_id not in rows)
    mismatched = sorted(i for i, title in acknowledged.items() if i in rows and rows[i] != title)
    duplicates = sorted(title for title, count in Counter(rows.values()).items() if count > 1)
    unacknowledged = sorted(
        (i, rows[i], outcome_of.get(rows[i], "never sent")) for i in rows if i not in acknowledged
    )

    def since_pg_back(at):
        # pg_isready is polled, so the portal can be seen back a moment before it.
        return None if at is None else round(max(0.0, at - timeline.pg_back), 2)

    figures = {
        "requests": len(saves),
        "acknowledged": len(acknowledged),
        "rows": len(rows),
        "lost": lost,
        "mismatched": mismatched,
        "duplicates": duplicates,
        "unacknowledged_rows": [{"id": i, "title": t, "client_saw": o} for i, t, o in unacknowledged],
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


def transitions(probes: list) -> list:
    changes, last = [], None
    for _, at, status in probes:
        if status != last:
            changes.append([round(at, 2), status])
            last = status
    return changes


def failures(figures: dict, saves: list[Save], recovered: float) -> list[str]:
    problems = []
    if figures["lost"]:
        problems.append(f"{len(figures['lost'])} acknowledged saves have no row: {figures['lost'][:10]}")
    if figures["mismatched"]:
        problems.append(f"acknowledged ids hold another request's title: {figures['mismatched'][:10]}")
    if figures["duplicates"]:
        problems.append(f"titles stored more than once: {figures['duplicates'][:10]}")
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


def report(figures: dict, args) -> None:
    t = figures["timeline"]
    mode = f"stop, {args.down_seconds:g} s down, start" if args.down_seconds > 0 else "restart -m fast"
    print(
        f"PostgreSQL restart under load: {args.clients} clients saving decisions, "
        f"granian {args.workers} workers x {args.web_threads} threads, {mode}"
    )
    print(f"CHECKPOINT before the stop: {t['checkpoint_seconds']:.2f} s (not part of the outage)")
    print(f"{'event':<42} {'t (s)':>7}")
    for label, value in (
        ("restart began (-m fast: clients cut)", t["restart_began"]),
        ("PostgreSQL stopped", t["pg_down"]),
        ("first failed save", t["first_failed_save"]),
        ("/readyz first 503", t["readyz_first_503"]),
        ("start issued", t["pg_start_issued"]),
        ("PostgreSQL accepting (pg_isready)", t["pg_back"]),
        ("/readyz 200 again (probe sent after stop)", t["readyz_back"]),
        ("first 201 (save sent after the stop)", t["first_save_after"]),
    ):
        print(f"{label:<42} {'-' if value is None else f'{value:.2f}':>7}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
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
    parser.add_argument("--after", type=float, default=5.0, help="seconds of load after recovery")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "RESILIENCE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stackfit_resilience"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("RESILIENCE_REDIS_URL", "redis://127.0.0.1:6379/8")
    )
    args = parser.parse_args()
    if not shutil.which("pg_ctlcluster"):
        raise SystemExit("pg_ctlcluster is missing: the script restarts a Debian PostgreSQL cluster")
    version, cluster = pg_cluster()
    data_owner = Path(f"/etc/postgresql/{version}/{cluster}").stat().st_uid
    if os.geteuid() not in (0, data_owner):
        raise SystemExit("restarting PostgreSQL needs root or the cluster's owner (postgres)")
    ensure_pg_running()

    workdir = Path(tempfile.mkdtemp(prefix="stackfit-resilience-"))
    env = portal_env(
        args.database_url,
        str(workdir / "static"),
        DJANGO_SETTINGS_MODULE=args.settings,
        REDIS_URL=args.redis_url,
        **UNTHROTTLED,
    )
    recreate_database(args.database_url)
    prepare_portal(env)
    token = manage(env, "shell", "-c", USER_SETUP, capture=True).strip().splitlines()[-1]
    flush_redis(args.redis_url)

    port = free_port()
    log = workdir / "server.log"
    server = start(serving_command(port, args.workers, args.web_threads), env, log)
    clock, timeline = Clock(), Timeline()
    saves, probes, stop_event = [], [], threading.Event()
    threads = [
        threading.Thread(target=saver, args=(n, port, token, clock, stop_event, saves), daemon=True)
        for n in range(1, args.clients + 1)
    ]
    poller = threading.Thread(target=readyz_poller, args=(port, clock, stop_event, probes), daemon=True)
    threads.append(poller)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/readyz")
        pids = {"main": server.pid, "before": worker_pids(server.pid)}
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
        pids["after"] = worker_pids(server.pid)
    finally:
        stop_event.set()
        stop(server)
        ensure_pg_running()

    figures = analyse(saves, probes, timeline, stored_rows(args.database_url), pids)
    figures.update(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, PostgreSQL {version}",
        clients=args.clients,
        web_threads=args.web_threads,
        workers=args.workers,
        down_seconds=args.down_seconds,
    )
    errors = server_errors(log)
    figures["server_log_errors"] = dict(errors)
    report(figures, args)
    if figures["failures"]:
        print("\nserver log, errors by message:")
        for message, count in errors.most_common(10):
            print(f"{count:>6}  {message}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    raise SystemExit(1 if figures["failures"] else 0)


if __name__ == "__main__":
    main()
