"""API calls without a session cookie take a shorter middleware chain; everything they rely on stays."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client
from wagtail.models import APIToken

pytestmark = pytest.mark.django_db

RECOMMEND = "/api/v1/recommendations/"
BODY = {"answers": {"project": "ml"}}


@pytest.fixture
def session_calls(monkeypatch):
    """Paths for which the session middleware ran."""
    calls = []
    original = SessionMiddleware.process_request

    def recording(self, request):
        calls.append(request.path_info)
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", recording)
    return calls


def test_an_anonymous_api_call_skips_the_session_layers_and_keeps_the_headers(client, seeded, session_calls):
    response = client.post(RECOMMEND, BODY, content_type="application/json", HTTP_X_REQUEST_ID="abc-123")

    assert response.status_code == 200
    assert session_calls == []
    assert response["X-Request-ID"] == "abc-123"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in response and not response.cookies


def test_a_request_id_is_made_when_none_is_sent(client, seeded, session_calls):
    response = client.post(RECOMMEND, BODY, content_type="application/json")

    assert len(response["X-Request-ID"]) == 32
    assert session_calls == []


def test_pages_still_take_the_full_chain(client, seeded, session_calls):
    client.get("/compare/")

    assert session_calls == ["/compare/"]


def test_the_body_limit_holds_on_the_short_chain(client, seeded, settings, session_calls):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = client.post(RECOMMEND, {"answers": {}, "pad": "x" * 200}, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 100 bytes."
    assert session_calls == []


def test_a_token_still_authenticates_and_its_answers_are_not_stored(client, seeded, user, session_calls):
    _token, key = APIToken.create_token(user=user, name="fast path")

    response = client.get("/api/v1/decisions/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert session_calls == []
    assert client.get("/api/v1/decisions/").status_code == 401


def test_a_session_authenticated_call_takes_the_full_chain_and_needs_its_csrf_token(
    seeded, user, session_calls
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    session_calls.clear()

    refused = browser.post(
        "/api/v1/decisions/", {"title": "t", "answers": {}}, content_type="application/json"
    )
    listed = browser.get("/api/v1/decisions/")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    assert session_calls == ["/api/v1/decisions/", "/api/v1/decisions/"]


def test_an_unknown_api_path_is_still_a_404(client, seeded, session_calls):
    assert client.get("/api/v1/no-such-thing/").status_code == 404
    assert session_calls == []


def test_an_api_path_no_route_matches_answers_json_and_a_page_path_html(client, seeded):
    # A dot is not allowed in a router's lookup, so this slug matches no route at all.
    api = client.get("/api/v1/frameworks/not.a.slug/")
    page = client.get("/no-such-page/")

    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert api.json() == {"detail": "Not found."}
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
