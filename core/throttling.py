"""Throttle and rate-limit counters, kept in their own cache alias.

The page cache and cached API reads grow with traffic; in one Redis with an
LRU policy a flood of new entries would evict the counters and with them the
limits. So DRF's throttles and allauth's rate limits count in CACHES["counters"]
(a Redis that never evicts, in production), or in the default cache where no
such alias is configured.

On Redis, a throttle is one atomic counter per client and window (a Lua script:
INCR, EXPIRE on the first hit, TTL), and the same call brings back the content
version (core.content_version), so a throttled API request costs one Redis round
trip and no pickling. The window is fixed: at most `num_requests` per `duration`
seconds counted from a client's first request in it, and Retry-After is the time
left in that window. Other caches (locmem in development and most tests) keep
DRF's own sliding-window throttle.
"""

import logging
import weakref

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework import throttling

from core import content_version

logger = logging.getLogger(__name__)

COUNTERS_ALIAS = "counters"

# KEYS[1] the counter, KEYS[2] the mirrored content version; ARGV[1] the window in seconds.
COUNT_AND_READ_VERSION = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if count == 1 or ttl < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl, redis.call('GET', KEYS[2])}
"""

_scripts: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def counters_cache():
    """The cache that holds throttle and rate-limit counters."""
    return caches[COUNTERS_ALIAS if COUNTERS_ALIAS in settings.CACHES else DEFAULT_CACHE_ALIAS]


class CountersCacheProxy:
    """Stands for counters_cache() where a library reads a module-level cache object."""

    def __getattr__(self, name):
        return getattr(counters_cache(), name)


def _script(client):
    script = _scripts.get(client)
    if script is None:
        # register_script sends EVALSHA and loads the script again after a Redis restart.
        script = _scripts[client] = client.register_script(COUNT_AND_READ_VERSION)
    return script


class _CountersThrottleMixin:
    # DRF reads `self.cache`; a property follows settings overridden in tests.
    @property
    def cache(self):
        return counters_cache()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        client = content_version.counters_redis()
        if client is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        # A key of its own: DRF's throttle keeps a pickled list under self.key, and during a
        # rolling deploy either kind of worker would choke on the other's value.
        counter_key = str(self.cache.make_key(self.key + ":count"))
        try:
            count, ttl, version = _script(client)(
                keys=[counter_key, content_version.mirror_key()], args=[self.duration]
            )
        except Exception:  # noqa: BLE001 - like django-redis's IGNORE_EXCEPTIONS: fail open
            logger.warning("throttle: Redis unavailable, not counting", exc_info=True)
            return True
        content_version.remember_for_request(version)
        self.retry_after = max(int(ttl), 1)
        return count <= self.num_requests

    def wait(self):
        retry_after = getattr(self, "retry_after", None)
        return retry_after if retry_after is not None else super().wait()


class AnonRateThrottle(_CountersThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_CountersThrottleMixin, throttling.UserRateThrottle):
    pass


def count_allauth_rate_limits_in_counters() -> None:
    """Points allauth's rate limits, and its record of used TOTP codes, at the counters cache.

    An evicted TOTP record would let a code be replayed. allauth (65.x) has no
    setting for either: both modules read django.core.cache.cache, so that
    module attribute is replaced.
    """
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp

    ratelimit.cache = CountersCacheProxy()
    totp.cache = CountersCacheProxy()
