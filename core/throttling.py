"""Throttle and rate-limit counters, kept in their own cache alias.

The page cache and cached API reads grow with traffic; in one Redis with an
LRU policy a flood of new entries would evict the counters and with them the
limits. So DRF's throttles and allauth's rate limits count in CACHES["counters"]
(a Redis that never evicts, in production), or in the default cache where no
such alias is configured.
"""

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework import throttling

COUNTERS_ALIAS = "counters"


def counters_cache():
    """The cache that holds throttle and rate-limit counters."""
    return caches[COUNTERS_ALIAS if COUNTERS_ALIAS in settings.CACHES else DEFAULT_CACHE_ALIAS]


class CountersCacheProxy:
    """Stands for counters_cache() where a library reads a module-level cache object."""

    def __getattr__(self, name):
        return getattr(counters_cache(), name)


class _CountersCacheMixin:
    # DRF reads `self.cache`; a property follows settings overridden in tests.
    @property
    def cache(self):
        return counters_cache()


class AnonRateThrottle(_CountersCacheMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_CountersCacheMixin, throttling.UserRateThrottle):
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
