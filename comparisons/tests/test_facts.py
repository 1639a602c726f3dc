"""Release facts: reading the index's documents, refreshing them all-or-nothing, the seed file.

Every request goes to a local HTTP server that replays recorded answers
(index_server.py); the test settings point the client at a closed local port, so
a test that forgets the server fails instead of reaching the network.
"""

import copy
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comparisons import facts as facts_module
from comparisons.facts import (
    facts_to_seed,
    read_facts_seed,
    refresh_facts,
    seed_facts,
    write_facts_seed,
)
from comparisons.models import Framework, FrameworkFacts
from comparisons.registry import InvalidDocument, RegistryError, fetch_facts, parse_document
from comparisons.tests.factories import FrameworkFactory
from comparisons.tests.index_server import Answer, RecordedIndex, recording
from core.content_version import content_version

ADVISORY = {
    "aliases": ["CVE-2099-0001"],
    "details": "A crafted header makes the  request parser\nloop for a long time.",
    "fixed_in": ["6.1.4"],
    "id": "PYSEC-2099-1",
    "link": "https://osv.dev/vulnerability/PYSEC-2099-1",
    "source": "osv",
    "summary": None,
    "withdrawn": None,
}


@pytest.fixture
def package_index(settings):
    with RecordedIndex() as index:
        settings.PACKAGE_INDEX_JSON_URL = index.url
        settings.PACKAGE_INDEX_RETRIES = 1
        settings.PACKAGE_INDEX_TIMEOUT = 2
        yield index


def stored_facts() -> dict:
    return {
        f.framework.slug: (f.latest_version, f.fetched_at, sorted(a.advisory_id for a in f.advisories.all()))
        for f in FrameworkFacts.objects.select_related("framework").prefetch_related("advisories")
    }


def with_advisory(**changes) -> dict:
    document = copy.deepcopy(recording("django"))
    document["vulnerabilities"] = [{**ADVISORY, **changes}]
    return document


def age_django_facts():
    """Stored facts as they were before the latest release: an older version, long ago."""
    FrameworkFacts.objects.filter(framework__slug="django").update(
        latest_version="6.1.2", yanked=[], fetched_at=timezone.now() - datetime.timedelta(days=30)
    )


# ---------------------------------------------------------------- parsing


def test_the_recorded_django_document_gives_its_facts():
    facts = parse_document("django", recording("django"))
    assert facts.latest_version == "6.1.3"
    assert facts.latest_release_date == datetime.date(2026, 11, 3)
    assert facts.first_release_date == datetime.date(2010, 5, 17)
    assert facts.requires_python == ">=3.12"
    assert facts.python_versions == ("3.12", "3.13", "3.14")
    assert facts.license == "BSD-3-Clause"
    assert facts.yanked == ("5.0.5", "4.2.12")
    assert facts.advisories == ()


def test_python_versions_are_sorted_as_versions_not_text():
    facts = parse_document("litestar", recording("litestar"))
    assert facts.python_versions == ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
    assert facts.license == "MIT"  # the licence field, there being no expression


def test_a_package_without_python_classifiers_has_none():
    assert parse_document("flask", recording("flask")).python_versions == ()


def test_the_licence_falls_back_to_the_classifier():
    document = recording("litestar")
    document["info"]["license"] = "Permission is hereby granted, free of charge,\nto any person..."
    assert parse_document("litestar", document).license == "MIT License"


