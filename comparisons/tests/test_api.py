import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework import status
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from comparisons.models import Option, OptionWeight

pytestmark = pytest.mark.django_db

RECOMMEND = "api:recommendations"


@pytest.fixture
def api():
    return APIClient()


def recommend(api, body, **kwargs):
    return api.post(reverse(RECOMMEND), body, format="json", **kwargs)


def test_recommendation_has_the_documented_shape(api, seeded):
    response = recommend(api, {"answers": {"project": "ml", "needs": ["api_docs"]}})

    assert response.status_code == status.HTTP_200_OK
    data = response.json()
    assert data["recommended"] == "fastapi"
    assert [r["framework"] for r in data["ranking"]][0] == "fastapi"
    assert {"framework", "name", "score", "contributions", "reasons"} <= set(data["ranking"][0])
    # The project votes through its scenario; the need adds its aspect.
    assert set(data["ranking"][0]["contributions"]) == {"api_docs", "scenario:ml-serving"}
    assert data["ranking"][0]["reasons"][0]["text"]
    assert [s["slug"] for s in data["matched_scenarios"]] == ["ml-serving"]
    assert data["close_call"] is False
    assert data["flip"] is None
    assert len(data["fingerprint"]) == 16


def test_weights_alone_are_accepted(api, seeded):
    response = recommend(api, {"weights": {"admin": 3, "orm": 2.5}})
    assert response.status_code == 200
    assert response.json()["recommended"] == "django"


def test_equal_input_gives_equal_output(api, seeded):
    body = {"answers": {"project": "api", "team": "large", "needs": ["auth", "admin"]}}
    assert recommend(api, body).json() == recommend(api, body).json()


