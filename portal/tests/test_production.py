"""Production settings: checks, headers, health probes, outages and logs.

Settings are read once per process, so production behaviour is exercised in
subprocesses with the production module and a real environment.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from comparisons.api.views import MatrixView
from comparisons.views import ScenariosView

ROOT = Path(settings.BASE_DIR)
REDIS_TEST_URL = "redis://127.0.0.1:6379/9"
CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:1/stackfit"


def production_env(tmp_path, **overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "SECURE_", "DB_")) and key not in {"DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="production-test-" + "k3y" * 20,
        ALLOWED_HOSTS="stackfit.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(overrides)
    return env


def run_in_production(tmp_path, script: str, **env) -> subprocess.CompletedProcess:
    code = "import django, json\ndjango.setup()\n" + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, REDIS_URL=REDIS_TEST_URL),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_uses_a_checked_psycopg_pool_and_safe_cookies(tmp_path):
    result = run_in_production(
        tmp_path,
        """
        from django.conf import settings
        db = settings.DATABASES["default"]
        print(json.dumps({
            "debug": settings.DEBUG,
            "pool": db["OPTIONS"]["pool"],
            "max_age": db["CONN_MAX_AGE"],
            "checks": db["CONN_HEALTH_CHECKS"],
            "cache": settings.CACHES["default"]["BACKEND"],
            "session": settings.SESSION_ENGINE,
            "cookies": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                        settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_HTTPONLY],
        }))
        """,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/stackfit",
        REDIS_URL=REDIS_TEST_URL,
        DB_POOL_MAX_SIZE="6",
    )
    assert result.returncode == 0, result.stderr
    config = last_json(result.stdout)
    assert config["debug"] is False
    assert config["pool"]["max_size"] == 6
    assert (config["max_age"], config["checks"]) == (0, True)
    assert config["cache"] == "django_redis.cache.RedisCache"
    assert config["session"] == "django.contrib.sessions.backends.cached_db"
    assert config["cookies"] == [True, True, True, True]


PROBE = """
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for path in ("/healthz", "/readyz"):
    response = client.get(path, HTTP_HOST="10.1.2.3:8000", HTTP_X_REQUEST_ID="probe-42")
    out[path] = {"status": response.status_code, "body": json.loads(response.content)}