def test_advisories_on_the_latest_release_are_read_and_withdrawn_ones_skipped():
    document = with_advisory()
    document["vulnerabilities"].append(
        {**ADVISORY, "id": "PYSEC-2099-2", "withdrawn": "2099-01-02T00:00:00Z"}
    )
    (advisory,) = parse_document("django", document).advisories
    assert advisory.id == "PYSEC-2099-1"
    assert advisory.summary == "A crafted header makes the request parser loop for a long time."
    assert advisory.fixed_in == ("6.1.4",)
    assert advisory.url == "https://osv.dev/vulnerability/PYSEC-2099-1"
    assert advisory.aliases == ("CVE-2099-0001",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["info"].update(version="not a version"), "is not a version"),
        (lambda d: d["info"].update(name="flask"), "not this package"),
        (lambda d: d["info"].update(requires_python=">=3.x"), "is not a specifier"),
        (lambda d: d["releases"].pop("6.1.3"), "not among 'releases'"),
        (lambda d: d["releases"]["6.0"][0].update(upload_time_iso_8601="yesterday"), "is not a date"),
        (lambda d: d.update(vulnerabilities=[{**ADVISORY, "id": ""}]), "has no id"),
        (lambda d: d.update(vulnerabilities=[ADVISORY, ADVISORY]), "listed twice"),
        (
            lambda d: d.update(vulnerabilities=[{**ADVISORY, "link": "javascript:alert(1)"}]),
            "not a web address",
        ),
        (lambda d: d.pop("info"), "no 'info'"),
    ],
)
def test_a_malformed_document_is_refused(change, message):
    document = recording("django")
    change(document)
    with pytest.raises(InvalidDocument, match=message):
        parse_document("django", document)


# ---------------------------------------------------------------- fetching


def test_the_client_asks_the_configured_endpoint_for_the_package_document(package_index):
    assert fetch_facts("quart").latest_version == "0.23.1"
    assert package_index.requests == ["/pypi/quart/json"]


def test_a_server_error_is_retried(package_index):
    package_index.queue("quart", Answer(status=503))
    assert fetch_facts("quart").latest_version == "0.23.1"
    assert len(package_index.requests) == 2


def test_a_timeout_is_retried_then_reported(package_index, settings):
    settings.PACKAGE_INDEX_TIMEOUT = 0.2
    package_index.queue("quart", Answer(delay=1), Answer(delay=1))
    with pytest.raises(RegistryError, match="no answer after 2 attempt"):
        fetch_facts("quart")
    assert len(package_index.requests) == 2


def test_an_unknown_package_is_not_retried(package_index):
    with pytest.raises(RegistryError, match="no such package"):
        fetch_facts("no-such-package")
    assert len(package_index.requests) == 1


def test_without_the_recorded_index_nothing_leaves_the_machine():
    with pytest.raises(RegistryError, match="no answer"):
        fetch_facts("django")


# ---------------------------------------------------------------- refreshing


@pytest.mark.django_db
def test_refresh_updates_every_framework_and_prints_what_changed(seeded, package_index):
    age_django_facts()
    version = content_version()
    out = io.StringIO()

    report = refresh_facts(stdout=out)

    assert report.ok and report.written
    assert report.checked == list(
        Framework.objects.exclude(package="").order_by("sort_order", "pk").values_list("slug", flat=True)
    )
    lines = out.getvalue().splitlines()
    assert "django: new version 6.1.2 → 6.1.3 (released 2026-11-03)" in lines
    assert "django: yanked 5.0.5" in lines
    assert "flask: unchanged" in lines
    django = FrameworkFacts.objects.get(framework__slug="django")
    assert django.latest_version == "6.1.3"
    assert (timezone.now() - django.fetched_at).total_seconds() < 60
    assert content_version() != version


@pytest.mark.django_db
def test_a_new_advisory_is_stored_and_printed(seeded, package_index):
    package_index.serve_document("django", with_advisory())
    out = io.StringIO()
    refresh_facts(frameworks=["django"], stdout=out)
    assert "django: new advisory PYSEC-2099-1: A crafted header makes" in out.getvalue()
    advisory = FrameworkFacts.objects.get(framework__slug="django").advisories.get()
    assert (advisory.advisory_id, advisory.fixed_in, advisory.aliases) == (
        "PYSEC-2099-1",
        ["6.1.4"],
        ["CVE-2099-0001"],
    )

    package_index.queued.clear()
    out = io.StringIO()
    refresh_facts(frameworks=["django"], stdout=out)
    assert "django: advisory PYSEC-2099-1 no longer listed" in out.getvalue()
    assert not FrameworkFacts.objects.get(framework__slug="django").advisories.exists()


