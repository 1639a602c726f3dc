"""Chooser 2.0 on the page: the permalink's must-haves, own weights and constraints, without JavaScript."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comparisons.answers import chooser_query, engine_weights, implied_weights, need_aspects
from comparisons.engine import Constraints
from comparisons.snapshot import get_snapshot
from comparisons.tests.factories import grow_matrix

pytestmark = pytest.mark.django_db

CHOOSER = "comparisons:chooser"
FULL = (
    "project=saas&needs=admin&needs=orm&must=admin&must=orm&weight_performance=2&weight_admin=-1"
    "&python=3.12&supported_until=2027-06-30&no_advisories=1"
)


def parse(query: str):
    return chooser_query(get_snapshot(), QueryDict(query))


def test_the_permalink_round_trips_every_part(seeded):
    parsed = parse(FULL)
    assert parsed.errors == ()
    assert parsed.answers == {"project": ["saas"], "needs": ["admin", "orm"]}
    assert parsed.must_have == ("admin", "orm")
    # Own weights come back in aspect order, whatever order the link used.
    assert parsed.own_weights == {"performance": 2, "admin": -1}
    assert parsed.constraints == Constraints(
        python="3.12", supported_until="2027-06-30", no_open_advisories=True
    )
    assert parse(parsed.to_query()) == parsed
    assert parse(parsed.to_query()).to_query() == parsed.to_query()


def test_repeated_must_haves_and_blank_weights_are_not_kept(seeded):
    parsed = parse("project=api&must=auth&must=auth&weight_admin=&python=")
    assert parsed.must_have == ("auth",)
    assert parsed.own_weights == {}
    assert parsed.to_query() == "project=api&must=auth"


def test_own_weight_replaces_the_implied_one(seeded):
    snapshot = get_snapshot()
    answers = {"needs": ("admin",), "priority": ("ship_fast",)}
    assert implied_weights(snapshot, answers)["admin"] == 4  # the admin need 3 + shipping fast 1
    weights = engine_weights(snapshot, answers, {"admin": -2, "performance": 3})
    assert weights == {"admin": -6.0, "performance": 3.0}
    # The engine adds explicit weights to implied ones: the combined weight is the decider's.
    response_weights = pytest.importorskip("comparisons.engine").combined_weights(snapshot, answers, weights)
    assert response_weights["admin"] == -2
    assert response_weights["performance"] == 3


def test_needs_are_found_from_the_data_not_by_name(seeded):
    needs = need_aspects(get_snapshot())
    # Every option of the multiple-choice question raising exactly one aspect is a need.
    assert needs[("needs", "admin")] == "admin"
    assert needs[("needs", "api_docs")] == "api_docs"
    # Single-choice options (what is built) raise several aspects and are never needs.
    assert not any(question == "project" for question, _ in needs)


def test_each_need_has_a_must_have_control_beside_it(client, seeded):
    html = client.get(reverse(CHOOSER)).content.decode()
    assert 'id="must-admin" name="must" value="admin" data-need="needs-admin"' in html
    assert 'aria-describedby="needs-admin-label"' in html
    assert 'name="must" value="templates"' in html
    # Options of single-choice questions get none.
    assert 'data-need="project-' not in html
    # Fine-tune: closed by default, one control per scored aspect, none for text aspects.
    assert '<details class="chooser-finetune" id="finetune">' in html
    assert 'name="weight_performance"' in html
    assert 'name="weight_type"' not in html


def test_a_marked_must_have_stays_marked_and_in_the_share_link(client, seeded):
    response = client.post(reverse(CHOOSER), {"project": "api", "needs": ["auth"], "must": ["auth"]})
    assert response.status_code == 303
    assert response["Location"] == "/chooser/?project=api&needs=auth&must=auth#result"


def test_fine_tune_without_javascript_changes_the_ranking(client, seeded):
    base = client.get("/chooser/?needs=admin")
    assert base.context["result"]["recommended"] == "django"
    html = base.content.decode()
    # The control starts at the implied weight, shown in words.
    assert "+3 (from your answers)" in html

    own = "weight_admin=-3&weight_auth=-3&weight_orm=-3&weight_performance=3&weight_async=3"
    tuned = client.get(f"/chooser/?needs=admin&{own}")
    assert tuned.status_code == 200
    result = tuned.context["result"]
    assert result["weights"]["admin"] == -3
    assert result["weights"]["performance"] == 3
    assert result["recommended"] != "django"
    html = tuned.content.decode()
    assert '<option value="-3" selected>-3</option>' in html
    assert '<details class="chooser-finetune" id="finetune" open>' in html
    assert own.replace("&", "&amp;") in html  # the share link


def test_posting_the_form_with_weights_and_constraints_redirects_to_the_permalink(client, seeded):
    response = client.post(
        reverse(CHOOSER),
        {
            "project": "ml",
            "weight_performance": "",
            "weight_admin": "2",
            "python": "3.12",
            "supported_until": "2027-01-31",
            "no_advisories": "1",
        },
    )
    assert response.status_code == 303
    assert response["Location"] == (
        "/chooser/?project=ml&weight_admin=2&python=3.12&supported_until=2027-01-31&no_advisories=1#result"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("project=saas&weight_admin=9", "The weight of Admin panel must be a whole number from -3 to +3"),
        ("project=saas&weight_admin=abc", "not “abc”"),
        ("project=saas&weight_admin=1.5", "not “1.5”"),
        ("project=saas&weight_type=1", "“type” cannot be weighted"),
        ("project=saas&weight_nothing=1", "“nothing” cannot be weighted"),
        ("project=saas&must=nothing", "“nothing” cannot be a must-have"),
        ("project=saas&must=type", "“type” cannot be a must-have"),
        ("project=saas&python=banana", "The Python version must look like 3.12"),
        ("project=saas&supported_until=2027-02-30", "must be a date as YYYY-MM-DD"),
        ("project=saas&supported_until=tomorrow", "must be a date as YYYY-MM-DD"),
        ("project=saas&no_advisories=yes", "“No open advisories” is either on"),
        ("project=spaceship&weight_admin=9", "Unknown option"),
    ],
)
def test_bad_values_are_form_errors_not_500(client, seeded, query, message):
    response = client.get(f"/chooser/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="chooser-errors"' in html
    assert "result" not in response.context


def test_posting_a_bad_weight_is_a_form_error(client, seeded):
    response = client.post(reverse(CHOOSER), {"project": "saas", "weight_admin": "7"})
    assert response.status_code == 400
    assert "whole number from -3 to +3" in response.content.decode()


def test_only_own_weights_are_enough_for_a_result(client, seeded):
    response = client.get("/chooser/?weight_performance=3")
    assert response.status_code == 200
    assert response.context["result"]["weights"] == {"performance": 3}


def test_the_result_lists_the_answers_given_each_with_a_link_to_change_it(client, seeded):
    html = client.get("/chooser/?project=saas&needs=admin&weight_performance=2").content.decode()
    assert 'href="#q-project" data-change="q-project"' in html
    assert 'href="#q-needs" data-change="q-needs"' in html
    assert 'href="#weight-performance" data-change="weight-performance"' in html
    assert "Your weight for Performance" in html


def test_the_headline_is_a_verdict_in_words_and_numbers(client, seeded):
    response = client.get("/chooser/?project=saas")
    shown = response.context["shown"]
    headline = shown["headline"]
    assert headline["first"]["framework"] == response.context["result"]["recommended"]
    assert headline["text"].startswith(("Clear winner:", "Close call:", "Tie:"))
    assert f"{headline['first']['name']} leads {headline['second']['name']} by" in headline["text"]
    assert "out of 100" in response.content.decode()


def count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_matrix_or_the_tuning(client, seeded):
    url = "/chooser/?project=saas&needs=admin&weight_performance=2&weight_admin=-1"
    small = count_queries(client, url)
    grow_matrix(frameworks=12, aspects=30)
    large = count_queries(client, url)
    assert large == small


def test_a_must_have_rules_frameworks_out_and_lists_them_after_the_eligible(client, seeded):
    response = client.get("/chooser/?project=api&needs=admin&must=admin")
    assert response.status_code == 200
    shown = response.context["shown"]
    assert shown["ruled_out"], "no framework without an admin was ruled out"
    assert shown["eligible"]
    for ranked in shown["ruled_out"]:
        assert [item["aspect"] for item in ranked["ruled_out"]] == ["admin"]
    html = response.content.decode()
    heading = html.index('id="ruled-out-title"')
    for ranked in shown["eligible"]:
        assert html.index(f'data-framework="{ranked["framework"]}"') < heading
    for ranked in shown["ruled_out"]:
        assert html.index(f'data-framework="{ranked["framework"]}"') > heading
        assert ranked["ruled_out"][0]["reason"] in html
    assert response.context["result"]["recommended"] == shown["eligible"][0]["framework"]
    assert 'data-need="needs-admin" aria-describedby="needs-admin-label" checked' in html


def test_when_every_framework_is_ruled_out_the_page_says_so_and_names_the_nearest(client, seeded):
    response = client.get("/chooser/?needs=auth&must=auth&must=admin&must=performance&must=async")
    shown = response.context["shown"]
    if shown["eligible"]:
        pytest.skip("some framework meets all four must-haves in this content")
    html = response.content.decode()
    assert "Every framework is ruled out" in html
    assert f"The nearest is <strong>{shown['nearest']['name']}</strong>" in html
    assert "No framework meets everything you require" in html
