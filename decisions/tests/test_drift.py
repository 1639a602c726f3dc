"""Drift: the same answers give a different answer today."""

import pytest
from django.urls import reverse

from comparisons.models import Rating
from decisions.drift import detect_drift
from decisions.models import Decision
from decisions.services import drift_for
from decisions.tests.factories import DecisionFactory, make_decision

pytestmark = pytest.mark.django_db


def result(recommended, scores):
    return {
        "recommended": recommended,
        "ranking": [{"framework": f, "name": f.title(), "score": s} for f, s in scores.items()],
    }


def test_no_drift_when_nothing_moved():
    before = result("django", {"django": 80, "flask": 40})
    assert detect_drift(before, {}, before, {}, {}) is None


def test_small_score_moves_are_not_drift():
    assert (
        detect_drift(result("django", {"django": 80}), {}, result("django", {"django": 77}), {}, {}) is None
    )


def test_a_new_winner_is_drift_and_says_why():
    inputs_before = {"weights": {"performance": 3}, "ratings": {"django": {"performance": 2}}}
    inputs_after = {"weights": {"performance": 3}, "ratings": {"django": {"performance": 5}}}
    drift = detect_drift(
        result("fastapi", {"fastapi": 70, "django": 60}),
        inputs_before,
        result("django", {"django": 75, "fastapi": 70}),
        inputs_after,
        {"performance": "Performance"},
    )
    assert drift.message == (
        "Today Stackfit would recommend Django (was Fastapi): Django's performance rating changed (2 → 5)."
    )


def test_editor_change_shows_as_drift_on_the_page(client, seeded, user):
    decision = make_decision(user, answers={"project": ["web_app"], "team": ["small_fast"]})
    assert decision.recommended == "django"
    for aspect in ["admin", "auth", "orm"]:
        rating = Rating.objects.get(framework__slug="django", aspect__slug=aspect)
        rating.score = 0
        rating.save()

    client.force_login(user)
    listing = client.get(reverse("decisions:list")).content.decode()
    page = client.get(decision.get_absolute_url()).content.decode()

    for html in (listing, page):
        assert "Today Stackfit would recommend Flask (was Django)" in html
        assert "Django&#x27;s admin panel rating changed (5 → 0)" in html

    client.post(reverse("decisions:reevaluate", args=[decision.pk]))
    decision = Decision.objects.with_snapshots().get(pk=decision.pk)
    assert decision.recommended == "flask"
    assert decision.snapshots.count() == 2
    assert "Today Stackfit would recommend" not in client.get(decision.get_absolute_url()).content.decode()


def test_drift_for_a_page_of_decisions_costs_constant_queries(seeded, user, django_assert_num_queries):
    DecisionFactory.create_batch(50, owner=user)
    rating = Rating.objects.get(framework__slug="django", aspect__slug="admin")
    rating.score = 0
    rating.save()
    decisions = list(Decision.objects.owned_by(user).with_snapshots())
    drift_for(decisions)  # builds today's snapshot once
    with django_assert_num_queries(1):  # the content-version check, nothing per decision
        drifts = drift_for(decisions)
    assert len(drifts) == 50
