"""A page's query count must not grow with the content it shows."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from comparisons.tests.factories import grow_matrix
from portal.models import GuidePage

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    client.get(url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# With the page cache on, the second request would be a one-query hit and the
# budget would measure nothing but the cache.
@override_settings(PAGE_CACHE_SECONDS=0)
@pytest.mark.parametrize("url", ["/", "/compare/", "/scenarios/", "/guide/flask/", "/guide/"])
def test_queries_do_not_grow_with_the_matrix(client, seeded, url):
    small = count_queries(client, url)
    assert small > 1, f"{url} was not rendered"
    page = GuidePage.objects.get(slug="flask")
    grow_matrix(frameworks=30, aspects=40)
    page.related_aspects.set(page.related_aspects.model.objects.all())
    page.save_revision().publish()

    large = count_queries(client, url)

    assert large == small, f"{url}: {small} queries with 3 frameworks, {large} with 30"
