import json
import re

import pytest
from django.urls import reverse

from comparisons.models import Scenario
from portal.models import GuidePage

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/guide/",
    "/guide/flask/",
    "/guide/performance/",
    "/faq/",
    "/compare/",
    "/scenarios/",
]


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_description_and_open_graph_tags(client, seeded, url):
    html = html_of(client, url)
    assert re.search(r'<meta name="description" content="[^"]{20,}"', html), url
    assert 'property="og:title"' in html
    assert 'property="og:description"' in html
    assert '<link rel="canonical"' in html
    assert html.count("<h1") == 1


def test_home_shows_overview_matrix_and_cheat_sheet(client, seeded):
    html = html_of(client, "/")
    assert "Micro-framework" in html
    assert "Excellent (async)" in html
    for scenario in Scenario.objects.cheat_sheet():
        assert scenario.situation in html
    assert 'href="/guide/"' in html
    assert 'href="/compare/"' in html


def test_guide_index_lists_every_guide_page(client, seeded):
    html = html_of(client, "/guide/")
    for page in GuidePage.objects.live():
        assert page.url in html


def test_guide_page_has_toc_body_and_matrix_rows(client, seeded):
    page = GuidePage.objects.get(slug="flask")
    html = html_of(client, page.url)
    for item in page.table_of_contents:
        assert f'href="#{item["anchor"]}"' in html
        assert f'id="{item["anchor"]}"' in html
    for aspect in page.related_aspects.all():
        assert f"/compare/#{aspect.anchor}" in html


def test_faq_questions_are_deep_linkable_with_json_ld(client, seeded):
    html = html_of(client, "/faq/")
    assert 'id="is-flask-still-relevant-in-2026"' in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "FAQPage"
    assert len(data["mainEntity"]) == 6
    assert data["mainEntity"][0]["acceptedAnswer"]["text"]


def test_search_finds_pages_frameworks_and_scenarios(client, seeded):
    response = client.get(reverse("search"), {"q": "async"})
    assert response.status_code == 200
    assert response.context["pages"].paginator.count > 0
    assert any(p.slug == "async-support" for p in response.context["pages"])
    scenarios = client.get(reverse("search"), {"q": "microservice"}).context["scenarios"]
    assert any(s.slug == "async-microservice" for s in scenarios)
    frameworks = client.get(reverse("search"), {"q": "FastAPI"}).context["frameworks"]
    assert [f.slug for f in frameworks][:1] == ["fastapi"]


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000, "'; DROP TABLE", "<b>", "\x00"])
def test_search_never_fails_on_odd_queries(client, seeded, query):
    assert client.get(reverse("search"), {"q": query}).status_code == 200


def test_sitemap_lists_pages_and_matrix_views(client, seeded):
    xml = client.get("/sitemap.xml").content.decode()
    for path in ["/guide/flask/", "/faq/", "/compare/", "/scenarios/"]:
        assert path in xml


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def test_unknown_page_is_a_styled_404(client, seeded):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/compare/"' in html


def test_faq_json_ld_cannot_be_broken_out_of(client, seeded):
    from portal.models import FAQPage

    faq = FAQPage.objects.get()
    faq.body[0].value["question"] = "</script><script>alert(1)</script>"
    faq.save_revision().publish()
    html = html_of(client, "/faq/")
    assert "<script>alert(1)</script>" not in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["mainEntity"][0]["name"] == "</script><script>alert(1)</script>"
