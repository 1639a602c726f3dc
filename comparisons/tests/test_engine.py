"""The recommendation engine, table-driven over the seeded matrix and chooser."""

from dataclasses import replace

import pytest

from comparisons.engine import (
    CLOSE_CALL_MARGIN,
    MAX_ECHO,
    MAX_REPORTED,
    AspectInfo,
    FrameworkInfo,
    InvalidInput,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
    find_flip,
    recommend,
    result_to_dict,
    snapshot_from_dict,
    snapshot_to_dict,
    validate_input,
)
from comparisons.tests.engine_data import seed_snapshot

SNAPSHOT = seed_snapshot()


def run(answers=None, weights=None, snapshot=SNAPSHOT):
    clean_answers, clean_weights = validate_input(snapshot, answers or {}, weights or {})
    return recommend(snapshot, clean_answers, clean_weights)


# Every cheat-sheet row, chosen alone, comes out as the sheet says.
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"project": "saas"}, "django"),
        ({"project": "api"}, "fastapi"),
        ({"project": "prototype"}, "flask"),
        ({"project": "ml"}, "fastapi"),
        ({"project": "content"}, "django"),
        ({"project": "microservice"}, "fastapi"),
        ({"project": "learning"}, "flask"),
        ({"project": "web_app"}, "flask"),
        ({"codebase": "existing_flask"}, "flask"),
        ({"codebase": "existing_django"}, "django"),
        ({"codebase": "existing_fastapi"}, "fastapi"),
        ({"team": "small_fast"}, "django"),
        ({"needs": ["admin"]}, "django"),
        ({"needs": ["orm"]}, "django"),
        ({"io": "heavy"}, "fastapi"),
        ({"priority": "performance"}, "fastapi"),
        ({"priority": "simplicity"}, "flask"),
        ({"priority": "flexibility"}, "flask"),
    ],
)
def test_each_situation_alone_gives_the_cheat_sheet_answer(answers, expected):
    assert run(answers).recommended == expected


# Combinations stay sensible.
@pytest.mark.parametrize(
    ("answers", "not_expected", "expected"),
    [
        ({"project": "prototype", "team": "beginners"}, "django", "flask"),
        ({"project": "content", "needs": ["admin"]}, "fastapi", "django"),
        (
            {"project": "saas", "needs": ["admin", "auth", "orm"], "team": "small_fast"},
            "flask",
            "django",
        ),
        ({"project": "ml", "io": "heavy", "team": "typed"}, "django", "fastapi"),
        ({"project": "api", "needs": ["api_docs", "validation"]}, "flask", "fastapi"),
        ({"project": "learning", "priority": "simplicity"}, "django", "flask"),
    ],
)
def test_combinations_stay_sensible(answers, not_expected, expected):
    result = run(answers)
    assert result.recommended == expected
    assert result.recommended != not_expected


def test_matched_scenarios_follow_the_answers():
    result = run({"project": "content", "needs": ["admin", "orm"]})
    assert [s.slug for s in result.matched_scenarios] == [
        "content-site",
        "admin-from-day-one",
        "data-model-central",
    ]


def test_weights_alone_are_enough():
    assert run(weights={"performance": 3, "async": 2}).recommended == "fastapi"
    assert run(weights={"admin": 3}).recommended == "django"
    assert run(weights={"learning_curve": 3}).recommended == "flask"


def test_negative_weights_count_against():
    assert run(weights={"admin": -3, "learning_curve": 1}).recommended == "flask"


def test_scores_are_0_to_100_and_explain_themselves():
    result = run({"project": "saas", "io": "heavy"})
    for ranked in result.ranking:
        assert 0 <= ranked.score <= 100
        assert abs(50 + sum(ranked.contributions.values()) - ranked.score) < 0.1
    winner = result.ranking[0]
    assert winner.reasons and all(r.points > 0 for r in winner.reasons)
    for loser in result.ranking[1:]:
        # One that ties the winner lost on snapshot order alone, and has no reason to show.
        assert all(r.points < 0 for r in loser.reasons)
        assert bool(loser.reasons) is (loser.score < winner.score)


