"""Chooser 2.0 in the engine, table-driven: must-haves, constraints, companions, stacks,
combinations, sensitivity, flips and verdicts (docs/scoring.md)."""

from dataclasses import replace

import pytest

from comparisons.engine import (
    CLEAR,
    CLOSE_CALL,
    CONTEXT_WEIGHT,
    MUST_HAVE_CHANGE,
    MUST_HAVE_MIN,
    MUST_HAVE_WEIGHT,
    PREFERENCE,
    PROJECT,
    TIE,
    WEIGHT_CHANGE_PREFIX,
    AdvisoryInfo,
    AspectInfo,
    CompanionInfo,
    Constraints,
    FactsInfo,
    FrameworkInfo,
    InvalidInput,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
    recommend,
    result_to_dict,
    validate_constraints,
    validate_input,
    validate_must_have,
)
from comparisons.tests.engine_data import seed_snapshot


def ratings(**scores) -> dict[str, RatingInfo]:
    return {aspect: RatingInfo(score, f"rated {score}") for aspect, score in scores.items()}


# Three frameworks: "full" builds everything in, "micro" is easy, "fast" is fast.
TINY = Snapshot(
    frameworks=(
        FrameworkInfo(
            "full",
            "Full",
            ratings(admin=5, orm=5, speed=2, ease=2),
            facts=FactsInfo(python_versions=("3.10", "3.11", "3.12"), supported_until="2028-04-01"),
        ),
        FrameworkInfo(
            "micro",
            "Micro",
            ratings(admin=0, orm=0, speed=3, ease=5),
            facts=FactsInfo(requires_python=">=3.9", advisories=(AdvisoryInfo("ADV-1"),)),
        ),
        FrameworkInfo("fast", "Fast", ratings(admin=0, orm=0, speed=5, ease=4)),
    ),
    aspects=(
        AspectInfo("admin", "Admin panel"),
        AspectInfo("orm", "Built-in ORM"),
        AspectInfo("speed", "Speed"),
        AspectInfo("ease", "Ease"),
        AspectInfo("notes", "Notes", numeric=False),
    ),
    questions=(
        QuestionInfo(
            "project",
            "What are you building?",
            "single",
            (
                OptionInfo("content", "Content site", {"admin": 3}, ("content",)),
                OptionInfo("service", "Model service", {"speed": 3}, ("service",)),
                OptionInfo("proto", "Prototype", {"ease": 3}, ("proto",)),
            ),
            context=True,
        ),
        QuestionInfo(
            "needs",
            "What must come built in?",
            "multiple",
            (
                OptionInfo("admin", "Admin", {"admin": 3}),
                OptionInfo("orm", "ORM", {"orm": 3}),
                OptionInfo("speed", "Speed", {"speed": 3}),
            ),
        ),
        QuestionInfo(
            "priority",
            "What matters most?",
            "single",
            (OptionInfo("speed", "Speed", {"speed": 2}), OptionInfo("ease", "Ease", {"ease": 2})),
        ),
    ),
    scenarios=(
        ScenarioInfo("content", "A content site", "full"),
        ScenarioInfo("service", "Serving a model", "fast", separate_service=True),
        ScenarioInfo("proto", "A prototype", "micro"),
    ),
    companions=(
        CompanionInfo(
            "micro-admin", "Micro-Admin", "micro-admin", frameworks=("micro",), covers={"admin": 4}
        ),
        CompanionInfo("micro-orm-lite", "Micro-ORM-Lite", "lite", frameworks=("micro",), covers={"orm": 2}),
        CompanionInfo("fast-orm", "FastORM", "fastorm", frameworks=("fast",), covers={"orm": 3}),
        CompanionInfo(
            "fast-orm-plus", "FastORM Plus", "fastorm-plus", frameworks=("fast",), covers={"orm": 4}
        ),
        CompanionInfo("cms", "CMS", "cms", frameworks=("full",), covers={"admin": 5}, scenarios=("content",)),
    ),
)


def run(answers=None, weights=None, must_have=(), constraints=None, snapshot=TINY):
    clean_answers, clean_weights = validate_input(snapshot, answers or {}, weights or {})
    return recommend(
        snapshot, clean_answers, clean_weights, must_have=tuple(must_have), constraints=constraints
    )