@pytest.mark.django_db
def test_one_failing_package_writes_nothing_for_any(seeded, package_index):
    age_django_facts()
    before = stored_facts()
    package_index.queue("quart", Answer(status=500), Answer(status=500))
    out = io.StringIO()

    report = refresh_facts(stdout=out)

    assert not report.ok and not report.written
    assert "quart: FAILED: quart: the index answered HTTP 500" in out.getvalue()
    assert "Nothing written" in out.getvalue()
    assert stored_facts() == before


@pytest.mark.django_db
def test_an_invalid_document_writes_nothing(seeded, package_index):
    before = stored_facts()
    bad = recording("litestar")
    bad["info"]["requires_python"] = "three point eight"
    package_index.serve_document("litestar", bad)
    report = refresh_facts()
    assert "is not a specifier" in report.failures["litestar"]
    assert stored_facts() == before


@pytest.mark.django_db
def test_a_write_that_fails_halfway_leaves_every_framework_as_it_was(seeded, package_index, monkeypatch):
    age_django_facts()
    before = stored_facts()
    real_save, saved = facts_module.save_facts, []

    def save_then_fail(framework, data, **kwargs):
        real_save(framework, data, **kwargs)
        saved.append(framework.slug)
        if len(saved) == 3:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(facts_module, "save_facts", save_then_fail)
    with pytest.raises(RuntimeError):
        refresh_facts()
    assert len(saved) == 3
    assert stored_facts() == before


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(seeded, package_index):
    age_django_facts()
    before = stored_facts()
    out = io.StringIO()
    report = refresh_facts(dry_run=True, stdout=out)
    assert report.ok and not report.written
    assert "django: new version 6.1.2 → 6.1.3" in out.getvalue()
    assert out.getvalue().endswith("Dry run: nothing written.\n")
    assert stored_facts() == before


@pytest.mark.django_db
def test_the_command_exits_non_zero_on_failure_and_on_unknown_slugs(seeded, package_index):
    package_index.queue("django", Answer(status=502), Answer(status=502))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("refresh_facts", "--framework", "django", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No framework with slug: nope"):
        call_command("refresh_facts", "--framework", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot go with --dry-run"):
        call_command("refresh_facts", "--dry-run", "--write-seed", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_command_refreshes_one_framework(seeded, package_index):
    age_django_facts()
    out = io.StringIO()
    call_command("refresh_facts", "--framework", "django", stdout=out)
    assert out.getvalue().splitlines()[0] == "django: new version 6.1.2 → 6.1.3 (released 2026-11-03)"
    assert package_index.requests == ["/pypi/django/json"]


# ---------------------------------------------------------------- the seed file


@pytest.mark.django_db
def test_the_seeded_site_has_the_shipped_facts(seeded):
    shipped = {item["framework"]: item for item in read_facts_seed()}
    stored = {f.framework.slug: f for f in FrameworkFacts.objects.select_related("framework")}
    assert (
        set(stored)
        == set(shipped)
        == set(Framework.objects.exclude(package="").values_list("slug", flat=True))
    )
    for slug, item in shipped.items():
        assert stored[slug].latest_version == item["latest_version"]
        assert stored[slug].fetched_at == datetime.datetime.fromisoformat(item["fetched_at"])


@pytest.mark.django_db
def test_the_seed_file_round_trips_and_never_overwrites(seeded, tmp_path):
    path = tmp_path / "facts.json"
    assert write_facts_seed(path) == FrameworkFacts.objects.count()
    items = read_facts_seed(path)
    assert {"facts": items} == json.loads(json.dumps(facts_to_seed()))

    newcomer = FrameworkFactory(slug="newcomer", package="django")
    FrameworkFacts.objects.filter(framework__slug="django").update(latest_version="9.9")
    items.append({**next(i for i in items if i["framework"] == "django"), "framework": "newcomer"})

    recorded, created = seed_facts(items, loaded=set())
    assert created == 1
    assert "facts:newcomer" in recorded and "facts:django" in recorded
    assert newcomer.facts.latest_version == "6.1.3"
    assert FrameworkFacts.objects.get(framework__slug="django").latest_version == "9.9"
    assert seed_facts(items, loaded=set(recorded)) == ([], 0)
