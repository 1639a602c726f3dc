import pytest
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import APIToken

from decisions.tests.factories import UserFactory, make_decision


@pytest.fixture
def relaxed_throttles(monkeypatch):
    """Rates high enough for a fuzzing run, read where DRF's throttles read them.

    SimpleRateThrottle copies DEFAULT_THROTTLE_RATES into a class attribute at import, so an
    override_settings would not reach it; the throttles still run (and count) on every request.
    """
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"}
    )


@pytest.fixture
def decider(seeded):
    """A reader with a personal API token and a few saved decisions."""
    owner = UserFactory(username="fuzzer")
    make_decision(owner, title="Billing service")
    make_decision(owner, title="Docs site", answers={"project": ["content"], "needs": ["admin", "orm"]})
    make_decision(owner, title="Inference API", answers={"project": ["ml"], "io": ["heavy"]}, notes="Async")
    _token, key = APIToken.create_token(user=owner, name="fuzzing")
    return owner, key
