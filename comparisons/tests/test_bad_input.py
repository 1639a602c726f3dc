"""Whatever reaches the chooser, the compare page and the recommendation API: an answer or a 4xx."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from comparisons.engine import MAX_REPORTED
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


must_have = st.lists(st.sampled_from(ASPECTS) | hostile_text | json_value, max_size=3) | json_value
constraints = (
    st.dictionaries(
        st.sampled_from(["python", "supported_until", "no_open_advisories"]) | hostile_text,
        st.sampled_from(["3.12", "2027-01-31", "2027-W01-1"]) | st.booleans() | json_value,
        max_size=3,
    )
    | json_value
)


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {},
        optional={"answers": answers, "weights": weights, "must_have": must_have, "constraints": constraints},
    )
    | json_value
)
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


# Issue 11: an error body stays small whatever the request repeats or lists.
MAX_ERROR_BYTES = 4096


def huge_list(item: str) -> list[str]:
    """One value repeated to about 2 MB of JSON, under the 2.5 MB body limit."""
    return [item] * (2_000_000 // (len(item) + 4))


def test_one_unknown_option_repeated_to_2_mb_is_a_small_400(seeded):
    body = {"answers": {"needs": huge_list("zz")}}
    response = APIClient().post(reverse("api:recommendations"), body, format="json")

    assert response.status_code == 400
    assert len(response.content) < MAX_ERROR_BYTES
    assert response.json()["answers"]["needs"] == [
        "Unknown option “zz” for “needs”; expected one of: "
        "admin, orm, auth, templates, api_docs, validation, security."
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"needs": [f"o{n}" for n in range(200_000)]}},
        {"answers": {f"q{n}": "x" for n in range(100_000)}},
        {"answers": {f"q{n}": "" for n in range(100_000)}},
        {"weights": {f"a{n}": 1 for n in range(100_000)}},
        {f"extra{n}": 1 for n in range(100_000)},
    ],
    ids=["distinct-options", "questions", "blank-answers", "aspects", "top-level-fields"],
)
def test_many_bad_values_are_a_small_400_listing_the_first_and_counting_the_rest(seeded, body):
    response = APIClient().post(reverse("api:recommendations"), body, format="json")

    assert response.status_code == 400
    assert len(response.content) < MAX_ERROR_BYTES
    errors = response.json()
    field = next(iter(body))
    assert (field if field in ("answers", "weights") else "extra0") in errors
    messages = [
        m
        for group in errors.values()
        for ms in (group.values() if isinstance(group, dict) else [group])
        for m in ms
    ]
    assert len(messages) <= MAX_REPORTED + 1
    assert "more" in messages[-1]


def page_without_own_url(response) -> str:
    # The page's og:url repeats the request's own URL, as long as the request and no longer.
    return re.sub(r'<meta property="og:url"[^>]*>', "", response.content.decode())


def test_the_chooser_page_answers_a_huge_repeated_query_with_a_small_error(client, seeded):
    small = client.get(f"{reverse('comparisons:chooser')}?needs=zz")
    query = urlencode([("needs", "zz")] * 9_000 + [("needs", f"o{n}") for n in range(900)])
    huge = client.get(f"{reverse('comparisons:chooser')}?{query}")
    posted = client.post(
        reverse("comparisons:chooser"), query, content_type="application/x-www-form-urlencoded"
    )

    for response in (huge, posted):
        assert response.status_code == 400
        errors = response.context["errors"]
        assert len(errors) == MAX_REPORTED + 1
        assert all("“needs”" in message for message in errors[:MAX_REPORTED])
        assert errors[-1] == "…and 891 more problems, not listed."
        grown = len(page_without_own_url(response)) - len(page_without_own_url(small))
        assert grown < MAX_ERROR_BYTES


def test_a_2_mb_slug_is_cut_short_in_its_400(seeded):
    body = {"answers": {"project": "x" * 2_000_000}}
    response = APIClient().post(reverse("api:recommendations"), body, format="json")

    assert response.status_code == 400
    assert len(response.content) < MAX_ERROR_BYTES
    (message,) = response.json()["answers"]["project"]
    assert message.startswith(f"Unknown option “{'x' * 39}…” for “project”")


bad_value = st.sampled_from(["zz", "admin", "", "saas"]) | hostile_text


@FUZZ
@given(values=st.lists(bad_value, min_size=1, max_size=30), repeat=st.integers(1, 20_000))
def test_any_list_of_repeated_or_unknown_values_gets_an_error_under_the_cap(seeded, values, repeat):
    # Three copies of the list stay under the 2.5 MB body limit (else it is a 413).
    widest = max(len(json.dumps(value)) + 2 for value in values)
    items = (values * repeat)[: 700_000 // widest]
    body = {
        "answers": {"needs": items, "project": items, items[0]: items},
        "weights": dict.fromkeys(values, 9),
    }
    response = APIClient().post(reverse("api:recommendations"), body, format="json")

    assert response.status_code == 400
    assert len(response.content) < MAX_ERROR_BYTES
