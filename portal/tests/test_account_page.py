"""The account page: API tokens, the decisions download, deleting the account."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import APIToken

from decisions.models import Decision, DecisionSnapshot
from decisions.tests.factories import make_decision
from portal.tests.helpers import sign_in_recently

pytestmark = pytest.mark.django_db


def test_account_page_needs_login(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_use_and_revoke_a_token(client, seeded, user):
    sign_in_recently(client, user)
    response = client.post(reverse("account"), {"action": "create-token", "name": "CI script"})
    assert response.status_code == 200
    key = response.context["new_token"]
    assert key.startswith("wagtail_")
    assert key in response.content.decode()
    token = APIToken.objects.get(user=user)
    assert token.key_hash != key  # only a hash is stored

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(reverse("api:decision-list")).status_code == 200

    page = client.get(reverse("account")).content.decode()
    assert "CI script" in page
    assert key not in page  # shown once only
    client.post(reverse("revoke-token", args=[token.pk]))
    assert api.get(reverse("api:decision-list")).status_code == 401


def test_cannot_revoke_someone_elses_token(client, user, django_user_model):
    other = django_user_model.objects.create_user("other", "other@example.com", "pw-long-enough-1")
    token, _ = APIToken.create_token(user=other, name="theirs")
    client.force_login(user)
    assert client.post(reverse("revoke-token", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_name_is_required(client, user):
    sign_in_recently(client, user)
    response = client.post(reverse("account"), {"action": "create-token", "name": ""})
    assert response.status_code == 400
    assert not APIToken.objects.exists()


def test_deleting_the_account_deletes_every_decision(client, seeded, user):
    make_decision(user)
    make_decision(user, title="Second")
    APIToken.create_token(user=user, name="CI")
    client.force_login(user)

    wrong = client.post(reverse("delete-account"), {"confirm": "delete", "password": "a-long-test-password"})
    assert wrong.status_code == 400
    bad_password = client.post(reverse("delete-account"), {"confirm": "DELETE", "password": "nope"})
    assert bad_password.status_code == 400
    assert get_user_model().objects.filter(pk=user.pk).exists()

    response = client.post(
        reverse("delete-account"), {"confirm": "DELETE", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Decision.objects.exists()
    assert not DecisionSnapshot.objects.exists()
    assert not APIToken.objects.exists()
    assert client.get(reverse("decisions:list")).status_code == 302  # logged out


def test_account_deletion_needs_csrf(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("delete-account"), {"confirm": "DELETE", "password": "a-long-test-password"}
    )
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_createadmin_makes_a_verified_superuser_who_can_sign_in(client, monkeypatch):
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command("createadmin", "--noinput", stdout=io.StringIO())

    assert EmailAddress.objects.get(email="boss@example.com").verified
    response = client.post(
        reverse("account_login"), {"login": "boss@example.com", "password": "a-long-admin-password"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