def entry(result, slug):
    return next(r for r in result.ranking if r.framework == slug)


# --- must-haves -------------------------------------------------------------------


# (must-haves, {framework: aspects it is ruled out on})
@pytest.mark.parametrize(
    ("must_have", "ruled_out"),
    [
        ((), {}),
        (("admin",), {"fast": ["admin"]}),  # micro meets it with Micro-Admin (4/5)
        (("orm",), {"micro": ["orm"]}),  # Micro-ORM-Lite covers only 2/5; fast has FastORM
        (("admin", "orm"), {"fast": ["admin"], "micro": ["orm"]}),
        (("speed",), {"full": ["speed"]}),  # 2/5, and no companion covers speed
    ],
)
def test_a_must_have_rules_out_only_what_neither_the_framework_nor_a_companion_meets(must_have, ruled_out):
    result = run(weights={"ease": 1}, must_have=must_have)
    found = {r.framework: [o.aspect for o in r.ruled_out] for r in result.ranking if r.ruled_out}
    assert found == ruled_out
    eligible = [r.framework for r in result.ranking if not r.ruled_out]
    assert [r.framework for r in result.ranking[: len(eligible)]] == eligible
    assert result.recommended == eligible[0]
    assert not result.all_ruled_out


@pytest.mark.parametrize(
    ("must_have", "framework", "reason"),
    [
        ("admin", "fast", "No admin panel (0/5) and no companion covers it"),
        ("orm", "micro", "No built-in ORM (0/5) and no companion covers it"),
        ("speed", "full", "Too little speed (2/5, a must-have needs 3) and no companion covers it"),
    ],
)
def test_the_reason_names_the_aspect_and_the_rating(must_have, framework, reason):
    result = run(weights={"ease": 1}, must_have=(must_have,))
    (ruled,) = entry(result, framework).ruled_out
    assert (ruled.aspect, ruled.reason) == (must_have, reason)


def test_ruled_out_frameworks_come_after_eligible_ones_whatever_their_score():
    result = run(weights={"ease": 3, "speed": 2}, must_have=("orm",))
    assert [r.framework for r in result.ranking] == ["fast", "full", "micro"]
    assert entry(result, "micro").score > entry(result, "full").score
    assert result.recommended == "fast"


def test_a_must_have_met_by_a_companion_puts_that_companion_in_the_stack():
    result = run(weights={"ease": 1}, must_have=("admin",))
    stack = entry(result, "micro").stack
    assert [(c.slug, c.covers) for c in stack.companions] == [("micro-admin", ("admin",))]
    assert entry(result, "full").stack.companions == ()


def test_a_must_have_weighs_at_least_the_must_have_weight():
    assert run(weights={"ease": 1}, must_have=("admin",)).weights["admin"] == MUST_HAVE_WEIGHT
    assert run({"needs": ["admin"]}, must_have=("admin",)).weights["admin"] == 3
    assert run(weights={"admin": -2}, must_have=("admin",)).weights["admin"] == MUST_HAVE_WEIGHT


def test_when_every_framework_is_ruled_out_the_nearest_is_recommended_and_it_says_so():
    result = run(weights={"ease": 2}, must_have=("admin", "orm", "speed"))
    assert result.all_ruled_out
    failures = {r.framework: len(r.ruled_out) for r in result.ranking}
    assert failures == {"full": 1, "micro": 1, "fast": 1}
    # Equal failures: the best score is nearest.
    assert result.recommended == "full" == result.ranking[0].framework


