"""Content API reads carry ETag and Last-Modified and answer 304 while nothing changed."""

import pytest
from django.utils.http import http_date, parse_http_date
from rest_framework import status
from rest_framework.test import APIClient

from comparisons.models import Rating

pytestmark = pytest.mark.django_db

READ_URLS = [
    "/api/v1/frameworks/",
    "/api/v1/frameworks/django/",
    "/api/v1/aspects/",
    "/api/v1/scenarios/",
    "/api/v1/questions/",
    "/api/v1/matrix/",
]


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize("url", READ_URLS)
def test_matching_if_none_match_is_a_304_without_a_body(api, seeded, url, django_assert_max_num_queries):
    first = api.get(url)
    assert first.status_code == status.HTTP_200_OK
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]

    # One read for the version, none for the content itself.
    with django_assert_max_num_queries(1):
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == status.HTTP_304_NOT_MODIFIED
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_an_edit_changes_the_etag_and_the_answer(api, seeded):
    first = api.get("/api/v1/matrix/")
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="performance")
    rating.note = "Re-measured."
    rating.save()

    after = api.get("/api/v1/matrix/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == status.HTTP_200_OK
    assert after["ETag"] != first["ETag"]
    assert parse_http_date(after["Last-Modified"]) >= parse_http_date(first["Last-Modified"])
    assert "Re-measured." in after.content.decode()


def test_each_endpoint_and_format_has_its_own_etag(api, seeded):
    tags = {api.get(url)["ETag"] for url in READ_URLS}
    browsable = api.get("/api/v1/matrix/", HTTP_ACCEPT="text/html")

    assert len(tags) == len(READ_URLS)
    assert browsable["ETag"] not in tags


def test_if_modified_since_is_honoured_when_there_is_no_etag(api, seeded):
    first = api.get("/api/v1/aspects/")

    same = api.get("/api/v1/aspects/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    older = api.get("/api/v1/aspects/", HTTP_IF_MODIFIED_SINCE=http_date(0))

    assert same.status_code == status.HTTP_304_NOT_MODIFIED
    assert older.status_code == status.HTTP_200_OK


def test_a_stale_or_weak_etag_is_compared_weakly(api, seeded):
    tag = api.get("/api/v1/aspects/")["ETag"]

    assert api.get("/api/v1/aspects/", HTTP_IF_NONE_MATCH=f"W/{tag}").status_code == 304
    assert api.get("/api/v1/aspects/", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_errors_carry_no_validators(api, seeded):
    missing = api.get("/api/v1/frameworks/nope/")

    assert missing.status_code == status.HTTP_404_NOT_FOUND
    assert "ETag" not in missing
