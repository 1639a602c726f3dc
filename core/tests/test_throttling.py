"""The API throttles: an atomic Redis counter where the counters cache is Redis, DRF's own elsewhere."""

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core import throttling

pytestmark = pytest.mark.django_db

REDIS_DB = "redis://127.0.0.1:6379/14"
REDIS_CACHES = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_DB, "KEY_PREFIX": "t"},
    "counters": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_DB, "KEY_PREFIX": "t"},
}
RECOMMEND = "/api/v1/recommendations/"


@pytest.fixture
def server():
    server = redis.Redis.from_url(REDIS_DB)
    server.flushdb()
    yield server
    server.flushdb()


@pytest.fixture
def rate(monkeypatch):
    def set_rate(anon="3/minute", user="5/minute"):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": anon, "user": user})

    set_rate()
    return set_rate


def post(client, **extra):
    return client.post(RECOMMEND, {"answers": {"project": "ml"}}, format="json", **extra)


@override_settings(CACHES=REDIS_CACHES)
def test_redis_counter_allows_the_rate_then_answers_429_with_retry_after(seeded, server, rate):
    api = APIClient()
    codes = [post(api).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    refused = post(api)
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 55 <= retry_after <= 60
    (key,) = server.keys("*throttle_anon_*")
    assert int(server.get(key)) == 5
    assert 0 < server.ttl(key) <= 60
    assert abs(server.ttl(key) - retry_after) <= 1


@override_settings(CACHES=REDIS_CACHES)
def test_retry_after_is_the_time_left_in_the_window(seeded, server, rate):
    api = APIClient()
    for _ in range(3):
        post(api)
    (key,) = server.keys("*throttle_anon_*")
    server.expire(key, 17)  # as if 43 seconds of the minute had passed

    assert int(post(api)["Retry-After"]) == 17


@override_settings(CACHES=REDIS_CACHES)
def test_a_window_expires_and_the_client_may_call_again(seeded, server, rate):
    rate(anon="2/second")
    api = APIClient()
    assert [post(api).status_code for _ in range(3)] == [200, 200, 429]
    (key,) = server.keys("*throttle_anon_*")
    server.pexpire(key, 1)  # the second is over
    while server.exists(key):
        pass

    assert post(api).status_code == 200
    assert int(server.get(key)) == 1


@override_settings(CACHES=REDIS_CACHES)
def test_clients_are_counted_apart(seeded, server, rate):
    rate(anon="1/minute")
    api = APIClient()

    assert post(api, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert post(api, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert post(api, REMOTE_ADDR="10.0.0.2").status_code == 200


@override_settings(CACHES=REDIS_CACHES)
def test_signed_in_callers_get_the_user_rate_on_redis(seeded, server, rate, user):
    rate(anon="1/minute", user="2/minute")
    api = APIClient()
    api.force_authenticate(user)
    codes = [api.get("/api/v1/decisions/").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert server.keys(f"*throttle_user_{user.pk}*")
    assert not server.keys("*throttle_anon_*")


@override_settings(CACHES=REDIS_CACHES)
def test_drfs_history_under_the_same_name_is_left_alone(seeded, server, rate):
    # What a worker of the previous release writes during a rolling deploy.
    caches["counters"].set("throttle_anon_127.0.0.1", [1.0, 2.0], 60)
    api = APIClient()

    assert [post(api).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert caches["counters"].get("throttle_anon_127.0.0.1") == [1.0, 2.0]


@override_settings(CACHES=REDIS_CACHES)
def test_a_redis_outage_lets_requests_through(seeded, server, rate, monkeypatch):
    def broken(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.commands.core.Script, "__call__", broken)
    api = APIClient()

    assert [post(api).status_code for _ in range(5)] == [200] * 5


LOCMEM_CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "counters")
}


@override_settings(CACHES=LOCMEM_CACHES)
def test_locmem_falls_back_to_drfs_sliding_window(seeded, rate):
    assert throttling.counters_cache() is caches["counters"]
    api = APIClient()

    codes = [post(api).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]
    assert int(post(api)["Retry-After"]) > 0
    history = caches["counters"].get("throttle_anon_127.0.0.1")
    assert isinstance(history, list) and len(history) == 3
