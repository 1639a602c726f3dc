"""Every cell's evidence: public sources, the date an editor reviewed it, and "needs review" once overdue."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comparisons.matrix_io import matrix_export, matrix_import
from comparisons.models import Rating
from comparisons.tests.test_admin import edit_url, framework_form

pytestmark = pytest.mark.django_db


def test_every_seeded_rating_has_a_source_and_a_review_date(seeded):
    ratings = list(Rating.objects.published())

    assert ratings
    assert all(rating.sources and rating.reviewed_on == datetime.date(2026, 12, 4) for rating in ratings)
    performance = [r for r in ratings if r.aspect.slug == "performance"]
    assert all(any("techempower.com" in s["url"] for s in r.sources) for r in performance)
    for aspect in ("ecosystem", "jobs"):
        cited = [r for r in ratings if r.aspect.slug == aspect]
        assert all(any("Python Developers Survey" in s["title"] for s in r.sources) for r in cited)


@pytest.mark.parametrize(
    "sources, problem",
    [
        ([{"url": "javascript:alert(1)", "title": "Docs"}], "is not a web address"),
        ([{"url": "docs.example.com", "title": "Docs"}], "is not a web address"),
        ([{"url": "https://example.com/", "title": " "}], "give a title"),
        ([{"url": "https://example.com/"}], "exactly an address (url) and a title"),
        ({"url": "https://example.com/", "title": "Docs"}, "as a list"),
    ],
)
def test_a_bad_source_is_a_validation_error(seeded, sources, problem):
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="orm")
    rating.sources = sources

    with pytest.raises(ValidationError) as error:
        rating.full_clean()

    assert problem in " ".join(error.value.message_dict["sources"])


def test_api_ratings_carry_sources_review_date_and_needs_review(client, seeded, settings):
    Rating.objects.filter(framework__slug="flask", aspect__slug="orm").update(
        reviewed_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    settings.PAGE_CACHE_SECONDS = 0

    body = client.get("/api/v1/frameworks/flask/").json()
    ratings = {rating["aspect"]: rating for rating in body["ratings"]}

    assert ratings["orm"]["needs_review"] is True
    assert ratings["orm"]["sources"][0].keys() == {"url", "title"}
    assert ratings["type"] == ratings["type"] | {"reviewed_on": "2026-12-04", "needs_review": False}
    matrix = client.get("/api/v1/matrix/").json()
    assert all({"sources", "reviewed_on", "needs_review"} <= rating.keys() for rating in matrix["ratings"])


def test_compare_shows_sources_review_dates_and_needs_review(client, seeded, settings):
    settings.MATRIX_REVIEW_DAYS = 30
    Rating.objects.filter(framework__slug="django", aspect__slug="admin").update(
        reviewed_on=timezone.localdate() - datetime.timedelta(days=31)
    )

    text = client.get(reverse("comparisons:compare")).content.decode()

    assert text.count("needs review</span>") == 1
    assert 'href="https://docs.djangoproject.com/en/stable/ref/contrib/admin/"' in text
    assert "Reviewed <time" in text


def test_editor_edits_sources_in_the_grid_and_marks_a_row_reviewed(client, editor, seeded):
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="orm")
    Rating.objects.filter(pk=rating.pk).update(reviewed_on=datetime.date(2025, 1, 1))
    lines = "https://example.com/orm Example ORM guide\nhttps://example.org/ Second source"
    data = framework_form(rating.framework, orm={"sources": lines, "reviewed": "on"})
    client.force_login(editor)

    assert client.post(edit_url(rating.framework), data).status_code == 302

    rating.refresh_from_db()
    assert rating.sources == [
        {"url": "https://example.com/orm", "title": "Example ORM guide"},
        {"url": "https://example.org/", "title": "Second source"},
    ]
    assert rating.reviewed_on == timezone.localdate()
    untouched = Rating.objects.get(framework__slug="flask", aspect__slug="auth")
    assert untouched.reviewed_on == datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    "lines, message",
    [
        ("https://example.com/", "write the address, a space, then the source"),
        ("example.com Docs", "is not a web address"),
    ],
)
def test_a_bad_source_line_in_the_grid_is_a_form_error(client, editor, seeded, lines, message):
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="orm")
    client.force_login(editor)

    data = framework_form(rating.framework, orm={"sources": lines})
    response = client.post(edit_url(rating.framework), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    rating.refresh_from_db()
    assert rating.sources != lines


def test_matrix_freshness_lists_overdue_ratings_oldest_first(client, superuser, seeded):
    today = timezone.localdate()
    Rating.objects.filter(framework__slug="flask", aspect__slug="orm").update(
        reviewed_on=today - datetime.timedelta(days=400)
    )
    Rating.objects.filter(framework__slug="django", aspect__slug="jobs").update(reviewed_on=None)
    Rating.objects.filter(framework__slug="fastapi", aspect__slug="auth").update(
        reviewed_on=today - datetime.timedelta(days=800)
    )
    client.force_login(superuser)

    response = client.get(reverse("matrix_freshness"))

    assert response.status_code == 200
    rows = [(r.framework.slug, r.aspect.slug) for r in response.context["object_list"]]
    assert rows == [("django", "jobs"), ("fastapi", "auth"), ("flask", "orm")]


def test_a_reader_cannot_open_the_freshness_report(client, user, seeded):
    client.force_login(user)

    assert client.get(reverse("matrix_freshness")).status_code in (302, 403)


def test_export_and_import_keep_sources_and_review_dates(seeded):
    document = matrix_export()
    first = document["ratings"][0]
    assert first["reviewed_on"] == "2026-12-04" and first["sources"]

    first["sources"] = [{"url": "https://example.com/changed", "title": "Changed source"}]
    first["reviewed_on"] = "2026-12-01"
    matrix_import(json.loads(json.dumps(document)))

    rating = Rating.objects.get(framework__slug=first["framework"], aspect__slug=first["aspect"])
    assert rating.sources == first["sources"]
    assert rating.reviewed_on == datetime.date(2026, 12, 1)
    assert matrix_export() == document
