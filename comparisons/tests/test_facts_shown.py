"""Release facts where decisions are made: the engine's snapshot, pages, cards and the API."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from comparisons.engine import snapshot_from_dict, snapshot_to_dict
from comparisons.models import Framework, FrameworkFacts, ReleaseLine, supported_until
from comparisons.snapshot import build_snapshot
from comparisons.tests.factories import (
    AdvisoryFactory,
    FrameworkFactory,
    FrameworkFactsFactory,
    ReleaseLineFactory,
    grow_matrix,
)
from core.content_version import bump_content_version

pytestmark = pytest.mark.django_db

FACTS_KEYS = {
    "package",
    "latest_version",
    "latest_release_date",
    "first_release_date",
    "requires_python",
    "python_versions",
    "license",
    "release_lines",
    "advisories",
    "fetched_at",
}


def line(version, lts=False, end=None):
    return SimpleNamespace(version=version, lts=lts, end_of_support=end)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # The newest LTS line with a date wins over newer non-LTS lines and older LTS lines.
        (
            [
                line("6.1"),
                line("6.0", end="2027-04-30"),
                line("5.2", True, "2028-04-30"),
                line("4.2", True, "2026-04-30"),
            ],
            "2028-04-30",
        ),
        # An LTS line without a date does not count; the newest dated LTS line does.
        ([line("6.2", True), line("5.2", True, "2028-04-30")], "2028-04-30"),
        # No LTS line with a date: the newest dated line.
        ([line("10.0", end="2027-01-31"), line("9.0", end="2026-06-30")], "2027-01-31"),
        ([line("2.x", True)], None),
        ([], None),
    ],
)
def test_supported_until_is_the_newest_lts_line_with_a_date(lines, expected):
    assert supported_until(lines) == expected


def test_the_snapshot_carries_each_frameworks_facts(seeded):
    frameworks = {f.slug: f for f in build_snapshot().frameworks}
    django = frameworks["django"].facts
    assert django.package == "django"
    assert django.latest_version == FrameworkFacts.objects.get(framework__slug="django").latest_version
    assert django.supported_until == "2028-04-30"
    assert "3.12" in django.python_versions
    assert [(line.version, line.lts) for line in django.release_lines] == [
        (line.version, line.lts) for line in ReleaseLine.objects.filter(framework__slug="django")
    ]
    assert frameworks["flask"].facts.supported_until == ""
    assert frameworks["flask"].facts.requires_python.startswith(">=")


def test_a_framework_without_facts_or_release_lines_has_none(seeded):
    FrameworkFactory(slug="bare")
    assert next(f for f in build_snapshot().frameworks if f.slug == "bare").facts is None


def test_the_snapshot_dict_round_trips_with_facts(seeded):
    snapshot = build_snapshot()
    assert snapshot_from_dict(snapshot_to_dict(snapshot)) == snapshot


def test_a_refresh_that_changes_nothing_keeps_the_fingerprint_and_a_new_version_changes_it(seeded):
    before = build_snapshot().fingerprint
    FrameworkFacts.objects.update(fetched_at=timezone.now() + datetime.timedelta(hours=1))
    assert build_snapshot().fingerprint == before
    FrameworkFacts.objects.filter(framework__slug="django").update(latest_version="99.0")
    assert build_snapshot().fingerprint != before


def test_building_the_snapshot_costs_the_same_queries_with_more_facts(seeded):
    build_snapshot()  # warm per-process caches (the site root for guide URLs)
    with CaptureQueriesContext(connection) as small:
        build_snapshot()
    grow_matrix(frameworks=12, aspects=0)
    with CaptureQueriesContext(connection) as large:
        build_snapshot()
    assert len(large) == len(small)


# ---------------------------------------------------------------- pages


@override_settings(PAGE_CACHE_SECONDS=0)
def test_compare_has_a_facts_group(client, seeded):
    django = FrameworkFacts.objects.get(framework__slug="django")
    html = client.get(reverse("comparisons:compare")).content.decode()
    group = html[html.index('id="facts-title"') :]
    assert django.latest_version in group
    assert "30 Apr 2028" in group
    assert 'href="https://www.djangoproject.com/download/#supported-versions"' in group
    assert "tag--stale" not in group.split("</section>")[0]


@override_settings(PAGE_CACHE_SECONDS=0)
def test_facts_older_than_a_week_are_marked_stale(client, seeded):
    FrameworkFacts.objects.filter(framework__slug="django").update(
        fetched_at=timezone.now() - datetime.timedelta(days=8)
    )
    group = client.get(reverse("comparisons:compare")).content.decode().split('id="facts-title"')[1]
    assert group.count('<span class="tag tag--stale">stale</span>') == 1
    page = client.get("/guide/django/").content.decode()
    assert '<span class="tag tag--stale">stale</span>' in page


@override_settings(PAGE_CACHE_SECONDS=0)
def test_an_open_advisory_is_listed_with_its_link(client, seeded):
    facts = FrameworkFacts.objects.get(framework__slug="django")
    AdvisoryFactory(facts=facts, advisory_id="PYSEC-2099-77", fixed_in=["6.1.9"])
    compare = client.get(reverse("comparisons:compare")).content.decode()
    assert 'href="https://osv.dev/vulnerability/PYSEC-2099-77"' in compare
    assert "fixed in 6.1.9" in compare
    assert "PYSEC-2099-77" in client.get("/guide/django/").content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_framework_page_and_cards_show_version_python_and_support(client, seeded):
    facts = FrameworkFacts.objects.get(framework__slug="django")
    page = client.get("/guide/django/").content.decode()
    assert f"{facts.latest_version} <span" in page
    assert "3.12, 3.13, 3.14" in page
    assert facts.license in page
    assert "30 Apr 2028" in page
    cards = client.get("/guide/").content.decode()
    assert (
        cards.count('class="facts facts--compact"')
        == Framework.objects.filter(guide_page__isnull=False).count()
    )
    assert "30 Apr 2028" in cards


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_drafts_facts_reach_no_reader(client, seeded):
    draft = FrameworkFactory(live=False, slug="draftwork", name="Draftwork")
    FrameworkFactsFactory(framework=draft, latest_version="7.7.7-draft")
    ReleaseLineFactory(framework=draft, version="7.7")
    for url in (reverse("comparisons:compare"), reverse("api:framework-list"), reverse("api:matrix")):
        assert "7.7.7-draft" not in client.get(url).content.decode()
    assert "draftwork" not in [f.slug for f in build_snapshot().frameworks]


# ---------------------------------------------------------------- API


def test_framework_detail_has_facts_in_the_documented_shape(seeded):
    data = APIClient().get(reverse("api:framework-detail", args=["django"])).json()["facts"]
    assert set(data) == FACTS_KEYS
    stored = FrameworkFacts.objects.get(framework__slug="django")
    assert data["latest_version"] == stored.latest_version
    assert data["latest_release_date"] == stored.latest_release_date.isoformat()
    assert data["python_versions"] == stored.python_versions
    lts = next(line for line in data["release_lines"] if line["version"] == "5.2")
    assert lts == {
        "version": "5.2",
        "lts": True,
        "end_of_support": "2028-04-30",
        "source": "https://www.djangoproject.com/download/#supported-versions",
    }
    assert data["advisories"] == []
    assert data["fetched_at"].startswith(stored.fetched_at.date().isoformat())


def test_matrix_frameworks_carry_facts_and_advisories(seeded):
    AdvisoryFactory(facts=FrameworkFacts.objects.get(framework__slug="flask"), advisory_id="GHSA-test")
    frameworks = APIClient().get(reverse("api:matrix")).json()["frameworks"]
    flask = next(f for f in frameworks if f["slug"] == "flask")
    assert flask["facts"]["advisories"] == [
        {
            "id": "GHSA-test",
            "summary": "A crafted request can exhaust memory.",
            "fixed_in": ["2.1.1"],
            "url": "https://osv.dev/vulnerability/GHSA-test",
        }
    ]
    assert all(set(f["facts"]) == FACTS_KEYS for f in frameworks)


def test_a_framework_without_a_package_or_lines_has_null_facts(seeded):
    FrameworkFactory(slug="bare")
    assert APIClient().get(reverse("api:framework-detail", args=["bare"])).json()["facts"] is None


def test_facts_reads_cost_the_same_queries_with_more_frameworks(seeded):
    api = APIClient()

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        return len(queries)

    urls = [
        reverse("api:matrix"),
        reverse("api:framework-list"),
        reverse("api:framework-detail", args=["django"]),
    ]
    for url in urls:
        api.get(url)  # warm per-process caches, then measure reads after a content change
    bump_content_version()
    small = [count(url) for url in urls]
    grow_matrix(frameworks=12, aspects=0)
    assert [count(url) for url in urls] == small