def test_ranking_is_sorted_and_lists_every_framework():
    result = run({"project": "web_app"})
    scores = [r.score for r in result.ranking]
    assert scores == sorted(scores, reverse=True)
    assert {r.framework for r in result.ranking} == {"flask", "django", "fastapi", "quart", "litestar"}


def test_same_input_same_output():
    answers = {"project": "api", "needs": ["auth", "admin"], "team": "large"}
    assert result_to_dict(run(answers)) == result_to_dict(run(answers))


def test_ties_go_to_the_framework_listed_first():
    even = {"x": RatingInfo(3, "ok")}
    snapshot = Snapshot(
        frameworks=(
            FrameworkInfo("zeta", "Zeta", even),
            FrameworkInfo("alpha", "Alpha", even),
        ),
        aspects=(AspectInfo("x", "X"),),
        questions=(),
        scenarios=(),
    )
    result = run(weights={"x": 2}, snapshot=snapshot)
    assert [r.framework for r in result.ranking] == ["zeta", "alpha"]
    assert result.ranking[0].score == result.ranking[1].score
    assert result.close_call


def close_snapshot() -> Snapshot:
    """Two frameworks a hair apart, and a question whose answer decides between them."""
    return Snapshot(
        frameworks=(
            FrameworkInfo("one", "One", {"speed": RatingInfo(5, "fast"), "ease": RatingInfo(2, "hard")}),
            FrameworkInfo("two", "Two", {"speed": RatingInfo(4, "quick"), "ease": RatingInfo(4, "easy")}),
        ),
        aspects=(AspectInfo("speed", "Speed"), AspectInfo("ease", "Ease")),
        questions=(
            QuestionInfo(
                "goal",
                "Goal?",
                "single",
                (OptionInfo("fast", "Fast", {"speed": 2}), OptionInfo("easy", "Easy", {"ease": 3})),
            ),
            QuestionInfo(
                "team",
                "Team?",
                "single",
                (OptionInfo("any", "Any", {"ease": 1}),),
            ),
        ),
        scenarios=(ScenarioInfo("s", "S", "two"),),
    )


def test_close_call_names_the_smallest_change_that_flips_it():
    snapshot = close_snapshot()
    result = run({"goal": "fast", "team": "any"}, snapshot=snapshot)
    assert result.recommended == "one"
    assert result.ranking[0].score - result.ranking[1].score <= CLOSE_CALL_MARGIN
    assert result.close_call
    assert result.flip is not None
    assert result.flip.recommended == "two"
    assert len(result.flip.changes) == 1
    change = result.flip.changes[0]
    assert (change.question, change.before, change.after) == ("goal", ("fast",), ("easy",))


def test_clear_results_have_no_close_call():
    result = run({"project": "saas"})
    assert not result.close_call
    assert result.flip is None


def test_flip_search_finds_two_step_changes_when_one_is_not_enough():
    snapshot = seed_snapshot()
    answers = {"project": ("saas",), "needs": ("admin",)}
    flip = find_flip(snapshot, answers, {})
    assert flip is not None
    assert 1 <= len(flip.changes) <= 2
    flipped = dict(answers)
    for change in flip.changes:
        flipped[change.question] = change.after
    assert run({k: list(v) for k, v in flipped.items() if v}).recommended == flip.recommended


@pytest.mark.parametrize(
    ("answers", "weights", "field", "key"),
    [
        ({"colour": "red"}, {}, "answers", "colour"),
        ({"project": "spaceship"}, {}, "answers", "project"),
        ({"project": ["saas", "api"]}, {}, "answers", "project"),
        ({"project": 3}, {}, "answers", "project"),
        ({"needs": ["admin", "nope"]}, {}, "answers", "needs"),
        ({}, {"vibes": 2}, "weights", "vibes"),
        ({}, {"performance": "high"}, "weights", "performance"),
        ({}, {"performance": True}, "weights", "performance"),
        ({}, {"performance": 4}, "weights", "performance"),
        ({}, {"performance": float("nan")}, "weights", "performance"),
        ({}, {"type": 1}, "weights", "type"),
    ],
)
def test_bad_input_names_the_field(answers, weights, field, key):
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, answers, weights)
    assert key in error.value.errors[field]


