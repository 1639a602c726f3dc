"""What can be checked here of the production set-up without a Docker engine.

The compose file and the Dockerfile are checked against what the project reads
and serves; the entrypoint runs for real (wait, migrate, load, granian) on a
scratch database, and the compose healthcheck is run against it.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class

ROOT = Path(settings.BASE_DIR)
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"
SETTINGS_SOURCES = [*ROOT.glob("portal/settings/*.py"), ENTRYPOINT]
# Variables that only the compose file or the postgres and redis images use.
COMPOSE_ONLY = {
    "POSTGRES_DB",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_MAX_CONNECTIONS",
    "REDIS_MAXMEMORY",
    "REDIS_COUNTERS_MAXMEMORY",
    "PORT",
}
VENV_BIN = Path(sys.executable).parent


def variables_read_by_the_project() -> set[str]:
    names = set()
    for path in SETTINGS_SOURCES:
        text = path.read_text()
        names |= set(
            re.findall(r'(?:environ\.get|environ\[|env_(?:str|bool|int|list))\(?\s*"([A-Z0-9_]+)"', text)
        )
        names |= set(re.findall(r"\$\{([A-Z0-9_]+)(?::-[^}]*)?\}", text))
    return names


def env_example() -> dict[str, str]:
    """Every NAME=value of .env.example, the commented-out optional ones included."""
    pairs = re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE)
    return {name: value.strip().strip('"') for name, value in pairs}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def healthcheck_code(compose) -> str:
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "the slim image has Python, not curl"
    return test[3]


def dockerfile_healthcheck_code() -> str:
    instruction = re.search(r"^HEALTHCHECK (?:.*\\\n)*.*$", dockerfile(), re.MULTILINE)
    assert instruction, "the Dockerfile has a HEALTHCHECK"
    command = json.loads(instruction.group(0).replace("\\\n", " ").split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"], "the slim image has Python, not curl"
    return command[2]


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_compose_runs_postgres_redis_and_web_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) >= {"db", "redis", "web"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    assert "/readyz" in healthcheck_code(compose)
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "media:/app/media" in services["web"]["volumes"]
    assert {"pgdata", "media"} <= set(compose["volumes"])
    for name in ("db", "redis", "web"):
        assert services[name]["restart"] == "unless-stopped", name


def test_counters_have_a_redis_that_never_evicts_and_the_cache_one_that_does(compose):
    services = compose["services"]
    counters, cache = services["counters"]["command"], services["redis"]["command"]
    assert counters[counters.index("--maxmemory-policy") + 1] == "noeviction"
    assert cache[cache.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert "redis-cli ping" in " ".join(services["counters"]["healthcheck"]["test"])
    for name in ("web", "migrate"):
        assert services[name]["depends_on"]["counters"]["condition"] == "service_healthy"
    assert "//counters:" in services["web"]["environment"]["REDIS_COUNTERS_URL"]


def test_web_starts_after_healthy_database_and_redis_and_one_migration_run(compose):
    services = compose["services"]
    depends = services["web"]["depends_on"]
    assert depends["db"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    # Several web containers must not race to migrate: one job does it first.
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["setup"]
    assert services["migrate"]["environment"] == services["web"]["environment"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_a_scheduler_publishes_scheduled_content_every_minute_after_migrations(compose):
    scheduler = compose["services"]["scheduler"]
    assert "publish_scheduled" in get_commands()
    script = scheduler["command"][-1]
    assert "python manage.py publish_scheduled" in script
    assert "sleep 60" in script and script.startswith("while true")
    # The same image and environment as web, so it reaches the same database and cache.
    assert scheduler["environment"] == compose["services"]["web"]["environment"]
    assert scheduler["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert scheduler["depends_on"]["db"]["condition"] == "service_healthy"
    assert scheduler["restart"] == "unless-stopped"


def test_the_scheduler_also_enqueues_periodic_tasks_and_has_its_own_healthcheck(compose):
    scheduler = compose["services"]["scheduler"]
    script = scheduler["command"][-1]
    assert "enqueue_periodic_tasks" in get_commands()
    assert "python manage.py enqueue_periodic_tasks && touch /tmp/scheduler-alive" in script
    test = scheduler["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "/readyz" not in test[3] and "'/tmp/scheduler-alive'" in test[3]


def run_heartbeat_check(code, heartbeat: Path) -> int:
    code = code.replace("'/tmp/scheduler-alive'", repr(str(heartbeat)))
    return subprocess.run([sys.executable, "-c", code], timeout=30).returncode


def test_scheduler_healthcheck_fails_without_a_recent_pass(compose, tmp_path):
    code = compose["services"]["scheduler"]["healthcheck"]["test"][3]
    heartbeat = tmp_path / "scheduler-alive"
    assert run_heartbeat_check(code, heartbeat) != 0
    heartbeat.touch()
    assert run_heartbeat_check(code, heartbeat) == 0
    os.utime(heartbeat, (time.time() - 300, time.time() - 300))
    assert run_heartbeat_check(code, heartbeat) != 0


def test_a_worker_runs_the_task_queue_after_migrations_with_its_own_healthcheck(compose):
    services = compose["services"]
    worker = services["worker"]
    command = worker["command"]
    assert command[:3] == ["python", "manage.py", "db_worker"]
    # The flags exist, and name the backend our tasks are enqueued on.
    db_worker = load_command_class(get_commands()["db_worker"], "db_worker")
    parsed = db_worker.create_parser("manage.py", "db_worker").parse_args(command[3:])
    assert parsed.backend_name == settings.WORKER_TASK_BACKEND == "worker"
    assert settings.TASKS["worker"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert parsed.reload is False
    assert worker["healthcheck"]["test"] == ["CMD", "python", "manage.py", "worker_health"]
    assert "worker_health" in get_commands()
    assert worker["environment"] == services["web"]["environment"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["db"]["condition"] == "service_healthy"
    assert worker["restart"] == "unless-stopped"


def test_only_web_uses_the_images_http_healthcheck(compose):
    for name, service in compose["services"].items():
        if service.get("build") != ".":
            continue
        check = service.get("healthcheck")
        assert check, f"{name} would inherit the image's /readyz check"
        if name == "web":
            assert "/readyz" in healthcheck_code(compose)
        else:
            assert check.get("disable") or "/readyz" not in " ".join(check["test"]), name


def test_every_web_variable_is_read_by_the_settings(compose):
    known = variables_read_by_the_project()
    web = compose["services"]["web"]["environment"]
    assert set(web) - known == set()
    assert {
        "DATABASE_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "REDIS_URL",
        "REDIS_COUNTERS_URL",
        "DB_POOL_MIN_SIZE",
        "DB_POOL_MAX_SIZE",
        "DB_POOL_TIMEOUT",
        "WEB_WORKERS",
        "WEB_THREADS",
    } <= set(web)


def test_the_variable_scan_sees_every_way_the_settings_read_the_environment():
    known = variables_read_by_the_project()
    assert {"REDIS_URL", "DB_POOL_MAX_SIZE", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_USE_TLS"} <= known
    assert {"AWS_STORAGE_BUCKET_NAME", "LOG_FORMAT", "NUM_PROXIES", "DB_WAIT_TIMEOUT"} <= known


def test_env_example_lists_only_known_variables():
    assert set(env_example()) - variables_read_by_the_project() - COMPOSE_ONLY == set()


def test_env_example_covers_what_an_operator_sets():
    documented = set(env_example())
    operator_facing = {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_SSL_REDIRECT",
        "BEHIND_TLS_PROXY",
        "NUM_PROXIES",
        "SITE_URL",
        "PORT",
        "WEB_WORKERS",
        "WEB_THREADS",
        "REDIS_URL",
        "REDIS_COUNTERS_URL",
        "HSTS_PRELOAD",
        "DB_POOL_MIN_SIZE",
        "DB_POOL_MAX_SIZE",
        "DB_POOL_TIMEOUT",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "API_THROTTLE_ANON",
        "API_THROTTLE_USER",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_S3_CUSTOM_DOMAIN",
    }
    assert operator_facing - documented == set()


def test_compose_defaults_agree_with_env_example():
    text = (ROOT / "docker-compose.yml").read_text()
    defaults = dict(re.findall(r"\$\{([A-Z0-9_]+):-([^}]*)\}", text))
    example = env_example()
    disagree = {
        name: (default, example[name])
        for name, default in defaults.items()
        # The example's password is a placeholder to replace, not a default.
        if name in example and name != "POSTGRES_PASSWORD" and example[name] != default
    }
    assert disagree == {}


def test_dockerfile_and_entrypoint_use_what_the_project_has():
    assert "USER stackfit" in dockerfile()
    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile(), re.MULTILINE)
    entrypoint = ENTRYPOINT.read_text()
    commands = re.findall(r"manage\.py (\w+)", dockerfile() + entrypoint)
    assert {"collectstatic", "wait_for_db", "migrate", "load_initial_data"} <= set(commands)
    for command in commands:
        assert command in get_commands(), command
    assert "portal.wsgi:application" in entrypoint
    assert "granian" in (ROOT / "requirements.txt").read_text()
    steps = ("manage.py wait_for_db", "manage.py migrate", "manage.py load_initial_data", "exec granian")
    order = [entrypoint.index(step) for step in steps]
    assert order == sorted(order)


def test_static_files_are_built_with_whitenoise_hashed_and_compressed_storage():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['staticfiles']['BACKEND'], s.MIDDLEWARE]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(DATABASE_URL="sqlite:////tmp/unused.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    backend, middleware = json.loads(result.stdout)
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in middleware
    assert "DJANGO_SETTINGS_MODULE=portal.settings.production" in dockerfile()


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "db.sqlite3", "staticfiles", "media"} <= ignored


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["compose", "Dockerfile"])
def test_healthcheck_url_answers_without_a_host_header_or_tls(client, settings, compose, source):
    code = healthcheck_code(compose) if source == "compose" else dockerfile_healthcheck_code()
    path = urlsplit(re.search(r"http://127\.0\.0\.1:[^/']*(/\w+)", code).group(0)).path
    settings.ALLOWED_HOSTS = ["stackfit.example"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


# wait_for_db


@pytest.mark.django_db
def test_wait_for_db_returns_at_once_when_the_database_answers(capsys):
    started = time.monotonic()
    call_command("wait_for_db", "--timeout", "5")
    assert "is ready (attempt 1)" in capsys.readouterr().out
    assert time.monotonic() - started < 5


def test_wait_for_db_refuses_a_timeout_that_is_not_positive():
    with pytest.raises(CommandError, match="must be positive"):
        call_command("wait_for_db", "--timeout", "0")


def production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        SECRET_KEY="e2e-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="stackfit.example",
        LOG_FORMAT="text",
        **overrides,
    )
    return env


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    env = production_env(DATABASE_URL="postgres://u:p@localhost/db")
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_wait_for_db_gives_up_with_a_clear_message_when_nothing_listens():
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "wait_for_db", "--timeout", "2", "--interval", "0.5"],
        cwd=ROOT,
        env=production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/x"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started

    assert result.returncode == 1
    assert "Waiting for database x on 127.0.0.1:1 (attempt 1)" in result.stderr
    assert "Database x on 127.0.0.1:1 still unreachable after 2s" in result.stderr
    assert "refused" in result.stderr
    assert 2 <= elapsed < 20


def test_entrypoint_stops_before_migrating_when_the_database_never_answers():
    result = subprocess.run(
        ["sh", str(ENTRYPOINT)],
        cwd=ROOT,
        env=production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/x", DB_WAIT_TIMEOUT="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "still unreachable" in result.stderr
    assert "Applying" not in result.stdout


def test_entrypoint_runs_any_other_command_as_given():
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "python", "-c", "import sys; print(sys.argv[1:])", "a b"],
        cwd=ROOT,
        env=production_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/x"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "['a b']\n"


# The entrypoint for real: migrate, load, serve with granian, probed like compose does.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the kind the tests run on, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        return
    import psycopg

    name = f"stackfit_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/3"
    except OSError:
        return None


def run_probe(code: str, port: int, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def fetch(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_entrypoint_migrates_loads_and_serves_what_the_healthchecks_expect(
    compose, scratch_database_url, tmp_path
):
    port = free_port()
    static_root = tmp_path / "static"
    env = production_env(
        DATABASE_URL=scratch_database_url,
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
        PORT=str(port),
        WEB_WORKERS="2",
        WEB_THREADS="2",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    if url := redis_url():
        env["REDIS_URL"] = url
    build = re.search(r"python manage\.py collectstatic[^\n\\&]*", dockerfile()).group(0)
    subprocess.run(shlex.split(build), cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    assert (static_root / "staticfiles.json").exists()

    log = (tmp_path / "entrypoint.log").open("w")
    server = subprocess.Popen(
        ["sh", str(ENTRYPOINT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 240
        while run_probe(healthcheck_code(compose), port).returncode != 0:
            assert server.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "never became ready"
            time.sleep(0.5)
        assert run_probe(dockerfile_healthcheck_code(), port, PORT=str(port)).returncode == 0

        status, _, body = fetch(f"http://127.0.0.1:{port}/", Host="stackfit.example")
        assert status == 200
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, "hashed static names from the manifest"
        status, headers, _ = fetch(
            f"http://127.0.0.1:{port}{stylesheet.group(1).decode()}",
            Host="stackfit.example",
            **{"Accept-Encoding": "gzip"},
        )
        assert (status, headers["Content-Encoding"]) == (200, "gzip")
        assert "immutable" in headers["Cache-Control"]
        assert fetch(f"http://127.0.0.1:{port}/", Host="evil.example")[0] == 400

        status, _, body = fetch(f"http://127.0.0.1:{port}/api/v1/matrix/", Host="stackfit.example")
        assert status == 200, Path(log.name).read_text()[-3000:]
        assert b'"flask"' in body
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
        log.close()
    output = Path(log.name).read_text()
    assert "Applying portal." in output
    assert "frameworks: 5 created" in output

    again = subprocess.run(
        ["sh", str(ENTRYPOINT), "setup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "No migrations to apply." in again.stdout
    assert "frameworks: 0 created, 5 kept" in again.stdout