# --- constraints ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraints", "ruled_out"),
    [
        (Constraints(python="3.12"), {"fast": "Support for Python 3.12 is unknown"}),
        (
            Constraints(python="3.13"),
            {
                "full": "Python 3.13 is not among the versions it lists (3.10, 3.11, 3.12)",
                "fast": "Support for Python 3.13 is unknown",
            },
        ),
        (
            Constraints(python="3.8"),
            {
                "full": "Python 3.8 is not among the versions it lists (3.10, 3.11, 3.12)",
                "micro": "Does not support Python 3.8 (requires >=3.9)",
                "fast": "Support for Python 3.8 is unknown",
            },
        ),
        (
            Constraints(supported_until="2027-06-30"),
            {"micro": "Its end of support is unknown", "fast": "Its end of support is unknown"},
        ),
        (
            Constraints(supported_until="2029-01-01"),
            {
                "full": "Supported only until 2028-04-01, before 2029-01-01",
                "micro": "Its end of support is unknown",
                "fast": "Its end of support is unknown",
            },
        ),
        (
            Constraints(no_open_advisories=True),
            {
                "micro": "Open advisories on its latest release: ADV-1",
                "fast": "Its security advisories are unknown",
            },
        ),
    ],
)
def test_constraints_rule_out_on_facts_and_on_unknown_facts(constraints, ruled_out):
    result = run(weights={"speed": 1}, constraints=constraints)
    found = {r.framework: r.ruled_out[0].reason for r in result.ranking if r.ruled_out}
    assert found == ruled_out
    for r in result.ranking:
        assert all(o.aspect.startswith("constraint:") for o in r.ruled_out)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"python": 3.12}, "constraints.python"),
        ({"python": "three"}, "constraints.python"),
        ({"supported_until": "2027-13-01"}, "constraints.supported_until"),
        ({"supported_until": "soon"}, "constraints.supported_until"),
        ({"supported_until": ""}, "constraints.supported_until"),
        ({"python": ""}, "constraints.python"),
        ({"supported_until": "2027-W01-1"}, "constraints.supported_until"),
        ({"supported_until": "20270101"}, "constraints.supported_until"),
        ({"no_open_advisories": "yes"}, "constraints.no_open_advisories"),
        ({"colour": "red"}, "constraints.colour"),
        (["3.12"], "constraints"),
    ],
)
def test_bad_constraints_name_the_key(raw, key):
    with pytest.raises(InvalidInput) as error:
        validate_constraints(raw)
    assert key in error.value.errors


def test_good_constraints_are_read():
    raw = {"python": "3.12", "supported_until": "2027-01-31", "no_open_advisories": True}
    assert validate_constraints(raw) == Constraints("3.12", "2027-01-31", True)
    assert validate_constraints(None) == Constraints()


@pytest.mark.parametrize(
    ("raw", "item"),
    [(["admin", "vibes"], "vibes"), (["notes"], "notes"), ([3], "3"), (["x" * 100], "x" * 39 + "…")],
)
def test_bad_must_haves_name_the_item(raw, item):
    with pytest.raises(InvalidInput) as error:
        validate_must_have(TINY, raw)
    assert item in error.value.errors["must_have"]


def test_must_have_must_be_a_list_and_repeats_are_dropped():
    with pytest.raises(InvalidInput) as error:
        validate_must_have(TINY, "admin")
    assert error.value.errors == {"must_have": ["Expected a list of aspect slugs."]}
    assert validate_must_have(TINY, ["orm", "admin", "orm"]) == ("orm", "admin")


# --- strengths and weaknesses -----------------------------------------------------


def test_every_framework_shows_its_largest_contributions_both_ways():
    result = run(weights={"admin": 3, "orm": -1, "speed": 2, "ease": 1})
    full = entry(result, "full")
    assert [(p.aspect, p.score) for p in full.strengths] == [("admin", 5)]
    assert [(p.aspect, p.score) for p in full.weaknesses] == [("orm", 5), ("speed", 2), ("ease", 2)]
    fast = entry(result, "fast")
    assert [p.aspect for p in fast.strengths] == ["speed", "orm", "ease"]
    assert [p.aspect for p in fast.weaknesses] == ["admin"]
    for ranked in result.ranking:
        for point in ranked.strengths + ranked.weaknesses:
            assert point.contribution == ranked.contributions[point.aspect]
            assert point.label == f"rated {point.score}"


