"""Properties of the scoring model (docs/scoring.md), checked on generated matrices."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from comparisons.engine import (
    MUST_HAVE_MIN,
    WEIGHT_LIMIT,
    AspectInfo,
    CompanionInfo,
    FrameworkInfo,
    OptionInfo,
    QuestionInfo,
    RatingInfo,
    ScenarioInfo,
    Snapshot,
    recommend,
    result_to_dict,
)

ASPECTS = ("a", "b", "c", "d")


@st.composite
def snapshots(draw):
    """2-5 frameworks rated 0-5 on four aspects, a context question whose options name
    scenarios, a preference question, and a few companions."""
    count = draw(st.integers(2, 5))
    slugs = [f"f{i}" for i in range(count)]
    frameworks = tuple(
        FrameworkInfo(
            slug,
            slug.upper(),
            {a: RatingInfo(draw(st.integers(0, 5)), "r") for a in ASPECTS},
        )
        for slug in slugs
    )
    scenarios = tuple(
        ScenarioInfo(
            f"s{i}",
            f"S{i}",
            draw(st.sampled_from(slugs)),
            alternatives=tuple(draw(st.lists(st.sampled_from(slugs), max_size=1, unique=True))),
            separate_service=draw(st.booleans()),
        )
        for i in range(2)
    )
    weight = st.integers(-WEIGHT_LIMIT, WEIGHT_LIMIT)
    questions = (
        QuestionInfo(
            "project",
            "Project?",
            "single",
            tuple(
                OptionInfo(f"p{i}", f"P{i}", {draw(st.sampled_from(ASPECTS)): draw(weight)}, (f"s{i}",))
                for i in range(2)
            ),
            context=True,
        ),
        QuestionInfo(
            "needs",
            "Needs?",
            "multiple",
            tuple(OptionInfo(a, a, {a: draw(st.integers(1, 3))}) for a in ASPECTS),
        ),
    )
    companions = tuple(
        CompanionInfo(
            f"c{i}",
            f"C{i}",
            frameworks=(draw(st.sampled_from(slugs)),),
            covers={draw(st.sampled_from(ASPECTS)): draw(st.integers(1, 5))},
        )
        for i in range(draw(st.integers(0, 3)))
    )
    return Snapshot(
        frameworks=frameworks,
        aspects=tuple(AspectInfo(a, a.upper()) for a in ASPECTS),
        questions=questions,
        scenarios=scenarios,
        companions=companions,
    )


answers = st.fixed_dictionaries(
    {},
    optional={
        "project": st.sampled_from([("p0",), ("p1",)]),
        "needs": st.lists(st.sampled_from(ASPECTS), min_size=1, max_size=4, unique=True).map(tuple),
    },
)
weights = st.dictionaries(st.sampled_from(ASPECTS), st.integers(-3, 3).filter(bool), max_size=4)
must_haves = st.lists(st.sampled_from(ASPECTS), max_size=2, unique=True).map(tuple)


def positions(result) -> dict[str, int]:
    return {r.framework: i for i, r in enumerate(result.ranking)}


@settings(max_examples=150, deadline=None)
@given(snapshots(), answers, weights, st.sampled_from(ASPECTS), st.integers(1, 3))
def test_raising_a_weight_never_lowers_a_framework_that_leads_on_that_aspect(
    snapshot, chosen, own, aspect, step
):
    before = recommend(snapshot, chosen, own)
    raised = {**own, aspect: own.get(aspect, 0) + step}
    after = recommend(snapshot, chosen, raised)
    was, now = positions(before), positions(after)
    for x in snapshot.frameworks:
        for y in snapshot.frameworks:
            leads = x.ratings[aspect].score > y.ratings[aspect].score
            if leads and was[x.slug] < was[y.slug]:
                assert now[x.slug] < now[y.slug]


@settings(max_examples=150, deadline=None)
@given(snapshots(), answers, weights, must_haves)
def test_a_framework_rated_at_the_threshold_is_never_ruled_out_by_that_must_have(
    snapshot, chosen, own, must_have
):
    if not chosen and not own and not must_have:
        own = {"a": 1}
    result = recommend(snapshot, chosen, own, must_have=must_have)
    by_slug = {f.slug: f for f in snapshot.frameworks}
    for ranked in result.ranking:
        for ruled in ranked.ruled_out:
            assert ruled.aspect in must_have
            assert by_slug[ranked.framework].ratings[ruled.aspect].score < MUST_HAVE_MIN
    for aspect in must_have:
        for ranked in result.ranking:
            if by_slug[ranked.framework].ratings[aspect].score >= MUST_HAVE_MIN:
                assert aspect not in {r.aspect for r in ranked.ruled_out}


def comparable(result) -> dict:
    """Everything a framework gets, keyed by framework, and the ranking as groups of exact ties."""
    data = result_to_dict(result)
    per_framework = {
        r["framework"]: (
            r["score"],
            r["contributions"],
            r["ruled_out"],
            r["strengths"],
            r["weaknesses"],
            r["stack"],
        )
        for r in data["ranking"]
    }
    groups = []
    for r in data["ranking"]:
        key = (bool(r["ruled_out"]), len(r["ruled_out"]), r["score"])
        if groups and groups[-1][0] == key:
            groups[-1][1].add(r["framework"])
        else:
            groups.append((key, {r["framework"]}))
    return {
        "frameworks": per_framework,
        "groups": groups,
        "weights": data["weights"],
        "verdict": (data["verdict"], data["margin"], data["all_ruled_out"]),
        "scenarios": data["matched_scenarios"],
    }


@settings(max_examples=150, deadline=None)
@given(snapshots(), answers, weights, must_haves, st.randoms(use_true_random=False))
def test_reordering_frameworks_changes_nothing_but_the_order_of_exact_ties(
    snapshot, chosen, own, must_have, rng
):
    if not chosen and not own and not must_have:
        own = {"a": 1}
    shuffled = list(snapshot.frameworks)
    rng.shuffle(shuffled)
    other = replace(snapshot, frameworks=tuple(shuffled))
    first = recommend(snapshot, chosen, own, must_have=must_have)
    second = recommend(other, chosen, own, must_have=must_have)
    assert comparable(first) == comparable(second)
    top = comparable(first)["groups"][0][1]
    assert first.recommended in top and second.recommended in top
