"""Accounts through django-allauth: sign-up, sign-in, recovery, two-factor, editors."""

import base64
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # the conftest users'
NEW_PASSWORD = "correct-horse-battery-staple-42"
GENERIC_LOGIN_ERROR = "The email address and/or password you specified are not correct."
SITE_HEADER = 'class="site-header"'


def verify(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def sign_in(client, email, password=PASSWORD, headers=None, **fields):
    data = {"login": email, "password": password, **fields}
    return client.post(reverse("account_login"), data, headers=headers)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def link_in(mail):
    return re.search(r"https?://testserver(/accounts/\S+)", mail.body).group(1)


def assert_styled_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stackfit" in html
    assert SITE_HEADER in html
    assert 'class="site-footer"' in html
    assert html.count("<h1") == 1
    assert 'href="/static/css/site.css"' in html


@pytest.fixture
def verified_user(user):
    return verify(user)


@pytest.fixture
def signed_in(client, verified_user):
    assert sign_in(client, verified_user.email).status_code == 302
    return client


@pytest.fixture
def reauthenticated(signed_in):
    """Two-factor set-up asks for the password again, whatever the age of the sign-in."""
    response = signed_in.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return signed_in


def test_signup_mails_a_link_that_verifies_the_address_then_sign_in_works(
    client, mailoutbox, django_user_model
):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    user = django_user_model.objects.get(email="new@example.com")
    assert user.username  # allauth fills in the username nobody types
    [mail] = mailoutbox
    assert mail.to == ["new@example.com"]
    assert mail.subject.startswith("[Stackfit] ")

    # Opened in another browser: the address is verified, nobody is signed in.
    elsewhere = Client()
    confirm_url = link_in(mail)
    assert_styled_page(elsewhere.get(confirm_url))
    assert elsewhere.post(confirm_url).status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert signed_in_user_id(elsewhere) is None

    response = sign_in(elsewhere, "new@example.com", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert signed_in_user_id(elsewhere) == str(user.pk)


def test_confirming_in_the_browser_that_signed_up_signs_in(client, mailoutbox):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    response = client.post(link_in(mailoutbox[0]))
    assert response.status_code == 302
    assert signed_in_user_id(client) is not None


def test_unverified_address_cannot_sign_in(client, user, mailoutbox):
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert [mail.to for mail in mailoutbox] == [[user.email]]


def test_wrong_password_and_unknown_email_get_the_same_generic_error(client, verified_user):
    wrong_password = sign_in(client, verified_user.email, "not-the-password")
    unknown_email = sign_in(client, "nobody@example.com", "not-the-password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert response.context["form"].errors == {"__all__": [GENERIC_LOGIN_ERROR]}
        html = response.content.decode()
        assert GENERIC_LOGIN_ERROR in html
        assert 'role="alert"' in html
    assert signed_in_user_id(client) is None


def test_password_reset_looks_the_same_for_an_unknown_email(client, verified_user, mailoutbox):
    known = client.post(reverse("account_reset_password"), {"email": verified_user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    # Each address gets one mail; only the owner's holds a reset link.
    assert [mail.to for mail in mailoutbox] == [[verified_user.email], ["nobody@example.com"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "/accounts/password/reset/key/" not in mailoutbox[1].body


def test_password_reset_link_sets_a_new_password(client, verified_user, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": verified_user.email})
    response = client.get(link_in(mailoutbox[0]), follow=True)
    assert_styled_page(response)
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert sign_in(Client(), verified_user.email, NEW_PASSWORD).status_code == 302


def test_sign_in_is_rate_limited_after_repeated_failures(client, verified_user):
    for _ in range(5):
        assert GENERIC_LOGIN_ERROR in sign_in(client, verified_user.email, "wrong").content.decode()
    response = sign_in(client, verified_user.email)  # even the right password now
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_spoofed_forwarded_for_does_not_dodge_the_per_address_limit(client, verified_user):
    # Ten failures for ten different accounts, each claiming another client address.
    for n in range(10):
        sign_in(client, f"reader{n}@example.com", "wrong", headers={"X-Forwarded-For": f"203.0.113.{n}"})
    response = sign_in(client, verified_user.email, headers={"X-Forwarded-For": "198.51.100.7"})
    assert "Too many failed login attempts" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_wagtail_admin_login_redirects_to_allauth_keeping_next(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_wagtail_admin_sends_anonymous_visitors_to_allauth(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_django_admin_login_goes_through_allauth(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"


def test_editor_signs_in_through_allauth_and_reaches_the_admin(client, editor):
    verify(editor)
    response = sign_in(client, editor.email, next="/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_login_page_shows_no_providers_until_a_social_app_is_added(client):
    response = client.get(reverse("account_login"))
    assert_styled_page(response)
    html = response.content.decode()
    assert "account-provider" not in html
    assert "/accounts/github/login/" not in html

    SocialApp.objects.create(provider="github", name="GitHub", client_id="id", secret="secret")
    html = client.get(reverse("account_login")).content.decode()
    assert 'href="/accounts/github/login/?process=login"' in html
    assert ">GitHub</a>" in html
    assert "/accounts/google/login/" not in html


def test_two_factor_page_requires_sign_in(client):
    response = client.get("/accounts/2fa/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_two_factor_page_renders_for_a_signed_in_user(signed_in):
    response = signed_in.get("/accounts/2fa/")
    assert_styled_page(response)
    assert "Authenticator App" in response.content.decode()


def test_totp_activation_needs_the_password_again(signed_in):
    response = signed_in.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_totp_activation_shows_a_qr_code_and_guards_the_next_sign_in(reauthenticated, verified_user):
    signed_in = reauthenticated
    response = signed_in.get(reverse("mfa_activate_totp"))
    assert_styled_page(response)
    html = response.content.decode()
    data_uri = re.search(r'<img class="[^"]*account-image--qr[^"]*" src="([^"]+)"', html).group(1)
    prefix = "data:image/svg+xml;base64,"
    assert data_uri.startswith(prefix)
    assert base64.b64decode(data_uri[len(prefix) :]).decode().lstrip().startswith("<?xml")

    secret = response.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = signed_in.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=verified_user, type="totp").exists()
    assert_styled_page(signed_in.get(reverse("mfa_view_recovery_codes")))

    browser = Client()
    response = sign_in(browser, verified_user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(browser) is None
    assert_styled_page(browser.get(reverse("mfa_authenticate")))
    recovery = Authenticator.objects.get(user=verified_user, type="recovery_codes")
    response = browser.post(reverse("mfa_authenticate"), {"code": recovery.wrap().get_unused_codes()[0]})
    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(verified_user.pk)


def test_logout_needs_a_csrf_protected_post_and_goes_home(verified_user):
    client = Client(enforce_csrf_checks=True)
    login_page = client.get(reverse("account_login"))
    client.post(
        reverse("account_login"),
        {
            "login": verified_user.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": login_page.context["csrf_token"],
        },
    )
    assert signed_in_user_id(client) is not None

    page = client.get(reverse("account_logout"))
    assert_styled_page(page)
    assert signed_in_user_id(client) is not None
    assert client.post(reverse("account_logout")).status_code == 403
    assert signed_in_user_id(client) is not None

    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_wear_the_site_layout(client, url_name):
    assert_styled_page(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    "url_name",
    [
        "account_email",
        "account_change_password",
        "account_logout",
        "mfa_index",
        "mfa_activate_totp",
        "socialaccount_connections",
    ],
)
def test_account_pages_wear_the_site_layout(reauthenticated, url_name):
    response = reauthenticated.get(reverse(url_name))
    assert_styled_page(response)
    assert 'aria-label="Account"' in response.content.decode()


def test_reauthentication_page_wears_the_site_layout(signed_in):
    assert_styled_page(signed_in.get(reverse("account_reauthenticate")))


def test_password_can_be_changed(signed_in, verified_user):
    response = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.check_password(NEW_PASSWORD)


def test_a_second_address_is_verified_before_it_counts(signed_in, verified_user, mailoutbox):
    response = signed_in.post(reverse("account_email"), {"action_add": "", "email": "second@example.com"})
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="second@example.com")
    assert address.user == verified_user
    assert not address.verified
    assert mailoutbox[-1].to == ["second@example.com"]
