"""Error pages that Django or allauth render: they wear the site's layout."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_too_many_sign_in_attempts_get_the_styled_429_page(client):
    # "30/m/ip": every sign-in POST counts, whether or not the password is right.
    attempts_allowed = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    attempt = {"login": "nobody@example.com", "password": "not-the-password"}
    for _ in range(attempts_allowed):
        assert client.post(reverse("account_login"), attempt).status_code == 200

    response = client.post(reverse("account_login"), attempt)

    assert response.status_code == 429
    assert [template.name for template in response.templates][0] == "429.html"
    html = response.content.decode()
    assert "Too many attempts" in html
    assert "Please wait a minute, then try again." in html
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert '<meta name="robots" content="noindex">' in html
