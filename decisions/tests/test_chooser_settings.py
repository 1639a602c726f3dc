"""Saved decisions keep the chooser's must-haves, own weights, constraints, verdict and stack."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from comparisons.models import Rating
from decisions.exports import decision_as_dict, decision_as_markdown
from decisions.madr import md_escape_line
from decisions.models import Decision
from decisions.services import drift_for
from decisions.tests.factories import make_decision

pytestmark = pytest.mark.django_db

QUERY = "project=api&needs=admin&needs=api_docs&must=admin&weight_performance=2"


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_saving_from_the_chooser_stores_its_settings(client, seeded, user):
    client.force_login(user)
    form = client.get(f"{reverse('decisions:new')}?{QUERY}")
    assert form.status_code == 200
    html = form.content.decode()
    assert "Must have" in html and "Your weight for Performance" in html
    assert f"?{QUERY.replace('&', '&amp;')}" in html  # the back link and the form keep every setting

    response = client.post(
        f"{reverse('decisions:new')}?{QUERY}", {"title": "Admin API", "chosen_framework": "django"}
    )
    assert response.status_code == 302
    decision = Decision.objects.with_snapshots().get()
    assert decision.must_have == ["admin"]
    assert decision.tuned_weights == {"performance": 2}
    assert decision.constraints == {}
    assert decision.verdict in {"clear", "close_call", "tie"}
    result = decision.latest_snapshot.result
    assert decision.verdict == result["verdict"]
    assert decision.stack["framework"] == decision.recommended
    assert result["weights"]["performance"] == 2  # the own weight replaced the implied one
    ruled = {r["framework"] for r in result["ranking"] if r["ruled_out"]}
    assert ruled, "no framework without an admin was ruled out"
    assert decision.recommended not in ruled


def test_a_bad_setting_in_the_link_is_a_form_error(client, seeded, user):
    client.force_login(user)
    response = client.get(f"{reverse('decisions:new')}?project=api&weight_admin=12")
    assert response.status_code == 400
    assert "whole number from -3 to +3" in response.content.decode()


def test_drift_and_reevaluation_use_the_must_haves(client, seeded, user):
    decision = make_decision(
        user,
        answers={"project": ["saas"], "needs": ["orm"]},
        must_have=["orm"],
        tuned_weights={"jobs": 1},
    )
    assert decision.recommended == "django"
    before = decision.latest_snapshot.result
    assert not next(r for r in before["ranking"] if r["framework"] == "django")["ruled_out"]

    rating = Rating.objects.get(framework__slug="django", aspect__slug="orm")
    rating.score = 0
    rating.save()

    drift = drift_for([Decision.objects.with_snapshots().get(pk=decision.pk)])[decision.pk]
    assert "Django is now ruled out" in drift.message

    client.force_login(user)
    client.post(reverse("decisions:reevaluate", args=[decision.pk]))
    decision.refresh_from_db()
    latest = Decision.objects.with_snapshots().get(pk=decision.pk).latest_snapshot.result
    assert next(r for r in latest["ranking"] if r["framework"] == "django")["ruled_out"]
    assert decision.verdict == latest["verdict"]
    assert latest["weights"]["jobs"] == 1


def madr_of(user, **fields):
    decision = make_decision(user, **fields)
    return Decision.objects.with_snapshots().get(pk=decision.pk), decision_as_markdown(
        Decision.objects.with_snapshots().get(pk=decision.pk)
    )


def drivers_of(record):
    return record.split("## Decision Drivers\n\n", 1)[1].split("\n\n", 1)[0].splitlines()


def test_madr_lists_must_haves_first_then_weights_and_the_stack_in_the_outcome(seeded, user):
    decision, record = madr_of(
        user,
        answers={"project": ["api"], "needs": ["orm", "api_docs"]},
        must_have=["orm"],
        tuned_weights={"performance": 2},
    )
    drivers = drivers_of(record)
    assert drivers[0] == "* Must have: Built-in ORM (built in, or covered by a companion in the stack)"
    assert "(weight " in drivers[1]
    assert "* Performance (weight +2, our own weight, counts for)" in drivers
    outcome = record.split("## Decision Outcome", 1)[1].split("### Consequences", 1)[0]
    stack = decision.stack
    assert stack["framework"] == decision.recommended
    assert "Recommended stack:" in outcome
    for companion in stack["companions"]:
        assert f"* {companion['name']}" in outcome
    assert "Stackfit called it a" in outcome
    # Frameworks without an ORM or a companion for one are listed with the reason.
    ruled = [r for r in decision.latest_snapshot.result["ranking"] if r["ruled_out"]]
    for ranked in ruled:
        assert f"* {ranked['name']}: {md_escape_line(ranked['ruled_out'][0]['reason'])}" in outcome


def test_madr_lists_constraints_after_the_weights(seeded, user):
    _, record = madr_of(
        user,
        answers={"project": ["web_app"], "needs": ["auth"]},
        must_have=["auth"],
        constraints={"supported_until": "2026-01-01", "no_open_advisories": True},
    )
    drivers = drivers_of(record)
    assert drivers[0].startswith("* Must have: Built-in auth")
    last_weight = max(i for i, line in enumerate(drivers) if "(weight " in line)
    until = drivers.index("* Constraint: supported at least until 2026\\-01\\-01")
    advisories = drivers.index("* Constraint: no open security advisories on the latest release")
    assert last_weight < until < advisories


def test_json_export_includes_the_settings(seeded, user):
    decision = make_decision(
        user,
        answers={"project": ["api"]},
        must_have=["api_docs"],
        tuned_weights={"async": -1},
        constraints={"python": "3.12", "no_open_advisories": True},
    )
    exported = json.loads(json.dumps(decision_as_dict(Decision.objects.with_snapshots().get(pk=decision.pk))))
    assert exported["must_have"] == ["api_docs"]
    assert exported["tuned_weights"] == {"async": -1}
    assert exported["constraints"] == {"python": "3.12", "no_open_advisories": True}
    assert exported["verdict"] == decision.verdict
    # Every framework is ruled out here (no release facts in the seed): no stack, null.
    assert exported["stack"] == (decision.stack or None)


def test_api_saves_and_shows_the_settings(api, seeded):
    body = {
        "title": "Service",
        "answers": {"project": "api", "needs": ["admin"]},
        "must_have": ["admin", "admin"],
        "tuned_weights": {"performance": 3},
        "constraints": {"no_open_advisories": False},
    }
    response = api.post(reverse("api:decision-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["must_have"] == ["admin"]
    assert data["tuned_weights"] == {"performance": 3}
    assert data["constraints"] == {}
    assert data["verdict"] in {"clear", "close_call", "tie"}
    assert data["stack"]["framework"] == data["recommended"]
    assert data["snapshot"]["result"]["weights"]["performance"] == 3
    detail = api.get(reverse("api:decision-detail", args=[data["id"]])).json()
    assert detail["must_have"] == ["admin"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"must_have": ["nonsense"]}, "must_have"),
        ({"must_have": "admin"}, "must_have"),
        ({"tuned_weights": {"performance": 4}}, "tuned_weights"),
        ({"tuned_weights": {"type": 1}}, "tuned_weights"),
        ({"constraints": {"python": "three"}}, "constraints.python"),
        ({"constraints": {"supported_until": "2026-02-30"}}, "constraints.supported_until"),
    ],
)
def test_api_refuses_bad_settings_naming_the_field(api, seeded, extra, field):
    body = {"title": "Service", "answers": {"project": "api"}} | extra
    response = api.post(reverse("api:decision-list"), body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors or field.split(".")[0] in errors, errors
    assert Decision.objects.count() == 0


def test_the_schema_documents_the_settings(api, seeded):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    decision = schema["components"]["schemas"]["Decision"]["properties"]
    for name in ("must_have", "tuned_weights", "constraints", "verdict", "stack"):
        assert name in decision
    create = schema["components"]["schemas"]["DecisionCreateRequest"]["properties"]
    assert {"must_have", "tuned_weights", "constraints"} <= set(create)


@pytest.mark.parametrize(
    ("constraints", "field"),
    [
        ([], "constraints"),
        ("3.12", "constraints"),
        ({}, "constraints"),
        ({"python": ""}, "constraints.python"),
    ],
)
def test_api_refuses_constraints_that_are_not_a_filled_object(api, seeded, constraints, field):
    body = {"title": "Service", "answers": {"project": "api"}, "constraints": constraints}
    response = api.post(reverse("api:decision-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
