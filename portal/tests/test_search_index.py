"""The search index follows the content: PostgreSQL full text in production, kept up to date."""

import pytest
from django.db import connection
from wagtail.search.backends import get_search_backend

from comparisons.models import Framework, Scenario
from comparisons.tests.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def found(client, query) -> str:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_backend_is_postgres_full_text_on_postgresql_and_the_database_one_elsewhere():
    backend = type(get_search_backend())
    # Wagtail 8 re-exports the backends of its `modelsearch` package.
    assert ".backends.database" in backend.__module__
    if connection.vendor == "postgresql":
        assert backend.__name__ == "PostgresSearchBackend"
    else:
        assert "postgres" not in backend.__module__


def test_an_edited_framework_is_found_by_its_new_words(client, seeded):
    flask = Framework.objects.get(slug="flask")
    assert 'id="results-frameworks"' not in found(client, "Quokkaware")

    flask.summary = "Quokkaware: a tiny core you extend yourself."
    flask.save()

    page = found(client, "Quokkaware")
    assert 'id="results-frameworks"' in page
    assert "a tiny core you extend yourself" in page


def test_a_new_scenario_is_found_and_a_deleted_one_is_not(client, seeded):
    scenario = ScenarioFactory(
        situation="Telemetry ingestion for zeppelins",
        framework=Framework.objects.get(slug="fastapi"),
        rationale="Streams of small JSON bodies.",
    )
    assert "Telemetry ingestion for zeppelins" in found(client, "zeppelins")

    scenario.delete()

    assert "Telemetry ingestion for zeppelins" not in found(client, "zeppelins")


def test_backend_search_ranks_frameworks_and_scenarios_from_the_index(seeded):
    backend = get_search_backend()

    frameworks = [f.slug for f in backend.search("admin", Framework)]
    scenarios = list(backend.search("prototype", Scenario))

    assert "django" in frameworks
    assert scenarios
