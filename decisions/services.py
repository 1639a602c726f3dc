"""Writes with side effects on decisions, and the engine calls behind them."""

from dataclasses import dataclass, field

from django.db import transaction

from comparisons.answers import (
    clean_tuned_weights,
    constraints_to_dict,
    engine_weights,
    recommend_with,
)
from comparisons.engine import (
    InvalidInput,
    Snapshot,
    result_to_dict,
    validate_constraints,
    validate_input,
    validate_must_have,
)
from comparisons.snapshot import get_snapshot
from decisions.drift import Drift, detect_drift, rating_inputs
from decisions.models import Decision, DecisionSnapshot, DecisionStatus


@dataclass(frozen=True)
class Evaluation:
    answers: dict
    weights: dict
    result: dict
    inputs: dict
    fingerprint: str
    must_have: list = field(default_factory=list)
    tuned_weights: dict = field(default_factory=dict)
    constraints: dict = field(default_factory=dict)
    verdict: str = ""
    stack: dict = field(default_factory=dict)


def _ratings_of(snapshot: Snapshot) -> dict:
    return {f.slug: {slug: rating.score for slug, rating in f.ratings.items()} for f in snapshot.frameworks}


def decision_evaluate(
    *,
    answers,
    weights=None,
    must_have=None,
    tuned_weights=None,
    constraints=None,
    snapshot: Snapshot | None = None,
) -> Evaluation:
    """Validate answers, weights and the chooser's settings and compute today's result.

    `weights` add to the implied ones (as the API's do); `tuned_weights` replace them
    (the chooser's Fine-tune). Raises InvalidInput.
    """
    snapshot = snapshot or get_snapshot()
    clean_answers, clean_weights = validate_input(snapshot, answers, weights or {})
    must = validate_must_have(snapshot, must_have)
    tuned = clean_tuned_weights(snapshot, tuned_weights)
    limits = validate_constraints(constraints)
    combined = engine_weights(snapshot, clean_answers, tuned, extra=clean_weights)
    result = result_to_dict(
        recommend_with(snapshot, clean_answers, combined, must_have=must, constraints=limits)
    )
    return Evaluation(
        answers={question: list(options) for question, options in clean_answers.items()},
        weights=clean_weights,
        result=result,
        inputs=rating_inputs(result, _ratings_of(snapshot)),
        fingerprint=snapshot.fingerprint,
        must_have=list(must),
        tuned_weights=tuned,
        constraints=constraints_to_dict(limits),
        verdict=result.get("verdict", ""),
        stack=recommended_stack(result),
    )


def recommended_stack(result: dict) -> dict:
    """The first eligible framework's stack from a result, {} when none is eligible or known."""
    ranked = next((r for r in result["ranking"] if not r.get("ruled_out")), None)
    return (ranked or {}).get("stack") or {}


def settings_of(decision: Decision) -> dict:
    """The chooser settings a decision was saved with, as decision_evaluate takes them."""
    return {
        "must_have": decision.must_have,
        "tuned_weights": decision.tuned_weights,
        "constraints": decision.constraints,
    }


def _store(decision: Decision, evaluation: Evaluation) -> DecisionSnapshot:
    return DecisionSnapshot.objects.create(
        decision=decision,
        result={**evaluation.result, "inputs": evaluation.inputs},
        fingerprint=evaluation.fingerprint,
        recommended=evaluation.result["recommended"],
    )


def validate_framework(slug: str, snapshot: Snapshot | None = None) -> str:
    snapshot = snapshot or get_snapshot()
    if slug not in {f.slug for f in snapshot.frameworks}:
        known = ", ".join(f.slug for f in snapshot.frameworks)
        raise InvalidInput({"chosen_framework": [f"Unknown framework “{slug}”; expected one of: {known}."]})
    return slug


@transaction.atomic
def decision_create(
    *,
    owner,
    title: str,
    answers,
    weights=None,
    must_have=None,
    tuned_weights=None,
    constraints=None,
    chosen_framework: str = "",
    chosen_reason: str = "",
    notes: str = "",
    status: str = DecisionStatus.PROPOSED,
    snapshot: Snapshot | None = None,
    review_by=None,
) -> Decision:
    """Save a decision with the snapshot computed now, on the server, from its answers."""
    snapshot = snapshot or get_snapshot()
    evaluation = decision_evaluate(
        answers=answers,
        weights=weights,
        must_have=must_have,
        tuned_weights=tuned_weights,
        constraints=constraints,
        snapshot=snapshot,
    )
    chosen = chosen_framework or evaluation.result["recommended"]
    validate_framework(chosen, snapshot)
    decision = Decision.objects.create(
        owner=owner,
        title=title,
        answers=evaluation.answers,
        weights=evaluation.weights,
        must_have=evaluation.must_have,
        tuned_weights=evaluation.tuned_weights,
        constraints=evaluation.constraints,
        verdict=evaluation.verdict,
        stack=evaluation.stack,
        chosen_framework=chosen,
        chosen_reason=chosen_reason,
        notes=notes,
        status=status,
        review_by=review_by,
    )
    _store(decision, evaluation)
    return decision


@transaction.atomic
def decision_reevaluate(*, decision: Decision) -> DecisionSnapshot:
    """Compute the decision's result again on today's content; older snapshots stay as history.

    The decision's verdict and stack follow the new result.
    """
    evaluation = decision_evaluate(
        answers=decision.answers, weights=decision.weights, **settings_of(decision)
    )
    decision.verdict, decision.stack = evaluation.verdict, evaluation.stack
    decision.save(update_fields=["verdict", "stack", "updated_at"])
    return _store(decision, evaluation)


def decision_set_sharing(*, decision: Decision, shared: bool) -> Decision:
    """Turn the read-only link on (a new unguessable token) or off (the old link 404s)."""
    decision.share_token = Decision.new_share_token() if shared else None
    decision.save(update_fields=["share_token", "updated_at"])
    return decision


def drift_for(decisions, snapshot: Snapshot | None = None) -> dict[int, Drift]:
    """Drift of each decision against today's content, by decision id.

    Pure computation on decisions whose snapshots are prefetched: the number of
    queries does not depend on how many decisions there are.
    """
    snapshot = snapshot or get_snapshot()
    aspect_names = {a.slug: a.name for a in snapshot.aspects}
    ratings = _ratings_of(snapshot)
    drifts = {}
    for decision in decisions:
        saved = decision.latest_snapshot
        if saved is None or saved.fingerprint == snapshot.fingerprint:
            continue
        try:
            evaluation = decision_evaluate(
                answers=decision.answers, weights=decision.weights, **settings_of(decision), snapshot=snapshot
            )
        except InvalidInput:
            # An option or aspect it used is gone: today's content cannot answer it.
            continue
        drift = detect_drift(
            saved.result,
            saved.result.get("inputs", {}),
            evaluation.result,
            rating_inputs(evaluation.result, ratings),
            aspect_names,
        )
        if drift is not None:
            drifts[decision.pk] = drift
    return drifts