# --- stacks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "weights", "must_have", "stacks"),
    [
        (
            {},
            {"orm": 2},
            (),
            {"full": [], "micro": [("micro-orm-lite", ("orm",))], "fast": [("fast-orm-plus", ("orm",))]},
        ),
        # A need weighed against is no gap.
        ({}, {"orm": -2}, (), {"full": [], "micro": [], "fast": []}),
        (
            {},
            {"orm": 2, "admin": 1},
            (),
            {
                "full": [],
                "micro": [("micro-admin", ("admin",)), ("micro-orm-lite", ("orm",))],
                "fast": [("fast-orm-plus", ("orm",))],
            },
        ),
        # A scenario's companion joins its framework's stack.
        ({"project": "content"}, {}, (), {"full": [("cms", ())], "micro": [], "fast": []}),
        (
            {"project": "content"},
            {"admin": 1},
            (),
            {"full": [("cms", ("admin",))], "micro": [("micro-admin", ("admin",))], "fast": []},
        ),
    ],
)
def test_the_stack_fills_each_gap_with_one_companion_best_level_first(answers, weights, must_have, stacks):
    result = run(answers, weights, must_have)
    found = {r.framework: [(c.slug, c.covers) for c in r.stack.companions] for r in result.ranking}
    assert found == stacks
    assert all(r.stack.framework == r.framework for r in result.ranking)


# --- combinations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "parts"),
    [
        ({"project": "service", "needs": ["admin", "orm"]}, [("full", "product"), ("fast", "service")]),
        ({"project": "service", "needs": ["admin"]}, [("full", "product"), ("fast", "service")]),
        ({"project": "service"}, None),  # no product needs
        ({"project": "service", "needs": ["speed"]}, None),  # the service framework has it
        ({"project": "content", "needs": ["admin", "orm"]}, None),  # no separate service
    ],
)
def test_a_combination_when_the_product_needs_another_framework_than_the_service(answers, parts):
    combination = run(answers).combination
    if parts is None:
        assert combination is None
    else:
        assert [(p.framework, p.role) for p in combination.parts] == parts
        assert "Serving a model" in combination.reason and "Full" in combination.reason


def test_a_must_have_the_service_framework_fails_is_a_product_need():
    result = run({"project": "service", "needs": ["admin"]}, must_have=("orm",))
    assert entry(result, "fast").ruled_out == ()  # FastORM covers it
    result = run({"project": "service", "needs": ["orm"]}, must_have=("admin",))
    assert [o.aspect for o in entry(result, "fast").ruled_out] == ["admin"]
    parts = [(p.framework, p.role) for p in result.combination.parts]
    assert parts == [("full", "product"), ("fast", "service")]


def test_a_small_product_need_is_not_enough_for_a_combination():
    assert run({"project": "service"}, weights={"admin": 2}).combination is None
    assert run({"project": "service"}, weights={"admin": 3}).combination is not None


# --- verdicts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "verdict"),
    [
        ({"admin": 3}, CLEAR),
        ({"speed": 1, "ease": 3}, CLOSE_CALL),  # micro 3+? vs fast: within 5 points
        ({"admin": 1, "orm": 1}, CLEAR),
    ],
)
def test_verdict_follows_the_margin(weights, verdict):
    result = run(weights=weights)
    first, second = result.ranking[0], result.ranking[1]
    assert result.verdict == verdict
    assert result.margin == pytest.approx(first.score - second.score, abs=0.11)
    assert result.close_call is (verdict != CLEAR)


def test_identical_frameworks_tie():
    twin = replace(TINY.frameworks[2], slug="twin", name="Twin")
    snapshot = replace(TINY, frameworks=(*TINY.frameworks, twin))
    result = run(weights={"speed": 3}, snapshot=snapshot)
    assert (result.verdict, result.margin, result.recommended) == (TIE, 0.0, "fast")


def test_the_margin_is_between_the_first_two_eligible_frameworks():
    result = run(weights={"ease": 3, "speed": 1}, must_have=("orm",))
    eligible = [r for r in result.ranking if not r.ruled_out]
    assert result.margin == pytest.approx(eligible[0].score - eligible[1].score, abs=0.11)


# --- sensitivity ------------------------------------------------------------------


def winner_at(snapshot, answers, weights, must_have, aspect, weight):
    """The winner with one aspect's combined weight set to `weight`, by a full recommend()."""
    base = recommend(snapshot, answers, weights, must_have=must_have)
    extra = dict(weights)
    extra[aspect] = extra.get(aspect, 0.0) + weight - base.weights[aspect]
    return recommend(snapshot, answers, extra, must_have=must_have).recommended