@pytest.mark.parametrize(
    ("body", "field", "key", "message"),
    [
        ({"answers": {"colour": "red"}}, "answers", "colour", "Unknown question"),
        ({"answers": {"project": "spaceship"}}, "answers", "project", "Unknown option"),
        ({"answers": {"project": ["saas", "api"]}}, "answers", "project", "single-choice"),
        ({"weights": {"vibes": 1}}, "weights", "vibes", "Unknown aspect"),
        ({"weights": {"performance": "lots"}}, "weights", "performance", "number"),
        ({"weights": {"performance": 7}}, "weights", "performance", "between"),
        ({"weights": {"best_for": 1}}, "weights", "best_for", "text aspect"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, seeded, body, field, key, message):
    response = recommend(api, body)
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert message in response.json()[field][key][0]


@pytest.mark.parametrize("body", [{}, {"answers": {}}, {"answers": {}, "weights": {}}])
def test_empty_input_is_a_400(api, seeded, body):
    response = recommend(api, body)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize("body", [[1, 2], "saas", 3, None])
def test_a_body_that_is_not_an_object_is_a_400(api, seeded, body):
    response = api.post(reverse(RECOMMEND), body, format="json")
    assert response.status_code == 400


def test_unknown_top_level_field_is_named(api, seeded):
    response = recommend(api, {"answers": {"project": "ml"}, "score": 100})
    assert response.status_code == 400
    assert "score" in response.json()


def test_malformed_json_is_a_400(api, seeded):
    response = api.post(reverse(RECOMMEND), data='{"answers": {', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_empty_body_is_a_400(api, seeded):
    response = api.post(reverse(RECOMMEND), data="", content_type="application/json")
    assert response.status_code == 400


def test_wrong_content_type_is_a_415(api, seeded):
    response = api.post(reverse(RECOMMEND), data="project=ml", content_type="text/plain")
    assert response.status_code == status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    response = api.post(reverse(RECOMMEND), {"answers": "x"})  # multipart form
    assert response.status_code == 415


def test_get_is_not_allowed(api, seeded):
    assert api.get(reverse(RECOMMEND)).status_code == status.HTTP_405_METHOD_NOT_ALLOWED


def test_anonymous_callers_are_throttled(api, seeded, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    cache.clear()
    codes = [recommend(api, {"answers": {"project": "ml"}}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = recommend(api, {"answers": {"project": "ml"}})
    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0


def test_read_endpoints_list_the_matrix_and_chooser(api, seeded):
    frameworks = api.get(reverse("api:framework-list")).json()
    assert [f["slug"] for f in frameworks] == ["flask", "django", "fastapi", "quart", "litestar"]
    detail = api.get(reverse("api:framework-detail", args=["fastapi"])).json()
    assert {r["aspect"] for r in detail["ratings"]} >= {"performance", "async"}
    assert len(api.get(reverse("api:aspect-list")).json()) == 14
    assert len(api.get(reverse("api:scenario-list")).json()) >= 14
    matrix = api.get(reverse("api:matrix")).json()
    assert len(matrix["ratings"]) == 70
    questions = api.get(reverse("api:question-list")).json()
    assert [q["slug"] for q in questions] == [
        "project",
        "needs",
        "io",
        "team",
        "priority",
        "codebase",
    ]
    project = questions[0]
    assert [o["slug"] for o in project["options"]][:3] == ["saas", "content", "api"]
    assert project["options"][0]["weights"]["admin"] == 3
    assert project["options"][0]["scenarios"] == ["saas"]


def test_unknown_framework_is_a_404(api, seeded):
    assert api.get(reverse("api:framework-detail", args=["rails"])).status_code == 404


def test_read_endpoints_cost_constant_queries(api, seeded, django_assert_max_num_queries):
    # One of these reads the content version, for the ETag and the cache key.
    with django_assert_max_num_queries(7):
        api.get(reverse("api:question-list"))
    with django_assert_max_num_queries(5):
        api.get(reverse("api:matrix"))


def test_a_second_read_of_unchanged_content_is_served_from_the_cache(api, seeded, django_assert_num_queries):
    first = api.get(reverse("api:matrix"))

    with django_assert_num_queries(1):
        second = api.get(reverse("api:matrix"))

    assert second.json() == first.json()
    assert second["ETag"] == first["ETag"]


def test_schema_documents_every_endpoint(api):
    response = api.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/recommendations/",
        "/api/v1/frameworks/",
        "/api/v1/frameworks/{slug}/",
        "/api/v1/aspects/",
        "/api/v1/matrix/",
        "/api/v1/scenarios/",
        "/api/v1/questions/",
    ]:
        assert path in paths
    assert not any(p.startswith("/admin/") for p in paths)


def test_swagger_ui_is_served_without_a_cdn(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_editor_changing_an_option_weight_changes_the_answer(api, client, editor, seeded):
    """An editor removes the scenario pull and turns `prototype` towards admin-heavy work."""
    before = recommend(api, {"answers": {"project": "prototype"}}).json()
    assert before["recommended"] == "flask"

    option = Option.objects.get(question__slug="project", slug="prototype")
    client.force_login(editor)
    weights = [
        {
            "id": w.pk,
            "aspect": w.aspect_id,
            "weight": -3 if w.aspect.slug == "learning_curve" else 0,
        }
        for w in option.weights.select_related("aspect")
    ]
    admin = OptionWeight._meta.get_field("aspect").related_model.objects.get(slug="admin")
    weights.append({"id": "", "aspect": admin.pk, "weight": 3})
    data = nested_form_data(
        {
            "question": option.question_id,
            "slug": option.slug,
            "label": option.label,
            "description": option.description,
            "scenarios": [],
            "weights": inline_formset(weights, initial=len(weights) - 1),
            "action-publish": "action-publish",
        }
    )
    response = client.post(reverse("wagtailsnippets_comparisons_option:edit", args=[option.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    after = recommend(api, {"answers": {"project": "prototype"}}).json()
    assert after["recommended"] == "django"
    assert after["matched_scenarios"] == []
    assert after["fingerprint"] != before["fingerprint"]


def test_schema_validates_as_openapi_3(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "openapi: 3" in target.read_text()


def test_the_schema_serializer_renders_a_result_exactly_as_the_api_answers():
    """The result's serializers are derived from the engine's dataclasses: one shape."""
    import json

    from comparisons.api.serializers import ResultSerializer
    from comparisons.engine import recommend as rank
    from comparisons.engine import result_to_dict
    from comparisons.tests.engine_data import seed_snapshot

    snapshot = seed_snapshot()
    question_answers = [{q.slug: (o.slug,)} for q in snapshot.questions for o in q.options]
    results = [rank(snapshot, answers) for answers in question_answers]
    assert any(result.flip for result in results) and any(result.matched_scenarios for result in results)
    for result in results:
        rendered = json.loads(json.dumps(ResultSerializer(result).data))
        assert rendered == result_to_dict(result)


def test_a_must_have_rules_out_and_says_why(api, seeded):
    response = recommend(api, {"answers": {"project": "ml"}, "must_have": ["auth"]})
    assert response.status_code == status.HTTP_200_OK
    data = response.json()
    ranked = {r["framework"]: r for r in data["ranking"]}
    assert ranked["fastapi"]["ruled_out"] == [
        {"aspect": "auth", "reason": "No built-in auth (0/5) and no companion covers it"}
    ]
    # Flask meets it with a companion, which its stack names.
    assert ranked["flask"]["ruled_out"] == []
    assert ["auth"] in [c["covers"] for c in ranked["flask"]["stack"]["companions"]]
    assert data["recommended"] not in {"fastapi", "litestar"}
    eligible = [r["framework"] for r in data["ranking"] if not r["ruled_out"]]
    assert [r["framework"] for r in data["ranking"]][: len(eligible)] == eligible
    assert data["verdict"] in {"clear", "close_call", "tie"}
    assert {"sensitivity", "combination", "margin", "all_ruled_out"} <= set(data)


def test_must_haves_alone_are_enough_to_go_on(api, seeded):
    response = recommend(api, {"must_have": ["admin"]})
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["recommended"] == "django"


def test_constraints_with_unknown_facts_rule_everything_out_and_say_so(api, seeded):
    body = {"answers": {"project": "saas"}, "constraints": {"no_open_advisories": True}}
    data = recommend(api, body).json()
    if all(not r["ruled_out"] for r in data["ranking"]):
        pytest.skip("every framework has release facts in this database")
    unknown = [r for r in data["ranking"] if r["ruled_out"]]
    assert all(r["ruled_out"][0]["aspect"] == "constraint:no_open_advisories" for r in unknown)


@pytest.mark.parametrize(
    ("body", "field", "key"),
    [
        ({"answers": {"project": "ml"}, "must_have": ["vibes"]}, "must_have", "vibes"),
        ({"answers": {"project": "ml"}, "must_have": ["best_for"]}, "must_have", "best_for"),
        ({"answers": {"project": "ml"}, "must_have": [7]}, "must_have", "7"),
        ({"answers": {"project": "ml"}, "must_have": "auth"}, "must_have", None),
        ({"answers": {"project": "ml"}, "constraints": {"python": 3.12}}, "constraints.python", None),
        (
            {"answers": {"project": "ml"}, "constraints": {"supported_until": "2027-02-30"}},
            "constraints.supported_until",
            None,
        ),
        (
            {"answers": {"project": "ml"}, "constraints": {"no_open_advisories": 1}},
            "constraints.no_open_advisories",
            None,
        ),
        ({"answers": {"project": "ml"}, "constraints": {"colour": "red"}}, "constraints.colour", None),
        ({"answers": {"project": "ml"}, "constraints": "3.12"}, "constraints", None),
        ({"answers": {"project": "ml"}, "must_have": []}, "non_field_errors", None),
        ({"constraints": {}}, "non_field_errors", None),
    ],
)
def test_bad_must_haves_and_constraints_are_a_400_naming_them(api, seeded, body, field, key):
    response = recommend(api, body)
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    errors = response.json()
    assert field in errors
    if key is not None:
        assert key in errors[field]


def test_constraints_alone_rank_by_eligibility_only(api, seeded):
    response = recommend(api, {"constraints": {"python": "3.12"}})
    assert response.status_code == status.HTTP_200_OK
    assert {r["score"] for r in response.json()["ranking"]} == {50.0}
