"""Every page and the API work with a dozen frameworks, at the query cost of five."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from comparisons.models import Framework, Scenario
from comparisons.snapshot import forget_snapshot
from comparisons.tests.factories import grow_matrix
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db

ANSWERS = {"project": ["microservice"], "needs": ["admin"]}
PUBLIC_PAGES = [
    "/",
    "/compare/",
    "/scenarios/",
    "/chooser/?project=microservice&needs=admin",
    "/frameworks.css",
    "/search/?q=framework",
]
API_READS = ["/api/v1/matrix/", "/api/v1/frameworks/", "/api/v1/scenarios/", "/api/v1/companions/"]


def grow_to(count: int) -> None:
    """At least `count` frameworks, each rated everywhere, every scenario naming two alternatives."""
    grow_matrix(frameworks=count, aspects=0)
    frameworks = list(Framework.objects.all())
    for scenario in Scenario.objects.all():
        others = [f for f in frameworks if f.pk != scenario.framework_id]
        scenario.alternatives.set(others[-2:])
        scenario.save()
    forget_snapshot()


def queries(client, method, url, **kwargs) -> tuple[int, object]:
    getattr(client, method)(url, **kwargs)  # warm per-process caches (site root, content types)
    cache.clear()  # measure the render, not the page or API cache
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response


def visit_everything(client, api, user) -> tuple[dict[str, int], dict[str, str]]:
    """Query count and body of every page and API read a reader or integrator uses."""
    counts, bodies = {}, {}
    decision = make_decision(user, answers=ANSWERS)
    client.force_login(user)
    pages = {url: url for url in [*PUBLIC_PAGES, "/decisions/"]}
    pages["decision"] = f"/decisions/{decision.pk}/"
    pages["MADR export"] = f"/decisions/{decision.pk}/export.md"
    for name, url in pages.items():
        counts[name], response = queries(client, "get", url)
        bodies[name] = response.content.decode()
    for url in API_READS:
        counts[url], response = queries(api, "get", url)
        bodies[url] = response.content.decode()
    url = "/api/v1/recommendations/"
    counts[url], response = queries(api, "post", url, data={"answers": ANSWERS}, format="json")
    bodies[url] = response.content.decode()
    return counts, bodies


def test_twelve_frameworks_render_everywhere_at_the_query_cost_of_five(client, seeded, user):
    api = APIClient()
    grow_to(5)
    five, _ = visit_everything(client, api, user)

    grow_to(12)
    twelve, bodies = visit_everything(client, api, user)

    frameworks = list(Framework.objects.all())
    assert len(frameworks) == 12
    for framework in frameworks:
        assert framework.name in bodies["/"]
        assert framework.name in bodies["/compare/"]
        assert f".fw-{framework.slug}{{--fw-colour:{framework.colour};" in bodies["/frameworks.css"]
        assert f'"{framework.slug}"' in bodies["/api/v1/matrix/"]
        assert f'"framework":"{framework.slug}"' in bodies["/api/v1/recommendations/"]
    assert "also a fit:" in bodies["/scenarios/"]
    assert twelve == five, {url: (five[url], twelve[url]) for url in five if five[url] != twelve[url]}