SEED = seed_snapshot()
SEED_CONTEXT = replace(
    SEED,
    questions=tuple(
        q if any(x.context for x in SEED.questions) else replace(q, context=q.slug in {"project", "codebase"})
        for q in SEED.questions
    ),
)


@pytest.mark.parametrize(
    ("snapshot", "answers", "weights", "must_have"),
    [
        (TINY, {}, {"speed": 1, "ease": 3}, ()),
        (TINY, {"priority": ("speed",)}, {"ease": 2, "admin": 1}, ()),
        (TINY, {}, {"ease": 2, "admin": 1}, ("orm",)),
        (SEED_CONTEXT, {"project": ("learning",), "needs": ("templates", "orm", "auth", "security")}, {}, ()),
        (SEED_CONTEXT, {"needs": ("api_docs", "validation"), "io": ("heavy",)}, {"admin": 3}, ()),
        (SEED_CONTEXT, {"project": ("saas",), "priority": ("performance",)}, {}, ()),
    ],
)
def test_sensitivity_is_the_nearest_whole_weight_that_changes_the_winner(
    snapshot, answers, weights, must_have
):
    result = recommend(snapshot, answers, weights, must_have=must_have)
    heaviest = sorted(result.weights, key=lambda a: -abs(result.weights[a]))[:3]
    found = {s.aspect: s for s in result.sensitivity}
    assert set(found) <= set(heaviest)
    for aspect in heaviest:
        now = result.weights[aspect]
        low = MUST_HAVE_WEIGHT if aspect in must_have else -3
        # Brute force over every whole weight, nearest first (ties: the higher one).
        flips = [
            (w, who)
            for w in sorted(range(int(low), 4), key=lambda w: (abs(w - now), -w))
            if w != now
            and (who := winner_at(snapshot, answers, weights, must_have, aspect, w)) != result.recommended
        ]
        if not flips:
            assert aspect not in found
            continue
        weight, to = flips[0]
        assert (found[aspect].flips_at, found[aspect].to, found[aspect].weight_now) == (weight, to, now)


# --- flips ------------------------------------------------------------------------


def test_a_flip_changes_preferences_before_what_is_built():
    # The project vote and a weight nearly balance: adding the preference flips it, and so
    # would changing the project; the flip proposes the preference.
    snapshot = only_context_snapshot()
    snapshot = replace(
        snapshot,
        frameworks=(
            FrameworkInfo("one", "One", ratings(x=0, y=0)),
            FrameworkInfo("two", "Two", ratings(x=5, y=5)),
        ),
    )
    result = run({"project": "a"}, weights={"x": 3, "y": 0.9}, snapshot=snapshot)
    assert (result.recommended, result.verdict) == ("one", CLOSE_CALL)
    assert result.flip is not None and result.flip.recommended == "two"
    assert [(c.question, c.after, c.kind) for c in result.flip.changes] == [("pref", ("p",), PREFERENCE)]


def only_context_snapshot() -> Snapshot:
    """Two frameworks, a context question that decides, and a preference too weak to."""
    return Snapshot(
        frameworks=(
            FrameworkInfo("one", "One", ratings(x=3, y=3)),
            FrameworkInfo("two", "Two", ratings(x=3, y=3)),
        ),
        aspects=(AspectInfo("x", "X"), AspectInfo("y", "Y")),
        questions=(
            QuestionInfo(
                "project",
                "Project?",
                "single",
                (OptionInfo("a", "A", {}, ("sa",)), OptionInfo("b", "B", {}, ("sb",))),
                context=True,
            ),
            QuestionInfo("pref", "Pref?", "single", (OptionInfo("p", "P", {"x": 3}),)),
        ),
        scenarios=(ScenarioInfo("sa", "A", "one"), ScenarioInfo("sb", "B", "two")),
    )


