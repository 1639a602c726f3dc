"""Sign-in states that tests need and the test client cannot reach by force_login alone."""

from allauth.account.internal.flows.login import record_authentication
from django.test import RequestFactory


def sign_in_recently(client, user) -> None:
    """Signs `user` in with a password just re-entered, as allauth's reauthentication records it."""
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.user, request.session = user, session
    record_authentication(request, user, method="password", reauthenticated=True)
    session.save()