print(json.dumps(out))
"""


def test_probes_answer_any_host_over_plain_http(tmp_path):
    result = run_in_production(tmp_path, PROBE, SECURE_SSL_REDIRECT="1")
    assert result.returncode == 0, result.stderr
    out = last_json(result.stdout)
    assert out["/healthz"] == {"status": 200, "body": {"status": "ok"}}
    assert out["/readyz"]["status"] == 200
    assert out["/readyz"]["body"]["checks"] == {"database": "ok", "cache": "ok"}


def test_readyz_names_redis_when_it_is_down_and_logs_json_with_the_request_id(tmp_path):
    result = run_in_production(tmp_path, PROBE, REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 0, result.stderr
    out = last_json(result.stdout)
    assert out["/healthz"]["status"] == 200
    assert out["/readyz"]["status"] == 503
    assert out["/readyz"]["body"]["down"] == ["cache"]
    assert out["/readyz"]["body"]["checks"]["database"] == "ok"
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    warning = next(r for r in records if r["message"].startswith("readiness check failed"))
    assert warning["level"] == "WARNING"
    assert warning["request_id"] == "probe-42"
    assert "cache" in warning["message"]


def test_readyz_names_the_database_when_it_is_down_and_pages_answer_503(tmp_path):
    page_probe = """
    page = client.get("/", HTTP_HOST="stackfit.example")
    out["page"] = [page.status_code, page.get("Retry-After")]
    print(json.dumps(out))
    """
    result = run_in_production(
        tmp_path,
        PROBE + textwrap.dedent(page_probe),
        DATABASE_URL=CLOSED_PORT_DATABASE,
        REDIS_URL=REDIS_TEST_URL,
        SECURE_SSL_REDIRECT="0",
        DB_POOL_TIMEOUT="1",
    )
    assert result.returncode == 0, result.stderr
    out = last_json(result.stdout)
    assert out["/healthz"]["status"] == 200
    assert out["/readyz"]["status"] == 503
    assert out["/readyz"]["body"]["down"] == ["database"]
    assert out["/readyz"]["body"]["checks"]["cache"] == "ok"
    assert out["page"] == [503, "5"]


def test_security_headers_on_public_pages(tmp_path):
    script = """
    from django.test import Client
    client = Client()
    secure = client.get("/robots.txt", HTTP_HOST="stackfit.example", secure=True)
    plain = client.get("/robots.txt", HTTP_HOST="stackfit.example")
    print(json.dumps({"headers": dict(secure.headers), "plain": [plain.status_code, plain.get("Location")]}))
    """
    result = run_in_production(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = last_json(result.stdout)
    headers = out["headers"]
    assert out["plain"] == [301, "https://stackfit.example/robots.txt"]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "X-Request-ID" in headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_ssl_redirect_can_be_left_to_a_tls_proxy(tmp_path):
    script = """
    from django.test import Client
    response = Client().get("/robots.txt", HTTP_HOST="stackfit.example", HTTP_X_FORWARDED_PROTO="https")
    print(json.dumps([response.status_code, response.get("Strict-Transport-Security")]))
    """
    result = run_in_production(tmp_path, script, BEHIND_TLS_PROXY="1")
    assert result.returncode == 0, result.stderr
    status, hsts = last_json(result.stdout)
    assert status == 200
    assert hsts


# In-process checks with the test settings (same middleware and handlers).


@pytest.mark.django_db
def test_public_pages_carry_a_strict_csp_and_the_admin_a_looser_one(client, editor, seeded):
    public = client.get("/compare/")["Content-Security-Policy"]
    # django-csp orders directives by a set's iteration order, so read them, not their places.
    directives = {part.split()[0]: part.split()[1:] for part in public.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "unsafe-inline" not in public
    assert "frame-ancestors 'none'" in public

    client.force_login(editor)
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "'unsafe-inline'" in admin["Content-Security-Policy"]
    assert admin["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_wagtail_preview_may_be_framed_by_the_admin_only(client, editor, seeded):
    from portal.models import GuidePage

    client.force_login(editor)
    page = GuidePage.objects.get(slug="django")
    response = client.get(f"/admin/pages/{page.pk}/edit/preview/")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_crash_shows_the_error_page_without_a_traceback(client, seeded, monkeypatch):
    def explode(self, **kwargs):
        raise ValueError("secret internals")

    monkeypatch.setattr(ScenariosView, "get_context_data", explode)
    client.raise_request_exception = False

    response = client.get("/scenarios/")

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internals" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_a_database_outage_is_a_503_with_retry_after(client, seeded, monkeypatch):
    def unavailable(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ScenariosView, "get_context_data", unavailable)
    monkeypatch.setattr(MatrixView, "get", unavailable)
    client.raise_request_exception = False

    page = client.get("/scenarios/")
    api = client.get("/api/v1/matrix/")

    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Back in a moment" in page.content.decode()
    assert api.status_code == 503
    assert api.json()["detail"].startswith("The database is unavailable")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/recommendations/", "application/json"),
        ("/api/v1/decisions/", "application/json"),
        ("/chooser/", "application/x-www-form-urlencoded"),
    ],
)
def test_oversized_bodies_are_refused_with_413(client, path, content_type):
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.generic("POST", path, body, content_type=content_type)

    assert response.status_code == 413


@pytest.mark.django_db
def test_request_ids_are_echoed_or_made_up(client):
    assert client.get("/robots.txt", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    made_up = client.get("/robots.txt", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert made_up != "<script>" and len(made_up) == 32


REDIS_CACHE = {
    alias: {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_TEST_URL,
        "KEY_PREFIX": f"stackfit-test-{alias}",
    }
    for alias in ("default", "counters")
}


@pytest.fixture
def shared_redis():
    server = redis.Redis.from_url(REDIS_TEST_URL)
    server.flushdb()
    yield server
    server.flushdb()


@pytest.mark.django_db
@override_settings(CACHES=REDIS_CACHE)
def test_api_throttles_and_sign_in_limits_count_in_redis(client, seeded, shared_redis):
    client.post("/api/v1/recommendations/", {"answers": {}}, content_type="application/json")
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-password-1"})

    keys = [key.decode() for key in shared_redis.keys("*")]
    assert any("throttle_anon" in key for key in keys), keys
    assert any("allauth" in key and "login_failed" in key for key in keys), keys


@pytest.mark.django_db
@override_settings(CACHES=REDIS_CACHE)
def test_a_second_worker_sees_the_same_throttle_count(seeded, shared_redis):
    # Two clients stand for two processes: they share nothing but Redis.
    first, second = Client(), Client()
    first.post("/api/v1/recommendations/", {}, content_type="application/json")
    key = next(key for key in shared_redis.keys("*throttle_anon*"))
    before = shared_redis.get(key)

    second.post("/api/v1/recommendations/", {}, content_type="application/json")

    assert shared_redis.get(key) != before
