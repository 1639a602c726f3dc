"""Whatever reaches the chooser, the compare page and the recommendation API: an answer or a 4xx."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from comparisons.snapshot import get_snapshot
from portal.tests.strategies import FUZZ, hostile_text, injected_markup, json_value, plain_text

pytestmark = pytest.mark.django_db

QUESTIONS = ["project", "needs", "io", "team", "priority", "codebase"]
OPTIONS = ["saas", "content", "api", "ml", "admin", "orm", "heavy", "typed", "performance", "new"]
ASPECTS = ["performance", "async", "admin", "orm", "learning_curve"]

query_key = st.sampled_from([*QUESTIONS, "utm_source", "fw", "diff"]) | plain_text
query_value = st.sampled_from(OPTIONS) | hostile_text
query_pairs = st.lists(st.tuples(query_key, query_value), max_size=8)


def known_answers_only(pairs) -> bool:
    """True when every answer given names a real option of its question."""
    snapshot = get_snapshot()
    return all(
        snapshot.question(key).option(value) is not None
        for key, value in pairs
        if value and snapshot.question(key) is not None
    )


@FUZZ
@given(pairs=query_pairs)
def test_chooser_result_url_is_a_result_or_a_400_naming_the_question(client, seeded, pairs):
    response = client.get(f"{reverse('comparisons:chooser')}?{urlencode(pairs)}")
    answered = {key for key, value in pairs if key in QUESTIONS and value}

    assert response.status_code in (200, 400)
    assert injected_markup(response.content.decode()) == []
    if response.status_code == 400:
        messages = response.context["errors"]
        assert messages
        assert all(any(f"“{question}”" in message for question in answered) for message in messages)
    elif answered:
        assert response.context["result"]["ranking"]
    if answered and known_answers_only(pairs):
        assert response.status_code == 200


@FUZZ
@given(pairs=query_pairs)
def test_chooser_form_post_redirects_to_a_result_or_is_a_400(client, seeded, pairs):
    response = client.post(
        reverse("comparisons:chooser"), urlencode(pairs), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert response["Location"].startswith(f"{reverse('comparisons:chooser')}?")
        assert client.get(response["Location"]).status_code == 200
    else:
        assert response.context["errors"]


@FUZZ
@given(pairs=query_pairs)
def test_compare_and_scenarios_ignore_any_query(client, seeded, pairs):
    query = urlencode(pairs)
    for url in (reverse("comparisons:compare"), reverse("comparisons:scenarios")):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        assert injected_markup(response.content.decode()) == []


def test_raw_bytes_in_the_query_string_are_not_a_500(client, seeded):
    for query in ("project=%00", "project=%ff%fe", "needs=%C0%80", "%00=%00", "project=saas&" * 2000):
        response = client.get(f"{reverse('comparisons:chooser')}?{query}")
        assert response.status_code in (200, 400), query


# POST /api/v1/recommendations/: the same engine behind JSON.

answers = st.dictionaries(
    st.sampled_from(QUESTIONS) | hostile_text,
    st.sampled_from(OPTIONS) | st.lists(query_value, max_size=3) | json_value,
    max_size=4,
)
weights = st.dictionaries(
    st.sampled_from(ASPECTS) | hostile_text, st.integers(-4, 4) | st.floats(-5, 5) | json_value, max_size=3
)


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


@FUZZ
@given(body=st.fixed_dictionaries({}, optional={"answers": answers, "weights": weights}) | json_value)
def test_recommendation_api_answers_or_says_which_field_is_wrong(seeded, body):
    response = APIClient().post(reverse("api:recommendations"), body, format="json")

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 200:
        assert response.json()["ranking"]
    else:
        assert response.json()
    if contains_nul(body):
        assert response.status_code == 400


def test_recommendation_api_refuses_what_is_not_json(seeded):
    url = reverse("api:recommendations")
    client = APIClient()
    for body in (b"{", b"\xff\xfe\x00", b'{"answers": NaN}', b'{"answers": {"project": "saas\\u0000"}}'):
        assert client.post(url, body, content_type="application/json").status_code == 400, body
    form = client.post(url, "answers=saas", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415


def test_oversized_recommendation_request_is_refused(seeded):
    body = json.dumps({"answers": {"project": "saas"}, "weights": {}, "padding": "x" * 3_000_000})
    response = APIClient().post(reverse("api:recommendations"), body, content_type="application/json")
    assert response.status_code == 413
