import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from decisions.models import Decision
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_with_review_by_and_read_it_back(api, seeded):
    review_by = (timezone.localdate() + timedelta(days=180)).isoformat()
    body = {"title": "Our API", "answers": {"project": "api"}, "review_by": review_by}
    response = api.post(reverse("api:decision-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["review_by"], data["reviewed_at"]) == (review_by, None)
    assert (data["needs_attention"], data["attention"]) == (False, [])


def test_bad_review_by_is_a_400_naming_the_field(api, seeded):
    body = {"title": "Our API", "answers": {"project": "api"}, "review_by": "next spring"}
    response = api.post(reverse("api:decision-list"), body, format="json")
    assert response.status_code == 400
    assert "review_by" in response.json()
    decision = make_decision(api.handler._force_user)
    url = reverse("api:decision-detail", args=[decision.pk])
    assert "review_by" in api.patch(url, {"review_by": "2026-02-30"}, format="json").json()


def test_due_decision_shows_its_reasons_until_marked_reviewed(api, seeded, user):
    decision = make_decision(user, review_by=timezone.localdate() - timedelta(days=1))
    url = reverse("api:decision-detail", args=[decision.pk])
    data = api.get(url).json()
    assert data["needs_attention"] is True
    assert [item["reason"] for item in data["attention"]] == ["review_due"]
    listed = api.get(reverse("api:decision-list")).json()["results"]
    assert listed[0]["attention"] == data["attention"]

    data = api.patch(url, {"reviewed": True}, format="json").json()
    assert (data["needs_attention"], data["attention"]) == (False, [])
    assert data["reviewed_at"] is not None

    # A new review date in the past is a new reason; clearing the date removes it.
    data = api.patch(url, {"review_by": "2020-01-01"}, format="json").json()
    assert data["needs_attention"] is True
    data = api.patch(url, {"review_by": None}, format="json").json()
    assert (data["review_by"], data["needs_attention"]) == (None, False)
    assert Decision.objects.get().review_by is None


def test_schema_describes_the_attention_fields(api, seeded):
    response = api.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    decision = schema["components"]["schemas"]["Decision"]["properties"]
    assert decision["needs_attention"]["type"] == "boolean"
    assert decision["attention"]["items"]["$ref"].endswith("/Attention")
    reason = schema["components"]["schemas"]["Attention"]["properties"]["reason"]
    assert reason["allOf"] == [{"$ref": "#/components/schemas/AttentionReasonEnum"}]
    enum = schema["components"]["schemas"]["AttentionReasonEnum"]["enum"]
    assert set(enum) == {"review_due", "support_ending", "advisory"}
