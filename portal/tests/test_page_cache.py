"""Anonymous pages come from the cache, and an edit is never followed by a stale page."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from comparisons.models import Framework, Rating
from comparisons.tests.test_admin import edit_url, framework_form
from portal.models import GuidePage

pytestmark = pytest.mark.django_db

CACHED_URLS = ["/", "/guide/", "/guide/django/", "/faq/", "/compare/", "/scenarios/"]
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
}


@pytest.mark.parametrize("url", CACHED_URLS)
def test_second_anonymous_visit_is_served_from_the_cache(client, seeded, url, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"

    # One query remains: the content version that keys the cache.
    with django_assert_num_queries(1):
        second = client.get(url)

    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_editor_changing_a_rating_in_the_admin_is_seen_at_once(client, editor, seeded):
    assert "Faster than it was" not in client.get("/compare/").content.decode()
    assert client.get("/compare/")["X-Page-Cache"] == "hit"

    editor_client = Client()
    editor_client.force_login(editor)
    django = Framework.objects.get(slug="django")
    response = editor_client.post(
        edit_url(django), framework_form(django, performance={"score": 4, "label": "Faster than it was"})
    )
    assert response.status_code == 302

    after = client.get("/compare/")
    assert after["X-Page-Cache"] == "miss"
    assert "Faster than it was" in after.content.decode()
    assert "Faster than it was" in client.get("/").content.decode()


def test_publishing_a_guide_page_replaces_the_cached_copy(client, seeded):
    page = GuidePage.objects.get(slug="django")
    client.get(page.url)
    page.summary = "A freshly published summary."
    page.save_revision().publish()

    response = client.get(page.url)

    assert response["X-Page-Cache"] == "miss"
    assert "A freshly published summary." in response.content.decode()


def test_a_deleted_rating_disappears_from_cached_pages(client, seeded):
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="admin")
    client.get("/compare/")
    rating.note = "A note that will be gone"
    rating.save()
    assert "A note that will be gone" in client.get("/compare/").content.decode()

    rating.delete()

    assert "A note that will be gone" not in client.get("/compare/").content.decode()


def test_signed_in_readers_never_get_or_fill_the_anonymous_copy(client, user, seeded):
    anonymous = client.get("/").content.decode()
    signed_in = Client()
    signed_in.force_login(user)

    response = signed_in.get("/")

    assert "X-Page-Cache" not in response
    assert response.content.decode() != anonymous
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert "reader@example.com" not in client.get("/").content.decode()


def test_a_pending_message_is_shown_not_skipped(client, user, seeded):
    client.get("/")
    client.force_login(user)

    response = client.post(reverse("account_logout"), follow=True)

    assert response.request["PATH_INFO"] == "/"
    assert "X-Page-Cache" not in response
    assert "signed out" in response.content.decode().lower()


def test_compare_selection_is_cached_per_selection_and_other_parameters_are_not(client, seeded):
    flask_only = client.get("/compare/?fw=flask")
    django_only = client.get("/compare/?fw=django")
    assert flask_only.content != django_only.content
    assert client.get("/compare/?fw=flask")["X-Page-Cache"] == "hit"

    client.get("/compare/?utm_source=x")
    response = client.get("/compare/?utm_source=x")

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_pages_with_a_csrf_token_are_not_cached(client, seeded):
    client.get("/chooser/")
    assert "X-Page-Cache" not in client.get("/chooser/")


@override_settings(CACHES=UNREACHABLE_REDIS)
@pytest.mark.parametrize("url", ["/", "/compare/", "/guide/django/"])
def test_a_redis_outage_serves_pages_uncached(client, seeded, url):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"


@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_page_cache_can_be_turned_off(client, seeded):
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")