@pytest.mark.parametrize("answers", [{}, {"needs": []}, {"project": ""}])
def test_nothing_to_go_on_is_an_error(answers):
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, answers, {})
    assert "non_field_errors" in error.value.errors


def test_vanishingly_small_weights_count_as_none_instead_of_overflowing():
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, {}, {"admin": 1.1e-308})
    assert "non_field_errors" in error.value.errors

    result = run(answers={"project": "content"}, weights={"admin": 1e-300, "performance": 5e-324})
    assert all(0 <= entry.score <= 100 for entry in result.ranking)


@pytest.mark.parametrize("answers", ["saas", ["saas"], 42])
def test_answers_must_be_an_object(answers):
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, answers, {})
    assert "answers" in error.value.errors


def test_snapshot_round_trips_through_a_dict():
    again = snapshot_from_dict(snapshot_to_dict(SNAPSHOT))
    assert again == SNAPSHOT
    assert again.fingerprint == SNAPSHOT.fingerprint


def test_fingerprint_changes_when_a_rating_changes():
    data = snapshot_to_dict(SNAPSHOT)
    data["frameworks"][0]["ratings"]["performance"]["score"] = 1
    assert snapshot_from_dict(data).fingerprint != SNAPSHOT.fingerprint


def test_an_unknown_option_repeated_half_a_million_times_is_reported_once():
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, {"needs": ["nope"] * 520_000}, {})
    assert list(error.value.errors) == ["answers"]
    assert list(error.value.errors["answers"]) == ["needs"]
    (message,) = error.value.errors["answers"]["needs"]
    assert message.startswith("Unknown option “nope” for “needs”; expected one of: admin")


def test_only_the_first_problems_are_listed_and_the_rest_counted():
    unknown = [f"opt{n}" for n in range(1000)]
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, {"needs": unknown, **{f"q{n}": "x" for n in range(50)}}, {"vibes": 1})
    messages = error.value.messages
    assert len(messages) == MAX_REPORTED + 1
    assert all("“opt" in message for message in messages[:MAX_REPORTED])
    assert messages[-1] == f"…and {1000 - MAX_REPORTED + 50 + 1:,} more problems, not listed."


def test_a_long_value_is_cut_short_where_it_is_echoed():
    long_slug = "x" * 100_000
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, {long_slug: "saas", "project": long_slug}, {long_slug: 1})
    errors = error.value.errors
    (key,) = errors["answers"].keys() - {"project"}
    assert len(key) == MAX_ECHO
    assert key.endswith("…")
    assert all(len(message) < 300 for message in error.value.messages)
    assert len(next(iter(errors["weights"]))) == MAX_ECHO


def test_blank_answers_and_tiny_weights_are_mistakes_only_when_blanks_are_not_allowed():
    answers, weights = {"project": "saas", "needs": []}, {"admin": 0.001}
    assert validate_input(SNAPSHOT, answers, weights) == ({"project": ("saas",)}, {})
    with pytest.raises(InvalidInput) as error:
        validate_input(SNAPSHOT, answers, weights, allow_blank=False)
    assert set(error.value.errors["answers"]) == {"needs"}
    assert set(error.value.errors["weights"]) == {"admin"}


def test_result_to_dict_is_the_dataclasses_field_for_field():
    result = run({"project": "web_app", "team": "small_fast", "priority": "ship_fast"})
    data = result_to_dict(result)
    assert list(data) == [
        "recommended",
        "ranking",
        "matched_scenarios",
        "weights",
        "close_call",
        "flip",
        "verdict",
        "margin",
        "sensitivity",
        "combination",
        "all_ruled_out",
    ]
    ranked = data["ranking"][0]
    assert list(ranked) == [
        "framework",
        "name",
        "score",
        "guide_url",
        "contributions",
        "reasons",
        "ruled_out",
        "strengths",
        "weaknesses",
        "stack",
    ]
    assert ranked["reasons"][0] == {
        "aspect": result.ranking[0].reasons[0].aspect,
        "aspect_name": result.ranking[0].reasons[0].aspect_name,
        "text": result.ranking[0].reasons[0].text,
        "points": result.ranking[0].reasons[0].points,
        "source_url": "",
    }
    assert data["matched_scenarios"] == [
        {
            "slug": s.slug,
            "situation": s.situation,
            "framework": s.framework,
            "framework_name": s.framework_name,
            "companion": s.companion,
            "alternatives": list(s.alternatives),
            "alternative_names": list(s.alternative_names),
        }
        for s in result.matched_scenarios
    ]
    close = run({"goal": "fast", "team": "any"}, snapshot=close_snapshot())
    assert result_to_dict(close)["flip"] == {
        "recommended": "two",
        "name": "Two",
        "changes": [{"question": "goal", "from": ["fast"], "to": ["easy"], "kind": "preference"}],
    }


