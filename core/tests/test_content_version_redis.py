"""The content version mirrored in Redis: no query per request, and an edit still seen at once."""

import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from comparisons.models import Rating
from core import content_version as cv
from core.models import ContentVersion

pytestmark = pytest.mark.django_db

REDIS_DB = "redis://127.0.0.1:6379/14"
REDIS_CACHES = {
    alias: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_DB, "KEY_PREFIX": "stackfit"}
    for alias in ("default", "counters")
}
RECOMMEND = "/api/v1/recommendations/"
BODY = {"answers": {"project": "ml", "needs": ["api_docs"]}}


@pytest.fixture
def server():
    server = redis.Redis.from_url(REDIS_DB)
    server.flushdb()
    yield server
    server.flushdb()


def database_token() -> int:
    return ContentVersion.objects.get(key=cv.VERSION_KEY).token


def read_in_another_process() -> str:
    """content_version() in a fresh interpreter on the same Redis, with no usable database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        REDIS_URL=REDIS_DB,
        DATABASE_URL="sqlite:////nonexistent/dir/db.sqlite3",
    )
    code = "import django; django.setup(); from core.content_version import content_version as v; print(v())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@override_settings(CACHES=REDIS_CACHES)
def test_a_committed_bump_is_read_from_redis_by_another_process(
    seeded, server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cv.bump_content_version()
    token = database_token()

    assert int(server.get(cv.mirror_key())) == token
    assert 0 < server.ttl(cv.mirror_key()) <= cv.MIRROR_SECONDS
    # The other process cannot reach any database: the token comes from Redis.
    assert read_in_another_process() == str(token)

    with django_capture_on_commit_callbacks(execute=True):
        cv.bump_content_version()
    assert database_token() != token
    assert read_in_another_process() == str(database_token())


@override_settings(CACHES=REDIS_CACHES)
def test_a_miss_reads_the_database_once_and_fills_redis(seeded, server, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = cv.content_version()
    with django_assert_num_queries(0):
        second = cv.content_version()

    assert first == second == database_token()
    assert int(server.get(cv.mirror_key())) == first


@override_settings(CACHES=REDIS_CACHES)
def test_a_bump_not_yet_committed_is_seen_by_its_own_connection(seeded, server):
    before = cv.content_version()
    cv.bump_content_version()  # inside the test's transaction: on_commit has not run

    assert int(server.get(cv.mirror_key())) == before
    assert cv.content_version() == database_token() != before


@override_settings(CACHES=REDIS_CACHES)
def test_recommendations_cost_no_query_and_show_an_edit_on_the_next_request(
    seeded, server, django_assert_num_queries, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.post(RECOMMEND, BODY, format="json")
    with django_assert_num_queries(0):
        before = api.post(RECOMMEND, BODY, format="json").json()

    rating = Rating.objects.get(framework__slug="fastapi", aspect__slug="performance")
    rating.label = "Edited a moment ago"
    with django_capture_on_commit_callbacks(execute=True):
        rating.save()
    # A worker that served the old content keeps its snapshot; the token tells it to rebuild.
    cv.forget_for_request()
    after = api.post(RECOMMEND, BODY, format="json").json()

    assert after["fingerprint"] != before["fingerprint"]
    with django_assert_num_queries(0):
        assert api.post(RECOMMEND, BODY, format="json").json()["fingerprint"] == after["fingerprint"]


@override_settings(CACHES=REDIS_CACHES)
@pytest.mark.parametrize("url", ["/", "/compare/", "/scenarios/", "/faq/"])
def test_a_cached_anonymous_page_costs_no_query(client, seeded, server, url, django_assert_num_queries):
    assert client.get(url)["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        hit = client.get(url)

    assert hit["X-Page-Cache"] == "hit"


@override_settings(CACHES=REDIS_CACHES)
def test_a_redis_outage_reads_the_database(seeded, server, monkeypatch, django_assert_num_queries):
    def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.Redis, "get", broken)
    with django_assert_num_queries(1):
        version = cv.content_version()
    assert version == database_token()


@override_settings(
    CACHES={
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "counters")
    }
)
def test_without_redis_the_version_is_one_query(seeded, django_assert_num_queries):
    assert cv.counters_redis() is None
    with django_assert_num_queries(1):
        version = cv.content_version()
    assert version == database_token()
