"""The chooser page without JavaScript: the form posts, the result renders from the engine."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHOOSER = "comparisons:chooser"


def test_chooser_shows_every_question_as_a_step(client, seeded):
    response = client.get(reverse(CHOOSER))
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ["project", "needs", "io", "team", "priority", "codebase"]:
        assert f'id="q-{slug}"' in html
    assert 'type="checkbox" id="needs-admin"' in html
    assert 'type="radio" id="project-saas"' in html
    assert "result" not in response.context


def test_posting_answers_redirects_to_a_shareable_result(client, seeded):
    response = client.post(reverse(CHOOSER), {"project": "content", "needs": ["admin", "orm"]})
    assert response.status_code == 303
    assert response["Location"] == "/chooser/?project=content&needs=admin&needs=orm#result"

    page = client.get("/chooser/?project=content&needs=admin&needs=orm")
    assert page.status_code == 200
    result = page.context["result"]
    assert result["recommended"] == "django"
    html = page.content.decode()
    assert "We recommend" in html
    assert "/compare/#aspect-admin" in html
    assert "Content site" in html or "content" in html.lower()
    assert "checked" in html  # the form keeps the answers


def test_the_page_and_the_api_agree(client, seeded):
    from rest_framework.test import APIClient

    query = "project=api&team=large&needs=admin&needs=auth"
    page = client.get(f"/chooser/?{query}").context["result"]
    api = (
        APIClient()
        .post(
            reverse("api:recommendations"),
            {"answers": {"project": "api", "team": "large", "needs": ["admin", "auth"]}},
            format="json",
        )
        .json()
    )
    api.pop("fingerprint")
    assert page == api


def test_unknown_option_in_a_shared_link_is_a_form_error(client, seeded):
    response = client.get("/chooser/?project=spaceship")
    assert response.status_code == 400
    assert "Unknown option" in response.content.decode()


def test_posting_nothing_is_a_form_error(client, seeded):
    response = client.post(reverse(CHOOSER), {})
    assert response.status_code == 400
    assert "at least one answer" in response.content.decode()


def test_unrelated_query_parameters_are_ignored(client, seeded):
    response = client.get("/chooser/?utm_source=newsletter")
    assert response.status_code == 200
    assert "result" not in response.context


def test_single_choice_keeps_the_first_value(client, seeded):
    response = client.get("/chooser/?project=ml&project=saas")
    assert response.context["result"]["recommended"] == "fastapi"


def test_close_call_names_the_flip(client, seeded):
    # Found by the engine's own search; any close call must carry a flip or say none exists.
    response = client.get("/chooser/?project=web_app&team=small_fast&priority=ship_fast")
    result = response.context["result"]
    if result["close_call"] and result["flip"]:
        assert response.context["flip_changes"]
        assert "smallest change" in response.content.decode()


def test_chooser_posts_are_csrf_protected(seeded):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse(CHOOSER), {"project": "ml"})
    assert response.status_code == 403
