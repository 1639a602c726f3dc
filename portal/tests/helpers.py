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


def publish_guide_page(slug, body, *, title=None, summary="A page for a test."):
    """A live guide page under the seeded guide index, published through a revision as an editor would."""
    from portal.models import GuideIndexPage, GuidePage

    index = GuideIndexPage.objects.get()
    page = GuidePage(title=title or f"Page {slug}", slug=slug, summary=summary, body=body)
    index.add_child(instance=page)
    page.save_revision().publish()
    return page
