"""Who may do what with a decision, every cell of the table, on pages and in the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from decisions.services import decision_set_sharing
from decisions.tests.factories import UserFactory, make_decision

pytestmark = pytest.mark.django_db

OWNED_PAGES = [
    ("decisions:detail", "get"),
    ("decisions:edit", "get"),
    ("decisions:delete", "get"),
    ("decisions:export-md", "get"),
    ("decisions:reevaluate", "post"),
    ("decisions:share", "post"),
]
OWNED_API = [
    ("get", "api:decision-detail"),
    ("patch", "api:decision-detail"),
    ("delete", "api:decision-detail"),
    ("get", "api:decision-export"),
    ("post", "api:decision-reevaluate"),
]


@pytest.fixture
def decision(seeded, user):
    return make_decision(user)


@pytest.fixture
def other(db):
    return UserFactory()


def page_url(name, decision):
    if name == "decisions:export-md":
        return reverse("decisions:export", args=[decision.pk, "md"])
    return reverse(name, args=[decision.pk])


def as_actor(client, actor, user, other, editor):
    actors = {"owner": user, "other": other, "editor": editor, "anonymous": None}
    if actors[actor] is not None:
        client.force_login(actors[actor])


@pytest.mark.parametrize(("name", "method"), OWNED_PAGES)
@pytest.mark.parametrize(
    ("actor", "expected"), [("owner", {200, 302}), ("other", {404}), ("editor", {404}), ("anonymous", {302})]
)
def test_decision_pages_by_actor(client, decision, user, other, editor, name, method, actor, expected):
    as_actor(client, actor, user, other, editor)
    response = getattr(client, method)(page_url(name, decision))
    assert response.status_code in expected
    if actor == "anonymous":
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("method", "name"), OWNED_API)
@pytest.mark.parametrize(
    ("actor", "expected"),
    [("owner", {200, 201, 204}), ("other", {404}), ("editor", {404}), ("anonymous", {401})],
)
def test_decision_api_by_actor(decision, user, other, editor, method, name, actor, expected):
    api = APIClient()
    if actor != "anonymous":
        api.force_authenticate({"owner": user, "other": other, "editor": editor}[actor])
    response = getattr(api, method)(reverse(name, args=[decision.pk]), {}, format="json")
    assert response.status_code in expected


@pytest.mark.parametrize("actor", ["owner", "other", "editor"])
def test_lists_show_only_your_own(client, decision, user, other, editor, actor):
    make_decision(other, title="Someone else's choice")
    as_actor(client, actor, user, other, editor)
    titles = [d.title for d in client.get(reverse("decisions:list")).context["page_obj"]]
    api = APIClient()
    api.force_authenticate({"owner": user, "other": other, "editor": editor}[actor])
    api_titles = [d["title"] for d in api.get(reverse("api:decision-list")).json()["results"]]
    expected = {
        "owner": ["Framework for the billing service"],
        "other": ["Someone else's choice"],
        "editor": [],
    }[actor]
    assert titles == api_titles == expected


def test_anonymous_list_is_a_login_redirect_and_a_401(client, decision):
    assert client.get(reverse("decisions:list")).status_code == 302
    assert APIClient().get(reverse("api:decision-list")).status_code == 401


@pytest.mark.parametrize("actor", ["owner", "other", "editor", "anonymous"])
def test_shared_link_is_read_only_for_everyone(client, decision, user, other, editor, actor):
    decision_set_sharing(decision=decision, shared=True)
    as_actor(client, actor, user, other, editor)
    response = client.get(decision.get_share_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert decision.title in html
    if actor != "owner":
        assert reverse("decisions:edit", args=[decision.pk]) not in html
        assert reverse("decisions:delete", args=[decision.pk]) not in html


def test_turning_sharing_off_makes_the_old_link_404(client, decision):
    decision_set_sharing(decision=decision, shared=True)
    url = decision.get_share_url()
    decision_set_sharing(decision=decision, shared=False)
    assert client.get(url).status_code == 404


def test_decisions_are_private_by_default(client, decision):
    assert decision.share_token is None
    assert client.get("/d/not-a-token/").status_code == 404


@pytest.mark.parametrize("pk", [999999, 0])
def test_unknown_ids_are_404(client, seeded, user, pk):
    client.force_login(user)
    assert client.get(f"/decisions/{pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/decisions/{pk}/").status_code == 404


def test_non_numeric_id_is_404_not_500(client, user):
    client.force_login(user)
    assert client.get("/decisions/abc/").status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/decisions/abc/").status_code == 404


def test_editors_do_not_see_decisions_in_either_admin(client, decision, editor):
    client.force_login(editor)
    assert client.get("/django-admin/decisions/decision/").status_code in (302, 403, 404)
    wagtail = client.get("/admin/").content.decode()
    assert decision.title not in wagtail


def test_superusers_may_see_decisions_in_the_django_admin(client, decision, superuser):
    client.force_login(superuser)
    response = client.get("/django-admin/decisions/decision/")
    assert response.status_code == 200
    assert decision.title in response.content.decode()


def test_forms_are_csrf_protected(decision, user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("decisions:delete", args=[decision.pk])).status_code == 403
    assert client.post(reverse("decisions:share", args=[decision.pk]), {"shared": "1"}).status_code == 403