def test_a_project_change_is_proposed_only_when_nothing_else_flips_and_says_so():
    snapshot = only_context_snapshot()
    result = run({"project": "a", "pref": "p"}, snapshot=snapshot)
    assert result.recommended == "one"
    # Not close: no flip is searched.
    assert result.verdict == CLEAR and result.flip is None
    from comparisons.engine import find_flip

    flip = find_flip(snapshot, {"project": ("a",), "pref": ("p",)}, {})
    assert flip is not None and flip.recommended == "two"
    assert [(c.question, c.before, c.after, c.kind) for c in flip.changes] == [
        ("project", ("a",), ("b",), PROJECT)
    ]


def test_dropping_a_must_have_and_a_weight_step_are_changes_too():
    from comparisons.engine import find_flip

    # Fast leads micro by a little; micro is ruled out by the must-have on orm.
    no_questions = replace(TINY, questions=())
    # Full and Micro only: Micro is ruled out by the must-have, and would win without it.
    two = replace(no_questions, frameworks=TINY.frameworks[:2])
    flip = find_flip(two, {}, {"ease": 3, "speed": 1}, must_have=("orm",))
    assert flip is not None
    assert [(c.question, c.before, c.after) for c in flip.changes] == [(MUST_HAVE_CHANGE, ("orm",), ())]
    flip = find_flip(no_questions, {}, {"ease": 3, "speed": 2})
    assert flip.changes[0].question.startswith(WEIGHT_CHANGE_PREFIX)
    change = flip.changes[0]
    after = recommend(
        TINY,
        {},
        {
            "ease": 3,
            "speed": 2,
            change.question[len(WEIGHT_CHANGE_PREFIX) :]: float(change.after[0]) - float(change.before[0]),
        },
    )
    assert after.recommended == flip.recommended


ISSUE_SAAS = {
    "project": ("saas",),
    "needs": ("api_docs", "validation"),
    "io": ("heavy",),
    "team": ("typed",),
    "priority": ("performance",),
}


def test_the_issue_example_no_longer_proposes_changing_what_is_built():
    result = recommend(SEED_CONTEXT, ISSUE_SAAS, {})
    assert result.flip is None or all(c.kind == PREFERENCE for c in result.flip.changes)
    # Its answer is for a fast, typed API, and the SaaS vote alone cannot turn that around.
    assert result.recommended in {"fastapi", "litestar"}


@pytest.mark.parametrize("project", ["content", "api", "ml", "microservice", "prototype", "learning"])
def test_switching_the_project_never_hands_the_win_to_a_framework_its_scenario_does_not_credit(project):
    # The content-site flip of the issue: a framework the new answer's scenarios credit keeps
    # every lead it had over one they do not credit.
    option = SEED_CONTEXT.question("project").option(project)
    favoured = [
        next(s for s in SEED_CONTEXT.scenarios if s.slug == slug).favoured for slug in option.scenarios
    ]
    credited, named = frozenset.intersection(*favoured), frozenset.union(*favoured)
    before = [r.framework for r in recommend(SEED_CONTEXT, ISSUE_SAAS, {}).ranking]
    after = [r.framework for r in recommend(SEED_CONTEXT, {**ISSUE_SAAS, "project": (project,)}, {}).ranking]
    for x in credited:
        for y in before[before.index(x) + 1 :]:
            if y not in named:
                assert after.index(x) < after.index(y)


def test_context_answers_vote_through_their_scenario_only():
    result = recommend(SEED_CONTEXT, {"project": ("content",)}, {})
    assert result.weights == {}
    assert result.ranking[0].contributions == {"scenario:content-site": pytest.approx(50.0)}
    assert CONTEXT_WEIGHT > 0 and MUST_HAVE_MIN == 3


def test_the_new_fields_reach_the_json():
    data = result_to_dict(run({"project": "service", "needs": ["admin"]}, must_have=("orm",)))
    assert data["verdict"] in {CLEAR, CLOSE_CALL, TIE}
    assert data["combination"]["parts"][0] == {"framework": "full", "role": "product"}
    micro = next(r for r in data["ranking"] if r["framework"] == "micro")
    assert micro["ruled_out"] == [
        {"aspect": "orm", "reason": "No built-in ORM (0/5) and no companion covers it"}
    ]
    assert micro["stack"]["framework"] == "micro"
