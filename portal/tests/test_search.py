"""The search view covers Wagtail pages plus whatever apps register in core.search."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from wagtail.search.backends import get_search_backend

from comparisons.models import Aspect, Framework, Scenario
from core import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(monkeypatch):
    """The registry as the apps filled it, restored after the test."""
    monkeypatch.setattr(search, "_sources", dict(search._sources))
    return search


def test_comparisons_registers_frameworks_then_scenarios():
    assert [source.name for source in search.search_sources()][:2] == ["frameworks", "scenarios"]


def test_sections_follow_the_registration_order_after_the_pages(client, seeded):
    response = client.get(reverse("search"), {"q": "async"})
    html = response.content.decode()

    assert response.context["pages"].paginator.count
    assert response.context["frameworks"] and response.context["scenarios"]
    assert html.index('id="results-pages"') < html.index('id="results-frameworks"')
    assert html.index('id="results-frameworks"') < html.index('id="results-scenarios"')
    assert html.index('id="results-scenarios"') < html.index('id="results-companions"')
    assert response.context["result_count"] == (
        response.context["pages"].paginator.count
        + len(response.context["frameworks"])
        + len(response.context["scenarios"])
        + len(response.context["companions"])
    )


def test_each_section_keeps_the_backends_ranking(client, seeded):
    backend = get_search_backend()

    context = client.get(reverse("search"), {"q": "async"}).context

    assert context["frameworks"] == list(backend.search("async", Framework)[:10])
    assert context["scenarios"] == list(backend.search("async", Scenario.objects.with_framework())[:10])


def test_an_empty_section_is_not_shown(client, seeded):
    response = client.get(reverse("search"), {"q": "microservice"})

    assert response.context["frameworks"] == []
    assert 'id="results-frameworks"' not in response.content.decode()


def test_a_newly_registered_model_gets_its_own_section(client, seeded, sources, settings, tmp_path):
    (tmp_path / "aspect_result.html").write_text('<h3 class="result__title">{{ result.name }} (aspect)</h3>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    sources.register_search_source(
        "aspects",
        heading="Aspects",
        queryset=Aspect.objects.all(),
        result_template="aspect_result.html",
        limit=2,
    )
    aspect = Aspect.objects.order_by("pk").first()
    word = aspect.name.split()[0]

    response = client.get(reverse("search"), {"q": word})
    html = response.content.decode()

    assert 0 < len(response.context["aspects"]) <= 2
    assert '<h2 id="results-aspects">Aspects</h2>' in html
    assert f"{escape(response.context['aspects'][0].name)} (aspect)" in html
    assert html.rindex('id="results-') == html.index('id="results-aspects"')