def _with_newcomer(alternative_of: str | None) -> Snapshot:
    """The seed plus a framework rated exactly like FastAPI, named as an alternative on one scenario."""
    fastapi = next(f for f in SNAPSHOT.frameworks if f.slug == "fastapi")
    newcomer = FrameworkInfo("newcomer", "Newcomer", dict(fastapi.ratings))
    scenarios = tuple(
        replace(s, alternatives=(*s.alternatives, "newcomer")) if s.slug == alternative_of else s
        for s in SNAPSHOT.scenarios
    )
    return replace(SNAPSHOT, frameworks=(*SNAPSHOT.frameworks, newcomer), scenarios=scenarios)


# (answers, scenario naming the newcomer as an alternative, does it tie with FastAPI?)
@pytest.mark.parametrize(
    ("answers", "alternative_of", "ties"),
    [
        ({"project": "ml"}, "ml-serving", True),
        ({"project": "microservice"}, "async-microservice", True),
        ({"project": "ml"}, None, False),
        ({"project": "ml"}, "async-microservice", False),
    ],
)
def test_an_equally_rated_alternative_is_not_beaten_by_the_scenario_alone(answers, alternative_of, ties):
    result = run(answers, snapshot=_with_newcomer(alternative_of))
    scores = {ranked.framework: ranked.score for ranked in result.ranking}
    assert result.recommended == "fastapi"  # ties go to the framework listed first
    assert (scores["newcomer"] == scores["fastapi"]) is ties
    if not ties:
        assert scores["newcomer"] < scores["fastapi"]


def test_an_alternative_with_better_ratings_wins_the_scenario_on_its_merits():
    aspects = (AspectInfo("speed", "Speed"),)
    snapshot = Snapshot(
        frameworks=(
            FrameworkInfo("first", "First", {"speed": RatingInfo(3, "Good")}),
            FrameworkInfo("second", "Second", {"speed": RatingInfo(5, "Great")}),
            FrameworkInfo("third", "Third", {"speed": RatingInfo(5, "Great")}),
        ),
        aspects=aspects,
        questions=(
            QuestionInfo("goal", "Goal?", "single", (OptionInfo("fast", "Fast", {"speed": 2}, ("svc",)),)),
        ),
        scenarios=(ScenarioInfo("svc", "A small service", "first", "", ("second",)),),
    )
    result = run({"goal": "fast"}, snapshot=snapshot)
    assert [r.framework for r in result.ranking] == ["second", "first", "third"]
    assert result.ranking[0].contributions["scenario:svc"] > 0
    assert result.ranking[1].contributions["scenario:svc"] > 0
    assert result.ranking[2].contributions["scenario:svc"] < 0
    (matched,) = result.matched_scenarios
    assert (matched.alternatives, matched.alternative_names) == (("second",), ("Second",))
    # Third is rated like Second and loses to it on the scenario's credit alone.
    (why_third_lost,) = result.ranking[2].reasons
    assert why_third_lost.text == "The cheat sheet names Second as also a fit for “A small service”."
    assert result_to_dict(result)["matched_scenarios"][0]["alternative_names"] == ["Second"]


def test_alternatives_survive_a_snapshot_round_trip_and_leave_other_fingerprints_alone():
    with_alternative = _with_newcomer("ml-serving")
    assert snapshot_from_dict(snapshot_to_dict(with_alternative)) == with_alternative
    plain = [s for s in snapshot_to_dict(SNAPSHOT)["scenarios"] if not s.get("alternatives")]
    assert all("alternatives" not in s for s in plain)
