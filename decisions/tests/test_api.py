import pytest
from django.urls import reverse
from rest_framework import status
from rest_framework.test import APIClient
from wagtail.models import APIToken

from comparisons.models import Rating
from decisions.models import Decision
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(api, **body):
    payload = {"title": "Our API", "answers": {"project": "api", "needs": ["api_docs"]}} | body
    return api.post(reverse("api:decision-list"), payload, format="json")


def test_create_computes_the_snapshot_on_the_server(api, seeded, user):
    response = create(api, result={"recommended": "flask"}, score=100)
    assert response.status_code == status.HTTP_201_CREATED, response.json()
    data = response.json()
    assert data["recommended"] == "fastapi"
    assert data["chosen_framework"] == "fastapi"
    assert data["snapshot"]["result"]["ranking"][0]["framework"] == "fastapi"
    assert data["status"] == "proposed"
    assert Decision.objects.get().owner == user


def test_create_with_a_different_choice_and_reason(api, seeded):
    response = create(api, chosen_framework="django", chosen_reason="The team knows Django.")
    assert response.status_code == 201
    assert response.json()["chosen_framework"] == "django"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"project": "spaceship"}}, "answers"),
        ({"answers": {}}, "non_field_errors"),
        ({"chosen_framework": "rails"}, "chosen_framework"),
        ({"status": "maybe"}, "status"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "null\x00byte"}, "title"),
        ({"notes": "a\x00b"}, "notes"),
        ({"weights": {"performance": 9}}, "weights"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, seeded, body, field):
    response = create(api, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Decision.objects.exists()


def test_patch_changes_status_notes_and_sharing(api, seeded, user):
    decision = make_decision(user)
    url = reverse("api:decision-detail", args=[decision.pk])
    response = api.patch(
        url, {"status": "accepted", "notes": "Agreed on Monday.", "shared": True}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["notes"], data["shared"]) == ("accepted", "Agreed on Monday.", True)
    assert data["share_url"].endswith(f"/d/{Decision.objects.get().share_token}/")
    assert api.patch(url, {"status": "maybe"}, format="json").status_code == 400
    assert api.patch(url, {"chosen_framework": "rails"}, format="json").status_code == 400
    assert api.put(url, {"title": "x"}, format="json").status_code == 405


def test_delete_removes_the_decision_and_its_history(api, seeded, user):
    decision = make_decision(user)
    assert api.delete(reverse("api:decision-detail", args=[decision.pk])).status_code == 204
    assert not Decision.objects.exists()


def test_export_markdown_and_json(api, seeded, user):
    decision = make_decision(user, title="Billing <script>alert(1)</script>")
    url = reverse("api:decision-export", args=[decision.pk])
    markdown = api.get(url, {"format": "md"})
    assert markdown.status_code == 200
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert text.startswith("# Billing &lt;script&gt;alert\\(1\\)&lt;/script&gt;")
    as_json = api.get(url, {"format": "json"})
    assert as_json.json()["snapshots"][0]["recommended"] == "django"
    bad = api.get(url, {"format": "xml"})
    assert bad.status_code == 400
    assert "format" in bad.json()


def test_reevaluate_keeps_history(api, seeded, user):
    decision = make_decision(user)
    rating = Rating.objects.get(framework__slug="flask", aspect__slug="admin")
    rating.score, rating.label = 5, "Flask-Admin"
    rating.save()
    response = api.post(reverse("api:decision-reevaluate", args=[decision.pk]))
    assert response.status_code == 201
    assert decision.snapshots.count() == 2


def test_list_is_paginated_and_searchable(api, seeded, user):
    for n in range(3):
        make_decision(user, title=f"Service {n}")
    make_decision(user, title="Marketing site")
    data = api.get(reverse("api:decision-list"), {"search": "service"}).json()
    assert data["count"] == 3
    assert [d["title"] for d in data["results"]] == ["Service 2", "Service 1", "Service 0"]


def test_personal_token_authenticates_and_revoked_token_does_not(seeded, user):
    token, key = APIToken.create_token(user=user, name="CI")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert create(api).status_code == 201
    token.revoked_at = token.created
    token.save()
    assert api.get(reverse("api:decision-list")).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer nope", "Bearer a b", "Bearer wagtail_xxx"])
def test_malformed_tokens_are_401(seeded, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    assert api.get(reverse("api:decision-list")).status_code == 401


def test_list_costs_constant_queries(api, seeded, user, django_assert_max_num_queries):
    for n in range(5):
        make_decision(user, title=f"D{n}")
    api.get(reverse("api:decision-list"))
    with django_assert_max_num_queries(6) as small:
        api.get(reverse("api:decision-list"))
    for n in range(30):
        make_decision(user, title=f"E{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get(reverse("api:decision-list"))


def test_create_answers_with_the_decision_as_a_read_shows_it(api, seeded):
    created = create(api)
    assert created.status_code == 201
    read = api.get(reverse("api:decision-detail", args=[created.json()["id"]]))
    assert created.json() == read.json()


# A snapshot as stored before the result's shape came from the engine's dataclasses.
STORED_RESULT = {
    "recommended": "django",
    "ranking": [
        {
            "framework": "django", "name": "Django", "score": 90.0, "guide_url": "",
            "contributions": {"admin": 20.0},
            "reasons": [{"aspect": "admin", "aspect_name": "Admin panel",
                         "text": "Admin panel: Yes (5/5), against Flask's No (0/5).",
                         "points": 40.0, "source_url": ""}],
        },
        {"framework": "flask", "name": "Flask", "score": 10.0, "guide_url": "",
         "contributions": {"admin": -20.0}, "reasons": []},
        {"framework": "fastapi", "name": "FastAPI", "score": 10.0, "guide_url": "",
         "contributions": {"admin": -20.0}, "reasons": []},
    ],
    "matched_scenarios": [{"slug": "admin-from-day-one", "situation": "An admin from day one",
                           "framework": "django", "framework_name": "Django", "companion": ""}],
    "weights": {"admin": 3.0},
    "close_call": False,
    "flip": None,
    "inputs": {"weights": {"admin": 3.0}, "scenarios": ["admin-from-day-one"],
               "ratings": {"django": {"admin": 5}, "flask": {"admin": 0}, "fastapi": {"admin": 0}}},
}  # fmt: skip


def test_a_snapshot_stored_earlier_still_loads_everywhere(api, client, seeded, user):
    decision = make_decision(user, answers={"needs": ["admin"]})
    decision.snapshots.update(result=STORED_RESULT, fingerprint="0" * 16)

    read = api.get(reverse("api:decision-detail", args=[decision.pk]))
    assert read.status_code == 200
    assert read.json()["snapshot"]["result"] == STORED_RESULT
    assert read.json()["drift"] is not None
    exported = api.get(reverse("api:decision-export", args=[decision.pk]), {"format": "json"})
    assert exported.json()["snapshots"][0]["result"] == STORED_RESULT
    record = api.get(reverse("api:decision-export", args=[decision.pk]), {"format": "md"}).content.decode()
    assert "Django: fit score 90/100" in record
    client.force_login(user)
    page = client.get(decision.get_absolute_url())
    assert page.status_code == 200
    assert "An admin from day one" in page.content.decode()
